"""The demo, the mirror and the audit on a second node implementation (Hardhat Network), not
only on anvil: `ledger` uses standard JSON-RPC, and its development helpers find the node's
own way of mining."""

import pytest

from ledger.app import demo
from ledger.chain.logs import get_logs
from ledger.chain.manifest import Manifest
from ledger.chain.node import connect
from ledger.chain.rpc import Rpc
from ledger.mirror.store import open_db
from tests.ledger.hardhat import HardhatNode


@pytest.fixture(scope="module")
def hardhat_demo(tmp_path_factory):
    with HardhatNode(tmp_path_factory.mktemp("hardhat")) as node:
        workdir = tmp_path_factory.mktemp("hardhat-demo")
        result = demo.run(workdir, rpc_url=node.url)
        yield node, result


def test_the_demo_runs_its_whole_lifecycle_on_hardhat(hardhat_demo):
    _, result = hardhat_demo
    assert [p.state.name for p in result.proposals] == ["Executed"] * len(result.proposals)
    assert result.counted == result.relayed > 0 and result.payouts


def test_the_mirror_holds_every_log_of_hardhats_chain_and_the_audit_is_clean(hardhat_demo):
    node, result = hardhat_demo
    w3 = connect(node.url)
    manifest = Manifest.load(result.manifest_path)
    addresses = [c.address for c in manifest.contracts.values()]
    first = min(c.block for c in manifest.contracts.values())
    on_chain = get_logs(Rpc(w3), addresses, first, result.audit.last_block)
    engine = open_db(str(result.mirror_db))
    with engine.connect() as conn:
        mirrored = conn.exec_driver_sql("SELECT tx_hash, log_index FROM raw_event ORDER BY block_number, log_index").all()
    engine.dispose()
    assert [(g["transactionHash"], int(g["logIndex"], 16)) for g in on_chain] == [tuple(r) for r in mirrored]
    assert result.audit.ok, result.audit.findings
