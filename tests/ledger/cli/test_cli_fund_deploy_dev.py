"""`waico fund status|preview|contribute|claim`, `deploy`, `dev mine|advance-time` and `standard
reject|revoke`, through click's runner on real chains, each checked against what the contracts
say (not only that the command ran)."""

import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner
from web3 import Web3

from ledger.app import keys
from ledger.app.demo import DEMO_PASSWORD
from ledger.chain.manifest import Manifest
from ledger.cli import main
from ledger.org import fund
from ledger.org.membership import Kind, Tier, read_members
from ledger.org.pathway import DeclarationStatus


def run(workdir, url, *args, env=None, code=0):
    result = CliRunner().invoke(main, [*args, "--workdir", str(workdir), "--rpc", url],
                                env={"WAICO_PASSWORD_FILE": None, **(env or {})})
    assert result.exit_code == code, result.output
    return result


# --- the fund, on the demo's chain (contributions paid, a round executed) ---------------------------

@pytest.fixture(scope="module")
def demo(demo_chain):
    w3, manifest = demo_chain.w3, demo_chain.manifest
    equity = manifest.contract(w3, "EquityFund")
    token = fund.token_of(w3, equity)
    return {"w3": w3, "fund": equity, "token": token, "url": demo_chain.url, "workdir": demo_chain.workdir,
            "erc20": w3.eth.contract(address=token.address, abi=fund.ERC20_ABI),
            "membership": manifest.contract(w3, "Membership")}


def test_fund_status_shows_the_contracts_figures(demo):
    shown = json.loads(run(demo["workdir"], demo["url"], "fund", "status", "--json").stdout)
    f = demo["fund"].functions
    epoch = f.currentEpoch().call()
    assert shown == {
        "token": {"address": demo["token"].address, "symbol": "tUSD", "decimals": 6},
        "balance": demo["erc20"].functions.balanceOf(demo["fund"].address).call(),
        "total_contributed": f.totalContributed().call(), "total_paid_out": f.totalPaidOut().call(),
        "total_claimable": f.totalClaimable().call(), "available": f.availableBalance().call(),
        "epoch": epoch, "epoch_limit": f.epochLimit().call(), "spent_in_epoch": f.spentInEpoch(epoch).call(),
        "cap_bps": f.capBps().call(), "floor": f.floor().call(), "rounds": f.roundCount().call()}
    # the demo paid 1,650,000 tUSD in and a round of 500,000 out
    assert shown["total_contributed"] == 1_650_000 * 10**6 and shown["rounds"] == 1
    assert 0 < shown["total_paid_out"] <= 500_000 * 10**6
    assert shown["balance"] == shown["total_contributed"] - shown["total_paid_out"]
    text = run(demo["workdir"], demo["url"], "fund", "status").stdout.splitlines()
    assert text[0] == f"balance            {demo['token'].show(shown['balance'])}"
    assert text[-1] == "rounds executed    1"


def test_fund_preview_is_the_contracts_preview_of_that_budget(demo):
    budget = 250_000_500_000  # 250,000.5 tUSD
    shown = json.loads(run(demo["workdir"], demo["url"], "fund", "preview", "250,000.5", "--json").stdout)
    members, scores, amounts, total = demo["fund"].functions.preview(budget).call()
    assert shown["budget"] == budget and shown["totalScore"] == total and len(members) > 20
    assert shown["allocations"] == [{"member": m, "score": s, "amount": a} for m, s, a in zip(members, scores, amounts)]
    assert shown["paid"] == sum(amounts) <= budget
    text = run(demo["workdir"], demo["url"], "fund", "preview", "250000.5").stdout
    assert text.splitlines()[-1] == (f"{len(members)} recipients, {demo['token'].show(sum(amounts))} of "
                                     "250,000.5 tUSD (dust stays in the fund)")
    names = {m.address: m.name for m in read_members(demo["membership"])}
    top = max(zip(members, amounts), key=lambda p: p[1])
    assert f"{names[top[0]]}" in text and demo["token"].show(top[1]) in text


def test_fund_contribute_moves_exactly_the_amount(demo, demo_snapshot, tmp_path):
    workdir = tmp_path / "wd"
    shutil.copytree(demo["workdir"] / "keys", workdir / "keys")
    shutil.copy(demo["workdir"] / "deployment.json", workdir)
    chn = keys.find_key(workdir / "keys", "CHN").address
    balance, of = demo["erc20"].functions.balanceOf, demo["fund"].address
    before = (balance(chn).call(), balance(of).call(), demo["fund"].functions.totalContributed().call())
    env = {"WAICO_PASSWORD": DEMO_PASSWORD}
    out = run(workdir, demo["url"], "fund", "contribute", "1,000.5", "--key", "CHN", env=env)
    amount = 1_000_500_000
    assert json.loads(run(workdir, demo["url"], "fund", "contribute", "0.000001", "--key", "CHN", "--json",
                          env=env).stdout)["amount"] == 1
    assert out.stdout.strip() == f"contributed 1,000.5 tUSD from China ({chn})"
    after = (balance(chn).call(), balance(of).call(), demo["fund"].functions.totalContributed().call())
    assert after == (before[0] - amount - 1, before[1] + amount + 1, before[2] + amount + 1)
    assert demo["erc20"].functions.allowance(chn, of).call() == 0  # approved exactly what was paid


# --- claim, deploy, dev, the pathway: on the general chain (the deployer still admin) ----------------

@pytest.fixture
def cli(anvil, manifest, tmp_path):
    manifest.save(tmp_path / "deployment.json")

    def invoke(*args, env=None, code=0):
        return run(tmp_path, anvil.url, *args, env=env, code=code)

    invoke.workdir = tmp_path
    return invoke


def admit(cli, secretariat, membership, label: str, name: str):
    key = keys.new_key(cli.workdir / "keys", label, "pw")
    secretariat.pay(key.address, 10**18, "gas money")
    secretariat.send(membership.functions.admit(key.address, int(Kind.State), int(Tier.Associate), name, label),
                     "admit")
    return key


def test_fund_claim_pays_what_a_blocked_member_was_owed(cli, w3, manifest, secretariat, membership, snapshot):
    ken = admit(cli, secretariat, membership, "KEN", "Kenya")
    equity, stable = manifest.contract(w3, "EquityFund"), manifest.contract(w3, "TestStablecoin")
    budget = 100_000 * 10**6
    secretariat.send(equity.functions.setNeedScores([ken.address], [50], b"\x01" * 32, "https://scores.example"),
                     "scores")
    secretariat.send(stable.functions.mint(secretariat.address, budget), "minting")
    fund.contribute(secretariat, w3, equity, budget)
    secretariat.send(stable.functions.setBlocked(ken.address, True), "blocking KEN")
    secretariat.send(equity.functions.disburse(budget), "disbursing")  # KEN's payout cannot be pushed
    secretariat.send(stable.functions.setBlocked(ken.address, False), "unblocking KEN")
    owed = equity.functions.claimable(ken.address).call()
    assert owed > 0 and stable.functions.balanceOf(ken.address).call() == 0

    claimed = cli("fund", "claim", "--key", "KEN", "--json", env={"WAICO_PASSWORD": "pw"})
    assert json.loads(claimed.stdout) == {"claimed": owed, "account": ken.address, "member": "Kenya"}
    assert stable.functions.balanceOf(ken.address).call() == owed
    assert equity.functions.claimable(ken.address).call() == 0
    again = cli("fund", "claim", "--key", "KEN", env={"WAICO_PASSWORD": "pw"}, code=1)
    assert again.output.strip() == f"error: Kenya ({ken.address}) has nothing to claim"


def test_deploy_writes_a_manifest_of_wired_contracts(anvil, w3, snapshot, tmp_path):
    out = json.loads(run(tmp_path, anvil.url, "deploy", "--dev-account", "0", "--verifier",
                         "0x" + "ab" * 20, "--json").stdout)
    saved = Manifest.load(tmp_path / "deployment.json")
    assert out["chainId"] == saved.chain_id == 31337 and out["deployment"] == str(tmp_path / "deployment.json")
    assert out["contracts"] == {n: c.address for n, c in saved.contracts.items()}
    assert {"Membership", "WaicoGovernor", "EquityFund", "TestStablecoin"} <= set(out["contracts"])
    assert all(w3.eth.get_code(a) for a in out["contracts"].values())
    membership, equity = saved.contract(w3, "Membership"), saved.contract(w3, "EquityFund")
    assert equity.functions.membership().call() == membership.address
    verifier = membership.functions.VERIFIER_ROLE().call()
    assert membership.functions.hasRole(verifier, Web3.to_checksum_address("0x" + "ab" * 20)).call()
    assert json.loads((tmp_path / "settings.json").read_text())["rpc_url"] == anvil.url
    # later commands in the folder find the chain and the deployment
    assert json.loads(CliRunner().invoke(main, ["member", "list", "--json", "--workdir", str(tmp_path)]).stdout) == []


def test_a_verifier_that_is_not_an_address_is_refused_before_deploying(anvil, w3, tmp_path):
    nonce = w3.eth.get_transaction_count("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    refused = run(tmp_path, anvil.url, "deploy", "--dev-account", "0", "--verifier", "0x1234", code=2)
    assert refused.output.strip() == ("error: --verifier '0x1234' is not an address (0x and 40 hex digits; mixed case "
                                      "must be a valid checksum)")
    assert w3.eth.get_transaction_count("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") == nonce
    assert list(tmp_path.iterdir()) == []


def test_dev_mine_and_advance_time_move_the_chain_by_exactly_that(cli, w3, snapshot):
    start = w3.eth.block_number
    assert json.loads(cli("dev", "mine", "3", "--json").stdout) == {"block": start + 3}
    assert w3.eth.block_number == start + 3
    assert cli("dev", "mine").stdout.strip() == f"now at block {start + 4}"
    before = w3.eth.get_block("latest")["timestamp"]
    moved = json.loads(cli("dev", "advance-time", "86400", "--json").stdout)
    latest = w3.eth.get_block("latest")
    assert latest["number"] == start + 5 and moved == {"timestamp": latest["timestamp"]}
    assert 86400 <= latest["timestamp"] - before < 86400 + 60  # the clock moved by that, not by another day


def test_standard_reject_and_revoke_record_the_verifiers_reason(cli, w3, secretariat, membership, snapshot):
    mys = admit(cli, secretariat, membership, "MYS", "Malaysia")
    env = {"WAICO_PASSWORD": "pw"}
    for sid in ("0", "1"):
        cli("standard", "declare", sid, "--key", "MYS", "--evidence", f"report {sid}", env=env)
    start = w3.eth.block_number

    rejected = cli("standard", "reject", "MYS", "0", "--dev-account", "0", "--reason", "evidence unreadable")
    assert rejected.stdout.strip() == "rejected Malaysia's declaration of standard 0"
    assert membership.functions.declaration(mys.address, 0).call()[0] == DeclarationStatus.rejected
    [event] = membership.events.DeclarationRejected.get_logs(from_block=start + 1)
    assert [event["args"][k] for k in ("account", "standardId", "verifier", "reasonHash")] == [
        mys.address, 0, secretariat.address, hashlib.sha256(b"evidence unreadable").digest()]

    cli("standard", "certify", "MYS", "1", "--dev-account", "0")
    assert membership.functions.member(mys.address).call()[4] >> 1 & 1
    revoked = json.loads(cli("standard", "revoke", "MYS", "1", "--dev-account", "0", "--reason", "lapsed",
                             "--json").stdout)
    assert revoked == {"member": mys.address, "standard": 1, "action": "revoke"}
    assert membership.functions.declaration(mys.address, 1).call()[0] == DeclarationStatus.revoked
    assert not membership.functions.member(mys.address).call()[4] >> 1 & 1  # the certification is gone
    [event] = membership.events.CertificationRevoked.get_logs(from_block=start + 1)
    assert [event["args"][k] for k in ("account", "standardId", "reasonHash")] == [
        mys.address, 1, hashlib.sha256(b"lapsed").digest()]

    # only a declaration may be rejected, and only a certification revoked: nothing changes
    refused = cli("standard", "revoke", "MYS", "0", "--dev-account", "0", "--reason", "x", code=1)
    assert refused.output.startswith("error: revoking standard 0 reverted: ")
    assert membership.functions.declaration(mys.address, 0).call()[0] == DeclarationStatus.rejected


def test_dev_mint_pays_exactly_the_amount_to_a_member_a_key_or_an_address(cli, w3, manifest, secretariat,
                                                                           membership, snapshot):
    mys = admit(cli, secretariat, membership, "MYS", "Malaysia")
    token = manifest.contract(w3, "TestStablecoin")
    before = token.functions.balanceOf(mys.address).call()
    assert cli("dev", "mint", "1,000.5", "--to", "MYS").stdout.strip() == \
        f"minted 1,000.5 tUSD to Malaysia ({mys.address})"
    assert cli("dev", "mint", "2", "--to", "Malaysia").stdout.strip() == f"minted 2 tUSD to Malaysia ({mys.address})"
    other = Web3.to_checksum_address("0x" + "ab" * 20)
    assert json.loads(cli("dev", "mint", "0.000001", "--to", other, "--json").stdout) == {"to": other, "amount": 1}
    assert token.functions.balanceOf(mys.address).call() == before + 1_002_500_000
    assert token.functions.balanceOf(other).call() == 1


def test_dev_mint_refuses_an_unknown_recipient_or_a_token_it_does_not_own_and_sends_nothing(
        cli, w3, manifest, secretariat, snapshot):
    unknown = cli("dev", "mint", "5", "--to", "nobody", code=2)
    assert unknown.output.strip().splitlines() == [f"error: 'nobody' is not a member, a key in {cli.workdir / 'keys'} "
                                                   "or an address"]
    assert "must be positive" in cli("dev", "mint", "-5", "--to", "0x" + "ab" * 20, code=1).output
    token = manifest.contract(w3, "TestStablecoin")
    secretariat.send(token.functions.transferOwnership(Web3.to_checksum_address("0x" + "cd" * 20)),
                     "hand the token on")
    nonce = w3.eth.get_transaction_count(secretariat.address)
    refused = cli("dev", "mint", "5", "--to", "0x" + "ab" * 20, code=1)
    assert "only the test stablecoin's owner" in refused.output and len(refused.output.strip().splitlines()) == 1
    assert w3.eth.get_transaction_count(secretariat.address) == nonce
