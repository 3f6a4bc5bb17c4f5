"""People and proposals by name (issue 14, item 2), on the demo chain with two new open
proposals (5: harmless, 6: harmful; conftest's `open_proposals`): proposal numbers in every
output, member names beside addresses, and queue/execute refused before sending, saying why,
with the figures the governor itself reports."""

import json

from ledger.app import keys
from ledger.app.demo import DEMO_PASSWORD
from ledger.app.summary import cut
from ledger.chain.anvil import dev_private_key
from ledger.chain.node import increase_time, mine
from ledger.chain.transactions import Signer
from ledger.errors import TransactionReverted
from ledger.org import ballots
from ledger.org.governance import duration, read_proposals, relay, short_id, when
from ledger.org.membership import read_members
from ledger.org.votes import read_votes

from .conftest import HARMLESS, waico


def run(open_proposals, *args, code=0):
    result = waico(open_proposals, open_proposals["url"], *args)
    assert result.exit_code == code, result.output
    return result


def proposals(open_proposals):
    governor = open_proposals["governor"]
    return read_proposals(governor, open_proposals["manifest"].contracts["WaicoGovernor"].block)


def member(open_proposals, ident):
    membership = open_proposals["manifest"].contract(open_proposals["w3"], "Membership")
    return next(m for m in read_members(membership) if m.identifier == ident)


def vote_for(open_proposals, pid, idents=None):
    """Signed ballots for `pid` from the demo's member keys (`idents`, or all), relayed."""
    w3, manifest, governor = open_proposals["w3"], open_proposals["manifest"], open_proposals["governor"]
    chosen = [k for k in keys.list_keys(open_proposals["workdir"] / "keys") if idents is None or k.label in idents]
    signed = [ballots.sign(ballots.Ballot(manifest.chain_id, governor.address, pid, ballots.Support.For, k.address),
                           keys.unlock(k, DEMO_PASSWORD)) for k in chosen]
    relay(Signer(w3, dev_private_key(2), manifest.error_decoder()), governor, signed)


def close_vote(open_proposals, pid):
    w3 = open_proposals["w3"]
    mine(w3, open_proposals["governor"].functions.proposalDeadline(pid).call() - w3.eth.block_number + 1)


def test_proposal_create_names_its_number_and_its_id(open_proposals, demo_snapshot):
    call = "Membership.registerStandard('WAICO-S10', 'https://standards.waico.example/s10', 0x" + "0a" * 32 + ")"
    text = run(open_proposals, "proposal", "create", "--dev-account", "0", "--call", call,
               "--description", "# Register WAICO-S10")
    created = proposals(open_proposals)[-1]
    assert created.number == 7 and created.title == "Register WAICO-S10"
    assert text.stdout == f"proposal 7 (id {short_id(created.id)}) created\n"
    data = json.loads(run(open_proposals, "proposal", "create", "--dev-account", "0", "--call", call,
                          "--description", "# Register WAICO-S10, again", "--json").stdout)
    assert data == {"proposalId": str(proposals(open_proposals)[-1].id), "number": 8}


def test_proposal_show_gives_quorum_threshold_states_and_why_as_the_governor_counts(open_proposals):
    w3, governor = open_proposals["w3"], open_proposals["governor"]
    listed = proposals(open_proposals)
    names = {m.address: m.name for m in read_members(
        open_proposals["manifest"].contract(w3, "Membership"))}
    for p in listed[:4]:  # the demo's: every track, all Executed
        data = json.loads(run(open_proposals, "proposal", "show", str(p.number), "--json").stdout)
        o = data["outcome"]
        assert data["number"] == p.number and data["id"] == str(p.id)
        assert o["quorum"] == governor.functions.proposalQuorum(p.id).call() > 0
        assert o["passBps"] == governor.functions.proposalParams(p.id).call()[2]
        against, for_, abstain = governor.functions.proposalVotes(p.id).call()
        assert o["quorumCounted"] == for_ + abstain and o["quorumReached"] and o["majority"] and o["passes"]
        assert [data["states"]["for"], data["states"]["against"]] == governor.functions.proposalStateVotes(p.id).call()
        assert o["statesMajorityNeeded"] == (p.track.name == "Constitutional")
        assert data["reason"].startswith("it passed and was executed; quorum ")
        votes = read_votes(governor, 0, p.id)
        assert [(v["voter"], v["member"]) for v in data["voters"]] == [(v.voter, names[v.voter]) for v in votes]

    ordinary = listed[3]  # the fund round: the Ordinary track's quorum is the governor's quorum(snapshot)
    assert ordinary.track.name == "Ordinary"
    q = governor.functions.quorum(ordinary.snapshot).call()
    against, for_, abstain = governor.functions.proposalVotes(ordinary.id).call()
    states_for, states_against = governor.functions.proposalStateVotes(ordinary.id).call()
    lines = run(open_proposals, "proposal", "show", "4").stdout.splitlines()
    assert lines[0] == f"proposal 4 (id {short_id(ordinary.id)})"
    assert f"state     Executed: it passed and was executed; quorum {q:,} reached ({for_:,} for + {abstain:,} " \
           f"abstain); {for_:,} for vs {against:,} against (100% for, 50% needed)" in lines
    assert f"quorum    {q:,} (for + abstain): {for_ + abstain:,}, reached" in lines
    assert "threshold for at least 50% of for + against, and more for than against: 100% for, met" in lines
    assert f"states    {states_for} for, {states_against} against: not needed on this track" in lines
    for_names = [names[v.voter] for v in read_votes(governor, 0, ordinary.id) if v.support_name == "for"]
    assert f"for       {len(for_names)} votes: {', '.join(for_names)}" in lines

    constitutional = listed[2]  # the cap cut: passed the threshold of 66.67% and the states' majority
    states_for, states_against = governor.functions.proposalStateVotes(constitutional.id).call()
    against, for_, _ = governor.functions.proposalVotes(constitutional.id).call()
    lines = run(open_proposals, "proposal", "show", "3").stdout.splitlines()
    assert f"states    {states_for} for, {states_against} against: majority (needed on this track)" in lines
    assert (f"threshold for at least 66.67% of for + against, and more for than against: "
            f"{for_ * 10000 // (for_ + against) / 100:g}% for, met") in lines

    harmless = listed[4]  # open: when voting closes
    shown = run(open_proposals, "proposal", "show", "5").stdout.splitlines()
    assert f"state     Active: voting closes at block {harmless.deadline} (now {w3.eth.block_number})" in shown
    assert f"quorum    {governor.functions.proposalQuorum(harmless.id).call():,} (for + abstain): 0, not reached" \
        in shown


def test_queue_and_execute_refuse_an_open_or_defeated_proposal_saying_why_and_send_nothing(open_proposals,
                                                                                          demo_snapshot):
    w3, governor = open_proposals["w3"], open_proposals["governor"]
    pid = open_proposals["harmless"]
    deadline = governor.functions.proposalDeadline(pid).call()
    block = w3.eth.block_number
    refused = run(open_proposals, "proposal", "queue", "5", "--dev-account", "2", code=1)
    assert refused.output == f"error: proposal 5 is Active: voting closes at block {deadline} (now {block}); " \
                             "not queued\n"
    assert w3.eth.block_number == block

    vote_for(open_proposals, pid, ["KEN"])
    weight = governor.functions.proposalVotes(pid).call()[1]
    assert weight == member(open_proposals, "KEN").weight > 0
    close_vote(open_proposals, pid)
    quorum = governor.functions.proposalQuorum(pid).call()
    block = w3.eth.block_number
    for step in ("queue", "execute"):
        refused = run(open_proposals, "proposal", step, "5", "--dev-account", "2", code=1)
        assert refused.output == f"error: proposal 5 is Defeated: quorum {quorum:,} not reached ({weight:,} for); " \
                                 f"not {step}d\n"
    assert w3.eth.block_number == block

    # sent anyway (not through the CLI): the governor's revert names the states
    p = proposals(open_proposals)[4]
    raw = Signer(w3, dev_private_key(2), open_proposals["manifest"].error_decoder())
    try:
        raw.send(governor.functions.queue([a.target for a in p.actions], [a.value for a in p.actions],
                                          [a.calldata for a in p.actions], _description_hash(p)), "queueing")
        raise AssertionError("queued a defeated proposal")
    except TransactionReverted as exc:
        assert exc.error == f"GovernorUnexpectedProposalState(proposal {short_id(pid)} is Defeated; expected Succeeded)"


def _description_hash(p):
    from eth_utils import keccak

    return keccak(p.description_bytes)


def test_a_passed_proposal_is_queued_then_waits_for_its_timelock_then_executes(open_proposals, demo_snapshot):
    w3, governor = open_proposals["w3"], open_proposals["governor"]
    pid = open_proposals["harmless"]
    vote_for(open_proposals, pid)
    close_vote(open_proposals, pid)
    against, for_, abstain = governor.functions.proposalVotes(pid).call()
    quorum = governor.functions.proposalQuorum(pid).call()
    shown = run(open_proposals, "proposal", "show", "5").stdout.splitlines()
    assert f"state     Succeeded: passed: quorum {quorum:,} reached ({for_:,} for); {for_:,} for vs 0 against " \
           "(100% for, 50% needed)" in shown

    assert run(open_proposals, "proposal", "queue", "5", "--dev-account", "2").stdout == \
        f"proposal 5 (id {short_id(pid)}): queued\n"
    eta = governor.functions.proposalEta(pid).call()
    latest = w3.eth.get_block("latest")
    assert eta > latest["timestamp"]
    refused = run(open_proposals, "proposal", "execute", "5", "--dev-account", "2", code=1)
    assert refused.output == (f"error: proposal 5 is Queued: executable from {when(eta)} "
                              f"(in {duration(eta - latest['timestamp'])}); not executed\n")
    assert w3.eth.block_number == latest["number"]
    increase_time(w3, eta - latest["timestamp"])
    assert run(open_proposals, "proposal", "execute", "5", "--dev-account", "2").stdout == \
        f"proposal 5 (id {short_id(pid)}): executed\n"
    assert run(open_proposals, "proposal", "queue", "5", "--dev-account", "2", code=1).output.startswith(
        "error: proposal 5 is Executed: it passed and was executed; quorum ")


def test_ballot_sign_verify_and_submit_name_the_proposal_and_the_member(open_proposals, demo_snapshot, tmp_path):
    ken = member(open_proposals, "KEN")
    pid = open_proposals["harmless"]
    out = tmp_path / "ken.json"
    signed = run(open_proposals, "ballot", "sign", "5", "--support", "for", "--key", "KEN", "--out", str(out))
    assert signed.stdout.splitlines()[0] == \
        f"signed: For on proposal 5 “{HARMLESS[2:]}” (id {pid}) by Kenya ({ken.address})"  # the full id
    weight = open_proposals["governor"].functions.getVotes(
        ken.address, open_proposals["governor"].functions.proposalSnapshot(pid).call()).call()
    assert weight == 350
    assert run(open_proposals, "ballot", "verify", str(out)).stdout == \
        f"ok   {out}: For on proposal 5 (Active) by Kenya ({ken.address}) (weight {weight}; not yet counted)\n"
    submitted = run(open_proposals, "ballot", "submit", str(out), "--dev-account", "2")
    assert submitted.stdout == f"counted  proposal 5  Kenya ({ken.address})  weight {weight}\n1 of 1 ballot counted\n"
    report = json.loads(run(open_proposals, "ballot", "verify", str(out), "--json").stdout)
    assert (report[0]["number"], report[0]["member"], report[0]["counted"]) == (5, "Kenya", True)
    # a second relay is refused, by number
    again = run(open_proposals, "ballot", "submit", str(out), "--dev-account", "2", code=1)
    assert f"{out}: {ken.address} has already voted on proposal 5" in again.output


def test_proposal_votes_name_each_member_beside_its_address(open_proposals):
    governor = open_proposals["governor"]
    p = proposals(open_proposals)[2]
    ken = member(open_proposals, "KEN")
    vote = next(v for v in read_votes(governor, 0, p.id) if v.voter == ken.address)
    lines = run(open_proposals, "proposal", "votes", "3").stdout.splitlines()
    row = next(line for line in lines if line.startswith("Kenya "))
    assert row.split() == ["Kenya", "State", vote.support_name, str(vote.weight), ken.address]


def test_proposal_list_cuts_long_titles_with_an_ellipsis(open_proposals):
    listed = proposals(open_proposals)
    long = next(p for p in listed if len(p.title) > 60)
    shown = cut(long.title, 60)
    assert len(shown) == 60 and shown.endswith("…") and long.title.startswith(shown[:-1])
    row = next(line for line in run(open_proposals, "proposal", "list").stdout.splitlines()
               if line.startswith(f"{long.number} "))
    assert row.endswith(" " + shown)


def test_fund_contribute_and_claim_name_the_member(open_proposals, demo_snapshot):
    w3, manifest = open_proposals["w3"], open_proposals["manifest"]
    china, kenya = member(open_proposals, "CHN"), member(open_proposals, "KEN")
    owner = Signer(w3, dev_private_key(0), manifest.error_decoder())
    owner.send(manifest.contract(w3, "TestStablecoin").functions.mint(china.address, 1000 * 10**6), "minting")
    fund = manifest.contract(w3, "EquityFund")
    before = fund.functions.totalContributed().call()
    assert run(open_proposals, "fund", "contribute", "1000", "--key", "CHN").stdout == \
        f"contributed 1,000 tUSD from China ({china.address})\n"
    assert fund.functions.totalContributed().call() == before + 1000 * 10**6
    assert fund.functions.claimable(kenya.address).call() == 0
    refused = run(open_proposals, "fund", "claim", "--key", "KEN", code=1)
    assert refused.output == f"error: Kenya ({kenya.address}) has nothing to claim\n"


def test_fund_preview_names_each_recipient_beside_its_address(open_proposals):
    kenya = member(open_proposals, "KEN")
    lines = run(open_proposals, "fund", "preview", "1000").stdout.splitlines()
    row = next(line for line in lines if line.startswith("Kenya "))
    assert row.split()[-1] == kenya.address
