"""The secretariat's runs (`ledger.app.secretariat`, what scripts/ call) on the demo chain: the
disbursement's budget above the fund's available balance refused unless forced, the preview by
member name, the proposal by number, and `enact` saying by number what it did and why the rest
waits; onboarding after the hand-over proposes the admission by number."""

import shutil

import pytest
from eth_abi import decode

from ledger.app import keys, secretariat
from ledger.app.demo import DEMO_PASSWORD
from ledger.app.summary import cut
from ledger.chain.anvil import dev_private_key
from ledger.chain.node import increase_time, mine
from ledger.chain.transactions import Signer
from ledger.errors import ConfigError
from ledger.org import ballots
from ledger.org.governance import duration, read_proposals, relay, short_id, when
from ledger.org.membership import read_members


@pytest.fixture
def chain(demo_snapshot, tmp_path, monkeypatch):
    """The demo chain (put back afterwards) and a copy of its workdir as the secretariat's."""
    workdir = tmp_path / "wd"
    shutil.copytree(demo_snapshot.workdir, workdir)
    monkeypatch.setenv("WAICO_WORKDIR", str(workdir))
    for name in ("WAICO_KEY", "WAICO_RPC_URL", "WAICO_DEPLOYMENT"):
        monkeypatch.delenv(name, raising=False)
    demo_snapshot.governor = demo_snapshot.manifest.contract(demo_snapshot.w3, "WaicoGovernor")
    demo_snapshot.fund = demo_snapshot.manifest.contract(demo_snapshot.w3, "EquityFund")
    demo_snapshot.keys = workdir / "keys"
    return demo_snapshot


def listed(chain):
    return read_proposals(chain.governor, chain.manifest.contracts["WaicoGovernor"].block)


def test_a_budget_above_the_available_balance_is_refused_unless_forced(chain, capsys):
    available = chain.fund.functions.availableBalance().call()
    assert available == 1_150_000_000_016  # the demo's: contributions less its round
    before = len(listed(chain))
    with pytest.raises(ConfigError) as refused:
        secretariat.disburse(chain.url, "propose", "1150001")
    assert str(refused.value) == (
        "the budget 1,150,001 tUSD is above the fund's available balance of 1,150,000.000016 tUSD: pay into the "
        "fund first (`waico fund contribute AMOUNT --key NAME`), or propose it anyway with force (brownie run "
        "scripts/disburse.py main propose 1150001 force)")
    assert len(listed(chain)) == before  # nothing proposed

    capsys.readouterr()
    secretariat.disburse(chain.url, "propose", "1150001", force=True)
    out = capsys.readouterr().out
    assert out.startswith("warning: the budget 1,150,001 tUSD is above the fund's available balance of "
                          "1,150,000.000016 tUSD: the round cannot be executed until the fund holds it\n")
    assert len(listed(chain)) == before + 1


def test_propose_previews_by_member_and_names_the_proposal_by_number(chain, capsys):
    secretariat.disburse(chain.url, "propose", "1000")
    out = capsys.readouterr().out.splitlines()
    p = listed(chain)[-1]
    assert p.number == 5
    assert out[-1] == (f"proposed the round as proposal 5 (id {short_id(p.id)}); members vote with "
                       "`waico ballot sign 5 --support for --key NAME`")
    # the amount in the proposed calldata is the budget, in the token's units
    (action,) = p.actions
    assert action.target == chain.fund.address
    assert action.calldata[:4] == bytes.fromhex(chain.fund.functions.disburse(0)._encode_transaction_data()[2:10])
    assert decode(["uint256"], action.calldata[4:]) == (1000 * 10**6,)
    # the preview: each recipient by name, beside its address, with the fund's own preview's amounts
    members = {m.address: m for m in read_members(chain.manifest.contract(chain.w3, "Membership"))}
    assert out[0].split() == ["member", "score", "amount", "address"]
    rows = out[2:-2]
    kenya = next(m for m in members.values() if m.identifier == "KEN")
    row = next(r for r in rows if r.startswith("Kenya "))
    assert row.split()[-1] == kenya.address
    assert len(rows) == sum(1 for r in rows if r.split()[-1] in members)  # every row a member's address
    assert out[-2].startswith(f"{len(rows)} recipients, ")


def vote_all_for(chain, pid):
    chosen = keys.list_keys(chain.keys)
    signed = [ballots.sign(ballots.Ballot(chain.manifest.chain_id, chain.governor.address, pid, ballots.Support.For,
                                          k.address), keys.unlock(k, DEMO_PASSWORD)) for k in chosen]
    relay(Signer(chain.w3, dev_private_key(2), chain.manifest.error_decoder()), chain.governor, signed)


def test_enact_says_by_number_what_it_did_and_why_the_rest_waits(chain, capsys):
    w3 = chain.w3
    secretariat.disburse(chain.url, "propose", "1000")
    p = listed(chain)[-1]
    capsys.readouterr()
    secretariat.disburse(chain.url, "enact")
    round_1 = listed(chain)[3]
    assert capsys.readouterr().out.splitlines() == [
        f"proposal 4 “{cut(round_1.title, 60)}” is Executed: it passed and was executed; quorum {round_1.quorum:,} "
        f"reached ({round_1.for_:,} for + {round_1.abstain:,} abstain); {round_1.for_:,} for vs 0 against "
        "(100% for, 50% needed)",
        f"proposal 5 “Equity adjustment round: disburse 1,000 tUSD by need score” is Pending: voting opens after "
        f"block {p.snapshot} (now {w3.eth.block_number})",
    ]

    mine(w3, p.snapshot - w3.eth.block_number + 1)
    vote_all_for(chain, p.id)
    mine(w3, p.deadline - w3.eth.block_number + 1)
    secretariat.disburse(chain.url, "enact")
    eta = chain.governor.functions.proposalEta(p.id).call()
    latest = w3.eth.get_block("latest")["timestamp"]
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"queued proposal 5 “Equity adjustment round: disburse 1,000 tUSD by need score”: executable from "
        f"{when(eta)} (in {duration(eta - latest)})")

    secretariat.disburse(chain.url, "enact")
    latest = w3.eth.get_block("latest")["timestamp"]
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"proposal 5 “Equity adjustment round: disburse 1,000 tUSD by need score” is Queued: executable from "
        f"{when(eta)} (in {duration(eta - latest)})")

    increase_time(w3, eta - latest)
    rounds = chain.fund.functions.roundCount().call()
    secretariat.disburse(chain.url, "enact")
    assert capsys.readouterr().out.splitlines()[-1] == \
        "executed proposal 5 “Equity adjustment round: disburse 1,000 tUSD by need score”"
    assert chain.fund.functions.roundCount().call() == rounds + 1


def test_onboarding_after_the_hand_over_names_the_admission_proposal_by_number(chain, tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("kind,identifier,name,tier,need_score,address\n"
                      "State,TLS,Timor-Leste,Associate,90,0x00000000000000000000000000000000000000a2\n")
    secretariat.onboard(chain.url, roster)
    p = listed(chain)[-1]
    assert (p.number, p.track.name) == (5, "Constitutional")
    assert capsys.readouterr().out == \
        f"the deployer is no longer admin: proposed the admission as proposal 5 (id {short_id(p.id)})\n"
