"""The revert helper itself: it must tell one custom error from another."""

import pytest

from tests.contracts.conftest import FULL, STATE
from tests.contracts.reverts import assert_reverts_with, error_signature


def test_error_signature_is_built_from_the_abi(membership):
    assert error_signature(membership.abi, "DeclarationWrongStatus") == (
        "DeclarationWrongStatus(address,uint8,uint8)",
        ["address", "uint8", "uint8"],
    )


def test_helper_fails_on_a_different_error(membership, admin, admit):
    account = admit(STATE, FULL)
    with pytest.raises(AssertionError, match="expected MemberUnknown"):
        assert_reverts_with("MemberUnknown", membership.admit, account, STATE, FULL, "X", "Y", {"from": admin})


def test_helper_fails_on_wrong_arguments(membership, admin, admit):
    account = admit(STATE, FULL)
    with pytest.raises(AssertionError, match="arguments"):
        assert_reverts_with(
            "MemberAlreadyAdmitted", membership.admit, account, STATE, FULL, "X", "Y", {"from": admin},
            error_args=(admin.address,),
        )


def test_helper_fails_when_nothing_reverts(membership, admin):
    with pytest.raises(AssertionError, match="did not revert"):
        assert_reverts_with("TierUnknown", membership.tierName, 1)
