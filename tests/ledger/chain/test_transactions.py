import pytest
from eth_account import Account

from ledger.chain.anvil import dev_private_key, free_port
from ledger.chain.node import connect
from ledger.chain.transactions import Signer
from ledger.errors import ChainUnavailable, TransactionReverted


def test_unreachable_rpc_is_a_one_line_error():
    with pytest.raises(ChainUnavailable, match="cannot reach the RPC endpoint"):
        connect(f"http://127.0.0.1:{free_port()}", timeout=2)


def test_revert_is_reported_with_its_decoded_custom_error(w3, manifest, membership, snapshot):
    outsider = Signer(w3, dev_private_key(3), manifest.error_decoder())
    with pytest.raises(TransactionReverted) as info:
        outsider.send(membership.functions.admit(Account.create().address, 0, 3, "X", "XXX"), "admitting")
    assert info.value.error.startswith("AccessControlUnauthorizedAccount(" + outsider.address)


def test_reverting_transaction_sent_with_fixed_gas_is_decoded_from_its_receipt(w3, manifest, membership,
                                                                                secretariat, snapshot):
    """A transaction that gets mined and fails (gas given, so no estimate catches it first)."""
    with pytest.raises(TransactionReverted) as info:
        secretariat.send(membership.functions.setCorporateCap(10_001), "setting the cap", gas=200_000)
    assert info.value.error == "CapOutOfRange(10001)"
    assert info.value.tx_hash.startswith("0x")
    # the signer's nonce is still right afterwards
    secretariat.send(membership.functions.setCorporateCap(1500), "setting the cap")
    assert membership.functions.voteSchedule().call()[2] == 1500
