"""Write: rows into the database, one transaction per range, and rewinds after reorgs.

Rows go straight to the driver as tuples (SQLAlchemy's per-row processing would cost more
than the insert): `executemany` of an INSERT per row on SQLite, COPY on PostgreSQL — where
the worker processes of a long pass hand over each table's rows already in COPY's text
format (`copy_ready`), which the writer sends as it is. A
range's blocks, raw events, typed rows and the cursor commit together or not at all: a
killed indexer resumes from the cursor with no gap and no duplicate. Rows already present
(same chain, block hash and log index) are skipped, so a new contract set re-reading old
blocks adds only what is missing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from sqlalchemy import Engine, and_, create_engine, delete, event, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ledger.chain.rpc import Header
from ledger.errors import DatabaseUnavailable

from . import schema
from .rows import RowMappers, Rows
from .tables import BLOCK_COLUMNS, RAW_EVENT_COLUMNS, Block, Cursor, RawEvent


def database_url(db: str | Path) -> str:
    """A SQLAlchemy URL: URLs pass through, anything else is a SQLite file path."""
    text = str(db)
    if "://" in text:
        return text
    Path(text).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(text).expanduser()}"


def first_line(exc: BaseException) -> str:
    """The first line of a database error, for a one-line message (the driver's, if any)."""
    inner = getattr(exc, "orig", None) or exc
    return (str(inner).strip().splitlines() or [type(inner).__name__])[0][:200]


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL with synchronous=NORMAL: a committed range survives a killed process; a power cut
    # may lose the last ranges, never half of one; 16 KB pages: fewer, larger writes
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA page_size=16384")  # takes effect only on a new database
    cur.execute("PRAGMA journal_mode=WAL")
    # (SQLite copies the WAL into the database itself, inside a commit, every 1,000 pages: 16 MB)
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB: the indexes' pages stay in memory
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class DecimalSum:
    """decimal_sum(x) on SQLite: the exact sum of decimal integers (TEXT or INTEGER), as TEXT —
    the `sqlite3` shell's decimal extension has the same function."""

    def __init__(self) -> None:
        self.total: int | None = None

    def step(self, value) -> None:
        if value is not None:
            self.total = (self.total or 0) + int(value)

    def finalize(self) -> str | None:
        return None if self.total is None else str(self.total)


def _sqlite_functions(dbapi_connection, _record) -> None:
    dbapi_connection.create_aggregate("decimal_sum", 1, DecimalSum)


# The same on PostgreSQL, over numeric (NUMERIC(78,0) columns): SUM would do, but one name
# lets an observer's query run on both databases.
_PG_DECIMAL_SUM = "CREATE OR REPLACE AGGREGATE decimal_sum(numeric) (SFUNC = numeric_add, STYPE = numeric)"
# SQLite's instr(), which the observer's views use (ledger/mirror/views.py), is PostgreSQL's strpos
_PG_INSTR = ("CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE "
             "AS 'SELECT strpos($1, $2)'")


def _create_views(engine: Engine, views: dict[str, str]) -> None:
    # PostgreSQL: created only when missing (replacing locks out an observer's running query);
    # OR REPLACE only so that two indexers starting together do not fail on each other
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            if not conn.exec_driver_sql("SELECT 1 FROM pg_proc WHERE proname = 'decimal_sum'").first():
                conn.exec_driver_sql(_PG_DECIMAL_SUM)
            if not conn.exec_driver_sql("SELECT 1 FROM pg_proc WHERE proname = 'instr'").first():
                conn.exec_driver_sql(_PG_INSTR)
            for name, select_ in views.items():
                if conn.exec_driver_sql("SELECT to_regclass(%s)", (name,)).scalar() is None:
                    conn.exec_driver_sql(f"CREATE OR REPLACE VIEW {name} AS {select_}")
        else:
            for name, select_ in views.items():
                conn.exec_driver_sql(f"CREATE VIEW IF NOT EXISTS {name} AS {select_}")


def open_db(db: str | Path, mappers: RowMappers | None = None) -> Engine:
    """An engine on `db` with the mirror's tables (and the mappers' typed tables and views)
    created, and `decimal_sum(x)` defined (exact sums of uint256 columns on both databases).
    A new database is stamped with the schema version (`ledger.mirror.schema`); one of another
    version is refused (MirrorSchemaMismatch). For writing: readers use `ledger.mirror.read`."""
    url = database_url(db)
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError) as exc:
        try:
            where = schema.display(make_url(url))
        except ArgumentError:
            where = "the one given"
        raise DatabaseUnavailable(f"cannot use the database {where}: {first_line(exc)}") from None
    where = schema.display(engine.url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _sqlite_functions)
    try:
        with engine.begin() as conn:
            schema.stamp(conn, where)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseUnavailable(f"cannot open the database {where} ({first_line(exc)}): check --db") from None
    except BaseException:
        engine.dispose()
        raise
    tables = [Block.__table__, RawEvent.__table__, Cursor.__table__, *(mappers.tables if mappers else ())]
    Block.metadata.create_all(engine, tables=tables)
    _create_views(engine, mappers.views if mappers else {})
    return engine


def contracts_key(addresses: Iterable[str]) -> str:
    """Identifies a contract set: a cursor belongs to the set of addresses it mirrors."""
    return hashlib.sha256("\n".join(sorted(a.lower() for a in addresses)).encode()).hexdigest()


def _insert_ignoring(table: str, columns: tuple[str, ...]) -> str:
    """SQLite: an INSERT that skips rows already present."""
    return f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


@dataclass(slots=True)
class CopyText:
    """A table's rows in PostgreSQL's COPY text format, one line per row: what a worker hands
    the writer on PostgreSQL instead of the row tuples (one string crosses between the
    processes, and the writer sends it as it is). Its length is its number of rows."""

    rows: int
    text: str

    def __len__(self) -> int:
        return self.rows


class _NotCopyText(Exception):
    """A value this module does not put in COPY's text format itself (psycopg's adaptation decides)."""


def _copy_field(value) -> str:
    """One value in COPY's text format (the PostgreSQL manual, COPY, "Text Format"): NULL as
    \\N; in text, a backslash, tab, newline and carriage return escaped with a backslash; numbers
    in decimal; booleans as t and f. Anything else is left to psycopg (`_NotCopyText`)."""
    cls = value.__class__
    if cls is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        if "\0" in value:  # PostgreSQL text holds no NUL: psycopg refuses it, as before
            raise _NotCopyText
        return value
    if cls is int or cls is Decimal:
        return str(value)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):  # text decoded with replacement characters (a str subclass)
        return _copy_field(str.__str__(value))
    raise _NotCopyText


def copy_text(values: list[tuple]) -> CopyText | list[tuple]:
    """Rows in COPY's text format; the rows themselves if one holds a value of another type."""
    try:
        return CopyText(len(values), "".join(["\t".join(map(_copy_field, row)) + "\n" for row in values]))
    except _NotCopyText:
        return values


def copy_ready(rows: Rows) -> Rows:
    """A range's rows for PostgreSQL, each table's in COPY's text format (where it can be)."""
    return Rows(copy_text(rows.blocks), copy_text(rows.raw_events),
                {key: copy_text(values) for key, values in rows.typed.items()})


def _copy(dbapi, tables: list[tuple[str, tuple[str, ...], list[tuple] | CopyText]]) -> None:
    """PostgreSQL: each table's rows by COPY. COPY cannot skip rows already present, so a
    range that has some (a new contract set re-reading old blocks) is written again, after
    a rollback to a savepoint, by COPY into temporary staging tables and INSERT ... SELECT ...
    ON CONFLICT DO NOTHING: always staging cost a fifth of the speed (measured: 24.8k events/s
    against 31.5k; INSERTs of one row each, 17.2k)."""
    import psycopg

    with dbapi.cursor() as cursor:
        cursor.execute("SAVEPOINT mirror_copy")
        try:
            for table, columns, values in tables:
                if values:
                    _copy_rows(cursor, table, columns, values)
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT mirror_copy")
            for table, columns, values in tables:
                if values:
                    names = ", ".join(columns)
                    stage = f"mirror_stage_{table}_{hashlib.sha256(names.encode()).hexdigest()[:8]}"
                    # a staging table lives as long as the connection, and empties itself at each commit
                    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
                                   f"SELECT {names} FROM {table} WITH NO DATA")
                    _copy_rows(cursor, stage, columns, values)
                    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} ON CONFLICT DO NOTHING")
        cursor.execute("RELEASE SAVEPOINT mirror_copy")


def _copy_rows(cursor, table: str, columns: tuple[str, ...], values: list[tuple] | CopyText) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        if isinstance(values, CopyText):
            copy.write(values.text)  # encoded in the connection's encoding by psycopg
            return
        for row in values:
            copy.write_row(row)


class Store:
    """The mirror of one contract set on one chain, in one database."""

    def __init__(self, engine: Engine, chain_id: int, contracts: str, mappers: RowMappers):
        self.engine = engine
        self.chain_id = chain_id
        self.contracts = contracts
        self.mappers = mappers
        self.dialect = engine.dialect.name

    def cursor(self) -> tuple[int, str] | None:
        """(last block, its hash) of the mirror, or None before the first range."""
        c = Cursor.__table__.c
        with self.engine.connect() as conn:
            row = conn.execute(select(c.last_block, c.last_hash).where(
                c.chain_id == self.chain_id, c.contracts == self.contracts)).first()
        return (row[0], row[1]) if row else None

    def write(self, rows: Rows, last: Header) -> None:
        """Write one range's rows and move the cursor to its end, in one transaction."""
        tables = [(Block.__tablename__, BLOCK_COLUMNS, rows.blocks),
                  (RawEvent.__tablename__, RAW_EVENT_COLUMNS, rows.raw_events),
                  *((table, columns, values) for (table, columns), values in rows.typed.items())]
        with self.engine.begin() as conn:
            dbapi = conn.connection.dbapi_connection
            if self.dialect == "postgresql":
                _copy(dbapi, tables)
            else:
                cursor = dbapi.cursor()  # the driver's own executemany: no per-row work in SQLAlchemy
                try:
                    for table, columns, values in tables:
                        if values:
                            cursor.executemany(_insert_ignoring(table, columns), values)
                finally:
                    cursor.close()
            c = Cursor.__table__.c
            moved = conn.execute(update(Cursor.__table__)
                                 .where(c.chain_id == self.chain_id, c.contracts == self.contracts)
                                 .values(last_block=last.number, last_hash=last.hash)).rowcount
            if not moved:
                conn.execute(insert(Cursor.__table__).values(
                    chain_id=self.chain_id, contracts=self.contracts, last_block=last.number, last_hash=last.hash))

    def stored_blocks(self, at_most: int, limit: int) -> list[tuple[int, str]]:
        """Stored (number, hash) at or below `at_most`, newest first."""
        c = Block.__table__.c
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                select(c.number, c.hash).where(c.chain_id == self.chain_id, c.number <= at_most)
                .order_by(c.number.desc()).limit(limit))]

    def rewind(self, number: int, hash_: str) -> int:
        """Delete everything above block `number` on this chain (all contract sets, typed
        tables too) and move cursors above it back to it; one transaction. Returns the
        number of raw events deleted."""
        with self.engine.begin() as conn:
            e, b, c = RawEvent.__table__.c, Block.__table__.c, Cursor.__table__.c
            # typed rows first, by the block hashes of the raw events they came from (every typed
            # row has one, written in the same transaction): their keys start with the hash
            gone = select(e.block_hash).where(e.chain_id == self.chain_id, e.block_number > number).distinct()
            for table in self.mappers.tables:
                conn.execute(delete(table).where(and_(table.c.chain_id == self.chain_id, table.c.block_hash.in_(gone))))
            deleted = conn.execute(delete(RawEvent.__table__).where(
                e.chain_id == self.chain_id, e.block_number > number)).rowcount
            conn.execute(delete(Block.__table__).where(b.chain_id == self.chain_id, b.number > number))
            conn.execute(update(Cursor.__table__).where(c.chain_id == self.chain_id, c.last_block > number)
                         .values(last_block=number, last_hash=hash_))
        return deleted
