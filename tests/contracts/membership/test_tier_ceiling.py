"""A governance-set tier is a ceiling: `promote` cannot undo a governance demotion (issue
"Governance hardening", finding 6; the first test failed before the ceiling existed)."""

from tests.contracts.conftest import ASSOCIATE, FULL, OBSERVER, PARTNER, STATE
from tests.contracts.membership.conftest import event, plain, record
from tests.contracts.membership.test_pathway import bits, certified
from tests.contracts.reverts import assert_reverts_with

NO_CEILING = 255


def ladder(membership, admin):
    for tier, standard_id in ((ASSOCIATE, 0), (PARTNER, 1), (FULL, 2)):
        membership.setTierRequirements(tier, bits(standard_id), {"from": admin})


def test_promote_cannot_undo_a_governance_demotion(membership, admin, verifier, outsider, standards, keyed_admit):
    ladder(membership, admin)
    account = keyed_admit(STATE, OBSERVER)
    certified(membership, verifier, account, 0, 1)
    membership.promote(account, {"from": outsider})
    membership.promote(account, {"from": outsider})
    assert record(membership, account)[1] == PARTNER
    membership.setTier(account, OBSERVER, {"from": admin})  # governance demotes it
    assert plain(membership.promotable(account)) == (False, 0)
    assert_reverts_with("PromotionAboveTierCeiling", membership.promote, account, {"from": outsider},
                        error_args=(account.address, OBSERVER))
    assert record(membership, account)[1] == OBSERVER


def test_governance_sets_and_lifts_the_ceiling(membership, admin, verifier, outsider, standards, keyed_admit):
    ladder(membership, admin)
    account = keyed_admit(STATE, OBSERVER)
    assert membership.tierCeiling(account) == NO_CEILING
    certified(membership, verifier, account, 0, 1, 2)
    tx = membership.setTier(account, ASSOCIATE, {"from": admin})
    assert event(tx, "TierCeilingSet") == {"account": account.address, "ceiling": ASSOCIATE}
    assert membership.tierCeiling(account) == ASSOCIATE
    assert_reverts_with("PromotionAboveTierCeiling", membership.promote, account, {"from": outsider},
                        error_args=(account.address, ASSOCIATE))
    tx = membership.setTierCeiling(account, PARTNER, {"from": admin})
    assert event(tx, "TierCeilingSet") == {"account": account.address, "ceiling": PARTNER}
    membership.promote(account, {"from": outsider})
    assert record(membership, account)[1] == PARTNER
    assert plain(membership.promotable(account)) == (False, 0)
    membership.setTierCeiling(account, NO_CEILING, {"from": admin})
    membership.promote(account, {"from": outsider})
    assert record(membership, account)[1] == FULL


def test_the_ceiling_is_governance_business(membership, admin, outsider, keyed_admit):
    account = keyed_admit(STATE, OBSERVER)
    assert_reverts_with("AccessControlUnauthorizedAccount", membership.setTierCeiling, account, FULL,
                        {"from": outsider}, error_args=(outsider.address, "0x" + "00" * 32))
    assert_reverts_with("TierUnknown", membership.setTierCeiling, account, 4, {"from": admin}, error_args=(4,))
    assert_reverts_with("MemberUnknown", membership.setTierCeiling, outsider, FULL, {"from": admin},
                        error_args=(outsider.address,))
