"""Reorgs: whatever the chain did, the mirror ends equal to the canonical chain."""

from __future__ import annotations

import itertools

from ledger.chain.node import mine
from ledger.mirror import sync

from .support import CALL_GAS, activity, chain_logs, mirrored_logs, typed_dump

SEEDS = itertools.count(200)


def typed_tables_match_a_fresh_mirror(w3, deployment, db, fresh, last_block: int) -> bool:
    """The typed tables after reorgs equal those of a mirror made once of the canonical chain."""
    sync(w3, deployment, fresh, to_block=last_block)
    rewound = typed_dump(db)
    return rewound == typed_dump(fresh) and len(rewound["member_event"]) > 0


def test_anvil_reorg_of_several_blocks_is_replaced_by_the_new_chain(w3, deployment, secretariat, new_db):
    db = new_db()
    members = activity(w3, secretariat, deployment, members=6, seed=next(SEEDS))
    sync(w3, deployment, db)
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

    stats = sync(w3, deployment, db)
    assert stats.reorgs >= 1
    assert mirrored_logs(db) == chain_logs(w3, deployment, stats.last_block)
    assert typed_tables_match_a_fresh_mirror(w3, deployment, db, new_db(), stats.last_block)


def test_revert_to_a_snapshot_and_a_longer_different_chain(w3, deployment, secretariat, new_db):
    db = new_db()
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    activity(w3, secretariat, deployment, members=4, seed=next(SEEDS))
    sync(w3, deployment, db)
    w3.provider.make_request("evm_revert", [snap])
    secretariat.resync()
    activity(w3, secretariat, deployment, members=8, seed=next(SEEDS))

    stats = sync(w3, deployment, db)
    assert stats.reorgs >= 1
    assert mirrored_logs(db) == chain_logs(w3, deployment, stats.last_block)
    assert typed_tables_match_a_fresh_mirror(w3, deployment, db, new_db(), stats.last_block)


def test_chain_that_got_shorter_is_noticed_without_new_blocks(w3, deployment, secretariat, new_db):
    db = new_db()
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    activity(w3, secretariat, deployment, members=6, seed=next(SEEDS))
    mine(w3, 5)
    sync(w3, deployment, db)
    w3.provider.make_request("evm_revert", [snap])
    secretariat.resync()
    activity(w3, secretariat, deployment, members=1, seed=next(SEEDS))  # a new head well below the old one

    stats = sync(w3, deployment, db)
    assert stats.reorgs >= 1
    assert stats.last_block == w3.eth.block_number
    assert mirrored_logs(db) == chain_logs(w3, deployment)
    assert typed_tables_match_a_fresh_mirror(w3, deployment, db, new_db(), stats.last_block)
