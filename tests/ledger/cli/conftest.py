"""Chains the CLI's tests share beyond the modules that made them."""

import shutil

import pytest
from click.testing import CliRunner
from eth_utils import keccak

from ledger.app.demo import DEMO_PASSWORD
from ledger.chain.anvil import dev_private_key
from ledger.chain.node import mine
from ledger.chain.transactions import Signer
from ledger.cli import main
from ledger.org.governance import Action, Track, propose

HARMLESS = "# Register the standard WAICO-S9 Model Cards"
HARMFUL = "# Disburse the whole fund"


@pytest.fixture(scope="module")
def open_proposals(demo_chain, tmp_path_factory):
    """The demo chain with two new open proposals (harmless, then harmful), and a copy of its
    workdir; the chain is put back afterwards."""
    w3, manifest = demo_chain.w3, demo_chain.manifest
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        secretariat = Signer(w3, dev_private_key(0), manifest.error_decoder())
        governor = manifest.contract(w3, "WaicoGovernor")
        membership, fund = manifest.contract(w3, "Membership"), manifest.contract(w3, "EquityFund")

        def action(contract, call):
            return Action(contract.address, 0, bytes.fromhex(call._encode_transaction_data()[2:]))

        register = membership.functions.registerStandard("WAICO-S9", "https://standards.waico.example/s9",
                                                         keccak(b"s9"))
        harmless = propose(secretariat, governor, Track.Ordinary, [action(membership, register)], HARMLESS)
        harmful = propose(secretariat, governor, Track.Ordinary, [action(fund, fund.functions.disburse(10**12))],
                          HARMFUL)
        mine(w3, 2)
        workdir = tmp_path_factory.mktemp("open-proposals")
        shutil.copytree(demo_chain.workdir, workdir, dirs_exist_ok=True)
        yield {"w3": w3, "manifest": manifest, "workdir": workdir, "harmless": harmless, "harmful": harmful,
               "governor": governor, "url": demo_chain.url}
    finally:
        w3.provider.make_request("evm_revert", [snap])


def waico(open_proposals, url, *args, env=None):
    return CliRunner().invoke(main, [*args, "--workdir", str(open_proposals["workdir"]), "--rpc", url],
                              env={"WAICO_PASSWORD": DEMO_PASSWORD, **(env or {})})
