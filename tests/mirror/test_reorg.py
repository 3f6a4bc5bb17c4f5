"""Reorgs: whatever the chain did, the mirror ends equal to the canonical chain."""

from __future__ import annotations

import itertools
import json

from ledger.chain import mine
from ledger.mirror import sync

from .support import CALL_GAS, activity, chain_logs, mirrored_logs
from .test_sync import EXAMPLE, query

SEEDS = itertools.count(200)


def admissions_match(db) -> bool:
    typed = query(db, "SELECT account, block_hash, log_index FROM test_admission ORDER BY block_number, log_index")
    raw = query(db, "SELECT args, block_hash, log_index FROM raw_event WHERE event = 'MemberAdmitted' "
                    "ORDER BY block_number, log_index")
    return typed == [(json.loads(a)["account"], h, i) for a, h, i in raw]


def test_anvil_reorg_of_several_blocks_is_replaced_by_the_new_chain(w3, deployment, secretariat, db):
    members = activity(w3, secretariat, deployment, members=6, seed=next(SEEDS))
    sync(w3, deployment, db, mappers=EXAMPLE)
    head = w3.eth.block_number
    old_hashes = {n: w3.eth.get_block(n)["hash"] for n in range(head - 4, head + 1)}
    membership = deployment.contract(w3, "Membership")
    f = membership.functions
    replacement = [
        [{"from": secretariat.address, "to": membership.address, "gas": hex(CALL_GAS),
          "data": call._encode_transaction_data()}, offset]
        for offset, call in enumerate([f.suspend(members[0]), f.setTier(members[2], 1), f.expel(members[3])])
    ]
    w3.provider.make_request("anvil_reorg", [5, replacement])
    secretariat.resync()
    assert all(w3.eth.get_block(n)["hash"] != h for n, h in old_hashes.items())

    stats = sync(w3, deployment, db, mappers=EXAMPLE)
    assert stats.reorgs >= 1
    assert mirrored_logs(db) == chain_logs(w3, deployment, stats.last_block)
    assert admissions_match(db)


def test_revert_to_a_snapshot_and_a_longer_different_chain(w3, deployment, secretariat, db):
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    activity(w3, secretariat, deployment, members=4, seed=next(SEEDS))
    sync(w3, deployment, db, mappers=EXAMPLE)
    w3.provider.make_request("evm_revert", [snap])
    secretariat.resync()
    activity(w3, secretariat, deployment, members=8, seed=next(SEEDS))

    stats = sync(w3, deployment, db, mappers=EXAMPLE)
    assert stats.reorgs >= 1
    assert mirrored_logs(db) == chain_logs(w3, deployment, stats.last_block)
    assert admissions_match(db)


def test_chain_that_got_shorter_is_noticed_without_new_blocks(w3, deployment, secretariat, db):
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    activity(w3, secretariat, deployment, members=6, seed=next(SEEDS))
    mine(w3, 5)
    sync(w3, deployment, db, mappers=EXAMPLE)
    w3.provider.make_request("evm_revert", [snap])
    secretariat.resync()
    activity(w3, secretariat, deployment, members=1, seed=next(SEEDS))  # a new head well below the old one

    stats = sync(w3, deployment, db, mappers=EXAMPLE)
    assert stats.reorgs >= 1
    assert stats.last_block == w3.eth.block_number
    assert mirrored_logs(db) == chain_logs(w3, deployment)
    assert admissions_match(db)
