"""The audit's sharing check: it passes the demo (and its re-count from the chain's own logs
agrees with the mirror's), a tampered sharing row fails the audit naming its table, row and
field, and each of its rules fails on a history that breaks it — histories made of `Act`s,
which is what the check replays whether it reads the mirror's rows or the chain's logs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ledger.audit.checks import sharing
from ledger.audit.checks.sharing import Act, compare_records, compare_state, replay
from ledger.audit.events import EventReader
from ledger.audit.report import CheckResult
from ledger.audit.run import audit
from ledger.mirror import MAPPERS
from ledger.mirror.read import open_mirror

from .test_audit import execute, failing, findings, rows, where

# --- the demo, clean and tampered ------------------------------------------------------------


def test_the_demo_keeps_the_sharing_rules_and_both_recounts_agree(demo_chain, mirror_copy):
    w3, manifest = demo_chain.w3, demo_chain.manifest
    platform = manifest.contracts["SharingPlatform"].address.lower()
    decoder = EventReader(manifest)
    first = min(c.block for c in manifest.contracts.values())
    logs = w3.provider.make_request("eth_getLogs", [{"fromBlock": hex(first), "toBlock": "latest", "address": [
        c.address for c in manifest.contracts.values()]}])["result"]
    from_logs = sharing.acts_from_events(decoder.decode(g) for g in logs)
    with open_mirror(mirror_copy, manifest) as mirror:
        from_rows = sharing.acts_from_rows(mirror)
    # the same history from both sources, column by column where the check reads it
    assert [(a.event, a.position, a.table) for a in from_rows] == [(a.event, a.position, a.table) for a in from_logs]
    for mine, chain in zip(from_rows, from_logs):
        assert {k: mine[k] for k in chain.values} == chain.values, (mine, chain)
    clean, logged = replay(from_rows, platform), replay(from_logs, platform)
    assert clean.issues == [] == logged.issues
    assert clean.records() == logged.records() and len(clean.records()) == 4
    alibaba = next(a for a in from_rows if a.event == "MemberTierChanged")["account"]
    assert clean.record(alibaba) == (2, 2) and clean.counted["promotions that needed sharing"] == 1


def test_grant_offerer_altered_is_named_by_typed_and_breaks_the_grant_rule(demo_chain, mirror_copy):
    grant = rows(mirror_copy, "share_grant")[0]
    stranger = "0x" + "ab" * 20
    execute(mirror_copy, "UPDATE share_grant SET offerer = ? WHERE block_hash = ? AND log_index = ?",
            (stranger, grant["block_hash"], grant["log_index"]))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    assert findings(report, "typed")[where(grant)] == [
        f'share_grant.offerer: the mirror has "{stranger}", the chain\'s log gives "{grant["offerer"]}"']
    assert findings(report, "sharing")[where(grant)] == [
        f'share_grant.offerer: a grant is made by the offer\'s offerer: the row has "{stranger}", the rules give '
        f'"{grant["offerer"]}"']
    finding = next(f for f in report.check("sharing").findings if f.subject == where(grant))
    assert (finding.table, finding.block, finding.log_index, finding.field, finding.mirror, finding.chain) == (
        "share_grant", grant["block_number"], grant["log_index"], "offerer", stranger, grant["offerer"])
    assert failing(report) == {"typed", "sharing"}


def test_confirmed_count_altered_breaks_the_recount(demo_chain, mirror_copy):
    delivery = rows(mirror_copy, "share_delivery")[0]
    execute(mirror_copy, "UPDATE share_delivery SET confirmed = 7 WHERE block_hash = ? AND log_index = ?",
            (delivery["block_hash"], delivery["log_index"]))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    assert findings(report, "typed")[where(delivery)] == [
        f"share_delivery.confirmed: the mirror has 7, the chain's log gives {delivery['confirmed']}"]
    assert findings(report, "sharing")[where(delivery)] == [
        "share_delivery.confirmed: the offerer's confirmed deliveries, re-counted: the row has 7, the rules give "
        f"{delivery['confirmed']}"]


def test_content_id_altered_is_named_by_the_typed_check(demo_chain, mirror_copy):
    version = rows(mirror_copy, "share_offer_version")[1]
    execute(mirror_copy, "UPDATE share_offer_version SET content_id = 'sha256:forged' WHERE block_hash = ? "
                         "AND log_index = ?", (version["block_hash"], version["log_index"]))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    assert findings(report, "typed")[where(version)] == [
        f'share_offer_version.content_id: the mirror has "sha256:forged", the chain\'s log gives '
        f'"{version["content_id"]}"']
    assert failing(report) == {"typed"}  # no rule of the platform reads a content id


def test_deliveries_deleted_leave_a_promotion_without_the_sharing_it_needed(demo_chain, mirror_copy):
    """Alibaba's two confirmed deliveries taken out of the mirror, raw and typed alike: the
    promotion to Full, which needs one distinct requester, no longer has it."""
    promotion = rows(mirror_copy, "member_event", "event = 'tier_changed'")[0]
    mine = rows(mirror_copy, "share_delivery", "offerer = ?", (promotion["account"],))
    assert len(mine) == 2
    for d in mine:
        execute(mirror_copy, "DELETE FROM share_delivery WHERE block_hash = ? AND log_index = ?",
                (d["block_hash"], d["log_index"]))
        execute(mirror_copy, "DELETE FROM raw_event WHERE block_hash = ? AND log_index = ?",
                (d["block_hash"], d["log_index"]))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    found = findings(report, "sharing")
    assert found[where(promotion)] == [
        "member_event.tier_to: a promotion to a tier that requires 1 distinct requesters, by a member with 0: "
        "the row has 3, the rules give 2"]
    assert found[f"member {promotion['account']}"] == [
        "sharing record: the mirror's deliveries re-count (confirmed, distinct requesters) [0, 0], "
        "SharingPlatform.sharingRecord gives [2, 2]"]
    assert all(d.startswith("status: the mirror's rows give granted, the platform's getRequest has confirmed")
               for s, ds in found.items() if s.startswith("request ") for d in ds)
    assert findings(report, "typed")[where(mine[0])][0].startswith("share_delivery: missing from the mirror")


# a mistake in each sharing view's own SQL (created that way, so the view equals its wrong
# definition): the views check re-derives its rows and sees it
WRONG_VIEWS = {
    "share_offer_summary": ("v.capacity - COALESCE(g.granted, 0) ELSE 0 END AS remaining",
                            "v.capacity ELSE 0 END AS remaining"),
    "share_request_summary": ("WHEN x.request_id IS NOT NULL THEN 'disputed'",
                              "WHEN x.request_id IS NOT NULL THEN 'granted'"),
    "share_delivery_by_member": ("mo.name AS offerer, mr.name AS requester",
                                 "mr.name AS offerer, mo.name AS requester"),
    "share_supply_demand": ("AND q.status = 'open'", "AND q.status <> 'cancelled'"),
    "share_open_request": ("THEN 1 ELSE 0 END AS in_need", "THEN 0 ELSE 1 END AS in_need"),
    "share_record_by_member": ("COUNT(DISTINCT d.requester)", "COUNT(DISTINCT d.offerer)"),
}


@pytest.mark.parametrize("view", list(WRONG_VIEWS))
def test_a_sharing_view_whose_sql_is_wrong_is_caught_by_the_views_check(demo_chain, mirror_copy, monkeypatch, view):
    import sqlite3

    right, wrong_part = WRONG_VIEWS[view]
    wrong = MAPPERS.views[view].replace(right, wrong_part)
    assert wrong != MAPPERS.views[view]
    monkeypatch.setitem(MAPPERS.views, view, wrong)
    with sqlite3.connect(mirror_copy) as conn:
        conn.execute(f"DROP VIEW {view}")
        conn.execute(f"CREATE VIEW {view} AS " + wrong)

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    (detail,) = findings(report, "views")[f"view {view}"]
    assert " rows the tables make are not in it, " in detail
    assert failing(report) == {"views"}


# --- the rules, one by one, on histories of acts ---------------------------------------------

P, A, B, R1, R2, X = ("0x" + c * 40 for c in "abcdef")  # the platform, two offerers, two requesters, a stranger
H = "0x" + "00" * 32


PATHWAY_EVENTS = ("MemberTierChanged", "TierSharingRequirementSet", "SharingRecordSet")


def act(n: int, event: str, **values) -> Act:
    contract = "Membership" if event in PATHWAY_EVENTS else "SharingPlatform"
    return Act(event, (n, 0), sharing.EVENTS[(contract, event)][0], values)


def history() -> list[Act]:
    """A history that keeps every rule: a model offer in two versions, a dataset offer withdrawn,
    a request for the model, one for any model, one for the dataset; two grants, a confirmation,
    a dispute, a cancellation; A promoted to Full, which needs one distinct requester."""
    return [
        act(1, "SharingRecordSet", sharing=P),
        act(2, "TierSharingRequirementSet", tier=3, minimum=1),
        act(3, "OfferPublished", offer_id=1, offerer=A, version=1, kind="Model", min_tier=1, capacity=2),
        act(4, "OfferPublished", offer_id=1, offerer=A, version=2, kind="Model", min_tier=1, capacity=3),
        act(5, "OfferPublished", offer_id=2, offerer=B, version=1, kind="Dataset", min_tier=0, capacity=1),
        act(6, "RequestPosted", request_id=1, requester=R1, offer_id=1, kind="Model"),
        act(7, "RequestPosted", request_id=2, requester=R2, offer_id=0, kind="Model"),
        act(8, "RequestPosted", request_id=3, requester=R2, offer_id=2, kind="Dataset"),
        act(9, "RequestGranted", request_id=1, offer_id=1, offerer=A, requester=R1, granted=1, capacity=3),
        act(10, "RequestGranted", request_id=2, offer_id=1, offerer=A, requester=R2, granted=2, capacity=3),
        act(11, "DeliveryConfirmed", request_id=1, requester=R1, offerer=A, offer_id=1, confirmed=1,
            distinct_requesters=1),
        act(12, "DeliveryDisputed", request_id=2, disputed_by=R2),
        act(13, "RequestCancelled", request_id=3, requester=R2),
        act(14, "OfferWithdrawn", offer_id=2, offerer=B),
        act(15, "MemberTierChanged", account=A, tier_from=2, tier_to=3, reason="Promotion"),
    ]


def changed(acts: list[Act], n: int, **values) -> list[Act]:
    """The history with act `n` (its block) given other values."""
    return [replace(a, values={**a.values, **values}) if a.position[0] == n else a for a in acts]


def without(acts: list[Act], *blocks: int) -> list[Act]:
    return [a for a in acts if a.position[0] not in blocks]


def inserted(acts: list[Act], extra: Act) -> list[Act]:
    return sorted([*acts, extra], key=lambda a: a.position)


def test_the_history_keeps_every_rule():
    state = replay(history(), P)
    assert state.issues == []
    assert state.records() == {A: (1, 1), B: (0, 0)}
    assert (state.offers[1].granted, state.offers[1].capacity, state.offers[2].withdrawn) == (2, 3, True)
    assert [r.status.name for r in state.requests.values()] == ["Confirmed", "Disputed", "Cancelled"]


# (name, the history, the table, block, field and rule of the finding it must give)
BROKEN = [
    # versions
    ("first version not 1", lambda h: changed(h, 5, version=2), ("share_offer_version", 5, "version",
                                                                 "an offer's first version is 1")),
    ("version skipped", lambda h: changed(h, 4, version=3), ("share_offer_version", 4, "version",
                                                             "versions follow one another")),
    ("update by another member", lambda h: changed(h, 4, offerer=X), ("share_offer_version", 4, "offerer",
                                                                      "only the offerer updates its offer")),
    ("update changes the kind", lambda h: changed(h, 4, kind="Tool"), ("share_offer_version", 4, "kind",
                                                                       "an update keeps the offer's kind")),
    ("update of a withdrawn offer",
     lambda h: inserted(h, act(16, "OfferPublished", offer_id=2, offerer=B, version=2, kind="Dataset", min_tier=0,
                               capacity=1)), ("share_offer_version", 16, "offer_id", "an update of a withdrawn offer")),
    ("update below the grants made",
     lambda h: inserted(h, act(16, "OfferPublished", offer_id=1, offerer=A, version=3, kind="Model", min_tier=1,
                               capacity=1)),
     ("share_offer_version", 16, "capacity", "an update sets the capacity below the grants made")),
    # withdrawals
    ("withdrawal by another member", lambda h: changed(h, 14, offerer=X), ("share_offer_withdrawal", 14, "offerer",
                                                                           "only the offerer withdraws its offer")),
    ("withdrawal of no offer", lambda h: changed(h, 14, offer_id=9), ("share_offer_withdrawal", 14, "offer_id",
                                                                      "a withdrawal of an offer never published")),
    ("second withdrawal", lambda h: inserted(h, act(16, "OfferWithdrawn", offer_id=2, offerer=B)),
     ("share_offer_withdrawal", 16, "offer_id", "a second withdrawal")),
    # requests
    ("request for no offer", lambda h: changed(h, 8, offer_id=9), ("share_request", 8, "offer_id",
                                                                   "a request for an offer never published")),
    ("request for a withdrawn offer",
     lambda h: inserted(h, act(16, "RequestPosted", request_id=4, requester=R1, offer_id=2, kind="Dataset")),
     ("share_request", 16, "offer_id", "a request for a withdrawn offer")),
    ("request of another kind than its offer", lambda h: changed(h, 6, kind="Dataset"),
     ("share_request", 6, "kind", "a request is of the kind of the offer it asks for")),
    # cancellations
    ("cancellation by another member", lambda h: changed(h, 13, requester=X),
     ("share_request_cancellation", 13, "requester", "only the requester cancels its request")),
    ("cancellation of a granted request", lambda h: changed(h, 13, request_id=1),
     ("share_request_cancellation", 13, "request_id", "a cancellation of a request that is not open")),
    # grants
    ("grant by another member than the offerer", lambda h: changed(h, 9, offerer=X),
     ("share_grant", 9, "offerer", "a grant is made by the offer's offerer")),
    ("grant under no offer", lambda h: changed(h, 9, offer_id=9),
     ("share_grant", 9, "offer_id", "a grant under an offer never published")),
    ("grant of no request", lambda h: changed(h, 9, request_id=9),
     ("share_grant", 9, "request_id", "a grant of a request never posted")),
    ("grant under a withdrawn offer",
     lambda h: inserted(h, act(16, "RequestGranted", request_id=3, offer_id=2, offerer=B, requester=R2, granted=1,
                               capacity=1)), ("share_grant", 16, "offer_id", "a grant under a withdrawn offer")),
    ("grant of a request not open", lambda h: changed(h, 10, request_id=1),
     ("share_grant", 10, "request_id", "a grant of a request that is not open")),
    ("grant under another offer than asked",
     lambda h: changed(without(h, 13, 14), 10, request_id=3, requester=R2),
     ("share_grant", 10, "offer_id", "a grant under another offer than the one asked for")),
    ("grant to another requester", lambda h: changed(h, 9, requester=X),
     ("share_grant", 9, "requester", "a grant is to the request's requester")),
    ("grant of another kind", lambda h: changed(h, 7, kind="Tool"),
     ("share_grant", 10, "offer_id", "a grant of a Tool request under a Model offer")),
    ("grant count not the grants made", lambda h: changed(h, 10, granted=1),
     ("share_grant", 10, "granted", "a grant counts the grants under its offer")),
    ("grant carries another capacity", lambda h: changed(h, 9, capacity=5),
     ("share_grant", 9, "capacity", "a grant carries the capacity in force")),
    ("grant beyond capacity", lambda h: changed(changed(h, 4, capacity=1), 9, capacity=1),
     ("share_grant", 10, "granted", "a grant beyond its offer's capacity")),
    # confirmations
    ("confirmation by another member than the requester", lambda h: changed(h, 11, requester=X),
     ("share_delivery", 11, "requester", "only the requester confirms a delivery")),
    ("confirmation of a request not granted", lambda h: changed(h, 11, request_id=3),
     ("share_delivery", 11, "request_id", "a confirmation of a request that is not granted")),
    ("confirmation under another offer", lambda h: changed(h, 11, offer_id=2),
     ("share_delivery", 11, "offer_id", "a confirmation names the offer the request was granted under")),
    ("confirmation for another offerer", lambda h: changed(h, 11, offerer=B),
     ("share_delivery", 11, "offerer", "a confirmation counts for the offer's offerer")),
    ("confirmed count", lambda h: changed(h, 11, confirmed=2),
     ("share_delivery", 11, "confirmed", "the offerer's confirmed deliveries, re-counted")),
    ("distinct requesters count", lambda h: changed(h, 11, distinct_requesters=0),
     ("share_delivery", 11, "distinct_requesters", "the offerer's distinct requesters, re-counted")),
    # disputes
    ("dispute by a stranger", lambda h: changed(h, 12, disputed_by=X),
     ("share_dispute", 12, "disputed_by", "only the requester or the offerer flags a dispute")),
    ("dispute of a request not granted", lambda h: changed(h, 12, request_id=3),
     ("share_dispute", 12, "request_id", "a dispute over a request that is not granted")),
    # promotions
    ("promotion without the sharing it needs", lambda h: without(h, 11),
     ("member_event", 15, "tier_to", "a promotion to a tier that requires 1 distinct requesters, by a member with 0")),
    ("promotion that needed two requesters", lambda h: changed(h, 2, minimum=2),
     ("member_event", 15, "tier_to", "a promotion to a tier that requires 2 distinct requesters, by a member with 1")),
    ("promotion before the delivery", lambda h: sorted(
        [replace(a, position=(10, 1)) if a.event == "MemberTierChanged" else a for a in h], key=lambda a: a.position),
     ("member_event", 10, "tier_to", "a promotion to a tier that requires 1 distinct requesters, by a member with 0")),
    ("promotion reading another record of sharing", lambda h: changed(h, 1, sharing=X),
     ("member_event", 15, "account", f"a promotion that read the record of sharing at {X}, not this deployment's "
                                     "SharingPlatform")),
]


@pytest.mark.parametrize("name, broken, expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_rule_fails_on_a_history_that_breaks_it(name, broken, expected):
    table, block, field, rule = expected
    issues = replay(broken(history()), P).issues
    assert any((i.table, i.position[0], i.field) == (table, block, field) and i.rule == rule for i in issues), issues
    finding = next(i for i in issues if i.rule == rule).finding()
    assert finding.check == "sharing" and finding.table == table and finding.field == field
    assert finding.detail.startswith(f"{table}.{field}: {rule}: the row has ")


def test_a_promotion_to_a_tier_without_a_sharing_requirement_needs_none():
    acts = changed(without(history(), 11), 15, tier_from=1, tier_to=2)
    assert replay(acts, P).issues == []


def test_records_are_held_against_the_platform():
    result = CheckResult(sharing.NAME, sharing.TITLE)
    compare_records(result, {A: (1, 1), B: (0, 0)}, {A: (1, 1), B: (0, 0)}, {A: (1, 1), B: (0, 0)})
    assert result.ok
    compare_records(result, {A: (2, 1)}, {A: (1, 1)}, {A: (1, 1), B: (0, 0)})
    assert [(f.subject, f.detail) for f in result.findings] == [
        (f"member {A}", "sharing record: the mirror's deliveries re-count (confirmed, distinct requesters) [2, 1], "
                        "SharingPlatform.sharingRecord gives [1, 1]")]
    result = CheckResult(sharing.NAME, sharing.TITLE)
    compare_records(result, {A: (1, 1)}, {A: (0, 0)}, {A: (1, 1)})
    assert [f.detail for f in result.findings] == [
        "sharing record: the chain's DeliveryConfirmed logs re-count (confirmed, distinct requesters) [0, 0], "
        "SharingPlatform.sharingRecord gives [1, 1]"]
    result = CheckResult(sharing.NAME, sharing.TITLE)
    compare_records(result, {A: (1, 1)}, {A: (1, 1)}, {A: None})
    assert len(result.findings) == 2 and result.findings[0].detail.endswith("sharingRecord gives null")


def test_offers_and_requests_are_held_against_the_platforms_state():
    state = replay(history(), P)
    offers = {1: (A, 0, 1, False, 3, 2, 2), 2: (B, 1, 0, True, 1, 0, 1)}
    requests = {1: (R1, 0, 3, 1, 1), 2: (R2, 0, 4, 0, 1), 3: (R2, 1, 5, 2, 0)}
    result = CheckResult(sharing.NAME, sharing.TITLE)
    compare_state(result, state, offers, requests)
    assert result.ok, result.findings

    compare_state(result, state, {**offers, 1: (A, 0, 1, False, 4, 3, 3), 3: None},
                  {**requests, 2: (R2, 0, 3, 0, 1), 4: None})
    assert [(f.subject, f.detail) for f in result.findings] == [
        ("offer 1", "granted: the mirror's rows give 2, the platform's getOffer has 3"),
        ("offer 1", "capacity: the mirror's rows give 3, the platform's getOffer has 4"),
        ("offer 1", "version: the mirror's rows give 2, the platform's getOffer has 3"),
        ("offer 3", "on the platform but not in the mirror"),
        ("request 2", "status: the mirror's rows give disputed, the platform's getRequest has confirmed"),
        ("request 4", "on the platform but not in the mirror")]
    result = CheckResult(sharing.NAME, sharing.TITLE)
    compare_state(result, state, {**offers, 1: (X, 0, 1, True, 3, 2, 2)}, {})
    assert [f.detail for f in result.findings] == [
        f'offerer: the mirror\'s rows give "{A}", the platform\'s getOffer has "{X}"',
        "withdrawn: the mirror's rows give false, the platform's getOffer has true"]
