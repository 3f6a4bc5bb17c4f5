"""get_logs: every log of a block range from any node, whatever range it accepts."""

import pytest
from web3 import Web3

from ledger.chain.logs import Span, get_logs
from ledger.chain.rpc import Retry, Rpc
from ledger.errors import NodeFailing
from tests.ledger.fakenode import FakeNode

ADDRESS = "0x" + "11" * 20


def rpc(node: FakeNode) -> Rpc:
    return Rpc(Web3(node, middleware=[]), Retry(attempts=3, first_delay=0), sleep=lambda s: None)


def test_a_node_that_caps_ranges_still_gives_every_log_once_in_chain_order():
    blocks = frozenset(range(0, 1001, 7))
    node = FakeNode(limit=40, with_logs=blocks)
    logs = get_logs(rpc(node), [ADDRESS], 0, 1000, Span(size=10_000))
    assert [int(g["blockNumber"], 16) for g in logs] == sorted(blocks)
    assert all(end - start + 1 <= 40 for start, end in node.ranges)


def test_a_small_answer_lets_the_next_range_grow():
    node = FakeNode(limit=10_000)
    get_logs(rpc(node), [ADDRESS], 0, 1000, Span(size=2, target_logs=100))
    sizes = [end - start + 1 for start, end in node.ranges]
    assert sizes[:3] == [2, 4, 8]


def test_a_node_refusing_even_one_block_is_the_node_failing():
    with pytest.raises(NodeFailing, match="refuses even a one-block"):
        get_logs(rpc(FakeNode(limit=0)), [ADDRESS], 0, 10)


def test_an_error_answer_is_never_taken_for_no_logs():
    with pytest.raises(NodeFailing, match="internal error"):
        get_logs(rpc(FakeNode(failures=100)), [ADDRESS], 0, 10)
