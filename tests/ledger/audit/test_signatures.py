"""The signature check: the ballot or sender behind every mirrored vote — a contract wallet's
ballot verified through ERC-1271, and each way a mirrored vote can lack the ballot it claims."""

import shutil
import sqlite3

import pytest

from ledger.audit.run import audit
from ledger.mirror.typed import MEMBER_EVENTS


@pytest.fixture
def mirror(audit_chain, tmp_path):
    copy = tmp_path / "mirror.db"
    shutil.copyfile(audit_chain.mirror, copy)
    return copy


def vote_of(db, voter: str) -> dict:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM vote WHERE voter = ?", (voter.lower(),)).fetchone())


def update_vote(db, row: dict, **values) -> None:
    sets = ", ".join(f"{k} = ?" for k in values)
    with sqlite3.connect(db) as conn:
        assert conn.execute(f"UPDATE vote SET {sets} WHERE block_hash = ? AND log_index = ?",
                            (*values.values(), row["block_hash"], row["log_index"])).rowcount == 1


def findings(report, check: str) -> list[str]:
    return [f"{f.subject}: {f.detail}" for f in report.check(check).findings]


def test_wallet_ballot_verified_by_erc1271_and_the_chain_audits_clean(audit_chain, mirror):
    report = audit(audit_chain.w3, audit_chain.manifest, mirror)

    assert report.ok, report.findings
    assert report.check("signatures").checked == {"ballots re-verified (ecdsa)": 1, "ballots re-verified (erc1271)": 1,
                                                   "direct votes (sender is the voter)": 1}
    rows = report.check("typed").checked["rows"]
    with sqlite3.connect(mirror) as conn:
        tables = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("declaration_event", "ballot_skipped", "claim", "payout")}
    assert tables["declaration_event"] == 7 and tables["ballot_skipped"] == 1 and tables["claim"] == 1
    assert rows > sum(tables.values())
    assert report.check("fund").checked["deferred payouts"] == 1 and report.check("fund").checked["claims"] == 1


def test_vote_behind_a_ballot_signed_by_another_key_is_caught(audit_chain, mirror):
    # the skipped ballot's log made into a counted vote: its ballot is in the transaction,
    # but not signed by the voter
    voter = audit_chain.members["skipped"]
    with sqlite3.connect(mirror) as conn:
        skipped = conn.execute("SELECT chain_id, block_number, block_hash, tx_hash, log_index, address, proposal_id "
                               "FROM ballot_skipped").fetchone()
        conn.execute("INSERT INTO vote (chain_id, block_number, block_hash, tx_hash, log_index, address, proposal_id, "
                     "voter, support, weight, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, '650', '')",
                     (*skipped, voter.lower()))

    report = audit(audit_chain.w3, audit_chain.manifest, mirror)

    where = f"block {skipped[1]} log {skipped[4]}"
    assert any(f.startswith(f"{where}: {voter.lower()} on proposal ") and f.endswith("its signature is not the voter's")
               for f in findings(report, "signatures")), findings(report, "signatures")
    assert f"{where}: vote: in the mirror but not on the chain" in "\n".join(findings(report, "typed"))


def test_vote_whose_signed_ballot_says_otherwise_is_caught(audit_chain, mirror):
    for role in ("ecdsa", "wallet"):
        update_vote(mirror, vote_of(mirror, audit_chain.members[role]), support=2)

    report = audit(audit_chain.w3, audit_chain.manifest, mirror)

    signatures = findings(report, "signatures")
    assert len(signatures) == 2
    assert all("the signed ballot says support" in f and "the vote support 2" in f for f in signatures)
    assert len([f for f in findings(report, "typed") if "vote.support" in f]) == 2


def test_vote_with_no_ballot_in_its_transaction_is_caught(audit_chain, mirror):
    relayed = vote_of(mirror, audit_chain.members["ecdsa"])
    stranger = audit_chain.members["direct"].lower()  # voted, but not in that transaction
    update_vote(mirror, relayed, voter=stranger)

    report = audit(audit_chain.w3, audit_chain.manifest, mirror)

    assert any(f"{stranger}'s vote on proposal " in f and f"is not among the ballots of tx {relayed['tx_hash']}" in f
               for f in findings(report, "signatures")), findings(report, "signatures")


def test_direct_vote_sent_by_someone_else_is_caught(audit_chain, mirror):
    direct = vote_of(mirror, audit_chain.members["direct"])
    other = audit_chain.members["ecdsa"].lower()
    update_vote(mirror, direct, voter=other)

    report = audit(audit_chain.w3, audit_chain.manifest, mirror)

    assert f"block {direct['block_number']} log {direct['log_index']}: a direct vote for {other} sent by " \
           f"{direct['voter']}" in findings(report, "signatures")


def test_admission_kinds_come_from_the_typed_table(audit_chain, mirror):
    # the wallet, a state, recorded as a corporate member: the states' head count no longer matches
    with sqlite3.connect(mirror) as conn:
        assert conn.execute("UPDATE member_event SET kind = 'Corporate' WHERE account = ? AND event = ?",
                            (audit_chain.members["wallet"].lower(), MEMBER_EVENTS["MemberAdmitted"])).rowcount == 1

    report = audit(audit_chain.w3, audit_chain.manifest, mirror)

    assert any("states (for, against) re-counted (1, 0) but the governor has (1, 1)" in f
               for f in findings(report, "tallies")), findings(report, "tallies")
    assert any("member_event.kind" in f for f in findings(report, "typed"))
