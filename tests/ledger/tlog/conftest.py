"""The checkpoint layer is pure functions: no chain, so no per-test chain snapshot either."""

import pytest


@pytest.fixture(autouse=True)
def isolation():
    """Overrides tests/conftest.py's brownie `fn_isolation`, which costs a snapshot per test."""
