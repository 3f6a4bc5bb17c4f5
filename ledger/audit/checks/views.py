"""Check "views": what an observer reads in the labelled views is what the checked tables say.

The typed check proves every view equal to its declared SELECT over the tables (a view altered
in the database). This one re-derives the observer's views (`ledger.mirror.views`) here, in
Python, from the typed tables — which "typed" checks against the chain's logs — so that a
mistake in a view's SQL shows too: proposal numbers by creation order, ballots, weights by
support and the states' head counts, the lifecycle; member names by admission, tier names
(TierNameSet, else Membership's defaults) at the tier a member had when it voted; support
labels; payouts in token units beside the raw ones; the roster's tiers and statuses. (The
proposal title, a display of the description the typed check covers, is not re-derived.)

The views show amounts with `TOKEN_DECIMALS`: the fund's token must have those decimals.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from eth_abi import decode as abi_decode

from ledger.mirror.read import MirrorReader
from ledger.mirror.typed import (MemberEvent, Payout, ProposalCreated, ProposalStatusEvent, ProposalTrack, TierName,
                                 Vote)
from ledger.mirror.views import DEFAULT_TIER_NAMES, SUPPORT_NAMES, TOKEN_DECIMALS

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
