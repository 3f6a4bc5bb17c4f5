"""Check "views": what an observer reads in the labelled views is what the checked tables say.

The typed check proves every view equal to its declared SELECT over the tables (a view altered
in the database). This one re-derives the observer's views (`ledger.mirror.views`) here, in
Python, from the typed tables — which "typed" checks against the chain's logs — so that a
mistake in a view's SQL shows too: proposal numbers by creation order, ballots, weights by
support and the states' head counts, the lifecycle; member names by admission, tier names
(TierNameSet, else Membership's defaults) at the tier a member had when it voted; support
labels; payouts in token units beside the raw ones; the roster's tiers and statuses; the sharing
platform's offers at their latest version with their grants and state, requests with their
status, confirmed deliveries with the offer's version in force at the grant, supply and demand
by kind, open requests with the requester's latest need score, each member's record. (The
proposal title, a display of the description the typed check covers, is not re-derived.)

The views show amounts with `TOKEN_DECIMALS`: the fund's token must have those decimals.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from eth_abi import decode as abi_decode

from ledger.mirror.read import MirrorReader
from ledger.mirror.typed import (MemberEvent, NeedScore, Payout, ProposalCreated, ProposalStatusEvent, ProposalTrack,
                                 ShareDelivery, ShareDispute, ShareGrant, ShareOfferVersion, ShareOfferWithdrawal,
                                 ShareRequest, ShareRequestCancellation, TierName, Vote)
from ledger.mirror.views import DEFAULT_TIER_NAMES, SHARE_KINDS, SUPPORT_NAMES, TOKEN_DECIMALS

from ..chain import ChainReader
from ..report import CheckResult

NAME = "views"
TITLE = "observer views = their rows re-derived from the checked tables (numbers, names, labels, token units)"
DECIMALS = "0x313ce567"  # ERC-20 decimals()
SHOWN = 3  # differing rows shown per view


def token_units(units: int) -> str:
    whole, frac = divmod(units, 10**TOKEN_DECIMALS)
    return str(whole) + (f".{frac:0{TOKEN_DECIMALS}d}".rstrip("0") if frac else "")


def _int(value):
    return None if value is None else int(value)


class _Members:
    """Who each account is (its admission), its tiers over time, and the tier names."""

    def __init__(self, mirror: MirrorReader):
        self.admitted, self.tiers, self.status = {}, defaultdict(list), {}
        for e in mirror.rows(MemberEvent):
            if e.event == "admitted":
                self.admitted[e.account] = e
            if e.tier_to is not None:
                self.tiers[e.account].append((e.block_number, e.tier_to))
            if e.event in ("admitted", "suspended", "reinstated", "expelled"):
                self.status[e.account] = {"suspended": "Suspended", "expelled": "Expelled"}.get(e.event, "Active")
        self.names = {}
        for t in mirror.rows(TierName):
            self.names[(t.address, t.tier)] = t.name

    def tier_at(self, account: str, block: int | None = None) -> int | None:
        tiers = [t for b, t in self.tiers.get(account, ()) if block is None or b <= block]
        return tiers[-1] if tiers else None

    def tier_name(self, account: str, tier: int | None) -> str | None:
        m = self.admitted.get(account)
        if m is None or tier is None:
            return None
        return self.names.get((m.address, tier), DEFAULT_TIER_NAMES[tier] if 0 <= tier < len(DEFAULT_TIER_NAMES) else None)

    def who(self, account: str) -> tuple:
        m = self.admitted.get(account)
        return (m.name, m.identifier, m.kind) if m else (None, None, None)


def expected_views(mirror: MirrorReader) -> dict[str, list[tuple]]:
    """The rows of the observer's views, as comparable tuples, re-derived from the typed tables."""
    members = _Members(mirror)
    numbers: dict[tuple, int] = {}
    count: Counter = Counter()
    for c in mirror.rows(ProposalCreated):
        count[c.address] += 1
        numbers[(c.address, c.proposal_id)] = count[c.address]
    tracks = {(t.address, t.proposal_id): (t.track, t.quorum_bps, t.pass_bps) for t in mirror.rows(ProposalTrack)}
    lifecycle = {(s.address, s.proposal_id): s.event for s in mirror.rows(ProposalStatusEvent)}
    votes = mirror.rows(Vote)

    out: dict[str, list[tuple]] = {"proposal_summary": [], "vote_by_member": [], "payout_by_member": [], "roster": []}
    for c in mirror.rows(ProposalCreated):
        mine = [v for v in votes if v.address == c.address and v.proposal_id == c.proposal_id]
        weight = [sum(v.weight for v in mine if v.support == s) for s in (1, 0, 2)]
        states = [sum(1 for v in mine if v.support == s and members.who(v.voter)[2] == "State") for s in (1, 0)]
        track = tracks.get((c.address, c.proposal_id), (None, None, None))
        out["proposal_summary"].append((numbers[(c.address, c.proposal_id)], c.proposal_id, track[0],
                                        lifecycle.get((c.address, c.proposal_id), "created"), len(mine), *weight,
                                        *states, track[1], track[2]))
    for v in votes:
        tier = members.tier_at(v.voter, v.block_number)
        label = SUPPORT_NAMES[v.support] if 0 <= v.support < len(SUPPORT_NAMES) else None
        out["vote_by_member"].append((numbers.get((v.address, v.proposal_id)), *members.who(v.voter),
                                      members.tier_name(v.voter, tier), tier,
                                      label, v.support, v.weight, v.voter, v.block_number, v.log_index))
    for p in mirror.rows(Payout):
        out["payout_by_member"].append((p.round_id, *members.who(p.member)[:2], token_units(p.amount), p.amount,
                                        "pushed" if p.pushed else "claimable", token_units(p.budget), p.member,
                                        p.block_number, p.log_index))
    for account, m in members.admitted.items():
        tier = members.tier_at(account)
        out["roster"].append((account, m.name, m.identifier, m.kind, members.tier_name(account, tier), tier,
                              members.status.get(account)))
    out.update(_sharing_views(mirror, members))
    return out


def _sharing_views(mirror: MirrorReader, members: _Members) -> dict[str, list[tuple]]:
    versions = mirror.rows(ShareOfferVersion)
    grants, deliveries = mirror.rows(ShareGrant), mirror.rows(ShareDelivery)
    withdrawn = {(w.address, w.offer_id) for w in mirror.rows(ShareOfferWithdrawal)}
    granted = Counter((g.address, g.offer_id) for g in grants)

    def by_request(rows) -> dict:
        return {(r.address, r.request_id): r for r in rows}

    grant_of, delivery_of = by_request(grants), by_request(deliveries)
    dispute_of, cancelled = by_request(mirror.rows(ShareDispute)), by_request(mirror.rows(ShareRequestCancellation))
    latest, first = {}, {}
    for v in versions:  # chain order: the last is the current version
        latest[(v.address, v.offer_id)] = v
        first.setdefault((v.address, v.offer_id), v.block_number)
    out: dict[str, list[tuple]] = {name: [] for name in (
        "share_offer_summary", "share_request_summary", "share_delivery_by_member", "share_supply_demand",
        "share_open_request", "share_record_by_member")}
    offers = []  # (address, kind, state, remaining)
    for key, v in latest.items():
        n = granted.get(key, 0)
        state = "withdrawn" if key in withdrawn else "open"
        remaining = v.capacity - n if state == "open" else 0
        offers.append((v.address, v.kind, state, remaining))
        out["share_offer_summary"].append((v.offer_id, *members.who(v.offerer)[:2], v.kind, v.title, v.version,
                                           v.content_id, members.tier_name(v.offerer, v.min_tier), v.min_tier,
                                           v.capacity, n, remaining, state, v.offerer, first[key], v.block_number))
    requests = []  # (address, kind, status)
    scores = {}
    for s in mirror.rows(NeedScore):
        scores[s.member] = s.score
    for r in mirror.rows(ShareRequest):
        key = (r.address, r.request_id)
        g = grant_of.get(key)
        status = ("confirmed" if key in delivery_of else "disputed" if key in dispute_of else "granted" if g
                  else "cancelled" if key in cancelled else "open")
        requests.append((r.address, r.kind, status))
        offerer = members.who(g.offerer)[:2] if g else (None, None)
        d, x = delivery_of.get(key), dispute_of.get(key)
        out["share_request_summary"].append((
            r.request_id, *members.who(r.requester)[:2], r.kind, r.offer_id or None, status,
            g.offer_id if g else None, *offerer, g.terms_hash if g else None, d.outcome_hash if d else None,
            x.disputed_by if x else None, r.requester, g.offerer if g else None, r.block_number))
        if status == "open":
            name, identifier, kind = members.who(r.requester)
            score = scores.get(r.requester)
            out["share_open_request"].append((
                r.request_id, name, identifier, kind, members.tier_name(r.requester, members.tier_at(r.requester)),
                r.kind, r.offer_id or None, score, 1 if score else 0, r.requester))
    for d in deliveries:
        g = grant_of.get((d.address, d.request_id))
        known = [v for v in versions if g and v.address == d.address and v.offer_id == d.offer_id
                 and (v.block_number, v.log_index) <= (g.block_number, g.log_index)]
        v = known[-1] if known else None
        out["share_delivery_by_member"].append((
            members.who(d.offerer)[0], members.who(d.requester)[0], *((v.kind, v.title, v.version, v.content_id)
                                                                      if v else (None,) * 4),
            d.offer_id, d.request_id, d.outcome_hash, d.offerer, d.requester, d.block_number, d.log_index))
    # each member's record, by (platform, account)
    posted = mirror.rows(ShareRequest)
    offered, served = defaultdict(set), defaultdict(set)
    for v in versions:
        offered[(v.address, v.offerer)].add(v.offer_id)
    tally = {what: Counter() for what in ("grants", "confirmed", "requests", "received")}
    tally["grants"].update((g.address, g.offerer) for g in grants)
    tally["requests"].update((r.address, r.requester) for r in posted)
    for d in deliveries:
        tally["confirmed"][(d.address, d.offerer)] += 1
        tally["received"][(d.address, d.requester)] += 1
        served[(d.address, d.offerer)].add(d.requester)
    platforms = sorted({v.address for v in versions} | {a for a, _k, _s in requests})
    for address in platforms:
        for kind in SHARE_KINDS:
            mine = [o for o in offers if o[0] == address and o[1] == kind and o[2] == "open"]
            out["share_supply_demand"].append((kind, sum(1 for o in mine if o[3] > 0), sum(o[3] for o in mine),
                                               sum(1 for q in requests if q == (address, kind, "open"))))
        accounts = {v.offerer for v in versions if v.address == address} | {
            r.requester for r in posted if r.address == address}
        for account in accounts:
            key = (address, account)
            out["share_record_by_member"].append((
                *members.who(account), len(offered.get(key, ())), tally["grants"][key], tally["confirmed"][key],
                len(served.get(key, ())), tally["requests"][key], tally["received"][key], account))
    return out


def mirrored_views(mirror: MirrorReader) -> dict[str, list[tuple]]:
    """The same tuples, as the database's views give them."""
    def rows(name):
        return mirror.view_rows(name)

    return {
        "proposal_summary": [(_int(r["number"]), r["proposal_id"], r["track"], r["lifecycle"], _int(r["ballots"]),
                              _int(r["for_weight"]), _int(r["against_weight"]), _int(r["abstain_weight"]),
                              _int(r["states_for"]), _int(r["states_against"]), _int(r["quorum_bps"]),
                              _int(r["pass_bps"])) for r in rows("proposal_summary")],
        "vote_by_member": [(_int(r["proposal"]), r["member"], r["identifier"], r["kind"], r["tier"],
                            _int(r["tier_level"]), r["support"], _int(r["support_code"]), _int(r["weight"]),
                            r["voter"], _int(r["block_number"]), _int(r["log_index"])) for r in rows("vote_by_member")],
        "payout_by_member": [(_int(r["round"]), r["member"], r["identifier"], r["amount"], _int(r["amount_units"]),
                              r["paid_as"], r["budget"], r["account"], _int(r["block_number"]), _int(r["log_index"]))
                             for r in rows("payout_by_member")],
        "roster": [(r["account"], r["name"], r["identifier"], r["kind"], r["tier"], _int(r["tier_level"]), r["status"])
                   for r in rows("roster")],
        "share_offer_summary": [
            (_int(r["offer"]), r["offerer"], r["identifier"], r["kind"], r["title"], _int(r["version"]),
             r["content_id"], r["min_tier"], _int(r["min_tier_level"]), _int(r["capacity"]), _int(r["granted"]), _int(r["remaining"]),
             r["state"], r["offerer_account"], _int(r["published_block"]), _int(r["version_block"]))
            for r in rows("share_offer_summary")],
        "share_request_summary": [
            (_int(r["request"]), r["requester"], r["identifier"], r["kind"], _int(r["offer"]), r["status"],
             _int(r["granted_offer"]), r["offerer"], r["offerer_identifier"], r["terms_hash"], r["outcome_hash"],
             r["disputed_by"], r["requester_account"], r["offerer_account"], _int(r["posted_block"]))
            for r in rows("share_request_summary")],
        "share_delivery_by_member": [
            (r["offerer"], r["requester"], r["kind"], r["title"], _int(r["version"]), r["content_id"], _int(r["offer"]),
             _int(r["request"]), r["outcome_hash"], r["offerer_account"], r["requester_account"],
             _int(r["block_number"]), _int(r["log_index"])) for r in rows("share_delivery_by_member")],
        "share_supply_demand": [(r["kind"], _int(r["open_offers"]), _int(r["capacity_left"]), _int(r["open_requests"]))
                                for r in rows("share_supply_demand")],
        "share_open_request": [
            (_int(r["request"]), r["requester"], r["identifier"], r["member_kind"], r["tier"], r["kind"],
             _int(r["offer"]), _int(r["need_score"]), _int(r["in_need"]), r["requester_account"]) for r in rows("share_open_request")],
        "share_record_by_member": [
            (r["member"], r["identifier"], r["kind"], _int(r["offers"]), _int(r["grants"]), _int(r["confirmed"]),
             _int(r["distinct_requesters"]), _int(r["requests"]), _int(r["received"]), r["account"])
            for r in rows("share_record_by_member")],
    }


def _decimals(reader: ChainReader) -> int | None:
    token = reader.call("EquityFund", "token")
    if token is None:
        return None
    answer = reader.rpc.batch([("eth_call", [{"to": token[0], "data": DECIMALS}, hex(reader.block)])],
                              tolerant=True)[0]
    try:
        return abi_decode(["uint8"], bytes.fromhex(answer[2:]))[0] if answer else None
    except Exception:  # eth-abi's decoding errors share no base class
        return None


def check(mirror: MirrorReader, reader: ChainReader) -> CheckResult:
    result = CheckResult(NAME, TITLE)
    decimals = _decimals(reader)
    if decimals != TOKEN_DECIMALS:
        result.find("token", f"the fund's token has {decimals} decimals; the views show amounts with "
                             f"{TOKEN_DECIMALS}: their amount columns are wrong (the *_units columns are exact)")
    expected, mirrored = expected_views(mirror), mirrored_views(mirror)
    for name, rows in expected.items():
        result.count("views")
        result.count("rows", len(rows))
        missing = Counter(rows) - Counter(mirrored[name])
        extra = Counter(mirrored[name]) - Counter(rows)
        if missing or extra:
            shown = [f"the tables make {r}" for r in list(missing)[:SHOWN]] + \
                    [f"the view has {r}" for r in list(extra)[:SHOWN]]
            result.find(f"view {name}", f"{sum(missing.values())} rows the tables make are not in it, "
                                        f"{sum(extra.values())} rows in it the tables do not make: " + "; ".join(shown))
    return result
