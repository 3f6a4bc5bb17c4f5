"""Fixtures of the mirror tests: an anvil of their own with a deployment and activity on it,
and the databases — SQLite files, and databases on the PostgreSQL 15 cluster of the `postgres`
fixture (tests/ledger/conftest.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ledger.chain.anvil import Anvil, dev_private_key
from ledger.chain.node import connect
from ledger.chain.transactions import Signer
from ledger.org.deploy import Parameters, deploy
from scripts.bench import pgcluster

from .support import activity


@pytest.fixture(scope="session")
def chain():
    with Anvil(accounts=5) as node:
        yield node


@pytest.fixture(scope="session")
def w3(chain):
    return connect(chain.url)


@pytest.fixture(scope="session")
def secretariat(w3):
    return Signer(w3, dev_private_key(0))


@pytest.fixture(scope="session")
def deployment(w3, secretariat):
    """A deployment with membership activity on it (admissions, tiers, suspensions...)."""
    manifest = deploy(w3, secretariat, Parameters(verifiers=(secretariat.address,)))
    secretariat.decoder = manifest.error_decoder()
    activity(w3, secretariat, manifest, members=40, seed=1)
    return manifest


_databases = itertools.count()


def _new_db(kind: str, tmp_path: Path, request) -> str:
    n = next(_databases)
    if kind == "sqlite":
        return str(tmp_path / f"mirror{n}.db")
    return pgcluster.create_database(request.getfixturevalue("postgres"), f"mirror{n}")


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db(request, tmp_path):
    """A factory of empty databases of the parametrized kind."""
    return lambda: _new_db(request.param, tmp_path, request)


@pytest.fixture
def db(new_db):
    return new_db()
