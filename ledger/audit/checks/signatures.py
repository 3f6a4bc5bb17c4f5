"""Check "signatures": the ballot, or the sender, behind every mirrored vote.

The transaction behind each vote (fetched once each, in batches) is decoded with the
governor's ABI: a relayed ballot (`castMemberBallot(s)`) must hold the voter's ballot for the
proposal, with the vote's support and reason, under the voter's EIP-712 signature (verified
again: ECDSA offline, ERC-1271 by asking the contract wallet); a direct vote
(`castVote...`) must be sent by the voter, with the vote's proposal, support and reason.
"""

from __future__ import annotations

from eth_abi import decode as abi_decode
from eth_utils import to_checksum_address
from web3 import Web3

from ledger.chain import abi
from ledger.chain.manifest import Manifest
from ledger.errors import BallotInvalid
from ledger.mirror.read import MirrorReader
from ledger.org.ballots import Ballot, SignedBallot, Support, check_signature, expand_signature, unpack_batch

from ..chain import ChainReader
from ..report import CheckResult
from .votes import mirrored_votes, proposal

NAME = "signatures"
TITLE = "every vote's ballot signature or sender"
GOVERNOR = "WaicoGovernor"
RELAYED = ("castMemberBallots", "castMemberBallot")
DIRECT = ("castVote", "castVoteWithReason", "castVoteWithReasonAndParams")


def _calls(txs: dict[str, dict | None], manifest: Manifest) -> dict[str, tuple[str, tuple] | None]:
    """Each transaction's call of the governor, decoded: (function, arguments); None when the
    governor was not called directly (a contract called it) or the call cannot be decoded."""
    governor = manifest.contracts[GOVERNOR]
    selectors = {abi.selector(item): (item["name"], abi.input_types(item))
                 for item in abi.items(governor.abi, "function")}
    calls: dict[str, tuple[str, tuple] | None] = {}
    for h, tx in txs.items():
        calls[h] = None
        if tx is None or (tx.get("to") or "").lower() != governor.address.lower():
            continue
        data = bytes.fromhex(tx["input"][2:])
        known = selectors.get(data[:4])
        if known:
            try:
                calls[h] = (known[0], abi_decode(known[1], data[4:]))
            except Exception:
                pass
    return calls


def _relayed(packed: bytes) -> list[tuple]:
    """The ballots of a packed batch (none if it does not parse: each vote is then a finding)."""
    try:
        return unpack_batch(packed)
    except BallotInvalid:
        return []


def check(mirror: MirrorReader, reader: ChainReader, w3: Web3, manifest: Manifest) -> CheckResult:
    result = CheckResult(NAME, TITLE)
    governor = manifest.contracts[GOVERNOR].address
    votes = mirrored_votes(mirror)
    txs = reader.transactions(v.tx_hash for v in votes)
    calls = _calls(txs, manifest)
    verified: dict[tuple, str] = {}  # a ballot's verification, once per ballot
    for v in votes:
        tx = txs.get(v.tx_hash)
        if tx is None:
            result.find(v.where, f"the vote's transaction {v.tx_hash} is not on the chain")
            continue
        call = calls.get(v.tx_hash)
        if call is None:
            result.count("not re-verified (the governor was called by a contract)")
            continue
        name, args = call
        if name in RELAYED:
            candidates = _relayed(bytes(args[0])) if name == "castMemberBallots" else [tuple(args)]
            mine = [b for b in candidates if b[0] == v.proposal_id and b[2].lower() == v.voter]
            if not mine:
                result.find(v.where, f"{v.voter}'s vote on {proposal(v.proposal_id)} is not among the ballots of "
                                     f"tx {v.tx_hash}")
                continue
            problems = []
            for pid, support, voter, reason, signature in mine:
                key = (pid, support, voter.lower(), reason, bytes(signature))
                if key not in verified:
                    ballot = Ballot(manifest.chain_id, governor, pid,
                                    Support(support) if support in tuple(Support) else support,
                                    to_checksum_address(voter), reason)
                    try:
                        verified[key] = check_signature(SignedBallot(ballot, expand_signature(bytes(signature))), w3)
                    except BallotInvalid:
                        verified[key] = "invalid"
                if verified[key] == "invalid":
                    problems.append("its signature is not the voter's")
                elif support != v.support or reason != v.reason:
                    problems.append(f"the signed ballot says support {support} reason {reason!r}, the vote "
                                    f"support {v.support} reason {v.reason!r}")
                else:
                    result.count(f"ballots re-verified ({verified[key]})")
                    break
            else:
                result.find(v.where, f"{v.voter} on {proposal(v.proposal_id)}: " + "; ".join(problems))
        elif name in DIRECT:
            pid, support = args[0], args[1]
            reason = args[2] if len(args) > 2 else ""
            sender = (tx.get("from") or "").lower()
            if sender != v.voter:
                result.find(v.where, f"a direct vote for {v.voter} sent by {sender}")
            elif (pid, support, reason) != (v.proposal_id, v.support, v.reason):
                result.find(v.where, f"the transaction votes {(pid, support, reason)}, the vote says "
                                     f"{(v.proposal_id, v.support, v.reason)}")
            else:
                result.count("direct votes (sender is the voter)")
        elif name.endswith("BySig"):
            result.count("not re-verified (OpenZeppelin castVoteBySig)")
        else:
            result.find(v.where, f"a vote in a call to {name}, which casts no vote")
    return result
