"""brownie's `state_machine`, loaded from its pure-Python source.

brownie 1.22.2 ships `brownie.test.stateful` compiled with mypyc, and that build rejects every
generated machine (`TypeError: brownie.test.stateful._BrownieStateMachine object expected; got
...BrownieStateMachine`): the compiled `__init__` checks `self` against its native class, which a
class built with `type(...)` at run time never is. The same module's `.py` source, shipped
alongside, works; so the tests load that one. Same API: `state_machine(Rules, *args, settings=)`,
strategies as class attributes, `rule_*`, `invariant_*`, `setup`, `teardown`.
"""

import importlib.util
from pathlib import Path

import brownie.test

_source = Path(brownie.test.__file__).with_name("stateful.py")
_spec = importlib.util.spec_from_file_location("brownie_stateful_source", _source)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

state_machine = _module.state_machine
