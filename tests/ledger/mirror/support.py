"""Helpers of the mirror tests: chain activity, the chain's own logs, the mirror's rows."""

from __future__ import annotations

import json
import random

from sqlalchemy import create_engine, inspect, select, text

from ledger.chain.transactions import Signer
from ledger.mirror import MAPPERS
from ledger.mirror.store import database_url
from ledger.org.membership import Kind, RosterEntry, Tier, admit_calls

ADMIT_GAS = 400_000
CALL_GAS = 200_000


def fresh_addresses(n: int, rng: random.Random) -> list[str]:
    from web3 import Web3

    return [Web3.to_checksum_address("0x" + rng.randbytes(20).hex()) for _ in range(n)]


def activity(w3, signer: Signer, manifest, members: int = 30, seed: int = 0) -> list[str]:
    """Membership events, pipelined: admissions, tier changes, suspensions, reinstatements,
    expulsions. Returns the admitted addresses."""
    rng = random.Random(seed)
    contract = manifest.contract(w3, "Membership")
    addresses = fresh_addresses(members, rng)
    roster = [
        RosterEntry(Kind(i % 2), f"S{seed}-{i:05d}", f"Member {seed}/{i} ✓", Tier(1 + i % 3), 10 + i)
        for i in range(members)
    ]
    hashes = [signer.send(call, "admit", gas=ADMIT_GAS, wait=False) for call in admit_calls(contract, roster, addresses)]
    f = contract.functions
    for i, a in enumerate(addresses):
        entry = roster[i]
        if i % 3 == 0:
            hashes.append(signer.send(f.setTier(a, (int(entry.tier) % 3) + 1), "tier", gas=CALL_GAS, wait=False))
        if i % 4 == 1:
            hashes.append(signer.send(f.suspend(a), "suspend", gas=CALL_GAS, wait=False))
            if i % 8 == 1:
                hashes.append(signer.send(f.reinstate(a), "reinstate", gas=CALL_GAS, wait=False))
        if i % 10 == 7:
            hashes.append(signer.send(f.expel(a), "expel", gas=CALL_GAS, wait=False))
    for h in hashes:
        signer.wait(h, "activity")
    return addresses


def chain_logs(w3, manifest, to_block: int | None = None) -> list[tuple]:
    """The chain's own logs of the manifest contracts, as the mirror's comparable columns."""
    first = min(c.block for c in manifest.contracts.values())
    last = to_block if to_block is not None else w3.eth.block_number
    addresses = [c.address for c in manifest.contracts.values()]
    logs = w3.provider.make_request(
        "eth_getLogs", [{"fromBlock": hex(first), "toBlock": hex(last), "address": addresses}])["result"]
    return [
        (int(g["blockNumber"], 16), g["blockHash"], g["transactionHash"], int(g["transactionIndex"], 16),
         int(g["logIndex"], 16), g["address"].lower(), json.dumps(g["topics"]), g["data"])
        for g in logs
    ]


def mirrored_logs(db) -> list[tuple]:
    engine = create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT block_number, block_hash, tx_hash, tx_index, log_index, address, topics, data "
                "FROM raw_event ORDER BY block_number, log_index")).all()
    finally:
        engine.dispose()
    return [(*r[:6], json.dumps(json.loads(r[6])), r[7]) for r in rows]


def typed_dump(db) -> dict[str, list[tuple]]:
    """The default registry's typed tables present in `db`, row for row, in chain order."""
    engine = create_engine(database_url(db))
    try:
        present = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            return {t.name: [tuple(r) for r in conn.execute(select(t).order_by(t.c.block_number, t.c.log_index))]
                    for t in MAPPERS.tables if t.name in present}
    finally:
        engine.dispose()


def dump(db) -> dict[str, list[tuple]]:
    """Every mirror table, row for row (without surrogate ids), typed tables too, for equality checks."""
    engine = create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            return {**typed_dump(db),
                "raw_event": [tuple(r) for r in conn.execute(text(
                    "SELECT chain_id, block_number, block_hash, tx_hash, tx_index, log_index, address, "
                    "contract, event, topics, data, args FROM raw_event ORDER BY block_number, log_index"))],
                "block": [tuple(r) for r in conn.execute(text(
                    "SELECT chain_id, number, hash, parent_hash, timestamp FROM block ORDER BY number"))],
                "cursor": [tuple(r) for r in conn.execute(text(
                    "SELECT chain_id, contracts, last_block, last_hash FROM mirror_cursor ORDER BY contracts"))],
            }
    finally:
        engine.dispose()
