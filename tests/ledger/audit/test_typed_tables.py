"""`waico audit` covers every typed table: each field of each table, altered in a copy of a
synced mirror, makes the audit fail (exit 1) naming the table, the row (block, log index)
and the field, with both values in full.

Fields are spread over the table's rows, fewest to a row (fields that share a row are still
compared one by one); the fields of a row's key (block hash, log index) and chain_id, which
move a row rather than change it, always get a row of their own, in as many copies as the
table's rows require. chain_id altered takes the row off the audited chain: it is reported
missing, at its position.
The demo's mirror has rows in every table but six; those come from the audit's own chain
(tests/ledger/audit/conftest.py)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from sqlalchemy import Boolean, Integer

from ledger.cli import main
from ledger.mirror import MAPPERS
from ledger.mirror.typed import Uint256

TABLES = [t.name for t in MAPPERS.tables]
NOT_IN_THE_DEMO = {"declaration_event", "ballot_skipped", "claim", "tier_name", "share_offer_withdrawal",
                   "share_request_cancellation"}
MOVES_THE_ROW = ("block_hash", "log_index", "chain_id")  # the row's key: one alteration a row


@dataclass
class Alteration:
    column: str
    block_number: int
    log_index: int
    block_hash: str
    before: object
    after: object


def kind(table, column: str) -> str:
    type_ = table.c[column].type
    if isinstance(type_, Uint256):
        return "uint256"
    if isinstance(type_, Boolean):
        return "bool"
    if isinstance(type_, Integer):
        return "int"
    return "text"


def altered(table, column: str, value):
    """Another value of the same kind, as SQLite stores it."""
    if column == "block_number":
        return value - 1  # still within the mirrored blocks
    if column == "log_index":
        return value + 1_000  # no other row of that block has it
    k = kind(table, column)
    if value is None:
        return {"uint256": "1", "bool": 1, "int": 1}.get(k, "0x01")
    if k == "bool":
        return 1 - value
    if k == "int":
        return value + 1
    if k == "uint256":
        return str(int(value) + 1)
    if value.startswith("0x") and len(value) > 2:
        return value[:-1] + ("1" if value[-1] != "1" else "2")  # still lowercase hex
    return value + " (altered)"


def as_read(table, column: str, value):
    """A stored value as the audit reads it through the column's type."""
    k = kind(table, column)
    if value is None:
        return None
    return {"uint256": int, "bool": bool}.get(k, lambda v: v)(value)


def plan(rows: list, columns: list[str]) -> list[list[tuple[str, int]]]:
    """Batches of (column, row index). In a batch, a column that moves its row (MOVES_THE_ROW)
    has the row to itself; the others spread over the remaining rows, preferring rows where
    the column is not NULL."""
    batches, pending = [], sorted(columns, key=lambda c: c not in MOVES_THE_ROW)
    while pending:
        batch, owned, load, left = [], set(), {}, []
        for column in pending:
            filled = [i for i, r in enumerate(rows) if r[column] is not None] or list(range(len(rows)))
            if column in MOVES_THE_ROW:
                free = [i for i in filled if i not in owned]
                if free:
                    owned.add(free[0])
                    batch.append((column, free[0]))
                else:
                    left.append(column)
                continue
            usable = [i for i in filled if i not in owned] or [i for i in range(len(rows)) if i not in owned]
            if not usable:
                left.append(column)
                continue
            row = min(usable, key=lambda i: (load.get(i, 0), i not in filled))
            load[row] = load.get(row, 0) + 1
            batch.append((column, row))
        batches.append(batch)
        pending = left
    return batches


@pytest.fixture(params=TABLES)
def table_case(request, demo_chain):
    name = request.param
    source = request.getfixturevalue("audit_chain") if name in NOT_IN_THE_DEMO else demo_chain
    return name, source


def run_audit(source, db) -> tuple[int, str, dict]:
    args = ["audit", "--workdir", str(source.workdir), "--rpc", source.url, "--db", f"sqlite:///{db}"]
    text = CliRunner().invoke(main, args)
    data = CliRunner().invoke(main, [*args, "--json"])
    return text.exit_code, text.output, json.loads(data.stdout)


def test_every_field_of_every_typed_table_is_audited(table_case, tmp_path):
    name, source = table_case
    table = next(t for t in MAPPERS.tables if t.name == name)
    with sqlite3.connect(source.mirror) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(f"SELECT * FROM {name} ORDER BY block_number, log_index").fetchall()
    assert rows, f"no {name} rows to alter"
    addresses = sorted(c.address.lower() for c in source.manifest.contracts.values())

    for n, batch in enumerate(plan(rows, [c.name for c in table.columns])):
        db = tmp_path / f"mirror-{n}.db"
        shutil.copyfile(source.mirror, db)
        done = []
        with sqlite3.connect(db) as conn:
            for column, i in batch:
                row = rows[i]
                after = altered(table, column, row[column])
                if column == "address":  # another contract of the deployment: the row stays in view
                    after = next(a for a in addresses if a != row["address"])
                assert conn.execute(f"UPDATE {name} SET {column} = ? WHERE block_hash = ? AND log_index = ?",
                                    (after, row["block_hash"], row["log_index"])).rowcount == 1
                done.append(Alteration(column, row["block_number"], row["log_index"], row["block_hash"],
                                       row[column], after))

        code, output, report = run_audit(source, db)

        assert code == 1, output
        found = {(f["block"], f["logIndex"], f.get("field")): f
                 for c in report["checks"] if c["name"] == "typed" for f in c["findings"] if f.get("table") == name}
        for a in done:
            where = f"block {a.block_number} log {a.log_index}"
            if a.column == "chain_id":  # the row left this chain: missing from its mirror
                assert f"{where}: {name}: missing from the mirror" in output, (a, output)
                continue
            assert f"{where}: {name}.{a.column}: the mirror has " in output, (a, output)
            finding = found[(a.block_number, a.log_index, a.column)]
            assert finding["mirror"] == as_read(table, a.column, a.after), (a, finding)
            assert finding["chain"] == as_read(table, a.column, a.before), (a, finding)
