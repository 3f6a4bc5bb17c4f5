"""Text for people: titles cut with "…" (never silently), and plurals right ("1 round")."""

import pytest

from ledger.app.summary import counted, cut, plural, singular
from ledger.audit.report import AuditReport, CheckResult
from ledger.cli.audit import report_text


def test_cut_marks_what_it_leaves_out():
    assert cut("short", 60) == "short"
    assert cut("x" * 60, 60) == "x" * 60
    assert cut("x" * 61, 60) == "x" * 59 + "…"
    assert cut("Equity adjustment round 2026-I: disburse 500,000 tUSD by need score", 20) == "Equity adjustment r…"
    assert cut("Equity adjustment round", 19) == "Equity adjustment…"  # no space before the mark


@pytest.mark.parametrize("n,text", [(0, "0 rounds"), (1, "1 round"), (2, "2 rounds")])
def test_plural(n, text):
    assert plural(n, "round") == text


@pytest.mark.parametrize("phrase,one", [
    ("rounds", "round"), ("block headers", "block header"), ("rows in mirror", "row in mirror"),
    ("ballots re-verified (ecdsa)", "ballot re-verified (ecdsa)"), ("pushed payouts", "pushed payout"),
    ("not re-verified (OpenZeppelin castVoteBySig)", "not re-verified (OpenZeppelin castVoteBySig)"),
])
def test_the_audits_counted_things_for_one(phrase, one):
    assert singular(phrase) == one
    assert counted(1, phrase) == f"1 {one}" and counted(3, phrase) == f"3 {phrase}"


def test_the_audit_report_says_1_round_and_1_finding():
    check = CheckResult("payouts", "payouts re-computed")
    check.count("rounds")
    check.count("payouts", 29)
    check.find("round 1", "paid twice")
    text = report_text(AuditReport(31337, 0, 10, 1, [check]))
    assert "(1 mirrored event, 0.0 s)" in text.splitlines()[0]
    assert "payouts re-computed: 1 round, 29 payouts" in text
    assert text.splitlines()[-1] == "1 finding"


def test_the_demo_summary_cuts_long_titles_and_counts_one_member_as_one():
    from dataclasses import replace

    from ledger.app.summary import members_by_tier, proposals_table
    from ledger.org.governance import Proposal, ProposalState, Track
    from ledger.org.membership import Kind, Member, Status, Tier

    title = "Equity adjustment round 2026-I: disburse 500,000 tUSD by need score, and more words"
    p = Proposal(1, Track.Ordinary, ProposalState.Executed, "0x", 0, 0, 0, 0, 0, 0, 0, 0, "# " + title, (), 0)
    row = proposals_table([p]).splitlines()[-1]
    assert row.endswith(" " + cut(title, 64)) and cut(title, 64).endswith("…") and len(cut(title, 64)) == 64
    one = Member("0x" + "11" * 20, 1, Kind.State, Tier.Full, "Full", Status.Active, "Kenya", "KEN", 0, 350)
    assert "  1 member   weight" in members_by_tier([one])
    assert "  2 members  weight" in members_by_tier([one, replace(one, name="Peru")])


def test_the_demo_sharing_line_counts_one_as_one():
    from ledger.app.demo_sharing import SharingSummary
    from ledger.app.summary import sharing_line

    assert sharing_line(SharingSummary(1, 1, 1, 1, 0, 0, None)) == \
        "1 offer, 1 request (0 open), 1 grant, 1 confirmed delivery, 0 disputed"
    assert sharing_line(SharingSummary(4, 9, 7, 5, 1, 2, "Alibaba: Partner -> Full")) == \
        ("4 offers, 9 requests (2 open), 7 grants, 5 confirmed deliveries, 1 disputed; "
         "promoted after sharing: Alibaba: Partner -> Full")
