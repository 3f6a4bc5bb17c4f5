"""Read: the mirror of one deployment as its readers see it — the audit, the checkpointed log.

    with open_mirror(db, manifest) as mirror:     # refuses what it cannot read, creates nothing
        mirror.cursor                             # (block, hash): complete up to here, inclusive
        mirror.logs(up_to_block)                  # raw_event rows, in chain order
        mirror.rows(Vote)                         # a typed table's rows, in its columns' types

Opening never creates anything: a SQLite file is opened read-only (`mode=ro`), a PostgreSQL
session is READ ONLY. It refuses, each with a one-line message that says what to do, a
database that does not exist or holds no mirror (`MirrorMissing`), a mirror of another
schema version (`MirrorSchemaMismatch`, see `ledger.mirror.schema`) and a mirror that never
synced this deployment's chain and contract set (`MirrorNotSynced`).

Everything a reader returns comes from one snapshot (a SQLite read transaction; PostgreSQL's
REPEATABLE READ), so an indexer writing meanwhile never shows half a range, and lies at or
below the cursor, on the manifest's chain, from the manifest's contracts (a database may
hold several deployments). Typed rows are read through the tables' declarations
(`ledger.mirror.typed`): uint256 columns come back as ints on both databases, enums as their
names, addresses and hashes as stored (lowercase 0x-hex) — no reader re-derives an encoding.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from collections import namedtuple
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import Connection, Row, Table, create_engine, func, select, text, type_coerce
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import NullType, TypeDecorator

from ledger.errors import MirrorMissing, MirrorNotSynced, MirrorUnavailable

from . import schema
from .rows import MAPPERS, RowMappers, table_of
from .store import DecimalSum, contracts_key, first_line
from .tables import Block, Cursor, RawEvent


@dataclass(frozen=True, slots=True)
class Position:
    """Where the mirror is complete up to (inclusive): a block and its hash."""

    block: int
    hash: str


@dataclass(frozen=True, slots=True)
class MirroredLog:
    """One `raw_event` row. `topics` is None when the stored text is not a JSON list of
    strings (`topics_text` keeps it as stored)."""

    block_number: int
    log_index: int
    block_hash: str
    tx_hash: str
    tx_index: int
    address: str
    contract: str | None
    event: str | None
    topics: tuple[str, ...] | None
    topics_text: str
    data: str
    args_json: str | None

    @property
    def position(self) -> tuple[int, int]:
        return self.block_number, self.log_index

    def args(self) -> dict[str, Any] | None:
        """The stored arguments parsed (None when absent or not a JSON object)."""
        try:
            args = json.loads(self.args_json) if self.args_json is not None else None
        except ValueError:
            return None
        return args if isinstance(args, dict) else None


def _topics(stored: str) -> tuple[str, ...] | None:
    try:
        topics = json.loads(stored)
    except (TypeError, ValueError):
        return None
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        return None
    return tuple(topics)


def _url(db: str | Path):
    text_ = str(db)
    return make_url(text_ if "://" in text_ else f"sqlite:///{Path(text_).expanduser()}")


def _sqlite_connect(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.create_aggregate("decimal_sum", 1, DecimalSum)  # the observer's views sum with it
    return conn


def _connect(db: str | Path) -> tuple[Connection, str]:
    """A read-only connection to `db` inside a snapshot, and the database as messages name it."""
    url = _url(db)
    where = schema.display(url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not url.database or url.database == ":memory:" or not path.is_file():
            raise MirrorMissing(f"no mirror at {where}: run `waico index` first")
        uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
        engine = create_engine("sqlite://", creator=lambda: _sqlite_connect(uri))
    else:
        engine = create_engine(url)
    try:
        conn = engine.connect()
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA busy_timeout=30000")
            conn.exec_driver_sql("BEGIN")  # one snapshot from the first read on (the driver is in autocommit)
        elif engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    except SQLAlchemyError as exc:
        engine.dispose()
        raise MirrorMissing(f"cannot open the mirror at {where} ({first_line(exc)}): run `waico index` first, "
                            "or check --db") from None
    return conn, where


def _converts(type_) -> bool:
    """A column type of ours that converts what it reads (such as `Uint256`)."""
    return isinstance(type_, TypeDecorator) and type(type_).process_result_value is not TypeDecorator.process_result_value


def _lenient(type_: TypeDecorator, dialect) -> Callable[[Any], Any]:
    def convert(value):
        try:
            return type_.process_result_value(value, dialect)
        except (TypeError, ValueError, ArithmeticError):
            return value

    return convert


class MirrorReader:
    """The mirror of one deployment in one database, read-only; see the module's doc."""

    def __init__(self, db: str | Path, manifest, mappers: RowMappers = MAPPERS):
        self.chain_id = manifest.chain_id
        self.addresses = sorted(c.address.lower() for c in manifest.contracts.values())
        self.mappers = mappers
        self._rows: dict[str, list[tuple]] = {}
        self._conn, self.where = _connect(db)
        try:
            version = schema.read_version(self._conn)
            if version is None:
                raise MirrorMissing(f"no mirror at {self.where} (the database holds no mirror tables): "
                                    "run `waico index` first")
            if version != schema.SCHEMA_VERSION:
                raise schema.mismatch(self.where, version)
            c = Cursor.__table__.c
            found = self._conn.execute(select(c.last_block, c.last_hash).where(
                c.chain_id == self.chain_id, c.contracts == contracts_key(self.addresses))).first()
            if found is None:
                raise MirrorNotSynced(f"the mirror at {self.where} has never synced this deployment (chain "
                                      f"{self.chain_id}, {len(self.addresses)} contracts): run `waico index` first")
            self.cursor = Position(found[0], found[1])
        except BaseException as exc:
            self.close()
            if isinstance(exc, SQLAlchemyError):
                raise MirrorUnavailable(f"cannot read the mirror at {self.where}: {first_line(exc)}") from None
            raise

    # -- the raw mirror

    def logs(self, up_to_block: int | None = None) -> list[MirroredLog]:
        """The deployment's `raw_event` rows up to `up_to_block` (inclusive; at most the cursor),
        in chain order."""
        e = RawEvent.__table__.c
        last = self.cursor.block if up_to_block is None else min(up_to_block, self.cursor.block)
        query = (select(e.block_number, e.log_index, e.block_hash, e.tx_hash, e.tx_index, e.address, e.contract,
                        e.event, e.topics, e.data, e.args)
                 .where(e.chain_id == self.chain_id, e.block_number <= last, self._ours(e.address))
                 .order_by(e.block_number, e.log_index))
        return [MirroredLog(bn, li, bh, th, ti, addr, contract, event, _topics(topics), topics, data, args)
                for bn, li, bh, th, ti, addr, contract, event, topics, data, args in self._read(query)]

    def count_logs(self, above_block: int) -> int:
        """How many of the deployment's mirrored logs lie above `above_block` (up to the cursor)."""
        e = RawEvent.__table__.c
        query = select(func.count()).select_from(RawEvent.__table__).where(
            e.chain_id == self.chain_id, e.block_number > above_block, e.block_number <= self.cursor.block,
            self._ours(e.address))
        return self._read(query)[0][0]

    def blocks(self) -> list[Row]:
        """The stored block headers of the chain up to the cursor (number, hash, parent_hash,
        timestamp), by number. Shared by every deployment mirrored into the database."""
        b = Block.__table__.c
        return self._read(select(b.number, b.hash, b.parent_hash, b.timestamp)
                          .where(b.chain_id == self.chain_id, b.number <= self.cursor.block).order_by(b.number))

    # -- typed tables and views

    @property
    def tables(self) -> list[Table]:
        """The typed tables (of the mappers' registry: by default, `ledger.mirror.typed`'s)."""
        return list(self.mappers.tables)

    def rows(self, table) -> list[tuple]:
        """A typed table's rows of this deployment up to the cursor, in chain order, as named
        tuples (`row.weight`, `row._asdict()`): each value converted by its column's type
        (`Uint256` to int), or left as stored when that type cannot read it (a tampered cell:
        the audit names it rather than fail on it). Read once per table."""
        t = table_of(table)
        if t.name not in self._rows:
            c = t.c
            converted = [_converts(col.type) for col in t.columns]
            columns = [type_coerce(col, NullType()).label(col.name) if conv else col
                       for col, conv in zip(t.columns, converted)]
            query = (select(*columns).where(c.chain_id == self.chain_id, c.block_number <= self.cursor.block,
                                            self._ours(c.address)).order_by(c.block_number, c.log_index))
            dialect = self._conn.dialect
            convert = [_lenient(col.type, dialect) if conv else None for col, conv in zip(t.columns, converted)]
            record = namedtuple(t.name, [col.name for col in t.columns])
            self._rows[t.name] = [record(*(f(v) if f else v for f, v in zip(convert, row))) for row in self._read(query)]
        return self._rows[t.name]

    @property
    def views(self) -> dict[str, str]:
        """Each view's name and its declared SELECT."""
        return dict(self.mappers.views)

    def view_rows(self, name: str) -> list[dict]:
        """The rows of the view `name` of this deployment (its `chain_id` and `address`
        columns), as stored: uint256 values as the database gives them (decimal TEXT or
        Decimal), for a reader that checks what an observer reads."""
        if name not in self.mappers.views:
            raise KeyError(name)
        query = text(f"SELECT * FROM {name} WHERE chain_id = :chain").bindparams(chain=self.chain_id)
        rows = [dict(r._mapping) for r in self._read(query)]
        return [r for r in rows if str(r["address"]).lower() in self.addresses]

    def view_drift(self, name: str) -> int:
        """How many rows the view `name` holds that its declared SELECT does not give, and the
        reverse (0: the database's view is the declared one, as far as the data shows)."""
        declared = self.mappers.views[name]
        query = text(f"SELECT (SELECT COUNT(*) FROM (SELECT * FROM {name} EXCEPT SELECT * FROM ({declared}) d1) a)"
                     f" + (SELECT COUNT(*) FROM (SELECT * FROM ({declared}) d2 EXCEPT SELECT * FROM {name}) b)")
        return self._read(query)[0][0]

    # -- plumbing

    def _ours(self, address_column):
        return func.lower(address_column).in_(self.addresses)

    def _read(self, query) -> list[Row]:
        try:
            return list(self._conn.execute(query))
        except SQLAlchemyError as exc:
            raise MirrorUnavailable(f"cannot read the mirror at {self.where}: {first_line(exc)}") from None

    def close(self) -> None:
        if self._conn is not None:
            engine = self._conn.engine
            self._conn.close()
            engine.dispose()
            self._conn = None

    def __enter__(self) -> "MirrorReader":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def open_mirror(db: str | Path, manifest, mappers: RowMappers = MAPPERS) -> MirrorReader:
    """The mirror of `manifest`'s deployment in `db` (a SQLite path or a SQLAlchemy URL), for
    reading; use it as a context manager. Raises MirrorUnavailable (see the module's doc)."""
    return MirrorReader(db, manifest, mappers)
