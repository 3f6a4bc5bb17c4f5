"""brownie's `state_machine`, loaded from its pure-Python source, and a count of the steps run.

brownie 1.22.2 ships `brownie.test.stateful` compiled with mypyc, and that build rejects every
generated machine (`TypeError: brownie.test.stateful._BrownieStateMachine object expected; got
...BrownieStateMachine`): the compiled `__init__` checks `self` against its native class, which a
class built with `type(...)` at run time never is. The same module's `.py` source, shipped
alongside, works; so the tests load that one. Same API: `state_machine(Rules, *args, settings=)`,
strategies as class attributes, `rule_*`, `invariant_*`, `setup`, `teardown`.

Steps. Hypothesis 6.27 (the version brownie pins) makes a machine's first ten runs small and
grows many of the next ones from them: most stop before their first rule. With `max_examples` of
8, the membership machine ran 13 rules in all (counted), and missed a change of the contract that
its model did not know (a governance tier is also the member's ceiling). So every machine here says how many rule steps its runs must make in all
(`min_steps`), and fails if they made fewer: a machine that stops testing cannot pass unnoticed.
"""

import importlib.util
from pathlib import Path

import brownie.test

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


_generate = _module._generate_state_machine
_steps: Steps | None = None


def _generate_counted(rules_object: type) -> type:
    machine = _generate(rules_object)
    return _steps.counting(machine) if _steps is not None else machine


_module._generate_state_machine = _generate_counted


def state_machine(rules_object: type, *args, settings: dict, min_steps: int, **kwargs) -> int:
    """brownie's `state_machine`; fails if its runs made fewer than `min_steps` rule steps in
    all. Returns the number of steps."""
    global _steps
    _steps = steps = Steps()
    try:
        _module.state_machine(rules_object, *args, settings=settings, **kwargs)
    finally:
        _steps = None
    steps.at_least(min_steps)
    return steps.count
