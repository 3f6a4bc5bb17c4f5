"""Proposal actions written as text: `Contract.function(arg, ...)`, encoded exactly as written.

A governance tool must put on chain the call its user wrote, or refuse it. Each argument is
read as one literal, then checked against the type the function's ABI gives it; nothing is
rewritten or guessed:

    string        'text' or "text"; backslash escapes \\\\ \\' \\" \\n \\t \\xNN \\uNNNN.
                  A string parameter takes only a quoted string, and a quoted string is only
                  ever a string: 'see 0xabc' and 'construe trueness' go on chain unchanged.
    address       0x and 40 hex digits (a mixed-case address must have a valid checksum)
    bytesN        0x and exactly 2N hex digits          bytes    0x and an even number of hex digits
    uintN, intN   decimal (1_000 allowed) or 0x-hex, a leading - for intN; range-checked
    bool          true or false
    T[] and T[k]  [a, b, ...] (k elements for T[k])
    tuple         (a, b, ...)

`Contract` is a name in the deployment manifest. An overloaded function is chosen by its
number of arguments, or named with its types: `Contract.fn(uint8,uint256)(1, 2)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode, encode as abi_encode
from eth_abi.grammar import TupleType, parse as parse_type
from eth_utils import is_checksum_address, to_checksum_address

from ledger.chain import abi
from ledger.errors import ConfigError

from .governance import Action

_HEAD = re.compile(r"^\s*([A-Za-z_]\w*)\.([A-Za-z_]\w*)(\([\w\[\],() ]*\))?\s*\(", re.S)


@dataclass(frozen=True)
class Literal:
    """One argument as written: kind is 'str', 'hex', 'num', 'bool', 'list' or 'tuple'."""

    kind: str
    value: Any
    text: str  # as written, for error messages


@dataclass(frozen=True)
class Call:
    """A parsed call: the contract, its ABI function item, the typed values, and the action."""

    contract: str
    function: dict
    values: tuple
    action: Action

    def describe(self) -> str:
        """The call decoded back from its calldata: `Membership.setTier(account=0x…, tier=3)`."""
        types = abi.input_types(self.function)
        decoded = abi_decode(types, self.action.calldata[4:])
        names = [i.get("name") or f"arg{n}" for n, i in enumerate(self.function["inputs"])]
        args = ", ".join(f"{name}={_show(v)}" for name, v in zip(names, decoded))
        return f"{self.contract}.{self.function['name']}({args})"


def parse_call(text: str, manifest, w3=None) -> Call:
    """Read `Contract.function(args)` against the manifest's ABIs; encode it, or refuse it."""
    match = _HEAD.match(text)
    if not match or not text.rstrip().endswith(")"):
        raise ConfigError(f"cannot read the call {text!r}: write Contract.function(arg, ...)")
    contract, name, signature = match.groups()
    if contract not in manifest.contracts:
        raise ConfigError(f"no contract {contract!r} in the deployment: {', '.join(sorted(manifest.contracts))}")
    deployed = manifest.contracts[contract]
    body = text.rstrip()[match.end():-1]
    literals = _Reader(body, text).arguments()
    item = _choose(deployed.abi, contract, name, signature, len(literals))
    types = abi.input_types(item)
    values = tuple(_coerce(lit, t, f"argument {n + 1} ({item['inputs'][n].get('name') or t}) of {contract}.{name}")
                   for n, (lit, t) in enumerate(zip(literals, types)))
    calldata = abi.selector(item) + abi_encode(types, values)
    return Call(contract, item, values, Action(deployed.address, 0, calldata))


def _choose(contract_abi: list, contract: str, name: str, signature: str | None, count: int) -> dict:
    functions = [i for i in abi.items(contract_abi, "function") if i["name"] == name]
    if not functions:
        raise ConfigError(f"{contract} has no function {name!r}")
    if signature:
        wanted = signature.replace(" ", "")
        found = [f for f in functions if f"({','.join(abi.input_types(f))})" == wanted]
        if not found:
            raise ConfigError(f"{contract} has no {name}{wanted}; it has "
                              + ", ".join(abi.signature(f) for f in functions))
        functions = found
    by_count = [f for f in functions if len(f["inputs"]) == count]
    if not by_count:
        raise ConfigError(f"{contract}.{name} takes " + " or ".join(
            f"{len(f['inputs'])} argument(s) ({', '.join(abi.input_types(f))})" for f in functions)
            + f", not {count}")
    if len(by_count) > 1:
        raise ConfigError(f"{contract}.{name} is overloaded: name its types, e.g. "
                          + " or ".join(f"{contract}.{abi.signature(f)}(…)" for f in by_count))
    return by_count[0]


# --- reading literals -------------------------------------------------------------------------

_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_NUMBER = re.compile(r"-?(0x[0-9a-fA-F]+|[0-9][0-9_]*)")
_HEX = re.compile(r"0x[0-9a-fA-F]*")
_WORD = re.compile(r"[A-Za-z_]\w*")


class _Reader:
    def __init__(self, body: str, whole: str):
        self.s, self.i, self.whole = body, 0, whole

    def fail(self, why: str) -> ConfigError:
        return ConfigError(f"cannot read the arguments of {self.whole!r}: {why} at character {self.i + 1} "
                           f"of the arguments ({self.s[self.i:self.i + 20]!r})")

    def skip(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def arguments(self) -> list[Literal]:
        return self.sequence(end=None)

    def sequence(self, end: str | None) -> list[Literal]:
        items: list[Literal] = []
        self.skip()
        if (end is None and self.i == len(self.s)) or (end is not None and self.s[self.i:self.i + 1] == end):
            self.i += 0 if end is None else 1
            return items
        while True:
            items.append(self.literal())
            self.skip()
            if end is None and self.i == len(self.s):
                return items
            if self.s[self.i:self.i + 1] == ",":
                self.i += 1
                continue
            if end is not None and self.s[self.i:self.i + 1] == end:
                self.i += 1
                return items
            raise self.fail("expected a comma" + ("" if end is None else f" or {end!r}"))

    def literal(self) -> Literal:
        self.skip()
        start = self.i
        c = self.s[self.i:self.i + 1]
        if not c:
            raise self.fail("an argument is missing")
        if c in "'\"":
            return Literal("str", self.string(c), self.s[start:self.i])
        if c == "[":
            self.i += 1
            return Literal("list", self.sequence("]"), self.s[start:self.i])
        if c == "(":
            self.i += 1
            return Literal("tuple", self.sequence(")"), self.s[start:self.i])
        m = _HEX.match(self.s, self.i) if self.s.startswith("0x", self.i) else _NUMBER.match(self.s, self.i)
        if m:
            self.i = m.end()
            return Literal("hex" if m.group(0).startswith("0x") else "num", m.group(0), m.group(0))
        m = _WORD.match(self.s, self.i)
        if m and m.group(0) in ("true", "false"):
            self.i = m.end()
            return Literal("bool", m.group(0) == "true", m.group(0))
        if m:
            raise self.fail(f"{m.group(0)!r} is not a value (quote text: '{m.group(0)}')")
        raise self.fail("not a value")

    def string(self, quote: str) -> str:
        self.i += 1
        out = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == quote:
                self.i += 1
                return "".join(out)
            if c == "\\":
                nxt = self.s[self.i + 1:self.i + 2]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                    self.i += 2
                    continue
                width = {"x": 2, "u": 4}.get(nxt)
                digits = self.s[self.i + 2:self.i + 2 + width] if width else ""
                if width and re.fullmatch(r"[0-9a-fA-F]+", digits or "-") and len(digits) == width:
                    out.append(chr(int(digits, 16)))
                    self.i += 2 + width
                    continue
                raise self.fail(f"unknown escape \\{nxt}")
            out.append(c)
            self.i += 1
        raise self.fail("a string is not closed")


# --- typing them by the ABI -------------------------------------------------------------------

def _coerce(lit: Literal, type_str: str, where: str) -> Any:
    t = parse_type(type_str)
    return _value(lit, t, where)


def _value(lit: Literal, t, where: str) -> Any:
    def refuse(expected: str) -> ConfigError:
        return ConfigError(f"{where}: expected {expected}, got {lit.text!r}")

    if t.is_array:
        if lit.kind != "list":
            raise refuse(f"a list [...] for {t.to_type_str()}")
        size = t.arrlist[-1]
        if size and len(lit.value) != size[0]:
            raise refuse(f"{size[0]} elements for {t.to_type_str()}")
        return [_value(item, t.item_type, f"{where}, element {n + 1}") for n, item in enumerate(lit.value)]
    if isinstance(t, TupleType):
        if lit.kind != "tuple" or len(lit.value) != len(t.components):
            raise refuse(f"a tuple of {len(t.components)} ({t.to_type_str()})")
        return tuple(_value(item, c, f"{where}, field {n + 1}") for n, (item, c) in enumerate(zip(lit.value, t.components)))
    base, sub = t.base, t.sub
    if base == "string":
        if lit.kind != "str":
            raise refuse("a quoted string ('...')")
        return lit.value
    if base == "bool":
        if lit.kind != "bool":
            raise refuse("true or false")
        return lit.value
    if base == "address":
        if lit.kind != "hex" or len(lit.value) != 42:
            raise refuse("an address (0x and 40 hex digits)")
        digits = lit.value[2:]
        if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(lit.value):
            raise refuse("an address with a valid checksum (or all one case)")
        return to_checksum_address(lit.value)
    if base == "bytes":
        if lit.kind != "hex" or len(lit.value) % 2:
            raise refuse(f"0x and an even number of hex digits for {t.to_type_str()}")
        raw = bytes.fromhex(lit.value[2:])
        if sub and len(raw) != sub:
            raise refuse(f"exactly {sub} bytes ({2 * sub} hex digits) for bytes{sub}")
        return raw
    if base in ("uint", "int"):
        if lit.kind not in ("num", "hex"):
            raise refuse(f"a number for {t.to_type_str()}")
        text = lit.value.replace("_", "")
        negative = text.startswith("-")
        digits = text.lstrip("-")
        number = int(digits, 16) if digits.lower().startswith("0x") else int(digits, 10)
        number = -number if negative else number
        bits = sub or 256
        low, high = (0, 2**bits - 1) if base == "uint" else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        if not low <= number <= high:
            raise refuse(f"a number from {low} to {high} for {t.to_type_str()}")
        return number
    raise refuse(f"a value of type {t.to_type_str()}, which this tool cannot write")


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_show(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    return str(value).lower() if isinstance(value, bool) else str(value)
