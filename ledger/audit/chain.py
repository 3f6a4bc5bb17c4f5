"""The audit's reads of the chain: batched `eth_call`s of the manifest's views at one block,
transactions and block headers in batches, and logs over a range — all through
`ledger.chain.rpc.Rpc` (one retry policy) and `ledger.chain.logs.get_logs`.

Calls are made at the mirror's last block, so a chain that moved on since the last sync does
not look like a mismatch. Nothing here is read once per row: callers collect what they need
and ask for it in one batch.
"""

from __future__ import annotations

from typing import Iterable

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from web3 import Web3

from ledger.chain import abi
from ledger.chain.logs import get_logs
from ledger.chain.manifest import Manifest
from ledger.chain.rpc import Header, Rpc, raw_web3


class ChainReader:
    """The chain as the audit reads it, at one block (`block`)."""

    def __init__(self, w3: Web3, manifest: Manifest, block: int):
        self.w3 = w3
        self.rpc = Rpc(raw_web3(w3))
        self.manifest = manifest
        self.block = block
        self._functions: dict[tuple[str, str], tuple] = {}
        self._txs: dict[str, dict | None] = {}

    def _encode(self, contract: str, fn: str, args: list) -> tuple[dict, list[str]]:
        key = (contract, fn)
        if key not in self._functions:  # not web3's contract objects: they cost ~50 ms each here
            deployed = self.manifest.contracts[contract]
            item = next(i for i in abi.items(deployed.abi, "function") if i["name"] == fn)
            self._functions[key] = (deployed.address, abi.selector(item).hex(), abi.input_types(item),
                                    abi.output_types(item))
        address, selector, inputs, outputs = self._functions[key]
        return {"to": address, "data": "0x" + selector + abi_encode(inputs, args).hex()}, outputs

    def calls(self, requests: list[tuple[str, str, list]]) -> list[tuple | None]:
        """Each (contract, function, args) called at the block, in one batch; None for a call
        that reverted or answered what its ABI cannot decode."""
        encoded = [self._encode(*r) for r in requests]
        results = self.rpc.batch([("eth_call", [tx, hex(self.block)]) for tx, _ in encoded], tolerant=True)
        out: list[tuple | None] = []
        for (_, types), raw in zip(encoded, results):
            try:
                out.append(tuple(abi_decode(types, bytes.fromhex(raw[2:]))) if raw is not None else None)
            except Exception:
                out.append(None)
        return out

    def call(self, contract: str, fn: str, *args) -> tuple | None:
        return self.calls([(contract, fn, list(args))])[0]

    def erc20_balance(self, token: str, holder: str) -> int | None:
        """`balanceOf(holder)` of any ERC-20 (its ABI need not be in the manifest)."""
        data = "0x" + abi.BALANCE_OF.hex() + abi_encode(["address"], [holder]).hex()
        answer = self.rpc.batch([("eth_call", [{"to": token, "data": data}, hex(self.block)])], tolerant=True)[0]
        try:
            return int(answer, 16) if answer else None
        except ValueError:
            return None

    def transactions(self, hashes: Iterable[str]) -> dict[str, dict | None]:
        """Transactions by hash (None: not on the chain), fetched once each, in batches."""
        wanted = sorted({h for h in hashes if h not in self._txs})
        if wanted:
            found = self.rpc.batch([("eth_getTransactionByHash", [h]) for h in wanted], tolerant=True)
            self._txs.update(zip(wanted, found))
        return self._txs

    def headers(self, numbers: Iterable[int]) -> dict[int, Header | None]:
        """Block headers by number (None: no such block), in batches."""
        numbers = list(numbers)
        return self.rpc.headers(numbers) if numbers else {}

    def head(self) -> int:
        """The chain's latest block number."""
        return int(self.rpc.call("eth_blockNumber", []), 16)

    def logs(self, first: int, last: int) -> list[dict]:
        """Every log of the manifest's contracts in first..last, in chain order."""
        addresses = sorted(c.address.lower() for c in self.manifest.contracts.values())
        return get_logs(self.rpc, addresses, first, last)
