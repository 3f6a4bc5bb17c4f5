"""Governance-only settings: need scores with their source, round rules, the epoch limit."""

import pytest

from tests.contracts.fund.conftest import EPOCH_LENGTH, EPOCH_LIMIT, SOURCE_HASH, SOURCE_URI, reverts_with
from tests.contracts.conftest import fresh_address


def test_constructor_records_token_membership_epoch_and_default_rules(fund, token, membership, admin):
    assert fund.token() == token
    assert fund.membership() == membership
    assert fund.epochLength() == EPOCH_LENGTH
    assert fund.epochLimit() == EPOCH_LIMIT
    assert fund.capBps() == 10_000
    assert fund.floor() == 0
    assert fund.hasRole(fund.DEFAULT_ADMIN_ROLE(), admin)


def test_constructor_rejects_zero_epoch_length(token, membership, admin):
    from brownie import EquityFund

    with reverts_with("FundEpochLengthZero"):
        EquityFund.deploy(token, membership, admin, 0, 1, {"from": admin})


def test_constructor_rejects_zero_governance(token, membership, admin):
    from brownie import EquityFund

    with reverts_with("FundZeroAddress"):
        EquityFund.deploy(token, membership, "0x" + "00" * 20, 1, 1, {"from": admin})


def test_need_scores_are_set_in_numbered_batches_with_their_source(fund, admin, admit):
    a, b = admit(), admit()
    tx = fund.setNeedScores([a, b], [3, 7], SOURCE_HASH, SOURCE_URI, {"from": admin})
    assert fund.needScore(a) == 3 and fund.needScore(b) == 7
    batch = tx.events["NeedScoresSet"][0]
    assert (batch["batchId"], batch["sourceHash"], batch["sourceURI"], batch["count"]) == (
        1,
        SOURCE_HASH,
        SOURCE_URI,
        2,
    )
    assert [(e["member"], e["score"], e["batchId"]) for e in tx.events["NeedScoreSet"]] == [
        (a, 3, 1),
        (b, 7, 1),
    ]
    tx = fund.setNeedScores([a], [0], SOURCE_HASH, SOURCE_URI, {"from": admin})
    assert tx.events["NeedScoresSet"][0]["batchId"] == 2
    assert fund.needScore(a) == 0
    assert fund.scoreBatchCount() == 2


def test_need_scores_reject_length_mismatch(fund, admin, admit):
    with reverts_with("NeedScoresLengthMismatch"):
        fund.setNeedScores([admit()], [1, 2], SOURCE_HASH, SOURCE_URI, {"from": admin})


def test_need_scores_reject_non_member(fund, admin):
    with reverts_with("NeedScoreForNonMember"):
        fund.setNeedScores([fresh_address()], [1], SOURCE_HASH, SOURCE_URI, {"from": admin})


def test_need_scores_reject_score_above_maximum(fund, admin, admit):
    with reverts_with("NeedScoreTooLarge"):
        fund.setNeedScores([admit()], [2**128], SOURCE_HASH, SOURCE_URI, {"from": admin})


def test_round_rules_are_set_with_an_event(fund, admin):
    tx = fund.setRoundRules(2_500, 1_000, {"from": admin})
    assert (fund.capBps(), fund.floor()) == (2_500, 1_000)
    assert tx.events["RoundRulesSet"][0]["capBps"] == 2_500
    assert tx.events["RoundRulesSet"][0]["floor"] == 1_000


@pytest.mark.parametrize("cap_bps", [0, 10_001])
def test_round_rules_reject_cap_outside_1_to_10000(fund, admin, cap_bps):
    with reverts_with("RoundCapOutOfRange"):
        fund.setRoundRules(cap_bps, 0, {"from": admin})


def test_epoch_limit_is_set_with_an_event(fund, admin):
    tx = fund.setEpochLimit(42, {"from": admin})
    assert fund.epochLimit() == 42
    assert tx.events["EpochLimitSet"][0]["epochLimit"] == 42


def test_governance_functions_reject_other_callers(fund, admit, outsider, admin):
    member = admit()
    with reverts_with("AccessControlUnauthorizedAccount"):
        fund.setNeedScores([member], [1], SOURCE_HASH, SOURCE_URI, {"from": outsider})
    with reverts_with("AccessControlUnauthorizedAccount"):
        fund.setRoundRules(5_000, 0, {"from": outsider})
    with reverts_with("AccessControlUnauthorizedAccount"):
        fund.setEpochLimit(1, {"from": outsider})
    with reverts_with("AccessControlUnauthorizedAccount"):
        fund.disburse(1, {"from": outsider})


def test_governance_can_be_handed_to_a_timelock(fund, admin, accounts):
    timelock = accounts[5]
    role = fund.DEFAULT_ADMIN_ROLE()
    fund.grantRole(role, timelock, {"from": admin})
    fund.renounceRole(role, admin, {"from": admin})
    fund.setEpochLimit(7, {"from": timelock})
    with reverts_with("AccessControlUnauthorizedAccount"):
        fund.setEpochLimit(8, {"from": admin})
