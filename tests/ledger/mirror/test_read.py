"""The mirror's read API: it refuses what it cannot read, with what to do, and creates nothing;
it reads one deployment's rows in their columns' own types, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import create_engine

from ledger.errors import MirrorMissing, MirrorNotSynced, MirrorSchemaMismatch
from ledger.mirror import open_db, open_mirror, sync
from ledger.mirror.schema import SCHEMA_VERSION
from ledger.mirror.store import database_url
from ledger.mirror.typed import MemberEvent, Vote
from scripts.bench import pgcluster

from .support import chain_logs


def test_a_missing_sqlite_mirror_is_refused_and_not_created(demo_chain, tmp_path):
    path = tmp_path / "not-yet" / "mirror.db"

    with pytest.raises(MirrorMissing, match=r"no mirror at .*mirror\.db: run `waico index` first"):
        open_mirror(path, demo_chain.manifest)

    assert not path.parent.exists()


def test_a_missing_postgresql_database_is_refused(demo_chain, postgres):
    with pytest.raises(MirrorMissing, match="cannot open the mirror at .*/nowhere.*run `waico index` first"):
        open_mirror(pgcluster.database(postgres, "nowhere"), demo_chain.manifest)


def test_a_database_without_a_mirror_is_refused(demo_chain, tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE notes (text TEXT)").connection.close()

    with pytest.raises(MirrorMissing, match=r"holds no mirror tables\): run `waico index` first"):
        open_mirror(path, demo_chain.manifest)


def test_a_mirror_that_never_synced_this_deployment_is_refused(demo_chain, tmp_path):
    path = tmp_path / "mirror.db"
    open_db(path).dispose()  # the tables, but no range written

    with pytest.raises(MirrorNotSynced, match="has never synced this deployment .*: run `waico index` first"):
        open_mirror(path, demo_chain.manifest)


@pytest.mark.parametrize("how", ["another version", "before versions"])
def test_a_mirror_of_another_schema_version_is_refused_by_readers_and_the_writer(demo_chain, tmp_path, how):
    path = tmp_path / "mirror.db"
    shutil.copyfile(demo_chain.mirror, path)
    with sqlite3.connect(path) as conn:
        if how == "another version":
            conn.execute("UPDATE mirror_schema SET version = ?", (SCHEMA_VERSION + 1,))
        else:
            conn.execute("DROP TABLE mirror_schema")
    version = SCHEMA_VERSION + 1 if how == "another version" else "0"

    for opening in (lambda: open_mirror(path, demo_chain.manifest), lambda: open_db(path)):
        with pytest.raises(MirrorSchemaMismatch, match=f"version {version}.*re-index into a new database"):
            opening()


def test_reading_writes_nothing(demo_chain, tmp_path):
    path = tmp_path / "mirror.db"
    shutil.copyfile(demo_chain.mirror, path)
    before = path.read_bytes()
    with open_mirror(path, demo_chain.manifest) as mirror:
        assert len(mirror.logs()) > 300 and len(mirror.rows(Vote)) > 100
    assert path.read_bytes() == before


def test_new_database_records_the_schema_version(db):
    open_db(db).dispose()
    engine = create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            assert [tuple(r) for r in conn.exec_driver_sql("SELECT version FROM mirror_schema")] == [(SCHEMA_VERSION,)]
    finally:
        engine.dispose()
    open_db(db).dispose()  # opening it again for writing is fine


def test_reads_one_deployment_up_to_its_cursor_in_column_types(w3, deployment, db):
    stats = sync(w3, deployment, db)

    with open_mirror(db, deployment) as mirror:
        logs = mirror.logs()
        members = mirror.rows(MemberEvent)
        assert mirror.cursor.block == stats.last_block
        assert mirror.count_logs(above_block=logs[-1].block_number - 1) == sum(
            1 for log in logs if log.block_number == logs[-1].block_number)
        assert mirror.rows(Vote) == []

    on_chain = chain_logs(w3, deployment, stats.last_block)
    assert [(log.block_number, log.log_index) for log in logs] == [(c[0], c[4]) for c in on_chain]
    assert all(log.topics and log.args() is not None for log in logs if log.event)
    admitted = [m for m in members if m.event == "admitted"]
    assert len(admitted) == 40 and {m.kind for m in admitted} == {"State", "Corporate"}
    assert all(isinstance(m.block_number, int) and m.account == m.account.lower() for m in members)


def test_uint256_columns_read_as_ints_on_both_databases(demo_chain, postgres, tmp_path):
    db = pgcluster.create_database(postgres, "readapi")
    sync(demo_chain.w3, demo_chain.manifest, db)
    with open_mirror(db, demo_chain.manifest) as pg, open_mirror(demo_chain.mirror, demo_chain.manifest) as lite:
        votes = pg.rows(Vote)
        assert votes == lite.rows(Vote) and len(votes) > 100
        assert all(type(v.weight) is int and type(v.support) is int for v in votes)
        assert pg.logs() == lite.logs()
