"""The portal's one door to the SQL mirror: every read the site makes of the mirror is here.

`read_ledger(db, manifest, note, verifier)` opens the mirror of one deployment, reads the
checkpointed log's leaves and the typed tables, and cuts everything at the signed checkpoint:
the site shows the first `size` events of the log and nothing after them, so that every
number on it is derived from leaves an observer can check against that checkpoint. It
refuses a mirror whose first `size` events do not hash to the checkpoint's root.

Rows are the typed tables' own (`ledger.mirror.typed`: `row.weight`, `row.voter`, uint256
columns as ints), in chain order. The few events without a typed table (the vote schedule,
the corporate cap, tier names) come from `raw_event`'s decoded arguments.

Reading goes through the mirror's read API (`ledger.mirror.read.open_mirror`), which refuses
a missing, never-synced or other-version mirror with what to do. Event and table names the site relies on are named here and in `static/ledger.js`'s
`EVENTS`, nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Row

from ledger.chain.manifest import Manifest
from ledger.errors import CheckpointInvalid
from ledger.mirror import typed
from ledger.mirror.read import MirrorReader, open_mirror
from ledger.mirror.rows import table_of
from ledger.tlog.checkpoint import Checkpoint, verify_checkpoint
from ledger.tlog.leaves import LogEvent
from ledger.tlog.merkle import MerkleTree, leaf_hash
from ledger.tlog.note import NoteVerifier

MEMBERSHIP, GOVERNOR, FUND = "Membership", "WaicoGovernor", "EquityFund"

# Events without a typed table that the site reads from raw_event's decoded arguments.
SETTING_EVENTS = {(MEMBERSHIP, "VoteScheduleSet"), (MEMBERSHIP, "CorporateCapSet"), (MEMBERSHIP, "TierNameSet")}
# Technology sharing: typed tables named share_* (none yet: the sharing issue adds them).
SHARING_PREFIX = "share_"


@dataclass(frozen=True, slots=True)
class Setting:
    """A Membership setting event (schedule, cap, tier name) at its leaf."""

    leaf: int
    block_number: int
    event: str
    args: dict


@dataclass
class Ledger:
    """The deployment as the site shows it: the checkpointed log and the typed rows in it."""

    manifest: Manifest
    checkpoint: Checkpoint
    note: str
    leaves: list[bytes]
    tree: MerkleTree
    leaf_index: dict[tuple[int, int], int]  # (block number, log index) -> leaf index
    timestamps: dict[int, int]  # block number -> unix seconds (blocks with events)
    member_events: list[Row] = field(default_factory=list)
    standards: list[Row] = field(default_factory=list)
    declarations: list[Row] = field(default_factory=list)
    proposals: list[Row] = field(default_factory=list)  # proposal_created
    tracks: list[Row] = field(default_factory=list)  # proposal_track
    statuses: list[Row] = field(default_factory=list)  # proposal_status_event
    votes: list[Row] = field(default_factory=list)
    contributions: list[Row] = field(default_factory=list)
    score_batches: list[Row] = field(default_factory=list)
    scores: list[Row] = field(default_factory=list)
    payouts: list[Row] = field(default_factory=list)
    rounds: list[Row] = field(default_factory=list)
    claims: list[Row] = field(default_factory=list)
    settings: list[Setting] = field(default_factory=list)
    sharing: dict[str, list[Row]] = field(default_factory=dict)
    sharing_minimums: list[Row] = field(default_factory=list)  # tier_sharing_requirement

    @property
    def chain_id(self) -> int:
        return self.manifest.chain_id

    def leaf_of(self, row) -> int:
        """The leaf index of a typed row (its event's place in the log)."""
        return self.leaf_index[(row.block_number, row.log_index)]

    @property
    def last_block(self) -> int:
        """The block of the log's last checkpointed event: what the site calls "now"."""
        return LogEvent.decode(self.leaves[-1]).block_number if self.leaves else 0


# --- reading ---------------------------------------------------------------------------------


def _hex(value: str) -> bytes:
    return bytes.fromhex(value[2:] if value.startswith("0x") else value)


def read_ledger(db: str | Path, manifest: Manifest, note: str, verifier: NoteVerifier) -> Ledger:
    """The deployment's mirror at `db`, cut at the checkpoint in `note` (which `verifier`,
    the log's key, must have signed)."""
    checkpoint = verify_checkpoint(note, verifier, verifier.name)
    with open_mirror(db, manifest) as mirror:
        logs = mirror.logs()
        if len(logs) < checkpoint.size:
            raise CheckpointInvalid(f"the checkpoint covers {checkpoint.size} events, the mirror at {mirror.where} "
                                    f"holds {len(logs)}: run `waico index` first")
        logs = logs[:checkpoint.size]
        leaves = [LogEvent(manifest.chain_id, log.block_number, _hex(log.block_hash), _hex(log.tx_hash),
                           log.log_index, _hex(log.address), tuple(_hex(t) for t in log.topics or ()),
                           _hex(log.data)).encode() for log in logs]
        tree = MerkleTree([leaf_hash(leaf) for leaf in leaves])
        if tree.root != checkpoint.root:
            raise CheckpointInvalid(f"the mirror's first {checkpoint.size} events do not hash to the checkpoint's "
                                    "root: the mirror is of another log, or was rewritten")
        index = {(log.block_number, log.log_index): i for i, log in enumerate(logs)}
        ledger = Ledger(manifest, checkpoint, note, leaves, tree, index,
                        {b.number: b.timestamp for b in mirror.blocks()})

        def rows(table) -> list[Row]:
            return [r for r in mirror.rows(table) if (r.block_number, r.log_index) in index]

        ledger.member_events = rows(typed.MemberEvent)
        ledger.standards = rows(typed.Standard)
        ledger.declarations = rows(typed.DeclarationEvent)
        ledger.proposals = rows(typed.ProposalCreated)
        ledger.tracks = rows(typed.ProposalTrack)
        ledger.statuses = rows(typed.ProposalStatusEvent)
        ledger.votes = rows(typed.Vote)
        ledger.contributions = rows(typed.Contribution)
        ledger.score_batches = rows(typed.NeedScoreBatch)
        ledger.scores = rows(typed.NeedScore)
        ledger.payouts = rows(typed.Payout)
        ledger.rounds = rows(typed.FundRound)
        ledger.claims = rows(typed.Claim)
        ledger.settings = [Setting(i, log.block_number, log.event, log.args() or {})
                           for i, log in enumerate(logs) if (log.contract, log.event) in SETTING_EVENTS]
        ledger.sharing = read_sharing(mirror, rows)
        ledger.sharing_minimums = rows(typed.TierSharingRequirement)
    return ledger


def read_sharing(mirror: MirrorReader, rows) -> dict[str, list[Row]]:
    """The technology-sharing tables that exist (offers, requests, grants, deliveries), by name;
    empty until the sharing platform's typed tables are registered."""
    return {table_of(t).name: rows(t) for t in mirror.tables if table_of(t).name.startswith(SHARING_PREFIX)}
