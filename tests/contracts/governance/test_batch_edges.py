"""Packed batches at their edges: malformed data reverts the batch, runs that count only
abstentions or nothing, ECDSA errors, and the gas a relayer must leave for a wallet's check."""

from brownie import TestMultisigWallet, accounts, web3
from eth_account import Account

from tests.contracts.conftest import FULL, STATE, fresh_key
from tests.contracts.governance.conftest import (
    ABSTAIN, FOR, SKIP_BAD_SIGNATURE, SKIP_BAD_SUPPORT, SKIP_NOT_MEMBER, Signer, ballot, cast_batch, counted, ints,
    pack, reverts_with, skipped,
)
from tests.contracts.reverts import error_selector


def _active(life):
    pid = life.propose()
    life.activate(pid)
    return pid


def test_malformed_batches_revert_whole(governor, life, signers, relayer):
    """Truncated run headers, ballot heads and signatures, for an active proposal (checked while
    collecting the voters) and for a pending one (checked while skipping its ballots)."""
    active = _active(life)
    pending = life.propose()
    for pid in (active, pending):
        good = pack(governor, [ballot(signers[0], governor, pid, FOR, "a reason")])
        for cut in (good[:20], good[:34 + 10], good[:-1]):
            with reverts_with("GovernorMalformedBallots"):
                governor.castMemberBallots(cut, {"from": relayer})
        # a run that claims more ballots than it holds
        longer = good[:32] + (2).to_bytes(2, "big") + good[34:]
        with reverts_with("GovernorMalformedBallots"):
            governor.castMemberBallots(longer, {"from": relayer})
    # a long-form signature whose length runs past the end
    head = pack(governor, [ballot(signers[1], governor, active, FOR)])[:34 + 23]
    bad = head[:34 + 20] + bytes([FOR | 0x80]) + head[34 + 21:] + (200).to_bytes(2, "big") + b"\x01" * 10
    with reverts_with("GovernorMalformedBallots"):
        governor.castMemberBallots(bad, {"from": relayer})


def test_a_run_of_abstentions_and_a_run_counting_nothing(governor, life, signers, relayer):
    first, second = _active(life), life.propose()
    life.activate(second)
    outsider = Account.from_key(fresh_key())
    batch = [ballot(s, governor, first, ABSTAIN) for s in signers[:2]]
    batch += [ballot(signers[2], governor, second, 5),
              ballot(Signer(outsider.address, outsider.key), governor, second, FOR)]
    tx = cast_batch(governor, batch, {"from": relayer})
    assert tx.return_value == 2
    assert ints(governor.proposalVotes(first))[:2] == (0, 0) and governor.proposalVotes(first)[2] > 0
    assert skipped(tx) == [(signers[2].address, SKIP_BAD_SUPPORT), (outsider.address, SKIP_NOT_MEMBER)]
    assert ints(governor.proposalVotes(second)) == (0, 0, 0)


def test_signatures_ecdsa_refuses_are_skipped(governor, life, signers, relayer):
    """A zeroed 65-byte signature and a compact one with a high s: ECDSA errors, not mismatches."""
    pid = _active(life)
    high_s = bytes(32) + (0xFF).to_bytes(1, "big") * 32  # s above half the curve order
    batch = [(pid, FOR, signers[0].address, "", "0x" + "00" * 65),
             (pid, FOR, signers[1].address, "", "0x" + high_s.hex() + "1b"),
             ballot(signers[2], governor, pid, FOR)]
    tx = cast_batch(governor, batch, {"from": relayer})
    assert tx.return_value == 1
    assert skipped(tx) == [(signers[0].address, SKIP_BAD_SIGNATURE), (signers[1].address, SKIP_BAD_SIGNATURE)]


def test_a_relayer_must_leave_the_wallet_its_gas(governor, life, admit, admin, relayer):
    """With too little gas left for a wallet's ERC-1271 check the batch reverts, rather than skip
    the wallet's ballot as invalid; with enough, it counts."""
    owner = Account.from_key(fresh_key())
    wallet = TestMultisigWallet.deploy(owner.address, {"from": admin})
    admit(STATE, FULL, account=wallet.address)
    pid = _active(life)
    packed = pack(governor, [ballot(Signer(owner.address, owner.key), governor, pid, FOR, voter=wallet.address)])
    data = governor.castMemberBallots.encode_input(packed)
    needed = web3.eth.estimate_gas({"from": relayer.address, "to": governor.address, "data": data})
    short = {"from": relayer.address, "to": governor.address, "data": data, "gas": hex(needed - 12_000)}
    answer = web3.provider.make_request("eth_call", [short, "latest"])
    assert answer["error"]["data"][:10] == "0x" + error_selector(governor.abi, "GovernorWalletGasShort").hex()
    try:  # on chain too (so coverage sees the guard's side)
        governor.castMemberBallots(packed, {"from": relayer, "gas_limit": needed - 12_000, "allow_revert": True})
    except Exception:
        pass
    assert not governor.hasVoted(pid, wallet.address)
    tx = governor.castMemberBallots(packed, {"from": relayer, "gas_limit": needed + 20_000})
    assert [v for v, _, _ in counted(tx)] == [wallet.address]


def test_compact_signatures_ecdsa_refuses_are_skipped(governor, life, signers, relayer):
    """64-byte (EIP-2098) signatures: a high s (the malleated twin of a valid one), one the
    precompile cannot recover (r = 0) and a valid one by another key are skipped; the genuine
    compact signature counts, and so does a genuine 65-byte one relayed in the long form."""
    pid = _active(life)
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

    def packed_one(voter, sig64):
        return bytes.fromhex(str(voter)[2:]) + bytes([FOR]) + (0).to_bytes(2, "big") + sig64

    genuine = bytes.fromhex(ballot(signers[0], governor, pid, FOR)[4][2:])
    r, s, v = genuine[:32], int.from_bytes(genuine[32:64], "big"), genuine[64]
    high_s = r + (((v - 27) ^ 1) << 255 | (n - s)).to_bytes(32, "big")
    unrecoverable = bytes(32) + (1).to_bytes(32, "big")
    other = Account.from_key(fresh_key())
    forged = bytes.fromhex(ballot(Signer(signers[1].address, other.key), governor, pid, FOR)[4][2:])
    forged64 = forged[:32] + ((forged[64] - 27) << 255 | int.from_bytes(forged[32:64], "big")).to_bytes(32, "big")
    compact = r + ((v - 27) << 255 | s).to_bytes(32, "big")
    long_form = ballot(signers[3], governor, pid, FOR)  # a genuine 65-byte signature in the long form
    ballots = [packed_one(signers[0].address, high_s), packed_one(signers[2].address, unrecoverable),
               packed_one(signers[1].address, forged64), packed_one(signers[0].address, compact),
               bytes.fromhex(signers[3].address[2:]) + bytes([FOR | 0x80]) + (0).to_bytes(2, "big")
               + (65).to_bytes(2, "big") + bytes.fromhex(long_form[4][2:])]
    data = int(pid).to_bytes(32, "big") + len(ballots).to_bytes(2, "big") + b"".join(ballots)
    tx = governor.castMemberBallots(data, {"from": relayer})
    assert tx.return_value == 2
    assert skipped(tx) == [(signers[0].address, SKIP_BAD_SIGNATURE), (signers[2].address, SKIP_BAD_SIGNATURE),
                           (signers[1].address, SKIP_BAD_SIGNATURE)]
    assert [v for v, _, _ in counted(tx)] == [signers[0].address, signers[3].address]
