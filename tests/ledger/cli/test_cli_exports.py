"""CSV exports (`--csv FILE`, `-` for standard output): a proposal's votes, a round's payouts,
the member roster. Each CSV parses back to the command's --json rows and to the chain's
figures; names an attacker chose (commas, quotes, line breaks, formulas, escape sequences)
round-trip or are defused."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from ledger.app.exports import cell, to_csv
from ledger.cli import main
from ledger.org.membership import Kind, Tier


def run(workdir, url, *args, code=0):
    result = CliRunner().invoke(main, [*args, "--workdir", str(workdir), "--rpc", url])
    assert result.exit_code == code, result.output
    return result


def parsed(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def as_text(rows: list[dict]) -> list[dict]:
    """JSON rows as the CSV holds them (numbers as their decimal text)."""
    return [{k: str(v) for k, v in r.items()} for r in rows]


@pytest.fixture(scope="module")
def demo(demo_chain):
    return lambda *args, code=0: run(demo_chain.workdir, demo_chain.url, *args, code=code)


def test_proposal_votes_csv_is_the_json_and_the_governors_tally(demo, demo_chain):
    rows = json.loads(demo("proposal", "votes", "3", "--json").stdout)
    exported = parsed(demo("proposal", "votes", "3", "--csv", "-").stdout)
    assert exported == as_text(rows) and len(rows) == 38
    assert list(exported[0]) == ["proposal", "member", "identifier", "kind", "support", "weight", "reason", "voter"]
    governor = demo_chain.manifest.contract(demo_chain.w3, "WaicoGovernor")
    pid = int(json.loads(demo("proposal", "show", "3", "--json").stdout)["id"])
    against, for_, abstain = governor.functions.proposalVotes(pid).call()
    weights = {s: sum(int(r["weight"]) for r in exported if r["support"] == s) for s in ("against", "for", "abstain")}
    assert weights == {"against": against, "for": for_, "abstain": abstain}
    assert {r["proposal"] for r in exported} == {"3"} and all(r["member"] for r in exported)
    text = demo("proposal", "votes", "3").output
    assert text.startswith("proposal 3: 38 votes\n") and "China" in text


def test_round_payouts_csv_to_a_file_is_the_json_and_sums_to_what_the_round_paid(demo, demo_chain, tmp_path):
    rows = json.loads(demo("fund", "round", "1", "--json").stdout)
    target = tmp_path / "round-1.csv"
    result = demo("fund", "round", "1", "--csv", str(target))
    assert result.stdout == "" and f"{len(rows)} rows written to {target}" in result.stderr
    exported = parsed(target.read_bytes().decode())
    assert exported == as_text(rows) and len(rows) > 20
    fund = demo_chain.manifest.contract(demo_chain.w3, "EquityFund")
    (executed,) = fund.events.RoundExecuted().get_logs(from_block=demo_chain.manifest.contracts["EquityFund"].block)
    assert sum(int(r["amount_units"]) for r in exported) == executed["args"]["paid"]
    for r in exported:  # token units beside the raw ones, as a spreadsheet reads a number
        whole, _, frac = r["amount"].partition(".")
        assert int(whole) * 10**6 + int(frac.ljust(6, "0") or 0) == int(r["amount_units"])
    assert {r["paid_as"] for r in exported} == {"pushed"} and all(r["member"] for r in exported)
    missing = demo("fund", "round", "2", code=1)
    assert missing.output == "error: round 2 paid no one: 1 round executed\n"


def test_member_list_csv_is_the_json(demo):
    rows = json.loads(demo("member", "list", "--json").stdout)
    exported = parsed(demo("member", "list", "--csv", "-").stdout)
    assert exported == [{k: str(r[k]) for k in ("index", "name", "identifier", "kind", "tier", "status", "weight",
                                               "address")} for r in rows]
    assert len(exported) == 43


def test_csv_to_an_unwritable_place_is_a_one_line_error(demo, tmp_path):
    (tmp_path / "a-file").write_text("")
    result = demo("member", "list", "--csv", str(tmp_path / "a-file" / "roster.csv"), code=1)
    assert result.output.startswith("error: cannot write ") and result.output.count("\n") == 1


HOSTILE = ["Comma, Inc.", 'Say "hi"', "Two\nlines", '=HYPERLINK("http://evil.example","x")', "+1+1", "-2",
           "@SUM(A1)", "\tTabbed", "Esc\x1b[2Jape"]
DEFUSED = ["Comma, Inc.", 'Say "hi"', "Two\nlines", '\'=HYPERLINK("http://evil.example","x")', "'+1+1", "'-2",
           "'@SUM(A1)", "'\tTabbed", "Esc\\x1b[2Jape"]


def test_hostile_names_round_trip_or_are_defused(anvil, manifest, secretariat, membership, snapshot, tmp_path):
    from eth_account import Account

    manifest.save(tmp_path / "deployment.json")
    for i, name in enumerate(HOSTILE):
        secretariat.send(membership.functions.admit(Account.create().address, int(Kind.State), int(Tier.Associate),
                                                    name, f"H{i}"), "admit")
    out = run(tmp_path, anvil.url, "member", "list", "--csv", "-").stdout
    assert "\x1b" not in out
    exported = parsed(out)
    assert [r["name"] for r in exported] == DEFUSED
    listed = json.loads(run(tmp_path, anvil.url, "member", "list", "--json").stdout)
    assert [r["name"] for r in listed] == HOSTILE  # the JSON keeps the exact text


def test_cells_numbers_stay_numbers_and_text_is_defused():
    assert [cell(v) for v in (5, True, None, "=1", "plain")] == [5, "true", "", "'=1", "plain"]
    assert to_csv(["a", "b"], [[1, 'x,"y"']]) == 'a,b\r\n1,"x,""y"""\r\n'
