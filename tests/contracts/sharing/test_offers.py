"""Offers: publishing, new versions (earlier ones kept), withdrawal, and their reads."""

import pytest
from brownie.exceptions import VirtualMachineError

from tests.contracts.conftest import ASSOCIATE, CORPORATE, FULL, OBSERVER, PARTNER, fresh_address
from tests.contracts.reverts import assert_reverts_with
from tests.contracts.sharing.conftest import (
    COMPUTE, DATASET, EXPERTISE, KINDS, MODEL, TOOL, event, offer_state, record, sha, terms, version_digest,
)


def published(offer_id, offerer, version, kind, min_tier, capacity, offer_terms) -> dict:
    title, content_id, card_uri, card_hash, terms_uri, terms_hash = offer_terms
    return {
        "offerId": offer_id, "offerer": str(offerer), "version": version, "kind": kind, "minTier": min_tier,
        "capacity": capacity, "title": title, "contentId": content_id, "cardURI": card_uri, "cardHash": card_hash,
        "termsURI": terms_uri, "termsHash": terms_hash,
    }


# ------------------------------------------------------------------ offer


def test_offer_publishes_version_one_and_emits_every_field(sharing, member):
    baidu = member(FULL, CORPORATE)
    model = terms(1, "ERNIE 4.5 (open weights)", "sha256:" + "ab" * 32)
    tx = sharing.offer(MODEL, model, PARTNER, 5, {"from": baidu})
    assert tx.return_value == 1
    assert event(tx, "OfferPublished") == published(1, baidu, 1, MODEL, PARTNER, 5, model)
    assert offer_state(sharing, 1) == (baidu.address, MODEL, PARTNER, False, 5, 0, 1)
    assert sharing.offerCount() == 1
    assert sharing.offerVersion(1, 1) == version_digest(MODEL, PARTNER, 5, model)


def test_offer_ids_count_from_one_across_members(sharing, member, share):
    a, b = member(), member(ASSOCIATE)
    assert sharing.offerCount() == 0
    assert [share.offer(a, DATASET), share.offer(b, COMPUTE), share.offer(a, TOOL)] == [1, 2, 3]
    assert sharing.offerCount() == 3
    assert [offer_state(sharing, i)[:2] for i in (1, 2, 3)] == [(a.address, DATASET), (b.address, COMPUTE),
                                                                (a.address, TOOL)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_can_be_offered(sharing, member, kind):
    sharing.offer(kind, terms(kind), 0, 1, {"from": member()})
    assert offer_state(sharing, 1)[1] == kind


@pytest.mark.parametrize("tier", [OBSERVER, ASSOCIATE, PARTNER, FULL])
def test_members_of_every_tier_offer_and_may_allow_every_tier(sharing, member, tier):
    sharing.offer(EXPERTISE, terms(), tier, 1, {"from": member(tier)})
    assert offer_state(sharing, 1)[2] == tier


def test_optional_card_and_terms_may_be_empty(sharing, member):
    bare = ("Compute hours", "sha256:" + "cd" * 32, "", "0x" + "00" * 32, "", "0x" + "00" * 32)
    tx = sharing.offer(COMPUTE, bare, 0, 1, {"from": member()})
    assert event(tx, "OfferPublished")["cardURI"] == ""
    assert sharing.offerVersion(1, 1) == version_digest(COMPUTE, 0, 1, bare)


def test_offer_refuses_zero_capacity(sharing, member):
    assert_reverts_with("OfferCapacityTooLow", sharing.offer, MODEL, terms(), 0, 0, {"from": member()},
                        error_args=(0, 0))


@pytest.mark.parametrize("field", ["title", "contentId"])
def test_offer_refuses_an_offer_without_title_or_content_id(sharing, member, field):
    incomplete = terms(1, title="") if field == "title" else terms(1, content_id="")
    assert_reverts_with("OfferIncomplete", sharing.offer, MODEL, incomplete, 0, 1, {"from": member()}, error_args=())
    assert sharing.offerCount() == 0


@pytest.mark.parametrize("tier", [4, 255])
def test_offer_refuses_an_unknown_lowest_tier(sharing, member, tier):
    assert_reverts_with("OfferTierUnknown", sharing.offer, MODEL, terms(), tier, 1, {"from": member()},
                        error_args=(tier,))


def test_offer_refuses_a_kind_out_of_range(sharing, member):
    with pytest.raises(VirtualMachineError):  # the contract's decoder refuses an enum beyond Expertise
        sharing.offer(5, terms(), 0, 1, {"from": member()})
    assert sharing.offerCount() == 0


# ------------------------------------------------------------------ updateOffer


def test_update_adds_a_version_and_keeps_the_earlier(sharing, member, share):
    offerer = member()
    first = terms(1)
    sharing.offer(DATASET, first, OBSERVER, 2, {"from": offerer})
    second = terms(2, "Dataset v2", "swh:1:dir:" + "12" * 20)
    tx = sharing.updateOffer(1, second, ASSOCIATE, 4, {"from": offerer})
    assert event(tx, "OfferPublished") == published(1, offerer, 2, DATASET, ASSOCIATE, 4, second)
    assert offer_state(sharing, 1) == (offerer.address, DATASET, ASSOCIATE, False, 4, 0, 2)
    assert sharing.offerVersion(1, 1) == version_digest(DATASET, OBSERVER, 2, first)
    assert sharing.offerVersion(1, 2) == version_digest(DATASET, ASSOCIATE, 4, second)
    # the same terms again are a version of their own
    sharing.updateOffer(1, second, ASSOCIATE, 4, {"from": offerer})
    assert offer_state(sharing, 1)[6] == 3
    assert sharing.offerVersion(1, 3) == sharing.offerVersion(1, 2)


def test_update_may_lower_capacity_to_the_grants_made_not_below(sharing, member, share):
    offerer, a, b = member(), member(), member()
    offer_id = share.offer(offerer, capacity=3)
    for who in (a, b):
        share.grant(offerer, share.request(who, offer_id=offer_id), offer_id)
    assert_reverts_with("OfferCapacityTooLow", sharing.updateOffer, offer_id, terms(), 0, 1, {"from": offerer},
                        error_args=(1, 2))
    assert_reverts_with("OfferCapacityTooLow", sharing.updateOffer, offer_id, terms(), 0, 0, {"from": offerer},
                        error_args=(0, 2))
    sharing.updateOffer(offer_id, terms(), 0, 2, {"from": offerer})
    assert offer_state(sharing, offer_id)[4:6] == (2, 2)


def test_update_refuses_zero_capacity_with_no_grants(sharing, member, share):
    offerer = member()
    offer_id = share.offer(offerer)
    assert_reverts_with("OfferCapacityTooLow", sharing.updateOffer, offer_id, terms(), 0, 0, {"from": offerer},
                        error_args=(0, 0))


def test_update_checks_terms_and_tier_like_an_offer(sharing, member, share):
    offerer = member()
    offer_id = share.offer(offerer)
    assert_reverts_with("OfferIncomplete", sharing.updateOffer, offer_id, terms(1, title=""), 0, 1,
                        {"from": offerer})
    assert_reverts_with("OfferIncomplete", sharing.updateOffer, offer_id, terms(1, content_id=""), 0, 1,
                        {"from": offerer})
    assert_reverts_with("OfferTierUnknown", sharing.updateOffer, offer_id, terms(), 4, 1, {"from": offerer},
                        error_args=(4,))
    assert offer_state(sharing, offer_id)[6] == 1


def test_update_refuses_an_unknown_offer(sharing, member, share):
    offerer = member()
    share.offer(offerer)
    for offer_id in (0, 2):
        assert_reverts_with("OfferUnknown", sharing.updateOffer, offer_id, terms(), 0, 1, {"from": offerer},
                            error_args=(offer_id,))


def test_only_the_offerer_updates(sharing, member, share, outsider):
    offerer, other = member(), member()
    offer_id = share.offer(offerer)
    for caller in (other, outsider):
        assert_reverts_with("OfferNotOfferer", sharing.updateOffer, offer_id, terms(9), 0, 1, {"from": caller},
                            error_args=(offer_id, caller.address))


def test_update_refuses_a_withdrawn_offer(sharing, member, share):
    offerer = member()
    offer_id = share.offer(offerer)
    sharing.withdrawOffer(offer_id, {"from": offerer})
    assert_reverts_with("OfferWithdrawnAlready", sharing.updateOffer, offer_id, terms(), 0, 1, {"from": offerer},
                        error_args=(offer_id,))


def test_update_keeps_the_kind(sharing, member, share):
    offerer = member()
    offer_id = share.offer(offerer, kind=TOOL)
    sharing.updateOffer(offer_id, terms(5), 0, 1, {"from": offerer})
    assert offer_state(sharing, offer_id)[1] == TOOL
    assert sharing.offerVersion(offer_id, 2) == version_digest(TOOL, 0, 1, terms(5))


# ------------------------------------------------------------------ withdrawOffer


def test_withdraw_closes_the_offer_and_emits(sharing, member, share):
    offerer = member()
    offer_id = share.offer(offerer, capacity=3)
    tx = sharing.withdrawOffer(offer_id, {"from": offerer})
    assert event(tx, "OfferWithdrawn") == {"offerId": offer_id, "offerer": offerer.address}
    assert offer_state(sharing, offer_id) == (offerer.address, MODEL, 0, True, 3, 0, 1)
    assert sharing.offerVersion(offer_id, 1)  # the record stays
    assert_reverts_with("OfferWithdrawnAlready", sharing.withdrawOffer, offer_id, {"from": offerer},
                        error_args=(offer_id,))


def test_granted_requests_go_on_after_withdrawal(sharing, member, share):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    share.grant(offerer, request_id, offer_id)
    sharing.withdrawOffer(offer_id, {"from": offerer})
    share.confirm(requester, request_id)
    assert record(sharing, offerer) == (1, 1)


def test_withdraw_refuses_an_unknown_offer_or_another_offerer(sharing, member, share):
    offerer, other = member(), member()
    offer_id = share.offer(offerer)
    assert_reverts_with("OfferUnknown", sharing.withdrawOffer, 0, {"from": offerer}, error_args=(0,))
    assert_reverts_with("OfferUnknown", sharing.withdrawOffer, 2, {"from": offerer}, error_args=(2,))
    assert_reverts_with("OfferNotOfferer", sharing.withdrawOffer, offer_id, {"from": other},
                        error_args=(offer_id, other.address))
    assert not offer_state(sharing, offer_id)[3]


# ------------------------------------------------------------------ reads


def test_get_offer_and_offer_version_refuse_unknown_offers(sharing, member, share):
    assert_reverts_with("OfferUnknown", sharing.getOffer, 1, error_args=(1,))
    share.offer(member())
    assert_reverts_with("OfferUnknown", sharing.getOffer, 0, error_args=(0,))
    assert_reverts_with("OfferUnknown", sharing.getOffer, 2, error_args=(2,))
    assert_reverts_with("OfferUnknown", sharing.offerVersion, 2, 1, error_args=(2,))
    assert_reverts_with("OfferUnknown", sharing.offerVersion, 0, 1, error_args=(0,))


def test_the_platform_reads_its_membership(sharing, membership):
    assert sharing.membership() == membership.address
    assert sharing.offerCount() == 0 and sharing.requestCount() == 0
    nobody = fresh_address()
    assert record(sharing, nobody) == (0, 0)
    assert not sharing.hasServed(nobody, fresh_address())


def test_an_offer_digest_binds_every_field(sharing, member):
    """Changing any one field of a version changes its digest (what the audit compares)."""
    offerer = member()
    base = terms(1)
    sharing.offer(MODEL, base, 0, 1, {"from": offerer})
    variants = [
        (MODEL, 1, 1, base), (MODEL, 0, 2, base),
        (MODEL, 0, 1, (base[0] + "!",) + base[1:]),
        (MODEL, 0, 1, base[:1] + ("sha256:" + "00" * 32,) + base[2:]),
        (MODEL, 0, 1, base[:2] + ("ipfs://other",) + base[3:]),
        (MODEL, 0, 1, base[:3] + (sha("other card"),) + base[4:]),
        (MODEL, 0, 1, base[:4] + ("ipfs://other",) + base[5:]),
        (MODEL, 0, 1, base[:5] + (sha("other terms"),)),
    ]
    digests = {str(sharing.offerVersion(1, 1))}
    for version, (kind, min_tier, capacity, t) in enumerate(variants, start=2):
        sharing.updateOffer(1, t, min_tier, capacity, {"from": offerer})
        digest = str(sharing.offerVersion(1, version))
        assert digest == version_digest(kind, min_tier, capacity, t)
        digests.add(digest)
    assert len(digests) == len(variants) + 1
    assert version_digest(DATASET, 0, 1, base) not in digests  # the kind too


def test_offer_version_refuses_a_version_the_offer_does_not_have(sharing, member, share):
    offerer = member()
    offer_id = share.offer(offerer)
    sharing.updateOffer(offer_id, terms(7), 0, 1, {"from": offerer})
    for version in (0, 3, 2**32 - 1):
        assert_reverts_with("OfferVersionUnknown", sharing.offerVersion, offer_id, version,
                            error_args=(offer_id, version))
    assert sharing.offerVersion(offer_id, 2) == version_digest(MODEL, 0, 1, terms(7))
