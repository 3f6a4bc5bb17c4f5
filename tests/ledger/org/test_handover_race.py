"""The hand-over cannot be raced (issue "Governance hardening", finding 1).

Before the fix, any `propose` ended the seeding of the governor's constitutional register, and
`hand_over` sent its transactions back to back without waiting: a front-runner's higher-fee
`propose` landed first, the seeding calls reverted, the role grants and the deployer's renounces
went through, the register stayed empty and an Ordinary proposal could `grantRole` on Membership.
Here anvil does not mine on its own (so a block holds the race), and the front-runner's
`propose` pays a higher fee than the hand-over's transactions.
"""

import threading
import time

import pytest

from ledger.chain.anvil import Anvil, dev_private_key
from ledger.chain.transactions import Signer
from ledger.chain.node import connect
from ledger.org.deploy import Parameters, deploy, hand_over
from ledger.errors import TransactionReverted
from ledger.org.governance import Action, Track, propose

ADMIN_ROLE = b"\x00" * 32


@pytest.fixture
def chain():
    with Anvil(accounts=3) as node:
        yield connect(node.url)


def _action(contract, fn) -> Action:
    return Action(contract.address, 0, bytes.fromhex(fn._encode_transaction_data()[2:]))


def test_a_racing_propose_cannot_leave_the_register_open(chain):
    w3 = chain
    deployer = Signer(w3, dev_private_key(0))
    attacker = Signer(w3, dev_private_key(1))
    manifest = deploy(w3, deployer, Parameters.local_demo())
    governor = manifest.contract(w3, "WaicoGovernor")
    membership = manifest.contract(w3, "Membership")
    fund = manifest.contract(w3, "EquityFund")
    harmless = [_action(fund, fund.functions.setRoundRules(1000, 0))]

    w3.provider.make_request("evm_setAutomine", [False])
    outcome = {}

    def run_hand_over():
        try:
            hand_over(w3, deployer, manifest)
            outcome["ok"] = True
        except TransactionReverted as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run_hand_over)
    worker.start()
    deadline = time.monotonic() + 30
    while not w3.eth.get_block("pending", full_transactions=False)["transactions"]:
        assert time.monotonic() < deadline, "hand_over sent nothing"
        time.sleep(0.02)
    # The front-runner outbids the hand-over's first transaction(s) in the pending block.
    call = governor.functions.propose([a.target for a in harmless], [0], [a.calldata for a in harmless], "race")
    tx = attacker.build(call, "racing propose", gas=2_000_000)
    tip = tx["maxPriorityFeePerGas"] * 10 + 10**9  # (EIP-1559 fees: the Signer bids no legacy price)
    tx.update(maxPriorityFeePerGas=tip, maxFeePerGas=tx["maxFeePerGas"] + tip)
    w3.eth.send_raw_transaction(attacker.account.sign_transaction(tx).raw_transaction)
    while worker.is_alive():  # mine a block at a time until the hand-over is done
        w3.provider.make_request("evm_mine", [])
        time.sleep(0.05)
        assert time.monotonic() < deadline + 60, "hand_over did not finish"
    worker.join()
    w3.provider.make_request("evm_setAutomine", [True])

    # Whatever became of the hand-over, an Ordinary proposal cannot reach grantRole.
    grant = _action(membership, membership.functions.grantRole(ADMIN_ROLE, attacker.address))
    attacker.resync()
    attacker.decoder = manifest.error_decoder()
    with pytest.raises(TransactionReverted, match="GovernorConstitutionalCallOffTrack"):
        propose(attacker, governor, Track.Ordinary, [grant], "make me admin")
    assert outcome.get("ok"), outcome.get("error")
    timelock = manifest.contracts["TimelockController"].address
    assert membership.functions.hasRole(ADMIN_ROLE, timelock).call()
    assert not membership.functions.hasRole(ADMIN_ROLE, deployer.address).call()
