"""`waico audit`: the text report, --json, and the exit status."""

import json
import sqlite3

from click.testing import CliRunner

from ledger.cli import main


def run(demo_chain, db, *extra):
    return CliRunner().invoke(main, ["audit", "--workdir", str(demo_chain.workdir), "--rpc", demo_chain.url,
                                     "--db", f"sqlite:///{db}", *extra])


def test_clean_mirror_exits_0_with_every_check_ok(demo_chain, mirror_copy):
    result = run(demo_chain, mirror_copy)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[1:6]] == [
        ["OK", "mirror"], ["OK", "tallies"], ["OK", "signatures"], ["OK", "payouts"], ["OK", "fund"]]
    assert lines[-1].startswith("clean")


def test_tampered_mirror_exits_1_with_one_line_per_finding(demo_chain, mirror_copy):
    with sqlite3.connect(mirror_copy) as conn:
        row = conn.execute("SELECT id, block_number, log_index FROM raw_event WHERE event = 'VoteCast' "
                           "ORDER BY id LIMIT 1").fetchone()
        conn.execute("DELETE FROM raw_event WHERE id = ?", (row[0],))

    result = run(demo_chain, mirror_copy)

    assert result.exit_code == 1
    assert f"block {row[1]} log {row[2]}: missing from the mirror: WaicoGovernor.VoteCast" in result.stdout
    assert any(line.startswith("FAIL tallies") for line in result.stdout.splitlines())


def test_json_report_lists_findings_by_check(demo_chain, mirror_copy):
    with sqlite3.connect(mirror_copy) as conn:
        conn.execute("DELETE FROM raw_event WHERE event = 'Contributed'")

    result = run(demo_chain, mirror_copy, "--json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    fund = next(c for c in report["checks"] if c["name"] == "fund")
    assert not report["ok"] and not fund["ok"]
    assert fund["findings"][0]["subject"] == "fund"


def test_no_mirror_is_an_error_not_a_finding(demo_chain, tmp_path):
    result = run(demo_chain, tmp_path / "none.db")

    assert result.exit_code == 2
    assert "no mirror at" in result.output
