"""`waico audit`: the text report, --json, and the exit status."""

import json
import sqlite3

from click.testing import CliRunner

from ledger.chain.node import mine
from ledger.cli import main
from ledger.mirror import open_db


def run(demo_chain, db, *extra):
    return CliRunner().invoke(main, ["audit", "--workdir", str(demo_chain.workdir), "--rpc", demo_chain.url,
                                     "--db", f"sqlite:///{db}", *extra])


def test_clean_mirror_exits_0_with_every_check_ok(demo_chain, mirror_copy):
    result = run(demo_chain, mirror_copy)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[1:9]] == [
        ["OK", "mirror"], ["OK", "typed"], ["OK", "tallies"], ["OK", "signatures"], ["OK", "payouts"], ["OK", "fund"],
        ["OK", "views"], ["OK", "sharing"]]
    assert lines[-1] == "clean: the mirror is the chain, and the chain kept its rules"


def test_tampered_mirror_exits_1_with_one_line_per_finding(demo_chain, mirror_copy):
    with sqlite3.connect(mirror_copy) as conn:
        row = conn.execute("SELECT id, block_number, log_index FROM raw_event WHERE event = 'VoteCast' "
                           "ORDER BY id LIMIT 1").fetchone()
        conn.execute("DELETE FROM raw_event WHERE id = ?", (row[0],))
        conn.execute("DELETE FROM vote WHERE block_number = ? AND log_index = ?", row[1:])

    result = run(demo_chain, mirror_copy)

    assert result.exit_code == 1
    assert f"block {row[1]} log {row[2]}: raw_event: missing from the mirror: WaicoGovernor.VoteCast" in result.stdout
    assert f"block {row[1]} log {row[2]}: vote: missing from the mirror" in result.stdout
    failed = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == ["mirror", "typed", "tallies"]


def test_json_report_lists_findings_by_check(demo_chain, mirror_copy):
    with sqlite3.connect(mirror_copy) as conn:
        conn.execute("DELETE FROM contribution")

    result = run(demo_chain, mirror_copy, "--json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    fund = next(c for c in report["checks"] if c["name"] == "fund")
    assert not report["ok"] and not fund["ok"]
    assert fund["findings"][0]["subject"] == "fund"


def test_no_mirror_is_an_error_not_a_finding(demo_chain, tmp_path):
    result = run(demo_chain, tmp_path / "none.db")

    assert result.exit_code == 2
    assert "no mirror at" in result.output and "run `waico index` first" in result.output
    assert not (tmp_path / "none.db").exists()


def test_never_synced_or_other_version_mirror_is_refused_with_what_to_do(demo_chain, mirror_copy, tmp_path):
    open_db(tmp_path / "empty.db").dispose()
    never = run(demo_chain, tmp_path / "empty.db")
    assert never.exit_code == 2 and "has never synced this deployment" in never.output

    with sqlite3.connect(mirror_copy) as conn:
        conn.execute("UPDATE mirror_schema SET version = 99")
    other = run(demo_chain, mirror_copy)
    assert other.exit_code == 2
    assert "schema version 99" in other.output and "re-index into a new database" in other.output


def test_mirror_behind_the_chain_passes_with_a_note(demo_snapshot, mirror_copy):
    mine(demo_snapshot.w3, 3)

    result = run(demo_snapshot, mirror_copy)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    last = int(lines[0].split("..")[1].split()[0])
    assert lines[1] == (f"note mirror at block {last}, chain at {last + 3}: run `waico index` "
                        f"(blocks {last + 1}..{last + 3} are not audited)")
    assert lines[-1] == f"clean up to block {last}: the mirror is the chain, and the chain kept its rules"
