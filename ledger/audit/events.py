"""The audit's own decoding of logs: each manifest event read with plain `eth_abi`, apart from
the mirror's generated decoders (`ledger.mirror.decode`, `plans`), so that a bug in those
cannot hide in both the mirror and its audit.

Values follow the mirror's documented conventions (`ledger.mirror.decode`, `RawEvent.args`):
ints as ints, bools as bools, addresses as lowercase 0x-hex, bytes as 0x-hex, strings as
str, arrays and tuples as lists; an indexed argument of dynamic type is only a hash on the
chain and stays its topic. Their canonical JSON: sorted keys, no spaces, UTF-8, integers of
types wider than 63 bits (uint64 and up, int72 and up) as decimal strings. Strings are read as
bytes and decoded with U+FFFD where they are not UTF-8, the arguments naming those under
`@notUtf8` (`ledger.chain.text`), as the mirror does: a description anyone can write must
not make a log undecodable, or a mirror that dropped its arguments would go unnoticed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from eth_abi import decode as abi_decode
from eth_abi.grammar import TupleType, parse

from ledger.chain import abi
from ledger.chain.manifest import Manifest
from ledger.chain.text import NOT_UTF8, decode_text


@dataclass(frozen=True, slots=True)
class ChainEvent:
    """One log as the chain has it, decoded by the audit. `event`/`args` are None for a log
    whose topic no manifest ABI knows, or whose data does not fit it."""

    block_number: int
    log_index: int
    block_hash: str
    tx_hash: str
    tx_index: int
    address: str
    topics: tuple[str, ...]
    data: str
    contract: str | None
    event: str | None
    args: dict[str, Any] | None
    json_args: dict[str, Any] | None  # the arguments as their canonical JSON holds them
    known: str | None = None  # the event a manifest ABI names for its topic, even when it did not decode

    @property
    def position(self) -> tuple[int, int]:
        return self.block_number, self.log_index


class _ReplacedText(str):
    """A string argument's text that had bytes other than UTF-8 (replaced by U+FFFD)."""


def _text(raw: bytes) -> str:
    text, replaced = decode_text(bytes(raw))
    return _ReplacedText(text) if replaced else text


def _replaced(value: Any) -> bool:
    if isinstance(value, list):
        return any(_replaced(v) for v in value)
    return isinstance(value, _ReplacedText)


def _plain(value: Any) -> Any:
    """The value with its replaced texts as plain `str` (the mark says which were replaced)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, _ReplacedText) else value


def _value(t) -> Callable[[Any], Any]:
    """eth_abi's value of type `t` → the mirror's convention (strings arrive as bytes)."""
    if isinstance(t, TupleType):
        parts = [_value(c) for c in t.components]
        return lambda v: [p(x) for p, x in zip(parts, v)]
    if t.arrlist:
        inner = _value(t.item_type)
        return lambda v: [inner(x) for x in v]
    if t.base == "address":
        return lambda v: v.lower()
    if t.base == "string":
        return _text
    if t.base == "bytes":
        return lambda v: "0x" + bytes(v).hex()
    return lambda v: v


def _json(t) -> Callable[[Any], Any]:
    """The mirror's value of type `t` → its JSON value."""
    if isinstance(t, TupleType):
        parts = [_json(c) for c in t.components]
        return lambda v: [p(x) for p, x in zip(parts, v)]
    if t.arrlist:
        inner = _json(t.item_type)
        return lambda v: [inner(x) for x in v]
    bits = int(t.sub or 256) if t.base in ("uint", "int") else 0
    if (t.base == "uint" and bits >= 64) or (t.base == "int" and bits > 64) or t.base in ("fixed", "ufixed"):
        return str
    return lambda v: v


def _hashed(t) -> bool:
    """An indexed argument of this type is only a keccak hash on the chain."""
    return isinstance(t, TupleType) or bool(t.arrlist) or (t.base in ("string", "bytes") and not t.sub)


@dataclass
class _Event:
    contract: str
    name: str
    indexed: list[tuple[str, str, bool]]        # (name, type, only a hash)
    data: list[tuple[str, str]]                 # (name, type)
    values: dict[str, Callable[[Any], Any]]
    json: dict[str, Callable[[Any], Any]]

    @classmethod
    def from_abi(cls, contract: str, item: dict) -> "_Event":
        indexed, data, values, json_ = [], [], {}, {}
        for position, arg in enumerate(item["inputs"]):
            name = arg.get("name") or f"arg{position}"
            type_ = abi.canonical_type(arg)
            t = parse(type_)
            if arg.get("indexed"):
                indexed.append((name, type_, _hashed(t)))
            else:
                data.append((name, abi.strings_as_bytes(type_)))
            hashed = bool(arg.get("indexed")) and _hashed(t)
            values[name] = (lambda v: v) if hashed else _value(t)
            json_[name] = (lambda v: v) if hashed else _json(t)
        return cls(contract, item["name"], indexed, data, values, json_)

    def decode(self, topics: tuple[str, ...], data: bytes) -> dict[str, Any]:
        if len(topics) != len(self.indexed) + 1:
            raise ValueError("topic count does not match the ABI")
        args: dict[str, Any] = {}
        for (name, type_, hashed), topic in zip(self.indexed, topics[1:]):
            if hashed:
                args[name] = topic
            else:
                args[name] = self.values[name](abi_decode([type_], bytes.fromhex(topic[2:]))[0])
        if self.data:
            decoded = abi_decode([t for _, t in self.data], data)
            for (name, _), value in zip(self.data, decoded):
                args[name] = self.values[name](value)
        replaced = [name for name, _ in self.data if _replaced(args[name])]
        if replaced:
            args.update({name: _plain(args[name]) for name in replaced}, **{NOT_UTF8: replaced})
        return args

    def to_json(self, args: dict[str, Any]) -> dict[str, Any]:
        return {name: self.json[name](value) if name != NOT_UTF8 else value for name, value in args.items()}


class EventReader:
    """Decodes the logs of a manifest's contracts, by (address, topic0)."""

    def __init__(self, manifest: Manifest):
        self.names: dict[str, str] = {}
        self.events: dict[tuple[str, str], _Event] = {}
        for contract, deployed in manifest.contracts.items():
            address = deployed.address.lower()
            self.names[address] = contract
            for item in abi.items(deployed.abi, "event"):
                if not item.get("anonymous"):
                    self.events[(address, "0x" + abi.topic(item).hex())] = _Event.from_abi(contract, item)

    def decode(self, log: dict) -> ChainEvent:
        address = log["address"].lower()
        topics = tuple(log["topics"])
        known = self.events.get((address, topics[0].lower())) if topics else None
        args = None
        if known is not None:
            try:
                args = known.decode(topics, bytes.fromhex(log["data"][2:]))
            except Exception:  # data that does not fit the ABI: the log stays undecoded
                args = None
        return ChainEvent(int(log["blockNumber"], 16), int(log["logIndex"], 16), log["blockHash"],
                          log["transactionHash"], int(log["transactionIndex"], 16), address, topics, log["data"],
                          self.names.get(address), known.name if args is not None else None, args,
                          known.to_json(args) if args is not None else None, known.name if known else None)


def canonical_json(value: dict[str, Any]) -> str:
    """The canonical JSON text of arguments' JSON values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
