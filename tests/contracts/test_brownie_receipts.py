"""The receipt wait that closes a race between anvil and brownie (`tests/brownie_receipts.py`)."""

from brownie import accounts
from brownie.network.transaction import TransactionReceipt

from tests import brownie_receipts


def test_a_mined_transaction_has_its_receipt_and_an_unknown_one_is_left_to_brownie(monkeypatch):
    tx = accounts[0].transfer(accounts[1], 1)
    assert brownie_receipts._receipt_ready(tx.txid)
    monkeypatch.setattr(brownie_receipts, "RECEIPT_WAIT", 0.05)
    assert not brownie_receipts._receipt_ready("0x" + "ab" * 32)


def test_the_waits_are_wrapped_once_per_process():
    assert TransactionReceipt._waico_receipt_first
    wrapped = TransactionReceipt._await_confirmation, TransactionReceipt.wait
    brownie_receipts.install()
    assert (TransactionReceipt._await_confirmation, TransactionReceipt.wait) == wrapped
    assert wrapped[0].__module__ == brownie_receipts.__name__
