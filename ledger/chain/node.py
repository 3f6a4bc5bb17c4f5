"""The connection to a node, and the development chain's helpers (mining, moving the clock)."""

from __future__ import annotations

import requests
from web3 import HTTPProvider, Web3

from ledger.errors import ChainUnavailable


def connect(url: str, timeout: float = 30.0) -> Web3:
    """A Web3 on `url` with no middleware (the hot paths do their own decoding)."""
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}), middleware=[])
    try:
        w3.eth.chain_id
    except (requests.exceptions.RequestException, OSError, ValueError) as exc:
        raise ChainUnavailable(f"cannot reach the RPC endpoint {url}: {type(exc).__name__}") from None
    return w3


def mine(w3: Web3, blocks: int = 1) -> None:
    """Mine blocks on a development chain (anvil's `anvil_mine`)."""
    w3.provider.make_request("anvil_mine", [hex(blocks)])


def increase_time(w3: Web3, seconds: int) -> None:
    """Move a development chain's clock forward (and mine a block)."""
    w3.provider.make_request("evm_increaseTime", [hex(seconds)])
    mine(w3)
