"""The step count of tests/contracts/stateful.py: it counts each rule run, and fails a test
whose machine ran fewer steps than it must."""

import pytest
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from tests.contracts.stateful import Steps


class Counter(RuleBasedStateMachine):
    ran = []

    @rule()
    def step(self):
        Counter.ran.append(1)


def test_every_rule_run_is_counted_and_a_short_run_fails():
    steps = Steps()
    Counter.ran.clear()
    run_state_machine_as_test(steps.counting(Counter), settings=settings(max_examples=30, stateful_step_count=5))
    assert steps.count == len(Counter.ran) > 0
    steps.at_least(steps.count)
    with pytest.raises(AssertionError, match=f"made {steps.count} rule steps, fewer than {steps.count + 1}"):
        steps.at_least(steps.count + 1)


def test_counting_a_machine_again_does_not_count_twice():
    steps = Steps()
    Counter.ran.clear()
    steps.counting(steps.counting(Counter))
    run_state_machine_as_test(Counter, settings=settings(max_examples=30, stateful_step_count=5))
    assert steps.count == len(Counter.ran) > 0


def test_a_machine_runs_again_until_its_minimum_of_steps_and_fails_if_it_never_comes():
    steps, calls = Steps(), []

    def three_steps():
        calls.append(1)
        steps.count += 3

    steps.run_until(three_steps, 7, rounds=5)
    assert (len(calls), steps.count) == (3, 9)
    steps, calls = Steps(), []
    with pytest.raises(AssertionError, match="made 0 rule steps, fewer than 1"):
        steps.run_until(lambda: calls.append(1), 1, rounds=4)
    assert len(calls) == 4
