"""The secretariat's scripts run against brownie's test chain; each test in its own snapshot."""

import pytest

from tests.brownie_receipts import receipts_before_verdicts  # noqa: F401 (an autouse fixture)


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass
