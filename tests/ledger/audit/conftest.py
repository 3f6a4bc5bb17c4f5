"""Fixtures for the audit's tests: the demo on an anvil of their own, mirrored once.

Each test gets its own copy of the mirror's SQLite file, so tampering with it leaks
nowhere. These tests use web3.py only, never brownie.
"""

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger import demo
from ledger.anvil import Anvil
from ledger.chain import connect
from ledger.manifest import Manifest
from ledger.mirror import sync


@pytest.fixture(autouse=True)
def isolation():
    """Overrides tests/conftest.py's brownie `fn_isolation`: these tests use their own chain."""


@dataclass
class DemoChain:
    url: str
    w3: object
    manifest: Manifest
    workdir: Path
    mirror: Path  # the clean mirror; tests audit copies of it


@pytest.fixture(scope="session")
def demo_chain(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("audit-demo")
    with Anvil(accounts=5) as anvil:
        demo.run(workdir, rpc_url=anvil.url)
        w3 = connect(anvil.url)
        manifest = Manifest.load(workdir / "deployment.json")
        mirror = workdir / "clean-mirror.db"
        sync(w3, manifest, str(mirror))
        _checkpoint(mirror)
        yield DemoChain(anvil.url, w3, manifest, workdir, mirror)


def _checkpoint(db: Path) -> None:
    """Fold the WAL into the main file, so that copying the file copies the mirror."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture
def mirror_copy(demo_chain, tmp_path) -> Path:
    """A copy of the clean mirror this test may tamper with."""
    copy = tmp_path / "mirror.db"
    shutil.copyfile(demo_chain.mirror, copy)
    return copy
