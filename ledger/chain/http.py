"""A node's HTTP answers, read within bounds; its URL, shown without its secrets.

The RPC endpoint may be faulty or malicious, and its answers are read into memory whole. So
every request asks for the identity encoding (`Accept-Encoding: identity`), and an answer is
read up to `MAX_ANSWER` bytes, decoded or not: a 255 KB gzip answer that inflates to a
gigabyte stops at the bound (a server that compresses anyway is decompressed in bounded
steps). Both clients use it: the mirror's and audit's raw `Rpc` and web3's provider for
everything else (`ledger.chain.node.connect`).

Node URLs often carry an API key (`https://mainnet.infura.io/v3/<key>`, `https://user:pass@…`,
`?apikey=…`): `shown_url` keeps only the scheme, host and port for messages, and
`has_secrets` tells whether a URL may hold one, so that it is not written to a settings file.
"""

from __future__ import annotations

import zlib
from urllib.parse import urlsplit

# The largest answer read, decoded: a range of ~1,000 events is 1-2 MB, and one block's logs
# (at 30M gas, 8 gas a byte of data, hex-encoded) stay under 8 MB. Larger is not an answer we use.
MAX_ANSWER = 32 * 2**20
IDENTITY = {"Accept-Encoding": "identity"}
_CHUNK = 1 << 20


class AnswerTooLarge(ValueError):
    """The node's answer is larger than the bound (decoded)."""


def read_answer(response, limit: int = MAX_ANSWER) -> bytes:
    """The body of a `requests` response made with `stream=True`, at most `limit` bytes once
    decoded (AnswerTooLarge beyond). Identity answers are read in one call; gzip and deflate in
    bounded steps; another content encoding is refused (ValueError)."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    raw = response.raw
    if encoding in ("", "identity"):
        # one read of up to limit + 1 bytes: requests' chunked .content cost twice the CPU on
        # megabytes of logs (see ledger.chain.rpc)
        body = raw.read(limit + 1, decode_content=False)
        if len(body) > limit:
            raise AnswerTooLarge(f"an answer of more than {limit} bytes")
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise ValueError(f"an answer in {encoding!r} encoding (asked for identity)")
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    parts, size = [], 0
    while chunk := raw.read(_CHUNK, decode_content=False):
        while chunk:
            # at most a chunk's worth out at a time: never more than the bound in memory
            part = inflate.decompress(chunk, min(_CHUNK, limit + 1 - size))
            parts.append(part)
            size += len(part)
            if size > limit:
                raise AnswerTooLarge(f"an answer of more than {limit} bytes once decompressed")
            chunk = inflate.unconsumed_tail
    parts.append(inflate.flush())
    if size + len(parts[-1]) > limit:
        raise AnswerTooLarge(f"an answer of more than {limit} bytes once decompressed")
    return b"".join(parts)


def shown_url(url: str) -> str:
    """The URL as it may be printed: scheme, host and port, with `/…` for a path or query it
    had (where API keys live); never the user name or password."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<an unparsable URL>"
    if not parts.scheme or not host:
        return "<an unparsable URL>"
    if ":" in host:  # IPv6
        host = f"[{host}]"
    rest = "/…" if parts.path.strip("/") or parts.query or parts.fragment else ""
    return f"{parts.scheme}://{host}{port}{rest}"


def check_rpc_url(url: str) -> str:
    """`url` if it is an http:// or https:// URL with a host (the only transports the CLI
    speaks), else ValueError saying what an RPC URL looks like (without the URL's secrets)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is not None and parts.scheme.lower() in ("http", "https") and host:
        return url
    shown = shown_url(url)
    what = "" if shown.startswith("<") else f" {shown}"
    hint = (" (WebSocket endpoints are not supported: give the node's HTTP endpoint)"
            if parts is not None and parts.scheme.lower() in ("ws", "wss") else "")
    raise ValueError(f"the RPC URL{what} is not an http:// or https:// URL{hint}, e.g. http://127.0.0.1:8545")


def has_secrets(url: str) -> bool:
    """Whether the URL may carry a credential: a user or password, a path, a query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    return bool(parts.username or parts.password or parts.path.strip("/") or parts.query or parts.fragment)


def redact(text: str, url: str) -> str:
    """`text` (an error message) without the secrets of `url`: its user information, path and
    query wherever they appear (requests quotes the path of a failed URL)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return text.replace(url, "<the RPC URL>") if url else text
    secrets = [url, parts.netloc.rpartition("@")[0] if "@" in parts.netloc else "",
               parts.path + ("?" + parts.query if parts.query else ""), parts.path, parts.query, parts.fragment]
    for secret in sorted({s for s in secrets if len(s.strip("/")) > 0}, key=len, reverse=True):
        text = text.replace(secret, "…" if secret != url else shown_url(url))
    return text
