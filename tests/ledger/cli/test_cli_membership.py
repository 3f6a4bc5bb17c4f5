"""The CLI's membership, pathway and account commands, through click's runner, on a real chain."""

import json

import pytest
from click.testing import CliRunner
from eth_account import Account

from ledger.app import keys
from ledger.cli import main
from ledger.org.membership import Kind, Tier


@pytest.fixture
def cli(anvil, manifest, tmp_path):
    manifest.save(tmp_path / "deployment.json")

    def run(*args, ok=True, input=None, env=None):
        result = CliRunner().invoke(
            main, [*args, "--workdir", str(tmp_path), "--rpc", anvil.url], input=input, env=env)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run.workdir = tmp_path
    return run


@pytest.fixture
def member_key(cli, secretariat, membership, snapshot):
    """A State member at Associate tier whose keystore is in the CLI's workdir (password 'pw')."""
    key = keys.new_key(cli.workdir / "keys", "MYS", "pw")
    secretariat.pay(key.address, 10**18, "gas money")
    secretariat.send(membership.functions.admit(key.address, int(Kind.State), int(Tier.Associate),
                                                "Malaysia", "MYS"), "admit")
    return key


def test_member_list_and_show(cli, member_key):
    listed = json.loads(cli("member", "list", "--json").stdout)
    assert [m["identifier"] for m in listed] == ["MYS"]
    assert listed[0]["weight"] == 350 and listed[0]["tier"] == "Associate"
    shown = cli("member", "show", "mys").output
    assert "Malaysia" in shown and member_key.address in shown


def test_unknown_member_is_a_one_line_error(cli, member_key):
    result = cli("member", "show", "XYZ", ok=False)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["error: no member with address, identifier or name 'XYZ'"]


def test_member_declares_gets_certified_and_is_promoted(cli, member_key, membership):
    env = {"WAICO_PASSWORD": "pw"}
    cli("standard", "declare", "1", "--key", "MYS", "--evidence", "transparency register 2026",
        "--adaptation", "Malay translation", "--adaptation-uri", "https://mys.example/a", env=env)
    refused = cli("standard", "promote", "MYS", "--dev-account", "2", ok=False)
    assert "missing certifications of standards [0, 1, 2]" in refused.output
    assert membership.functions.member(member_key.address).call()[1] == int(Tier.Associate)

    cli("standard", "certify", "MYS", "1", "--dev-account", "0")
    for sid in ("0", "2"):
        cli("standard", "declare", sid, "--key", "MYS", "--evidence", "0x" + "11" * 32, env=env)
        cli("standard", "certify", "MYS", sid, "--dev-account", "0")
    promoted = cli("standard", "promote", "MYS", "--dev-account", "2", "--json")
    assert json.loads(promoted.stdout) == {"member": member_key.address, "from": "Associate", "to": "Partner"}


def test_wrong_password_is_a_one_line_error_and_changes_nothing(cli, member_key, membership):
    result = cli("standard", "declare", "0", "--key", "MYS", "--evidence", "x", ok=False,
                 env={"WAICO_PASSWORD": "wrong"})
    assert result.exit_code == 1
    assert result.output.strip() == f"error: wrong password for key MYS ({member_key.address})"
    assert membership.functions.declaration(member_key.address, 0).call()[0] == 0


def test_member_without_gas_money_gets_a_one_line_error(cli, secretariat, membership, snapshot):
    key = keys.new_key(cli.workdir / "keys", "KEN", "pw")
    secretariat.send(membership.functions.admit(key.address, 0, 1, "Kenya", "KEN"), "admit")
    result = cli("standard", "declare", "0", "--key", "KEN", "--evidence", "x", ok=False,
                 env={"WAICO_PASSWORD": "pw"})
    assert result.output.strip() == f"error: declaring adoption of standard 0: {key.address} has too little ETH to pay for gas"


def test_non_verifier_certification_reports_the_contract_error(cli, member_key):
    cli("standard", "declare", "0", "--key", "MYS", "--evidence", "x", env={"WAICO_PASSWORD": "pw"})
    result = cli("standard", "certify", "MYS", "0", "--dev-account", "3", ok=False)
    assert "AccessControlUnauthorizedAccount" in result.output and "Traceback" not in result.output


def test_standard_list_shows_requirements(cli):
    listed = json.loads(cli("standard", "list", "--json").stdout)
    assert len(listed) == 5
    assert listed[0]["requiredBy"] == ["Associate", "Partner", "Full"]
    assert listed[4]["requiredBy"] == ["Full"]


def test_account_new_import_list(cli, tmp_path):
    env = {"WAICO_PASSWORD": "pw"}
    made = json.loads(cli("account", "new", "alice", "--json", env=env).stdout)
    other = Account.create()
    exported = tmp_path / "wallet-export.json"
    exported.write_text(json.dumps(Account.encrypt(other.key, "pw2", iterations=1024)))
    cli("account", "import", str(exported), "--label", "bob")
    listed = {k["label"]: k["address"] for k in json.loads(cli("account", "list", "--json").stdout)}
    assert listed == {"alice": made["address"], "bob": other.address}
    assert other.key.hex()[2:] not in cli("account", "list").output


def test_unreachable_rpc_is_a_one_line_error(tmp_path, manifest):
    from ledger.chain.anvil import free_port

    manifest.save(tmp_path / "deployment.json")
    result = CliRunner().invoke(main, ["member", "list", "--workdir", str(tmp_path),
                                       "--rpc", f"http://127.0.0.1:{free_port()}"])
    assert result.exit_code == 3
    assert result.output.startswith("error: cannot reach the RPC endpoint")
