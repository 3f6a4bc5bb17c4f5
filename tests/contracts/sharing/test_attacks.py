"""The platform as an adversary sees it: each test is an attempt to grant, confirm or count what
the rules do not allow (inflating a record of sharing for a promotion, above all), and checks
that it is refused with the rule it breaks and that nothing changed."""

import pytest

from tests.contracts.conftest import ASSOCIATE, FULL, OBSERVER, PARTNER
from tests.contracts.reverts import assert_reverts_with
from tests.contracts.sharing.conftest import (
    COMPUTE, CONFIRMED, DATASET, DISPUTED, GRANTED, MODEL, OPEN, TOOL, offer_state, record, request_state, sha,
    terms,
)


def granted(share, offerer, requester, kind=MODEL, capacity=2):
    """An offer of `offerer` and a request of `requester` for it, granted: (offer id, request id)."""
    offer_id = share.offer(offerer, kind, capacity=capacity)
    request_id = share.request(requester, kind, offer_id)
    share.grant(offerer, request_id, offer_id)
    return offer_id, request_id


# ------------------------------------------------------------------ granting what is not yours


def test_nobody_but_the_offerer_grants_under_its_offer(sharing, member, share, outsider):
    """Another member, the requester itself and a non-member all try to grant under an offer
    they do not hold."""
    offerer, requester, other = member(), member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    for caller in (other, requester, outsider):
        assert_reverts_with("OfferNotOfferer", sharing.grant, request_id, offer_id, sha("t"), {"from": caller},
                            error_args=(offer_id, caller.address))
    assert request_state(sharing, request_id)[2] == OPEN
    assert offer_state(sharing, offer_id)[5] == 0


def test_a_request_for_offer_a_cannot_be_granted_under_offer_b(sharing, member, share):
    """B's offerer answers a request meant for A's offer (to count a delivery A was asked for)."""
    a_offerer, b_offerer, requester = member(), member(), member()
    a = share.offer(a_offerer)
    b = share.offer(b_offerer)
    request_id = share.request(requester, offer_id=a)
    assert_reverts_with("RequestForOtherOffer", sharing.grant, request_id, b, sha("t"), {"from": b_offerer},
                        error_args=(request_id, a))
    # nor A's offerer under another offer of its own
    a2 = share.offer(a_offerer)
    assert_reverts_with("RequestForOtherOffer", sharing.grant, request_id, a2, sha("t"), {"from": a_offerer},
                        error_args=(request_id, a))
    share.grant(a_offerer, request_id, a)


def test_a_member_cannot_request_or_be_granted_its_own_offer(sharing, member, share):
    """A member inflates its record by serving itself: directly, or through a request for any
    offer of the kind that it then grants."""
    offerer = member()
    offer_id = share.offer(offerer)
    assert_reverts_with("OfferOwnRequest", sharing.request, MODEL, "u", sha("d"), offer_id, {"from": offerer},
                        error_args=(offer_id,))
    request_id = share.request(offerer, MODEL, 0)
    assert_reverts_with("OfferOwnRequest", sharing.grant, request_id, offer_id, sha("t"), {"from": offerer},
                        error_args=(offer_id,))
    assert record(sharing, offerer) == (0, 0)


def test_a_request_of_another_kind_is_refused(sharing, member, share):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer, DATASET)
    assert_reverts_with("OfferKindMismatch", sharing.request, MODEL, "u", sha("d"), offer_id, {"from": requester},
                        error_args=(offer_id, DATASET, MODEL))
    any_model = share.request(requester, MODEL)
    assert_reverts_with("OfferKindMismatch", sharing.grant, any_model, offer_id, sha("t"), {"from": offerer},
                        error_args=(offer_id, DATASET, MODEL))


# ------------------------------------------------------------------ capacity


def test_capacity_cannot_be_lowered_below_the_grants_to_make_room(sharing, member, share):
    """An offerer that granted its whole capacity tries to shrink the offer below the grants (or
    to zero) and grant again; and a second grant past capacity."""
    offerer = member()
    offer_id, _ = granted(share, offerer, member(), capacity=1)
    extra = share.request(member(), offer_id=offer_id)
    assert_reverts_with("OfferCapacityReached", sharing.grant, extra, offer_id, sha("t"), {"from": offerer},
                        error_args=(offer_id, 1))
    assert_reverts_with("OfferCapacityTooLow", sharing.updateOffer, offer_id, terms(2), 0, 0, {"from": offerer},
                        error_args=(0, 1))
    assert offer_state(sharing, offer_id)[4:7] == (1, 1, 1)


def test_no_grant_after_withdrawal(sharing, member, share):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    for_it, for_any = share.request(requester, offer_id=offer_id), share.request(member(), MODEL)
    sharing.withdrawOffer(offer_id, {"from": offerer})
    for request_id in (for_it, for_any):
        assert_reverts_with("OfferWithdrawnAlready", sharing.grant, request_id, offer_id, sha("t"),
                            {"from": offerer}, error_args=(offer_id,))
    assert_reverts_with("OfferWithdrawnAlready", sharing.updateOffer, offer_id, terms(3), 0, 5,
                        {"from": offerer}, error_args=(offer_id,))  # nor reopened by an update
    assert offer_state(sharing, offer_id)[5] == 0


# ------------------------------------------------------------------ confirming what is not yours


def test_the_offerer_cannot_confirm_its_own_delivery(sharing, member, share):
    offerer, requester = member(), member()
    _, request_id = granted(share, offerer, requester)
    assert_reverts_with("RequestNotRequester", sharing.confirmDelivery, request_id, sha("o"), {"from": offerer},
                        error_args=(request_id, offerer.address))
    assert request_state(sharing, request_id)[2] == GRANTED
    assert record(sharing, offerer) == (0, 0)


def test_a_confirmation_cannot_be_replayed(sharing, member, share):
    offerer, requester = member(), member()
    _, request_id = granted(share, offerer, requester)
    share.confirm(requester, request_id)
    assert_reverts_with("RequestWrongStatus", sharing.confirmDelivery, request_id, sha("o2"), {"from": requester},
                        error_args=(request_id, CONFIRMED))
    assert record(sharing, offerer) == (1, 1)


def test_one_requester_confirming_many_deliveries_counts_once_towards_distinct_requesters(
    sharing, membership, admin, member, share, outsider
):
    """Sybil-ish: a friendly member requests and confirms again and again (under several offers and
    kinds) to lift an offerer past a sharing requirement of 2 distinct requesters."""
    membership.setTierSharingRequirement(FULL, 2, {"from": admin})
    offerer, friend = member(PARTNER), member(OBSERVER)
    for kind in (MODEL, DATASET, COMPUTE):
        share.delivered(offerer, friend, kind=kind)
    assert record(sharing, offerer) == (3, 1)
    assert membership.sharingOf(offerer) == 1
    assert_reverts_with("PromotionNeedsSharing", membership.promote, offerer, {"from": outsider},
                        error_args=(offerer.address, 1, 2))
    share.delivered(offerer, member(ASSOCIATE), kind=TOOL)
    membership.promote(offerer, {"from": outsider})
    assert membership.member(offerer)[1] == FULL


def test_disputed_deliveries_do_not_count(sharing, member, share):
    offerer = member()
    for by_requester in (True, False):
        requester = member()
        _, request_id = granted(share, offerer, requester)
        sharing.dispute(request_id, sha("dispute"), {"from": requester if by_requester else offerer})
        assert_reverts_with("RequestWrongStatus", sharing.confirmDelivery, request_id, sha("o"),
                            {"from": requester}, error_args=(request_id, DISPUTED))
        assert not sharing.hasServed(offerer, requester)
    assert record(sharing, offerer) == (0, 0)


# ------------------------------------------------------------------ standing


@pytest.fixture
def standing_scene(sharing, member, share):
    """A member, `m`, in every role: the offerer of an open offer and of a granted request, and
    the requester of an open request and of a granted one. Returns (m, the other member, ids)."""
    m, other = member(), member()
    offer_id = share.offer(m, capacity=3)
    served = share.request(other, offer_id=offer_id)
    share.grant(m, served, offer_id)  # m is the offerer of a granted request
    waiting = share.request(other, offer_id=offer_id)  # open, for m's offer
    theirs = share.offer(other, DATASET, capacity=3)
    asked = share.request(m, DATASET, theirs)  # m's open request
    received = share.request(m, DATASET, theirs)
    share.grant(other, received, theirs)  # m is the requester of a granted request
    return m, other, dict(offer=offer_id, served=served, waiting=waiting, theirs=theirs, asked=asked,
                          received=received)


def actions_of(sharing, m, ids):
    """Everything `m` can do on the platform, as (function, arguments)."""
    return [
        (sharing.offer, (TOOL, terms(8), 0, 1)),
        (sharing.updateOffer, (ids["offer"], terms(9), 0, 3)),
        (sharing.request, (COMPUTE, "ipfs://r", sha("r"), 0)),
        (sharing.request, (DATASET, "ipfs://r", sha("r"), ids["theirs"])),
        (sharing.cancelRequest, (ids["asked"],)),
        (sharing.grant, (ids["waiting"], ids["offer"], sha("t"))),
        (sharing.confirmDelivery, (ids["received"], sha("o"))),
        (sharing.withdrawOffer, (ids["offer"],)),
        (sharing.dispute, (ids["received"], sha("r"))),  # as requester
        (sharing.dispute, (ids["served"], sha("r"))),  # as offerer
    ]


@pytest.mark.parametrize("action", ["suspend", "expel"])
def test_a_suspended_or_expelled_member_cannot_act(sharing, membership, admin, standing_scene, action):
    m, other, ids = standing_scene
    getattr(membership, action)(m, {"from": admin})
    before = ([offer_state(sharing, i) for i in (1, 2)], [request_state(sharing, i) for i in range(1, 5)],
              sharing.offerCount(), sharing.requestCount())
    for fn, args in actions_of(sharing, m, ids):
        assert_reverts_with("SharingNotActiveMember", fn, *args, {"from": m}, error_args=(m.address,))
    after = ([offer_state(sharing, i) for i in (1, 2)], [request_state(sharing, i) for i in range(1, 5)],
             sharing.offerCount(), sharing.requestCount())
    assert after == before
    if action == "suspend":  # reinstated, it acts again
        membership.reinstate(m, {"from": admin})
        for fn, args in actions_of(sharing, m, ids)[:-2]:
            fn(*args, {"from": m})
        assert record(sharing, other) == (1, 1)


def test_a_suspended_requester_cannot_be_granted_nor_confirm(sharing, membership, admin, member, share):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    membership.suspend(requester, {"from": admin})
    assert_reverts_with("SharingNotActiveMember", sharing.grant, request_id, offer_id, sha("t"),
                        {"from": offerer}, error_args=(requester.address,))
    membership.reinstate(requester, {"from": admin})
    share.grant(offerer, request_id, offer_id)
    membership.suspend(requester, {"from": admin})
    assert_reverts_with("SharingNotActiveMember", sharing.confirmDelivery, request_id, sha("o"),
                        {"from": requester}, error_args=(requester.address,))
    assert record(sharing, offerer) == (0, 0)


def test_an_expelled_offerers_offer_grants_nothing(sharing, membership, admin, member, share):
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    request_id = share.request(requester, offer_id=offer_id)
    membership.expel(offerer, {"from": admin})
    assert_reverts_with("SharingNotActiveMember", sharing.grant, request_id, offer_id, sha("t"),
                        {"from": offerer}, error_args=(offerer.address,))
    sharing.cancelRequest(request_id, {"from": requester})  # the requester can still walk away


def test_a_non_member_can_do_nothing(sharing, member, share, outsider):
    """An outsider tries every action, on its own account and on the members' requests and offers."""
    offerer, requester = member(), member()
    offer_id, request_id = granted(share, offerer, requester)
    open_request = share.request(requester, offer_id=offer_id)
    before = (offer_state(sharing, offer_id), request_state(sharing, request_id), sharing.offerCount(),
              sharing.requestCount())
    refused = [
        ("SharingNotActiveMember", sharing.offer, (MODEL, terms(), 0, 1), (outsider.address,)),
        ("SharingNotActiveMember", sharing.request, (MODEL, "u", sha("d"), 0), (outsider.address,)),
        ("SharingNotActiveMember", sharing.request, (MODEL, "u", sha("d"), offer_id), (outsider.address,)),
        ("OfferNotOfferer", sharing.updateOffer, (offer_id, terms(), 0, 5), (offer_id, outsider.address)),
        ("OfferNotOfferer", sharing.withdrawOffer, (offer_id,), (offer_id, outsider.address)),
        ("OfferNotOfferer", sharing.grant, (open_request, offer_id, sha("t")), (offer_id, outsider.address)),
        ("RequestNotRequester", sharing.cancelRequest, (open_request,), (open_request, outsider.address)),
        ("RequestNotRequester", sharing.confirmDelivery, (request_id, sha("o")), (request_id, outsider.address)),
        ("RequestNotParty", sharing.dispute, (request_id, sha("r")), (request_id, outsider.address)),
    ]
    for error, fn, args, error_args in refused:
        assert_reverts_with(error, fn, *args, {"from": outsider}, error_args=error_args)
    after = (offer_state(sharing, offer_id), request_state(sharing, request_id), sharing.offerCount(),
             sharing.requestCount())
    assert after == before


# ------------------------------------------------------------------ tiers


def test_an_observer_requests_what_its_tier_is_allowed_and_nothing_above(sharing, member, share):
    offerer, observer = member(), member(OBSERVER)
    open_to_all = share.offer(offerer, min_tier=OBSERVER)
    for_associates = share.offer(offerer, min_tier=ASSOCIATE)
    assert_reverts_with("OfferTierTooLow", sharing.request, MODEL, "u", sha("d"), for_associates,
                        {"from": observer}, error_args=(for_associates, ASSOCIATE, OBSERVER))
    request_id = share.request(observer, offer_id=open_to_all)
    share.grant(offerer, request_id, open_to_all)
    share.confirm(observer, request_id)
    # a request for any model does not let the Observer through to the Associates' offer either
    any_model = share.request(observer, MODEL)
    assert_reverts_with("OfferTierTooLow", sharing.grant, any_model, for_associates, sha("t"), {"from": offerer},
                        error_args=(for_associates, ASSOCIATE, OBSERVER))
    assert record(sharing, offerer) == (1, 1)
    assert request_state(sharing, request_id)[2] == CONFIRMED


@pytest.mark.parametrize("action", ["suspend", "expel"])
def test_an_offer_whose_offerer_cannot_act_takes_no_request(sharing, membership, admin, member, share, action):
    """Its offerer could not grant it: a request for it would only wait. A request for any offer of
    its kind is still taken (another offerer may grant it), and a reinstated offerer's offer takes
    requests again."""
    offerer, requester = member(), member()
    offer_id = share.offer(offerer)
    kind = offer_state(sharing, offer_id)[1]
    getattr(membership, action)(offerer, {"from": admin})
    count = sharing.requestCount()
    assert_reverts_with("OfferOffererNotActive", sharing.request, kind, "ipfs://r", sha("r"), offer_id,
                        {"from": requester}, error_args=(offer_id, offerer.address))
    assert sharing.requestCount() == count
    share.request(requester, kind=kind)  # any offer of the kind
    if action == "suspend":
        membership.reinstate(offerer, {"from": admin})
        request_id = share.request(requester, offer_id=offer_id)
        share.grant(offerer, request_id, offer_id)
