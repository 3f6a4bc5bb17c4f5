"""Fixtures of the mirror tests: an anvil of their own with a deployment and activity on it,
and the databases — SQLite files, and a real PostgreSQL 15 cluster started here (as the
`postgres` user when the tests run as root: PostgreSQL refuses root). If PostgreSQL cannot
start, the PostgreSQL tests fail; they are never skipped."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from ledger.anvil import Anvil, dev_private_key, free_port
from ledger.chain import Signer, connect
from ledger.deploy import Parameters, deploy

from .support import activity

PG_BIN = Path(os.environ.get("WAICO_PG_BIN", "/usr/lib/postgresql/15/bin"))


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


def _as_postgres(argv: list) -> list:
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + [str(a) for a in argv]


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on a free port (trust auth, socket in its temp dir)."""
    root = Path(tempfile.mkdtemp(prefix="mirror-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    run = lambda argv: subprocess.run(_as_postgres(argv), check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run([PG_BIN / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
        run([PG_BIN / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "-t", "30", "-o",
             f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off -c full_page_writes=off", "start"])
    except (subprocess.CalledProcessError, OSError) as exc:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {exc} {getattr(exc, 'stderr', '')} {log[-1000:]}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


_databases = itertools.count()


def _new_db(kind: str, tmp_path: Path, request) -> str:
    n = next(_databases)
    if kind == "sqlite":
        return str(tmp_path / f"mirror{n}.db")
    server = request.getfixturevalue("postgres")
    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE mirror{n}")
    return f"{server}/mirror{n}"


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db(request, tmp_path):
    """A factory of empty databases of the parametrized kind."""
    return lambda: _new_db(request.param, tmp_path, request)


@pytest.fixture
def db(new_db):
    return new_db()
