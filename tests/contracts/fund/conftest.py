"""Fixtures for the equity fund: a test stablecoin, a fund on the shared Membership, funders
and scored members."""

import pytest
from brownie import EquityFormulaHarness, EquityFund, TestStablecoin, accounts

from tests.contracts.conftest import FULL, STATE

DAY = 86_400
EPOCH_LENGTH = 30 * DAY
USD = 10**6  # tUSD has 6 decimals
EPOCH_LIMIT = 1_000_000 * USD
SOURCE_HASH = "0x" + "ab" * 32
SOURCE_URI = "ipfs://need-scores-2025"


@pytest.fixture(scope="module")
def token(admin):
    return TestStablecoin.deploy(admin, {"from": admin})


@pytest.fixture(scope="module")
def fund(token, membership, admin):
    return EquityFund.deploy(token, membership, admin, EPOCH_LENGTH, EPOCH_LIMIT, {"from": admin})


@pytest.fixture(scope="module")
def harness(admin):
    return EquityFormulaHarness.deploy({"from": admin})


@pytest.fixture(scope="module")
def donor(token, fund, admin):
    """A non-member funder holding 10M tUSD, approved to the fund."""
    account = accounts[2]
    token.mint(account, 10_000_000 * USD, {"from": admin})
    token.approve(fund, 2**256 - 1, {"from": account})
    return account


@pytest.fixture(scope="module")
def funded(fund, donor):
    """Contribute `amount` from the donor."""

    def _funded(amount):
        return fund.contribute(amount, {"from": donor})

    return _funded


@pytest.fixture(scope="module")
def scored(fund, admit, admin):
    """Admit one Full state per score and set the scores; returns the addresses in order."""

    def _scored(scores, kind=STATE, tier=FULL):
        members = [admit(kind, tier) for _ in scores]
        fund.setNeedScores(members, scores, SOURCE_HASH, SOURCE_URI, {"from": admin})
        return members

    return _scored


def payouts(tx):
    """The round's Payout events as (member, amount, pushed) in emission order."""
    return [(e["member"], e["amount"], e["pushed"]) for e in tx.events["Payout"]]


def reverts_with(error: str):
    """Expect a revert with the custom error `error` (any arguments)."""
    import brownie

    return brownie.reverts(revert_pattern=rf"{error}(: .*)?")
