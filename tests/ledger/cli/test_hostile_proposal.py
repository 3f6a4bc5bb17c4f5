"""Anyone can propose, so a proposal's description is attacker-controlled bytes. One whose
description is not UTF-8 (`ff fe`) must not break a command, hide from the mirror, or leave
the audit blind: it is listed, shown, signed for, mirrored and audited like any other, its
text decoded with U+FFFD replacement characters, and the CLI says so."""

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from eth_abi import encode
from eth_utils import event_signature_to_log_topic, function_signature_to_4byte_selector, keccak

from ledger.app.demo import DEMO_PASSWORD
from ledger.chain.anvil import dev_private_key
from ledger.chain.node import mine
from ledger.chain.transactions import Signer
from ledger.cli import main

# the bytes a non-member proposes: not UTF-8 at all, then a title
HOSTILE = b"\xff\xfe Register WAICO-S8"
SHOWN = "\ufffd\ufffd Register WAICO-S8"


def propose_raw(signer: Signer, governor, membership, description: bytes) -> int:
    """`propose(targets, values, calldatas, description)` with the description's bytes as they
    are: the ABI encodes `string` and `bytes` alike, so web3's string check is bypassed as an
    attacker's own transaction would bypass it."""
    call = membership.functions.registerStandard("WAICO-S8", "https://standards.waico.example/s8", b"\x08" * 32)
    calldata = bytes.fromhex(call._encode_transaction_data()[2:])
    data = function_signature_to_4byte_selector("propose(address[],uint256[],bytes[],string)") + encode(
        ["address[]", "uint256[]", "bytes[]", "bytes"], [[membership.address], [0], [calldata], description])
    signer.send({"to": governor.address, "data": data}, "proposing with a hostile description")
    return governor.functions.hashProposal([membership.address], [0], [calldata], keccak(description)).call()


@pytest.fixture(scope="module")
def hostile(demo_chain, tmp_path_factory):
    """The demo chain plus a non-member's proposal with the hostile description (the chain is
    put back afterwards), and a copy of the demo's workdir without its mirror."""
    w3, manifest = demo_chain.w3, demo_chain.manifest
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        outsider = Signer(w3, dev_private_key(3), manifest.error_decoder())
        governor = manifest.contract(w3, "WaicoGovernor")
        pid = propose_raw(outsider, governor, manifest.contract(w3, "Membership"), HOSTILE)
        created = w3.eth.get_logs({"address": governor.address, "fromBlock": 0, "topics": [
            "0x" + event_signature_to_log_topic(
                "ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)").hex()]})
        mine(w3, 2)  # the vote opens
        workdir = tmp_path_factory.mktemp("hostile-proposal")
        shutil.copytree(demo_chain.workdir, workdir, dirs_exist_ok=True)
        (workdir / "mirror.db").unlink(missing_ok=True)

        def run(*args, ok=True):
            result = CliRunner().invoke(main, [*args, "--workdir", str(workdir), "--rpc", demo_chain.url],
                                        env={"WAICO_PASSWORD": DEMO_PASSWORD})
            if ok:
                assert result.exit_code == 0, result.output
            return result

        run.workdir, run.pid, run.number = workdir, pid, len(created)  # it is the last proposal
        yield run
    finally:
        w3.provider.make_request("evm_revert", [snap])


def test_proposal_list_and_show_decode_the_description_and_say_so(hostile):
    listed = json.loads(hostile("proposal", "list", "--json").stdout)
    mine = listed[hostile.number - 1]
    assert (mine["id"], mine["description"], mine["descriptionNotUtf8"]) == (str(hostile.pid), SHOWN, True)
    assert not any(p["descriptionNotUtf8"] for p in listed[:-1])
    assert SHOWN in hostile("proposal", "list").stdout
    shown = hostile("proposal", "show", str(hostile.number)).stdout
    assert SHOWN in shown and "not valid UTF-8" in shown


def test_ballot_sign_and_typed_data_work_for_it(hostile):
    number, pid = hostile.number, str(hostile.pid)
    typed = json.loads(hostile("ballot", "typed-data", str(number), "--support", "against", "--voter", "KEN").stdout)
    assert typed["message"]["proposalId"] == pid
    signed = json.loads(hostile("ballot", "sign", str(number), "--support", "against", "--key", "KEN",
                                "--json").stdout)
    assert signed["proposalId"] == pid


def vote(demo_chain, hostile, labels=None) -> None:
    """Ballots for the hostile proposal from the demo's members (`labels`, or every key),
    relayed by dev account 2."""
    from ledger.app import keys
    from ledger.org import ballots
    from ledger.org.governance import relay

    w3, manifest = demo_chain.w3, demo_chain.manifest
    governor = manifest.contract(w3, "WaicoGovernor")
    chosen = [k for k in keys.list_keys(hostile.workdir / "keys") if labels is None or k.label in labels]
    signed = [ballots.sign(ballots.Ballot(manifest.chain_id, governor.address, hostile.pid, ballots.Support.For,
                                          k.address), keys.unlock(k, DEMO_PASSWORD)) for k in chosen]
    relay(Signer(w3, dev_private_key(2), manifest.error_decoder()), governor, signed)


def test_the_mirror_keeps_it_with_its_arguments_and_the_audit_stays_clean_after_a_vote(hostile, demo_chain):
    pid = str(hostile.pid)
    hostile("index")
    with sqlite3.connect(hostile.workdir / "mirror.db") as db:
        (description,) = db.execute("SELECT description FROM proposal WHERE proposal_id = ?", (pid,)).fetchone()
        (args,) = db.execute("SELECT args FROM raw_event WHERE event = 'ProposalCreated' AND args LIKE ?",
                             (f'%"proposalId":"{pid}"%',)).fetchone()
    assert description == SHOWN
    assert json.loads(args)["@notUtf8"] == ["description"]  # the mark: its text was replaced
    assert json.loads(hostile("audit", "--json").stdout)["ok"]

    # one vote on it: the tally check needs the proposal in the mirror
    vote(demo_chain, hostile, ["KEN"])
    hostile("index")
    report = hostile("audit", "--json", ok=False)
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["ok"]


def test_it_passes_queues_and_executes_through_the_cli(hostile, demo_chain):
    """Queue and execute hash the description as the contract does: its bytes, not its text."""
    w3, pid, number = demo_chain.w3, hostile.pid, hostile.number
    governor = demo_chain.manifest.contract(w3, "WaicoGovernor")
    vote(demo_chain, hostile)  # whoever has not voted yet
    mine(w3, governor.functions.proposalDeadline(pid).call() - w3.eth.block_number + 1)
    assert json.loads(hostile("proposal", "show", str(number), "--json").stdout)["state"] == "Succeeded"
    hostile("proposal", "queue", str(number), "--dev-account", "2")
    hostile("dev", "advance-time", "86400")
    hostile("proposal", "execute", str(number), "--dev-account", "2")
    assert json.loads(hostile("proposal", "show", str(number), "--json").stdout)["state"] == "Executed"
