"""Batches of signed ballots: valid ones count, invalid ones are skipped with a reason."""

import pytest
from brownie import TestMultisigWallet, web3
from eth_account import Account

from tests.contracts.conftest import FULL, STATE, fresh_key, raw_weight
from tests.contracts.governance.conftest import (
    cast_batch,
    ABSTAIN, AGAINST, FOR, SKIP_ALREADY_VOTED, SKIP_BAD_SIGNATURE, SKIP_BAD_SUPPORT, SKIP_NOT_ACTIVE,
    SKIP_NOT_MEMBER, Signer, ballot, counted, ints, reverts_with, skipped,
)


def test_mixed_batch_counts_the_valid_and_skips_the_rest(governor, membership, life, signers, voters, relayer):
    pid = life.propose()
    life.activate(pid)
    later = life.propose()  # Pending during the batch
    governor.castVote(pid, FOR, {"from": voters[0]})
    outsider = Account.from_key(fresh_key())
    s = signers
    forged = ballot(s[3], governor, pid, FOR)
    forged = forged[:4] + (ballot(s[2], governor, pid, FOR)[4],)  # s[2]'s signature on s[3]'s ballot
    batch = [
        ballot(s[0], governor, pid, FOR, "for"),
        ballot(s[1], governor, pid, AGAINST, "against"),
        forged,
        ballot(s[4], governor, pid, 7),
        ballot(Signer(outsider.address, outsider.key), governor, pid, FOR),
        ballot(s[0], governor, pid, AGAINST, "second thoughts"),  # duplicate within the batch
        ballot(s[5], governor, pid, ABSTAIN),
        ballot(s[6], governor, pid, FOR),  # corporate
        ballot(s[0], governor, later, FOR),  # a proposal that is not active
        (pid, FOR, voters[0].address, "", "0x" + "00" * 65),  # voted directly already (and a bad signature)
    ]
    tx = cast_batch(governor, batch, {"from": relayer})
    assert tx.return_value == 4
    snapshot = governor.proposalSnapshot(pid)
    w = {x.address: membership.getPastVotes(x.address, snapshot) for x in s}
    assert counted(tx) == [
        (s[0].address, FOR, w[s[0].address]),
        (s[1].address, AGAINST, w[s[1].address]),
        (s[5].address, ABSTAIN, w[s[5].address]),
        (s[6].address, FOR, w[s[6].address]),
    ]
    assert [e["reason"] for e in tx.events["VoteCast"]] == ["for", "against", "", ""]
    assert skipped(tx) == [
        (s[3].address, SKIP_BAD_SIGNATURE),
        (s[4].address, SKIP_BAD_SUPPORT),
        (outsider.address, SKIP_NOT_MEMBER),
        (s[0].address, SKIP_ALREADY_VOTED),
        (s[0].address, SKIP_NOT_ACTIVE),
        (voters[0].address, SKIP_ALREADY_VOTED),  # cheap checks come before the signature
    ]
    direct = raw_weight(FULL)
    assert ints(governor.proposalVotes(pid)) == (
        w[s[1].address], direct + w[s[0].address] + w[s[6].address], w[s[5].address])
    assert ints(governor.proposalStateVotes(pid)) == (2, 1)
    for x in (s[0], s[1], s[5], s[6]):
        assert governor.hasVoted(pid, x.address)
    for x in (s[2], s[3], s[4]):
        assert not governor.hasVoted(pid, x.address)
    assert not governor.hasVoted(later, s[0].address)


def test_ballot_already_counted_in_an_earlier_batch_is_skipped(governor, life, signers, relayer):
    pid = life.propose()
    life.activate(pid)
    cast_batch(governor, [ballot(signers[0], governor, pid, FOR)], {"from": relayer})
    tx = cast_batch(governor, 
        [ballot(signers[0], governor, pid, FOR), ballot(signers[1], governor, pid, FOR)], {"from": relayer})
    assert tx.return_value == 1
    assert skipped(tx) == [(signers[0].address, SKIP_ALREADY_VOTED)]
    with reverts_with("GovernorAlreadyCastVote"):
        governor.castVote(pid, FOR, {"from": web3.eth.accounts[0]}) if False else governor.castMemberBallot(
            *ballot(signers[1], governor, pid, AGAINST), {"from": relayer})


def test_batch_with_nothing_valid_reverts(governor, life, signers, relayer):
    pid = life.propose()
    with reverts_with("GovernorNoValidBallot"):
        cast_batch(governor, [], {"from": relayer})
    with reverts_with("GovernorNoValidBallot"):  # still Pending
        cast_batch(governor, [ballot(signers[0], governor, pid, FOR)], {"from": relayer})
    life.activate(pid)
    governor.castMemberBallot(*ballot(signers[0], governor, pid, FOR), {"from": relayer})
    with reverts_with("GovernorNoValidBallot"):
        cast_batch(governor, [ballot(signers[0], governor, pid, FOR), ballot(signers[1], governor, pid, 3)],
                                   {"from": relayer})
    with reverts_with("GovernorNoValidBallot"):  # a proposal that does not exist
        cast_batch(governor, [ballot(signers[1], governor, 12345, FOR)], {"from": relayer})


def test_batch_spanning_several_proposals(governor, life, signers, relayer):
    a, b = life.propose(), life.propose()
    life.activate(b)
    s = signers
    batch = [ballot(s[0], governor, a, FOR), ballot(s[1], governor, a, FOR), ballot(s[0], governor, b, AGAINST),
             ballot(s[2], governor, a, AGAINST), ballot(s[1], governor, b, FOR), ballot(s[0], governor, a, FOR)]
    tx = cast_batch(governor, batch, {"from": relayer})
    assert tx.return_value == 5
    assert skipped(tx) == [(s[0].address, SKIP_ALREADY_VOTED)]
    assert ints(governor.proposalVotes(a)) == (raw_weight(2), 2 * raw_weight(FULL), 0)
    assert ints(governor.proposalVotes(b)) == (raw_weight(FULL), raw_weight(FULL), 0)


def test_batch_counts_contract_wallet_members(governor, life, admit, admin, signers, relayer):
    owner = Account.from_key(fresh_key())
    wallet = TestMultisigWallet.deploy(owner.address, {"from": admin})
    admit(STATE, FULL, account=wallet.address)
    pid = life.propose()
    life.activate(pid)
    stranger = Account.from_key(fresh_key())
    batch = [ballot(Signer(owner.address, owner.key), governor, pid, FOR, voter=wallet.address),
             ballot(Signer(stranger.address, stranger.key), governor, pid, FOR, voter=wallet.address),
             ballot(signers[0], governor, pid, FOR)]
    tx = cast_batch(governor, batch, {"from": relayer})
    assert tx.return_value == 2
    # The stranger's ballot comes after the owner's counted one: already voted, checked before
    # the (dearer) signature.
    assert skipped(tx) == [(wallet.address, SKIP_ALREADY_VOTED)]
    assert governor.hasVoted(pid, wallet.address)


def test_batch_across_bitmap_words(governor, membership, life, admit, relayer):
    """Members with indices on both sides of 256, in no particular order, with duplicates."""
    keys = [Account.from_key((0xA000 + i).to_bytes(32, "big")) for i in range(255)]
    admin = web3.eth.accounts[0]
    for i, k in enumerate(keys):  # plain web3: brownie's per-transaction bookkeeping is slow
        data = membership.admit.encode_input(k.address, STATE, 1, f"Bulk {i}", f"BULK{i:03d}")
        tx = web3.eth.send_transaction({"from": admin, "to": membership.address, "data": data, "gas": 500_000})
    assert web3.eth.wait_for_transaction_receipt(tx).status == 1
    members = [Signer(k.address, k.key) for k in keys]
    # Admitted in order, so indices are consecutive and straddle 256.
    assert membership.member(members[0].address)[3] < 256 < membership.member(members[-1].address)[3]
    pid = life.propose()
    life.activate(pid)
    order = members[243:255] + members[0:5] + members[250:253] + members[3:8] + members[251:253]
    tx = cast_batch(governor, [ballot(m, governor, pid, FOR) for m in order], {"from": relayer})
    unique = {m.address for m in order}
    assert tx.return_value == len(unique)
    assert len(skipped(tx)) == len(order) - len(unique)
    assert all(reason == SKIP_ALREADY_VOTED for _, reason in skipped(tx))
    assert ints(governor.proposalVotes(pid)) == (0, len(unique) * raw_weight(1), 0)
    for m in members[:10] + members[240:]:
        assert governor.hasVoted(pid, m.address) == (m.address in unique)
