"""Signed ballots relayed one at a time, and how they share bookkeeping with direct votes."""

import pytest
from brownie import TestMultisigWallet, accounts, web3
from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.contracts.conftest import ASSOCIATE, FULL, STATE, fresh_key, raw_weight
from tests.contracts.governance.conftest import (
    ABSTAIN, AGAINST, FOR, ballot, ballot_typed_data, ints, reverts_with, sign_ballot,
)

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.fixture
def active(governor, life, signers, voters):
    pid = life.propose()
    life.activate(pid)
    return pid


def test_ballot_signed_with_eth_sign_typed_data_v4_json_is_accepted(governor, membership, active, signers, relayer):
    s = signers[0]
    # The exact payload a wallet receives through eth_signTypedData_v4.
    payload = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "MemberBallot": [
                {"name": "proposalId", "type": "uint256"},
                {"name": "support", "type": "uint8"},
                {"name": "voter", "type": "address"},
                {"name": "reason", "type": "string"},
            ],
        },
        "primaryType": "MemberBallot",
        "domain": {"name": "WAICO Governor", "version": "1", "chainId": web3.eth.chain_id,
                   "verifyingContract": governor.address},
        "message": {"proposalId": active, "support": FOR, "voter": s.address, "reason": "Ja, oui, sí — 是"},
    }
    signed = Account.sign_typed_data(s.key, full_message=payload)
    digest = encode_typed_data(full_message=payload)
    assert governor.hashMemberBallot(active, FOR, s.address, "Ja, oui, sí — 是") == "0x" + signed.message_hash.hex().removeprefix("0x")
    assert Account.recover_message(digest, signature=signed.signature) == s.address

    tx = governor.castMemberBallot(active, FOR, s.address, "Ja, oui, sí — 是", signed.signature, {"from": relayer})
    weight = membership.getPastVotes(s.address, governor.proposalSnapshot(active))
    assert tx.return_value == weight == raw_weight(FULL)
    event = tx.events["VoteCast"]
    assert (event["voter"], event["proposalId"], event["support"], event["weight"], event["reason"]) == (
        s.address, active, FOR, weight, "Ja, oui, sí — 是")
    assert governor.hasVoted(active, s.address)
    assert ints(governor.proposalVotes(active)) == (0, weight, 0)


def test_domain_matches_eip5267(governor):
    fields, name, version, chain_id, verifying, _, _ = governor.eip712Domain()
    assert (name, version, chain_id, verifying) == ("WAICO Governor", "1", web3.eth.chain_id, governor.address)


def test_anyone_may_relay_and_each_member_counts_once(governor, active, signers):
    b = ballot(signers[1], governor, active, AGAINST, "no")
    governor.castMemberBallot(*b, {"from": accounts[5]})
    with reverts_with("GovernorAlreadyCastVote"):
        governor.castMemberBallot(*b, {"from": accounts[6]})  # the same ballot again
    with reverts_with("GovernorAlreadyCastVote"):
        governor.castMemberBallot(*ballot(signers[1], governor, active, FOR), {"from": accounts[6]})  # a change of mind
    assert ints(governor.proposalVotes(active))[0] == raw_weight(FULL)


def test_direct_votes_and_ballots_share_has_voted(governor, active, voters, signers, relayer):
    governor.castVote(active, FOR, {"from": voters[0]})
    assert governor.hasVoted(active, voters[0])
    assert not governor.hasVoted(active, voters[1])
    assert not governor.hasVoted(active, accounts[9])  # never a member
    with reverts_with("GovernorAlreadyCastVote"):
        governor.castVoteWithReason(active, AGAINST, "again", {"from": voters[0]})
    governor.castMemberBallot(*ballot(signers[0], governor, active, FOR), {"from": relayer})
    with reverts_with("GovernorAlreadyCastVote"):
        governor.castVoteBySig(active, FOR, signers[0].address, _oz_ballot_sig(governor, signers[0], active, FOR), {"from": relayer})


def _oz_ballot_sig(governor, signer, pid, support):
    data = {
        "types": {
            "EIP712Domain": ballot_typed_data(governor, pid, support, signer.address)["types"]["EIP712Domain"],
            "Ballot": [{"name": "proposalId", "type": "uint256"}, {"name": "support", "type": "uint8"},
                       {"name": "voter", "type": "address"}, {"name": "nonce", "type": "uint256"}],
        },
        "primaryType": "Ballot",
        "domain": ballot_typed_data(governor, pid, support, signer.address)["domain"],
        "message": {"proposalId": pid, "support": support, "voter": signer.address,
                    "nonce": governor.nonces(signer.address)},
    }
    return Account.sign_typed_data(signer.key, full_message=data).signature


def test_oz_cast_vote_by_sig_still_works(governor, active, signers, relayer):
    s = signers[2]
    tx = governor.castVoteBySig(active, ABSTAIN, s.address, _oz_ballot_sig(governor, s, active, ABSTAIN), {"from": relayer})
    assert tx.events["VoteCast"]["weight"] == raw_weight(2)
    assert governor.hasVoted(active, s.address)
    with reverts_with("GovernorAlreadyCastVote"):
        governor.castMemberBallot(*ballot(s, governor, active, FOR), {"from": relayer})


def test_pending_ballots_for_different_proposals_do_not_invalidate_each_other(governor, life, signers, relayer):
    first, second = life.propose(), life.propose()
    life.activate(second)
    b1 = ballot(signers[0], governor, first, FOR)
    b2 = ballot(signers[0], governor, second, AGAINST)
    governor.castMemberBallot(*b2, {"from": relayer})  # submitted in the other order
    governor.castMemberBallot(*b1, {"from": relayer})
    assert governor.hasVoted(first, signers[0].address) and governor.hasVoted(second, signers[0].address)


def test_ballot_replayed_on_another_proposal_is_rejected(governor, life, signers, relayer):
    first, second = life.propose(), life.propose()
    life.activate(second)
    _, support, voter, reason, sig = ballot(signers[0], governor, first, FOR)
    with reverts_with("GovernorInvalidSignature"):
        governor.castMemberBallot(second, support, voter, reason, sig, {"from": relayer})


@pytest.mark.parametrize("domain", [
    {"chain_id": 1}, {"chain_id": 31338}, {"verifying": "0x" + "11" * 20}, {"name": "Baseline Governor"},
], ids=["mainnet", "other-chain", "other-governor", "other-name"])
def test_ballot_signed_for_another_domain_is_rejected(governor, active, signers, relayer, domain):
    b = ballot(signers[0], governor, active, FOR, **domain)
    with reverts_with("GovernorInvalidSignature"):
        governor.castMemberBallot(*b, {"from": relayer})
    assert not governor.hasVoted(active, signers[0].address)


def test_ballot_for_another_deployed_governor_is_rejected(governor, membership, timelock, active, signers, relayer, admin):
    from brownie import WaicoGovernor
    from tests.contracts.governance.conftest import TRACKS
    other = WaicoGovernor.deploy(membership, timelock, 1, TRACKS, admin, 0, [], [], {"from": admin})
    b = ballot(signers[0], other, active, FOR)
    with reverts_with("GovernorInvalidSignature"):
        governor.castMemberBallot(*b, {"from": relayer})


def _tampered_signatures(signer, governor, pid):
    sig = bytes.fromhex(sign_ballot(signer.key, governor, pid, FOR, signer.address)[2:])
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    high_s = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # same key, malleated
    forged = bytes.fromhex(sign_ballot(Account.from_key(fresh_key()).key, governor, pid, FOR, signer.address)[2:])
    return {
        "empty": b"",
        "short-64": sig[:64],
        "long-66": sig + b"\x00",
        "bad-v": sig[:64] + bytes([v + 2]),
        "high-s": high_s,
        "zero": b"\x00" * 65,
        "flipped-bit": sig[:10] + bytes([sig[10] ^ 1]) + sig[11:],
        "forged-by-other-key": forged,
    }


@pytest.mark.parametrize("kind", ["empty", "short-64", "long-66", "bad-v", "high-s", "zero", "flipped-bit",
                                  "forged-by-other-key"])
def test_malformed_and_forged_signatures_are_rejected(governor, active, signers, relayer, kind):
    sig = _tampered_signatures(signers[0], governor, active)[kind]
    with reverts_with("GovernorInvalidSignature"):
        governor.castMemberBallot(active, FOR, signers[0].address, "", sig, {"from": relayer})
    assert not governor.hasVoted(active, signers[0].address)


def test_tampered_fields_are_rejected(governor, active, signers, relayer):
    pid, support, voter, reason, sig = ballot(signers[0], governor, active, FOR, "yes")
    for args in [(pid, AGAINST, voter, reason, sig), (pid, support, signers[1].address, reason, sig),
                 (pid, support, voter, "yes!", sig)]:
        with reverts_with("GovernorInvalidSignature"):
            governor.castMemberBallot(*args, {"from": relayer})


def test_invalid_support_is_rejected(governor, active, signers, relayer):
    with reverts_with("GovernorInvalidVoteType"):
        governor.castMemberBallot(*ballot(signers[0], governor, active, 3), {"from": relayer})


def test_vote_params_are_rejected(governor, active, voters):
    with reverts_with("GovernorInvalidVoteParams"):
        governor.castVoteWithReasonAndParams(active, FOR, "", "0x01", {"from": voters[0]})


def test_non_member_ballot_is_rejected(governor, active, relayer):
    outsider = Account.from_key(fresh_key())
    from tests.contracts.governance.conftest import Signer
    b = ballot(Signer(outsider.address, outsider.key), governor, active, FOR)
    with reverts_with("GovernorNotVotingMember"):
        governor.castMemberBallot(*b, {"from": relayer})
    with reverts_with("GovernorNotVotingMember"):
        governor.castVote(active, FOR, {"from": accounts[9]})


def test_observer_tier_has_no_vote(governor, life, admit, relayer):
    observer = Account.from_key(fresh_key())
    admit(STATE, 0, account=observer.address)
    pid = life.propose()
    life.activate(pid)
    from tests.contracts.governance.conftest import Signer
    with reverts_with("GovernorNotVotingMember"):
        governor.castMemberBallot(*ballot(Signer(observer.address, observer.key), governor, pid, FOR), {"from": relayer})


def test_weights_are_taken_at_the_snapshot(governor, membership, life, admin, admit, signers, relayer):
    from tests.contracts.governance.conftest import Signer
    pid = life.propose()
    life.activate(pid)
    # After the snapshot: promote an Associate, suspend a Full member, admit a newcomer.
    associate, full = signers[4], signers[0]
    membership.setTier(associate.address, FULL, {"from": admin})
    membership.suspend(full.address, {"from": admin})
    newcomer = Account.from_key(fresh_key())
    admit(STATE, FULL, account=newcomer.address)

    tx = governor.castMemberBallot(*ballot(associate, governor, pid, FOR), {"from": relayer})
    assert tx.return_value == raw_weight(ASSOCIATE)
    tx = governor.castMemberBallot(*ballot(full, governor, pid, FOR), {"from": relayer})
    assert tx.return_value == raw_weight(FULL)
    with reverts_with("GovernorNotVotingMember"):
        governor.castMemberBallot(*ballot(Signer(newcomer.address, newcomer.key), governor, pid, FOR), {"from": relayer})
    assert ints(governor.proposalVotes(pid)) == (0, raw_weight(ASSOCIATE) + raw_weight(FULL), 0)

    # A proposal made after the changes sees them.
    later = life.propose()
    life.activate(later)
    assert governor.castMemberBallot(*ballot(associate, governor, later, FOR), {"from": relayer}).return_value == raw_weight(FULL)
    with reverts_with("GovernorNotVotingMember"):
        governor.castMemberBallot(*ballot(full, governor, later, FOR), {"from": relayer})


def test_corporate_weight_is_capped_at_the_snapshot(governor, membership, active, signers, relayer):
    corp = signers[6]
    snapshot = governor.proposalSnapshot(active)
    expected = membership.getPastVotes(corp.address, snapshot)
    assert 0 < expected < raw_weight(FULL)  # the cap binds in this fixture
    assert governor.castMemberBallot(*ballot(corp, governor, active, FOR), {"from": relayer}).return_value == expected
    assert ints(governor.proposalStateVotes(active)) == (0, 0)  # corporates are not states


def test_ballot_before_voting_starts_is_rejected(governor, life, signers, relayer):
    pid = life.propose()
    with reverts_with("GovernorUnexpectedProposalState"):
        governor.castMemberBallot(*ballot(signers[0], governor, pid, FOR), {"from": relayer})


def test_contract_wallet_member_votes_with_erc1271(governor, life, admit, admin, relayer):
    from tests.contracts.governance.conftest import Signer
    owner = Account.from_key(fresh_key())
    wallet = TestMultisigWallet.deploy(owner.address, {"from": admin})
    admit(STATE, FULL, account=wallet.address)
    pid = life.propose()
    life.activate(pid)
    # A ballot for the wallet signed by a stranger is refused by the wallet.
    stranger = Account.from_key(fresh_key())
    with reverts_with("GovernorInvalidSignature"):
        governor.castMemberBallot(*ballot(Signer(stranger.address, stranger.key), governor, pid, FOR, voter=wallet.address), {"from": relayer})
    b = ballot(Signer(owner.address, owner.key), governor, pid, FOR, "multisig", voter=wallet.address)
    tx = governor.castMemberBallot(*b, {"from": relayer})
    assert tx.return_value == raw_weight(FULL)
    assert governor.hasVoted(pid, wallet.address)
    # The owner's key alone is not a member.
    assert not governor.hasVoted(pid, owner.address)
