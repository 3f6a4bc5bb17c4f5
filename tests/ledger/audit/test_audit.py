"""The audit finds what was done to a mirror, and passes a clean one."""

import json
import sqlite3

from eth_abi import encode as abi_encode

from ledger.audit import audit
from ledger.governance import Action, Track, propose
from ledger.chain import Signer, mine
from ledger.anvil import dev_private_key
from ledger import keys
from ledger.demo import DEMO_PASSWORD
from ledger.mirror import sync


def canonical(args: dict) -> str:
    return json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def rows(db, event: str) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM raw_event WHERE event = ? ORDER BY block_number, log_index",
                            (event,)).fetchall()


def execute(db, sql: str, params: tuple) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute(sql, params).rowcount == 1


def where(row) -> str:
    return f"block {row['block_number']} log {row['log_index']}"


def findings(report, check: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in report.check(check).findings:
        out.setdefault(f.subject, []).append(f.detail)
    return out


def with_word(data: str, index: int, value: int) -> str:
    """ABI data with its `index`-th head word replaced."""
    raw = bytearray(bytes.fromhex(data[2:]))
    raw[32 * index:32 * index + 32] = value.to_bytes(32, "big")
    return "0x" + raw.hex()


def test_clean_mirror_audits_clean(demo_chain, mirror_copy):
    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    assert report.ok, report.findings
    assert report.check("mirror").checked["logs on chain"] == report.events > 300
    assert report.check("tallies").checked["proposals"] == 4
    assert report.check("tallies").checked["outcomes"] == 4
    assert report.check("signatures").checked["ballots re-verified (ecdsa)"] == report.check("tallies").checked["votes"]
    assert report.check("payouts").checked["rounds"] == 1
    assert report.check("payouts").checked["payouts"] > 20


def test_vote_weight_altered_in_args_is_caught_by_redecoding_and_recount(demo_chain, mirror_copy):
    vote = rows(mirror_copy, "VoteCast")[0]
    args = json.loads(vote["args"])
    args["weight"] = str(int(args["weight"]) + 1000)
    execute(mirror_copy, "UPDATE raw_event SET args = ? WHERE id = ?", (canonical(args), vote["id"]))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    assert "are not its topics and data decoded" in findings(report, "mirror")[where(vote)][0]
    assert "getPastVotes at the snapshot" in findings(report, "tallies")[where(vote)][0]
    tally = [d for s, ds in findings(report, "tallies").items() if s.startswith("proposal") for d in ds]
    assert any("tally (against, for, abstain) re-counted" in d for d in tally)
    assert not report.ok


def test_vote_weight_altered_in_data_and_args_differs_from_the_chain(demo_chain, mirror_copy):
    vote = rows(mirror_copy, "VoteCast")[3]
    args = json.loads(vote["args"])
    args["weight"] = str(2 * int(args["weight"]))
    execute(mirror_copy, "UPDATE raw_event SET args = ?, data = ? WHERE id = ?",
            (canonical(args), with_word(vote["data"], 2, int(args["weight"])), vote["id"]))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    mirror = findings(report, "mirror")
    assert mirror[where(vote)] == ["WaicoGovernor.VoteCast differs from the chain in data"]
    assert where(vote) in findings(report, "tallies")


def test_deleted_vote_is_missing(demo_chain, mirror_copy):
    vote = rows(mirror_copy, "VoteCast")[10]
    execute(mirror_copy, "DELETE FROM raw_event WHERE id = ?", (vote["id"],))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    assert findings(report, "mirror")[where(vote)][0].startswith("missing from the mirror: WaicoGovernor.VoteCast")
    assert any("re-counted" in d for ds in findings(report, "tallies").values() for d in ds)


def test_payout_amount_altered_in_data_and_args_is_caught_by_the_formula(demo_chain, mirror_copy):
    payout = rows(mirror_copy, "Payout")[0]
    args = json.loads(payout["args"])
    forged = int(args["amount"]) + 10**6
    args["amount"] = str(forged)
    execute(mirror_copy, "UPDATE raw_event SET args = ?, data = ? WHERE id = ?",
            (canonical(args), with_word(payout["data"], 3, forged), payout["id"]))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    assert findings(report, "mirror")[where(payout)] == ["EquityFund.Payout differs from the chain in data"]
    paid = findings(report, "payouts")
    assert paid[f"round 1 {args['member']}"] == [f"paid {forged}, formula v1 gives {forged - 10**6}"]
    assert "the payouts sum to" in paid["round 1"][0]
    assert findings(report, "fund")["fund"][0].startswith("the fund holds")


def test_forged_payout_row_is_caught(demo_chain, mirror_copy):
    last = rows(mirror_copy, "Payout")[-1]
    stranger = "0x" + "ab" * 20
    args = dict(json.loads(last["args"]), member=stranger, amount="1000000")
    topics = json.loads(last["topics"])
    topics[2] = "0x" + "00" * 12 + "ab" * 20
    with sqlite3.connect(mirror_copy) as conn:
        conn.execute(
            "INSERT INTO raw_event (chain_id, block_number, block_hash, tx_hash, tx_index, log_index, address, "
            "contract, event, topics, data, args) VALUES (?, ?, ?, ?, ?, 999, ?, ?, ?, ?, ?, ?)",
            (last["chain_id"], last["block_number"], last["block_hash"], last["tx_hash"], last["tx_index"],
             last["address"], "EquityFund", "Payout", json.dumps(topics, separators=(",", ":")),
             with_word(last["data"], 3, 1_000_000), canonical(args)))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    forged_at = f"block {last['block_number']} log 999"
    assert findings(report, "mirror")[forged_at] == ["in the mirror but not on the chain: EquityFund.Payout (forged)"]
    round_1 = findings(report, "payouts")["round 1"]
    assert any("payouts, the round reports" in d for d in round_1)
    assert any("inputsHash" in d for d in round_1)
    assert f"round 1 {stranger}" in findings(report, "payouts")  # never given a need score


def test_deleted_contribution_breaks_the_fund_balance(demo_chain, mirror_copy):
    contribution = rows(mirror_copy, "Contributed")[0]
    execute(mirror_copy, "DELETE FROM raw_event WHERE id = ?", (contribution["id"],))

    report = audit(demo_chain.w3, demo_chain.manifest, mirror_copy)

    assert findings(report, "mirror")[where(contribution)][0].startswith("missing from the mirror: EquityFund.Contributed")
    amount = int(json.loads(contribution["args"])["amount"])
    assert findings(report, "fund")["fund"][0].endswith(f"off by {amount})")


def test_direct_vote_is_verified_by_its_sender(demo_chain, mirror_copy):
    """Runs last in this module: it moves the chain on (a new proposal and a direct vote)."""
    w3, manifest = demo_chain.w3, demo_chain.manifest
    governor = manifest.contract(w3, "WaicoGovernor")
    secretariat = Signer(w3, dev_private_key(0), manifest.error_decoder())
    pid = propose(secretariat, governor, Track.Constitutional,
                  [Action(secretariat.address, 0, b"")],  # never executed: only voted on
                  "# A signal vote\n\nVoted on directly, for the audit's tests.")
    mine(w3, 2)
    voter = keys.find_key(demo_chain.workdir / "keys", "CHN")
    member = Signer(w3, keys.unlock(voter, DEMO_PASSWORD), manifest.error_decoder())
    member.send(governor.functions.castVoteWithReason(pid, 1, "direct"), "voting directly")
    sync(w3, manifest, str(mirror_copy))

    report = audit(w3, manifest, mirror_copy)

    assert report.ok, report.findings
    assert report.check("signatures").checked["direct votes (sender is the voter)"] == 1
    assert report.check("tallies").checked["proposals"] == 5
