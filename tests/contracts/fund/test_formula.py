"""Formula v1: hand-worked examples for the Python reference, and the Solidity library agreeing
with it on arbitrary inputs."""

import pytest
from brownie.test import _hypothesis_given, strategy
from hypothesis import settings

# These examples only read the chain (eth_call), so they skip brownie's per-example chain
# revert, which costs more than the examples themselves.
given_readonly = _hypothesis_given

from tests.contracts.fund.conftest import reverts_with
from ledger.org.formula import allocate, cap_amount


@pytest.mark.parametrize(
    "scores, budget, cap_bps, floor, expected",
    [
        # proportional, no cap, no floor
        ([1, 1, 2], 100, 10_000, 0, [25, 25, 50]),
        # floor first, the rest by score, 1 of dust stays
        ([1, 1, 2], 100, 10_000, 10, [27, 27, 45]),
        # the largest is capped at 40, its excess goes to the others
        ([1, 1, 8], 100, 4_000, 0, [30, 30, 40]),
        # everyone capped: 60 stays in the fund
        ([1, 1], 100, 2_000, 0, [20, 20]),
        # floor above budget / n: everyone gets budget // n
        ([1, 2, 3], 10, 10_000, 5, [3, 3, 3]),
        # floor above the cap: everyone gets the cap
        ([1, 1], 100, 1_000, 50, [10, 10]),
        # a cascade: capping 64 lifts 16 over the cap in the next pass
        ([1, 16, 64], 1000, 4_000, 0, [200, 400, 400]),
    ],
)
def test_python_formula_matches_worked_examples(scores, budget, cap_bps, floor, expected):
    assert allocate(scores, budget, cap_bps, floor) == expected


def test_python_formula_rejects_bad_inputs():
    with pytest.raises(ValueError):
        allocate([], 100, 10_000, 0)
    with pytest.raises(ValueError):
        allocate([1], 100, 0, 0)
    with pytest.raises(ValueError):
        allocate([1], 100, 10_001, 0)
    with pytest.raises(ValueError):
        allocate([1, 0], 100, 10_000, 0)


def test_library_matches_worked_example(harness):
    amounts, allocated = harness.allocate([1, 16, 64], 1000, 4_000, 0)
    assert list(amounts) == [200, 400, 400]
    assert allocated == 1000


def test_library_rejects_empty_zero_score_and_bad_cap(harness):
    with reverts_with("EquityFormulaNoRecipients"):
        harness.allocate([], 100, 10_000, 0)
    with reverts_with("EquityFormulaZeroScore"):
        harness.allocate([1, 0], 100, 10_000, 0)
    with reverts_with("EquityFormulaCapOutOfRange"):
        harness.allocate([1], 100, 0, 0)
    with reverts_with("EquityFormulaCapOutOfRange"):
        harness.allocate([1], 100, 10_001, 0)


SCORES = strategy("uint256[]", min_value=1, max_value=10**6, min_length=1, max_length=30)
BIG_SCORES = strategy("uint128[]", min_value=1, min_length=1, max_length=8)
BUDGET = strategy("uint256", max_value=10**15)
CAP = strategy("uint16", min_value=1, max_value=10_000)
FLOOR = strategy("uint256", max_value=10**14)


@settings(max_examples=400)
@given_readonly(scores=SCORES, budget=BUDGET, cap_bps=CAP, floor=FLOOR)
def test_library_equals_python_reference(harness, scores, budget, cap_bps, floor):
    amounts, allocated = harness.allocate(scores, budget, cap_bps, floor)
    expected = allocate(scores, budget, cap_bps, floor)
    assert list(amounts) == expected
    assert allocated == sum(expected)


@settings(max_examples=150)
@given_readonly(scores=BIG_SCORES, budget=strategy("uint256"), cap_bps=CAP, floor=strategy("uint256"))
def test_library_equals_python_reference_at_extreme_values(harness, scores, budget, cap_bps, floor):
    amounts, _ = harness.allocate(scores, budget, cap_bps, floor)
    assert list(amounts) == allocate(scores, budget, cap_bps, floor)


@settings(max_examples=1000)
@given_readonly(scores=SCORES, budget=BUDGET, cap_bps=CAP, floor=FLOOR)
def test_python_formula_never_exceeds_budget_or_cap(scores, budget, cap_bps, floor):
    amounts = allocate(scores, budget, cap_bps, floor)
    cap = cap_amount(budget, cap_bps)
    f = min(floor, budget // len(scores), cap)
    assert sum(amounts) <= budget
    assert all(f <= a <= cap for a in amounts)
