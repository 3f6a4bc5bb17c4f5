"""What the site shows, derived from the checkpointed rows: members and their weights, proposals
with their tallies, quorum and state, the fund's flows and rounds.

Every derivation here has a twin in `static/ledger.js`, which makes it again in the observer's
browser from the leaves; the two must agree to the unit, so both follow the contracts:

- weight (`VoteWeights.sol`): a voting member (Active, tier 1-3) has `basic + tierVotes[tier]`;
  when the corporate bloc's raw total C exceeds `cap` of the whole, each corporate weight is
  `raw * cap * S // ((10000 - cap) * C)` (S: the states' raw total). Weights at block b count
  the Membership events of blocks up to b (ERC-5805 checkpoints at the block number).
- quorum: `total weight at the snapshot * quorumBps / 10000`, rounded up (as the governor); a proposal passes when
  `for + abstain >= quorum`, `for > against`, `for * 10000 >= passBps * (for + against)`, and,
  on the Constitutional track, more voting states for than against.
- state, as of the log's last event's block ("now"): Canceled, Executed or Queued by its last
  status event; else Pending while `snapshot >= now`, Active while `deadline >= now`, then
  Succeeded or Defeated by the rules above.
- the fund's balance: contributions - what rounds paid + payouts that were not pushed
  (claimable) - claims.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ledger.org.membership import Tier

from .data import Ledger

BPS = 10_000
KINDS = ("State", "Corporate")
TRACKS = ("Ordinary", "RapidResponse", "Constitutional")
SUPPORT = ("against", "for", "abstain")
TIER_NAMES = tuple(t.name for t in Tier)  # the contract's defaults; TierNameSet renames


def support_name(support: int) -> str:
    return SUPPORT[support] if 0 <= support < len(SUPPORT) else f"support {support}"


def title_of(description: str) -> str:
    """A proposal's title: its description's first line without leading '#' and spaces, and
    without trailing spaces (the same rule in ledger.js)."""
    return description.split("\n", 1)[0].lstrip("# ").rstrip(" \t\r") or "(untitled)"


# --- membership ------------------------------------------------------------------------------


@dataclass
class Schedule:
    basic: int = 0
    tier_votes: tuple[int, int, int] = (0, 0, 0)
    cap_bps: int = BPS

    def raw(self, tier: int) -> int:
        return self.basic + self.tier_votes[tier - 1] if 1 <= tier <= 3 else 0


@dataclass
class Member:
    account: str
    kind: str
    name: str
    identifier: str
    tier: int
    status: str  # Active | Suspended | Expelled
    admitted: object  # the MemberAdmitted row
    history: list = field(default_factory=list)  # member_event rows, in chain order
    weight: int = 0  # now

    def voting_class(self) -> int:
        if self.status != "Active" or self.tier == 0:
            return 0
        return 1 + KINDS.index(self.kind) * 3 + (self.tier - 1)


@dataclass(frozen=True)
class Weights:
    """Every voting member's effective weight at one block, and the parts of the total."""

    of: dict[str, int]
    total: int
    states: int  # effective totals of each bloc
    corporates: int
    cap_bps: int

    @property
    def corporate_share_bps(self) -> int:
        return self.corporates * BPS // self.total if self.total else 0


class Membership:
    """Members replayed from their events, with the vote schedule; weights at any block."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.tier_names = list(TIER_NAMES)
        for s in ledger.settings:
            if s.event == "TierNameSet":
                tier = int(s.args["tier"])
                if 0 <= tier < len(self.tier_names):
                    self.tier_names[tier] = s.args["name"]
        self.members: dict[str, Member] = {}
        for row in ledger.member_events:
            account = row.account.lower()
            if row.event == "admitted":
                self.members[account] = Member(account, row.kind, row.name or "", row.identifier or "", row.tier_to,
                                               "Active", row)
            member = self.members.get(account)
            if member is None:
                continue
            member.history.append(row)
            if row.event == "tier_changed":
                member.tier = row.tier_to
            elif row.event in ("suspended", "reinstated", "expelled"):
                member.status = {"suspended": "Suspended", "reinstated": "Active", "expelled": "Expelled"}[row.event]
        self._cache: dict[int, Weights] = {}
        now = self.weights_at(ledger.last_block)
        for account, member in self.members.items():
            member.weight = now.of.get(account, 0)

    def schedule_at(self, block: int) -> Schedule:
        schedule = Schedule()
        for s in self.ledger.settings:
            if s.block_number > block:
                break
            if s.event == "VoteScheduleSet":
                schedule.basic = int(s.args["basicVotes"])
                schedule.tier_votes = tuple(int(v) for v in s.args["tierVotes"])
            elif s.event == "CorporateCapSet":
                schedule.cap_bps = int(s.args["cap"])
        return schedule

    def weights_at(self, block: int) -> Weights:
        """Weights as `getPastVotes(account, block)` gives them (events of blocks <= block)."""
        if block in self._cache:
            return self._cache[block]
        state: dict[str, list] = {}  # account -> [kind, tier, status]
        for row in self.ledger.member_events:
            if row.block_number > block:
                break
            account = row.account.lower()
            if row.event == "admitted":
                state[account] = [row.kind, row.tier_to, "Active"]
            elif account in state:
                if row.event == "tier_changed":
                    state[account][1] = row.tier_to
                else:
                    state[account][2] = {"suspended": "Suspended", "reinstated": "Active",
                                         "expelled": "Expelled"}[row.event]
        schedule = self.schedule_at(block)
        voting = {a: (k, t) for a, (k, t, s) in state.items() if s == "Active" and 1 <= t <= 3}
        states_raw = sum(schedule.raw(t) for k, t in voting.values() if k == "State")
        corporate_raw = sum(schedule.raw(t) for k, t in voting.values() if k == "Corporate")
        num, den = 1, 1
        cap = schedule.cap_bps
        if cap < BPS and corporate_raw * BPS > cap * (states_raw + corporate_raw):
            num, den = cap * states_raw, (BPS - cap) * corporate_raw
        of = {a: schedule.raw(t) * num // den if k == "Corporate" else schedule.raw(t) for a, (k, t) in voting.items()}
        corporates = sum(w for a, w in of.items() if voting[a][0] == "Corporate")
        weights = Weights(of, sum(of.values()), sum(of.values()) - corporates, corporates, cap)
        self._cache[block] = weights
        return weights

    def name_of(self, account: str) -> str:
        member = self.members.get(account.lower())
        return member.name if member else account.lower()

    def tier_name(self, tier: int) -> str:
        return self.tier_names[tier] if 0 <= tier < len(self.tier_names) else f"tier {tier}"


# --- proposals -------------------------------------------------------------------------------


@dataclass
class Proposal:
    number: int
    id: str  # decimal
    created: object  # proposal_created row
    track: object | None  # proposal_track row
    statuses: list = field(default_factory=list)
    votes: list = field(default_factory=list)
    tally: list[int] = field(default_factory=lambda: [0, 0, 0])  # against, for, abstain
    states_for: int = 0
    states_against: int = 0
    quorum: int = 0
    state: str = "Pending"

    @property
    def title(self) -> str:
        return title_of(self.created.description)

    @property
    def track_name(self) -> str:
        return self.track.track if self.track is not None else "?"

    @property
    def pass_bps(self) -> int:
        return self.track.pass_bps if self.track is not None else BPS

    @property
    def quorum_bps(self) -> int:
        return self.track.quorum_bps if self.track is not None else BPS

    def passes(self) -> bool:
        against, for_, abstain = self.tally
        return (for_ + abstain >= self.quorum and for_ > against and for_ * BPS >= self.pass_bps * (for_ + against)
                and (self.track_name != "Constitutional" or self.states_for > self.states_against))


def proposals_of(ledger: Ledger, membership: Membership) -> list[Proposal]:
    tracks = {t.proposal_id: t for t in ledger.tracks}
    out = [Proposal(n, p.proposal_id, p, tracks.get(p.proposal_id)) for n, p in enumerate(ledger.proposals, 1)]
    by_id = {p.id: p for p in out}
    for s in ledger.statuses:
        if s.proposal_id in by_id:
            by_id[s.proposal_id].statuses.append(s)
    for v in ledger.votes:
        if v.proposal_id in by_id:
            by_id[v.proposal_id].votes.append(v)
    now = ledger.last_block
    for p in out:
        for v in p.votes:
            if 0 <= v.support <= 2:
                p.tally[v.support] += v.weight
            member = membership.members.get(v.voter.lower())
            if member is not None and member.kind == "State":
                p.states_for += v.support == 1
                p.states_against += v.support == 0
        snapshot = p.created.snapshot
        if snapshot < now:  # getPastTotalSupply needs a past timepoint
            p.quorum = -(-membership.weights_at(snapshot).total * p.quorum_bps // BPS)  # rounded up, as the governor
        p.state = _state(p, now)
    return out


def _state(p: Proposal, now: int) -> str:
    for s in reversed(p.statuses):
        if s.event in ("canceled", "executed", "queued"):
            return s.event.capitalize()
    if p.created.snapshot >= now:
        return "Pending"
    if p.created.deadline >= now:
        return "Active"
    return "Succeeded" if p.passes() else "Defeated"


# --- the fund --------------------------------------------------------------------------------


@dataclass
class Round:
    row: object  # fund_round
    payouts: list = field(default_factory=list)


@dataclass
class Fund:
    contributions: list
    rounds: list[Round]
    claims: list
    deferred: list  # payout rows not pushed (claimable)
    batches: list  # need score batches

    @property
    def contributed(self) -> int:
        return sum(c.amount for c in self.contributions)

    @property
    def paid(self) -> int:
        return sum(r.row.paid for r in self.rounds)

    @property
    def deferred_total(self) -> int:
        return sum(p.amount for p in self.deferred)

    @property
    def claimed(self) -> int:
        return sum(c.amount for c in self.claims)

    @property
    def balance(self) -> int:
        return self.contributed - self.paid + self.deferred_total - self.claimed


def fund_of(ledger: Ledger) -> Fund:
    by_round: dict[int, list] = defaultdict(list)
    for p in ledger.payouts:
        by_round[p.round_id].append(p)
    rounds = [Round(r, by_round.get(r.round_id, [])) for r in ledger.rounds]
    deferred = [p for p in ledger.payouts if not p.pushed]
    return Fund(ledger.contributions, rounds, ledger.claims, deferred, ledger.score_batches)
