"""Property: no account without the governance role changes weights or tiers through the admin
functions, and no account without the verifier role verifies; every such call reverts with
AccessControlUnauthorizedAccount and leaves weights and records as they were."""

from brownie import accounts
from brownie.test import given, strategy
from hypothesis import settings
from hypothesis import strategies as st

from tests.contracts.conftest import CORPORATE, FULL, PARTNER, STATE
from tests.contracts.membership.conftest import plain, record
from tests.contracts.reverts import assert_reverts_with

ADMIN_ROLE = b"\x00" * 32
ADMIN_FUNCTIONS = [
    "admit", "setTier", "suspend", "reinstate", "expel", "setVoteSchedule", "setCorporateCap", "setTierName",
    "registerStandard", "setTierRequirements", "setSharingRecord", "setTierSharingRequirement", "grantRole",
]


def _admin_calls(membership, target):
    return {
        "admit": (membership.admit, (accounts[8], STATE, FULL, "X", "XYZ")),
        "setTier": (membership.setTier, (target, FULL)),
        "suspend": (membership.suspend, (target,)),
        "reinstate": (membership.reinstate, (target,)),
        "expel": (membership.expel, (target,)),
        "setVoteSchedule": (membership.setVoteSchedule, (10**6, [1, 2, 3])),
        "setCorporateCap": (membership.setCorporateCap, (10_000,)),
        "setTierName": (membership.setTierName, (1, "Friend")),
        "registerStandard": (membership.registerStandard, ("T", "U", b"\x01" * 32)),
        "setTierRequirements": (membership.setTierRequirements, (FULL, 0)),
        "setSharingRecord": (membership.setSharingRecord, (accounts[6],)),
        "setTierSharingRequirement": (membership.setTierSharingRequirement, (FULL, 0)),
        "grantRole": (membership.grantRole, (ADMIN_ROLE, accounts[7])),
    }


@settings(max_examples=15)
@given(caller=strategy("uint8", min_value=1, max_value=9), function=st.sampled_from(ADMIN_FUNCTIONS))
def test_non_admins_cannot_use_admin_functions(membership, admin, admit, caller, function):
    caller = accounts[caller]  # accounts[0] is the admin; [1] the verifier; members hold [2], [3]
    if membership.memberCount() == 0:
        admit(STATE, PARTNER, account=accounts[2].address)
        admit(CORPORATE, FULL, account=accounts[3].address)
    target = accounts[2]
    before = (
        [plain(record(membership, a)) for a in (accounts[2], accounts[3])],
        plain(membership.voteSchedule()),
        [membership.getVotes(a) for a in (accounts[2], accounts[3])],
        membership.memberCount(),
        (str(membership.sharingRecord()), membership.tierSharingRequirement(FULL)),
    )
    fn, args = _admin_calls(membership, target)[function]
    assert_reverts_with(
        "AccessControlUnauthorizedAccount", fn, *args, {"from": caller}, error_args=(caller.address, ADMIN_ROLE)
    )
    after = (
        [plain(record(membership, a)) for a in (accounts[2], accounts[3])],
        plain(membership.voteSchedule()),
        [membership.getVotes(a) for a in (accounts[2], accounts[3])],
        membership.memberCount(),
        (str(membership.sharingRecord()), membership.tierSharingRequirement(FULL)),
    )
    assert after == before
