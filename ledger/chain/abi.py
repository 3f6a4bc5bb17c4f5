"""ABI helpers, one place for all: canonical types, function selectors and event topics of
the manifest's ABI items, by `eth_utils` (the reference implementation), never by hand."""

from __future__ import annotations

import re

from eth_utils.abi import (collapse_if_tuple, event_abi_to_log_topic, function_abi_to_4byte_selector,
                           function_signature_to_4byte_selector)

# ERC-20's balanceOf(address), for the fund's token (any ERC-20: its ABI is not in the manifest)
BALANCE_OF = function_signature_to_4byte_selector("balanceOf(address)")


def canonical_type(abi_input: dict) -> str:
    """The canonical type of an ABI input or output (`(uint256,address)[]` for a tuple array)."""
    return collapse_if_tuple(abi_input)


_STRING = re.compile(r"\bstring\b")


def strings_as_bytes(type_str: str) -> str:
    """The canonical type with every `string` in it read as `bytes` (`(uint256,string)[]` →
    `(uint256,bytes)[]`). Both encode alike; decoding `bytes` never fails on text that is not
    UTF-8, which anyone can put on chain, so decoders read strings this way and then decode
    their bytes with `ledger.chain.text.decode_text`."""
    return _STRING.sub("bytes", type_str)


def input_types(item: dict) -> list[str]:
    return [collapse_if_tuple(i) for i in item.get("inputs", [])]


def output_types(item: dict) -> list[str]:
    return [collapse_if_tuple(o) for o in item.get("outputs", [])]


def signature(item: dict) -> str:
    """`name(type,...)`: what a selector or a topic hashes."""
    return f"{item['name']}({','.join(input_types(item))})"


def selector(item: dict) -> bytes:
    """The 4-byte selector of a function or custom error."""
    return function_abi_to_4byte_selector(item)


def topic(item: dict) -> bytes:
    """The topic 0 of a (non-anonymous) event."""
    return event_abi_to_log_topic(item)


def items(abi: list, kind: str) -> list[dict]:
    """The ABI's items of one kind: "function", "event", "error"."""
    return [i for i in abi if i.get("type") == kind]
