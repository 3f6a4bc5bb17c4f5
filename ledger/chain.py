"""Chain access: a connection, and a local signer that sends raw transactions.

Transactions are signed locally and sent raw; receipts are checked, and a revert is reported
with its decoded custom error (looked up in the ABIs the caller knows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import requests
from eth_abi import decode as abi_decode
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError

from .errors import ChainUnavailable, LedgerError, TransactionReverted


def connect(url: str, timeout: float = 30.0) -> Web3:
    """A Web3 on `url` with no middleware (the hot paths do their own decoding)."""
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}), middleware=[])
    try:
        w3.eth.chain_id
    except (requests.exceptions.RequestException, OSError, ValueError) as exc:
        raise ChainUnavailable(f"cannot reach the RPC endpoint {url}: {type(exc).__name__}") from None
    return w3


def _canonical(abi_input: dict) -> str:
    if abi_input["type"].startswith("tuple"):
        inner = ",".join(_canonical(c) for c in abi_input["components"])
        return f"({inner}){abi_input['type'][5:]}"
    return abi_input["type"]


@dataclass
class ErrorDecoder:
    """Decodes revert data into `ErrorName(arg, ...)` from the custom errors of known ABIs."""

    errors: dict[bytes, tuple[str, list[str]]] = field(default_factory=dict)

    @classmethod
    def from_abis(cls, abis: Iterable[list]) -> "ErrorDecoder":
        decoder = cls()
        for abi in abis:
            decoder.add(abi)
        return decoder

    def add(self, abi: list) -> None:
        for item in abi:
            if item.get("type") == "error":
                types = [_canonical(i) for i in item["inputs"]]
                selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
                self.errors[selector] = (item["name"], types)

    def decode(self, data: str | bytes | None) -> str | None:
        if not data:
            return None
        raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else data
        if len(raw) < 4:
            return None
        selector, body = raw[:4], raw[4:]
        if selector == keccak(text="Error(string)")[:4]:
            return abi_decode(["string"], body)[0]
        if selector == keccak(text="Panic(uint256)")[:4]:
            return f"Panic(0x{abi_decode(['uint256'], body)[0]:02x})"
        known = self.errors.get(selector)
        if not known:
            return f"unknown error 0x{raw.hex()[:8]}"
        name, types = known
        try:
            args = abi_decode(types, body)
        except Exception:
            return name
        return f"{name}({', '.join(_show(a) for a in args)})"


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return repr(value) if isinstance(value, str) else str(value)


def revert_data(exc: Exception) -> str | None:
    """The revert data carried by a web3 exception, if any."""
    data = getattr(exc, "data", None)
    if isinstance(data, str) and data.startswith("0x"):
        return data
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, dict):
            inner = arg.get("data")
            if isinstance(inner, str) and inner.startswith("0x"):
                return inner
        if isinstance(arg, str) and arg.startswith("0x") and len(arg) >= 10:
            return arg
    return None


class Signer:
    """A local private key that signs and sends raw transactions, keeping its own nonce."""

    def __init__(self, w3: Web3, private_key: str | bytes, decoder: ErrorDecoder | None = None):
        self.w3 = w3
        self.account = Account.from_key(private_key)
        self.address = self.account.address
        self.decoder = decoder or ErrorDecoder()
        self.chain_id = w3.eth.chain_id
        self._nonce: int | None = None

    def resync(self) -> None:
        """Forget the cached nonce (after a chain revert, or a transaction sent elsewhere)."""
        self._nonce = None

    def _next_nonce(self) -> int:
        if self._nonce is None:
            self._nonce = self.w3.eth.get_transaction_count(self.address, "pending")
        nonce = self._nonce
        self._nonce += 1
        return nonce

    def _fail(self, what: str, exc: Exception, tx_hash: str | None = None) -> TransactionReverted:
        data = revert_data(exc)
        error = self.decoder.decode(data) if data else (str(exc) or None)
        return TransactionReverted(what, error, tx_hash)

    def _rpc_refused(self, what: str, exc: Web3RPCError) -> LedgerError:
        message = getattr(exc, "rpc_response", None) or {}
        text = (message.get("error") or {}).get("message") if isinstance(message, dict) else None
        text = text or str(exc)
        if "insufficient funds" in text.lower():
            return LedgerError(f"{what}: {self.address} has too little ETH to pay for gas")
        if revert_data(exc):
            return self._fail(what, exc)
        return LedgerError(f"{what}: the node refused the transaction: {text}")

    def pay(self, to: str, wei: int, what: str = "sending ETH"):
        """Send plain ETH (e.g. gas money for a member's key)."""
        return self.send({"to": to, "data": b""}, what, gas=21_000, value=wei)

    def build(self, call, what: str, gas: int | None = None, value: int = 0) -> dict:
        """Build a transaction for a contract call (or a raw dict with `to`/`data`), gas estimated."""
        tx = dict(call) if isinstance(call, dict) else {"to": call.address, "data": call._encode_transaction_data()}
        tx.update({"from": self.address, "value": value, "chainId": self.chain_id})
        if gas is None:
            try:
                gas = int(self.w3.eth.estimate_gas(tx) * 1.2) + 20_000
            except ContractLogicError as exc:
                raise self._fail(what, exc) from None
            except Web3RPCError as exc:
                raise self._rpc_refused(what, exc) from None
            except ValueError as exc:  # some nodes raise a plain RPC error with the data
                raise self._fail(what, exc) from None
        tx.update({"gas": gas, "gasPrice": self.w3.eth.gas_price, "nonce": self._next_nonce()})
        tx.pop("from")
        return tx

    def send(self, call, what: str, gas: int | None = None, value: int = 0, wait: bool = True):
        """Sign and send; return the receipt (or the hash when wait=False). Reverts raise."""
        tx = self.build(call, what, gas, value)
        signed = self.account.sign_transaction(tx)
        try:
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Web3RPCError as exc:
            self.resync()
            raise self._rpc_refused(what, exc) from None
        except (ContractLogicError, ValueError) as exc:
            self.resync()
            raise self._fail(what, exc) from None
        if not wait:
            return tx_hash
        return self.wait(tx_hash, what, tx)

    def wait(self, tx_hash, what: str, tx: dict | None = None, timeout: float = 120.0):
        try:
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=0.05)
        except TimeExhausted:
            raise ChainUnavailable(f"{what}: no receipt for {tx_hash.hex()} after {timeout:.0f}s") from None
        if receipt["status"] != 1:
            raise self._replay_failure(what, tx, receipt)
        return receipt

    def _replay_failure(self, what: str, tx: dict | None, receipt) -> TransactionReverted:
        tx_hash = "0x" + bytes(receipt["transactionHash"]).hex()
        if tx is None:
            return TransactionReverted(what, None, tx_hash)
        call = {k: tx[k] for k in ("to", "data", "value") if k in tx}
        call["from"] = self.address
        try:
            self.w3.eth.call(call, receipt["blockNumber"] - 1)
        except (ContractLogicError, ValueError) as exc:
            return self._fail(what, exc, tx_hash)
        return TransactionReverted(what, "out of gas or reverted without data", tx_hash)

    def deploy(self, abi: list, bytecode: str, *args, what: str | None = None):
        """Deploy a contract; return (address, receipt)."""
        self.decoder.add(abi)
        factory = self.w3.eth.contract(abi=abi, bytecode=bytecode)
        data = factory.constructor(*args).data_in_transaction
        receipt = self.send({"data": data}, what or "deployment")
        return receipt["contractAddress"], receipt


def mine(w3: Web3, blocks: int = 1) -> None:
    """Mine blocks on a development chain (anvil's `anvil_mine`)."""
    w3.provider.make_request("anvil_mine", [hex(blocks)])


def increase_time(w3: Web3, seconds: int) -> None:
    """Move a development chain's clock forward (and mine a block)."""
    w3.provider.make_request("evm_increaseTime", [hex(seconds)])
    mine(w3)


