"""Fixtures shared by every contract test: accounts, a deployed Membership, member helpers.

Each test runs in its own snapshot of the chain (brownie's `fn_isolation`), so nothing one
test does leaks into the next.
"""

import gc
import itertools

import pytest
from brownie import Membership, accounts, web3

from tests.brownie_receipts import receipts_before_verdicts  # noqa: F401 (an autouse fixture)

STATE, CORPORATE = 0, 1
OBSERVER, ASSOCIATE, PARTNER, FULL = 0, 1, 2, 3
BASIC_VOTES = 250
TIER_VOTES = [100, 400, 1000]
CORPORATE_CAP_BPS = 2000


@pytest.fixture(scope="session", autouse=True)
def frozen_heap():
    """Every chain revert (after each test, before each state-machine run) makes brownie call
    `gc.collect()`, which walks every object Python tracks: brownie's compiled project, web3,
    hypothesis, pytest. Freezing what exists before the first test leaves the collector only the
    tests' own objects, a revert costs a fraction of what it did, and nothing else changes
    (objects made later are collected as before)."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def admin():
    return accounts[0]


@pytest.fixture(scope="module")
def verifier():
    return accounts[1]


@pytest.fixture(scope="module")
def outsider():
    return accounts[9]


@pytest.fixture(scope="module")
def membership(admin, verifier):
    contract = Membership.deploy(admin, BASIC_VOTES, TIER_VOTES, CORPORATE_CAP_BPS, {"from": admin})
    contract.grantRole(contract.VERIFIER_ROLE(), verifier, {"from": admin})
    return contract


_key_numbers = itertools.count(1)


def fresh_key() -> str:
    """A private key no test has used yet, and the same in every run of the same tests: a random
    key would change calldata (addresses, signatures), and with it the figures of `make gas`."""
    return "0x" + bytes(web3.keccak(text=f"waico test key {next(_key_numbers)}")).hex()


def fresh_address() -> str:
    """An address nobody has used yet (members need not hold keys to be admitted)."""
    return accounts.add(fresh_key()).address


def raw_weight(tier: int, basic: int = BASIC_VOTES, tier_votes=TIER_VOTES) -> int:
    return 0 if tier == 0 else basic + tier_votes[tier - 1]


@pytest.fixture(scope="module")
def admit(membership, admin):
    """Admit a member; returns its address. Identifiers are made unique unless given."""
    counter = iter(range(10**6))

    def _admit(kind=STATE, tier=FULL, account=None, name=None, identifier=None):
        account = account or fresh_address()
        n = next(counter)
        membership.admit(
            account,
            kind,
            tier,
            name or f"Member {n}",
            identifier or f"ID{n:04d}",
            {"from": admin},
        )
        return account

    return _admit


def mine(blocks: int = 1) -> None:
    for _ in range(blocks):
        web3.provider.make_request("evm_mine", [])
