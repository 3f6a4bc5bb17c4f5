"""Contributions: anyone pays in, every contribution is an event, members are flagged."""

from tests.contracts.conftest import FULL, STATE
from tests.contracts.fund.conftest import USD, reverts_with


def test_donor_contribution_moves_tokens_and_is_recorded(fund, token, donor):
    tx = fund.contribute(500 * USD, {"from": donor})
    assert token.balanceOf(fund) == 500 * USD
    assert fund.totalContributed() == 500 * USD
    assert tx.events["Contributed"][0]["contributor"] == donor
    assert tx.events["Contributed"][0]["amount"] == 500 * USD
    assert tx.events["Contributed"][0]["isMember"] is False


def test_member_contribution_is_flagged_as_member(fund, token, admin, admit, accounts):
    member = admit(STATE, FULL, account=accounts[3].address)
    token.mint(member, 100 * USD, {"from": admin})
    token.approve(fund, 100 * USD, {"from": member})
    tx = fund.contribute(100 * USD, {"from": member})
    assert tx.events["Contributed"][0]["isMember"] is True


def test_suspended_member_still_counts_as_member(fund, token, admin, admit, membership, accounts):
    member = admit(STATE, FULL, account=accounts[3].address)
    membership.suspend(member, {"from": admin})
    token.mint(member, 100 * USD, {"from": admin})
    token.approve(fund, 100 * USD, {"from": member})
    assert fund.contribute(100 * USD, {"from": member}).events["Contributed"][0]["isMember"] is True


def test_zero_contribution_reverts(fund, donor):
    with reverts_with("ContributionZero"):
        fund.contribute(0, {"from": donor})


def test_contribution_without_allowance_reverts(fund, token, admin, accounts):
    token.mint(accounts[4], 100 * USD, {"from": admin})
    with reverts_with("ERC20InsufficientAllowance"):
        fund.contribute(100 * USD, {"from": accounts[4]})
