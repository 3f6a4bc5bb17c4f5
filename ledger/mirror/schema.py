"""The mirror's schema version: which layout and encodings a database holds.

A mirror records the version it was written with in a one-row table, the same on SQLite and
PostgreSQL:

    mirror_schema (version INTEGER PRIMARY KEY)

The writer (`ledger.mirror.open_db`) stamps a new database before it creates any other table,
and refuses a database of another version; readers (`ledger.mirror.read`) refuse it too. A
database with mirror tables but no stamp was written before versions existed: version 0.
Nothing is migrated: a mirror is a copy of the chain, so the remedy is always to re-index
into a new database.

When to bump `SCHEMA_VERSION` (by one): whenever a database written before the change
would be read wrongly, or written into wrongly, by the code after it — a table, column,
view, primary key or unique constraint added, removed, renamed or retyped, or a change in
what a column holds (the canonical JSON of `raw_event.args`, Uint256 as decimal TEXT or
NUMERIC, lowercase hex, enum names, the `event` names of a typed table, the contract-set
key of `mirror_cursor`). A plain index added or dropped needs no bump. The test
`tests/ledger/mirror/test_schema.py` holds a fingerprint of the tables and views and fails
until the version and the fingerprint are changed together.
"""

from __future__ import annotations

from sqlalchemy import URL, Column, Connection, Integer, MetaData, Table, inspect

from ledger.errors import MirrorSchemaMismatch

SCHEMA_VERSION = 3

# Outside SQLModel's metadata: stamped on its own, before the mirror's tables exist.
VERSION_TABLE = Table("mirror_schema", MetaData(), Column("version", Integer, primary_key=True, autoincrement=False))
# A table every version of the mirror has had: its presence without a stamp means version 0.
ANY_VERSION_TABLE = "raw_event"


def read_version(conn: Connection) -> int | None:
    """The schema version of the database behind `conn`: None when it holds no mirror at all,
    0 when its mirror predates versions."""
    names = set(inspect(conn).get_table_names())
    if VERSION_TABLE.name not in names:
        return 0 if ANY_VERSION_TABLE in names else None
    versions = [row[0] for row in conn.execute(VERSION_TABLE.select())]
    if len(versions) != 1:
        raise MirrorSchemaMismatch(f"the mirror's {VERSION_TABLE.name} table holds {len(versions)} versions "
                                   f"({versions}): re-index into a new database")
    return versions[0]


def mismatch(where: str, version: int) -> MirrorSchemaMismatch:
    written = "before schema versions (version 0)" if version == 0 else f"with schema version {version}"
    return MirrorSchemaMismatch(f"the mirror at {where} was written {written}; this waico reads and writes "
                                f"version {SCHEMA_VERSION}: re-index into a new database (`waico index --db ...`)")


def stamp(conn: Connection, where: str) -> None:
    """Record `SCHEMA_VERSION` in a database that holds no mirror yet; refuse one of another
    version. Run before the mirror's tables are created, in the transaction of `conn`."""
    version = read_version(conn)
    if version is None:
        VERSION_TABLE.create(conn, checkfirst=True)
        if conn.dialect.name == "postgresql":  # two indexers starting together: the second adds nothing
            conn.exec_driver_sql(f"INSERT INTO {VERSION_TABLE.name} (version) VALUES (%s) ON CONFLICT DO NOTHING",
                                 (SCHEMA_VERSION,))
        else:
            conn.execute(VERSION_TABLE.insert().prefix_with("OR IGNORE"), {"version": SCHEMA_VERSION})
        version = read_version(conn)
    if version != SCHEMA_VERSION:
        raise mismatch(where, version)


def shown_url(url: str) -> str:
    """A database URL as output may print it: whole, but for its password (`***`)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def display(url: URL) -> str:
    """A database as messages name it: a SQLite file's path, else the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)
