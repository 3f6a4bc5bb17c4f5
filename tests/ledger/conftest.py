"""Chains shared by the ledger package's tests (web3.py only, as members and auditors use it;
never brownie). Each chain is a real anvil started once per session:

- `anvil`: a general chain with a fresh deployment (`manifest`); tests that change it take
  `snapshot`, which reverts it afterwards;
- `demo_chain`: `waico demo` run once on a chain of its own and mirrored into SQLite; tests
  copy its working folder or its mirror before changing them;
- the mirror's tests add a chain of their own (tests/ledger/mirror/conftest.py), which they
  reorganise;
- `postgres`: a real PostgreSQL 15 cluster started here (as the `postgres` user when the tests
  run as root: PostgreSQL refuses root), for the mirror's and the audit's tests. If PostgreSQL
  cannot start, the PostgreSQL tests fail; they are never skipped.
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.app import demo
from ledger.chain.anvil import Anvil, dev_private_key
from ledger.chain.manifest import Manifest
from ledger.chain.node import connect
from ledger.chain.transactions import Signer
from ledger.mirror import sync
from ledger.org.deploy import Parameters, deploy
from scripts.bench import pgcluster


@pytest.fixture(scope="session")
def anvil():
    with Anvil(accounts=5) as chain:
        yield chain


@pytest.fixture(scope="session")
def w3(anvil):
    return connect(anvil.url)


@pytest.fixture
def snapshot(w3, secretariat):
    """Revert the general chain to where it was before the test."""
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    yield
    w3.provider.make_request("evm_revert", [snap])
    secretariat.resync()


@pytest.fixture(scope="session")
def secretariat(w3):
    return Signer(w3, dev_private_key(0))


@pytest.fixture(scope="session")
def manifest(w3, secretariat):
    m = deploy(w3, secretariat, Parameters(verifiers=(secretariat.address,)))
    secretariat.decoder = m.error_decoder()
    return m


@pytest.fixture(scope="session")
def membership(w3, manifest):
    return manifest.contract(w3, "Membership")


@dataclass
class DemoChain:
    url: str
    w3: object
    manifest: Manifest
    workdir: Path  # what `waico demo` wrote; copy it before changing anything in it
    mirror: Path  # a clean SQLite mirror of the whole demo chain; copy it before changing it


@pytest.fixture(scope="session")
def demo_chain(tmp_path_factory):
    """The demo (members, proposals on every track with batched ballots, a fund round) on an
    anvil of its own, mirrored once."""
    workdir = tmp_path_factory.mktemp("demo")
    with Anvil(accounts=5) as node:
        demo.run(workdir, rpc_url=node.url)
        w3 = connect(node.url)
        manifest = Manifest.load(workdir / "deployment.json")
        mirror = tmp_path_factory.mktemp("demo-mirror") / "clean-mirror.db"
        sync(w3, manifest, str(mirror))
        with sqlite3.connect(mirror) as conn:  # fold the WAL in, so that copying the file copies the mirror
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield DemoChain(node.url, w3, manifest, workdir, mirror)


@pytest.fixture
def demo_snapshot(demo_chain):
    """For a test that changes the demo chain: reverted to where it was afterwards."""
    snap = demo_chain.w3.provider.make_request("evm_snapshot", [])["result"]
    yield demo_chain
    demo_chain.w3.provider.make_request("evm_revert", [snap])


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on a free port (scripts/bench/pgcluster.py): its URL, no database."""
    try:
        server = pgcluster.cluster()
        url = server.__enter__()
    except pgcluster.ClusterError as exc:
        pytest.fail(str(exc))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)
