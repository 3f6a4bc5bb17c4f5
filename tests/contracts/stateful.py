"""brownie's `state_machine`, loaded from its pure-Python source, and a count of the steps run.

brownie 1.22.2 ships `brownie.test.stateful` compiled with mypyc, and that build rejects every
generated machine (`TypeError: brownie.test.stateful._BrownieStateMachine object expected; got
...BrownieStateMachine`): the compiled `__init__` checks `self` against its native class, which a
class built with `type(...)` at run time never is. The same module's `.py` source, shipped
alongside, works; so the tests load that one. Same API: `state_machine(Rules, *args, settings=)`,
strategies as class attributes, `rule_*`, `invariant_*`, `setup`, `teardown`.

Steps. Hypothesis 6.27 (the version brownie pins) spends a machine's first examples on small runs
(each a zero-extended or a mutated copy of a small one), and most of them stop after one rule or
before it. Counted from a fresh example database, the membership machine ran 14 to 82 rule steps
in all with `max_examples` 20 (13 with 8: it then missed a change of the contract that its model
did not know). So a machine here runs again, a new hypothesis run each round, until its runs have
made `min_steps` rule steps in all, and fails if they have not after a few rounds: a machine that
stops testing cannot pass unnoticed.
"""

import importlib.util
from pathlib import Path
from typing import Callable

import brownie
import brownie.test

ROUNDS = 8  # hypothesis runs of a machine at most, to make its minimum of steps

_source = Path(brownie.test.__file__).with_name("stateful.py")
_spec = importlib.util.spec_from_file_location("brownie_stateful_source", _source)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)


class Steps:
    """The rule steps run by the machines of one test."""

    def __init__(self) -> None:
        self.count = 0

    def counting(self, machine: type) -> type:
        """`machine` (a hypothesis RuleBasedStateMachine class), each of its rules counted here."""
        for rule in machine.rules():
            inner = getattr(rule.function, "uncounted", rule.function)

            def counted(state, *args, _inner=inner, **kwargs):
                self.count += 1
                return _inner(state, *args, **kwargs)

            counted.uncounted = inner
            rule.function = counted
        return machine

    def at_least(self, minimum: int) -> None:
        assert self.count >= minimum, f"the state machine's runs made {self.count} rule steps, fewer than {minimum}"

    def run_until(self, run: Callable[[], object], minimum: int, rounds: int = ROUNDS) -> None:
        """Call `run` (a hypothesis run of machines counted here) until their runs have made
        `minimum` rule steps in all, at most `rounds` times; fails if they have not by then."""
        for _ in range(rounds):
            run()
            if self.count >= minimum:
                return
        self.at_least(minimum)


_generate = _module._generate_state_machine
_steps: Steps | None = None


def _generate_counted(rules_object: type) -> type:
    machine = _generate(rules_object)
    return _steps.counting(machine) if _steps is not None else machine


_module._generate_state_machine = _generate_counted


def state_machine(rules_object: type, *args, settings: dict, min_steps: int, **kwargs) -> int:
    """brownie's `state_machine`, run until its runs have made `min_steps` rule steps in all
    (`Steps.run_until`); each round starts from the chain as the first found it. Returns the
    number of steps."""
    global _steps
    _steps = steps = Steps()
    rounds = 0

    def run() -> None:
        nonlocal rounds
        if rounds:
            brownie.chain.revert()  # to the snapshot the first round took: the last run's changes go
        rounds += 1
        _module.state_machine(rules_object, *args, settings=settings, **kwargs)

    try:
        steps.run_until(run, min_steps)
    finally:
        _steps = None
    return steps.count
