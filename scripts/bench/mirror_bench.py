"""Benchmark of the SQL mirror: ours against the naive way, and the raw fetch ceiling.

    tools/env python scripts/bench/mirror_bench.py [--members 8000 --proposals 3 --contributions 5000]
        [--naive-events N] [--postgres URL|auto] [--state FILE] [--repeat 3]

Generates real events of every kind the mirror types on a fresh anvil: admissions and tier
changes (Membership), contributions (EquityFund, each with the token's Transfer), and every
member's EIP-712 ballot on each proposal, signed and relayed in batches (WaicoGovernor) —
sent as batched JSON-RPC `eth_sendTransaction`s with automine off and mined in full blocks.
Then, in the same run: the raw `eth_getLogs` rate over the whole range (JSON-parsed and
nothing else: the ceiling), our mirror into SQLite (`ledger.mirror.sync`: raw_event, typed
tables and blocks, committed; `--repeat` runs, each into a new database, each after a
measure of the ceiling, and the medians of both: this machine's speed drifts by a third
within minutes), and the naive way as the baseline (web3's
`contract.events.X.get_logs` per event type, one ORM insert and commit per event; all events
unless `--naive-events` cuts it short: it takes minutes), and a second reference: the least
a mirror could do (one undecoded row per log, serial), which tells how fast this machine is. `--state FILE` keeps the generated
chain (anvil's state) and reuses it on the next run; `--postgres auto` adds `--repeat` runs
into a PostgreSQL 15 cluster started for the purpose (`pgcluster.py`, beside this script).
Results go to reports/mirror_bench.json.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from eth_abi import encode  # noqa: E402
from eth_account import Account  # noqa: E402
from eth_utils import keccak  # noqa: E402
from sqlmodel import Session, create_engine  # noqa: E402

from ledger.chain.anvil import Anvil, dev_private_key  # noqa: E402
from ledger.chain.http import IDENTITY, read_answer  # noqa: E402
from ledger.chain.manifest import Manifest  # noqa: E402
from ledger.chain.node import connect  # noqa: E402
from ledger.chain.transactions import Signer  # noqa: E402
from ledger.mirror import RawEvent, sync  # noqa: E402
from ledger.chain.rpc import Rpc, raw_web3  # noqa: E402
from ledger.mirror.store import open_db  # noqa: E402
from ledger.org.ballots import Ballot, Support, pack_batch, sign  # noqa: E402
from ledger.org.deploy import Parameters, deploy  # noqa: E402
from ledger.org.governance import Action, Track, propose  # noqa: E402
from scripts.bench import pgcluster  # noqa: E402

BATCH = 1_000
VOTES_PER_TX = 400  # ~9M gas: under the per-transaction cap of 16,777,216


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def send_batches(w3, sender: str, to: str, calldata: list[bytes], gas: int, batch: int = BATCH) -> None:
    """eth_sendTransaction in JSON-RPC batches (automine off), each mined in full blocks."""
    nonce = int(w3.provider.make_request("eth_getTransactionCount", [sender, "pending"])["result"], 16)
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        for i in range(0, len(calldata), batch):
            answers = w3.provider.make_batch_request([
                ("eth_sendTransaction", [{"from": sender, "to": to, "data": "0x" + d.hex(), "gas": hex(gas),
                                          "nonce": hex(nonce + i + j)}])
                for j, d in enumerate(calldata[i:i + batch])
            ])
            failed = [answers] if isinstance(answers, dict) else [a for a in answers if "error" in a]
            if failed:
                raise SystemExit(f"sending failed: {str(failed[0])[:300]}")
            # mine each batch before the next: anvil's pool slows down badly with thousands pending
            while int(w3.provider.make_request("txpool_status", [])["result"]["pending"], 16):
                w3.provider.make_request("anvil_mine", [hex(1)])
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
    reverted = [r for r in w3.provider.make_request("eth_getBlockReceipts", ["latest"])["result"] if r["status"] != "0x1"]
    if reverted:
        raise SystemExit(f"a generated transaction reverted: {reverted[0]['transactionHash']}")


def generate(w3, manifest, members: int, proposals: int, contributions: int) -> dict[str, int]:
    """Real events of every kind the mirror types: admissions and tier changes (Membership),
    contributions (EquityFund, with the token's Transfer), and signed ballots of every member
    on `proposals` proposals, relayed in batches (WaicoGovernor). Returns what was sent."""
    membership = manifest.contracts["Membership"].address
    fund = manifest.contracts["EquityFund"].address
    token = manifest.contracts["TestStablecoin"].address
    governor = manifest.contract(w3, "WaicoGovernor")
    sender = manifest.deployer
    keys = [keccak(text=f"bench member {i}") for i in range(members)]
    voters = [Account.from_key(k).address for k in keys]
    admit = selector("admit(address,uint8,uint8,string,string)")
    send_batches(w3, sender, membership, [
        admit + encode(["address", "uint8", "uint8", "string", "string"],
                       [a, i % 2, 1 + i % 3, f"Bench member {i}", f"B{i:06d}"])
        for i, a in enumerate(voters)], gas=400_000)
    set_tier = selector("setTier(address,uint8)")
    send_batches(w3, sender, membership, [
        set_tier + encode(["address", "uint8"], [a, 1 + (i + 1) % 3]) for i, a in enumerate(voters)], gas=200_000)

    amount = 10**6  # 1 tUSD each
    send_batches(w3, sender, token, [
        selector("mint(address,uint256)") + encode(["address", "uint256"], [sender, amount * contributions]),
        selector("approve(address,uint256)") + encode(["address", "uint256"], [fund, amount * contributions])],
        gas=200_000)
    send_batches(w3, sender, fund, [selector("contribute(uint256)") + encode(["uint256"], [amount])] * contributions,
                 gas=200_000)

    signer = Signer(w3, dev_private_key(0))
    set_rules = manifest.contract(w3, "EquityFund").functions.setRoundRules(1500, 1000 * 10**6)
    ids = [propose(signer, governor, Track.Ordinary, [Action(fund, 0, bytes.fromhex(set_rules._encode_transaction_data()[2:]))],
                   f"Bench proposal {p}") for p in range(proposals)]
    w3.provider.make_request("anvil_mine", [hex(2)])  # past the snapshot: voting is open
    cast = selector("castMemberBallots(bytes)")
    chain_id = w3.eth.chain_id
    calldata = []
    for pid in ids:
        signed = [sign(Ballot(chain_id, governor.address, pid, Support(i % 3), voter, f"bench {i}" if i % 4 else ""),
                       key) for i, (voter, key) in enumerate(zip(voters, keys))]
        calldata += [cast + encode(["bytes"], [pack_batch([(pid, signed[i:i + VOTES_PER_TX])])])
                     for i in range(0, len(signed), VOTES_PER_TX)]
    send_batches(w3, sender, governor.address, calldata, gas=15_000_000, batch=2)
    return {"admissions": members, "tier_changes": members, "contributions": contributions,
            "proposals": proposals, "ballots": members * proposals}


def all_logs(url: str, manifest, first: int, last: int) -> list[dict]:
    """One eth_getLogs over the whole range, read as web3's provider reads an answer (one read
    of the body, `json.loads`) but past its bound on an answer's size (`ledger.chain.http`):
    the whole range's logs are tens of megabytes."""
    addresses = [c.address for c in manifest.contracts.values()]
    request = {"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs",
               "params": [{"fromBlock": hex(first), "toBlock": hex(last), "address": addresses}]}
    with requests.Session() as session, \
            session.post(url, json=request, headers=IDENTITY, stream=True, timeout=300) as response:
        response.raise_for_status()
        return json.loads(read_answer(response, limit=2**31))["result"]


def raw_fetch(url: str, manifest, first: int, last: int) -> tuple[int, float]:
    began = time.perf_counter()
    count = len(all_logs(url, manifest, first, last))
    return count, time.perf_counter() - began


def cpu_seconds(node: Anvil) -> tuple[float, float, float]:
    """CPU time so far of this process (the mirror's writer), of its finished children (the
    mirror's worker processes) and of the anvil node."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    fields = Path(f"/proc/{node.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime,
            (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))


def bare_rows(w3, manifest, db: Path, first: int, last: int, span: int = 20) -> tuple[int, float]:
    """A second reference: the least a mirror can do — raw eth_getLogs per range of `span`
    blocks, one bare row per log (position, address, topic0, data: no decoding, no typed
    rows, no headers, no reorg checks) executemany'd into SQLite, one transaction per range."""
    addresses = [c.address for c in manifest.contracts.values()]
    rpc = Rpc(raw_web3(w3, timeout=300))  # the mirror's own reader (one read, orjson)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, chain_id, block_number, block_hash, tx_hash, log_index, "
                 "address, topic0, data, UNIQUE (chain_id, block_hash, log_index))")
    began, count = time.perf_counter(), 0
    for start in range(first, last + 1, span):
        logs = rpc.call("eth_getLogs", [{"fromBlock": hex(start), "toBlock": hex(min(last, start + span - 1)),
                                          "address": addresses}])
        rows = [(manifest.chain_id, int(g["blockNumber"], 16), g["blockHash"], g["transactionHash"],
                 int(g["logIndex"], 16), g["address"], g["topics"][0] if g["topics"] else None, g["data"]) for g in logs]
        conn.execute("BEGIN")
        conn.executemany("INSERT OR IGNORE INTO log (chain_id, block_number, block_hash, tx_hash, log_index, address, "
                         "topic0, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        count += len(rows)
    seconds = time.perf_counter() - began
    conn.close()
    return count, seconds


def naive(w3, manifest, db: Path, first: int, last: int) -> tuple[int, float]:
    """The obvious way: per event type, web3's get_logs; per event, an ORM insert and a commit."""
    engine = create_engine(f"sqlite:///{db}")
    RawEvent.metadata.create_all(engine, tables=[RawEvent.__table__])
    began = time.perf_counter()
    count = 0
    with Session(engine) as session:
        for name in manifest.contracts:
            contract = manifest.contract(w3, name)
            for item in manifest.contracts[name].abi:
                if item.get("type") != "event":
                    continue
                for log in getattr(contract.events, item["name"]).get_logs(from_block=first, to_block=last):
                    args = {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in log["args"].items()}
                    session.add(RawEvent(
                        chain_id=manifest.chain_id, block_number=log["blockNumber"],
                        block_hash="0x" + log["blockHash"].hex(), tx_hash="0x" + log["transactionHash"].hex(),
                        tx_index=log["transactionIndex"], log_index=log["logIndex"], address=log["address"].lower(),
                        contract=name, event=log["event"], topics="[]", data="",
                        args=json.dumps(args, sort_keys=True, default=str)))
                    session.commit()
                    count += 1
    engine.dispose()
    return count, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=8_000, help="members admitted, re-tiered and voting")
    parser.add_argument("--proposals", type=int, default=3, help="proposals every member votes on (signed ballots)")
    parser.add_argument("--contributions", type=int, default=5_000, help="fund contributions (2 events each)")
    parser.add_argument("--naive-events", type=int, default=0,
                        help="mirror only the first N events the naive way (default: all)")
    parser.add_argument("--postgres", metavar="URL|auto",
                        help="also mirror into PostgreSQL: a postgresql+psycopg:// URL of an empty database, or "
                             "'auto' for a throwaway PostgreSQL 15 cluster (fsync on) started for the run")
    parser.add_argument("--state", type=Path,
                        help="anvil state file: reused if it exists (no generation), else written after generating")
    parser.add_argument("--repeat", type=int, default=3,
                        help="syncs into each database (each into a new one), each after a measure of the "
                             "ceiling; the medians are reported")
    parser.add_argument("--out", default=str(ROOT / "reports" / "mirror_bench.json"))
    args = parser.parse_args()

    results: dict = {"generator": "admissions + tier changes (Membership), contributions (EquityFund + token "
                                  "Transfer), signed ballots relayed in batches of "
                                  f"{VOTES_PER_TX} (WaicoGovernor); batched eth_sendTransaction, full blocks"}
    reuse = args.state is not None and args.state.exists()
    extra = ("--load-state", str(args.state)) if reuse else ()
    with Anvil(accounts=2, block_gas_limit=30_000_000, states_kept=64, extra_args=extra) as node, \
            tempfile.TemporaryDirectory(prefix="mirror-bench-") as tmp:
        w3 = connect(node.url, timeout=300)
        if reuse:
            manifest = Manifest.load(args.state.with_suffix(".manifest.json"))
            results["generated"] = "reused " + str(args.state)
        else:
            manifest = deploy(w3, Signer(w3, dev_private_key(0)), Parameters())
            began = time.perf_counter()
            results["generated"] = generate(w3, manifest, args.members, args.proposals, args.contributions)
            results["generate_seconds"] = round(time.perf_counter() - began, 1)
            print(f"generated {results['generated']} in {results['generate_seconds']} s")
            if args.state:
                # hex of gzipped JSON, tens of MB: past the bound of the node's answers (ledger.chain.http)
                dump = requests.post(node.url, json={"jsonrpc": "2.0", "id": 1, "method": "anvil_dumpState",
                                                     "params": []}, timeout=300).json()["result"]
                args.state.write_bytes(gzip.decompress(bytes.fromhex(dump.removeprefix("0x"))))
                manifest.save(args.state.with_suffix(".manifest.json"))
        head = w3.eth.block_number
        first = min(c.block for c in manifest.contracts.values())
        results["blocks"] = head - first + 1

        ceilings: list[float] = []

        def ceiling() -> None:
            count, seconds = raw_fetch(node.url, manifest, first, head)
            results["events"] = count
            ceilings.append(count / seconds)
            print(f"raw eth_getLogs (ceiling): {count / seconds:,.0f} events/s")

        ceiling()
        count = results["events"]
        print(f"{count} events in {head - first + 1} blocks")

        n, seconds = bare_rows(w3, manifest, Path(tmp) / "bare.db", first, head)
        results["bare_rows_events_per_s"] = round(n / seconds)
        print(f"bare rows (raw eth_getLogs, one undecoded row per log → SQLite, serial): {n / seconds:,.0f} events/s")

        runs = []
        for n in range(args.repeat):  # each into a new database; this machine's speed drifts
            if n:
                # the previous run's database goes first: with the files of earlier runs kept,
                # later runs measured about a tenth slower (the kernel's page cache and writeback
                # of files no mirror uses; a user's disk holds one mirror)
                for old in Path(tmp).glob(f"ours{n - 1}.db*"):
                    old.unlink()
                ceiling()
            os.sync()  # no write-back of the previous step's files under the timed run
            before = cpu_seconds(node)
            ours = sync(w3, manifest, str(Path(tmp) / f"ours{n}.db"), to_block=head)
            used = [(b - a) / ours.events * 1e6 for a, b in zip(before, cpu_seconds(node))]
            assert ours.events == count, (ours.events, count)
            runs.append((ours, used))
            print(f"ours → SQLite, run {n + 1}: {ours.events} events in {ours.seconds:.2f} s = "
                  f"{ours.events_per_s:,.0f} events/s ({ours.ranges} ranges; raw_event + typed tables + blocks, "
                  f"committed)")
            print(f"  CPU per event: writer {used[0]:.1f} µs + workers {used[1]:.1f} µs + anvil {used[2]:.1f} µs "
                  f"= {sum(used):.1f} µs on {os.cpu_count()} cores; wall {1e6 / ours.events_per_s:.1f} µs")
        ours, used = sorted(runs, key=lambda r: r[0].events_per_s)[len(runs) // 2]
        results["raw_fetch_runs_events_per_s"] = [round(c) for c in ceilings]
        results["raw_fetch_events_per_s"] = round(statistics.median(ceilings))
        results["sqlite_runs_events_per_s"] = [round(r.events_per_s) for r, _ in runs]
        results["sqlite_events_per_s"] = round(ours.events_per_s)
        results["sqlite_seconds"] = round(ours.seconds, 2)
        results["sqlite_cpu_us_per_event"] = dict(zip(("writer", "workers", "anvil"), (round(u, 1) for u in used)))
        results["sqlite_to_ceiling"] = round(ours.events_per_s / results["raw_fetch_events_per_s"], 2)
        print(f"ours → SQLite, median of {len(runs)} runs: {ours.events_per_s:,.0f} events/s "
              f"(runs: {', '.join(f'{r.events_per_s:,.0f}' for r, _ in runs)}); raw eth_getLogs, median: "
              f"{results['raw_fetch_events_per_s']:,} events/s; ours / ceiling: {results['sqlite_to_ceiling']:.2f}")

        naive_last = head
        if args.naive_events and args.naive_events < count:
            logs = all_logs(node.url, manifest, first, head)
            naive_last = int(logs[args.naive_events - 1]["blockNumber"], 16)
        n, seconds = naive(w3, manifest, Path(tmp) / "naive.db", first, naive_last)
        results["naive_events"] = n
        results["naive_events_per_s"] = round(n / seconds, 1)
        results["ratio"] = round(ours.events_per_s / (n / seconds), 1)
        print(f"naive (get_logs per event type, ORM insert + commit per event): {n} events in {seconds:.1f} s "
              f"= {n / seconds:,.0f} events/s")
        print(f"ours / naive: {results['ratio']}x")

        if args.postgres:
            with contextlib.ExitStack() as stack:
                server = args.postgres
                if server == "auto":
                    server = stack.enter_context(pgcluster.cluster(durable=True))
                pg_runs = []
                for n in range(args.repeat):  # each into a new database
                    ceiling()
                    url = pgcluster.create_database(server, f"bench{n}") if args.postgres == "auto" else server
                    open_db(url).dispose()
                    pg = sync(w3, manifest, url, to_block=head)
                    assert pg.events == count, (pg.events, count)
                    pg_runs.append(pg.events_per_s)
                    print(f"ours → PostgreSQL, run {n + 1}: {pg.events} events in {pg.seconds:.2f} s = "
                          f"{pg.events_per_s:,.0f} events/s")
                    if args.postgres != "auto":
                        break  # a database given by URL holds one mirror
            results["raw_fetch_runs_events_per_s"] = [round(c) for c in ceilings]
            results["raw_fetch_events_per_s"] = round(statistics.median(ceilings))
            results["postgresql_runs_events_per_s"] = [round(r) for r in pg_runs]
            results["postgresql_events_per_s"] = round(statistics.median(pg_runs))
            results["postgresql_to_ceiling"] = round(statistics.median(pg_runs) / results["raw_fetch_events_per_s"], 2)
            results["sqlite_to_ceiling"] = round(results["sqlite_events_per_s"] / results["raw_fetch_events_per_s"], 2)
            print(f"ours → PostgreSQL, median of {len(pg_runs)}: {results['postgresql_events_per_s']:,} events/s; "
                  f"raw eth_getLogs, median of all {len(ceilings)}: {results['raw_fetch_events_per_s']:,} events/s; "
                  f"ours / ceiling: SQLite {results['sqlite_to_ceiling']:.2f}, "
                  f"PostgreSQL {results['postgresql_to_ceiling']:.2f}")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
