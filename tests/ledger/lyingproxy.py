"""A JSON-RPC endpoint that lies: a real HTTP server in front of a real node, which forwards
every request and lets a test rewrite the answers (reorder logs, claim another chain id or
gas price, say an account has code) or replace them with raw bytes (a gzip bomb).

    with LyingProxy(anvil.url) as proxy:
        proxy.lie("eth_chainId", lambda params, result: "0x1")
        ... point the CLI at proxy.url ...

`raw` answers with fixed bytes: every request, or (with `raw_methods`) only requests for
those methods. `calls` keeps each request's method and params (a signed transaction, say).
"""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

# (params, the node's result) -> the result to answer with
Lie = Callable[[list, Any], Any]


class LyingProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream
        self.lies: dict[str, Lie] = {}
        self.raw: tuple[dict[str, str], bytes] | None = None  # answer requests with these bytes
        self.raw_methods: set[str] | None = None  # ... only requests for these (None: every request)
        self.requests: list[str] = []  # the methods asked for, in order
        self.calls: list[tuple[str, Any]] = []  # (method, params), in order
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = json.loads(body)
                methods = {r.get("method") for r in (request if isinstance(request, list) else [request])}
                if proxy.raw is not None and (proxy.raw_methods is None or methods & proxy.raw_methods):
                    proxy.requests.extend(sorted(methods))
                    headers, payload = proxy.raw
                    self.send_response(200)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                answer = proxy._answer(request)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        # bind first, so that the port is ours before anyone is told it
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def lie(self, method: str, rewrite: Lie) -> None:
        self.lies[method] = rewrite

    def _forward(self, request: Any) -> Any:
        req = urllib.request.Request(self.upstream, data=json.dumps(request).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as response:
            return json.loads(response.read())

    def _answer(self, request: Any) -> Any:
        if isinstance(request, list):
            return [self._answer(r) for r in request]
        self.requests.append(request.get("method"))
        self.calls.append((request.get("method"), request.get("params", [])))
        answer = self._forward(request)
        rewrite = self.lies.get(request.get("method"))
        if rewrite is not None and "result" in answer:
            answer["result"] = rewrite(request.get("params", []), answer["result"])
        return answer

    def __enter__(self) -> "LyingProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
