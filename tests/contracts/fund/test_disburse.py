"""Disbursement rounds: who is eligible, what each gets, what the events say, when a round
refuses to run."""

from brownie import web3
from eth_abi import encode

from tests.contracts.conftest import CORPORATE, FULL, OBSERVER, STATE
from tests.contracts.fund.conftest import USD, payouts, reverts_with
from ledger.org.formula import allocate


def test_round_pays_the_split_preview_announced(fund, token, admin, funded, scored):
    funded(1_000 * USD)
    members = scored([1, 1, 2])
    preview = fund.preview(100 * USD)
    assert list(preview[0]) == members
    assert list(preview[1]) == [1, 1, 2]
    assert list(preview[2]) == [25 * USD, 25 * USD, 50 * USD]
    assert preview[3] == 4

    tx = fund.disburse(100 * USD, {"from": admin})
    assert tx.return_value == 1
    assert payouts(tx) == [(m, a, True) for m, a in zip(members, preview[2])]
    assert [token.balanceOf(m) for m in members] == list(preview[2])
    assert token.balanceOf(fund) == 900 * USD
    assert fund.totalPaidOut() == 100 * USD
    assert fund.roundCount() == 1


def test_payout_events_carry_what_an_auditor_needs(fund, admin, funded, scored):
    funded(1_000 * USD)
    members = scored([2, 3])
    tx = fund.disburse(10 * USD, {"from": admin})
    for event, member, score in zip(tx.events["Payout"], members, [2, 3]):
        assert event["roundId"] == 1
        assert event["member"] == member
        assert event["score"] == score
        assert event["totalScore"] == 5
        assert event["budget"] == 10 * USD
        assert event["amount"] == allocate([2, 3], 10 * USD, 10_000, 0)[members.index(member)]


def test_round_executed_records_rules_version_and_inputs_hash(fund, admin, funded, scored):
    funded(1_000 * USD)
    fund.setRoundRules(6_000, 1 * USD, {"from": admin})
    members = scored([5, 1, 9])
    budget = 77 * USD + 3
    tx = fund.disburse(budget, {"from": admin})
    event = tx.events["RoundExecuted"][0]
    amounts = allocate([5, 1, 9], budget, 6_000, 1 * USD)
    assert event["roundId"] == 1
    assert event["budget"] == budget
    assert event["paid"] == sum(amounts)
    assert event["recipients"] == 3
    assert (event["capBps"], event["floor"], event["formulaVersion"]) == (6_000, 1 * USD, 1)
    expected = web3.keccak(
        encode(
            ["address[]", "uint256[]", "uint256", "uint16", "uint256"],
            [members, [5, 1, 9], budget, 6_000, 1 * USD],
        )
    )
    assert event["inputsHash"] == "0x" + bytes(expected).hex()


def test_only_voting_members_with_a_score_are_eligible(fund, admin, funded, scored, admit, membership):
    funded(1_000 * USD)
    voting, suspended, zero = scored([1, 1, 1])
    observer = admit(STATE, OBSERVER)
    corporate = admit(CORPORATE, FULL)
    unscored = admit()
    fund.setNeedScores([observer, corporate, zero], [5, 2, 0], "0x" + "00" * 32, "", {"from": admin})
    membership.suspend(suspended, {"from": admin})
    members, scores, amounts, total = fund.preview(90)
    assert list(members) == [voting, corporate]
    assert list(scores) == [1, 2]
    assert total == 3
    assert unscored not in members
    tx = fund.disburse(90, {"from": admin})
    assert payouts(tx) == [(voting, 30, True), (corporate, 60, True)]


def test_cap_and_floor_shape_the_split(fund, token, admin, funded, scored):
    funded(1_000 * USD)
    fund.setRoundRules(4_000, 0, {"from": admin})
    members = scored([1, 16, 64])
    tx = fund.disburse(1_000, {"from": admin})
    assert [a for _, a, _ in payouts(tx)] == [200, 400, 400]
    fund.setRoundRules(10_000, 100, {"from": admin})
    tx = fund.disburse(1_000, {"from": admin})
    # everyone gets the floor of 100, the remaining 700 goes 1:16:64
    assert [a for _, a, _ in payouts(tx)] == [108, 238, 653]


def test_dust_and_undistributable_budget_stay_in_the_fund(fund, token, admin, funded, scored):
    funded(1_000)
    fund.setRoundRules(2_000, 0, {"from": admin})
    scored([1, 1])
    tx = fund.disburse(1_000, {"from": admin})
    assert tx.events["RoundExecuted"][0]["paid"] == 400
    assert token.balanceOf(fund) == 600
    assert fund.spentInEpoch(fund.currentEpoch()) == 400


def test_zero_amounts_are_reported_but_not_transferred(fund, token, admin, funded, scored):
    funded(1_000)
    members = scored([1, 1000])
    tx = fund.disburse(10, {"from": admin})
    # 10 * 1 // 1001 == 0 and 10 * 1000 // 1001 == 9: one unit of dust
    assert payouts(tx) == [(members[0], 0, True), (members[1], 9, True)]
    assert "Transfer" in tx.events and len(tx.events["Transfer"]) == 1


def test_round_ids_increase(fund, admin, funded, scored):
    funded(1_000)
    scored([1])
    assert fund.disburse(10, {"from": admin}).return_value == 1
    assert fund.disburse(10, {"from": admin}).return_value == 2


def test_round_rejects_zero_budget(fund, admin, funded, scored):
    funded(1_000)
    scored([1])
    with reverts_with("RoundBudgetZero"):
        fund.disburse(0, {"from": admin})


def test_round_and_preview_reject_when_nobody_is_eligible(fund, admin, funded, admit):
    funded(1_000)
    admit()
    with reverts_with("RoundNoEligibleMembers"):
        fund.preview(10)
    with reverts_with("RoundNoEligibleMembers"):
        fund.disburse(10, {"from": admin})


def test_round_rejects_budget_beyond_the_fund(fund, admin, funded, scored):
    funded(1_000)
    scored([1])
    with reverts_with("FundInsufficientBalance"):
        fund.disburse(1_001, {"from": admin})
