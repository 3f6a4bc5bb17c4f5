"""The secretariat's scripts run against brownie's test chain; each test in its own snapshot."""

import pytest


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass
