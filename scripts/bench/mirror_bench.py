"""Benchmark of the SQL mirror: ours against the naive way, and the raw fetch ceiling.

    tools/env python scripts/bench/mirror_bench.py [--events 50000] [--naive-events 5000] [--postgres URL]

Generates membership events on a fresh anvil (admissions and tier changes, sent as batched
JSON-RPC `eth_sendTransaction`s from anvil's unlocked secretariat account with automine off,
then mined in full blocks), then mirrors them into SQLite with `ledger.mirror.sync`, and —
as the baseline, in the same run — the naive way: web3's `contract.events.X.get_logs` per
event type and one ORM insert and commit per event (on the first `--naive-events` events:
the naive way takes minutes for all of them; its rate is what is compared). The ceiling
is raw `eth_getLogs` over the same range, JSON-parsed and nothing else.
Results go to reports/mirror_bench.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from eth_abi import encode  # noqa: E402
from eth_utils import keccak  # noqa: E402
from sqlmodel import Session, create_engine  # noqa: E402

from ledger.anvil import Anvil, dev_private_key  # noqa: E402
from ledger.chain import Signer, connect  # noqa: E402
from ledger.deploy import Parameters, deploy  # noqa: E402
from ledger.mirror import RawEvent, SyncOptions, sync  # noqa: E402
from ledger.mirror.store import open_db  # noqa: E402

BATCH = 1_000


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def send_batches(w3, sender: str, to: str, calldata: list[bytes], gas: int) -> None:
    """eth_sendTransaction in JSON-RPC batches (automine off), each mined in full blocks."""
    nonce = int(w3.provider.make_request("eth_getTransactionCount", [sender, "pending"])["result"], 16)
    for i in range(0, len(calldata), BATCH):
        answers = w3.provider.make_batch_request([
            ("eth_sendTransaction", [{"from": sender, "to": to, "data": "0x" + d.hex(), "gas": hex(gas),
                                      "nonce": hex(nonce + i + j)}])
            for j, d in enumerate(calldata[i:i + BATCH])
        ])
        failed = [a for a in answers if "error" in a]
        if failed:
            raise SystemExit(f"sending failed: {failed[0]}")
        # mine each batch before the next: anvil's pool slows down badly with thousands pending
        while int(w3.provider.make_request("txpool_status", [])["result"]["pending"], 16):
            w3.provider.make_request("anvil_mine", [hex(1)])


def generate(w3, manifest, admissions: int) -> None:
    membership = manifest.contracts["Membership"].address
    sender = manifest.deployer
    addresses = ["0x" + keccak(text=f"bench member {i}")[:20].hex() for i in range(admissions)]
    admit = selector("admit(address,uint8,uint8,string,string)")
    set_tier = selector("setTier(address,uint8)")
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        send_batches(w3, sender, membership, [
            admit + encode(["address", "uint8", "uint8", "string", "string"],
                           [a, i % 2, 1 + i % 3, f"Bench member {i}", f"B{i:06d}"])
            for i, a in enumerate(addresses)], gas=400_000)
        send_batches(w3, sender, membership, [
            set_tier + encode(["address", "uint8"], [a, 1 + (i + 1) % 3]) for i, a in enumerate(addresses)],
            gas=200_000)
    finally:
        w3.provider.make_request("evm_setAutomine", [True])


def raw_fetch(w3, manifest, first: int, last: int) -> tuple[int, float]:
    addresses = [c.address for c in manifest.contracts.values()]
    began = time.perf_counter()
    logs = w3.provider.make_request("eth_getLogs", [{"fromBlock": hex(first), "toBlock": hex(last),
                                                      "address": addresses}])["result"]
    return len(logs), time.perf_counter() - began


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
    parser.add_argument("--events", type=int, default=50_000, help="membership events to generate (about)")
    parser.add_argument("--naive-events", type=int, default=5_000, help="events the naive baseline mirrors")
    parser.add_argument("--postgres", help="also mirror into this postgresql+psycopg:// URL (an empty database)")
    parser.add_argument("--out", default=str(ROOT / "reports" / "mirror_bench.json"))
    args = parser.parse_args()

    results: dict = {"generator": "Membership admit + setTier (real membership events), "
                                  "batched eth_sendTransaction, automine off, full blocks"}
    with Anvil(accounts=2, block_gas_limit=30_000_000, states_kept=64) as node, \
            tempfile.TemporaryDirectory(prefix="mirror-bench-") as tmp:
        w3 = connect(node.url, timeout=120)
        manifest = deploy(w3, Signer(w3, dev_private_key(0)), Parameters())
        began = time.perf_counter()
        generate(w3, manifest, args.events // 2)
        head = w3.eth.block_number
        first = min(c.block for c in manifest.contracts.values())
        results["generate_seconds"] = round(time.perf_counter() - began, 1)
        results["blocks"] = head - first + 1

        count, seconds = raw_fetch(w3, manifest, first, head)
        results["events"] = count
        results["raw_fetch_events_per_s"] = round(count / seconds)
        print(f"{count} events in {head - first + 1} blocks (generated in {results['generate_seconds']} s)")
        print(f"raw eth_getLogs (ceiling): {count / seconds:,.0f} events/s")

        ours = sync(w3, manifest, str(Path(tmp) / "ours.db"), to_block=head)
        assert ours.events == count, (ours.events, count)
        results["sqlite_events_per_s"] = round(ours.events_per_s)
        results["sqlite_seconds"] = round(ours.seconds, 2)
        print(f"mirror → SQLite: {ours.events} events in {ours.seconds:.2f} s = {ours.events_per_s:,.0f} events/s "
              f"({ours.ranges} ranges)")

        # the naive baseline over the first blocks holding about --naive-events events
        logs = w3.provider.make_request("eth_getLogs", [{"fromBlock": hex(first), "toBlock": hex(head),
                                                          "address": [manifest.contracts["Membership"].address]}])
        cut = logs["result"][min(args.naive_events, count) - 1]
        naive_last = int(cut["blockNumber"], 16)
        n, seconds = naive(w3, manifest, Path(tmp) / "naive.db", first, naive_last)
        results["naive_events"] = n
        results["naive_events_per_s"] = round(n / seconds, 1)
        results["ratio"] = round(ours.events_per_s / (n / seconds), 1)
        print(f"naive (get_logs per event type, ORM insert + commit per event): {n} events in {seconds:.1f} s "
              f"= {n / seconds:,.0f} events/s")
        print(f"ours / naive: {results['ratio']}x; ours / raw fetch ceiling: "
              f"{ours.events_per_s / results['raw_fetch_events_per_s']:.0%}")

        if args.postgres:
            open_db(args.postgres).dispose()
            pg = sync(w3, manifest, args.postgres, to_block=head)
            results["postgresql_events_per_s"] = round(pg.events_per_s)
            print(f"mirror → PostgreSQL: {pg.events} events in {pg.seconds:.2f} s = {pg.events_per_s:,.0f} events/s")

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
