"""The development helpers: each node's own way of mining, a loud error where there is none,
and no error answer ever ignored."""

import pytest
from web3 import Web3
from web3.providers.base import BaseProvider

from ledger.chain.node import increase_time, mine
from ledger.errors import ChainUnavailable, ConfigError


class Node(BaseProvider):
    """A node that has only the methods in `methods`; it answers every other with 'not found',
    and `failing` ones with another error."""

    def __init__(self, methods: set[str], failing: set[str] = frozenset()):
        super().__init__()
        self.methods, self.failing, self.calls = methods, failing, []

    def make_request(self, method, params):
        self.calls.append((method, params))
        if method in self.failing:
            return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "the clock is frozen"}}
        if method not in self.methods:
            return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": f"the method {method} does not exist"}}
        return {"jsonrpc": "2.0", "id": 1, "result": None}


@pytest.mark.parametrize("methods, expected", [
    ({"anvil_mine", "hardhat_mine", "evm_mine"}, [("anvil_mine", ["0x3"])]),
    ({"hardhat_mine", "evm_mine"}, [("hardhat_mine", ["0x3"])]),
    ({"evm_mine"}, [("evm_mine", [])] * 3),
])
def test_mining_uses_what_the_node_has(methods, expected):
    node = Node(methods)
    w3 = Web3(node, middleware=[])
    mine(w3, 3)
    assert [c for c in node.calls if c[0] in methods] == expected
    node.calls.clear()
    mine(w3, 3)  # found once per connection: no more probing
    assert node.calls == expected


def test_a_node_that_cannot_mine_says_so():
    with pytest.raises(ConfigError, match="cannot mine on request"):
        mine(Web3(Node({"eth_chainId"}), middleware=[]), 2)


def test_an_error_answer_to_a_development_method_is_raised():
    w3 = Web3(Node({"anvil_mine", "evm_increaseTime"}, failing={"evm_increaseTime"}), middleware=[])
    with pytest.raises(ChainUnavailable, match="refused evm_increaseTime: the clock is frozen"):
        increase_time(w3, 60)


def test_a_node_without_a_clock_method_says_so():
    with pytest.raises(ConfigError, match="cannot move its clock"):
        increase_time(Web3(Node({"anvil_mine"}), middleware=[]), 60)
