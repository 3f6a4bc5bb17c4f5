"""The per-epoch spending limit bounds what any sequence of rounds allocates in an epoch."""

from brownie import chain

from tests.contracts.fund.conftest import EPOCH_LENGTH, reverts_with


def test_rounds_accumulate_until_the_epoch_limit(fund, admin, funded, scored):
    funded(10_000)
    fund.setEpochLimit(250, {"from": admin})
    scored([1, 1])
    epoch = fund.currentEpoch()
    fund.disburse(100, {"from": admin})
    fund.disburse(100, {"from": admin})
    assert fund.spentInEpoch(epoch) == 200
    assert fund.remainingInEpoch() == 50
    with reverts_with("EpochLimitExceeded"):
        fund.disburse(100, {"from": admin})
    fund.disburse(50, {"from": admin})
    assert fund.spentInEpoch(epoch) == 250
    assert fund.remainingInEpoch() == 0


def test_a_new_epoch_starts_with_a_fresh_limit(fund, admin, funded, scored):
    funded(10_000)
    fund.setEpochLimit(100, {"from": admin})
    scored([1])
    first = fund.currentEpoch()
    fund.disburse(100, {"from": admin})
    with reverts_with("EpochLimitExceeded"):
        fund.disburse(1, {"from": admin})
    chain.sleep(EPOCH_LENGTH)
    chain.mine()
    assert fund.currentEpoch() == first + 1
    fund.disburse(100, {"from": admin})
    assert fund.spentInEpoch(first) == 100
    assert fund.spentInEpoch(first + 1) == 100


def test_the_limit_counts_what_is_allocated_not_the_budget(fund, admin, funded, scored):
    funded(10_000)
    fund.setRoundRules(2_000, 0, {"from": admin})
    fund.setEpochLimit(40, {"from": admin})
    scored([1, 1])
    # budget 100, each capped at 20: 40 allocated, 60 stays
    fund.disburse(100, {"from": admin})
    assert fund.spentInEpoch(fund.currentEpoch()) == 40


def test_lowering_the_limit_below_what_was_spent_stops_further_rounds(fund, admin, funded, scored):
    funded(10_000)
    scored([1])
    fund.disburse(100, {"from": admin})
    fund.setEpochLimit(50, {"from": admin})
    assert fund.remainingInEpoch() == 0
    with reverts_with("EpochLimitExceeded"):
        fund.disburse(1, {"from": admin})
