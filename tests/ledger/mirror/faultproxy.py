"""A JSON-RPC proxy that misbehaves on purpose: dropped connections, HTTP 500/503, slow
answers, and a node's "too many results" refusal of large eth_getLogs ranges."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

@dataclass
class Faults:
    drop: float = 0.08          # close the connection without an answer
    http_500: float = 0.05
    http_503: float = 0.05
    slow: float = 0.05          # answer after `slow_seconds` (longer than the client's timeout)
    slow_seconds: float = 1.5
    max_log_range: int = 8      # eth_getLogs over more blocks: "query returned more than 10000 results"
    seed: int = 0
    counts: dict = field(default_factory=dict)

    def __post_init__(self):
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def pick(self) -> str | None:
        with self._lock:
            x = self._rng.random()
        for name in ("drop", "http_500", "http_503", "slow"):
            p = getattr(self, name)
            if x < p:
                self.count(name)
                return name
            x -= p
        return None

    def count(self, name: str) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1


class FaultProxy:
    def __init__(self, upstream: str, faults: Faults):
        self.upstream = upstream
        self.faults = faults
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fault = proxy.faults.pick()
                if fault == "drop":
                    self.close_connection = True
                    return
                if fault in ("http_500", "http_503"):
                    self._answer(int(fault[-3:]), b"upstream trouble")
                    return
                if fault == "slow":
                    time.sleep(proxy.faults.slow_seconds)
                refused = proxy._refuse_range(body)
                if refused is not None:
                    self._answer(200, refused)
                    return
                request = urllib.request.Request(proxy.upstream, data=body, headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=30) as response:
                    self._answer(200, response.read())

            def _answer(self, status: int, payload: bytes):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # a free port, bound at once
        self.port = self.server.server_address[1]
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _refuse_range(self, body: bytes) -> bytes | None:
        try:
            message = json.loads(body)
        except ValueError:
            return None
        if not isinstance(message, dict) or message.get("method") != "eth_getLogs":
            return None
        query = message["params"][0]
        span = int(query["toBlock"], 16) - int(query["fromBlock"], 16) + 1
        if span <= self.faults.max_log_range:
            return None
        self.faults.count("too_many_results")
        return json.dumps({"jsonrpc": "2.0", "id": message.get("id"), "error": {
            "code": -32005, "message": "query returned more than 10000 results"}}).encode()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "FaultProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
