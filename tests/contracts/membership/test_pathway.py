"""The shared-standards pathway: standards, tier requirements, declarations, verification,
promotion by anyone, demotion on revocation."""

import pytest

from tests.contracts.conftest import ASSOCIATE, CORPORATE, FULL, OBSERVER, PARTNER, STATE, fresh_address, fresh_key, raw_weight
from tests.contracts.membership.conftest import event, plain, record, settle
from tests.contracts.reverts import assert_reverts_with

NONE, DECLARED, CERTIFIED, REJECTED, REVOKED = range(5)
GOVERNANCE, PROMOTION, DEMOTION = 0, 1, 2
ADMIN_ROLE = b"\x00" * 32
EVIDENCE = b"\xe1" * 32
ADAPTATION = b"\xad" * 32
REASON = b"\x0e" * 32


def bits(*ids: int) -> int:
    return sum(1 << i for i in ids)


def declare(membership, account, standard_id, uri="ipfs://adaptation"):
    return membership.declareAdoption(standard_id, EVIDENCE, ADAPTATION, uri, {"from": account})


def certified(membership, verifier, account, *standard_ids):
    for standard_id in standard_ids:
        declare(membership, account, standard_id)
        membership.certify(account, standard_id, {"from": verifier})


# ------------------------------------------------------------------ standards


def test_register_standard_assigns_ids_from_zero(membership, admin):
    for n in range(3):
        tx = membership.registerStandard(f"Title {n}", f"ipfs://{n}", bytes([n]) * 32, {"from": admin})
        assert tx.return_value == n
        assert event(tx, "StandardRegistered") == {
            "standardId": n, "title": f"Title {n}", "uri": f"ipfs://{n}", "contentHash": "0x" + bytes([n]).hex() * 32,
        }
    assert membership.standardCount() == 3
    assert plain(membership.standard(1)) == ("Title 1", "ipfs://1", "0x" + "01" * 32)


def test_standard_rejects_unknown_id(membership, standards):
    assert_reverts_with("StandardUnknown", membership.standard, 3, error_args=(3,))


def test_register_standard_requires_admin(membership, verifier):
    assert_reverts_with(
        "AccessControlUnauthorizedAccount",
        membership.registerStandard, "T", "U", b"\x00" * 32, {"from": verifier},
        error_args=(verifier.address, ADMIN_ROLE),
    )


def test_set_tier_requirements(membership, admin, standards):
    tx = membership.setTierRequirements(PARTNER, bits(0, 2), {"from": admin})
    assert event(tx, "TierRequirementsSet") == {"tier": PARTNER, "standards": bits(0, 2)}
    assert membership.tierRequirements(PARTNER) == bits(0, 2)
    assert membership.tierRequirements(FULL) == 0
    membership.setTierRequirements(PARTNER, 0, {"from": admin})
    assert membership.tierRequirements(PARTNER) == 0


def test_set_tier_requirements_rejects_observer_tier(membership, admin, standards):
    assert_reverts_with(
        "TierRequirementsNotAllowed", membership.setTierRequirements, OBSERVER, bits(0), {"from": admin},
        error_args=(OBSERVER,),
    )


def test_set_tier_requirements_rejects_unknown_tier(membership, admin, standards):
    assert_reverts_with("TierUnknown", membership.setTierRequirements, 4, bits(0), {"from": admin}, error_args=(4,))
    assert_reverts_with("TierUnknown", membership.tierRequirements, 4, error_args=(4,))


@pytest.mark.parametrize("bitmap, highest", [(bits(3), 3), (bits(0, 7), 7), (1 << 255, 255)])
def test_set_tier_requirements_rejects_unregistered_standard(membership, admin, standards, bitmap, highest):
    assert_reverts_with(
        "StandardUnknown", membership.setTierRequirements, FULL, bitmap, {"from": admin}, error_args=(highest,)
    )


def test_set_tier_requirements_with_no_standards_registered(membership, admin):
    assert_reverts_with("StandardUnknown", membership.setTierRequirements, FULL, 1, {"from": admin}, error_args=(0,))


def test_all_256_standard_ids_can_be_registered_and_required(membership, admin, verifier, outsider, keyed_admit):
    """Standard ids are uint8: the 256th standard gets id 255 and a 257th is refused. With every
    id registered, any bitmap names registered standards, bit 255 included, and id 255 works
    like any other: certified, it earns a promotion."""
    for n in range(256):
        membership.registerStandard(f"Standard {n}", f"ipfs://std{n}", n.to_bytes(32, "big"), {"from": admin})
    assert membership.standardCount() == 256
    assert plain(membership.standard(255)) == ("Standard 255", "ipfs://std255", "0x" + (255).to_bytes(32, "big").hex())
    assert_reverts_with(
        "StandardLimitReached", membership.registerStandard, "One more", "ipfs://more", b"\x01" * 32, {"from": admin},
        error_args=(),
    )
    assert membership.standardCount() == 256

    tx = membership.setTierRequirements(FULL, bits(0, 255), {"from": admin})
    assert event(tx, "TierRequirementsSet") == {"tier": FULL, "standards": bits(0, 255)}
    assert membership.tierRequirements(FULL) == bits(0, 255)

    member = keyed_admit(STATE, PARTNER)
    certified(membership, verifier, member, 0)
    assert plain(membership.promotable(member)) == (False, bits(255))
    certified(membership, verifier, member, 255)
    assert record(membership, member)[4] == bits(0, 255)
    membership.promote(member, {"from": outsider})
    assert record(membership, member)[1] == FULL


def test_set_tier_requirements_requires_admin(membership, verifier, standards):
    assert_reverts_with(
        "AccessControlUnauthorizedAccount",
        membership.setTierRequirements, FULL, bits(0), {"from": verifier},
        error_args=(verifier.address, ADMIN_ROLE),
    )


# ------------------------------------------------------------------ declarations


def test_declare_adoption_records_and_emits(membership, standards, keyed_admit):
    account = keyed_admit(STATE, ASSOCIATE)
    tx = declare(membership, account, 1, "ipfs://ken-adaptation")
    assert event(tx, "AdoptionDeclared") == {
        "account": account.address, "standardId": 1, "evidenceHash": "0x" + EVIDENCE.hex(),
        "adaptationHash": "0x" + ADAPTATION.hex(), "adaptationURI": "ipfs://ken-adaptation",
    }
    assert plain(membership.declaration(account, 1)) == (
        DECLARED, "0x" + EVIDENCE.hex(), "0x" + ADAPTATION.hex(), "ipfs://ken-adaptation",
    )


def test_declare_adoption_without_adaptation(membership, standards, keyed_admit):
    account = keyed_admit(CORPORATE, OBSERVER)
    membership.declareAdoption(0, EVIDENCE, b"\x00" * 32, "", {"from": account})
    assert plain(membership.declaration(account, 0))[0] == DECLARED


def test_declare_adoption_rejects_non_member(membership, standards, outsider):
    assert_reverts_with(
        "MemberUnknown", membership.declareAdoption, 0, EVIDENCE, ADAPTATION, "", {"from": outsider},
        error_args=(outsider.address,),
    )


@pytest.mark.parametrize("action", ["suspend", "expel"])
def test_declare_adoption_rejects_inactive_member(membership, admin, standards, keyed_admit, action):
    account = keyed_admit()
    getattr(membership, action)(account, {"from": admin})
    assert_reverts_with(
        "MemberNotActive", membership.declareAdoption, 0, EVIDENCE, ADAPTATION, "", {"from": account},
        error_args=(account.address,),
    )


def test_declare_adoption_rejects_unknown_standard(membership, standards, keyed_admit):
    account = keyed_admit()
    assert_reverts_with(
        "StandardUnknown", membership.declareAdoption, 3, EVIDENCE, ADAPTATION, "", {"from": account},
        error_args=(3,),
    )


def test_redeclare_rejected_while_pending_or_certified(membership, verifier, standards, keyed_admit):
    account = keyed_admit()
    declare(membership, account, 0)
    assert_reverts_with(
        "DeclarationWrongStatus", membership.declareAdoption, 0, EVIDENCE, ADAPTATION, "", {"from": account},
        error_args=(account.address, 0, DECLARED),
    )
    membership.certify(account, 0, {"from": verifier})
    assert_reverts_with(
        "DeclarationWrongStatus", membership.declareAdoption, 0, EVIDENCE, ADAPTATION, "", {"from": account},
        error_args=(account.address, 0, CERTIFIED),
    )


@pytest.mark.parametrize("end", ["reject", "revoke"])
def test_redeclare_allowed_after_rejection_or_revocation(membership, verifier, standards, keyed_admit, end):
    account = keyed_admit()
    declare(membership, account, 0)
    if end == "revoke":
        membership.certify(account, 0, {"from": verifier})
    getattr(membership, end)(account, 0, REASON, {"from": verifier})
    membership.declareAdoption(0, b"\x22" * 32, b"\x00" * 32, "", {"from": account})
    assert plain(membership.declaration(account, 0)) == (DECLARED, "0x" + "22" * 32, "0x" + "00" * 32, "")


# ------------------------------------------------------------------ verification


def test_certify_sets_status_bit_and_emits(membership, verifier, standards, keyed_admit):
    account = keyed_admit()
    declare(membership, account, 2)
    tx = membership.certify(account, 2, {"from": verifier})
    assert event(tx, "DeclarationCertified") == {"account": account.address, "standardId": 2, "verifier": verifier.address}
    assert plain(membership.declaration(account, 2))[0] == CERTIFIED
    assert record(membership, account)[4] == bits(2)


def test_reject_sets_status_and_emits(membership, verifier, standards, keyed_admit):
    account = keyed_admit()
    declare(membership, account, 1)
    tx = membership.reject(account, 1, REASON, {"from": verifier})
    assert event(tx, "DeclarationRejected") == {
        "account": account.address, "standardId": 1, "verifier": verifier.address, "reasonHash": "0x" + REASON.hex(),
    }
    assert plain(membership.declaration(account, 1))[0] == REJECTED
    assert record(membership, account)[4] == 0


def test_revoke_clears_bit_and_emits(membership, verifier, standards, keyed_admit):
    account = keyed_admit()
    certified(membership, verifier, account, 0, 1)
    tx = membership.revoke(account, 0, REASON, {"from": verifier})
    assert event(tx, "CertificationRevoked") == {
        "account": account.address, "standardId": 0, "verifier": verifier.address, "reasonHash": "0x" + REASON.hex(),
    }
    assert plain(membership.declaration(account, 0))[0] == REVOKED
    assert record(membership, account)[4] == bits(1)
    assert "MemberTierChanged" not in tx.events


@pytest.mark.parametrize(
    "setup, action, status",
    [
        ([], "certify", NONE),
        ([], "reject", NONE),
        ([], "revoke", NONE),
        (["declare"], "revoke", DECLARED),
        (["declare", "certify"], "certify", CERTIFIED),
        (["declare", "certify"], "reject", CERTIFIED),
        (["declare", "reject"], "certify", REJECTED),
        (["declare", "reject"], "reject", REJECTED),
        (["declare", "reject"], "revoke", REJECTED),
        (["declare", "certify", "revoke"], "revoke", REVOKED),
        (["declare", "certify", "revoke"], "certify", REVOKED),
    ],
)
def test_verification_rejects_wrong_status(membership, verifier, standards, keyed_admit, setup, action, status):
    account = keyed_admit()
    for step in setup:
        if step == "declare":
            declare(membership, account, 0)
        elif step == "certify":
            membership.certify(account, 0, {"from": verifier})
        else:
            getattr(membership, step)(account, 0, REASON, {"from": verifier})
    args = (account, 0) if action == "certify" else (account, 0, REASON)
    assert_reverts_with(
        "DeclarationWrongStatus", getattr(membership, action), *args, {"from": verifier},
        error_args=(account.address, 0, status),
    )


@pytest.mark.parametrize("action", ["certify", "reject", "revoke"])
def test_verification_requires_verifier_role(membership, admin, verifier, standards, keyed_admit, action):
    account = keyed_admit()
    declare(membership, account, 0)
    if action == "revoke":
        membership.certify(account, 0, {"from": verifier})
    args = (account, 0) if action == "certify" else (account, 0, REASON)
    role = membership.VERIFIER_ROLE()
    for caller in (admin, account):  # not even governance or the member itself
        assert_reverts_with(
            "AccessControlUnauthorizedAccount", getattr(membership, action), *args, {"from": caller},
            error_args=(caller.address, role),
        )


# ------------------------------------------------------------------ promotion


def test_promote_by_anyone_once_earned(membership, admin, verifier, outsider, standards, keyed_admit):
    membership.setTierRequirements(ASSOCIATE, bits(0), {"from": admin})
    account = keyed_admit(STATE, OBSERVER)
    certified(membership, verifier, account, 0)
    assert plain(membership.promotable(account)) == (True, 0)
    before = settle()
    tx = membership.promote(account, {"from": outsider})
    after = settle()

    assert event(tx, "MemberTierChanged") == {
        "account": account.address, "fromTier": OBSERVER, "toTier": ASSOCIATE, "reason": PROMOTION,
    }
    assert record(membership, account)[1] == ASSOCIATE
    assert membership.getPastVotes(account, before) == 0
    assert membership.getPastVotes(account, after) == raw_weight(ASSOCIATE)


def test_promote_one_tier_at_a_time_through_all_tiers(membership, admin, verifier, outsider, standards, keyed_admit):
    for tier, standard_id in ((ASSOCIATE, 0), (PARTNER, 1), (FULL, 2)):
        membership.setTierRequirements(tier, bits(standard_id), {"from": admin})
    account = keyed_admit(CORPORATE, OBSERVER)
    certified(membership, verifier, account, 0, 1, 2)
    for tier in (ASSOCIATE, PARTNER, FULL):
        membership.promote(account, {"from": outsider})
        assert record(membership, account)[1] == tier
    assert_reverts_with(
        "PromotionBeyondTopTier", membership.promote, account, {"from": outsider}, error_args=(account.address,)
    )
    assert plain(membership.promotable(account)) == (False, 0)


def test_promote_not_earned_reports_missing_bitmap(membership, admin, verifier, outsider, standards, keyed_admit):
    membership.setTierRequirements(PARTNER, bits(0, 1, 2), {"from": admin})
    account = keyed_admit(STATE, ASSOCIATE)
    certified(membership, verifier, account, 1)
    declare(membership, account, 2)  # pending does not count
    assert plain(membership.promotable(account)) == (False, bits(0, 2))
    assert_reverts_with(
        "PromotionNotEarned", membership.promote, account, {"from": outsider}, error_args=(account.address, bits(0, 2))
    )


def test_promote_rejects_unknown_and_inactive_members(membership, admin, outsider, keyed_admit):
    stranger = fresh_address()
    assert_reverts_with("MemberUnknown", membership.promote, stranger, {"from": outsider}, error_args=(stranger,))
    for action in ("suspend", "expel"):
        account = keyed_admit()
        getattr(membership, action)(account, {"from": admin})
        assert plain(membership.promotable(account)) == (False, 0)
        assert_reverts_with(
            "MemberNotActive", membership.promote, account, {"from": outsider}, error_args=(account.address,)
        )


def test_promote_to_a_tier_without_requirements_is_closed(membership, outsider, keyed_admit):
    # An empty requirement bitmap must not let anyone's call lift an Observer to a voting tier.
    account = keyed_admit(STATE, OBSERVER)
    assert plain(membership.promotable(account)) == (False, 0)
    assert_reverts_with("PromotionPathClosed", membership.promote, account, {"from": outsider},
                        error_args=[ASSOCIATE])
    assert record(membership, account)[1] == OBSERVER


# ------------------------------------------------------------------ demotion on revocation


@pytest.fixture
def ladder(membership, admin, standards):
    """Associate requires {0}, Partner {1}, Full {0, 2}."""
    membership.setTierRequirements(ASSOCIATE, bits(0), {"from": admin})
    membership.setTierRequirements(PARTNER, bits(1), {"from": admin})
    membership.setTierRequirements(FULL, bits(0, 2), {"from": admin})


def test_revoking_a_standard_the_tier_requires_demotes(membership, verifier, ladder, keyed_admit):
    account = keyed_admit(STATE, FULL)
    certified(membership, verifier, account, 0, 1, 2)
    before = settle()
    tx = membership.revoke(account, 2, REASON, {"from": verifier})
    after = settle()
    # Full needs {0, 2}: lost; Partner needs {1}: still held.
    assert event(tx, "MemberTierChanged") == {
        "account": account.address, "fromTier": FULL, "toTier": PARTNER, "reason": DEMOTION,
    }
    assert record(membership, account)[1] == PARTNER
    assert membership.getPastVotes(account, before) == raw_weight(FULL)
    assert membership.getPastVotes(account, after) == raw_weight(PARTNER)


def test_demotion_skips_tiers_whose_requirements_no_longer_hold(membership, verifier, ladder, keyed_admit):
    account = keyed_admit(STATE, FULL)
    certified(membership, verifier, account, 0, 2)  # never had Partner's {1}
    membership.revoke(account, 0, REASON, {"from": verifier})
    # Full {0,2} lost, Partner {1} not held, Associate {0} lost: down to Observer.
    assert record(membership, account)[1] == OBSERVER
    assert not membership.isVoting(account)


def test_demotion_stops_at_first_tier_that_still_holds(membership, verifier, ladder, keyed_admit):
    account = keyed_admit(STATE, FULL)
    certified(membership, verifier, account, 0, 1, 2)
    membership.revoke(account, 0, REASON, {"from": verifier})
    assert record(membership, account)[1] == PARTNER


def test_revoking_a_standard_the_tier_does_not_require_keeps_tier(membership, verifier, ladder, keyed_admit):
    account = keyed_admit(STATE, FULL)
    certified(membership, verifier, account, 0, 1, 2)
    tx = membership.revoke(account, 1, REASON, {"from": verifier})  # only Partner needs 1
    assert "MemberTierChanged" not in tx.events
    assert record(membership, account)[1] == FULL


def test_revocation_demotes_suspended_member_without_weight_change(membership, admin, verifier, ladder, keyed_admit):
    account = keyed_admit(STATE, FULL)
    certified(membership, verifier, account, 0, 1, 2)
    membership.suspend(account, {"from": admin})
    membership.revoke(account, 2, REASON, {"from": verifier})
    assert record(membership, account)[1] == PARTNER
    assert membership.getPastVotes(account, settle()) == 0
    membership.reinstate(account, {"from": admin})
    assert membership.getPastVotes(account, settle()) == raw_weight(PARTNER)


def test_revocation_does_not_demote_expelled_member(membership, admin, verifier, ladder, keyed_admit):
    account = keyed_admit(STATE, FULL)
    certified(membership, verifier, account, 0, 1, 2)
    membership.expel(account, {"from": admin})
    tx = membership.revoke(account, 2, REASON, {"from": verifier})
    assert "MemberTierChanged" not in tx.events
    assert record(membership, account)[1] == FULL
    assert membership.getPastVotes(account, settle()) == 0
