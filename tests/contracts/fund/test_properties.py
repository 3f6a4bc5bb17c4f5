"""Properties of rounds on chain, for arbitrary scores, rules, budgets and blocked recipients:
the round pays what preview says and what the Python formula says, never more than the
budget or the cap, the books balance, and the epoch limit holds."""

import pytest
from brownie import chain
from brownie.test import given, strategy
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.contracts.conftest import CORPORATE, FULL, OBSERVER, PARTNER, STATE
from tests.contracts.fund.conftest import EPOCH_LENGTH, SOURCE_HASH, SOURCE_URI, reverts_with
from tests.contracts.stateful import Steps
from ledger.org.formula import allocate, cap_amount

POOL = [(STATE, FULL), (STATE, PARTNER), (CORPORATE, FULL), (STATE, OBSERVER), (STATE, FULL), (CORPORATE, PARTNER)]
KEYED = range(3, 3 + len(POOL))  # keyed accounts, so that members can claim
FUNDS = 10**12
INDEX = strategy("uint8", max_value=len(POOL) - 1)


@pytest.fixture(scope="module")
def pool(fund, donor, admit, accounts):
    fund.contribute(FUNDS, {"from": donor})
    return [admit(kind, tier, account=accounts[i].address) for i, (kind, tier) in zip(KEYED, POOL)]


def eligible(fund, membership, pool):
    members = [m for m in pool if fund.needScore(m) > 0 and membership.isVoting(m)]
    return members, [fund.needScore(m) for m in members]


def check_books(fund, token, pool):
    balance = token.balanceOf(fund)
    assert balance == fund.totalContributed() - fund.totalPaidOut()
    assert balance >= fund.totalClaimable()
    assert fund.totalClaimable() == sum(fund.claimable(m) for m in pool)


# brownie's uint256 strategies draw large buffers; that is their nature, not a sign of trouble
@settings(max_examples=20, suppress_health_check=[HealthCheck.data_too_large, HealthCheck.too_slow])
@given(
    scores=strategy("uint256[6]", max_value=1000),
    cap_bps=strategy("uint16", min_value=1, max_value=10_000),
    floor=strategy("uint256", max_value=10**8),
    budget=strategy("uint256", min_value=1, max_value=10**9),
    blocked=strategy("bool[6]"),
    suspended=strategy("bool[6]"),
)
def test_round_pays_preview_and_python_formula_within_budget_and_cap(
    fund, token, membership, admin, pool, scores, cap_bps, floor, budget, blocked, suspended
):
    fund.setNeedScores(pool, scores, SOURCE_HASH, SOURCE_URI, {"from": admin})
    fund.setRoundRules(cap_bps, floor, {"from": admin})
    for member, is_blocked, is_suspended in zip(pool, blocked, suspended):
        if is_blocked:
            token.setBlocked(member, True, {"from": admin})
        if is_suspended:
            membership.suspend(member, {"from": admin})

    members, member_scores = eligible(fund, membership, pool)
    if not members:
        with reverts_with("RoundNoEligibleMembers"):
            fund.disburse(budget, {"from": admin})
        return

    preview = fund.preview(budget)
    expected = allocate(member_scores, budget, cap_bps, floor)
    assert list(preview[0]) == members
    assert list(preview[1]) == member_scores
    assert list(preview[2]) == expected
    assert preview[3] == sum(member_scores)

    tx = fund.disburse(budget, {"from": admin})
    paid = [e["amount"] for e in tx.events["Payout"]]
    assert [e["member"] for e in tx.events["Payout"]] == members
    assert paid == expected
    assert sum(paid) <= budget
    assert max(paid) <= cap_amount(budget, cap_bps)
    assert tx.events["RoundExecuted"][0]["paid"] == sum(paid)
    for event, member, is_blocked in zip(tx.events["Payout"], members, [blocked[pool.index(m)] for m in members]):
        assert event["pushed"] == (not is_blocked or event["amount"] == 0)
    assert fund.spentInEpoch(fund.currentEpoch()) == sum(paid) <= fund.epochLimit()
    check_books(fund, token, pool)


class FundMachine(RuleBasedStateMachine):
    """Random sequences of contributions, score and rule changes, blocks, rounds, claims and
    epoch changes, against a model of what the fund must do.

    A plain hypothesis machine: brownie 1.22's `state_machine` helper is compiled with mypyc
    here and cannot be subclassed, so the machine reverts the chain itself."""

    fund = token = membership = admin = donor = pool = None  # set by the test

    def __init__(self):
        chain.revert()
        super().__init__()
        self.fund.setEpochLimit(5_000, {"from": self.admin})
        self.spent = {}
        self.claimable = {m: 0 for m in self.pool}

    @rule(amount=strategy("uint256", min_value=1, max_value=5_000))
    def contribute(self, amount):
        self.fund.contribute(amount, {"from": self.donor})

    @rule(index=INDEX, score=strategy("uint256", max_value=50))
    def set_score(self, index, score):
        self.fund.setNeedScores([self.pool[index]], [score], SOURCE_HASH, SOURCE_URI, {"from": self.admin})

    @rule(cap_bps=strategy("uint16", min_value=1, max_value=10_000), floor=strategy("uint256", max_value=300))
    def set_rules(self, cap_bps, floor):
        self.fund.setRoundRules(cap_bps, floor, {"from": self.admin})

    @rule(limit=strategy("uint256", max_value=8_000))
    def set_limit(self, limit):
        self.fund.setEpochLimit(limit, {"from": self.admin})

    @rule(index=INDEX)
    def toggle_block(self, index):
        member = self.pool[index]
        self.token.setBlocked(member, not self.token.isBlocked(member), {"from": self.admin})

    @rule()
    def next_epoch(self):
        chain.sleep(EPOCH_LENGTH)
        chain.mine()

    @rule(budget=strategy("uint256", min_value=1, max_value=3_000))
    def disburse(self, budget):
        fund = self.fund
        members, scores = eligible(fund, self.membership, self.pool)
        available = self.token.balanceOf(fund) - fund.totalClaimable()
        epoch = fund.currentEpoch()
        if budget > available:
            with reverts_with("FundInsufficientBalance"):
                fund.disburse(budget, {"from": self.admin})
            return
        if not members:
            with reverts_with("RoundNoEligibleMembers"):
                fund.disburse(budget, {"from": self.admin})
            return
        amounts = allocate(scores, budget, fund.capBps(), fund.floor())
        assert list(fund.preview(budget)[2]) == amounts
        if self.spent.get(epoch, 0) + sum(amounts) > fund.epochLimit():
            with reverts_with("EpochLimitExceeded"):
                fund.disburse(budget, {"from": self.admin})
            return
        tx = fund.disburse(budget, {"from": self.admin})
        assert [e["amount"] for e in tx.events["Payout"]] == amounts
        self.spent[epoch] = self.spent.get(epoch, 0) + sum(amounts)
        # the limit in force held after the round (governance may lower it later)
        assert fund.spentInEpoch(epoch) <= fund.epochLimit()
        for member, amount in zip(members, amounts):
            if amount and self.token.isBlocked(member):
                self.claimable[member] += amount

    @rule(index=INDEX)
    def claim(self, index):
        member = self.pool[index]
        if self.claimable[member] == 0:
            with reverts_with("ClaimNothing"):
                self.fund.claim({"from": member})
        elif self.token.isBlocked(member):
            with reverts_with("ClaimTransferFailed"):
                self.fund.claim({"from": member})
        else:
            self.fund.claim({"from": member})
            self.claimable[member] = 0

    @invariant()
    def books_balance(self):
        check_books(self.fund, self.token, self.pool)
        assert [self.fund.claimable(m) for m in self.pool] == [self.claimable[m] for m in self.pool]

    @invariant()
    def epoch_limit_holds(self):
        epoch = self.fund.currentEpoch()
        assert self.fund.spentInEpoch(epoch) == self.spent.get(epoch, 0)


def test_fund_state_machine(fund, token, membership, admin, donor, pool):
    FundMachine.fund, FundMachine.token, FundMachine.membership = fund, token, membership
    FundMachine.admin, FundMachine.donor, FundMachine.pool = admin, donor, pool
    chain.snapshot()
    steps = Steps()
    machine = steps.counting(FundMachine)
    # hypothesis's first runs stop after few steps, if any: runs until enough (tests/contracts/stateful.py)
    steps.run_until(lambda: run_state_machine_as_test(
        machine, settings=settings(max_examples=25, stateful_step_count=15, deadline=None)), 75)  # fresh: 106
