"""Deployment and hand-over: after `hand_over`, the timelock holds every admin role and the
deployer none (the demo's chain, handed over by `waico demo`)."""

import pytest

ADMIN = b"\0" * 32


@pytest.mark.parametrize("contract", ["Membership", "EquityFund", "TimelockController"])
def test_hand_over_leaves_the_deployer_no_admin_role(demo_chain, contract):
    w3, manifest = demo_chain.w3, demo_chain.manifest
    roles = manifest.contract(w3, contract).functions
    timelock = manifest.contracts["TimelockController"].address

    assert not roles.hasRole(ADMIN, manifest.deployer).call()
    assert roles.hasRole(ADMIN, timelock).call()
