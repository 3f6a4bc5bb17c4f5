"""The connection to a node, and a development chain's helpers (mining, moving the clock).

Everything else in `ledger` uses standard JSON-RPC only, so it works on any EVM node. The
development helpers need a node's non-standard methods; they find out which the node has —
anvil's `anvil_mine`, Hardhat Network's `hardhat_mine`, or `evm_mine` one block at a time
(Ganache and most others) — and say so plainly when it has none. An error answer from the
node is never ignored.

The node is not trusted with more than it must be: its answers are read within a size bound
(`ledger.chain.http`), strings in its answers are decoded with U+FFFD where they are not UTF-8
(a contract's strings are anyone's bytes), and its URL is never printed with its API key.
"""

from __future__ import annotations

import weakref
from typing import Any

import requests
from eth_abi import decoding, encoding
from eth_abi.codec import ABICodec
from eth_abi.registry import BaseEquals
from web3 import HTTPProvider, Web3
from web3._utils.abi import build_strict_registry
from web3._utils.http_session_manager import HTTPSessionManager

from ledger.errors import ChainUnavailable, ConfigError

from .http import IDENTITY, check_rpc_url, read_answer, shown_url

# JSON-RPC codes with which nodes say "no such method": -32601 (the standard), -32004 (Hardhat)
_NOT_SUPPORTED = {-32601, -32004}
# which way of mining each connection's node has, once found: "anvil_mine", "hardhat_mine" or "evm_mine"
_mining: "weakref.WeakKeyDictionary[Web3, str]" = weakref.WeakKeyDictionary()


class _BoundedSessions(HTTPSessionManager):
    """web3's HTTP sessions, asking for the identity encoding and reading answers within bounds."""

    def make_post_request(self, endpoint_uri, data, **kwargs) -> bytes:
        kwargs = {**kwargs, "stream": True, "headers": {**kwargs.get("headers", {}), **IDENTITY}}
        kwargs.setdefault("timeout", 30.0)
        with self.get_response_from_post_request(endpoint_uri, data=data, **kwargs) as response:
            response.raise_for_status()
            return read_answer(response)


class BoundedHTTPProvider(HTTPProvider):
    """web3's HTTP provider whose answers are read within bounds (`ledger.chain.http`)."""

    def __init__(self, endpoint_uri: str, **kwargs):
        super().__init__(endpoint_uri, **kwargs)
        self._request_session_manager = _BoundedSessions(explicit_session=kwargs.get("session"))

    def __str__(self) -> str:
        return f"RPC connection {shown_url(self.endpoint_uri)}"


class _TolerantStringDecoder(decoding.StringDecoder):
    """A string in an answer: U+FFFD where its bytes are not UTF-8, never an exception."""

    def __init__(self):
        super().__init__(handle_string_errors="replace")


def _tolerant_codec() -> ABICodec:
    registry = build_strict_registry()
    registry.unregister("string")
    registry.register(BaseEquals("string"), encoding.TextStringEncoder, _TolerantStringDecoder, label="string")
    return ABICodec(registry)


def connect(url: str, timeout: float = 30.0) -> Web3:
    """A Web3 on `url` with no middleware (the hot paths do their own decoding), answers read
    within bounds, and strings decoded tolerantly. A URL that is not http(s) is a ConfigError."""
    try:
        check_rpc_url(url)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    w3 = Web3(BoundedHTTPProvider(url, request_kwargs={"timeout": timeout}), middleware=[])
    w3.codec = _tolerant_codec()
    try:
        w3.eth.chain_id
    except (requests.exceptions.RequestException, OSError, ValueError) as exc:
        raise ChainUnavailable(f"cannot reach the RPC endpoint {shown_url(url)}: {type(exc).__name__}") from None
    return w3


class MethodMissing(Exception):
    """The node does not have this JSON-RPC method."""


def request(w3: Web3, method: str, params: list) -> Any:
    """One JSON-RPC request whose error answer raises: `MethodMissing` when the node lacks the
    method, `ChainUnavailable` with the node's message for any other error."""
    answer = w3.provider.make_request(method, params)
    error = answer.get("error") if isinstance(answer, dict) else None
    if error is not None:
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message", error) if isinstance(error, dict) else error
        if code in _NOT_SUPPORTED or "not supported" in str(message).lower() or "not found" in str(message).lower():
            raise MethodMissing(method)
        raise ChainUnavailable(f"the node refused {method}: {message}")
    if not isinstance(answer, dict) or "result" not in answer:
        raise ChainUnavailable(f"the node gave no answer to {method}")
    return answer["result"]


def mine(w3: Web3, blocks: int = 1) -> None:
    """Mine `blocks` blocks on a development chain (anvil, Hardhat Network, or any node with
    `evm_mine`)."""
    if blocks < 1:
        return
    known = _mining.get(w3)
    for method in [known] if known else ["anvil_mine", "hardhat_mine", "evm_mine"]:
        try:
            if method == "evm_mine":
                for _ in range(blocks):
                    request(w3, "evm_mine", [])
            else:
                request(w3, method, [hex(blocks)])
        except MethodMissing:
            continue
        _mining[w3] = method
        return
    raise ConfigError("this node cannot mine on request (it has none of anvil_mine, hardhat_mine, evm_mine): "
                      "mining and moving the clock are for local development chains only")


def increase_time(w3: Web3, seconds: int) -> None:
    """Move a development chain's clock forward by `seconds` (and mine a block with the new time)."""
    try:
        request(w3, "evm_increaseTime", [hex(seconds)])
    except MethodMissing:
        raise ConfigError("this node cannot move its clock (no evm_increaseTime): "
                          "that is for local development chains only") from None
    mine(w3)
