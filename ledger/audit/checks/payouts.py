"""Check "payouts": every fund round re-computed with the formula.

For each executed round (`fund_round`), its payouts (`payout`) must be its members in
member-index order (admissions in chain order, from `member_event`), each paid on its last
need score set before the round (`need_score`), each amount what formula v1
(`ledger.org.formula.allocate`) gives for the round's scores, budget, cap and floor; the
round's paid total and recipients must match, and its `inputsHash` must be that of the
mirrored members and scores.
"""

from __future__ import annotations

from collections import defaultdict

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from ledger.mirror.read import MirrorReader
from ledger.mirror.typed import MEMBER_EVENTS, FundRound, MemberEvent, NeedScore, Payout
from ledger.org.formula import FORMULA_VERSION, allocate

from ..report import CheckResult

NAME = "payouts"
TITLE = "every round re-computed with the formula"
# EquityFund's inputsHash: keccak256(abi.encode(members, scores, budget, capBps, floor))
ROUND_INPUTS = ["address[]", "uint256[]", "uint256", "uint16", "uint256"]


def _position(row) -> tuple[int, int]:
    return row.block_number, row.log_index


def check(mirror: MirrorReader) -> CheckResult:
    result = CheckResult(NAME, TITLE)
    admitted = MEMBER_EVENTS["MemberAdmitted"]
    index: dict[str, int] = {}  # member-index order: admissions in chain order
    for r in mirror.rows(MemberEvent):
        if r.event == admitted:
            index.setdefault(str(r.account).lower(), len(index) + 1)
    rounds = {r.round_id: r for r in mirror.rows(FundRound)}
    payouts: dict[int, list] = defaultdict(list)
    for r in mirror.rows(Payout):
        payouts[r.round_id].append(r)
    scores_set = mirror.rows(NeedScore)
    for rid in sorted(set(payouts) - set(rounds), key=str):
        result.find(f"round {rid}", f"{len(payouts[rid])} payouts of a round that was never executed (forged)")

    for rid, done in sorted(rounds.items(), key=lambda item: str(item[0])):
        subject = f"round {rid}"
        result.count("rounds")
        paid_out = payouts.get(rid, [])
        result.count("payouts", len(paid_out))
        if done.formula_version != FORMULA_VERSION:
            result.find(subject, f"formula version {done.formula_version}: this auditor knows v{FORMULA_VERSION}")
            continue
        members = [str(p.member).lower() for p in paid_out]
        scores = [p.score for p in paid_out]
        latest: dict[str, int] = {}
        for s in scores_set:
            if _position(s) < _position(done):
                latest[str(s.member).lower()] = s.score
        for member, score in zip(members, scores):
            if latest.get(member) != score:
                result.find(f"{subject} {member}", f"paid on score {score}, its last need score before the round "
                                                   f"is {latest.get(member)}")
        if len(set(members)) != len(members):
            result.find(subject, "a member is paid twice")
        if [index.get(m, 0) for m in members] != sorted(index.get(m, 0) for m in members):
            result.find(subject, "payouts are not in member-index order")
        if len(paid_out) != done.recipients:
            result.find(subject, f"{len(paid_out)} payouts, the round reports {done.recipients} recipients")
        try:
            expected = allocate(scores, done.budget, done.cap_bps, done.floor)
        except (ValueError, TypeError) as exc:
            result.find(subject, f"the formula refuses the round's inputs: {exc}")
            continue
        total = sum(scores)
        for p, member, amount in zip(paid_out, members, expected):
            if p.amount != amount:
                result.find(f"{subject} {member}", f"paid {p.amount}, formula v1 gives {amount}")
            if p.total_score != total or p.budget != done.budget:
                result.find(f"{subject} {member}", f"totalScore {p.total_score} / budget {p.budget}, the round's "
                                                   f"are {total} / {done.budget}")
        paid = sum(p.amount for p in paid_out)
        if sum(expected) != done.paid or paid != done.paid:
            result.find(subject, f"the round reports {done.paid} paid; the payouts sum to {paid}, the formula to "
                                 f"{sum(expected)}")
        try:
            inputs = "0x" + keccak(abi_encode(ROUND_INPUTS, [[to_checksum_address(m) for m in members], scores,
                                                             done.budget, done.cap_bps, done.floor])).hex()
        except Exception as exc:  # values no ABI type holds: an altered row (the typed check names it)
            result.find(subject, f"the round's inputs cannot be hashed: {type(exc).__name__}")
            continue
        if inputs != str(done.inputs_hash).lower():
            result.find(subject, f"inputsHash {done.inputs_hash} is not that of the mirrored payouts ({inputs})")
    return result
