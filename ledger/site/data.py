"""The portal's one door to the SQL mirror: every read the site makes of the mirror is here.

`read_ledger(db, manifest, note, verifier)` opens the mirror of one deployment, reads the
checkpointed log's leaves and the typed tables, and cuts everything at the signed checkpoint:
the site shows the first `size` events of the log and nothing after them, so that every
number on it is derived from leaves an observer can check against that checkpoint. It
refuses a mirror whose first `size` events do not hash to the checkpoint's root.

Rows are the typed tables' own (`ledger.mirror.typed`: `row.weight`, `row.voter`, uint256
columns as ints), in chain order. The few events without a typed table (the vote schedule,
the corporate cap, tier names) come from `raw_event`'s decoded arguments.

Reading goes through `_Reader`, a stand-in with the shapes of the mirror's read API
(`ledger.mirror.read.open_mirror(db, manifest)`: `.cursor`, `.logs()`, `.rows(table)`,
`.blocks()`); when that API is on main, `_open` returns it and nothing else here changes.
Event and table names the site relies on are named here and in `static/ledger.js`'s
`EVENTS`, nowhere else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Row, make_url
from sqlalchemy.exc import SQLAlchemyError

from ledger.chain.manifest import Manifest
from ledger.errors import CheckpointInvalid, ConfigError
from ledger.mirror import typed
from ledger.mirror.rows import MAPPERS, table_of
from ledger.mirror.store import contracts_key
from ledger.mirror.tables import Block, Cursor, RawEvent
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
class MirroredLog:
    """One `raw_event` row (the read API's `MirroredLog`, with the fields the site uses)."""

    block_number: int
    log_index: int
    block_hash: str
    tx_hash: str
    address: str
    contract: str | None
    event: str | None
    topics: tuple[str, ...]
    data: str
    args_json: str | None

    def args(self) -> dict | None:
        try:
            args = json.loads(self.args_json) if self.args_json is not None else None
        except ValueError:
            return None
        return args if isinstance(args, dict) else None


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


class _Reader:
    """The mirror of one deployment, read-only, in the shapes of `ledger.mirror.read`."""

    def __init__(self, db: str | Path, manifest: Manifest):
        text = str(db)
        url = make_url(text if "://" in text else f"sqlite:///{Path(text).expanduser()}")
        self.where = url.render_as_string(hide_password=True)
        if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
            raise ConfigError(f"no mirror at {url.database}: run `waico index` first")
        self.chain_id = manifest.chain_id
        self.addresses = sorted(c.address.lower() for c in manifest.contracts.values())
        self._engine = create_engine(url)
        try:
            self._conn = self._engine.connect()
            self._conn.begin()  # one snapshot for every read
            c = Cursor.__table__.c
            found = self._conn.execute(select(c.last_block, c.last_hash).where(
                c.chain_id == self.chain_id, c.contracts == contracts_key(self.addresses))).first()
        except SQLAlchemyError as exc:
            self.close()
            raise ConfigError(f"cannot read the mirror at {self.where}: {str(exc).splitlines()[0][:200]}") from None
        if found is None:
            self.close()
            raise ConfigError(f"the mirror at {self.where} never synced this deployment: run `waico index` first")
        self.cursor = (found[0], found[1])

    def _ours(self, column):
        return func.lower(column).in_(self.addresses)

    def logs(self) -> list[MirroredLog]:
        e = RawEvent.__table__.c
        query = (select(e.block_number, e.log_index, e.block_hash, e.tx_hash, e.address, e.contract, e.event,
                        e.topics, e.data, e.args)
                 .where(e.chain_id == self.chain_id, e.block_number <= self.cursor[0], self._ours(e.address))
                 .order_by(e.block_number, e.log_index))
        return [MirroredLog(bn, li, bh, th, addr, contract, event, _topics(topics), data, args)
                for bn, li, bh, th, addr, contract, event, topics, data, args in self._conn.execute(query)]

    @property
    def tables(self) -> list:
        return list(MAPPERS.tables)

    def rows(self, table) -> list[Row]:
        t = table_of(table)
        c = t.c
        return list(self._conn.execute(select(t).where(
            c.chain_id == self.chain_id, c.block_number <= self.cursor[0], self._ours(c.address))
            .order_by(c.block_number, c.log_index)))

    def blocks(self) -> list[Row]:
        b = Block.__table__.c
        return list(self._conn.execute(select(b.number, b.hash, b.parent_hash, b.timestamp).where(
            b.chain_id == self.chain_id, b.number <= self.cursor[0]).order_by(b.number)))

    def close(self) -> None:
        if getattr(self, "_conn", None) is not None:
            self._conn.close()
            self._conn = None
        self._engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()


def _topics(stored: str) -> tuple[str, ...]:
    # the mirror writes '["0x..","0x.."]' (rows.raw_event_row); anything else goes through json
    if stored.startswith('["0x') and stored.endswith('"]') and "\\" not in stored and " " not in stored:
        return tuple(stored[2:-2].split('","'))
    return tuple(json.loads(stored))


def _open(db: str | Path, manifest: Manifest) -> _Reader:
    # with the read API: `from ledger.mirror.read import open_mirror; return open_mirror(db, manifest)`
    return _Reader(db, manifest)


def _hex(value: str) -> bytes:
    return bytes.fromhex(value[2:] if value.startswith("0x") else value)


def read_ledger(db: str | Path, manifest: Manifest, note: str, verifier: NoteVerifier) -> Ledger:
    """The deployment's mirror at `db`, cut at the checkpoint in `note` (which `verifier`,
    the log's key, must have signed)."""
    checkpoint = verify_checkpoint(note, verifier, verifier.name)
    with _open(db, manifest) as mirror:
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
    return ledger


def read_sharing(mirror: _Reader, rows) -> dict[str, list[Row]]:
    """The technology-sharing tables that exist (offers, requests, grants, deliveries), by name;
    empty until the sharing platform's typed tables are registered."""
    return {table_of(t).name: rows(t) for t in mirror.tables if table_of(t).name.startswith(SHARING_PREFIX)}
