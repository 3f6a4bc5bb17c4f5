"""Decode: raw logs (JSON-RPC dicts) into `Event`s with Python values.

One decoder per (contract address, topic0), built once from the manifest's ABIs. Values:
ints as ints, bools as bools, addresses as lowercase hex, bytes as 0x-hex, strings as
str, arrays and tuples as lists. Indexed arguments of dynamic type (string, bytes, arrays,
tuples) are only a hash on the chain; they are kept as that 0x-hex topic.

Strings are anyone's bytes (a proposal's description, a ballot's reason): what is not UTF-8
is decoded with U+FFFD replacement characters (`ledger.chain.text.decode_text`), never
dropped, and the arguments say so: `"@notUtf8": ["description"]` lists those whose text was
replaced (no Solidity name can start with `@`). The log's data keeps the exact bytes.

The common ABI shapes (static elementary types, string, bytes, fixed arrays of static
elementary types) are read by hand, with a reader per argument built once per event, a few
times faster than eth-abi; anything else, or data a hand reader rejects, goes through eth-abi.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any, Callable, Iterable

from eth_abi import decode as abi_decode
from eth_abi.grammar import BasicType, TupleType, parse

from ledger.chain import abi
from ledger.chain.abi import canonical_type, strings_as_bytes
from ledger.chain.text import NOT_UTF8, decode_text


@dataclass(slots=True)
class Event:
    """One log, decoded. `event`/`args` are None when no ABI knows its topic0."""

    chain_id: int
    block_number: int
    block_hash: str
    tx_hash: str
    tx_index: int
    log_index: int
    address: str
    contract: str | None
    event: str | None
    topics: list[str]
    data: str
    args: dict[str, Any] | None
    args_json: str | None


# --- type handling -----------------------------------------------------------------------

class _Replaced(str):
    """Text decoded with replacement characters (its bytes were not UTF-8)."""


def _text(raw: bytes) -> str:
    text, replaced = decode_text(raw)
    return _Replaced(text) if replaced else text


def _was_replaced(value: Any) -> bool:
    if isinstance(value, list):
        return any(_was_replaced(v) for v in value)
    return isinstance(value, _Replaced)


def _is_wide_int(t: BasicType) -> bool:
    """Integers that do not fit SQLite's (and JSON readers') 64-bit signed range."""
    bits = t.sub or 256
    return (t.base == "uint" and bits >= 64) or (t.base == "int" and bits > 64)


def _python(t) -> Callable[[Any], Any] | None:
    """Converter from eth-abi's value to ours (None: identity)."""
    if isinstance(t, TupleType) or t.arrlist:
        if t.arrlist:
            inner = _python(t.item_type)
            return (lambda v: [inner(x) for x in v]) if inner else list
        parts = [_python(c) for c in t.components]
        return lambda v: [p(x) if p else x for p, x in zip(parts, v)]
    if t.base == "bytes":
        return lambda v: "0x" + v.hex()
    if t.base == "string":  # eth-abi reads it as bytes (strings_as_bytes)
        return _text
    return None


def _json(t) -> Callable[[Any], Any] | None:
    """Converter from our Python value to its JSON value (None: identity)."""
    if isinstance(t, TupleType) or t.arrlist:
        inner = _json(t.item_type) if t.arrlist else None
        if t.arrlist:
            return (lambda v: [inner(x) for x in v]) if inner else None
        parts = [_json(c) for c in t.components]
        if not any(parts):
            return None
        return lambda v: [p(x) if p else x for p, x in zip(parts, v)]
    if t.base in ("uint", "int") and _is_wide_int(t) or t.base in ("fixed", "ufixed"):
        return str
    return None


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode


def _json_text(t, conv: Callable | None) -> Callable[[Any], str]:
    """Encoder of one argument's Python value straight to its canonical JSON text (the same
    text json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) gives, built
    without the generic encoder: it was the dearest step of decoding)."""
    if isinstance(t, TupleType) or t.arrlist or t.base in ("fixed", "ufixed"):
        return (lambda v: _COMPACT(conv(v))) if conv else _COMPACT
    if t.base in ("uint", "int"):
        return (lambda v: '"%d"' % v) if conv else int.__repr__
    if t.base == "bool":
        return lambda v: "true" if v else "false"
    if t.base == "string":
        return encode_basestring
    return lambda v: '"' + v + '"'  # addresses and bytes: 0x-hex needs no escaping


def _topic(t) -> Callable[[str], Any]:
    """Decoder of an indexed argument from its topic (0x + 64 hex digits)."""
    if isinstance(t, TupleType) or t.arrlist or t.base in ("string", "bytes") and not t.sub:
        return lambda topic: topic  # a keccak hash of the value
    if t.base == "uint":
        return lambda topic: int(topic, 16)
    if t.base == "int":
        def signed(topic: str) -> int:
            value = int(topic, 16)
            return value - (1 << 256) if value >> 255 else value

        return signed
    if t.base == "address":
        return lambda topic: "0x" + topic[26:].lower()
    if t.base == "bool":
        return lambda topic: int(topic, 16) != 0
    if t.base == "bytes":
        size = int(t.sub)
        return lambda topic: topic[: 2 + 2 * size].lower()
    return lambda topic: topic


# Hand readers of one head word (bytes of length 32); None when the type needs eth-abi.
def _word(t) -> Callable[[bytes], Any] | None:
    if isinstance(t, TupleType) or t.arrlist:
        return None
    if t.base == "uint":
        return lambda w: int.from_bytes(w, "big")
    if t.base == "int":
        return lambda w: int.from_bytes(w, "big", signed=True)
    if t.base == "address":
        return lambda w: "0x" + w[12:].hex()
    if t.base == "bool":
        return lambda w: w[31] != 0
    if t.base == "bytes" and t.sub:
        size = int(t.sub)
        return lambda w: "0x" + w[:size].hex()
    return None


def _head_words(t) -> int | None:
    """Head words of a data argument read by hand (static elementary types, string, bytes,
    fixed arrays of static elementary types); None when eth-abi must decode it."""
    if isinstance(t, BasicType) and not t.arrlist:
        return 1 if _word(t) is not None or t.base in ("string", "bytes") else None
    if isinstance(t, BasicType) and len(t.arrlist or ()) == 1 and t.arrlist[0] and _word(t.item_type):
        return t.arrlist[0][0]
    return None


def _reader(t, at: int) -> Callable[[bytes], Any]:
    """Reader of the data argument of type `t` whose head word starts at byte `at` (a shape
    `_head_words` accepts). It may raise ValueError, UnicodeDecodeError or IndexError on data
    that does not fit the ABI; the caller has checked that the head words are all there."""
    end = at + 32
    if t.arrlist:  # a fixed array of static elementary types: each head word by hand
        word, stop = _word(t.item_type), at + 32 * t.arrlist[0][0]
        return lambda data: [word(data[o:o + 32]) for o in range(at, stop, 32)]
    if t.base == "uint":
        return lambda data: int.from_bytes(data[at:end], "big")
    if t.base == "int":
        return lambda data: int.from_bytes(data[at:end], "big", signed=True)
    if t.base == "address":
        return lambda data: "0x" + data[at + 12:end].hex()
    if t.base == "bool":
        return lambda data: data[end - 1] != 0
    if t.base == "bytes" and t.sub:
        size = int(t.sub)
        return lambda data: "0x" + data[at:at + size].hex()

    def dynamic(data: bytes) -> bytes:  # string or bytes: an offset word, a length word, the bytes
        offset = int.from_bytes(data[at:end], "big")
        if offset + 32 > len(data):
            raise ValueError("no length word")
        size = int.from_bytes(data[offset:offset + 32], "big")
        value = data[offset + 32:offset + 32 + size]
        if len(value) != size:
            raise ValueError("short dynamic value")
        return value

    if t.base != "string":
        return lambda data: "0x" + dynamic(data).hex()

    def text(data: bytes) -> str:
        value = dynamic(data)
        try:  # decode_text's rule, inlined: this runs for every vote's reason
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return _text(value)

    return text


@dataclass
class EventDecoder:
    """Decodes the logs of one event of one contract. Built once per event from its ABI:
    a reader per argument (hand readers for the common shapes; eth-abi for the others) and
    a JSON encoder per argument."""

    contract: str
    name: str
    indexed: list[tuple[str, Callable[[str], Any]]]
    data_names: list[str]
    data_types: list[str]
    data_python: list[Callable | None]
    readers: list[Callable[[bytes], Any]] | None  # per data argument; None: eth-abi decodes the data
    json_text: list[tuple[str, str, Callable[[Any], str]]]  # (name, '"name":', encoder), sorted by name
    types: dict[str, tuple[Any, bool]] = field(default_factory=dict)  # name -> (parsed type, indexed)
    head: int = 0  # bytes of data the hand-read arguments' head words take
    texts: list[int] = field(default_factory=list)  # places in `values` of data arguments holding strings

    @classmethod
    def from_abi(cls, contract: str, item: dict) -> "EventDecoder":
        indexed, names, types, python, readers, text, parsed, texts = [], [], [], [], [], {}, {}, []
        offset = 0
        for position, arg in enumerate(item["inputs"]):
            name = arg.get("name") or f"arg{position}"
            type_str = canonical_type(arg)
            t = parse(type_str)
            parsed[name] = (t, bool(arg.get("indexed")))
            if arg.get("indexed"):
                indexed.append((name, _topic(t)))
                dynamic_indexed = isinstance(t, TupleType) or t.arrlist or (t.base in ("string", "bytes") and not t.sub)
                conv = None if dynamic_indexed else _json(t)
            else:
                dynamic_indexed = False
                names.append(name)
                types.append(strings_as_bytes(type_str))
                if types[-1] != type_str:
                    texts.append(len(names) - 1)
                python.append(_python(t))
                words = _head_words(t)
                if readers is not None:
                    readers = None if words is None else readers + [_reader(t, offset)]
                    offset += 32 * (words or 0)
                conv = _json(t)
            if arg.get("indexed") and dynamic_indexed:
                text[name] = lambda v: '"' + v + '"'  # the topic hash
            else:
                text[name] = _json_text(t, conv)
        json_text = [(n, encode_basestring(n) + ":", text[n]) for n in sorted(text)]
        return cls(contract, item["name"], indexed, names, types, python, readers, json_text, parsed, offset,
                   [len(indexed) + i for i in texts])

    def __post_init__(self) -> None:
        # the arguments in the order of `values`: the indexed ones, then the data's
        self.names = [n for n, _ in self.indexed] + self.data_names
        # the JSON's fields, sorted by name, each with its value's place in `values`
        self._json_fields = [(self.names.index(name), key, encode) for name, key, encode in self.json_text]

    def values(self, topics: list[str], data: bytes) -> list[Any]:
        """The arguments' values, in the order of `names`. Raises ValueError (or another
        exception) for a log that does not fit the ABI."""
        if len(topics) != len(self.indexed) + 1:
            raise ValueError("topic count does not match the ABI")
        out = [decode(topic) for (_, decode), topic in zip(self.indexed, topics[1:])]
        if self.readers is not None and len(data) >= self.head:
            try:
                out += [read(data) for read in self.readers]
                return out
            except (ValueError, UnicodeDecodeError, IndexError):
                del out[len(self.indexed):]  # eth-abi decides (and raises if the data does not fit)
        if self.data_names:
            out += [p(v) if p else v for p, v in zip(self.data_python, abi_decode(self.data_types, data))]
        return out

    def _replaced(self, values: list[Any]) -> list[str] | None:
        """The names of the arguments whose text was not UTF-8 (checked only where strings are)."""
        for i in self.texts:
            value = values[i]
            if value.__class__ is _Replaced or value.__class__ is list and _was_replaced(value):
                return [self.names[j] for j in self.texts if _was_replaced(values[j])]
        return None

    def args(self, topics: list[str], data: bytes) -> dict[str, Any]:
        values = self.values(topics, data)
        args = dict(zip(self.names, values))
        if replaced := self._replaced(values):
            args[NOT_UTF8] = replaced
        return args

    def args_and_json(self, topics: list[str], data: bytes) -> tuple[dict[str, Any], str]:
        """The arguments and their canonical JSON."""
        values = self.values(topics, data)
        fields = [key + encode(values[i]) for i, key, encode in self._json_fields]
        args = dict(zip(self.names, values))
        if replaced := self._replaced(values):
            args[NOT_UTF8] = replaced
            fields = self._with_mark(fields, replaced)
        return args, "{" + ",".join(fields) + "}"

    def _with_mark(self, fields: list[str], replaced: list[str]) -> list[str]:
        """The JSON fields (in name order) with the mark put in its sorted place."""
        names = [name for name, _, _ in self.json_text] + [NOT_UTF8]
        fields = fields + [encode_basestring(NOT_UTF8) + ":" + _COMPACT(replaced)]
        return [f for _, f in sorted(zip(names, fields))]

    def to_json(self, args: dict[str, Any]) -> str:
        """Canonical JSON: sorted keys, no spaces, UTF-8 text, wide integers as strings."""
        fields = [key + encode(args[name]) for name, key, encode in self.json_text]
        if NOT_UTF8 in args:
            fields = self._with_mark(fields, args[NOT_UTF8])
        return "{" + ",".join(fields) + "}"


def topic0(item: dict) -> str:
    return "0x" + abi.topic(item).hex()


class Decoder:
    """All the event decoders of a manifest, by (address, topic0)."""

    def __init__(self, chain_id: int, contracts: Iterable[tuple[str, str, list]]):
        self.chain_id = chain_id
        self.names: dict[str, str] = {}
        self.events: dict[tuple[str, str], EventDecoder] = {}
        for name, address, contract_abi in contracts:
            address = address.lower()
            self.names[address] = name
            for item in abi.items(contract_abi, "event"):
                if not item.get("anonymous"):
                    self.events[(address, topic0(item))] = EventDecoder.from_abi(name, item)
        # the lookups of decode(): address -> (contract name, topic0 -> decoder)
        self._by_address: dict[str, tuple[str, dict[str, EventDecoder]]] = {a: (n, {}) for a, n in self.names.items()}
        for (address, topic), decoder in self.events.items():
            self._by_address[address][1][topic] = decoder

    @classmethod
    def from_manifest(cls, manifest) -> "Decoder":
        return cls(manifest.chain_id, ((n, c.address, c.abi) for n, c in manifest.contracts.items()))

    @property
    def addresses(self) -> list[str]:
        return sorted(self.names)

    def decode(self, log: dict) -> Event:
        address = log["address"]
        known = self._by_address.get(address)
        if known is None:  # nodes answer in lowercase hex; anything else is looked up lowercased
            address = address.lower()
            known = self._by_address.get(address)
        topics = log["topics"]
        data = log["data"]
        found = None
        if known is not None and topics:
            found = known[1].get(topics[0]) or known[1].get(topics[0].lower())
        args = args_json = None
        if found is not None:
            try:
                args, args_json = found.args_and_json(topics, bytes.fromhex(data[2:]))
            except Exception:  # a log that does not fit its ABI (e.g. a different indexing): keep it raw
                args = args_json = None
        return Event(  # positionally: this runs once per log
            self.chain_id, int(log["blockNumber"], 16), log["blockHash"], log["transactionHash"],
            int(log["transactionIndex"], 16), int(log["logIndex"], 16), address,
            known[0] if known is not None else None, found.name if args is not None else None,
            topics, data, args, args_json,
        )
