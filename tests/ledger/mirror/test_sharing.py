"""The sharing platform in the mirror, on SQLite and PostgreSQL: the typed rows are what the
demo did (its offers and versions, requests, grants, confirmed deliveries, the dispute, the
pathway's sharing requirement), and the observer's views answer as the platform's state does
(`ledger.org.sharing.read_board`, `sharingRecord`); a withdrawal, a cancellation and an update
after a grant, which the demo does not do, from rows written directly."""

from __future__ import annotations

from collections import Counter

import pytest
from eth_utils import to_checksum_address

from ledger.chain.rpc import Header
from ledger.mirror import MAPPERS, Event, sync
from ledger.mirror.decode import Decoder
from ledger.mirror.plans import Plans
from ledger.mirror.store import Store, open_db
from ledger.org.sharing import RequestStatus, read_board, sharing_record

from .test_typed import query
from .test_views import named


@pytest.fixture(scope="module")
def demo(demo_chain):
    """The demo chain's w3 and manifest, with its sharing board and members as the CLI reads them."""
    from ledger.org.membership import read_members

    w3, manifest = demo_chain.w3, demo_chain.manifest
    platform = manifest.contract(w3, "SharingPlatform")
    board = read_board(platform, manifest.contracts["SharingPlatform"].block)
    members = {m.address.lower(): m for m in read_members(manifest.contract(w3, "Membership"))}
    return w3, manifest, platform, board, members


def test_the_typed_rows_are_what_the_demo_did(demo, db):
    w3, manifest, _platform, board, _members = demo
    sync(w3, manifest, db)
    counts = {t: query(db, f"SELECT COUNT(*) FROM {t}")[0][0] for t in (
        "share_offer_version", "share_offer_withdrawal", "share_request", "share_request_cancellation",
        "share_grant", "share_delivery", "share_dispute", "tier_sharing_requirement", "sharing_record_set")}
    # 4 offers, the model's in two versions; 9 requests, 7 granted, 5 confirmed, 1 disputed, 2 open
    assert counts == {"share_offer_version": 5, "share_offer_withdrawal": 0, "share_request": 9,
                      "share_request_cancellation": 0, "share_grant": 7, "share_delivery": 5, "share_dispute": 1,
                      "tier_sharing_requirement": 1, "sharing_record_set": 1}
    assert len(board.offers) == 4 and sum(o.version for o in board.offers) == 5

    versions = query(db, "SELECT offer_id, version, offerer, kind, min_tier, capacity, title, content_id, card_uri, "
                         "card_hash, terms_uri, terms_hash FROM share_offer_version ORDER BY block_number, log_index")
    expected = sorted(((o.id, v.version, o.offerer.lower(), o.kind.name, v.min_tier, v.capacity, v.terms.title,
                        v.terms.content_id, v.terms.card_uri, "0x" + v.terms.card_hash.hex(), v.terms.terms_uri,
                        "0x" + v.terms.terms_hash.hex()) for o in board.offers for v in o.versions),
                      key=lambda r: (board.offers[r[0] - 1].versions[r[1] - 1].block, r[0]))
    assert [(int(r[0]), *r[1:]) for r in versions] == expected
    assert [(int(o), v, c) for o, v, c in versions_of(db, 1)] == [(1, 1, 5), (1, 2, 6)]  # the update added one

    requests = query(db, "SELECT request_id, requester, offer_id, kind, description_uri, description_hash "
                         "FROM share_request ORDER BY block_number, log_index")
    assert [(int(i), a, int(o), k, u, h) for i, a, o, k, u, h in requests] == [
        (r.id, r.requester.lower(), r.offer_id, r.kind.name, r.description_uri, "0x" + r.description_hash.hex())
        for r in board.requests]

    grants = query(db, "SELECT request_id, offer_id, offerer, requester, terms_hash, granted, capacity "
                       "FROM share_grant ORDER BY block_number, log_index")
    granted = [r for r in board.requests if r.granted_offer]
    assert [(int(i), int(o), a, b, h) for i, o, a, b, h, _g, _c in grants] == [
        (r.id, r.granted_offer, board.offer(r.granted_offer).offerer.lower(), r.requester.lower(),
         "0x" + r.grant_terms_hash.hex()) for r in granted]
    per_offer = Counter()
    for _i, o, *_rest, g, c in grants:  # each grant counts the offer's grants so far, within its capacity
        per_offer[int(o)] += 1
        assert g == per_offer[int(o)] <= c == board.offer(int(o)).capacity

    deliveries = query(db, "SELECT request_id, requester, offerer, offer_id, outcome_hash, confirmed, "
                           "distinct_requesters FROM share_delivery ORDER BY block_number, log_index")
    confirmed = [r for r in board.requests if r.status is RequestStatus.Confirmed]
    assert [(int(i), a, b, int(o), h) for i, a, b, o, h, _c, _d in deliveries] == [
        (r.id, r.requester.lower(), board.offer(r.granted_offer).offerer.lower(), r.granted_offer,
         "0x" + r.outcome_hash.hex()) for r in confirmed]
    disputes = query(db, "SELECT request_id, disputed_by FROM share_dispute")
    assert [(int(i), b) for i, b in disputes] == [
        (r.id, r.disputed_by.lower()) for r in board.requests if r.status is RequestStatus.Disputed]

    # the pathway: Full (tier 3) needs one distinct requester; the platform is the record it reads
    assert query(db, "SELECT tier, minimum FROM tier_sharing_requirement") == [(3, 1)]
    assert query(db, "SELECT sharing FROM sharing_record_set") == [
        (manifest.contracts["SharingPlatform"].address.lower(),)]


def versions_of(db, offer_id: int) -> list[tuple]:
    # a uint256 column against a number: TEXT on SQLite (the number compared as its text), NUMERIC on PostgreSQL
    return query(db, f"SELECT offer_id, version, capacity FROM share_offer_version WHERE offer_id = {offer_id} "
                     "ORDER BY version")


def test_the_offer_and_request_views_are_the_platform_board(demo, db):
    w3, manifest, _platform, board, members = demo
    sync(w3, manifest, db)
    offers = named(db, "share_offer_summary", "offer, offerer, identifier, kind, title, version, content_id, "
                   "min_tier, min_tier_level, capacity, granted, remaining, state, offerer_account")
    assert [(r["offer"], r["offerer"], r["identifier"], r["kind"], r["title"], r["version"], r["content_id"],
             r["min_tier_level"], r["capacity"], r["granted"], r["state"]) for r in offers] == [
        (o.id, members[o.offerer.lower()].name, members[o.offerer.lower()].identifier, o.kind.name, o.terms.title,
         o.version, o.terms.content_id, o.min_tier, o.capacity, o.granted, "withdrawn" if o.withdrawn else "open")
        for o in board.offers]
    assert [r["remaining"] for r in offers] == [o.capacity - o.granted for o in board.offers] == [4, 1, 2, 1]
    assert offers[0]["title"] == "Qwen 7B Instruct v1.1" and offers[0]["version"] == 2  # the current version
    assert [r["min_tier"] for r in offers] == ["Associate", "Associate", "Observer", "Associate"]
    assert all(isinstance(r["offer"], int) for r in offers)

    requests = named(db, "share_request_summary", "request, requester, identifier, kind, offer, status, "
                     "granted_offer, offerer, requester_account")
    assert [(r["request"], r["requester"], r["kind"], r["offer"], r["status"], r["granted_offer"], r["offerer"])
            for r in requests] == [
        (q.id, members[q.requester.lower()].name, q.kind.name, q.offer_id or None, q.status.name.lower(),
         q.granted_offer or None, members[board.offer(q.granted_offer).offerer.lower()].name if q.granted_offer
         else None) for q in board.requests]
    assert Counter(r["status"] for r in requests) == {"confirmed": 5, "granted": 1, "disputed": 1, "open": 2}


def test_who_shared_what_with_whom(demo, db):
    w3, manifest, _platform, board, members = demo
    sync(w3, manifest, db)
    rows = named(db, "share_delivery_by_member", "offerer, requester, kind, title, version, content_id, offer, "
                 "request, offerer_identifier, requester_identifier")
    confirmed = [r for r in board.requests if r.status is RequestStatus.Confirmed]
    assert [(r["offerer"], r["requester"], r["kind"], r["title"], r["version"], r["offer"], r["request"])
            for r in rows] == [
        (members[board.offer(q.granted_offer).offerer.lower()].name, members[q.requester.lower()].name,
         q.kind.name, board.offer(q.granted_offer).terms.title, board.offer(q.granted_offer).version,
         q.granted_offer, q.id) for q in confirmed]
    assert [(r["offerer"], r["requester"]) for r in rows] == [
        ("Alibaba", "Malaysia"), ("Alibaba", "Indonesia"), ("Baidu", "Indonesia"),
        ("Tencent", "United Arab Emirates"), ("Kenya", "Rwanda")]


def test_supply_vs_demand_by_kind(demo, db):
    w3, manifest, _platform, board, _members = demo
    sync(w3, manifest, db)
    rows = named(db, "share_supply_demand", "kind, open_offers, capacity_left, open_requests")
    expected = []
    for kind in ("Model", "Dataset", "Compute", "Tool", "Expertise"):
        open_ = [o for o in board.offers if o.kind.name == kind and not o.withdrawn]
        expected.append({"kind": kind, "open_offers": sum(o.capacity > o.granted for o in open_),
                         "capacity_left": sum(o.capacity - o.granted for o in open_),
                         "open_requests": sum(1 for q in board.requests if q.kind.name == kind
                                              and q.status is RequestStatus.Open)})
    assert [{k: int(v) if k != "kind" else v for k, v in r.items()} for r in rows] == expected
    assert expected[:3] == [{"kind": "Model", "open_offers": 1, "capacity_left": 4, "open_requests": 1},
                            {"kind": "Dataset", "open_offers": 2, "capacity_left": 2, "open_requests": 1},
                            {"kind": "Compute", "open_offers": 1, "capacity_left": 2, "open_requests": 0}]


def test_open_requests_with_their_requesters_need(demo, db):
    w3, manifest, _platform, board, members = demo
    sync(w3, manifest, db)
    rows = named(db, "share_open_request", "request, requester, identifier, member_kind, tier, kind, offer, "
                 "need_score, in_need, requester_account")
    open_ = [q for q in board.requests if q.status is RequestStatus.Open]
    fund = manifest.contract(w3, "EquityFund")
    assert [(r["request"], r["requester"], r["member_kind"], r["tier"], r["kind"], r["offer"]) for r in rows] == [
        (q.id, members[q.requester.lower()].name, members[q.requester.lower()].kind.name,
         members[q.requester.lower()].tier_name, q.kind.name, q.offer_id or None) for q in open_]
    scores = [fund.functions.needScore(to_checksum_address(r["requester_account"])).call() for r in rows]
    assert [int(r["need_score"]) for r in rows] == scores == [95, 80]  # Ethiopia, Nigeria
    assert [r["in_need"] for r in rows] == [1, 1]


def test_each_members_record_of_sharing_is_the_platforms(demo, db):
    w3, manifest, platform, _board, members = demo
    sync(w3, manifest, db)
    rows = named(db, "share_record_by_member", "member, offers, grants, confirmed, distinct_requesters, requests, "
                 "received, account")
    for r in rows:
        assert (r["confirmed"], r["distinct_requesters"]) == sharing_record(platform, to_checksum_address(r["account"]))
        assert r["member"] == members[r["account"]].name
    alibaba = next(r for r in rows if r["member"] == "Alibaba")
    assert (alibaba["offers"], alibaba["grants"], alibaba["confirmed"], alibaba["distinct_requesters"]) == (1, 2, 2, 2)
    assert sum(r["received"] for r in rows) == 5 and sum(r["requests"] for r in rows) == 9


# --- what the demo does not do, from rows written directly ----------------------------------------

PLATFORM, OFFERER, REQUESTER, OTHER = "0x" + "11" * 20, "0x" + "22" * 20, "0x" + "33" * 20, "0x" + "44" * 20
H = "0x" + "55" * 32


def _event(block: int, n: int, name: str, args: dict) -> Event:
    return Event(chain_id=31337, block_number=block, block_hash="0x" + f"{block:064x}", tx_hash="0x" + "cd" * 32,
                 tx_index=0, log_index=n, address=PLATFORM, contract="SharingPlatform", event=name, topics=[],
                 data="0x", args=args, args_json="{}")


def _published(block: int, offer: int, version: int, title: str, capacity: int = 2) -> Event:
    return _event(block, 0, "OfferPublished", {
        "offerId": offer, "offerer": OFFERER, "version": version, "kind": 4, "minTier": 0, "capacity": capacity,
        "title": title, "contentId": f"sha256:{version}", "cardURI": "", "cardHash": H, "termsURI": "",
        "termsHash": H})


def test_withdrawal_cancellation_and_an_update_after_a_grant(db):
    """Offer 1 (expertise) granted to request 1 under version 1, then updated to version 2 and
    confirmed; offer 2 withdrawn; request 2 cancelled; request 3 for any offer of a kind, open."""
    events = [
        _published(1, 1, 1, "Advice v1"),
        _event(1, 1, "OfferPublished", _published(1, 2, 1, "Withdrawn advice", capacity=1).args),
        _event(2, 0, "RequestPosted", {"requestId": 1, "requester": REQUESTER, "offerId": 1, "kind": 4,
                                       "descriptionURI": "u1", "descriptionHash": H}),
        _event(2, 1, "RequestPosted", {"requestId": 2, "requester": OTHER, "offerId": 2, "kind": 4,
                                       "descriptionURI": "u2", "descriptionHash": H}),
        _event(2, 2, "RequestPosted", {"requestId": 3, "requester": OTHER, "offerId": 0, "kind": 2,
                                       "descriptionURI": "u3", "descriptionHash": H}),
        _event(3, 0, "RequestGranted", {"requestId": 1, "offerId": 1, "offerer": OFFERER, "requester": REQUESTER,
                                        "termsHash": H, "granted": 1, "capacity": 2}),
        _published(4, 1, 2, "Advice v2", capacity=3),
        _event(5, 0, "DeliveryConfirmed", {"requestId": 1, "requester": REQUESTER, "offerer": OFFERER, "offerId": 1,
                                           "outcomeHash": H, "confirmed": 1, "distinctRequesters": 1}),
        _event(5, 1, "OfferWithdrawn", {"offerId": 2, "offerer": OFFERER}),
        _event(5, 2, "RequestCancelled", {"requestId": 2, "requester": OTHER}),
    ]
    engine = open_db(db, MAPPERS)
    try:
        store = Store(engine, 31337, "test", MAPPERS)
        headers = {b: Header(b, "0x" + f"{b:064x}", "0x" + f"{b - 1:064x}", b) for b in range(1, 6)}
        plans = Plans(Decoder(31337, []), MAPPERS, engine.dialect)
        store.write(plans.event_rows(events, headers), headers[5])
    finally:
        engine.dispose()

    offers = named(db, "share_offer_summary", "offer, title, version, capacity, granted, remaining, state, kind")
    assert offers == [
        {"offer": 1, "title": "Advice v2", "version": 2, "capacity": 3, "granted": 1, "remaining": 2, "state": "open",
         "kind": "Expertise"},
        {"offer": 2, "title": "Withdrawn advice", "version": 1, "capacity": 1, "granted": 0, "remaining": 0,
         "state": "withdrawn", "kind": "Expertise"}]
    assert named(db, "share_request_summary", "request, offer, status, granted_offer") == [
        {"request": 1, "offer": 1, "status": "confirmed", "granted_offer": 1},
        {"request": 2, "offer": 2, "status": "cancelled", "granted_offer": None},
        {"request": 3, "offer": None, "status": "open", "granted_offer": None}]
    # delivered: the version in force when the request was granted, not the later update
    assert named(db, "share_delivery_by_member", "title, version, offer, request") == [
        {"title": "Advice v1", "version": 1, "offer": 1, "request": 1}]
    supply = {r["kind"]: r for r in named(db, "share_supply_demand", "kind, open_offers, capacity_left, open_requests")}
    figures = {k: (int(r["open_offers"]), int(r["capacity_left"]), int(r["open_requests"])) for k, r in supply.items()}
    assert figures == {
        "Model": (0, 0, 0), "Dataset": (0, 0, 0), "Compute": (0, 0, 1), "Tool": (0, 0, 0), "Expertise": (1, 2, 0)}
    # no admission nor need score on this chain: unnamed, not in need
    assert named(db, "share_open_request", "request, requester, need_score, in_need") == [
        {"request": 3, "requester": None, "need_score": None, "in_need": 0}]
    assert query(db, "SELECT COUNT(*) FROM share_offer_withdrawal")[0][0] == 1
    assert query(db, "SELECT request_id, requester FROM share_request_cancellation")[0][1] == OTHER
