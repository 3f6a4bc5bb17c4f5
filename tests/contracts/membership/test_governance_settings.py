"""Vote schedule, corporate cap and tier names: set by governance only, with events."""

import pytest

from tests.contracts.conftest import BASIC_VOTES, CORPORATE_CAP_BPS, FULL, PARTNER, STATE, TIER_VOTES, raw_weight
from tests.contracts.membership.conftest import event, settle
from tests.contracts.reverts import assert_reverts_with

ADMIN_ROLE = b"\x00" * 32


def schedule(membership):
    basic, tiers, cap = membership.voteSchedule()
    return int(basic), [int(t) for t in tiers], int(cap)


def test_constructor_sets_schedule_cap_and_default_tier_names(membership):
    assert schedule(membership) == (BASIC_VOTES, TIER_VOTES, CORPORATE_CAP_BPS)
    assert [membership.tierName(t) for t in range(4)] == ["Observer", "Associate", "Partner", "Full"]
    assert membership.tierCount() == 4


def test_constructor_emits_schedule_and_cap(membership):
    tx = membership.tx
    assert event(tx, "VoteScheduleSet") == {"basicVotes": BASIC_VOTES, "tierVotes": tuple(TIER_VOTES)}
    assert tx.events["CorporateCapSet"] == {"cap": CORPORATE_CAP_BPS}


def test_constructor_rejects_cap_above_whole(admin):
    from brownie import Membership
    from brownie.exceptions import VirtualMachineError

    with pytest.raises(VirtualMachineError) as exc:
        Membership.deploy(admin, 1, [1, 2, 3], 10_001, {"from": admin})
    assert exc.value.revert_msg.startswith("CapOutOfRange")


def test_set_vote_schedule_keeps_cap_and_applies_from_its_block(membership, admin, admit):
    account = admit(STATE, PARTNER)
    before = settle()
    tx = membership.setVoteSchedule(10, [1, 2, 3], {"from": admin})
    after = settle()

    assert event(tx, "VoteScheduleSet") == {"basicVotes": 10, "tierVotes": (1, 2, 3)}
    assert schedule(membership) == (10, [1, 2, 3], CORPORATE_CAP_BPS)
    assert membership.getPastVotes(account, before) == raw_weight(PARTNER)
    assert membership.getPastVotes(account, after) == 12
    assert membership.pastScale(before)[0] != membership.pastScale(after)[0]


def test_set_vote_schedule_accepts_extreme_values(membership, admin, admit):
    account = admit(STATE, FULL)
    top = 2**32 - 1
    membership.setVoteSchedule(top, [top, top, top], {"from": admin})
    assert schedule(membership) == (top, [top] * 3, CORPORATE_CAP_BPS)
    assert membership.getPastVotes(account, settle()) == 2 * top


@pytest.mark.parametrize("cap", [0, 1, 5000, 9999, 10_000])
def test_set_corporate_cap_keeps_schedule(membership, admin, cap):
    tx = membership.setCorporateCap(cap, {"from": admin})
    assert tx.events["CorporateCapSet"] == {"cap": cap}
    assert schedule(membership) == (BASIC_VOTES, TIER_VOTES, cap)


@pytest.mark.parametrize("cap", [10_001, 65_535])
def test_set_corporate_cap_rejects_more_than_whole(membership, admin, cap):
    assert_reverts_with("CapOutOfRange", membership.setCorporateCap, cap, {"from": admin}, error_args=(cap,))
    assert schedule(membership)[2] == CORPORATE_CAP_BPS


def test_set_tier_name(membership, admin):
    tx = membership.setTierName(3, "Founding", {"from": admin})
    assert tx.events["TierNameSet"] == {"tier": 3, "name": "Founding"}
    assert membership.tierName(3) == "Founding"
    assert membership.tierName(2) == "Partner"


def test_tier_name_rejects_unknown_tier(membership, admin):
    assert_reverts_with("TierUnknown", membership.tierName, 4, error_args=(4,))
    assert_reverts_with("TierUnknown", membership.setTierName, 4, "Extra", {"from": admin}, error_args=(4,))


@pytest.mark.parametrize(
    "function, args",
    [
        ("setVoteSchedule", (1, [1, 1, 1])),
        ("setCorporateCap", (5000,)),
        ("setTierName", (1, "Friend")),
    ],
)
def test_settings_require_admin(membership, verifier, outsider, function, args):
    for caller in (verifier, outsider):
        assert_reverts_with(
            "AccessControlUnauthorizedAccount",
            getattr(membership, function), *args, {"from": caller},
            error_args=(caller.address, ADMIN_ROLE),
        )
    assert schedule(membership) == (BASIC_VOTES, TIER_VOTES, CORPORATE_CAP_BPS)
    assert membership.tierName(1) == "Associate"
