"""A recipient whose transfer fails never blocks the others; its payout stays claimable."""

from tests.contracts.fund.conftest import USD, payouts, reverts_with


def test_blocked_recipient_is_deferred_and_the_others_are_paid(fund, token, admin, funded, scored):
    funded(1_000 * USD)
    a, blocked, c = scored([1, 2, 1])
    token.setBlocked(blocked, True, {"from": admin})
    tx = fund.disburse(100 * USD, {"from": admin})
    assert payouts(tx) == [(a, 25 * USD, True), (blocked, 50 * USD, False), (c, 25 * USD, True)]
    deferred = tx.events["PayoutDeferred"]
    assert len(deferred) == 1
    assert (deferred[0]["roundId"], deferred[0]["member"], deferred[0]["amount"]) == (1, blocked, 50 * USD)
    assert token.balanceOf(a) == token.balanceOf(c) == 25 * USD
    assert token.balanceOf(blocked) == 0
    assert fund.claimable(blocked) == 50 * USD
    assert fund.totalClaimable() == 50 * USD
    assert fund.totalPaidOut() == 50 * USD
    # the deferred amount counts against the epoch: it is allocated
    assert fund.spentInEpoch(fund.currentEpoch()) == 100 * USD
    assert token.balanceOf(fund) == 950 * USD


def test_unblocked_member_claims_its_deferred_payout(fund, token, admin, funded, admit, accounts):
    funded(1_000 * USD)
    member = admit(account=accounts[6].address)  # a keyed account, so it can send the claim
    fund.setNeedScores([member], [1], "0x" + "00" * 32, "", {"from": admin})
    token.setBlocked(member, True, {"from": admin})
    fund.disburse(40 * USD, {"from": admin})
    assert fund.claimable(member) == 40 * USD

    with reverts_with("ClaimTransferFailed"):
        fund.claim({"from": member})
    assert fund.claimable(member) == 40 * USD

    token.setBlocked(member, False, {"from": admin})
    tx = fund.claim({"from": member})
    assert tx.events["Claimed"][0]["member"] == member
    assert tx.events["Claimed"][0]["amount"] == 40 * USD
    assert token.balanceOf(member) == 40 * USD
    assert fund.claimable(member) == 0
    assert fund.totalClaimable() == 0
    assert fund.totalPaidOut() == 40 * USD
    assert token.balanceOf(fund) == fund.totalContributed() - fund.totalPaidOut()


def test_claim_with_nothing_to_claim_reverts(fund, outsider):
    with reverts_with("ClaimNothing"):
        fund.claim({"from": outsider})


def test_claimable_amounts_are_reserved_from_later_budgets(fund, token, admin, funded, scored):
    funded(100)
    a, b = scored([1, 1])
    token.setBlocked(b, True, {"from": admin})
    fund.disburse(100, {"from": admin})
    assert fund.availableBalance() == 0
    with reverts_with("FundInsufficientBalance"):
        fund.disburse(1, {"from": admin})
