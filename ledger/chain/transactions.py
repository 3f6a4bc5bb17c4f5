"""Transactions: a local key that signs, sends and waits for them.

Transactions are signed locally and sent raw; receipts are checked, and a revert is reported
with its decoded custom error (looked up in the ABIs the caller knows).
"""

from __future__ import annotations

from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError

from ledger.errors import ChainUnavailable, LedgerError, TransactionReverted

from .reverts import ErrorDecoder, revert_data


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
