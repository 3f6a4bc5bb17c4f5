"""Revert reasons: the custom error behind a failed call or transaction, decoded with known ABIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address


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
