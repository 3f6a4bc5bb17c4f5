"""Fixtures for the audit's tests: copies of the demo chain's clean mirror, to tamper with."""

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def mirror_copy(demo_chain, tmp_path) -> Path:
    """A copy of the clean mirror this test may tamper with."""
    copy = tmp_path / "mirror.db"
    shutil.copyfile(demo_chain.mirror, copy)
    return copy
