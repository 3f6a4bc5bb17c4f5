"""The schema version moves with the schema: a fingerprint of the mirror's tables and views
(columns, types on both databases, keys, unique constraints, view definitions) is pinned
next to `SCHEMA_VERSION`, so a change to either without the other fails here."""

from __future__ import annotations

import hashlib

from sqlalchemy import UniqueConstraint
from sqlalchemy.dialects.postgresql.psycopg import dialect as postgresql_dialect
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from ledger.mirror import MAPPERS
from ledger.mirror.schema import SCHEMA_VERSION, VERSION_TABLE, shown_url
from ledger.mirror.tables import Block, Cursor, RawEvent

# Change both together (see ledger/mirror/schema.py for when to bump the version).
PINNED = (3, "539077a115b426e2")


def fingerprint() -> str:
    lines = []
    tables = [VERSION_TABLE, Block.__table__, RawEvent.__table__, Cursor.__table__, *MAPPERS.tables]
    for table in sorted(tables, key=lambda t: t.name):
        for column in table.columns:
            types = [column.type.compile(dialect=d()) for d in (sqlite_dialect, postgresql_dialect)]
            lines.append(f"{table.name}.{column.name} {types} null={column.nullable} pk={column.primary_key}")
        lines += sorted(f"{table.name} unique {[c.name for c in constraint.columns]}"
                        for constraint in table.constraints if isinstance(constraint, UniqueConstraint))
    for name, select in sorted(MAPPERS.views.items()):
        lines.append(f"view {name}: " + " ".join(select.split()))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def test_schema_version_is_bumped_with_the_schema():
    assert (SCHEMA_VERSION, fingerprint()) == PINNED, (
        "the mirror's tables or views changed: bump SCHEMA_VERSION in ledger/mirror/schema.py "
        f"(when its doc says so) and pin ({SCHEMA_VERSION}, {fingerprint()!r}) here")


def test_a_database_url_is_shown_without_its_password():
    assert shown_url("postgresql+psycopg://auditor:s3cret@db.example:5432/waico") == \
        "postgresql+psycopg://auditor:***@db.example:5432/waico"
    assert shown_url("sqlite:///.waico/mirror.db") == "sqlite:///.waico/mirror.db"
