"""Fixtures for the ledger package's tests: a real anvil of their own and a fresh deployment.

These tests use web3.py only (as members and auditors do), never brownie.
"""

import pytest

from ledger.anvil import Anvil, dev_private_key
from ledger.chain import Signer, connect
from ledger.deploy import Parameters, deploy


@pytest.fixture(autouse=True)
def isolation():
    """Overrides tests/conftest.py's brownie `fn_isolation`: these tests use their own chain."""


@pytest.fixture(scope="session")
def anvil():
    with Anvil(accounts=5) as chain:
        yield chain


@pytest.fixture(scope="session")
def w3(anvil):
    return connect(anvil.url)


@pytest.fixture
def snapshot(w3, secretariat):
    """Revert the ledger chain to where it was before the test."""
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
