"""sync(): the mirror equals the chain's logs, re-runs add nothing, typed rows follow."""

from __future__ import annotations

import itertools
import json
import threading
import time

import pytest
from sqlalchemy import BigInteger, Column, MetaData, Table, Text, create_engine, text
from sqlmodel import Field, SQLModel

from ledger.chain.node import mine
from ledger.errors import ConfigError
from ledger.mirror import MAPPERS, Progress, RowMappers, SyncOptions, open_db, position, sync
from ledger.mirror.store import database_url
from ledger.mirror.sync import LONG_PASS_SPANS

from .support import activity, chain_logs, dump, mirrored_logs


class Admission(SQLModel, table=True):
    """An example typed table, filled by a row mapper."""

    __tablename__ = "test_admission"

    chain_id: int = Field(sa_type=BigInteger, primary_key=True)
    block_hash: str = Field(primary_key=True)
    log_index: int = Field(primary_key=True)
    block_number: int = Field(sa_type=BigInteger)
    tx_hash: str
    account: str
    tier: int
    name: str


EXAMPLE = RowMappers()
SEEDS = itertools.count(100)


@EXAMPLE.register("MemberAdmitted", Admission, contract="Membership")
def admission(event):
    a = event.args
    yield Admission, {**position(event), "account": a["account"], "tier": a["tier"], "name": a["name"]}


def deployment_first(manifest) -> int:
    return min(c.block for c in manifest.contracts.values())


def query(db, sql):
    engine = create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_full_sync_equals_the_chains_logs(w3, deployment, db):
    stats = sync(w3, deployment, db)
    expected = chain_logs(w3, deployment, stats.last_block)
    assert stats.events == len(expected) > 80
    assert mirrored_logs(db) == expected


def test_second_run_adds_nothing(w3, deployment, db):
    first = sync(w3, deployment, db)
    before = dump(db)
    again = sync(w3, deployment, db, to_block=first.last_block)
    assert again.events == 0
    assert dump(db) == before


def test_small_ranges_give_the_same_mirror(w3, deployment, new_db):
    one, many = new_db(), new_db()
    last = sync(w3, deployment, one).last_block
    sync(w3, deployment, many, to_block=last, options=SyncOptions(span=1, max_span=3, prefetch=False))
    assert dump(one) == dump(many)


def test_workers_a_reading_thread_and_inline_give_the_same_mirror(w3, deployment, new_db):
    pooled, thread, inline = new_db(), new_db(), new_db()
    reports: list[Progress] = []
    # ranges of 2 to 3 blocks; the pass is longer than LONG_PASS_SPANS of them: the workers take it
    stats = sync(w3, deployment, pooled, options=SyncOptions(span=2, max_span=3, workers=2), progress=reports.append)
    last = stats.last_block
    assert last - deployment_first(deployment) > 3 * LONG_PASS_SPANS
    sync(w3, deployment, thread, to_block=last, options=SyncOptions(span=3, workers=0))
    sync(w3, deployment, inline, to_block=last, options=SyncOptions(span=3, workers=0, prefetch=False))
    assert dump(pooled) == dump(thread) == dump(inline)
    assert dump(pooled)["member_event"]
    ends = [p.block for p in reports]
    assert ends == sorted(ends) and ends[-1] == last and stats.ranges == len(reports) > 10
    assert stats.reorgs == 0  # every range followed the one before it


def test_events_are_decoded_with_canonical_json(w3, deployment, db):
    sync(w3, deployment, db)
    rows = query(db, "SELECT event, args, address, contract FROM raw_event WHERE event = 'MemberAdmitted'")
    assert len(rows) >= 40
    event, args, address, contract = rows[0]
    decoded = json.loads(args)
    assert set(decoded) == {"account", "kind", "tier", "name", "identifier"}
    assert args == json.dumps(decoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert decoded["account"] == decoded["account"].lower() and decoded["account"].startswith("0x")
    assert address == deployment.contracts["Membership"].address.lower() and contract == "Membership"
    requirements = query(db, "SELECT args FROM raw_event WHERE event = 'TierRequirementsSet'")
    for (args,) in requirements:  # uint256 fields are decimal strings in JSON
        assert isinstance(json.loads(args)["standards"], str)


def test_blocks_hold_the_headers_of_blocks_with_events(w3, deployment, db):
    sync(w3, deployment, db)
    blocks = query(db, "SELECT number, hash, parent_hash, timestamp FROM block ORDER BY number")
    with_events = [r[0] for r in query(db, "SELECT DISTINCT block_number FROM raw_event ORDER BY block_number")]
    assert [b[0] for b in blocks] == with_events
    for number, hash_, parent, timestamp in blocks[:5]:
        header = w3.eth.get_block(number)
        assert (hash_, parent, timestamp) == ("0x" + header["hash"].hex(), "0x" + header["parentHash"].hex(),
                                              header["timestamp"])


def test_row_mapper_fills_a_typed_table_in_the_same_transaction(w3, deployment, db):
    sync(w3, deployment, db, mappers=EXAMPLE)
    admitted = query(db, "SELECT account, block_hash, log_index FROM test_admission ORDER BY block_number, log_index")
    raw = query(db, "SELECT args, block_hash, log_index FROM raw_event WHERE event = 'MemberAdmitted' "
                    "ORDER BY block_number, log_index")
    assert [(json.loads(a)["account"], h, i) for a, h, i in raw] == admitted


def test_progress_reports_each_range(w3, deployment, db):
    seen: list[Progress] = []
    stats = sync(w3, deployment, db, progress=seen.append, options=SyncOptions(span=16, max_span=16))
    assert len(seen) == stats.ranges > 1
    assert seen[-1].block == stats.last_block and seen[-1].events == stats.events
    assert [p.block for p in seen] == sorted(p.block for p in seen)


def test_follow_mode_mirrors_new_blocks(w3, deployment, secretariat, db):
    open_db(db, MAPPERS).dispose()  # the tables exist before this thread polls them
    stop = threading.Event()
    result = {}
    follower = threading.Thread(target=lambda: result.setdefault("stats", sync(
        w3, deployment, db, follow=True, stop=stop, options=SyncOptions(poll_interval=0.05))))
    follower.start()
    try:
        activity(w3, secretariat, deployment, members=5, seed=next(SEEDS))
        mine(w3, 3)
        expected = chain_logs(w3, deployment)
        for _ in range(200):
            if mirrored_logs(db) == expected:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        follower.join(30)
    assert not follower.is_alive()
    assert mirrored_logs(db) == expected


def test_sync_to_the_finalized_block(w3, deployment, db):
    finalized = w3.eth.get_block("finalized")["number"]
    stats = sync(w3, deployment, db, to_block="finalized")
    assert stats.last_block == finalized
    assert mirrored_logs(db) == chain_logs(w3, deployment, finalized)


def test_a_contract_added_to_the_manifest_later_is_backfilled_without_duplicates(w3, deployment, secretariat, db):
    from ledger.chain.manifest import Manifest
    from ledger.org.deploy import Parameters, deploy

    sync(w3, deployment, db)
    before = query(db, "SELECT COUNT(*) FROM raw_event")[0][0]
    second = deploy(w3, secretariat, Parameters())
    grown = Manifest(chain_id=deployment.chain_id, deployer=deployment.deployer,
                     contracts={**deployment.contracts, "Registry": second.contracts["Membership"]})
    stats = sync(w3, grown, db)
    assert mirrored_logs(db) == chain_logs(w3, grown, stats.last_block)
    added = query(db, "SELECT COUNT(*) FROM raw_event WHERE contract = 'Registry'")[0][0]
    assert added > 0 and query(db, "SELECT COUNT(*) FROM raw_event")[0][0] >= before + added


def test_a_typed_table_a_reorg_could_not_rewind_is_refused():
    # rewinds find typed rows by chain and block hash: a table without them is an error
    unplaced = Table("test_unplaced", MetaData(), Column("chain_id", BigInteger), Column("block_number", BigInteger),
                     Column("account", Text))
    with pytest.raises(ConfigError, match="test_unplaced lacks block_hash"):
        RowMappers().register("MemberAdmitted", unplaced)


def test_rows_written_again_skip_those_present(new_db):
    """45 raw rows, then the same 45 with 3 new ones among them: 48 rows, each once."""
    from ledger.chain.rpc import Header
    from ledger.mirror.rows import Rows
    from ledger.mirror.store import Store

    def raw(i):
        return (7, 1 + i // 10, "0x" + f"{1 + i // 10:064x}", "0x" + f"{i:064x}", 0, i % 10, "0x" + "11" * 20,
                None, None, "[]", "0x" + f"{i:02x}", None)

    db = new_db()
    engine = open_db(db)
    try:
        store = Store(engine, 7, "k", RowMappers())
        head = Header(9, "0x" + "09" * 32, "0x" + "08" * 32, 0)
        store.write(Rows(raw_events=[raw(i) for i in range(45)]), head)
        again = [raw(i) for i in range(45)]
        again[10:10] = [raw(i) for i in (45, 46, 47)]
        store.write(Rows(raw_events=again), head)
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.exec_driver_sql(
                "SELECT block_number, log_index, data FROM raw_event ORDER BY block_number, log_index")]
    finally:
        engine.dispose()
    assert rows == sorted((1 + i // 10, i % 10, "0x" + f"{i:02x}") for i in range(48))
