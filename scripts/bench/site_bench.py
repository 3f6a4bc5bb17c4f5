"""Benchmark of the transparency portal: `waico site build` on a large mirror.

    tools/env python scripts/bench/site_bench.py [--members 200 --proposals 500 --votes 100000]
        [--workdir DIR] [--keep]

Generates, without a chain, the mirror of a deployment at scale — admissions and tier changes,
need scores, contributions, proposals each with its track and lifecycle, every member's vote
on each proposal (their weights those of VoteWeights at the proposal's snapshot), fund rounds
split by formula v1 — as real logs (the manifest's ABIs, eth-abi encoding) written by the
mirror's own row plans and store (`ledger.mirror`), then signs a checkpoint of it the normal
way (`ledger.audit.eventlog.sign`) and times `waico site build` on it as a command. Prints
the build time, the site's size, and the overview page's weight: index.html with everything
it loads (CSS, scripts, data files). Targets: under 30 s, under 500 KB.
Results go to reports/site_bench.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from eth_abi import encode  # noqa: E402
from eth_utils import keccak  # noqa: E402
from web3 import Web3  # noqa: E402

from ledger.audit import eventlog  # noqa: E402
from ledger.chain import abi, artifacts  # noqa: E402
from ledger.chain.manifest import Deployed, Manifest  # noqa: E402
from ledger.chain.rpc import Header  # noqa: E402
from ledger.mirror import MAPPERS, Decoder, open_db  # noqa: E402
from ledger.mirror.plans import Plans  # noqa: E402
from ledger.mirror.store import Store, contracts_key  # noqa: E402
from ledger.org.formula import allocate  # noqa: E402

CHAIN_ID = 31337
CONTRACTS = ("Membership", "TimelockController", "WaicoGovernor", "TestStablecoin", "EquityFund")
BASIC, TIER_VOTES, CAP = 250, (100, 400, 1000), 2000
TRACKS = ((0, 2000, 5000, 86400), (1, 3000, 6667, 3600), (2, 4000, 6667, 604800))  # track, quorum, pass, delay
VOTES_PER_BLOCK = 400
WAICO = str(ROOT / ".venv" / "bin" / "waico")


class Log:
    """Logs in chain order, as eth_getLogs gives them, one block at a time."""

    def __init__(self, manifest: Manifest):
        self.manifest = manifest
        self.events = {(name, item["name"]): item for name, c in manifest.contracts.items()
                       for item in abi.items(c.abi, "event")}
        self.block = 100
        self.time = 1_780_000_000
        self.in_block: list[dict] = []
        self.blocks: list[tuple[Header, list[dict]]] = []
        self.count = 0

    def emit(self, contract: str, event: str, **args) -> None:
        item = self.events[(contract, event)]
        topics = ["0x" + abi.topic(item).hex()]
        types, values = [], []
        for i in item["inputs"]:
            t = abi.canonical_type(i)
            if i.get("indexed"):
                topics.append("0x" + encode([t], [args[i["name"]]]).hex())
            else:
                types.append(t)
                values.append(args[i["name"]])
        n = len(self.in_block)
        self.in_block.append({
            "address": self.manifest.contracts[contract].address.lower(), "topics": topics,
            "data": "0x" + encode(types, values).hex(), "blockNumber": hex(self.block),
            "transactionHash": "0x" + keccak(b"%d-%d" % (self.block, n // 50)).hex(),
            "transactionIndex": hex(n // 50), "logIndex": hex(n), "removed": False})
        self.count += 1

    def next_block(self, blocks: int = 1) -> None:
        if self.in_block:
            h = "0x" + keccak(b"block %d" % self.block).hex()
            parent = "0x" + keccak(b"block %d" % (self.block - 1)).hex()
            header = Header(self.block, h, parent, self.time)
            for log in self.in_block:
                log["blockHash"] = h
            self.blocks.append((header, self.in_block))
            self.in_block = []
        self.block += blocks
        self.time += 12 * blocks


def weights(members: dict, tiers: dict) -> dict:
    """VoteWeights: basic + tier votes; corporate weights scaled to the cap."""
    raw = {a: BASIC + TIER_VOTES[tiers[a] - 1] for a in members if tiers[a] >= 1}
    states = sum(w for a, w in raw.items() if members[a] == 0)
    corp = sum(w for a, w in raw.items() if members[a] == 1)
    num, den = 1, 1
    if corp * 10_000 > CAP * (states + corp):
        num, den = CAP * states, (10_000 - CAP) * corp
    return {a: (w * num // den if members[a] == 1 else w) for a, w in raw.items()}


def generate(manifest: Manifest, n_members: int, n_proposals: int, n_votes: int, rng: random.Random) -> Log:
    log = Log(manifest)
    M, G, F = "Membership", "WaicoGovernor", "EquityFund"
    log.emit(M, "VoteScheduleSet", basicVotes=BASIC, tierVotes=list(TIER_VOTES))
    log.emit(M, "CorporateCapSet", cap=CAP)
    for sid in range(4):
        log.emit(M, "StandardRegistered", standardId=sid, title=f"WAICO-S{sid + 1} Standard",
                 uri=f"https://standards.waico.example/s{sid + 1}", contentHash=keccak(b"s%d" % sid))
    log.next_block()
    members, tiers, names = {}, {}, {}
    for i in range(n_members):
        account = "0x" + keccak(b"member %d" % i).hex()[-40:]
        kind = 1 if i % 7 == 3 else 0
        members[account], tiers[account] = kind, rng.choice((1, 1, 1, 2, 2, 3))
        names[account] = f"Member state {i}" if kind == 0 else f"Corporate member {i}"
        log.emit(M, "MemberAdmitted", account=account, kind=kind, tier=tiers[account], name=names[account],
                 identifier=f"ID{i:04d}")
        if i % 40 == 39:
            log.next_block()
    log.next_block()
    accounts = list(members)
    scores = {a: rng.randint(1, 100) for a in accounts}
    log.emit(F, "NeedScoresSet", batchId=1, sourceHash=keccak(b"scores"), sourceURI="https://data.waico.example/need",
             count=len(accounts))
    for a in accounts:
        log.emit(F, "NeedScoreSet", member=a, score=scores[a], batchId=1)
    log.next_block()
    for a in rng.sample(accounts, min(60, len(accounts))):
        log.emit(F, "Contributed", contributor=a, amount=rng.randint(1, 10**6) * 10**6, isMember=True)
    log.next_block()

    per_proposal = max(1, n_votes // max(n_proposals, 1))
    voters_each = min(per_proposal, len(accounts))
    round_id = 0
    made = 0
    for p in range(n_proposals):
        track, quorum, pass_bps, delay = TRACKS[0 if p % 10 < 7 else 1 if p % 10 < 9 else 2]
        snapshot = log.block + 1
        description = f"# Proposal {p + 1}: a decision of the organization\n\nBody of proposal {p + 1}."
        pid = int.from_bytes(keccak(b"proposal %d" % p), "big")
        log.emit(G, "ProposalCreated", proposalId=pid, proposer=accounts[0], targets=[manifest.contracts[M].address],
                 values=[0], signatures=[""], calldatas=[b"\x12\x34\x56\x78" + bytes(32)], voteStart=snapshot,
                 voteEnd=snapshot + 20, description=description)
        log.emit(G, "ProposalTrack", proposalId=pid, track=track, quorumBps=quorum, passBps=pass_bps,
                 timelockDelay=delay)
        log.next_block(2)
        at_snapshot = weights(members, tiers)
        voters = accounts[:voters_each] if made + voters_each <= n_votes else accounts[:n_votes - made]
        for k, voter in enumerate(voters):
            support = 1 if rng.random() < 0.7 else rng.choice((0, 2))
            reason = "" if rng.random() < 0.9 else f"reason of {names[voter]} on proposal {p + 1}"
            log.emit(G, "VoteCast", voter=voter, proposalId=pid, support=support, weight=at_snapshot[voter],
                     reason=reason)
            if k % VOTES_PER_BLOCK == VOTES_PER_BLOCK - 1:
                log.next_block()
        made += len(voters)
        log.next_block(20)
        if p % 3 != 2:
            log.emit(G, "ProposalQueued", proposalId=pid, etaSeconds=log.time + delay)
            log.next_block()
            log.emit(G, "ProposalExecuted", proposalId=pid)
        if p % 25 == 24:  # a tier change now and then
            a = rng.choice(accounts)
            new = min(3, tiers[a] + 1)
            if new != tiers[a]:
                log.emit(M, "MemberTierChanged", account=a, fromTier=tiers[a], toTier=new, reason=1)
                tiers[a] = new
        if p % 125 == 124:  # a fund round
            round_id += 1
            budget, cap_bps, floor = 500_000 * 10**6, 500, 100 * 10**6
            ordered = accounts
            amounts = allocate([scores[a] for a in ordered], budget, cap_bps, floor)
            total = sum(scores.values())
            for k, (a, amount) in enumerate(zip(ordered, amounts)):
                pushed = k % 97 != 5
                log.emit(F, "Payout", roundId=round_id, member=a, score=scores[a], totalScore=total, budget=budget,
                         amount=amount, pushed=pushed)
                if not pushed:
                    log.emit(F, "PayoutDeferred", roundId=round_id, member=a, amount=amount)
            inputs = keccak(encode(["address[]", "uint256[]", "uint256", "uint16", "uint256"],
                                   [ordered, [scores[a] for a in ordered], budget, cap_bps, floor]))
            log.emit(F, "RoundExecuted", roundId=round_id, budget=budget, paid=sum(amounts), recipients=len(ordered),
                     capBps=cap_bps, floor=floor, formulaVersion=1, inputsHash=inputs)
        log.next_block()
    log.next_block()
    return log


def mirror(log: Log, manifest: Manifest, db: Path) -> None:
    engine = open_db(str(db), MAPPERS)
    decoder = Decoder.from_manifest(manifest)
    plans = Plans(decoder, MAPPERS, engine.dialect)
    store = Store(engine, manifest.chain_id, contracts_key(decoder.addresses), MAPPERS)
    try:
        for start in range(0, len(log.blocks), 200):
            chunk = log.blocks[start:start + 200]
            rows = plans.rows([entry for _, logs in chunk for entry in logs], {h.number: h for h, _ in chunk})
            store.write(store.prepare(rows), chunk[-1][0])
    finally:
        store.close()
        engine.dispose()


def weigh(site: Path, page: str = "index.html") -> int:
    """A page and everything it loads (stylesheet, icon, scripts, data files), in bytes."""
    import re

    html = (site / page).read_text()
    loaded = set(re.findall(r'(?:src|href)="([^"#]+\.(?:js|css|svg))"', html))
    return len(html.encode()) + sum((site / page).parent.joinpath(p).stat().st_size for p in loaded)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--proposals", type=int, default=500)
    ap.add_argument("--votes", type=int, default=100_000)
    ap.add_argument("--workdir", type=Path, help="Where to put the mirror and the site [default: a temporary folder].")
    ap.add_argument("--keep", action="store_true", help="Keep the working folder.")
    args = ap.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="waico-site-bench-"))
    shutil.rmtree(workdir / "site", ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(CHAIN_ID, {name: Deployed(Web3.to_checksum_address("0x" + keccak(name.encode()).hex()[-40:]),
                                                  artifacts.load(name).abi, 1) for name in CONTRACTS})
    manifest.save(workdir / "deployment.json")
    db = workdir / "mirror.db"
    db.unlink(missing_ok=True)
    started = time.monotonic()
    log = generate(manifest, args.members, args.proposals, args.votes, random.Random(2025))
    mirror(log, manifest, db)
    last = log.blocks[-1][0].number
    signed = eventlog.sign(workdir, manifest, str(db), last)
    print(f"generated and mirrored {log.count:,} events in {len(log.blocks):,} blocks, checkpoint of "
          f"{signed.checkpoint.size:,} events ({time.monotonic() - started:.1f} s)", flush=True)

    started = time.monotonic()
    done = subprocess.run([WAICO, "site", "build", "--workdir", str(workdir), "--token-symbol", "tUSD",
                           "--token-decimals", "6", "--json"],
                          capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(done.stderr)
    built = json.loads(done.stdout)
    site = Path(built["out"])
    overview = weigh(site)
    proposal = weigh(site, "proposals/1.html")
    result = {"members": args.members, "proposals": args.proposals, "votes": args.votes, "events": built["events"],
              "build_seconds": round(seconds, 2), "build_seconds_inside": built["seconds"], "pages": built["pages"],
              "site_bytes": built["bytes"], "overview_bytes": overview, "proposal_page_bytes": proposal,
              "targets": {"build_seconds": 30, "overview_bytes": 500_000}}
    print(f"waico site build: {seconds:.1f} s (target < 30 s) for {built['pages']:,} pages, "
          f"{built['bytes'] / 1e6:.0f} MB")
    print(f"overview page with its data: {overview / 1000:.0f} KB (target < 500 KB); "
          f"a proposal page with its data: {proposal / 1000:.0f} KB")
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "site_bench.json").write_text(json.dumps(result, indent=1) + "\n")
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    elif args.keep or args.workdir:
        print(f"kept: {workdir} (the site: {site})")


if __name__ == "__main__":
    main()
