"""A misbehaving node (through a fault-injecting proxy) still yields a correct mirror."""

from __future__ import annotations

import pytest
from web3 import HTTPProvider, Web3

from ledger.errors import NodeFailing
from ledger.mirror import SyncOptions, sync
from ledger.chain.rpc import Retry

from .faultproxy import FaultProxy, Faults
from .support import chain_logs, dump, mirrored_logs


def test_mirror_through_a_faulty_node_equals_a_clean_one(w3, chain, deployment, new_db):
    end = w3.eth.block_number
    clean, faulty = new_db(), new_db()
    sync(w3, deployment, clean, to_block=end)
    faults = Faults(seed=3)
    with FaultProxy(chain.url, faults) as proxy:
        flaky = Web3(HTTPProvider(proxy.url, request_kwargs={"timeout": 1.0}), middleware=[])
        options = SyncOptions(span=64, timeout=0.5, retry=Retry(attempts=10, first_delay=0.01, max_delay=0.1))
        stats = sync(flaky, deployment, faulty, to_block=end, options=options)
    assert stats.last_block == end
    assert mirrored_logs(faulty) == chain_logs(w3, deployment, end)
    assert dump(faulty) == dump(clean)
    # every kind of fault happened, and the range shrank to what the node accepts
    assert {"drop", "http_500", "http_503", "slow", "too_many_results"} <= set(faults.counts), faults.counts


def test_a_node_that_never_answers_is_the_node_failing(w3, chain, deployment, tmp_path):
    faults = Faults(drop=1.0, http_500=0, http_503=0, slow=0)
    with FaultProxy(chain.url, faults) as proxy:
        dead = Web3(HTTPProvider(proxy.url, request_kwargs={"timeout": 1.0}), middleware=[])
        with pytest.raises(NodeFailing, match="failed 4 times in a row"):
            sync(dead, deployment, str(tmp_path / "m.db"),
                 options=SyncOptions(retry=Retry(attempts=4, first_delay=0.01)))
