"""PostgreSQL rows in COPY's text format (`store.copy_ready`, what the worker processes hand
the writer): every value arrives exactly as psycopg's own COPY of the tuples writes it, and a
range written again adds no duplicate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.psycopg import dialect as postgresql_dialect

from ledger.chain.rpc import Header
from ledger.mirror import MAPPERS, open_db
from ledger.mirror.decode import _Replaced
from ledger.mirror.rows import Rows
from ledger.mirror.store import CopyText, Store, copy_ready, copy_text
from ledger.mirror.tables import RAW_EVENT_COLUMNS
from ledger.mirror.typed import Contribution, Vote
from scripts.bench import pgcluster

HEAD = Header(9, "0x" + "09" * 32, "0x" + "08" * 32, 0)
MAX_UINT256 = 2**256 - 1

# text anyone can put in a log: COPY's delimiter, line ends, backslashes (and what looks like
# COPY's own escapes and end marker), unicode beyond the BMP, replacement characters, spaces
AWKWARD = [
    "a\tb", "line\nnext", "cr\rlf\r\n", "back\\slash", "\\N", "\\.", "\\", "ends with \\", "\\t not a tab",
    "💸 ünïcødé — 中文", "\ufffd\ufffd", "", " ", "  padded  ", "'quoted' \"double\"", "\x01\x1f\x7f controls",
    "\\\\\t\n\r" * 50,
]


def test_copy_text_in_postgresql_text_format():
    rows = [(None, True, False, 0, -5, MAX_UINT256, Decimal(MAX_UINT256), "x\ty\nz\r\\", "plain")]
    assert copy_text(rows) == CopyText(
        1, "\\N\tt\tf\t0\t-5\t" + f"{MAX_UINT256}\t{MAX_UINT256}\t" + "x\\ty\\nz\\r\\\\\tplain\n")
    assert copy_text([]) == CopyText(0, "") and len(copy_text([(1,), (2,)])) == 2
    assert copy_text([(_Replaced("a\tb\ufffd"),)]).text == "a\\tb\ufffd\n"  # text decoded with U+FFFD


@pytest.mark.parametrize("value", ["nul \x00 inside", 1.5, [1, 2], b"\x01"])
def test_values_it_does_not_encode_are_left_to_psycopg(value):
    rows = [(1, "fine"), (2, value)]
    assert copy_text(rows) is rows


def raw(i: int, data: str = "0x", args: str | None = None) -> tuple:
    return (7, 1 + i // 10, "0x" + f"{1 + i // 10:064x}", "0x" + f"{i:064x}", 0, i % 10, "0x" + "11" * 20,
            "Membership", "Something", "[]", data, args)


def position(i: int) -> tuple:
    return (7, 1 + i // 10, "0x" + f"{1 + i // 10:064x}", "0x" + f"{i:064x}", i % 10, "0x" + "22" * 20)


VOTE = ("vote", (*RAW_EVENT_COLUMNS[:4], "log_index", "address", "proposal_id", "voter", "support", "weight",
                 "reason", "params"))
CONTRIBUTION = ("contribution", (*RAW_EVENT_COLUMNS[:4], "log_index", "address", "contributor", "amount",
                                 "is_member"))


def awkward_rows() -> Rows:
    """Raw events, votes and contributions whose text and numbers are every awkward case."""
    pg = postgresql_dialect()
    weight = Vote.__table__.c.weight.type.bind_processor(pg)  # as the plans convert: Decimal on PostgreSQL
    amount = Contribution.__table__.c.amount.type.bind_processor(pg)
    n = len(AWKWARD)
    return Rows(
        raw_events=[raw(i, data="0x" + f"{i:02x}", args='{"reason":' + repr(s) + "}") for i, s in enumerate(AWKWARD)],
        typed={
            VOTE: [(*position(i), str(MAX_UINT256 - i), "0x" + "33" * 20, i % 3, weight(MAX_UINT256 - i), s,
                    None if i % 2 else s) for i, s in enumerate(AWKWARD)],
            CONTRIBUTION: [(*position(n + i), "0x" + "44" * 20, amount(v), i % 2 == 0)
                           for i, v in enumerate((0, 1, 2**63, 2**64 + 1, MAX_UINT256))],
        })


def read_back(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))]
                for table, order in (("raw_event", "block_number, log_index"), ("vote", "block_number, log_index"),
                                     ("contribution", "block_number, log_index"), ("mirror_cursor", "chain_id"))}


def test_rows_in_copy_text_arrive_as_psycopg_writes_the_tuples(postgres):
    tuples_db = pgcluster.create_database(postgres, "copy_tuples")
    text_db = pgcluster.create_database(postgres, "copy_text")
    rows = awkward_rows()
    encoded = copy_ready(rows)
    assert isinstance(encoded.raw_events, CopyText) and all(isinstance(v, CopyText) for v in encoded.typed.values())
    got = {}
    for db, written in ((tuples_db, rows), (text_db, encoded)):
        engine = open_db(db, MAPPERS)
        try:
            Store(engine, 7, "k", MAPPERS).write(written, HEAD)
            got[db] = read_back(engine)
        finally:
            engine.dispose()
    assert got[text_db] == got[tuples_db]
    mirrored = got[text_db]
    assert [r[RAW_EVENT_COLUMNS.index("args") + 1] for r in mirrored["raw_event"]] == \
        ['{"reason":' + repr(s) + "}" for s in AWKWARD]
    vote = VOTE[1]
    assert [(r[vote.index("reason")], r[vote.index("params")], int(r[vote.index("weight")]))
            for r in mirrored["vote"]] == [(s, None if i % 2 else s, MAX_UINT256 - i) for i, s in enumerate(AWKWARD)]
    assert [(int(r[-2]), r[-1]) for r in mirrored["contribution"]] == \
        [(0, True), (1, False), (2**63, True), (2**64 + 1, False), (MAX_UINT256, True)]


def test_a_range_in_copy_text_written_again_adds_no_duplicate(postgres):
    """The staging path: a range half present is written again, in COPY's text format."""
    engine = open_db(pgcluster.create_database(postgres, "copy_again"), MAPPERS)
    try:
        store = Store(engine, 7, "k", MAPPERS)
        full = awkward_rows()
        half = Rows(raw_events=full.raw_events[::2], typed={VOTE: full.typed[VOTE][1::2]})
        store.write(copy_ready(half), HEAD)
        store.write(copy_ready(full), HEAD)
        store.write(copy_ready(full), HEAD)  # all present: nothing added
        once = read_back(engine)
        assert len(once["raw_event"]) == len(once["vote"]) == len(AWKWARD) and len(once["contribution"]) == 5
        assert len(once["mirror_cursor"]) == 1
    finally:
        engine.dispose()
    reference = open_db(pgcluster.create_database(postgres, "copy_once"), MAPPERS)
    try:
        Store(reference, 7, "k", MAPPERS).write(awkward_rows(), HEAD)
        expected = read_back(reference)
    finally:
        reference.dispose()
    # raw_event's id is the database's own: compared without it
    assert [r[1:] for r in once["raw_event"]] == [r[1:] for r in expected["raw_event"]]
    assert once["vote"] == expected["vote"] and once["contribution"] == expected["contribution"]
