"""The audit: the mirror against the chain, and what the chain did against its own rules.

`audit(w3, manifest, db_url)` reads the mirror once and runs five checks, each a small
function that returns what it checked and what it found:

- mirror = chain: every mirrored log against a fresh `eth_getLogs` (position, address,
  topics, data), and every row's stored `args` against its topics and data decoded again;
- tallies: every proposal's votes re-counted from the mirrored `VoteCast`s against
  `proposalVotes`/`proposalStateVotes`, each weight against `getPastVotes` at the snapshot,
  and each closed proposal's outcome against its track's rules;
- signatures: the transaction behind every vote, decoded: a relayed ballot's EIP-712
  signature verified again (ERC-1271 for contract wallets), a direct vote's sender;
- payouts: every round re-computed with formula v1 (`ledger.formula.allocate`) from its
  members' need scores, and its `inputsHash` recomputed;
- fund balance: the fund's token balance and `totalClaimable` against the sums of its events.

Chain reads are made at the mirror's last block, so a chain that moved on since the last
sync does not look like a mismatch. Reads are batched JSON-RPC; transactions are fetched
once each.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from eth_abi import decode as abi_decode, encode as abi_encode
from eth_utils import keccak, to_checksum_address
from sqlalchemy import create_engine, text
from web3 import Web3

from .ballots import Ballot, SignedBallot, Support, check_signature, expand_signature, unpack_batch
from .errors import AuditFailed, BallotInvalid
from .formula import FORMULA_VERSION, allocate
from .manifest import Manifest
from .mirror.decode import Decoder, canonical_type
from .mirror.fetch import RangeRefused, Rpc, raw_web3
from .mirror.store import contracts_key, database_url

GOVERNOR, MEMBERSHIP, FUND = "WaicoGovernor", "Membership", "EquityFund"
CLOSED_PASSED = {"Succeeded", "Queued", "Executed", "Expired"}
STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"]
STATE_KIND = 0  # Membership.Kind.State
LOG_SPAN = 10_000  # blocks per eth_getLogs (halved when the node refuses)


# --- the report ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One mismatch: which check, about what (a log position, a proposal, a round...), and how."""

    check: str
    subject: str
    detail: str

    def to_json(self) -> dict:
        return {"check": self.check, "subject": self.subject, "detail": self.detail}


@dataclass
class CheckResult:
    name: str
    title: str
    checked: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        self.checked[what] = self.checked.get(what, 0) + n

    def find(self, subject: str, detail: str) -> None:
        self.findings.append(Finding(self.name, subject, detail))

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict:
        return {"name": self.name, "title": self.title, "ok": self.ok, "checked": self.checked,
                "findings": [f.to_json() for f in self.findings]}


@dataclass
class AuditReport:
    chain_id: int
    first_block: int
    last_block: int
    events: int
    checks: list[CheckResult]
    seconds: float = 0.0

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.findings]

    @property
    def ok(self) -> bool:
        return not self.findings

    def check(self, name: str) -> CheckResult:
        return next(c for c in self.checks if c.name == name)

    def to_json(self) -> dict:
        return {"ok": self.ok, "chainId": self.chain_id, "blocks": [self.first_block, self.last_block],
                "events": self.events, "seconds": round(self.seconds, 2),
                "checks": [c.to_json() for c in self.checks]}


# --- the mirror, as read ---------------------------------------------------------------------

@dataclass(slots=True)
class Row:
    """One mirrored log, with its stored arguments parsed (None when absent or unparsable)."""

    block_number: int
    log_index: int
    block_hash: str
    tx_hash: str
    tx_index: int
    address: str
    contract: str | None
    event: str | None
    topics: str
    data: str
    args_json: str | None
    args: dict | None

    @property
    def position(self) -> tuple[int, int]:
        return self.block_number, self.log_index

    @property
    def where(self) -> str:
        return f"block {self.block_number} log {self.log_index}"

    def uint(self, name: str) -> int:
        return int(self.args[name])


@dataclass
class MirrorView:
    chain_id: int
    first_block: int
    last_block: int
    last_hash: str
    rows: list[Row]

    def events(self, contract: str, event: str) -> list[Row]:
        return [r for r in self.rows if r.contract == contract and r.event == event and r.args is not None]


def read_mirror(db_url: str, manifest: Manifest, decoder: Decoder) -> MirrorView:
    """The mirror's rows of this deployment up to its cursor, in chain order."""
    url = database_url(db_url)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise AuditFailed(f"no mirror at {url.removeprefix('sqlite:///')}: run `waico index` first")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            cursor = conn.execute(text(
                "SELECT last_block, last_hash FROM mirror_cursor WHERE chain_id = :c AND contracts = :k"),
                {"c": manifest.chain_id, "k": contracts_key(decoder.addresses)}).first()
            if cursor is None:
                raise AuditFailed(f"the mirror at {url} has no cursor for this deployment on chain "
                                  f"{manifest.chain_id}: it was never synced")
            addresses = set(decoder.addresses)
            result = conn.execute(text(
                "SELECT block_number, log_index, block_hash, tx_hash, tx_index, address, contract, event, "
                "topics, data, args FROM raw_event WHERE chain_id = :c AND block_number <= :last "
                "ORDER BY block_number, log_index"), {"c": manifest.chain_id, "last": cursor[0]})
            rows = []
            for r in result:
                if r[5].lower() not in addresses:
                    continue  # another contract set sharing the database
                try:
                    args = json.loads(r[10]) if r[10] is not None else None
                except (TypeError, ValueError):
                    args = None
                rows.append(Row(*r, args if isinstance(args, dict) else None))
    except AuditFailed:
        raise
    except Exception as exc:  # a missing table, an unreachable server
        raise AuditFailed(f"cannot read the mirror at {url}: {type(exc).__name__}: {str(exc)[:200]}") from None
    finally:
        engine.dispose()
    first = min(c.block for c in manifest.contracts.values())
    return MirrorView(manifest.chain_id, first, cursor[0], cursor[1], rows)


# --- chain reads -----------------------------------------------------------------------------

class Reader:
    """Batched `eth_call`s of manifest contracts' views at one block, and cached transactions."""

    def __init__(self, w3: Web3, manifest: Manifest, block: int):
        self.w3 = w3
        self.rpc = Rpc(raw_web3(w3))
        self.manifest = manifest
        self.block = hex(block)
        self._functions: dict[tuple[str, str], tuple] = {}
        self._txs: dict[str, dict | None] = {}

    def _encode(self, contract: str, fn: str, args: list) -> tuple[dict, list[str]]:
        key = (contract, fn)
        if key not in self._functions:  # by hand: web3's contract objects cost ~50 ms each here
            deployed = self.manifest.contracts[contract]
            item = next(i for i in deployed.abi if i.get("type") == "function" and i["name"] == fn)
            inputs = [canonical_type(i) for i in item["inputs"]]
            selector = keccak(text=f"{fn}({','.join(inputs)})")[:4].hex()
            self._functions[key] = (deployed.address, selector, inputs, [canonical_type(o) for o in item["outputs"]])
        address, selector, inputs, outputs = self._functions[key]
        return {"to": address, "data": "0x" + selector + abi_encode(inputs, args).hex()}, outputs

    def calls(self, requests: list[tuple[str, str, list]]) -> list[tuple | None]:
        """Each (contract, function, args) called at the block; None for a call that reverted."""
        encoded = [self._encode(*r) for r in requests]
        results = self.rpc.batch([("eth_call", [tx, self.block]) for tx, _ in encoded], tolerant=True)
        out: list[tuple | None] = []
        for (_, types), raw in zip(encoded, results):
            try:
                out.append(tuple(abi_decode(types, bytes.fromhex(raw[2:]))) if raw is not None else None)
            except Exception:
                out.append(None)
        return out

    def call(self, contract: str, fn: str, *args) -> tuple | None:
        return self.calls([(contract, fn, list(args))])[0]

    def transactions(self, hashes: Iterable[str]) -> dict[str, dict | None]:
        wanted = sorted({h for h in hashes if h not in self._txs})
        if wanted:
            found = self.rpc.batch([("eth_getTransactionByHash", [h]) for h in wanted], tolerant=True)
            self._txs.update(zip(wanted, found))
        return self._txs

    def logs(self, addresses: list[str], first: int, last: int) -> list[dict]:
        out: list[dict] = []
        start, span = first, LOG_SPAN
        while start <= last:
            end = min(last, start + span - 1)
            try:
                out.extend(self.rpc.call("eth_getLogs", [{"fromBlock": hex(start), "toBlock": hex(end),
                                                          "address": addresses}]))
            except RangeRefused:
                if span == 1:
                    raise
                span = max(1, span // 2)
                continue
            start = end + 1
        return out


# --- check: mirror = chain -------------------------------------------------------------------

def _topics_text(topics: list[str]) -> str:
    return '["' + '","'.join(topics) + '"]' if topics else "[]"


def check_mirror(view: MirrorView, reader: Reader, decoder: Decoder) -> CheckResult:
    result = CheckResult("mirror", "mirror = chain (every log, and every row's decoded args)")
    head = reader.rpc.call("eth_getBlockByNumber", [hex(view.last_block), False])
    if head is None or head["hash"].lower() != view.last_hash.lower():
        result.find(f"block {view.last_block}", "the mirror's last block is no longer on the chain (a reorg): sync again")
    logs = reader.logs(decoder.addresses, view.first_block, view.last_block)
    result.count("blocks", view.last_block - view.first_block + 1)
    result.count("logs on chain", len(logs))
    result.count("rows in mirror", len(view.rows))

    mirrored: dict[tuple[int, int], Row] = {}
    for row in view.rows:
        if row.position in mirrored:
            result.find(row.where, f"a second row at this position ({row.contract}.{row.event}): forged")
        mirrored.setdefault(row.position, row)
    on_chain: set[tuple[int, int]] = set()
    for log in logs:
        pos = (int(log["blockNumber"], 16), int(log["logIndex"], 16))
        on_chain.add(pos)
        where = f"block {pos[0]} log {pos[1]}"
        row = mirrored.get(pos)
        expected = decoder.decode(log)
        if row is None:
            result.find(where, f"missing from the mirror: {expected.contract}.{expected.event} in tx {log['transactionHash']}")
            continue
        differ = [name for name, mine, theirs in (
            ("block hash", row.block_hash, log["blockHash"]), ("tx hash", row.tx_hash, log["transactionHash"]),
            ("tx index", row.tx_index, int(log["transactionIndex"], 16)), ("address", row.address, log["address"]),
            ("topics", row.topics, _topics_text(log["topics"])), ("data", row.data, log["data"]),
            ("event", row.event, expected.event), ("contract", row.contract, expected.contract),
        ) if (mine.lower() if isinstance(mine, str) else mine) != (theirs.lower() if isinstance(theirs, str) else theirs)]
        if differ:
            result.find(where, f"{expected.contract}.{expected.event} differs from the chain in {', '.join(differ)}")
    for pos, row in mirrored.items():
        if pos not in on_chain:
            result.find(row.where, f"in the mirror but not on the chain: {row.contract}.{row.event} (forged)")

    decoded = 0
    for row in view.rows:
        try:
            log = {"address": row.address, "topics": json.loads(row.topics), "data": row.data,
                   "blockNumber": hex(row.block_number), "blockHash": row.block_hash, "transactionHash": row.tx_hash,
                   "transactionIndex": hex(row.tx_index), "logIndex": hex(row.log_index)}
            again = decoder.decode(log)
        except (TypeError, ValueError, KeyError) as exc:
            result.find(row.where, f"a row whose topics or data cannot be read: {exc}")
            continue
        decoded += 1
        if again.args_json != row.args_json:
            result.find(row.where, f"{row.contract}.{row.event}: stored args {_short(row.args_json)} "
                                   f"are not its topics and data decoded ({_short(again.args_json)})")
    result.count("rows re-decoded", decoded)
    return result


def _short(text_: str | None, limit: int = 160) -> str:
    if text_ is None:
        return "null"
    return text_ if len(text_) <= limit else text_[:limit] + "…"


# --- check: tallies --------------------------------------------------------------------------

@dataclass
class Vote:
    row: Row
    proposal_id: int
    voter: str
    support: int
    weight: int
    reason: str


def _votes(view: MirrorView) -> list[Vote]:
    out = []
    for r in view.events(GOVERNOR, "VoteCast"):
        try:
            out.append(Vote(r, r.uint("proposalId"), r.args["voter"].lower(), r.uint("support"), r.uint("weight"),
                            r.args.get("reason", "")))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # unreadable args: the mirror check reports the row
    return out


def check_tallies(view: MirrorView, reader: Reader) -> CheckResult:
    result = CheckResult("tallies", "tallies re-counted from mirrored votes")
    proposals: dict[int, Row] = {}
    for r in view.events(GOVERNOR, "ProposalCreated"):
        proposals[r.uint("proposalId")] = r
    kinds = {r.args["account"].lower(): int(r.args["kind"]) for r in view.events(MEMBERSHIP, "MemberAdmitted")}
    votes = _votes(view)
    by_proposal: dict[int, list[Vote]] = defaultdict(list)
    for v in votes:
        by_proposal[v.proposal_id].append(v)
    for pid in by_proposal:
        if pid not in proposals:
            result.find(_pid(pid), f"{len(by_proposal[pid])} votes for a proposal the mirror never saw created")

    ids = sorted(proposals)
    fns = ["proposalVotes", "proposalStateVotes", "proposalSnapshot", "proposalQuorum", "proposalParams", "state"]
    answers = reader.calls([(GOVERNOR, fn, [pid]) for pid in ids for fn in fns])
    on_chain = {pid: dict(zip(fns, answers[i * len(fns):(i + 1) * len(fns)])) for i, pid in enumerate(ids)}

    # each vote's weight against the voter's weight at the proposal's snapshot
    wanted = sorted({(v.voter, on_chain[v.proposal_id]["proposalSnapshot"][0]) for v in votes
                     if v.proposal_id in on_chain and on_chain[v.proposal_id]["proposalSnapshot"]})
    past = dict(zip(wanted, reader.calls([(MEMBERSHIP, "getPastVotes", [to_checksum_address(a), s])
                                           for a, s in wanted])))
    for v in votes:
        snap = on_chain.get(v.proposal_id, {}).get("proposalSnapshot")
        if not snap:
            continue
        chain_weight = past.get((v.voter, snap[0]))
        result.count("weights")
        if chain_weight is None or chain_weight[0] != v.weight:
            result.find(v.row.where, f"{v.voter} voted on {_pid(v.proposal_id)} with weight {v.weight}, "
                                     f"getPastVotes at the snapshot is {chain_weight[0] if chain_weight else 'unreadable'}")

    for pid in ids:
        chain = on_chain[pid]
        subject = _pid(pid)
        result.count("proposals")
        tally = [0, 0, 0]  # against, for, abstain
        states_for = states_against = 0
        seen: set[str] = set()
        for v in by_proposal.get(pid, ()):
            result.count("votes")
            if v.voter in seen:
                result.find(subject, f"{v.voter} is counted twice (again at {v.row.where})")
            seen.add(v.voter)
            if v.support not in (0, 1, 2):
                result.find(v.row.where, f"support {v.support} is not against, for or abstain")
                continue
            tally[v.support] += v.weight
            if kinds.get(v.voter) == STATE_KIND:
                states_for += v.support == 1
                states_against += v.support == 0
            elif v.voter not in kinds:
                result.find(v.row.where, f"{v.voter} voted but was never admitted")
        if chain["proposalVotes"] is None or chain["proposalStateVotes"] is None:
            result.find(subject, "the governor does not answer for this proposal")
            continue
        if list(chain["proposalVotes"]) != tally:
            result.find(subject, "tally (against, for, abstain) re-counted {} but the governor has {}".format(
                tuple(tally), tuple(chain["proposalVotes"])))
        if list(chain["proposalStateVotes"]) != [states_for, states_against]:
            result.find(subject, "states (for, against) re-counted {} but the governor has {}".format(
                (states_for, states_against), tuple(chain["proposalStateVotes"])))
        state = STATES[chain["state"][0]] if chain["state"] and chain["state"][0] < len(STATES) else None
        if state in CLOSED_PASSED | {"Defeated"} and chain["proposalQuorum"] and chain["proposalParams"]:
            result.count("outcomes")
            track, _, pass_bps, _ = chain["proposalParams"]
            against, for_, abstain = tally
            passes = (for_ + abstain >= chain["proposalQuorum"][0]
                      and for_ > against and for_ * 10_000 >= pass_bps * (for_ + against)
                      and (track != 2 or states_for > states_against))
            if passes != (state in CLOSED_PASSED):
                result.find(subject, f"the governor says {state}, but the re-counted votes "
                                     f"{'pass' if passes else 'fail'} track {track}'s rules")
    return result


def _pid(pid: int) -> str:
    text_ = str(pid)
    return f"proposal {text_[:10]}…" if len(text_) > 12 else f"proposal {text_}"


# --- check: signatures -----------------------------------------------------------------------

def _selectors(abi: list) -> dict[bytes, tuple[str, list[str]]]:
    out = {}
    for item in abi:
        if item.get("type") == "function":
            types = [canonical_type(i) for i in item["inputs"]]
            out[keccak(text=f"{item['name']}({','.join(types)})")[:4]] = (item["name"], types)
    return out


def _relayed(packed: bytes) -> list[tuple]:
    """The ballots of a packed batch (none if it does not parse: each vote is then a finding)."""
    try:
        return unpack_batch(packed)
    except BallotInvalid:
        return []


def check_signatures(view: MirrorView, reader: Reader, w3: Web3, manifest: Manifest) -> CheckResult:
    result = CheckResult("signatures", "every vote's ballot signature or sender")
    governor = manifest.contracts[GOVERNOR].address
    selectors = _selectors(manifest.contracts[GOVERNOR].abi)
    votes = _votes(view)
    txs = reader.transactions(v.row.tx_hash for v in votes)
    calls: dict[str, tuple[str, tuple] | None] = {}
    for h, tx in txs.items():
        calls[h] = None
        if tx is None or (tx.get("to") or "").lower() != governor.lower():
            continue
        data = bytes.fromhex(tx["input"][2:])
        known = selectors.get(data[:4])
        if known:
            try:
                calls[h] = (known[0], abi_decode(known[1], data[4:]))
            except Exception:
                pass
    checked: dict[tuple, str] = {}
    for v in votes:
        tx = txs.get(v.row.tx_hash)
        where = v.row.where
        if tx is None:
            result.find(where, f"the vote's transaction {v.row.tx_hash} is not on the chain")
            continue
        call = calls.get(v.row.tx_hash)
        if call is None:
            result.count("not re-verified (the governor was called by a contract)")
            continue
        name, args = call
        if name in ("castMemberBallots", "castMemberBallot"):
            candidates = _relayed(bytes(args[0])) if name == "castMemberBallots" else [tuple(args)]
            mine = [b for b in candidates if b[0] == v.proposal_id and b[2].lower() == v.voter]
            if not mine:
                result.find(where, f"{v.voter}'s vote on {_pid(v.proposal_id)} is not among the ballots of tx {v.row.tx_hash}")
                continue
            problems = []
            for pid, support, voter, reason, signature in mine:
                signed = SignedBallot(Ballot(manifest.chain_id, governor, pid, Support(support) if support in (0, 1, 2)
                                             else support, to_checksum_address(voter), reason),
                                      expand_signature(bytes(signature)))
                key = (pid, support, voter.lower(), reason, bytes(signature))
                if key not in checked:
                    try:
                        checked[key] = check_signature(signed, w3)
                    except BallotInvalid:
                        checked[key] = "invalid"
                if checked[key] == "invalid":
                    problems.append("its signature is not the voter's")
                elif support != v.support or reason != v.reason:
                    problems.append(f"the signed ballot says support {support} reason {reason!r}, the event "
                                    f"support {v.support} reason {v.reason!r}")
                else:
                    result.count(f"ballots re-verified ({checked[key]})")
                    break
            else:
                result.find(where, f"{v.voter} on {_pid(v.proposal_id)}: " + "; ".join(problems))
        elif name in ("castVote", "castVoteWithReason", "castVoteWithReasonAndParams"):
            pid, support = args[0], args[1]
            reason = args[2] if len(args) > 2 else ""
            sender = (tx.get("from") or "").lower()
            if sender != v.voter:
                result.find(where, f"a direct vote for {v.voter} sent by {sender}")
            elif (pid, support, reason) != (v.proposal_id, v.support, v.reason):
                result.find(where, f"the transaction votes {(pid, support, reason)}, the event says "
                                   f"{(v.proposal_id, v.support, v.reason)}")
            else:
                result.count("direct votes (sender is the voter)")
        elif name.endswith("BySig"):
            result.count("not re-verified (OpenZeppelin castVoteBySig)")
        else:
            result.find(where, f"a vote in a call to {name}, which casts no vote")
    return result


# --- check: payouts --------------------------------------------------------------------------

ROUND_INPUTS = ["address[]", "uint256[]", "uint256", "uint16", "uint256"]


def check_payouts(view: MirrorView) -> CheckResult:
    result = CheckResult("payouts", "every round re-computed with the formula")
    index = {}  # member-index order: admissions in chain order
    for r in view.events(MEMBERSHIP, "MemberAdmitted"):
        index.setdefault(r.args["account"].lower(), len(index) + 1)
    rounds = {r.uint("roundId"): r for r in view.events(FUND, "RoundExecuted")}
    payouts: dict[int, list[Row]] = defaultdict(list)
    for r in view.events(FUND, "Payout"):
        payouts[r.uint("roundId")].append(r)
    scores_set = view.events(FUND, "NeedScoreSet")
    for rid in sorted(set(payouts) - set(rounds)):
        result.find(f"round {rid}", f"{len(payouts[rid])} payouts of a round that was never executed (forged)")

    for rid, done in sorted(rounds.items()):
        subject = f"round {rid}"
        result.count("rounds")
        paid_out = payouts.get(rid, [])
        result.count("payouts", len(paid_out))
        budget, cap_bps, floor = done.uint("budget"), done.uint("capBps"), done.uint("floor")
        if done.uint("formulaVersion") != FORMULA_VERSION:
            result.find(subject, f"formula version {done.uint('formulaVersion')}: this auditor knows v{FORMULA_VERSION}")
            continue
        members = [p.args["member"].lower() for p in paid_out]
        scores = [p.uint("score") for p in paid_out]
        latest: dict[str, int] = {}
        for s in scores_set:
            if s.position < done.position:
                latest[s.args["member"].lower()] = s.uint("score")
        for p, member, score in zip(paid_out, members, scores):
            if latest.get(member) != score:
                result.find(f"{subject} {member}", f"paid on score {score}, its last NeedScoreSet before the "
                                                   f"round is {latest.get(member)}")
        if len(set(members)) != len(members):
            result.find(subject, "a member is paid twice")
        if [index.get(m, 0) for m in members] != sorted(index.get(m, 0) for m in members):
            result.find(subject, "payouts are not in member-index order")
        if len(paid_out) != done.uint("recipients"):
            result.find(subject, f"{len(paid_out)} payouts, the round reports {done.uint('recipients')} recipients")
        try:
            expected = allocate(scores, budget, cap_bps, floor)
        except ValueError as exc:
            result.find(subject, f"the formula refuses the round's inputs: {exc}")
            continue
        total = sum(scores)
        for p, member, amount in zip(paid_out, members, expected):
            if p.uint("amount") != amount:
                result.find(f"{subject} {member}", f"paid {p.uint('amount')}, formula v1 gives {amount}")
            if p.uint("totalScore") != total or p.uint("budget") != budget:
                result.find(f"{subject} {member}", f"totalScore {p.uint('totalScore')} / budget {p.uint('budget')}, "
                                                   f"the round's are {total} / {budget}")
        if sum(expected) != done.uint("paid") or sum(p.uint("amount") for p in paid_out) != done.uint("paid"):
            result.find(subject, f"the round reports {done.uint('paid')} paid; the payouts sum to "
                                 f"{sum(p.uint('amount') for p in paid_out)}, the formula to {sum(expected)}")
        inputs = "0x" + keccak(abi_encode(ROUND_INPUTS, [[to_checksum_address(m) for m in members], scores,
                                                         budget, cap_bps, floor])).hex()
        if inputs != done.args["inputsHash"].lower():
            result.find(subject, f"inputsHash {done.args['inputsHash']} is not that of the mirrored payouts ({inputs})")
    return result


# --- check: fund balance ---------------------------------------------------------------------

def check_fund(view: MirrorView, reader: Reader) -> CheckResult:
    result = CheckResult("fund", "fund balance = contributions − payouts − claims")

    def total(event: str, amount: str = "amount", keep: Callable[[Row], bool] = lambda r: True) -> int:
        rows = [r for r in view.events(FUND, event) if keep(r)]
        result.count(f"{event} events" if event != "Payout" else "pushed Payout events", len(rows))
        return sum(r.uint(amount) for r in rows)

    contributed = total("Contributed")
    pushed = total("Payout", keep=lambda r: bool(r.args.get("pushed")))
    deferred = total("PayoutDeferred")
    claimed = total("Claimed")
    fund = reader.manifest.contracts[FUND].address
    token = reader.call(FUND, "token")
    claimable = reader.call(FUND, "totalClaimable")
    if token is None:
        result.find("fund", "the fund does not answer token()")
        return result
    erc20 = reader.rpc.call("eth_call", [{"to": token[0], "data": "0x70a08231" + "00" * 12 + fund[2:].lower()},
                                          reader.block])
    balance = int(erc20, 16)
    expected = contributed - pushed - claimed
    if balance != expected:
        result.find("fund", f"the fund holds {balance}, its events account for {expected} "
                            f"({contributed} contributed − {pushed} pushed − {claimed} claimed; off by {balance - expected})")
    if claimable is None or claimable[0] != deferred - claimed:
        result.find("claimable", f"totalClaimable is {claimable[0] if claimable else 'unreadable'}, its events "
                                 f"account for {deferred - claimed} ({deferred} deferred − {claimed} claimed)")
    return result


# --- the audit -------------------------------------------------------------------------------

def audit(w3: Web3, manifest: Manifest, db_url: str | Path,
          progress: Callable[[str], None] = lambda _: None) -> AuditReport:
    """Run every check of the mirror at `db_url` (a SQLite path or SQLAlchemy URL) against the chain."""
    started = time.monotonic()
    manifest.check_chain(w3)
    decoder = Decoder.from_manifest(manifest)
    view = read_mirror(str(db_url), manifest, decoder)
    progress(f"read {len(view.rows)} mirrored events, blocks {view.first_block}..{view.last_block}")
    reader = Reader(w3, manifest, view.last_block)
    checks = []
    for name, run in (("mirror = chain", lambda: check_mirror(view, reader, decoder)),
                      ("tallies", lambda: check_tallies(view, reader)),
                      ("signatures", lambda: check_signatures(view, reader, w3, manifest)),
                      ("payouts", lambda: check_payouts(view)),
                      ("fund balance", lambda: check_fund(view, reader))):
        progress(f"checking {name}")
        try:
            checks.append(run())
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # mirrored args too mangled to use (the mirror check names the rows): a finding, not a crash
            failed = CheckResult(name.split()[0], name)
            failed.find("check", f"could not run on this mirror: {type(exc).__name__}: {str(exc)[:160]}")
            checks.append(failed)
    return AuditReport(view.chain_id, view.first_block, view.last_block, len(view.rows), checks,
                       time.monotonic() - started)
