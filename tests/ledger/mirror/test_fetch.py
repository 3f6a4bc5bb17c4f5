"""fetch: the range adapts to what the node accepts; failures are retried, then a NodeFailing
(the node's fault) or a MirrorError (the mirror cannot read the range)."""

from __future__ import annotations

import pytest
from web3 import HTTPProvider, Web3

from ledger.errors import MirrorError, NodeFailing
from ledger.chain.logs import Span
from ledger.chain.rpc import Retry, Rpc
from ledger.mirror.fetch import Fetcher
from tests.ledger.fakenode import FakeNode


def fetcher(node: FakeNode, size: int = 400, attempts: int = 4) -> Fetcher:
    rpc = Rpc(Web3(node, middleware=[]), Retry(attempts=attempts, first_delay=0), sleep=lambda s: None)
    return Fetcher(rpc, ["0x" + "11" * 20], Span(size=size, target_logs=100))


@pytest.mark.parametrize("message", [
    "query returned more than 10000 results", "block range is too large", "exceed maximum block range: 50",
    "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range",
])
def test_range_halves_on_node_limits_and_covers_every_block(message):
    node = FakeNode(limit=50, message=message)
    ranges = list(fetcher(node).ranges(0, 1000))
    assert [(r.start, r.end) for r in ranges] == node.ranges
    covered = [n for r in ranges for n in range(r.start, r.end + 1)]
    assert covered == list(range(1001))
    assert all(r.end - r.start + 1 <= 50 for r in ranges)


def test_range_grows_after_small_answers():
    node = FakeNode(limit=10_000)
    ranges = list(fetcher(node, size=2).ranges(0, 1000))
    sizes = [r.end - r.start + 1 for r in ranges]
    assert sizes[:4] == [2, 4, 8, 16] and len(ranges) < 12


def test_transient_failures_are_retried():
    node = FakeNode(failures=3)
    assert [(r.start, r.end) for r in fetcher(node, attempts=5).ranges(0, 20)] == [(0, 20)]


def test_persistent_failure_is_the_node_failing():
    node = FakeNode(failures=100)
    with pytest.raises(NodeFailing, match="failed 4 times in a row"):
        list(fetcher(node, attempts=4).ranges(0, 20))


def test_a_node_refusing_even_one_block_is_a_mirror_error():
    node = FakeNode(limit=0)
    with pytest.raises(MirrorError, match="refuses even a one-block"):
        list(fetcher(node).ranges(0, 20))


def test_ranges_read_ahead_come_in_order_and_cover_every_block():
    node = FakeNode(limit=50)
    ranges = list(fetcher(node).ranges_ahead(0, 1000))
    covered = [n for r in ranges for n in range(r.start, r.end + 1)]
    assert covered == list(range(1001))
    assert sorted(node.ranges) == [(r.start, r.end) for r in ranges]  # each answer used once


class BrokenAbove(FakeNode):
    """Fails every eth_getLogs of a range that reaches block `broken`."""

    def __init__(self, broken: int):
        super().__init__(limit=10_000)
        self.broken = broken

    def make_request(self, method, params):
        if method == "eth_getLogs" and int(params[0]["toBlock"], 16) >= self.broken:
            return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32603, "message": "internal error"}}
        return super().make_request(method, params)


def test_a_failure_ahead_comes_after_the_ranges_before_it():
    got = []
    with pytest.raises(MirrorError, match="failed 4 times"):
        for r in fetcher(BrokenAbove(600), size=100).ranges_ahead(0, 1000):
            got.append((r.start, r.end))
    assert got[0][0] == 0 and got[-1][1] == 599
    assert all(a[1] + 1 == b[0] for a, b in zip(got, got[1:]))


def test_the_environments_proxy_settings_are_honoured(chain, monkeypatch):
    """Read once per session, but read: a proxy nobody listens on makes calls fail, unless
    NO_PROXY exempts the node."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    quick = Retry(attempts=2, first_delay=0)
    proxied = Rpc(Web3(HTTPProvider(chain.url)), quick)
    with pytest.raises(NodeFailing):
        proxied.call("eth_chainId", [])
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    direct = Rpc(Web3(HTTPProvider(chain.url)), quick)
    assert int(direct.call("eth_chainId", []), 16) == 31337
    assert int(direct.twin().call("eth_chainId", []), 16) == 31337
