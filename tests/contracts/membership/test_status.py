"""Suspension, reinstatement, expulsion and governance tier changes."""

import pytest

from tests.contracts.conftest import ASSOCIATE, CORPORATE, FULL, OBSERVER, PARTNER, STATE, fresh_address, raw_weight
from tests.contracts.membership.conftest import record, settle
from tests.contracts.reverts import assert_reverts_with

ACTIVE, SUSPENDED, EXPELLED = 1, 2, 3
GOVERNANCE, PROMOTION, DEMOTION = 0, 1, 2
ADMIN_ROLE = b"\x00" * 32


def status(membership, account):
    return record(membership, account)[2]


def test_suspend_removes_weight_from_next_timepoint(membership, admin, admit):
    account = admit(STATE, FULL)
    before = settle()
    tx = membership.suspend(account, {"from": admin})
    after = settle()

    assert tx.events["MemberSuspended"] == {"account": account}
    assert status(membership, account) == SUSPENDED
    assert not membership.isVoting(account)
    assert membership.getPastVotes(account, before) == raw_weight(FULL)
    assert membership.getPastVotes(account, after) == 0
    assert membership.getPastTotalSupply(after) == 0
    assert membership.getVotes(account) == 0


def test_reinstate_restores_weight(membership, admin, admit):
    account = admit(CORPORATE, PARTNER)
    admit(STATE, FULL)  # so the corporate cap leaves the corporate some weight
    membership.suspend(account, {"from": admin})
    tx = membership.reinstate(account, {"from": admin})
    at = settle()

    assert tx.events["MemberReinstated"] == {"account": account}
    assert status(membership, account) == ACTIVE
    assert membership.isVoting(account)
    assert membership.getPastVotes(account, at) > 0


@pytest.mark.parametrize("suspended_first", [False, True])
def test_expel_removes_weight_for_good(membership, admin, admit, suspended_first):
    account = admit(STATE, FULL)
    if suspended_first:
        membership.suspend(account, {"from": admin})
    tx = membership.expel(account, {"from": admin})
    at = settle()

    assert tx.events["MemberExpelled"] == {"account": account}
    assert status(membership, account) == EXPELLED
    assert membership.getPastVotes(account, at) == 0
    assert_reverts_with("MemberNotSuspended", membership.reinstate, account, {"from": admin}, error_args=(account,))
    assert_reverts_with("MemberNotActive", membership.setTier, account, PARTNER, {"from": admin}, error_args=(account,))


def test_suspend_rejects_suspended_and_expelled(membership, admin, admit):
    suspended, expelled = admit(STATE, FULL), admit(STATE, FULL)
    membership.suspend(suspended, {"from": admin})
    membership.expel(expelled, {"from": admin})
    for account in (suspended, expelled):
        assert_reverts_with("MemberNotActive", membership.suspend, account, {"from": admin}, error_args=(account,))


def test_reinstate_rejects_active_member(membership, admin, admit):
    account = admit(STATE, FULL)
    assert_reverts_with("MemberNotSuspended", membership.reinstate, account, {"from": admin}, error_args=(account,))


def test_expel_rejects_expelled_member(membership, admin, admit):
    account = admit(STATE, FULL)
    membership.expel(account, {"from": admin})
    assert_reverts_with("MemberNotActive", membership.expel, account, {"from": admin}, error_args=(account,))


@pytest.mark.parametrize("action", ["suspend", "reinstate", "expel"])
def test_status_changes_reject_unknown_account(membership, admin, action):
    account = fresh_address()
    assert_reverts_with("MemberUnknown", getattr(membership, action), account, {"from": admin}, error_args=(account,))


@pytest.mark.parametrize("action", ["suspend", "reinstate", "expel"])
def test_status_changes_require_admin(membership, admin, verifier, admit, action):
    account = admit(STATE, FULL)
    if action == "reinstate":
        membership.suspend(account, {"from": admin})
    assert_reverts_with(
        "AccessControlUnauthorizedAccount",
        getattr(membership, action), account, {"from": verifier},
        error_args=(verifier.address, ADMIN_ROLE),
    )


def test_observer_suspension_changes_no_weight(membership, admin, admit):
    observer, state = admit(STATE, OBSERVER), admit(STATE, FULL)
    before = settle()
    membership.suspend(observer, {"from": admin})
    membership.reinstate(observer, {"from": admin})
    after = settle()
    assert membership.getPastTotalSupply(before) == membership.getPastTotalSupply(after) == raw_weight(FULL)
    assert membership.getPastVotes(observer, after) == 0


# ------------------------------------------------------------------ setTier


@pytest.mark.parametrize("from_tier, to_tier", [(OBSERVER, FULL), (FULL, OBSERVER), (ASSOCIATE, PARTNER), (FULL, ASSOCIATE)])
def test_set_tier_changes_weight_and_emits_governance_change(membership, admin, admit, from_tier, to_tier):
    account = admit(STATE, from_tier)
    before = settle()
    tx = membership.setTier(account, to_tier, {"from": admin})
    after = settle()

    assert tx.events["MemberTierChanged"] == {
        "account": account, "fromTier": from_tier, "toTier": to_tier, "reason": GOVERNANCE,
    }
    assert record(membership, account)[1] == to_tier
    assert membership.getPastVotes(account, before) == raw_weight(from_tier)
    assert membership.getPastVotes(account, after) == raw_weight(to_tier)
    assert membership.votingCount(STATE, to_tier) == (1 if to_tier else 0)


def test_set_tier_of_suspended_member_takes_effect_on_reinstatement(membership, admin, admit):
    account = admit(STATE, ASSOCIATE)
    membership.suspend(account, {"from": admin})
    membership.setTier(account, FULL, {"from": admin})
    suspended_at = settle()
    membership.reinstate(account, {"from": admin})
    reinstated_at = settle()
    assert membership.getPastVotes(account, suspended_at) == 0
    assert membership.getPastVotes(account, reinstated_at) == raw_weight(FULL)


def test_set_tier_rejects_same_tier(membership, admin, admit):
    account = admit(STATE, PARTNER)
    assert_reverts_with(
        "TierUnchanged", membership.setTier, account, PARTNER, {"from": admin}, error_args=(account, PARTNER)
    )


def test_set_tier_rejects_unknown_tier_and_account(membership, admin, admit):
    account = admit(STATE, PARTNER)
    assert_reverts_with("TierUnknown", membership.setTier, account, 4, {"from": admin}, error_args=(4,))
    stranger = fresh_address()
    assert_reverts_with("MemberUnknown", membership.setTier, stranger, FULL, {"from": admin}, error_args=(stranger,))


def test_set_tier_requires_admin(membership, verifier, admit):
    account = admit(STATE, PARTNER)
    assert_reverts_with(
        "AccessControlUnauthorizedAccount",
        membership.setTier, account, FULL, {"from": verifier},
        error_args=(verifier.address, ADMIN_ROLE),
    )


def test_voting_count_tracks_classes(membership, admin, admit):
    a, b = admit(STATE, FULL), admit(CORPORATE, FULL)
    admit(CORPORATE, FULL)
    admit(CORPORATE, OBSERVER)
    assert membership.votingCount(STATE, FULL) == 1
    assert membership.votingCount(CORPORATE, FULL) == 2
    assert membership.votingCount(CORPORATE, OBSERVER) == 0
    membership.suspend(b, {"from": admin})
    membership.setTier(a, PARTNER, {"from": admin})
    assert membership.votingCount(CORPORATE, FULL) == 1
    assert membership.votingCount(STATE, FULL) == 0
    assert membership.votingCount(STATE, PARTNER) == 1
