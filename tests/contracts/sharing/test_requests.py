"""Requests, grants, confirmed deliveries, disputes and cancellations, and the record of sharing
they make."""

import pytest

from tests.contracts.conftest import ASSOCIATE, FULL, OBSERVER, PARTNER
from tests.contracts.reverts import assert_reverts_with
from tests.contracts.sharing.conftest import (
    CANCELLED, COMPUTE, CONFIRMED, DATASET, DISPUTED, GRANTED, MODEL, OPEN, TOOL, event, offer_state, record,
    request_state, sha, terms,
)


# ------------------------------------------------------------------ request


def test_request_for_an_offer_records_and_emits(sharing, member, share):
    offerer, requester = member(), member(PARTNER)
    offer_id = share.offer(offerer, DATASET)
    tx = sharing.request(DATASET, "ipfs://need", sha("need"), offer_id, {"from": requester})
    assert tx.return_value == 1
    assert event(tx, "RequestPosted") == {
        "requestId": 1, "requester": requester.address, "offerId": offer_id, "kind": DATASET,
        "descriptionURI": "ipfs://need", "descriptionHash": sha("need"),
    }
    assert request_state(sharing, 1) == (requester.address, DATASET, OPEN, offer_id, 0)
    assert sharing.requestCount() == 1


def test_request_for_any_offer_of_a_kind_needs_no_offer(sharing, member):
    requester = member(OBSERVER)
    tx = sharing.request(COMPUTE, "ipfs://gpu-hours", sha("gpu"), 0, {"from": requester})
    assert event(tx, "RequestPosted")["offerId"] == 0
    assert request_state(sharing, 1) == (requester.address, COMPUTE, OPEN, 0, 0)
    sharing.request(TOOL, "", "0x" + "00" * 32, 0, {"from": requester})  # a bare one too
    assert sharing.requestCount() == 2


def test_request_refuses_an_unknown_or_withdrawn_offer(sharing, member, share):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    assert_reverts_with("OfferUnknown", sharing.request, MODEL, "u", sha("d"), 2, {"from": requester},
                        error_args=(2,))
    sharing.withdrawOffer(offer_id, {"from": offerer})
    assert_reverts_with("OfferWithdrawnAlready", sharing.request, MODEL, "u", sha("d"), offer_id,
                        {"from": requester}, error_args=(offer_id,))
    assert sharing.requestCount() == 0


def test_request_refuses_a_kind_other_than_the_offers(sharing, member, share):
    offer_id = share.offer(member(), MODEL)
    requester = member()
    assert_reverts_with("OfferKindMismatch", sharing.request, DATASET, "u", sha("d"), offer_id,
                        {"from": requester}, error_args=(offer_id, MODEL, DATASET))


def test_request_refuses_a_tier_below_the_offers(sharing, member, share):
    offer_id = share.offer(member(), min_tier=PARTNER)
    associate = member(ASSOCIATE)
    assert_reverts_with("OfferTierTooLow", sharing.request, MODEL, "u", sha("d"), offer_id, {"from": associate},
                        error_args=(offer_id, PARTNER, ASSOCIATE))
    share.request(member(PARTNER), offer_id=offer_id)  # the lowest tier allowed is allowed
    share.request(member(FULL), offer_id=offer_id)


def test_request_refuses_the_offerers_own_offer(sharing, member, share):
    offerer = member()
    offer_id = share.offer(offerer)
    assert_reverts_with("OfferOwnRequest", sharing.request, MODEL, "u", sha("d"), offer_id, {"from": offerer},
                        error_args=(offer_id,))


def test_get_request_refuses_unknown_requests(sharing, member, share):
    assert_reverts_with("RequestUnknown", sharing.getRequest, 1, error_args=(1,))
    share.request(member())
    assert_reverts_with("RequestUnknown", sharing.getRequest, 0, error_args=(0,))
    assert_reverts_with("RequestUnknown", sharing.getRequest, 2, error_args=(2,))


# ------------------------------------------------------------------ cancelRequest


def test_the_requester_cancels_its_open_request(sharing, member, share):
    requester = member()
    request_id = share.request(requester)
    tx = sharing.cancelRequest(request_id, {"from": requester})
    assert event(tx, "RequestCancelled") == {"requestId": request_id, "requester": requester.address}
    assert request_state(sharing, request_id)[2] == CANCELLED
    assert_reverts_with("RequestWrongStatus", sharing.cancelRequest, request_id, {"from": requester},
                        error_args=(request_id, CANCELLED))


def test_cancel_refuses_others_unknown_and_granted_requests(sharing, member, share):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    assert_reverts_with("RequestNotRequester", sharing.cancelRequest, request_id, {"from": offerer},
                        error_args=(request_id, offerer.address))
    assert_reverts_with("RequestUnknown", sharing.cancelRequest, 2, {"from": requester}, error_args=(2,))
    share.grant(offerer, request_id, offer_id)
    assert_reverts_with("RequestWrongStatus", sharing.cancelRequest, request_id, {"from": requester},
                        error_args=(request_id, GRANTED))


def test_a_cancelled_request_cannot_be_granted(sharing, member, share):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    sharing.cancelRequest(request_id, {"from": requester})
    assert_reverts_with("RequestWrongStatus", sharing.grant, request_id, offer_id, sha("t"), {"from": offerer},
                        error_args=(request_id, CANCELLED))


# ------------------------------------------------------------------ grant


def test_grant_records_and_emits_within_capacity(sharing, member, share):
    offerer, a, b = member(), member(), member(ASSOCIATE)
    offer_id = share.offer(offerer, capacity=2)
    first, second = share.request(a, offer_id=offer_id), share.request(b)  # b: any model
    tx = sharing.grant(first, offer_id, sha("licence a"), {"from": offerer})
    assert event(tx, "RequestGranted") == {
        "requestId": first, "offerId": offer_id, "offerer": offerer.address, "requester": a.address,
        "termsHash": sha("licence a"), "granted": 1, "capacity": 2,
    }
    assert request_state(sharing, first) == (a.address, MODEL, GRANTED, offer_id, offer_id)
    tx = sharing.grant(second, offer_id, sha("licence b"), {"from": offerer})
    assert event(tx, "RequestGranted")["granted"] == 2
    assert request_state(sharing, second) == (b.address, MODEL, GRANTED, 0, offer_id)
    assert offer_state(sharing, offer_id)[4:6] == (2, 2)


def test_grant_refuses_past_capacity(sharing, member, share):
    offerer = member()
    offer_id = share.offer(offerer, capacity=1)
    share.grant(offerer, share.request(member(), offer_id=offer_id), offer_id)
    late = share.request(member(), offer_id=offer_id)
    assert_reverts_with("OfferCapacityReached", sharing.grant, late, offer_id, sha("t"), {"from": offerer},
                        error_args=(offer_id, 1))
    sharing.updateOffer(offer_id, terms(42), 0, 2, {"from": offerer})  # a new version with room
    share.grant(offerer, late, offer_id)
    assert offer_state(sharing, offer_id)[4:6] == (2, 2)


def test_grant_refuses_unknown_requests_and_offers(sharing, member, share):
    offerer = member()
    offer_id = share.offer(offerer)
    request_id = share.request(member())
    assert_reverts_with("RequestUnknown", sharing.grant, 2, offer_id, sha("t"), {"from": offerer}, error_args=(2,))
    assert_reverts_with("OfferUnknown", sharing.grant, request_id, 2, sha("t"), {"from": offerer}, error_args=(2,))
    assert_reverts_with("RequestUnknown", sharing.grant, 0, offer_id, sha("t"), {"from": offerer}, error_args=(0,))


def test_grant_checks_kind_and_tier_of_an_any_offer_request(sharing, member, share):
    """A request for any offer of a kind is checked against the offer it is granted under."""
    offerer = member()
    dataset = share.offer(offerer, DATASET, min_tier=PARTNER)
    wrong_kind = share.request(member(FULL), MODEL)
    assert_reverts_with("OfferKindMismatch", sharing.grant, wrong_kind, dataset, sha("t"), {"from": offerer},
                        error_args=(dataset, DATASET, MODEL))
    low = share.request(member(ASSOCIATE), DATASET)
    assert_reverts_with("OfferTierTooLow", sharing.grant, low, dataset, sha("t"), {"from": offerer},
                        error_args=(dataset, PARTNER, ASSOCIATE))
    mine = share.request(offerer, DATASET)
    assert_reverts_with("OfferOwnRequest", sharing.grant, mine, dataset, sha("t"), {"from": offerer},
                        error_args=(dataset,))
    assert offer_state(sharing, dataset)[5] == 0


def test_grant_checks_the_tier_as_it_is_at_the_grant(sharing, membership, admin, member, share):
    offerer, requester = member(), member(PARTNER)
    offer_id = share.offer(offerer, min_tier=PARTNER)
    request_id = share.request(requester, offer_id=offer_id)
    membership.setTier(requester, ASSOCIATE, {"from": admin})
    assert_reverts_with("OfferTierTooLow", sharing.grant, request_id, offer_id, sha("t"), {"from": offerer},
                        error_args=(offer_id, PARTNER, ASSOCIATE))
    # and against the offer's current version: lowering its lowest tier lets it through
    sharing.updateOffer(offer_id, terms(42), ASSOCIATE, 2, {"from": offerer})
    share.grant(offerer, request_id, offer_id)


# ------------------------------------------------------------------ confirmDelivery


def test_confirm_counts_on_the_offerers_record_and_emits(sharing, member, share):
    offerer, requester = member(), member(OBSERVER)
    offer_id = share.offer(offerer, COMPUTE)
    request_id = share.request(requester, COMPUTE, offer_id)
    share.grant(offerer, request_id, offer_id)
    assert record(sharing, offerer) == (0, 0) and not sharing.hasServed(offerer, requester)
    tx = sharing.confirmDelivery(request_id, sha("trained a Malay model"), {"from": requester})
    assert event(tx, "DeliveryConfirmed") == {
        "requestId": request_id, "requester": requester.address, "offerer": offerer.address, "offerId": offer_id,
        "outcomeHash": sha("trained a Malay model"), "confirmed": 1, "distinctRequesters": 1,
    }
    assert request_state(sharing, request_id)[2] == CONFIRMED
    assert record(sharing, offerer) == (1, 1)
    assert record(sharing, requester) == (0, 0)  # the requester's own record does not move
    assert sharing.hasServed(offerer, requester) and not sharing.hasServed(requester, offerer)


def test_deliveries_to_distinct_requesters_and_repeat_requesters(sharing, member, share):
    offerer, a, b = member(), member(), member()
    offer_id = share.offer(offerer, capacity=5)
    counts = []
    for requester in (a, a, b, a):
        request_id = share.request(requester, offer_id=offer_id)
        share.grant(offerer, request_id, offer_id)
        tx = share.confirm(requester, request_id)
        counts.append((event(tx, "DeliveryConfirmed")["confirmed"], event(tx, "DeliveryConfirmed")["distinctRequesters"]))
    assert counts == [(1, 1), (2, 1), (3, 2), (4, 2)]
    assert record(sharing, offerer) == (4, 2)


def test_deliveries_under_different_offers_add_up(sharing, member, share):
    offerer, requester = member(), member()
    share.delivered(offerer, requester, kind=MODEL)
    share.delivered(offerer, requester, kind=DATASET)
    share.delivered(offerer, member(), kind=TOOL)
    assert record(sharing, offerer) == (3, 2)


def test_confirm_refuses_unknown_open_and_finished_requests(sharing, member, share):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    assert_reverts_with("RequestUnknown", sharing.confirmDelivery, 2, sha("o"), {"from": requester},
                        error_args=(2,))
    assert_reverts_with("RequestWrongStatus", sharing.confirmDelivery, request_id, sha("o"), {"from": requester},
                        error_args=(request_id, OPEN))
    share.grant(offerer, request_id, offer_id)
    share.confirm(requester, request_id)
    assert_reverts_with("RequestWrongStatus", sharing.confirmDelivery, request_id, sha("o"), {"from": requester},
                        error_args=(request_id, CONFIRMED))
    assert record(sharing, offerer) == (1, 1)


def test_confirm_only_by_the_requester(sharing, member, share, outsider):
    offerer, requester, other = member(), member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    share.grant(offerer, request_id, offer_id)
    for caller in (offerer, other, outsider):
        assert_reverts_with("RequestNotRequester", sharing.confirmDelivery, request_id, sha("o"),
                            {"from": caller}, error_args=(request_id, caller.address))
    assert record(sharing, offerer) == (0, 0)


# ------------------------------------------------------------------ dispute


@pytest.mark.parametrize("side", ["requester", "offerer"])
def test_either_party_disputes_a_granted_request(sharing, member, share, side):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    share.grant(offerer, request_id, offer_id)
    by = requester if side == "requester" else offerer
    tx = sharing.dispute(request_id, sha("not as described"), {"from": by})
    assert event(tx, "DeliveryDisputed") == {
        "requestId": request_id, "by": by.address, "reasonHash": sha("not as described"),
    }
    assert request_state(sharing, request_id)[2] == DISPUTED
    assert record(sharing, offerer) == (0, 0)
    assert_reverts_with("RequestWrongStatus", sharing.confirmDelivery, request_id, sha("o"), {"from": requester},
                        error_args=(request_id, DISPUTED))
    assert_reverts_with("RequestWrongStatus", sharing.dispute, request_id, sha("r"), {"from": by},
                        error_args=(request_id, DISPUTED))
    assert offer_state(sharing, offer_id)[5] == 1  # the grant stays counted against capacity


def test_dispute_refuses_others_and_ungranted_requests(sharing, member, share, outsider):
    offerer, requester, other = member(), member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    assert_reverts_with("RequestWrongStatus", sharing.dispute, request_id, sha("r"), {"from": requester},
                        error_args=(request_id, OPEN))
    assert_reverts_with("RequestUnknown", sharing.dispute, 2, sha("r"), {"from": requester}, error_args=(2,))
    share.grant(offerer, request_id, offer_id)
    for caller in (other, outsider):
        assert_reverts_with("RequestNotParty", sharing.dispute, request_id, sha("r"), {"from": caller},
                            error_args=(request_id, caller.address))
    share.confirm(requester, request_id)
    assert_reverts_with("RequestWrongStatus", sharing.dispute, request_id, sha("r"), {"from": offerer},
                        error_args=(request_id, CONFIRMED))


def test_the_offer_that_granted_is_the_party_not_the_one_asked_for(sharing, member, share):
    """A request for any offer, granted under offer B: B's offerer is the party, not A's."""
    a_offerer, b_offerer, requester = member(), member(), member()
    share.offer(a_offerer)
    b = share.offer(b_offerer)
    request_id = share.request(requester)
    share.grant(b_offerer, request_id, b)
    assert_reverts_with("RequestNotParty", sharing.dispute, request_id, sha("r"), {"from": a_offerer},
                        error_args=(request_id, a_offerer.address))
    share.confirm(requester, request_id)
    assert record(sharing, b_offerer) == (1, 1) and record(sharing, a_offerer) == (0, 0)

