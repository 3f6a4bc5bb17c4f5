"""Transactions: a local key that signs, sends and waits for them.

Transactions are signed locally and sent raw; receipts are checked, and a revert is reported
with its decoded custom error (looked up in the ABIs the caller knows).

What is signed does not take the node's word where a lie would cost the signer: the chain id
is the deployment manifest's (a node that says "chain 1" halfway through cannot get a
transaction replayable there); fees are EIP-1559 caps no higher than `max_fee` (default
`DEFAULT_MAX_FEE_GWEI`, or WAICO_MAX_FEE_GWEI), and a base fee above it is refused rather than
paid; a gas estimate above the per-transaction cap (EIP-7825, 2**24) is refused. The node still
chooses the nonce: a wrong one makes a transaction wait or fail, it cannot spend more.
"""

from __future__ import annotations

from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError

from ledger.errors import ChainUnavailable, LedgerError, TransactionReverted

from .node import MethodMissing, request
from .reverts import ErrorDecoder, revert_data

GWEI = 10**9
# The most a transaction may bid per gas unless the user says otherwise: mainnet's busiest
# hours stay below it, and at the per-transaction gas cap it bounds one transaction's fee to
# 1.7 ETH (a ballot batch of 200,000 gas: 0.02 ETH).
DEFAULT_MAX_FEE_GWEI = 100
# EIP-7825: no transaction may ask for more gas than this
MAX_TX_GAS = 2**24


class Signer:
    """A local private key that signs and sends raw transactions, keeping its own nonce."""

    def __init__(self, w3: Web3, private_key: str | bytes, decoder: ErrorDecoder | None = None,
                 chain_id: int | None = None, max_fee: int = DEFAULT_MAX_FEE_GWEI * GWEI):
        """`chain_id`: the deployment's (asked of the node once when there is none yet, to
        deploy); `max_fee`: the most to bid per gas, in wei."""
        self.w3 = w3
        self.account = Account.from_key(private_key)
        self.address = self.account.address
        self.decoder = decoder or ErrorDecoder()
        self.chain_id = chain_id if chain_id is not None else w3.eth.chain_id
        self.max_fee = max_fee
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

    def estimate(self, call, what: str, value: int = 0) -> int:
        """The node's gas estimate for a call (or a raw dict with `to`/`data`); a revert raises
        with its decoded error, and an estimate above the per-transaction cap is refused."""
        tx = dict(call) if isinstance(call, dict) else {"to": call.address, "data": call._encode_transaction_data()}
        tx.update({"from": self.address, "value": value})
        try:
            estimate = self.w3.eth.estimate_gas(tx)
        except ContractLogicError as exc:
            raise self._fail(what, exc) from None
        except Web3RPCError as exc:
            raise self._rpc_refused(what, exc) from None
        except ValueError as exc:  # some nodes raise a plain RPC error with the data
            raise self._fail(what, exc) from None
        if not 0 < estimate <= MAX_TX_GAS:
            raise LedgerError(f"{what}: the node estimates {estimate:,} gas, beyond the per-transaction cap of "
                              f"{MAX_TX_GAS:,}: not sending it (a node that lies about gas, or a call that cannot fit)")
        return estimate

    def fees(self, what: str) -> dict:
        """The fee fields of a transaction: EIP-1559 caps within `max_fee`, or a legacy gas price
        on a chain without a base fee. A base fee (or gas price) above `max_fee` is refused."""
        base = self.w3.eth.get_block("latest").get("baseFeePerGas")
        if base is None:
            price = self.w3.eth.gas_price
            self._within_max(what, "gas price", price)
            return {"gasPrice": price}
        self._within_max(what, "base fee", base)
        try:
            tip = int(request(self.w3, "eth_maxPriorityFeePerGas", []), 16)
        except MethodMissing:
            tip = max(0, self.w3.eth.gas_price - base)
        except (TypeError, ValueError):
            raise ChainUnavailable(f"{what}: the node's answer to eth_maxPriorityFeePerGas is not a number") from None
        tip = min(tip, self.max_fee - base)  # what the node asks for, within the cap
        return {"maxFeePerGas": min(2 * base + tip, self.max_fee), "maxPriorityFeePerGas": tip}

    def _within_max(self, what: str, name: str, wei: int) -> None:
        if wei > self.max_fee:
            raise LedgerError(f"{what}: the node's {name} is {wei / GWEI:,.9g} gwei, above the most this key bids "
                              f"({self.max_fee / GWEI:,.9g} gwei; set WAICO_MAX_FEE_GWEI to bid more): nothing sent")

    def build(self, call, what: str, gas: int | None = None, value: int = 0) -> dict:
        """Build a transaction for a contract call (or a raw dict with `to`/`data`), gas estimated
        (with headroom, within the per-transaction cap), fees within `max_fee`."""
        tx = dict(call) if isinstance(call, dict) else {"to": call.address, "data": call._encode_transaction_data()}
        if gas is None:
            gas = int(self.estimate(tx, what, value) * 1.2) + 20_000
        tx.update({"value": value, "chainId": self.chain_id, "gas": min(gas, MAX_TX_GAS), **self.fees(what),
                   "nonce": self._next_nonce()})
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
