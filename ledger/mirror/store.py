"""Write: rows into the database, one transaction per range, and rewinds after reorgs.

Bulk inserts go straight to the DBAPI's executemany with tuples (SQLAlchemy's per-row
processing would cost more than the insert). A range's blocks, raw events, typed rows and
the cursor commit together or not at all: a killed indexer resumes from the cursor with
no gap and no duplicate. Inserts skip rows already present (same chain, block hash and
log index), so a new contract set re-reading old blocks adds only what is missing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from itertools import chain
from pathlib import Path
from typing import Iterable

from sqlalchemy import Engine, and_, create_engine, delete, event, insert, select, update

from ledger.chain.rpc import Header

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


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL with synchronous=NORMAL: a committed range survives a killed process; a power cut
    # may lose the last ranges, never half of one; 16 KB pages: fewer, larger writes
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA page_size=16384")  # takes effect only on a new database
    cur.execute("PRAGMA journal_mode=WAL")
    # checkpoints (a copy of the WAL into the database, and two fsyncs): a sync's Checkpointer
    # runs them in a thread of its own every 16 MB of WAL; the automatic one, inside a commit,
    # only every 64 MB (a backstop); the last one runs when the sync closes the database
    cur.execute("PRAGMA wal_autocheckpoint=4096")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB: the indexes' pages stay in memory
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class Checkpointer:
    """Copies a SQLite database's WAL into the database from a thread of its own, so that the
    writer never waits for it: a checkpoint (and its fsyncs) runs beside the next ranges'
    inserts rather than inside one of them. The writer pokes it after each commit; it
    checkpoints (PASSIVE: never blocking the writer or readers) once the WAL holds
    `every` bytes. SQLite's own automatic checkpoint stays as the backstop."""

    def __init__(self, path: str, every: int = 16 << 20):
        self.path = path
        self.wal = path + "-wal"
        self.every = every
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None  # started when the WAL first reaches `every`

    def poke(self) -> None:
        try:
            if os.path.getsize(self.wal) < self.every:
                return
        except OSError:
            return
        if self._thread is None:
            self._stop = False
            self._thread = threading.Thread(target=self._run, args=(self.path,), daemon=True,
                                            name="mirror-checkpoint")
            self._thread.start()
        self._wake.set()

    def _run(self, path: str) -> None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stop:
                    return
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass  # the automatic checkpoint remains
        finally:
            conn.close()

    def close(self) -> None:
        if self._thread is not None:
            self._stop = True
            self._wake.set()
            self._thread.join(timeout=60)
            self._thread = None


class _DecimalSum:
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
    dbapi_connection.create_aggregate("decimal_sum", 1, _DecimalSum)


# The same on PostgreSQL, over numeric (NUMERIC(78,0) columns): SUM would do, but one name
# lets an observer's query run on both databases.
_PG_DECIMAL_SUM = "CREATE OR REPLACE AGGREGATE decimal_sum(numeric) (SFUNC = numeric_add, STYPE = numeric)"


def _create_views(engine: Engine, views: dict[str, str]) -> None:
    # PostgreSQL: created only when missing (replacing locks out an observer's running query);
    # OR REPLACE only so that two indexers starting together do not fail on each other
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            if not conn.exec_driver_sql("SELECT 1 FROM pg_proc WHERE proname = 'decimal_sum'").first():
                conn.exec_driver_sql(_PG_DECIMAL_SUM)
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
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _sqlite_functions)
    try:
        with engine.begin() as conn:
            schema.stamp(conn, schema.display(engine.url))
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


def _insert_ignoring(engine: Engine, table: str, columns: tuple[str, ...], rows: int = 1) -> str:
    """INSERT of `rows` rows at once that skips rows already present."""
    names = ", ".join(columns)
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    values = ", ".join(["(" + ", ".join([mark] * len(columns)) + ")"] * rows)
    if engine.dialect.name == "sqlite":
        return f"INSERT OR IGNORE INTO {table} ({names}) VALUES {values}"
    return f"INSERT INTO {table} ({names}) VALUES {values} ON CONFLICT DO NOTHING"


# Rows per INSERT: one statement per row cost a third of the inserts' CPU on SQLite, and
# PostgreSQL took 20 rows a statement at 1.4-2x the rate; within the 999 parameters older
# SQLite builds allow
ROWS_PER_INSERT = 20
MAX_PARAMETERS = 999


class Store:
    """The mirror of one contract set on one chain, in one database."""

    def __init__(self, engine: Engine, chain_id: int, contracts: str, mappers: RowMappers):
        self.engine = engine
        self.chain_id = chain_id
        self.contracts = contracts
        self.mappers = mappers
        self._inserts: dict[tuple[str, tuple[str, ...], int], str] = {}
        self.checkpointer = None
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            self.checkpointer = Checkpointer(engine.url.database)

    def cursor(self) -> tuple[int, str] | None:
        """(last block, its hash) of the mirror, or None before the first range."""
        c = Cursor.__table__.c
        with self.engine.connect() as conn:
            row = conn.execute(select(c.last_block, c.last_hash).where(
                c.chain_id == self.chain_id, c.contracts == self.contracts)).first()
        return (row[0], row[1]) if row else None

    def prepare(self, rows: Rows) -> list[tuple[str, list[tuple]]]:
        """The statements that write `rows`: (SQL, parameter tuples) for executemany, several
        rows per statement. Pure work on Python values, so the sync runs it in its background
        producer."""
        statements: list[tuple[str, list[tuple]]] = []
        self._statements(statements, Block.__tablename__, BLOCK_COLUMNS, rows.blocks)
        self._statements(statements, RawEvent.__tablename__, RAW_EVENT_COLUMNS, rows.raw_events)
        for (table, columns), values in rows.typed.items():
            self._statements(statements, table.name, columns, values)
        return statements

    def _statements(self, out: list, table: str, columns: tuple[str, ...], values: list[tuple]) -> None:
        per = max(1, min(ROWS_PER_INSERT, MAX_PARAMETERS // len(columns)))
        whole = len(values) // per * per
        if whole and per > 1:  # rows flattened, `per` to a statement (in C: no Python loop per row)
            out.append((self._insert(table, columns, per),
                        list(map(tuple, map(chain.from_iterable, zip(*[iter(values[:whole])] * per))))))
            values = values[whole:]
        if values:
            out.append((self._insert(table, columns, 1), values))

    def _insert(self, table: str, columns: tuple[str, ...], rows: int) -> str:
        key = (table, columns, rows)
        sql = self._inserts.get(key)
        if sql is None:
            sql = self._inserts[key] = _insert_ignoring(self.engine, table, columns, rows)
        return sql

    def write(self, statements: list[tuple[str, list[tuple]]], last: Header) -> None:
        """Run `prepare`'s statements for one range and move the cursor to its end, in one
        transaction."""
        with self.engine.begin() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # the driver's own executemany
            try:
                for sql, values in statements:
                    cursor.executemany(sql, values)
            finally:
                cursor.close()
            c = Cursor.__table__.c
            moved = conn.execute(update(Cursor.__table__)
                                 .where(c.chain_id == self.chain_id, c.contracts == self.contracts)
                                 .values(last_block=last.number, last_hash=last.hash)).rowcount
            if not moved:
                conn.execute(insert(Cursor.__table__).values(
                    chain_id=self.chain_id, contracts=self.contracts, last_block=last.number, last_hash=last.hash))
        if self.checkpointer is not None:
            self.checkpointer.poke()

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()

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
