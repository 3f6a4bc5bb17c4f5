"""admit: who may be admitted, with what profile, and what is recorded."""

import pytest
from brownie import ZERO_ADDRESS

from tests.contracts.conftest import ASSOCIATE, CORPORATE, FULL, OBSERVER, PARTNER, STATE, fresh_address, raw_weight
from tests.contracts.membership.conftest import record, settle
from tests.contracts.reverts import assert_reverts_with

ACTIVE, SUSPENDED, EXPELLED = 1, 2, 3


@pytest.mark.parametrize("kind", [STATE, CORPORATE])
@pytest.mark.parametrize("tier", [OBSERVER, ASSOCIATE, PARTNER, FULL])
def test_admit_records_profile_and_emits_event(membership, admin, kind, tier):
    account = fresh_address()
    tx = membership.admit(account, kind, tier, "Republic of Kenya", "KEN", {"from": admin})

    assert tx.events["MemberAdmitted"] == {
        "account": account,
        "kind": kind,
        "tier": tier,
        "name": "Republic of Kenya",
        "identifier": "KEN",
    }
    assert record(membership, account) == (kind, tier, ACTIVE, 1, 0, "Republic of Kenya", "KEN")
    assert membership.memberCount() == 1
    assert membership.memberAt(1) == account
    assert membership.isVoting(account) == (tier != OBSERVER)
    assert membership.delegates(account) == account


def test_admitted_members_get_dense_one_based_indices(membership, admit):
    accounts_ = [admit(STATE, FULL), admit(CORPORATE, ASSOCIATE), admit(STATE, OBSERVER)]
    assert membership.memberCount() == 3
    for index, account in enumerate(accounts_, start=1):
        assert membership.memberAt(index) == account
        assert record(membership, account)[3] == index


def test_admission_gives_weight_from_its_block_on(membership, admin):
    account = fresh_address()
    before = settle()
    membership.admit(account, STATE, PARTNER, "Chile", "CHL", {"from": admin})
    at = settle()
    assert membership.getPastVotes(account, before) == 0
    assert membership.getPastVotes(account, at) == raw_weight(PARTNER)


def test_admit_rejects_zero_address(membership, admin):
    assert_reverts_with("MemberZeroAddress", membership.admit, ZERO_ADDRESS, STATE, FULL, "X", "XXX", {"from": admin})


def test_admit_rejects_existing_member(membership, admin, admit):
    account = admit(STATE, FULL)
    assert_reverts_with(
        "MemberAlreadyAdmitted",
        membership.admit, account, CORPORATE, PARTNER, "Other", "OTHER", {"from": admin},
        error_args=(account,),
    )


@pytest.mark.parametrize("then", ["suspend", "expel"])
def test_admit_rejects_suspended_or_expelled_member(membership, admin, admit, then):
    account = admit(STATE, FULL)
    getattr(membership, then)(account, {"from": admin})
    assert_reverts_with(
        "MemberAlreadyAdmitted",
        membership.admit, account, STATE, FULL, "Again", "AGAIN", {"from": admin},
        error_args=(account,),
    )


@pytest.mark.parametrize("name, identifier", [("", "KEN"), ("Kenya", ""), ("", "")])
def test_admit_rejects_empty_name_or_identifier(membership, admin, name, identifier):
    assert_reverts_with(
        "MemberProfileIncomplete", membership.admit, fresh_address(), STATE, FULL, name, identifier, {"from": admin}
    )


@pytest.mark.parametrize("kind", [STATE, CORPORATE])
def test_admit_rejects_identifier_taken_by_same_kind(membership, admin, admit, kind):
    admit(kind, FULL, identifier="KEN")
    assert_reverts_with(
        "MemberIdentifierTaken",
        membership.admit, fresh_address(), kind, PARTNER, "Someone", "KEN", {"from": admin},
        error_args=("KEN",),
    )


def test_identifier_stays_taken_after_expulsion(membership, admin, admit):
    account = admit(STATE, FULL, identifier="KEN")
    membership.expel(account, {"from": admin})
    assert_reverts_with(
        "MemberIdentifierTaken",
        membership.admit, fresh_address(), STATE, FULL, "Kenya", "KEN", {"from": admin},
        error_args=("KEN",),
    )


def test_same_identifier_allowed_for_a_state_and_a_corporate(membership, admin):
    state, corporate = fresh_address(), fresh_address()
    membership.admit(state, STATE, FULL, "Kenya", "KEN", {"from": admin})
    membership.admit(corporate, CORPORATE, FULL, "KEN Holdings", "KEN", {"from": admin})
    assert membership.member(state)[6] == membership.member(corporate)[6] == "KEN"


def test_identifiers_are_case_sensitive_bytes(membership, admin, admit):
    admit(STATE, FULL, identifier="KEN")
    membership.admit(fresh_address(), STATE, FULL, "Other", "ken", {"from": admin})
    assert membership.memberCount() == 2


@pytest.mark.parametrize("tier", [4, 5, 255])
def test_admit_rejects_unknown_tier(membership, admin, tier):
    assert_reverts_with(
        "TierUnknown", membership.admit, fresh_address(), STATE, tier, "X", "XXX", {"from": admin}, error_args=(tier,)
    )


def test_admit_requires_admin(membership, verifier, outsider):
    for caller in (verifier, outsider):
        assert_reverts_with(
            "AccessControlUnauthorizedAccount",
            membership.admit, fresh_address(), STATE, FULL, "X", "XXX", {"from": caller},
            error_args=(caller.address, b"\x00" * 32),
        )
    assert membership.memberCount() == 0


def test_unknown_account_reads_as_empty_record(membership):
    account = fresh_address()
    assert record(membership, account) == (STATE, 0, 0, 0, 0, "", "")
    assert not membership.isVoting(account)
    assert membership.delegates(account) == ZERO_ADDRESS
    assert membership.getVotes(account) == 0
