"""Checks a ballot must pass before it is signed or relayed, against the live chain."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.errors import BallotInvalid, NotAMember, ProposalClosed

from . import ballots
from .ballots import SignedBallot
from .governance import ProposalState, short_id


@dataclass(frozen=True)
class Eligibility:
    weight: int
    state: ProposalState
    already_voted: bool


def eligibility(governor, membership, proposal_id: int, voter: str) -> Eligibility:
    """The voter's weight at the proposal's snapshot, the proposal's state, and whether it voted."""
    try:
        state = ProposalState(governor.functions.state(proposal_id).call())
    except Exception:
        raise ProposalClosed(f"no proposal {proposal_id} on this governor") from None
    snapshot = governor.functions.proposalSnapshot(proposal_id).call()
    current = membership.functions.clock().call()
    weight = membership.functions.getPastVotes(voter, snapshot).call() if snapshot < current else \
        membership.functions.getVotes(voter).call()
    return Eligibility(weight, state, governor.functions.hasVoted(proposal_id, voter).call())


def require_can_vote(governor, membership, proposal_id: int, voter: str, source: str = "ballot",
                     open_now: bool = False, label: str | None = None) -> int:
    """Raise the one-line error that explains why `voter` cannot vote on the proposal; else its weight.

    A Pending proposal accepts signatures (ballots may be signed ahead); relaying needs it Active
    (`open_now`). `label` names the proposal (`proposal 5`; default: its short id).
    """
    e = eligibility(governor, membership, proposal_id, voter)
    name = label or f"proposal {short_id(proposal_id)}"
    if e.state is ProposalState.Pending and open_now:
        snapshot = governor.functions.proposalSnapshot(proposal_id).call()
        raise ProposalClosed(f"{source}: voting on {name} opens after block {snapshot}"
                             f" (now {membership.functions.clock().call()})")
    if e.state not in (ProposalState.Pending, ProposalState.Active):
        raise ProposalClosed(f"{source}: {name} is {e.state.name}; voting is closed")
    if e.weight == 0:
        raise NotAMember(f"{source}: {voter} has no vote on {name} "
                         "(not a voting member at its snapshot)")
    if e.already_voted:
        raise BallotInvalid(f"{source}: {voter} has already voted on {name}")
    return e.weight


def check_ballot(signed: SignedBallot, manifest, w3=None, source: str = "ballot") -> str:
    """Domain and signature checks (offline unless a contract wallet needs `w3`)."""
    governor = manifest.contracts.get("WaicoGovernor")
    if governor is None:
        raise BallotInvalid("the deployment has no governor")
    ballots.check_domain(signed, manifest.chain_id, governor.address, source)
    return ballots.check_signature(signed, w3, source)
