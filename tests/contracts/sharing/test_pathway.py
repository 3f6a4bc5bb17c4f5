"""The pathway rewards sharing: Membership's record of sharing (the platform), each tier's
minimum of confirmed deliveries to distinct requesters, and `promote`/`promotable` checking it
alongside the standards. (That `promotable` agrees with `promote` is a property: test_properties.)"""

import pytest
from brownie import Membership, SharingPlatform

from tests.contracts.conftest import (
    ASSOCIATE, BASIC_VOTES, CORPORATE_CAP_BPS, FULL, OBSERVER, PARTNER, STATE, TIER_VOTES, fresh_address,
)
from tests.contracts.membership.conftest import event, plain, record
from tests.contracts.membership.test_pathway import bits, certified
from tests.contracts.reverts import assert_reverts_with

ADMIN_ROLE = b"\x00" * 32
ZERO = "0x" + "00" * 20


def tier_of(membership, account) -> int:
    return record(membership, account)[1]


# ------------------------------------------------------------------ the record of sharing


def test_set_sharing_record_emits_and_is_read(membership, admin, sharing):
    """(The sharing fixture set it; setting it again, to another platform, or to none.)"""
    assert membership.sharingRecord() == sharing.address
    other = SharingPlatform.deploy(membership, {"from": admin})
    tx = membership.setSharingRecord(other, {"from": admin})
    assert event(tx, "SharingRecordSet") == {"sharing": other.address}
    assert membership.sharingRecord() == other.address
    tx = membership.setSharingRecord(ZERO, {"from": admin})  # no tier requires sharing: allowed
    assert event(tx, "SharingRecordSet") == {"sharing": ZERO}
    assert membership.sharingRecord() == ZERO


def test_without_a_record_nobody_has_shared(admin):
    """A Membership as deployed, before any record of sharing is set."""
    membership = Membership.deploy(admin, BASIC_VOTES, TIER_VOTES, CORPORATE_CAP_BPS, {"from": admin})
    account = fresh_address()
    membership.admit(account, STATE, PARTNER, "Member", "M1", {"from": admin})
    assert membership.sharingRecord() == ZERO
    assert membership.sharingOf(account) == 0
    # a zero minimum needs no record; any other does
    membership.setTierSharingRequirement(FULL, 0, {"from": admin})
    assert_reverts_with("SharingRecordUnset", membership.setTierSharingRequirement, FULL, 1, {"from": admin},
                        error_args=())
    assert membership.tierSharingRequirement(FULL) == 0


def test_set_tier_sharing_requirement_emits_and_is_read(membership, admin, sharing):
    for tier, minimum in ((ASSOCIATE, 1), (PARTNER, 2), (FULL, 2**32 - 1)):
        tx = membership.setTierSharingRequirement(tier, minimum, {"from": admin})
        assert event(tx, "TierSharingRequirementSet") == {"tier": tier, "minimum": minimum}
        assert membership.tierSharingRequirement(tier) == minimum
    assert membership.tierSharingRequirement(OBSERVER) == 0
    membership.setTierSharingRequirement(PARTNER, 0, {"from": admin})
    assert membership.tierSharingRequirement(PARTNER) == 0


def test_set_tier_sharing_requirement_refuses_the_observer_tier_and_unknown_tiers(membership, admin, sharing):
    assert_reverts_with("TierRequirementsNotAllowed", membership.setTierSharingRequirement, OBSERVER, 1,
                        {"from": admin}, error_args=(OBSERVER,))
    assert_reverts_with("TierRequirementsNotAllowed", membership.setTierSharingRequirement, OBSERVER, 0,
                        {"from": admin}, error_args=(OBSERVER,))
    for tier in (4, 255):
        assert_reverts_with("TierUnknown", membership.setTierSharingRequirement, tier, 1, {"from": admin},
                            error_args=(tier,))
        assert_reverts_with("TierUnknown", membership.tierSharingRequirement, tier, error_args=(tier,))


def test_the_record_cannot_be_unset_while_a_tier_requires_sharing(membership, admin, sharing):
    for tier in (ASSOCIATE, PARTNER, FULL):
        membership.setTierSharingRequirement(tier, 1, {"from": admin})
        assert_reverts_with("SharingRecordUnset", membership.setSharingRecord, ZERO, {"from": admin}, error_args=())
        assert membership.sharingRecord() == sharing.address
        membership.setTierSharingRequirement(tier, 0, {"from": admin})
    membership.setSharingRecord(ZERO, {"from": admin})  # once none requires it


@pytest.mark.parametrize("function", ["setSharingRecord", "setTierSharingRequirement"])
def test_only_governance_sets_the_sharing_rules(membership, admin, verifier, outsider, sharing, member, function):
    args = (ZERO,) if function == "setSharingRecord" else (FULL, 5)
    for caller in (outsider, verifier, member()):
        assert_reverts_with("AccessControlUnauthorizedAccount", getattr(membership, function), *args,
                            {"from": caller}, error_args=(caller.address, ADMIN_ROLE))
    assert membership.sharingRecord() == sharing.address
    assert membership.tierSharingRequirement(FULL) == 0


# ------------------------------------------------------------------ promotion


def test_promotion_waits_for_deliveries_to_distinct_requesters(membership, admin, sharing, share, member, outsider):
    """Full needs 2 distinct requesters (and no standard): refused at 0 and 1, allowed at 2."""
    membership.setTierSharingRequirement(FULL, 2, {"from": admin})
    partner = member(PARTNER)
    for shared, requester in ((0, member()), (1, member())):
        assert membership.sharingOf(partner) == shared
        assert plain(membership.promotable(partner)) == (False, 0)
        assert_reverts_with("PromotionNeedsSharing", membership.promote, partner, {"from": outsider},
                            error_args=(partner.address, shared, 2))
        share.delivered(partner, requester)
    assert membership.sharingOf(partner) == 2
    assert plain(membership.promotable(partner)) == (True, 0)
    tx = membership.promote(partner, {"from": outsider})
    assert event(tx, "MemberTierChanged") == {
        "account": partner.address, "fromTier": PARTNER, "toTier": FULL, "reason": 1,
    }
    assert tier_of(membership, partner) == FULL


def test_a_tier_with_only_a_sharing_requirement_is_open_to_promotion(membership, admin, sharing, share, member,
                                                                     outsider):
    """No standard, a sharing minimum: not closed (PromotionPathClosed is for neither)."""
    observer = member(OBSERVER)
    assert_reverts_with("PromotionPathClosed", membership.promote, observer, {"from": outsider},
                        error_args=(ASSOCIATE,))
    membership.setTierSharingRequirement(ASSOCIATE, 1, {"from": admin})
    assert_reverts_with("PromotionNeedsSharing", membership.promote, observer, {"from": outsider},
                        error_args=(observer.address, 0, 1))
    share.delivered(observer, member(OBSERVER))  # an Observer shares with an Observer (minTier 0)
    membership.promote(observer, {"from": outsider})
    assert tier_of(membership, observer) == ASSOCIATE
    assert membership.isVoting(observer)


def test_standards_are_checked_before_sharing(membership, admin, verifier, sharing, share, standards, member,
                                              outsider):
    membership.setTierRequirements(FULL, bits(0, 1), {"from": admin})
    membership.setTierSharingRequirement(FULL, 1, {"from": admin})
    partner = member(PARTNER)
    certified(membership, verifier, partner, 0)
    assert_reverts_with("PromotionNotEarned", membership.promote, partner, {"from": outsider},
                        error_args=(partner.address, bits(1)))
    share.delivered(partner, member())
    assert plain(membership.promotable(partner)) == (False, bits(1))  # sharing alone is not enough
    assert_reverts_with("PromotionNotEarned", membership.promote, partner, {"from": outsider},
                        error_args=(partner.address, bits(1)))
    membership.setTierSharingRequirement(FULL, 2, {"from": admin})
    certified(membership, verifier, partner, 1)
    assert plain(membership.promotable(partner)) == (False, 0)  # standards alone neither
    assert_reverts_with("PromotionNeedsSharing", membership.promote, partner, {"from": outsider},
                        error_args=(partner.address, 1, 2))
    share.delivered(partner, member())
    membership.promote(partner, {"from": outsider})
    assert tier_of(membership, partner) == FULL


def test_sharing_does_not_pass_a_tier_ceiling_or_status(membership, admin, sharing, share, member, outsider):
    membership.setTierSharingRequirement(FULL, 1, {"from": admin})
    capped = member(FULL)
    membership.setTier(capped, PARTNER, {"from": admin})  # governance demotes: a ceiling
    share.delivered(capped, member())
    assert plain(membership.promotable(capped)) == (False, 0)
    assert_reverts_with("PromotionAboveTierCeiling", membership.promote, capped, {"from": outsider},
                        error_args=(capped.address, PARTNER))
    suspended = member(PARTNER)
    share.delivered(suspended, member())
    membership.suspend(suspended, {"from": admin})
    assert plain(membership.promotable(suspended)) == (False, 0)
    assert_reverts_with("MemberNotActive", membership.promote, suspended, {"from": outsider},
                        error_args=(suspended.address,))


def test_promotion_reads_the_record_governance_set(membership, admin, sharing, share, member, outsider):
    """A new platform starts from nothing: deliveries on the old one no longer count."""
    membership.setTierSharingRequirement(FULL, 1, {"from": admin})
    partner = member(PARTNER)
    share.delivered(partner, member())
    assert membership.sharingOf(partner) == 1
    fresh = SharingPlatform.deploy(membership, {"from": admin})
    membership.setSharingRecord(fresh, {"from": admin})
    assert membership.sharingOf(partner) == 0
    assert_reverts_with("PromotionNeedsSharing", membership.promote, partner, {"from": outsider},
                        error_args=(partner.address, 0, 1))
