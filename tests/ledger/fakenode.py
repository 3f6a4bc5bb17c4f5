"""A JSON-RPC node in Python: empty blocks, limits and failures on demand, for tests of
the readers' adaptivity and retries."""

from __future__ import annotations

from web3.providers.base import BaseProvider


class FakeNode(BaseProvider):
    """A chain whose eth_getLogs refuses ranges above `limit` blocks; every block in `with_logs`
    holds one log."""

    def __init__(self, head: int = 1000, limit: int = 50, message: str = "query returned more than 10000 results",
                 failures: int = 0, with_logs: frozenset[int] = frozenset()):
        super().__init__()
        self.head, self.limit, self.message, self.failures = head, limit, message, failures
        self.with_logs = with_logs
        self.ranges: list[tuple[int, int]] = []

    def _block(self, n: int) -> dict | None:
        if n > self.head:
            return None
        return {"number": hex(n), "hash": "0x%064x" % (n + 1), "parentHash": "0x%064x" % n, "timestamp": hex(n)}

    def make_request(self, method, params):
        if self.failures:
            self.failures -= 1
            return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32603, "message": "internal error"}}
        if method == "eth_getBlockByNumber":
            n = self.head if params[0] == "latest" else int(params[0], 16)
            return {"jsonrpc": "2.0", "id": 1, "result": self._block(n)}
        if method == "eth_getLogs":
            start, end = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
            if end - start + 1 > self.limit:
                return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32005, "message": self.message}}
            self.ranges.append((start, end))
            logs = [{"blockNumber": hex(n), "blockHash": self._block(n)["hash"], "logIndex": "0x0",
                     "transactionHash": "0x%064x" % n, "transactionIndex": "0x0",
                     "address": params[0]["address"][0], "topics": [], "data": "0x"}
                    for n in range(start, end + 1) if n in self.with_logs]
            return {"jsonrpc": "2.0", "id": 1, "result": logs[::-1]}  # a node may answer in any order
        raise AssertionError(method)

    def make_batch_request(self, calls):
        return [dict(self.make_request(m, p), id=i) for i, (m, p) in enumerate(calls)]
