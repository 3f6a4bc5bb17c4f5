"""Proposal actions written as text: `Contract.function(arg, ...)` against the manifest's ABIs.

Arguments are Python/JSON literals: numbers, "strings", [lists], true/false; a bare 0x-address
or 0x-hex is taken as it is. Example: `Membership.setTier(0x1A5f...C058, 3)`.
"""

from __future__ import annotations

import ast
import re

from ledger.errors import ConfigError

from .governance import Action

_CALL = re.compile(r"^\s*(\w+)\.(\w+)\((.*)\)\s*$", re.S)
_HEX = re.compile(r"(?<![\w\"'])(0x[0-9a-fA-F]+)")


def parse_call(text: str, manifest, w3) -> Action:
    match = _CALL.match(text)
    if not match:
        raise ConfigError(f"cannot read the call {text!r}: write Contract.function(arg, ...)")
    name, function, arg_text = match.groups()
    contract = manifest.contract(w3, name)
    literal = _HEX.sub(r'"\1"', arg_text).replace("true", "True").replace("false", "False")
    try:
        args = ast.literal_eval(f"[{literal}]")
    except (ValueError, SyntaxError) as exc:
        raise ConfigError(f"cannot read the arguments of {text!r}: {exc}") from None
    args = [bytes.fromhex(a[2:]) if isinstance(a, str) and a.startswith("0x") and len(a) not in (42,) else a
            for a in args]
    try:
        fn = contract.get_function_by_name(function)(*args)
        data = fn._encode_transaction_data()
    except Exception as exc:
        raise ConfigError(f"{name}.{function} does not take ({arg_text}): {exc}") from None
    return Action(contract.address, 0, bytes.fromhex(data[2:]))
