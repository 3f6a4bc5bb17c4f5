"""Check "sharing": the technology-sharing platform kept its rules, and the pathway with it.

The platform's history is read twice: from the mirror's typed tables (`share_*`, `member_event`,
`tier_sharing_requirement`, `sharing_record_set`, through `ledger.mirror.read`: what observers
query, which the typed check holds to the chain's logs) and from the chain's logs as the audit
decodes them itself (`ledger.audit.events`). Each becomes a list of `Act`s (an event, where it
lies, its values under the mirror's column names), replayed in chain order by `replay`, a plain
function of the list. The rules are judged on the mirror's rows, as observers read them; the
chain's logs give a second, independent re-count of every member's record. The rules:

- versions: an offer's versions are numbered 1, 2, 3… by one offerer, its kind unchanged, and
  an update never sets the capacity below the grants already made;
- withdrawal: by the offer's offerer, of an offer not withdrawn yet;
- request: an offer asked for exists, is open and of the request's kind;
- grant: by the offer's offerer (the grant's offerer = the first version's), under an open
  offer, of an open request by the grant's requester that asked for this offer or for any of
  its kind; within capacity: its `granted` is the grants counted under the offer so far (this
  one included), its `capacity` is the capacity in force, and the count is at most that;
- confirmation: by the request's requester, of a granted request, under the offer it was
  granted under and naming that offer's offerer; its `confirmed` and `distinct_requesters`
  are the offerer's deliveries re-counted so far;
- dispute: by the request's requester or the granting offerer, of a granted request;
  cancellation: by the requester, of an open request;
- promotion: every `tier_changed` with reason Promotion is held against the tier's sharing
  requirement in force at its block (TierSharingRequirementSet, else 0): the member's distinct
  requesters re-counted up to the promotion must reach it, and the record of sharing
  Membership read then (SharingRecordSet) must be this deployment's SharingPlatform.

Then each member's record, re-counted from the mirror and from the chain's logs, is held
against `SharingPlatform.sharingRecord` at the mirror's last block (`ChainReader`), and each
offer and request against the platform's `getOffer`/`getRequest` (offerer, granted, capacity,
withdrawn, version; status).

A finding about a row names its table, position and field, with the row's value and the one
the rules give (`mirror`, `chain` in the report's JSON); a member's record or an offer's
state names the member or the offer, with both values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from eth_utils import to_checksum_address

from ledger.mirror.read import MirrorReader
from ledger.mirror.typed import (MemberEvent, ShareDelivery, ShareDispute, ShareGrant, ShareOfferVersion,
                                 ShareOfferWithdrawal, ShareRequest, ShareRequestCancellation, SharingRecordSet,
                                 TierSharingRequirement)
from ledger.org.sharing import Kind, RequestStatus

from ..chain import ChainReader
from ..events import ChainEvent
from ..report import CheckResult, Finding, shown, where

NAME = "sharing"
TITLE = ("sharing: grants within capacity by their offerers, confirmations by their requesters, records "
         "re-counted, promotions that needed sharing")
PLATFORM = "SharingPlatform"
MEMBERSHIP = "Membership"
TIER_CHANGES = ("Governance", "Promotion", "Demotion")  # Membership.TierChange, in order

# The events the check reads: (contract, event) -> (table, {argument: column}), written here
# for the audit's own decoding (not read from the mirror's declarations).
EVENTS: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    (PLATFORM, "OfferPublished"): ("share_offer_version", {
        "offerId": "offer_id", "offerer": "offerer", "version": "version", "kind": "kind", "minTier": "min_tier",
        "capacity": "capacity", "title": "title", "contentId": "content_id"}),
    (PLATFORM, "OfferWithdrawn"): ("share_offer_withdrawal", {"offerId": "offer_id", "offerer": "offerer"}),
    (PLATFORM, "RequestPosted"): ("share_request", {
        "requestId": "request_id", "requester": "requester", "offerId": "offer_id", "kind": "kind"}),
    (PLATFORM, "RequestCancelled"): ("share_request_cancellation", {"requestId": "request_id",
                                                                      "requester": "requester"}),
    (PLATFORM, "RequestGranted"): ("share_grant", {
        "requestId": "request_id", "offerId": "offer_id", "offerer": "offerer", "requester": "requester",
        "granted": "granted", "capacity": "capacity"}),
    (PLATFORM, "DeliveryConfirmed"): ("share_delivery", {
        "requestId": "request_id", "requester": "requester", "offerer": "offerer", "offerId": "offer_id",
        "confirmed": "confirmed", "distinctRequesters": "distinct_requesters"}),
    (PLATFORM, "DeliveryDisputed"): ("share_dispute", {"requestId": "request_id", "by": "disputed_by"}),
    (MEMBERSHIP, "MemberTierChanged"): ("member_event", {
        "account": "account", "fromTier": "tier_from", "toTier": "tier_to", "reason": "reason"}),
    (MEMBERSHIP, "TierSharingRequirementSet"): ("tier_sharing_requirement", {"tier": "tier", "minimum": "minimum"}),
    (MEMBERSHIP, "SharingRecordSet"): ("sharing_record_set", {"sharing": "sharing"}),
}
TABLES = {table: event for (_, event), (table, _) in EVENTS.items()}
MODELS = (ShareOfferVersion, ShareOfferWithdrawal, ShareRequest, ShareRequestCancellation, ShareGrant, ShareDelivery,
          ShareDispute, MemberEvent, TierSharingRequirement, SharingRecordSet)


@dataclass(frozen=True)
class Act:
    """One event of the platform (or the pathway's) as the check reads it: the chain's event
    name, where it lies, the table its row is in, its values under that table's column names
    (kinds and reasons by name, addresses lowercase)."""

    event: str
    position: tuple[int, int]
    table: str
    values: dict[str, Any]

    def __getitem__(self, column: str) -> Any:
        return self.values.get(column)


@dataclass(frozen=True)
class Issue:
    """A rule broken by one row: which field, its value, and the value the rules give."""

    table: str
    position: tuple[int, int]
    field: str
    value: Any
    expected: Any
    rule: str

    def finding(self) -> Finding:
        detail = f"{self.table}.{self.field}: {self.rule}: the row has {shown(self.value)}, the rules give " \
                 f"{shown(self.expected)}"
        return Finding(NAME, where(*self.position), detail, self.table, *self.position, self.field, self.value,
                       self.expected)


def _lower(value: Any) -> Any:
    """Addresses and hashes lowercase (as the mirror stores them); other values as they are."""
    return value.lower() if isinstance(value, str) and value.startswith("0x") else value


def _name(names: Iterable[str], value: Any) -> Any:
    names = tuple(names)
    return names[value] if isinstance(value, int) and 0 <= value < len(names) else value


def acts_from_rows(mirror: MirrorReader) -> list[Act]:
    """The mirror's rows, as acts in chain order (member_event: tier changes only)."""
    acts = []
    for model in MODELS:
        table = model.__table__.name
        for row in mirror.rows(model):
            values = {k: _lower(v) for k, v in row._asdict().items()}
            if table == "member_event" and values.get("event") != "tier_changed":
                continue
            acts.append(Act(TABLES[table], (row.block_number, row.log_index), table, values))
    return sorted(acts, key=lambda a: a.position)


def acts_from_events(events: Iterable[ChainEvent]) -> list[Act]:
    """The chain's logs, decoded by the audit, as acts in chain order."""
    acts = []
    for e in events:
        known = EVENTS.get((e.contract, e.event)) if e.args is not None else None
        if known is None:
            continue
        table, columns = known
        values = {column: _lower(e.args.get(arg)) for arg, column in columns.items()}
        if "kind" in values:
            values["kind"] = _name((k.name for k in Kind), values["kind"])
        if "reason" in values:
            values["reason"] = _name(TIER_CHANGES, values["reason"])
        acts.append(Act(e.event, e.position, table, values))
    return sorted(acts, key=lambda a: a.position)


@dataclass
class _Offer:
    offerer: str
    kind: str
    capacity: int
    version: int
    granted: int = 0
    withdrawn: bool = False


@dataclass
class _Request:
    requester: str
    kind: str
    offer_id: int
    status: RequestStatus = RequestStatus.Open
    granted_offer: int = 0


@dataclass
class Replay:
    """What the acts add up to: offers, requests, each offerer's record, and the rules broken."""

    offers: dict[int, _Offer] = field(default_factory=dict)
    requests: dict[int, _Request] = field(default_factory=dict)
    confirmed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    served: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    issues: list[Issue] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def record(self, account: str) -> tuple[int, int]:
        """(confirmed deliveries, distinct requesters) of `account` so far."""
        return self.confirmed.get(account, 0), len(self.served.get(account, ()))

    def records(self) -> dict[str, tuple[int, int]]:
        """Every offerer's record (and any other account's with deliveries)."""
        accounts = set(self.confirmed) | set(self.served) | {o.offerer for o in self.offers.values()}
        return {a: self.record(a) for a in sorted(accounts, key=str)}


def replay(acts: Iterable[Act], platform: str | None) -> Replay:
    """Replay `acts` (in chain order) under the platform's rules; `platform` is the deployment's
    SharingPlatform address (what promotions must have read)."""
    out = Replay()
    requirements: dict[int, int] = {}
    record_set: str | None = None

    def broken(act: Act, column: str, value: Any, expected: Any, rule: str) -> None:
        out.issues.append(Issue(act.table, act.position, column, value, expected, rule))

    def expect(act: Act, column: str, expected: Any, rule: str) -> bool:
        if act[column] != expected:
            broken(act, column, act[column], expected, rule)
            return False
        return True

    for act in acts:
        out.counted[act.table] += 1
        e = act.event
        if e == "OfferPublished":
            offer = out.offers.get(act["offer_id"])
            if offer is None:
                expect(act, "version", 1, "an offer's first version is 1")
                out.offers[act["offer_id"]] = _Offer(act["offerer"], act["kind"], act["capacity"], act["version"])
                continue
            expect(act, "version", offer.version + 1, "versions follow one another")
            expect(act, "offerer", offer.offerer, "only the offerer updates its offer")
            expect(act, "kind", offer.kind, "an update keeps the offer's kind")
            if offer.withdrawn:
                broken(act, "offer_id", act["offer_id"], None, "an update of a withdrawn offer")
            if act["capacity"] is not None and act["capacity"] < offer.granted:
                broken(act, "capacity", act["capacity"], offer.granted,
                       "an update sets the capacity below the grants made")
            offer.version, offer.capacity = act["version"], act["capacity"]
        elif e == "OfferWithdrawn":
            offer = out.offers.get(act["offer_id"])
            if offer is None or offer.withdrawn:
                broken(act, "offer_id", act["offer_id"], None,
                       "a withdrawal of an offer never published" if offer is None else "a second withdrawal")
                continue
            expect(act, "offerer", offer.offerer, "only the offerer withdraws its offer")
            offer.withdrawn = True
        elif e == "RequestPosted":
            asked = act["offer_id"]
            if asked:
                offer = out.offers.get(asked)
                if offer is None or offer.withdrawn:
                    broken(act, "offer_id", asked, None, "a request for an offer never published" if offer is None
                           else "a request for a withdrawn offer")
                else:
                    expect(act, "kind", offer.kind, "a request is of the kind of the offer it asks for")
            out.requests[act["request_id"]] = _Request(act["requester"], act["kind"], asked)
        elif e == "RequestCancelled":
            request = out.requests.get(act["request_id"])
            if request is None or request.status != RequestStatus.Open:
                broken(act, "request_id", act["request_id"], None,
                       "a cancellation of a request that is not open" if request else "a cancellation of no request")
                continue
            expect(act, "requester", request.requester, "only the requester cancels its request")
            request.status = RequestStatus.Cancelled
        elif e == "RequestGranted":
            _grant(out, act, broken, expect)
        elif e == "DeliveryConfirmed":
            _confirm(out, act, broken, expect)
        elif e == "DeliveryDisputed":
            request = out.requests.get(act["request_id"])
            if request is None or request.status != RequestStatus.Granted:
                broken(act, "request_id", act["request_id"], None, "a dispute over a request that is not granted")
                continue
            parties = (request.requester, out.offers[request.granted_offer].offerer)
            if act["disputed_by"] not in parties:
                broken(act, "disputed_by", act["disputed_by"], list(parties),
                       "only the requester or the offerer flags a dispute")
            request.status = RequestStatus.Disputed
        elif e == "TierSharingRequirementSet":
            requirements[act["tier"]] = act["minimum"]
        elif e == "SharingRecordSet":
            record_set = act["sharing"]
        elif e == "MemberTierChanged" and act["reason"] == "Promotion":
            required = requirements.get(act["tier_to"], 0)
            if not required:
                continue
            out.counted["promotions that needed sharing"] += 1
            distinct = out.record(act["account"])[1]
            if distinct < required:
                broken(act, "tier_to", act["tier_to"], act["tier_from"],
                       f"a promotion to a tier that requires {required} distinct requesters, by a member with "
                       f"{distinct}")
            if platform is not None and record_set != platform:
                broken(act, "account", act["account"], platform,
                       f"a promotion that read the record of sharing at {record_set}, not this deployment's "
                       "SharingPlatform")
    return out


def _grant(out: Replay, act: Act, broken, expect) -> None:
    offer = out.offers.get(act["offer_id"])
    request = out.requests.get(act["request_id"])
    if offer is None:
        broken(act, "offer_id", act["offer_id"], None, "a grant under an offer never published")
        return
    if request is None:
        broken(act, "request_id", act["request_id"], None, "a grant of a request never posted")
        return
    expect(act, "offerer", offer.offerer, "a grant is made by the offer's offerer")
    if offer.withdrawn:
        broken(act, "offer_id", act["offer_id"], None, "a grant under a withdrawn offer")
    if request.status != RequestStatus.Open:
        broken(act, "request_id", act["request_id"], request.status.name.lower(),
               "a grant of a request that is not open")
    if request.offer_id and request.offer_id != act["offer_id"]:
        broken(act, "offer_id", act["offer_id"], request.offer_id, "a grant under another offer than the one asked for")
    if request.kind != offer.kind:
        broken(act, "offer_id", act["offer_id"], None,
               f"a grant of a {request.kind} request under a {offer.kind} offer")
    expect(act, "requester", request.requester, "a grant is to the request's requester")
    offer.granted += 1
    expect(act, "granted", offer.granted, "a grant counts the grants under its offer")
    expect(act, "capacity", offer.capacity, "a grant carries the capacity in force")
    if offer.granted > offer.capacity:
        broken(act, "granted", offer.granted, offer.capacity, "a grant beyond its offer's capacity")
    request.status, request.granted_offer = RequestStatus.Granted, act["offer_id"]


def _confirm(out: Replay, act: Act, broken, expect) -> None:
    request = out.requests.get(act["request_id"])
    if request is None or request.status != RequestStatus.Granted:
        broken(act, "request_id", act["request_id"], request.status.name.lower() if request else None,
               "a confirmation of a request that is not granted")
        return
    expect(act, "requester", request.requester, "only the requester confirms a delivery")
    expect(act, "offer_id", request.granted_offer, "a confirmation names the offer the request was granted under")
    offerer = out.offers[request.granted_offer].offerer
    expect(act, "offerer", offerer, "a confirmation counts for the offer's offerer")
    request.status = RequestStatus.Confirmed
    out.confirmed[offerer] += 1
    out.served[offerer].add(request.requester)
    confirmed, distinct = out.record(offerer)
    expect(act, "confirmed", confirmed, "the offerer's confirmed deliveries, re-counted")
    expect(act, "distinct_requesters", distinct, "the offerer's distinct requesters, re-counted")


def compare_records(result: CheckResult, mirrored: dict[str, tuple[int, int]], logged: dict[str, tuple[int, int]],
                    on_chain: dict[str, tuple[int, int] | None]) -> None:
    """Each member's (confirmed, distinct requesters): re-counted from the mirror, re-counted
    from the chain's logs, and `SharingPlatform.sharingRecord` (None: unreadable)."""
    for account in sorted(set(mirrored) | set(logged) | set(on_chain), key=str):
        chain = on_chain.get(account)
        for source, counted in (("the mirror's deliveries", mirrored), ("the chain's DeliveryConfirmed logs", logged)):
            mine = counted.get(account, (0, 0))
            if chain != mine:
                result.find(f"member {account}", f"sharing record: {source} re-count (confirmed, distinct "
                                                 f"requesters) {shown(list(mine))}, SharingPlatform.sharingRecord "
                                                 f"gives {shown(list(chain) if chain else chain)}")


def compare_state(result: CheckResult, state: Replay, offers: dict[int, tuple | None],
                  requests: dict[int, tuple | None]) -> None:
    """The replayed offers and requests against the platform's getOffer / getRequest answers."""
    for offer_id, answer in sorted(offers.items()):
        mine = state.offers.get(offer_id)
        if answer is None or mine is None:
            result.find(f"offer {offer_id}", "in the mirror but unknown to the platform" if mine else
                        "on the platform but not in the mirror")
            continue
        offerer, _kind, _min_tier, withdrawn, capacity, granted, version = answer
        for what, value, theirs in (("offerer", mine.offerer, offerer.lower()), ("granted", mine.granted, granted),
                                    ("capacity", mine.capacity, capacity), ("withdrawn", mine.withdrawn, withdrawn),
                                    ("version", mine.version, version)):
            if value != theirs:
                result.find(f"offer {offer_id}", f"{what}: the mirror's rows give {shown(value)}, the platform's "
                                                 f"getOffer has {shown(theirs)}")
    for request_id, answer in sorted(requests.items()):
        mine = state.requests.get(request_id)
        if answer is None or mine is None:
            result.find(f"request {request_id}", "in the mirror but unknown to the platform" if mine else
                        "on the platform but not in the mirror")
            continue
        status = RequestStatus(answer[2]).name.lower() if answer[2] in tuple(RequestStatus) else str(answer[2])
        if mine.status.name.lower() != status:
            result.find(f"request {request_id}", f"status: the mirror's rows give {mine.status.name.lower()}, "
                                                 f"the platform's getRequest has {status}")


def _address(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 42 and value.startswith("0x") and all(
        c in "0123456789abcdef" for c in value[2:])


def _uint(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**256


def check(mirror: MirrorReader, events: list[ChainEvent], reader: ChainReader) -> CheckResult:
    result = CheckResult(NAME, TITLE)
    deployed = reader.manifest.contracts.get(PLATFORM)
    platform = deployed.address.lower() if deployed else None
    state = replay(acts_from_rows(mirror), platform)
    for table, n in sorted(state.counted.items()):
        result.count(table, n)
    result.findings += [issue.finding() for issue in state.issues]
    if deployed is None:  # a deployment from before the platform: nothing on chain to hold it against
        return result
    logged = replay(acts_from_events(events), platform)
    mirrored_records, logged_records = state.records(), logged.records()
    accounts = sorted(a for a in set(mirrored_records) | set(logged_records) if _address(a))
    answers = reader.calls([(PLATFORM, "sharingRecord", [to_checksum_address(a)]) for a in accounts])
    compare_records(result, mirrored_records, logged_records,
                    {a: tuple(answer) if answer else None for a, answer in zip(accounts, answers)})
    result.count("member records", len(accounts))

    counts = reader.calls([(PLATFORM, "offerCount", []), (PLATFORM, "requestCount", [])])
    n_offers = counts[0][0] if counts[0] else 0
    n_requests = counts[1][0] if counts[1] else 0
    offer_ids = sorted(set(range(1, n_offers + 1)) | {i for i in state.offers if _uint(i)})
    request_ids = sorted(set(range(1, n_requests + 1)) | {i for i in state.requests if _uint(i)})
    got = reader.calls([(PLATFORM, "getOffer", [i]) for i in offer_ids] +
                       [(PLATFORM, "getRequest", [i]) for i in request_ids])
    offers = {i: (tuple(g[0]) if g else None) for i, g in zip(offer_ids, got)}
    requests = {i: (tuple(g[0]) if g else None) for i, g in zip(request_ids, got[len(offer_ids):])}
    compare_state(result, state, offers, requests)
    return result
