"""`waico site serve`: a local preview of a built site, with the headers a host should send.

Plain static files (Python's http.server), plus the Content-Security-Policy of the pages' meta
tag (and `frame-ancestors 'none'`, which only a header can carry), `nosniff` and no referrer.
For a preview on this machine; to publish, copy the folder to any static host.
"""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ledger.errors import ConfigError

from .pages import CSP

HEADERS = {
    "Content-Security-Policy": CSP + "; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript",
                      ".svg": "image/svg+xml", ".csv": "text/csv; charset=utf-8"}

    def end_headers(self):
        for name, value in HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 — the base class's name
        pass  # quiet: a preview, not a server log


def server(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server of `folder` (not yet serving: call serve_forever)."""
    folder = Path(folder)
    if not (folder / "index.html").is_file():
        raise ConfigError(f"no site in {folder}: run `waico site build` first")
    try:
        return ThreadingHTTPServer((host, port), functools.partial(_Handler, directory=str(folder)))
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
