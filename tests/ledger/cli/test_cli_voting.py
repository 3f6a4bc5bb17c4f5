"""Members vote through the CLI on a fully governed deployment (roles handed to the timelock)."""

import json
import shutil

import pytest
from click.testing import CliRunner
from eth_account import Account

from ledger.app import keys
from ledger.chain.anvil import dev_private_key
from ledger.chain.node import increase_time, mine
from ledger.chain.transactions import Signer
from ledger.org.deploy import Parameters, deploy, hand_over, send_all
from ledger.org.governance import Action, Track, propose
from ledger.org.membership import Kind, Tier

PASSWORD = "pw"
ROSTER = [("MYS", Kind.State, Tier.Partner), ("IDN", Kind.State, Tier.Associate),
          ("KEN", Kind.State, Tier.Associate), ("BIDU", Kind.Corporate, Tier.Partner),
          ("HUN", Kind.State, Tier.Observer)]


@pytest.fixture(scope="module")
def governed(w3, tmp_path_factory):
    """A deployment handed over to the timelock, five members with keystores, one Active proposal."""
    workdir = tmp_path_factory.mktemp("governed")
    deployer = Signer(w3, dev_private_key(1))
    manifest = deploy(w3, deployer, Parameters.local_demo(standards=()))
    membership = manifest.contract(w3, "Membership")
    members = {ident: keys.new_key(workdir / "keys", ident, PASSWORD) for ident, _, _ in ROSTER}
    send_all(deployer, [(membership.functions.admit(members[i].address, int(k), int(t), i, i), "admit")
                        for i, k, t in ROSTER])
    hand_over(w3, deployer, manifest)
    manifest.save(workdir / "deployment.json")
    governor = manifest.contract(w3, "WaicoGovernor")
    action = Action(membership.address, 0, bytes.fromhex(
        membership.functions.suspend(members["HUN"].address)._encode_transaction_data()[2:]))
    first = propose(deployer, governor, Track.Constitutional, [action], "# Suspend Hungary")
    second = propose(deployer, governor, Track.Constitutional, [action], "# Suspend Hungary, again")
    mine(w3, 2)
    return {"workdir": workdir, "manifest": manifest, "members": members, "proposal": first,
            "other_proposal": second, "governor": governor, "deployer": deployer}


@pytest.fixture
def cli(anvil, governed):
    # each test signs afresh: `ballot sign` never overwrites a ballot file
    shutil.rmtree(governed["workdir"] / "ballots", ignore_errors=True)

    def run(*args, ok=True):
        result = CliRunner().invoke(main_cli(), [*args, "--workdir", str(governed["workdir"]), "--rpc", anvil.url],
                                    env={"WAICO_PASSWORD": PASSWORD})
        if ok:
            assert result.exit_code == 0, result.output
        return result
    return run


def main_cli():
    from ledger.cli import main
    return main


def votes(governed):
    return governed["governor"].functions.proposalVotes(governed["proposal"]).call()


def test_member_signs_with_the_cli_and_the_relayed_ballot_counts(cli, governed, snapshot):
    signed = json.loads(cli("ballot", "sign", "1", "--support", "for", "--key", "MYS", "--reason", "yes",
                            "--json").stdout)
    assert cli("ballot", "verify", signed["file"]).output.startswith("ok")
    before = votes(governed)
    report = json.loads(cli("ballot", "submit", signed["file"], "--dev-account", "3", "--json").stdout)
    assert report[0]["counted"] and report[0]["weight"] == 650
    assert votes(governed)[1] == before[1] + 650


def test_wallet_signature_of_printed_typed_data_is_accepted_by_submit(cli, governed, tmp_path, snapshot):
    key = governed["members"]["IDN"]
    typed = json.loads(cli("ballot", "typed-data", "1", "--support", "against", "--voter", key.address).stdout)
    signature = Account.sign_typed_data(keys.unlock(key, PASSWORD), full_message=typed).signature
    path = tmp_path / "wallet-ballot.json"
    path.write_text(json.dumps({"typedData": typed, "signature": "0x" + signature.hex()}))
    report = json.loads(cli("ballot", "submit", str(path), "--dev-account", "3", "--json").stdout)
    assert report[0]["counted"] and votes(governed)[0] == 350


def test_pending_ballots_for_two_proposals_both_count_in_one_batch(cli, governed, snapshot):
    a = json.loads(cli("ballot", "sign", "1", "--support", "for", "--key", "KEN", "--json").stdout)["file"]
    b = json.loads(cli("ballot", "sign", "2", "--support", "for", "--key", "KEN", "--json").stdout)["file"]
    report = json.loads(cli("ballot", "submit", a, b, "--dev-account", "3", "--json").stdout)
    assert [r["counted"] for r in report] == [True, True]


def _signed_file(cli, ident="MYS", proposal="1"):
    return json.loads(cli("ballot", "sign", proposal, "--support", "for", "--key", ident, "--json").stdout)["file"]


def _one_line_error(result, *fragments):
    assert result.exit_code != 0
    lines = [l for l in result.output.strip().splitlines() if l]
    assert "Traceback" not in result.output
    assert any(all(f in l for f in fragments) for l in lines), result.output


@pytest.mark.parametrize("mutate,fragments", [
    (lambda d: d["typedData"]["message"].update(support=0), ("forged or tampered",)),
    (lambda d: d["typedData"]["domain"].update(chainId=1), ("for chain 1",)),
    (lambda d: d["typedData"]["domain"].update(verifyingContract="0x" + "12" * 20), ("for governor",)),
    (lambda d: d.update(signature="0x1234"), ("forged or tampered",)),
    (lambda d: d.pop("typedData"), ("needs `typedData`",)),
])
def test_bad_ballot_files_are_refused_and_nothing_is_sent(cli, governed, w3, mutate, fragments, snapshot):
    path = _signed_file(cli)
    data = json.loads(open(path).read())
    mutate(data)
    open(path, "w").write(json.dumps(data))
    block = w3.eth.block_number
    result = cli("ballot", "submit", path, "--dev-account", "3", ok=False)
    _one_line_error(result, *fragments)
    assert "nothing was sent" in result.output
    assert w3.eth.block_number == block and votes(governed) == [0, 0, 0]


def test_not_json_ballot_file_is_refused(cli, tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("not json")
    _one_line_error(cli("ballot", "verify", str(bad), ok=False), "not JSON")


def test_non_member_and_observer_cannot_sign(cli, governed):
    _one_line_error(cli("ballot", "sign", "1", "--support", "for", "--key", "HUN", ok=False), "has no vote")


def test_wrong_password_is_one_line(anvil, governed):
    result = CliRunner().invoke(main_cli(), ["ballot", "sign", "1", "--support", "for", "--key", "MYS",
                                             "--workdir", str(governed["workdir"]), "--rpc", anvil.url],
                                env={"WAICO_PASSWORD": "nope"})
    _one_line_error(result, "wrong password for key MYS")


def test_ballot_for_a_closed_proposal_is_refused(cli, governed, w3, snapshot):
    path = _signed_file(cli, "IDN")
    deadline = governed["governor"].functions.proposalDeadline(governed["proposal"]).call()
    mine(w3, deadline - w3.eth.block_number + 1)
    _one_line_error(cli("ballot", "submit", path, "--dev-account", "3", ok=False), "Defeated", "voting is closed")


def test_second_ballot_of_a_member_is_refused_before_sending(cli, governed, snapshot):
    path = _signed_file(cli, "MYS")
    cli("ballot", "submit", path, "--dev-account", "3")
    _one_line_error(cli("ballot", "submit", path, "--dev-account", "3", ok=False), "already voted")


def test_submit_with_skip_invalid_relays_the_valid_ones(cli, governed, tmp_path, snapshot):
    good = _signed_file(cli, "MYS")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    report = json.loads(cli("ballot", "submit", good, str(bad), "--dev-account", "3", "--skip-invalid", "--json",
                            ok=False).stdout)
    assert [r["counted"] for r in report] == [True]


def test_proposal_list_and_show(cli, governed):
    listed = json.loads(cli("proposal", "list", "--json").stdout)
    assert [p["title"] for p in listed][:2] == ["Suspend Hungary", "Suspend Hungary, again"]
    assert listed[0]["state"] == "Active" and listed[0]["track"] == "Constitutional"
    assert "Suspend Hungary" in cli("proposal", "show", "1").output


def test_constitutional_call_on_the_ordinary_track_is_refused_by_the_contract(cli, governed, w3):
    block = w3.eth.block_number
    result = cli("proposal", "create", "--dev-account", "3", "--call", "Membership.setCorporateCap(1500)",
                 "--description", "Lower the cap", ok=False)
    _one_line_error(result, "GovernorConstitutionalCallOffTrack")
    assert w3.eth.block_number == block


def test_proposal_lifecycle_through_the_cli(cli, governed, w3, snapshot):
    created = json.loads(cli("proposal", "create", "--dev-account", "3", "--track", "constitutional",
                             "--call", "Membership.setCorporateCap(1500)", "--description",
                             "Lower the corporate cap", "--json").stdout)
    mine(w3, 2)
    number = str(len(json.loads(cli("proposal", "list", "--json").stdout)))
    for ident in ("MYS", "IDN", "KEN"):
        cli("ballot", "submit", _signed_file(cli, ident, number), "--dev-account", "3")
    deadline = governed["governor"].functions.proposalDeadline(int(created["proposalId"])).call()
    mine(w3, deadline - w3.eth.block_number + 1)
    cli("proposal", "queue", number, "--dev-account", "3")
    increase_time(w3, 301)
    cli("proposal", "execute", number, "--dev-account", "3")
    membership = governed["manifest"].contract(w3, "Membership")
    assert membership.functions.voteSchedule().call()[2] == 1500


def test_a_dry_run_prints_the_call_decoded_and_sends_nothing(cli, governed, w3):
    block = w3.eth.block_number
    out = json.loads(cli("proposal", "create", "--dry-run", "--track", "constitutional", "--call",
                         "Membership.setTierName(1, 'Associate: see 0xabc, true')", "--description", "x",
                         "--json").stdout)
    assert out["track"] == "Constitutional"
    assert out["calls"][0]["call"] == "Membership.setTierName(tier=1, name='Associate: see 0xabc, true')"
    assert w3.eth.block_number == block


def test_ballot_files_are_named_by_proposal_number_and_key_and_never_overwritten(cli, governed):
    ballots = governed["workdir"] / "ballots"
    by_number = json.loads(cli("ballot", "sign", "2", "--support", "for", "--key", "MYS", "--json").stdout)
    assert by_number["file"] == str(ballots / "p2-MYS.json") and by_number["number"] == 2
    by_id = json.loads(cli("ballot", "sign", str(governed["proposal"]), "--support", "against", "--key", "KEN",
                           "--json").stdout)
    assert by_id["file"] == str(ballots / "p1-KEN.json")  # the number, also when the full id was given
    kept = (ballots / "p2-MYS.json").read_bytes()
    again = cli("ballot", "sign", "2", "--support", "against", "--key", "MYS", ok=False)
    assert again.exit_code != 0 and "p2-MYS.json" in again.output
    assert (ballots / "p2-MYS.json").read_bytes() == kept
