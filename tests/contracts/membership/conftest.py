"""Fixtures for the Membership tests: a registered set of standards, and reading "now" as a
past timepoint (ERC-5805 reads need a timepoint strictly before the current block)."""

import pytest
from brownie import web3

from tests.contracts.conftest import OBSERVER, STATE, fresh_key, mine


def settle() -> int:
    """Mine a block and return the timepoint of the state as it is now."""
    mine()
    return web3.eth.block_number - 1


@pytest.fixture
def standards(membership, admin):
    """Three registered standards, ids 0, 1, 2."""
    for n in range(3):
        membership.registerStandard(f"Standard {n}", f"ipfs://std{n}", bytes([n + 1]) * 32, {"from": admin})
    return [0, 1, 2]


def record(membership, account) -> tuple:
    """`member(account)` as plain Python values: (kind, tier, status, index, certifications,
    name, identifier). (brownie's ReturnValue will not compare with a tuple of ints and strs.)"""
    return tuple(v if isinstance(v, str) else int(v) for v in membership.member(account))


def plain(value):
    """brownie return values and event data as plain Python (ints, strs, tuples, dicts; bytes as
    0x-hex)."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (list, tuple)):
        return tuple(plain(v) for v in value)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: plain(v) for k, v in value.items()}
    return value


def event(tx, name: str, index: int = 0) -> dict:
    """The `index`-th event `name` of `tx`, as a plain dict."""
    return plain(tx.events[name][index])


@pytest.fixture
def keyed_admit(admit):
    """Admit a member that holds a key, so it can declare adoption itself."""
    from brownie import accounts

    def _admit(kind=STATE, tier=OBSERVER):
        account = accounts.add(fresh_key())
        admit(kind, tier, account=account.address)
        return account

    return _admit
