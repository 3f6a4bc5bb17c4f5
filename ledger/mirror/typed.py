"""Typed tables: one table per kind of event of Membership, WaicoGovernor and EquityFund.

Filled by row mappers registered on the default registry (`MAPPERS`), so a plain `sync()`
keeps them in step with `raw_event`, in the same transaction. Every row keeps where it
came from — `chain_id`, `block_number`, `block_hash`, `tx_hash`, `log_index` (its primary
key is chain id + block hash + log index, so a resumed range adds no duplicate and a reorg
removes it) — and the `address` of the contract that emitted it.

Tables (enums are stored by their Solidity names; addresses and hashes as lowercase 0x-hex):

    member_event        event ('admitted', 'tier_changed', 'suspended', 'reinstated', 'expelled'),
                        account, kind ('State' | 'Corporate'), tier_from, tier_to, name, identifier,
                        reason ('Governance' | 'Promotion' | 'Demotion')
    tier_name           tier, name (TierNameSet: a tier renamed by governance)
    standard            standard_id, title, uri, content_hash
    tier_sharing_requirement  tier, minimum (TierSharingRequirementSet: confirmed deliveries to
                        distinct requesters that promotion to the tier needs; 0 until set)
    sharing_record_set  sharing (SharingRecordSet: the SharingPlatform whose record promotions read)
    declaration_event   event ('declared', 'certified', 'rejected', 'revoked'), account, standard_id,
                        evidence_hash, adaptation_hash, adaptation_uri, verifier, reason_hash
    proposal_created    proposal_id, proposer, targets, call_values, calldatas (JSON arrays),
                        snapshot, deadline, description
    proposal_track      proposal_id, track ('Ordinary' | 'RapidResponse' | 'Constitutional'),
                        quorum_bps, pass_bps, timelock_delay
    proposal_status_event  event ('queued', 'executed', 'canceled'), proposal_id, eta_seconds
    vote                proposal_id, voter, support (0 against, 1 for, 2 abstain), weight, reason, params
    ballot_skipped      proposal_id, voter, reason ('ProposalNotActive', ..., 'AlreadyVoted')
    contribution        contributor, amount, is_member
    need_score_batch    batch_id, source_hash, source_uri, count
    need_score          member, score, batch_id
    payout              round_id, member, score, total_score, budget, amount, pushed
    fund_round          round_id, budget, paid, recipients, cap_bps, floor, formula_version, inputs_hash
    claim               member, amount
    share_offer_version offer_id, offerer, version, kind ('Model' | 'Dataset' | 'Compute' | 'Tool' |
                        'Expertise'), min_tier, capacity, title, content_id, card_uri, card_hash,
                        terms_uri, terms_hash (OfferPublished: one row per version of an offer)
    share_offer_withdrawal  offer_id, offerer (OfferWithdrawn)
    share_request       request_id, requester, offer_id (0: any offer of its kind), kind,
                        description_uri, description_hash (RequestPosted)
    share_request_cancellation  request_id, requester (RequestCancelled)
    share_grant         request_id, offer_id, offerer, requester, terms_hash, granted, capacity
                        (RequestGranted: the offer's `granted` of `capacity`, this grant counted)
    share_delivery      request_id, requester, offerer, offer_id, outcome_hash, confirmed,
                        distinct_requesters (DeliveryConfirmed: the offerer's record after it)
    share_dispute       request_id, disputed_by, reason_hash (DeliveryDisputed)

Views: `proposal` (proposal_created joined with its proposal_track) and `current_member`
(each admitted account's latest tier and status: 'Active', 'Suspended' or 'Expelled'); and
the observer's views, with proposal numbers, member names and labels (`proposal_summary`,
`vote_by_member`, `payout_by_member`, `roster`, and the sharing platform's `share_offer_summary`,
`share_request_summary`, `share_delivery_by_member`, `share_supply_demand`,
`share_open_request`, `share_record_by_member`: see `ledger.mirror.views`).

Big integers. A proposal id (a uint256 hash) is decimal TEXT on every database: it is an
identifier, compared and joined, never summed. Amounts, scores, weights, budgets and round,
batch, offer and request ids (uint256, `Uint256` below) are NUMERIC(78,0) on PostgreSQL — exact, and
`SUM` works — and decimal TEXT on SQLite, whose integers stop at 2^63. Sum them on both
with `decimal_sum(column)`: the mirror defines it (an aggregate over numeric in the PostgreSQL
database; a Python aggregate on SQLite connections opened by `ledger.mirror.open_db`), and
the `sqlite3` shell has it built in (its decimal extension), so the queries below run
unchanged on both. (On PostgreSQL, plain `SUM` is exact too.)
On SQLite, `CAST(x AS INTEGER)` saturates silently above 2^63 - 1: don't sum with it.
Through SQLAlchemy, `Uint256` columns read back as Python ints on both databases.

Queries an observer might write (they run on SQLite and PostgreSQL alike):

    -- the current roll of members, by tier
    SELECT account, kind, tier, status, name FROM current_member ORDER BY tier, name;

    -- each proposal's tally by support, as the governor's proposalVotes gives it
    SELECT p.proposal_id, p.track, v.support, COUNT(*) AS ballots, decimal_sum(v.weight) AS weight
    FROM proposal p JOIN vote v ON v.chain_id = p.chain_id AND v.address = p.address
                                AND v.proposal_id = p.proposal_id
    GROUP BY p.proposal_id, p.track, v.support ORDER BY p.proposal_id, v.support;

    -- what each round paid, recomputed from its payouts, next to what it says it paid
    SELECT r.round_id, r.paid, decimal_sum(p.amount) AS paid_by_payouts, COUNT(p.member) AS payouts
    FROM fund_round r LEFT JOIN payout p ON p.chain_id = r.chain_id AND p.address = r.address
                                        AND p.round_id = r.round_id
    GROUP BY r.round_id, r.paid;

    -- contributions by members and by outside donors
    SELECT is_member, COUNT(*) AS contributions, decimal_sum(amount) AS total
    FROM contribution GROUP BY is_member;

    -- members certified for a standard, with when
    SELECT d.account, s.title, b.timestamp FROM declaration_event d
    JOIN standard s ON s.chain_id = d.chain_id AND s.address = d.address AND s.standard_id = d.standard_id
    JOIN block b ON b.chain_id = d.chain_id AND b.number = d.block_number
    WHERE d.event = 'certified';
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, PrimaryKeyConstraint, Text
from sqlalchemy.dialects.postgresql import NUMERIC
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from ledger.org.governance import SKIP_REASONS, Track
from ledger.org.membership import Kind
from ledger.org.sharing import Kind as ShareKind

from . import views
from .decode import Event
from .rows import MAPPERS, Arg, Const, RowMappers, position


class Uint256(TypeDecorator):
    """An unsigned 256-bit integer, exactly: NUMERIC(78,0) on PostgreSQL, decimal TEXT elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        return dialect.type_descriptor(NUMERIC(78, 0) if dialect.name == "postgresql" else Text())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Decimal(value) if dialect.name == "postgresql" else str(value)

    def bind_processor(self, dialect):
        # the same as process_bind_param, without its per-value dialect check (bulk inserts)
        convert = Decimal if dialect.name == "postgresql" else str
        return lambda value: None if value is None else convert(value)

    def process_result_value(self, value, dialect):
        return None if value is None else int(value)


def _position_args(name: str) -> tuple:
    # no index on block_number: a reorg removes typed rows by block hash (the key's prefix)
    return (PrimaryKeyConstraint("chain_id", "block_hash", "log_index", name=f"{name}_position"),)


def _uint(**kw) -> Any:
    return Field(sa_column=Column(Uint256, **kw))


class Mirrored(SQLModel):
    """Where a row came from: the log's position on its chain, and the emitting contract."""

    chain_id: int = Field(sa_type=BigInteger)
    block_number: int = Field(sa_type=BigInteger)
    block_hash: str
    tx_hash: str
    log_index: int
    address: str


# --- Membership ---------------------------------------------------------------------------

class MemberEvent(Mirrored, table=True):
    """A member's history: admission, tier changes, suspension, reinstatement, expulsion."""

    __tablename__ = "member_event"
    __table_args__ = _position_args("member_event")

    event: str
    account: str = Field(index=True)
    kind: str | None = None
    tier_from: int | None = None
    tier_to: int | None = None
    name: str | None = None
    identifier: str | None = None
    reason: str | None = None


class TierName(Mirrored, table=True):
    """A tier renamed (TierNameSet); the names before any are Membership's defaults."""

    __tablename__ = "tier_name"
    __table_args__ = _position_args("tier_name")

    tier: int
    name: str = Field(sa_column=Column(Text, nullable=False))


class Standard(Mirrored, table=True):
    """A shared standard registered by governance."""

    __tablename__ = "standard"
    __table_args__ = _position_args("standard")

    standard_id: int
    title: str
    uri: str
    content_hash: str


class TierSharingRequirement(Mirrored, table=True):
    """How many distinct requesters must have confirmed a delivery from a member for it to reach
    `tier` by promotion (TierSharingRequirementSet; 0 until set)."""

    __tablename__ = "tier_sharing_requirement"
    __table_args__ = _position_args("tier_sharing_requirement")

    tier: int
    minimum: int = Field(sa_type=BigInteger)


class SharingRecordSet(Mirrored, table=True):
    """The record of sharing (a SharingPlatform) that Membership's promotions read."""

    __tablename__ = "sharing_record_set"
    __table_args__ = _position_args("sharing_record_set")

    sharing: str


class DeclarationEvent(Mirrored, table=True):
    """A declaration of adoption of a standard, and what verifiers made of it."""

    __tablename__ = "declaration_event"
    __table_args__ = _position_args("declaration_event")

    event: str
    account: str
    standard_id: int
    evidence_hash: str | None = None
    adaptation_hash: str | None = None
    adaptation_uri: str | None = None
    verifier: str | None = None
    reason_hash: str | None = None


# --- WaicoGovernor ------------------------------------------------------------------------

class ProposalCreated(Mirrored, table=True):
    """OpenZeppelin's ProposalCreated. `snapshot`/`deadline` are its voteStart/voteEnd timepoints."""

    __tablename__ = "proposal_created"
    __table_args__ = _position_args("proposal_created")

    proposal_id: str
    proposer: str
    targets: str = Field(sa_column=Column(Text, nullable=False))
    call_values: str = Field(sa_column=Column(Text, nullable=False))
    calldatas: str = Field(sa_column=Column(Text, nullable=False))
    snapshot: int = Field(sa_type=BigInteger)
    deadline: int = Field(sa_type=BigInteger)
    description: str = Field(sa_column=Column(Text, nullable=False))


class ProposalTrack(Mirrored, table=True):
    """The track a proposal was created on, with that track's parameters at the time."""

    __tablename__ = "proposal_track"
    __table_args__ = _position_args("proposal_track")

    proposal_id: str
    track: str
    quorum_bps: int
    pass_bps: int
    timelock_delay: int = Field(sa_type=BigInteger)


class ProposalStatusEvent(Mirrored, table=True):
    """A proposal queued (with its eta, unix seconds), executed or canceled."""

    __tablename__ = "proposal_status_event"
    __table_args__ = _position_args("proposal_status_event")

    event: str
    proposal_id: str
    eta_seconds: int | None = Field(default=None, sa_type=BigInteger)


class Vote(Mirrored, table=True):
    """A counted vote (VoteCast, or VoteCastWithParams with its params)."""

    __tablename__ = "vote"
    __table_args__ = _position_args("vote")

    proposal_id: str = Field(index=True)
    voter: str
    support: int
    weight: int = _uint(nullable=False)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    params: str | None = None


class BallotSkipped(Mirrored, table=True):
    """A relayed ballot that was not counted, and why."""

    __tablename__ = "ballot_skipped"
    __table_args__ = _position_args("ballot_skipped")

    proposal_id: str
    voter: str
    reason: str


# --- EquityFund ---------------------------------------------------------------------------

class Contribution(Mirrored, table=True):
    __tablename__ = "contribution"
    __table_args__ = _position_args("contribution")

    contributor: str
    amount: int = _uint(nullable=False)
    is_member: bool


class NeedScoreBatch(Mirrored, table=True):
    """A batch of need scores set by governance, and the source they came from."""

    __tablename__ = "need_score_batch"
    __table_args__ = _position_args("need_score_batch")

    batch_id: int = _uint(nullable=False)
    source_hash: str
    source_uri: str
    count: int = _uint(nullable=False)


class NeedScore(Mirrored, table=True):
    __tablename__ = "need_score"
    __table_args__ = _position_args("need_score")

    member: str
    score: int = _uint(nullable=False)
    batch_id: int = _uint(nullable=False)


class Payout(Mirrored, table=True):
    """One member's allocation in a round; `pushed` is false when it became claimable."""

    __tablename__ = "payout"
    __table_args__ = _position_args("payout")

    round_id: int = _uint(nullable=False)
    member: str
    score: int = _uint(nullable=False)
    total_score: int = _uint(nullable=False)
    budget: int = _uint(nullable=False)
    amount: int = _uint(nullable=False)
    pushed: bool


class FundRound(Mirrored, table=True):
    """An executed disbursement round; `inputs_hash` binds its members, scores and rules."""

    __tablename__ = "fund_round"
    __table_args__ = _position_args("fund_round")

    round_id: int = _uint(nullable=False)
    budget: int = _uint(nullable=False)
    paid: int = _uint(nullable=False)
    recipients: int = _uint(nullable=False)
    cap_bps: int
    floor: int = _uint(nullable=False)
    formula_version: int
    inputs_hash: str


class Claim(Mirrored, table=True):
    __tablename__ = "claim"
    __table_args__ = _position_args("claim")

    member: str
    amount: int = _uint(nullable=False)


# --- SharingPlatform ---------------------------------------------------------------------

def _text() -> Any:
    return Field(sa_column=Column(Text, nullable=False))


class ShareOfferVersion(Mirrored, table=True):
    """One published version of an offer (OfferPublished: version 1 when offered, then one per
    update); earlier versions stay."""

    __tablename__ = "share_offer_version"
    __table_args__ = _position_args("share_offer_version")

    offer_id: int = _uint(nullable=False)
    offerer: str
    version: int = Field(sa_type=BigInteger)
    kind: str
    min_tier: int
    capacity: int = Field(sa_type=BigInteger)
    title: str = _text()
    content_id: str = _text()
    card_uri: str = _text()
    card_hash: str
    terms_uri: str = _text()
    terms_hash: str


class ShareOfferWithdrawal(Mirrored, table=True):
    """An offer withdrawn by its offerer (OfferWithdrawn): no grants under it from then on."""

    __tablename__ = "share_offer_withdrawal"
    __table_args__ = _position_args("share_offer_withdrawal")

    offer_id: int = _uint(nullable=False)
    offerer: str


class ShareRequest(Mirrored, table=True):
    """A request posted (RequestPosted); `offer_id` 0: any offer of its kind."""

    __tablename__ = "share_request"
    __table_args__ = _position_args("share_request")

    request_id: int = _uint(nullable=False)
    requester: str
    offer_id: int = _uint(nullable=False)
    kind: str
    description_uri: str = _text()
    description_hash: str


class ShareRequestCancellation(Mirrored, table=True):
    """An open request cancelled by its requester (RequestCancelled)."""

    __tablename__ = "share_request_cancellation"
    __table_args__ = _position_args("share_request_cancellation")

    request_id: int = _uint(nullable=False)
    requester: str


class ShareGrant(Mirrored, table=True):
    """A request granted under an offer (RequestGranted): `granted` of the offer's `capacity`
    used, counting this one."""

    __tablename__ = "share_grant"
    __table_args__ = _position_args("share_grant")

    request_id: int = _uint(nullable=False)
    offer_id: int = _uint(nullable=False)
    offerer: str
    requester: str
    terms_hash: str
    granted: int = Field(sa_type=BigInteger)
    capacity: int = Field(sa_type=BigInteger)


class ShareDelivery(Mirrored, table=True):
    """A delivery confirmed by the requester (DeliveryConfirmed), with the offerer's record of
    sharing after it: `confirmed` deliveries, to `distinct_requesters` requesters."""

    __tablename__ = "share_delivery"
    __table_args__ = _position_args("share_delivery")

    request_id: int = _uint(nullable=False)
    requester: str
    offerer: str
    offer_id: int = _uint(nullable=False)
    outcome_hash: str
    confirmed: int = Field(sa_type=BigInteger)
    distinct_requesters: int = Field(sa_type=BigInteger)


class ShareDispute(Mirrored, table=True):
    """A dispute over a granted request, flagged by its requester or offerer (DeliveryDisputed)."""

    __tablename__ = "share_dispute"
    __table_args__ = _position_args("share_dispute")

    request_id: int = _uint(nullable=False)
    disputed_by: str
    reason_hash: str


# --- views --------------------------------------------------------------------------------

PROPOSAL_VIEW = """
SELECT c.chain_id, c.address, c.proposal_id, c.proposer, t.track, c.snapshot, c.deadline,
       t.quorum_bps, t.pass_bps, t.timelock_delay, c.description, c.targets, c.call_values,
       c.calldatas, c.block_number, c.block_hash, c.tx_hash, c.log_index
FROM proposal_created c
LEFT JOIN proposal_track t
  ON t.chain_id = c.chain_id AND t.address = c.address AND t.proposal_id = c.proposal_id
"""

# The latest tier and status of each admitted account: ordered by (block_number, log_index),
# which is chain order once a reorg has removed what is no longer canonical.
CURRENT_MEMBER_VIEW = """
SELECT a.chain_id, a.address, a.account, a.kind, a.name, a.identifier,
  (SELECT t.tier_to FROM member_event t
   WHERE t.chain_id = a.chain_id AND t.address = a.address AND t.account = a.account
     AND t.tier_to IS NOT NULL
   ORDER BY t.block_number DESC, t.log_index DESC LIMIT 1) AS tier,
  (SELECT CASE s.event WHEN 'suspended' THEN 'Suspended' WHEN 'expelled' THEN 'Expelled' ELSE 'Active' END
   FROM member_event s
   WHERE s.chain_id = a.chain_id AND s.address = a.address AND s.account = a.account
     AND s.event IN ('admitted', 'suspended', 'reinstated', 'expelled')
   ORDER BY s.block_number DESC, s.log_index DESC LIMIT 1) AS status,
  a.block_number AS admitted_block
FROM member_event a
WHERE a.event = 'admitted'
"""


# --- mappers ------------------------------------------------------------------------------

# Enums by their Solidity names, in order (the contracts' enums as `ledger.org` declares them)
KIND = tuple(k.name for k in Kind)
TIER_CHANGE = ("Governance", "Promotion", "Demotion")
TRACK = tuple(t.name for t in Track)
SKIP_REASON = tuple(SKIP_REASONS)
SHARE_KIND = tuple(k.name for k in ShareKind)

# member_event.event, by the Membership event that makes the row
MEMBER_EVENTS = {"MemberAdmitted": "admitted", "MemberTierChanged": "tier_changed", "MemberSuspended": "suspended",
                 "MemberReinstated": "reinstated", "MemberExpelled": "expelled"}


def register(mappers: RowMappers) -> RowMappers:
    """Register the typed tables' mappers (and views) on `mappers`; the default registry has them.

    Declared by columns (compiled with the decoders: `ledger.mirror.plans`); the position
    columns fill themselves, and columns not named are NULL."""
    m, g, f, s = "Membership", "WaicoGovernor", "EquityFund", "SharingPlatform"
    columns = mappers.columns
    proposal_id = Arg("proposalId", text=True)

    columns("MemberAdmitted", MemberEvent, contract=m, event=Const(MEMBER_EVENTS["MemberAdmitted"]),
            account="account", kind=Arg("kind", names=KIND), tier_to="tier", name="name", identifier="identifier")
    columns("MemberTierChanged", MemberEvent, contract=m, event=Const(MEMBER_EVENTS["MemberTierChanged"]),
            account="account", tier_from="fromTier", tier_to="toTier", reason=Arg("reason", names=TIER_CHANGE))
    for event in ("MemberSuspended", "MemberReinstated", "MemberExpelled"):
        columns(event, MemberEvent, contract=m, event=Const(MEMBER_EVENTS[event]), account="account")

    columns("TierNameSet", TierName, contract=m, tier="tier", name="name")
    columns("StandardRegistered", Standard, contract=m, standard_id="standardId", title="title", uri="uri",
            content_hash="contentHash")
    columns("TierSharingRequirementSet", TierSharingRequirement, contract=m, tier="tier", minimum="minimum")
    columns("SharingRecordSet", SharingRecordSet, contract=m, sharing="sharing")
    columns("AdoptionDeclared", DeclarationEvent, contract=m, event=Const("declared"), account="account",
            standard_id="standardId", evidence_hash="evidenceHash", adaptation_hash="adaptationHash",
            adaptation_uri="adaptationURI")
    for event, name in (("DeclarationCertified", "certified"), ("DeclarationRejected", "rejected"),
                        ("CertificationRevoked", "revoked")):
        columns(event, DeclarationEvent, contract=m, event=Const(name), account="account",
                standard_id="standardId", verifier="verifier", reason_hash=Arg("reasonHash", optional=True))

    @mappers.register("ProposalCreated", ProposalCreated, contract=g)
    def proposal_created(e: Event):
        a = e.args
        return ((ProposalCreated, {
               **position(e), "address": e.address, "proposal_id": str(a["proposalId"]), "proposer": a["proposer"],
               "targets": json.dumps(a["targets"]), "call_values": json.dumps([str(v) for v in a["values"]]),
               "calldatas": json.dumps(a["calldatas"]), "snapshot": a["voteStart"], "deadline": a["voteEnd"],
               "description": a["description"]}),)

    columns("ProposalTrack", ProposalTrack, contract=g, proposal_id=proposal_id, track=Arg("track", names=TRACK),
            quorum_bps="quorumBps", pass_bps="passBps", timelock_delay="timelockDelay")
    for event, name in (("ProposalQueued", "queued"), ("ProposalExecuted", "executed"),
                        ("ProposalCanceled", "canceled")):
        columns(event, ProposalStatusEvent, contract=g, event=Const(name), proposal_id=proposal_id,
                eta_seconds=Arg("etaSeconds", optional=True))
    for event in ("VoteCast", "VoteCastWithParams"):
        columns(event, Vote, contract=g, proposal_id=proposal_id, voter="voter", support="support",
                weight="weight", reason="reason", params=Arg("params", optional=True))
    columns("BallotSkipped", BallotSkipped, contract=g, proposal_id=proposal_id, voter="voter",
            reason=Arg("reason", names=SKIP_REASON))

    columns("Contributed", Contribution, contract=f, contributor="contributor", amount="amount",
            is_member="isMember")
    columns("NeedScoresSet", NeedScoreBatch, contract=f, batch_id="batchId", source_hash="sourceHash",
            source_uri="sourceURI", count="count")
    columns("NeedScoreSet", NeedScore, contract=f, member="member", score="score", batch_id="batchId")
    columns("Payout", Payout, contract=f, round_id="roundId", member="member", score="score",
            total_score="totalScore", budget="budget", amount="amount", pushed="pushed")
    columns("RoundExecuted", FundRound, contract=f, round_id="roundId", budget="budget", paid="paid",
            recipients="recipients", cap_bps="capBps", floor="floor", formula_version="formulaVersion",
            inputs_hash="inputsHash")
    columns("Claimed", Claim, contract=f, member="member", amount="amount")

    kind = Arg("kind", names=SHARE_KIND)
    columns("OfferPublished", ShareOfferVersion, contract=s, offer_id="offerId", offerer="offerer",
            version="version", kind=kind, min_tier="minTier", capacity="capacity", title="title",
            content_id="contentId", card_uri="cardURI", card_hash="cardHash", terms_uri="termsURI",
            terms_hash="termsHash")
    columns("OfferWithdrawn", ShareOfferWithdrawal, contract=s, offer_id="offerId", offerer="offerer")
    columns("RequestPosted", ShareRequest, contract=s, request_id="requestId", requester="requester",
            offer_id="offerId", kind=kind, description_uri="descriptionURI", description_hash="descriptionHash")
    columns("RequestCancelled", ShareRequestCancellation, contract=s, request_id="requestId", requester="requester")
    columns("RequestGranted", ShareGrant, contract=s, request_id="requestId", offer_id="offerId",
            offerer="offerer", requester="requester", terms_hash="termsHash", granted="granted",
            capacity="capacity")
    columns("DeliveryConfirmed", ShareDelivery, contract=s, request_id="requestId", requester="requester",
            offerer="offerer", offer_id="offerId", outcome_hash="outcomeHash", confirmed="confirmed",
            distinct_requesters="distinctRequesters")
    columns("DeliveryDisputed", ShareDispute, contract=s, request_id="requestId", disputed_by="by",
            reason_hash="reasonHash")

    mappers.view("proposal", PROPOSAL_VIEW)
    mappers.view("current_member", CURRENT_MEMBER_VIEW)
    views.register(mappers)  # the observer's views (ledger/mirror/views.py), over the above
    return mappers


register(MAPPERS)
