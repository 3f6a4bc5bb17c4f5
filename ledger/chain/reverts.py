"""Revert reasons: the custom error behind a failed call or transaction, decoded with known ABIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from . import abi

ERROR_STRING = function_signature_to_4byte_selector("Error(string)")
PANIC = function_signature_to_4byte_selector("Panic(uint256)")

# How the arguments of a custom error are shown, by error name, where the plain values would not
# say what happened (an enum's number, a bitmap): registered by the part that knows the error
# (e.g. ledger.org.governance for OpenZeppelin's GovernorUnexpectedProposalState).
RENDERERS: dict[str, Callable[[tuple], str]] = {}


def register_renderer(name: str, render: Callable[[tuple], str]) -> None:
    """Show error `name`'s decoded arguments as `render(args)` returns them (inside its parentheses)."""
    RENDERERS[name] = render


@dataclass
class ErrorDecoder:
    """Decodes revert data into `ErrorName(arg, ...)` from the custom errors of known ABIs."""

    errors: dict[bytes, tuple[str, list[str]]] = field(default_factory=dict)

    @classmethod
    def from_abis(cls, abis: Iterable[list]) -> "ErrorDecoder":
        decoder = cls()
        for contract_abi in abis:
            decoder.add(contract_abi)
        return decoder

    def add(self, contract_abi: list) -> None:
        for item in abi.items(contract_abi, "error"):
            self.errors[abi.selector(item)] = (item["name"], abi.input_types(item))

    def decode(self, data: str | bytes | None) -> str | None:
        if not data:
            return None
        raw = bytes.fromhex(data[2:] if data.startswith("0x") else data) if isinstance(data, str) else data
        if len(raw) < 4:
            return None
        selector, body = raw[:4], raw[4:]
        if selector == ERROR_STRING:
            return abi_decode(["string"], body)[0]
        if selector == PANIC:
            return f"Panic(0x{abi_decode(['uint256'], body)[0]:02x})"
        known = self.errors.get(selector)
        if not known:
            return f"unknown error 0x{raw.hex()[:8]}"
        name, types = known
        try:
            args = abi_decode(types, body)
        except Exception:
            return name
        render = RENDERERS.get(name)
        if render is not None:
            try:
                return f"{name}({render(tuple(args))})"
            except Exception:  # a value the renderer does not know: shown plain
                pass
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
