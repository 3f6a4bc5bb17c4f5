"""Proposals and their lifecycle on the WAICO Governor; relaying signed ballots in batches."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eth_utils import keccak
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD as _DISCARD

from ledger.chain.transactions import Signer

from .ballots import SignedBallot, pack_batch


class Track(IntEnum):
    Ordinary = 0
    RapidResponse = 1
    Constitutional = 2

    @classmethod
    def parse(cls, text: str) -> "Track":
        key = text.replace("-", "").replace("_", "").lower()
        for track in cls:
            if track.name.lower() == key:
                return track
        from ledger.errors import ConfigError

        raise ConfigError(f"unknown track {text!r}: ordinary, rapid-response or constitutional")


class ProposalState(IntEnum):
    Pending = 0
    Active = 1
    Canceled = 2
    Defeated = 3
    Succeeded = 4
    Queued = 5
    Expired = 6
    Executed = 7


@dataclass(frozen=True)
class Action:
    target: str
    value: int
    calldata: bytes


@dataclass(frozen=True)
class Proposal:
    id: int
    track: Track
    state: ProposalState
    proposer: str
    snapshot: int
    deadline: int
    against: int
    for_: int
    abstain: int
    states_for: int
    states_against: int
    quorum: int
    description: str
    actions: tuple[Action, ...]
    block: int

    @property
    def title(self) -> str:
        return self.description.strip().splitlines()[0].lstrip("# ") if self.description.strip() else ""

    def to_json(self) -> dict:
        return {
            "id": str(self.id), "track": self.track.name, "state": self.state.name, "proposer": self.proposer,
            "snapshot": self.snapshot, "deadline": self.deadline,
            "votes": {"against": self.against, "for": self.for_, "abstain": self.abstain},
            "states": {"for": self.states_for, "against": self.states_against}, "quorum": self.quorum,
            "title": self.title, "description": self.description, "block": self.block,
            "actions": [{"target": a.target, "value": a.value, "calldata": "0x" + a.calldata.hex()}
                        for a in self.actions],
        }


def short_id(proposal_id: int) -> str:
    """A proposal id (a 77-digit hash) short enough to read: `3082194073…4107`."""
    text = str(proposal_id)
    return text if len(text) <= 14 else f"{text[:10]}…{text[-4:]}"


def description_hash(description: str) -> bytes:
    return keccak(text=description)


def propose(signer: Signer, governor, track: Track, actions: list[Action], description: str) -> int:
    """Submit a proposal on `track`; return its id."""
    args = ([a.target for a in actions], [a.value for a in actions], [a.calldata for a in actions], description)
    receipt = signer.send(governor.functions.proposeOnTrack(int(track), *args), f"proposing on the {track.name} track")
    return _proposal_id_from(governor, receipt)


def _proposal_id_from(governor, receipt) -> int:
    for event in governor.events.ProposalCreated().process_receipt(receipt, errors=_DISCARD):
        return event["args"]["proposalId"]
    raise RuntimeError("no ProposalCreated event in the proposal's receipt")


def queue(signer: Signer, governor, proposal: Proposal):
    return signer.send(governor.functions.queue(*_lifecycle_args(proposal)), f"queueing proposal {proposal.id}")


def execute(signer: Signer, governor, proposal: Proposal):
    return signer.send(governor.functions.execute(*_lifecycle_args(proposal)), f"executing proposal {proposal.id}")


def _lifecycle_args(p: Proposal):
    return ([a.target for a in p.actions], [a.value for a in p.actions], [a.calldata for a in p.actions],
            description_hash(p.description))


def read_proposals(governor, from_block: int) -> list[Proposal]:
    """Every proposal made since `from_block`, with its current state and tally."""
    events = governor.events.ProposalCreated().get_logs(from_block=from_block)
    return [_read(governor, e) for e in events]


def read_proposal(governor, from_block: int, proposal_id: int) -> Proposal:
    for p in read_proposals(governor, from_block):
        if p.id == proposal_id:
            return p
    from ledger.errors import ConfigError

    raise ConfigError(f"no proposal {proposal_id} on this governor")


def _read(governor, event) -> Proposal:
    a = event["args"]
    pid = a["proposalId"]
    against, for_, abstain = governor.functions.proposalVotes(pid).call()
    states_for, states_against = governor.functions.proposalStateVotes(pid).call()
    return Proposal(
        id=pid,
        track=Track(governor.functions.proposalTrack(pid).call()),
        state=ProposalState(governor.functions.state(pid).call()),
        proposer=a["proposer"],
        snapshot=a["voteStart"],
        deadline=governor.functions.proposalDeadline(pid).call(),
        against=against, for_=for_, abstain=abstain, states_for=states_for, states_against=states_against,
        quorum=_quorum(governor, pid),
        description=a["description"],
        actions=tuple(Action(t, v, bytes(c)) for t, v, c in zip(a["targets"], a["values"], a["calldatas"])),
        block=event["blockNumber"],
    )


def _quorum(governor, pid: int) -> int:
    """The proposal's quorum, or 0 while its snapshot is still in the future (Pending)."""
    try:
        return governor.functions.proposalQuorum(pid).call()
    except ContractLogicError:
        return 0


@dataclass(frozen=True)
class RelayOutcome:
    """What became of one relayed ballot."""

    signed: SignedBallot
    counted: bool
    weight: int = 0
    skip_reason: str | None = None
    tx_hash: str | None = None


# WaicoGovernor.SkipReason, in order
SKIP_REASONS = ["ProposalNotActive", "InvalidSignature", "InvalidSupport", "NotVotingMember", "AlreadyVoted"]


# WaicoGovernor.WALLET_GAS: what a contract wallet's ERC-1271 check may spend per ballot
WALLET_GAS = 50_000
_PAST_SEATS_ABI = [{
    "type": "function", "name": "pastSeats", "stateMutability": "view",
    "inputs": [{"name": "accounts", "type": "address[]"}, {"name": "timepoint", "type": "uint256"}],
    "outputs": [{"name": "", "type": "uint256[]"}],  # index << 8 | class
}]


def relay(signer: Signer, governor, ballots: list[SignedBallot], batch_size: int = 100,
          on_batch=lambda done, total: None) -> list[RelayOutcome]:
    """Relay ballots in packed batches (`castMemberBallots`), sending all batches before waiting.

    Ballots are always grouped by proposal and sorted by member index, then cut into batches of
    about equal size (at most `batch_size`): the contract reads a proposal's state, weights and
    tally once per run of its ballots, and each has-voted word once per 256 members, so a batch
    of 50 ballots over four proposals costs as four runs, not fifty. Ballots a contract wallet
    signed get WALLET_GAS of headroom each, which a relayer's gas estimate cannot see.
    Returns one outcome per ballot, in the order given: counted with its weight, or skipped with why.
    """
    if not ballots:
        return []
    ordered = _grouped(signer, governor, ballots)
    count = -(-len(ordered) // batch_size)
    size = -(-len(ordered) // count)
    batches = [ordered[i:i + size] for i in range(0, len(ordered), size)]
    hashes = []
    for batch in batches:
        runs: dict[int, list[SignedBallot]] = {}
        for b in batch:
            runs.setdefault(b.ballot.proposal_id, []).append(b)
        call = governor.functions.castMemberBallots(pack_batch(list(runs.items())))
        hashes.append(signer.send(call, "relaying ballots", gas=_batch_gas(signer, call, batch), wait=False))
    by_key: dict[tuple, list[RelayOutcome]] = {}
    done = 0
    for batch, tx_hash in zip(batches, hashes):
        receipt = signer.wait(tx_hash, "relaying ballots")
        for outcome in _outcomes(governor, batch, receipt):
            by_key.setdefault(_key(outcome.signed), []).append(outcome)
        done += len(batch)
        on_batch(done, len(ballots))
    return [by_key[_key(b)].pop(0) for b in ballots]


def _key(signed: SignedBallot) -> tuple:
    b = signed.ballot
    return (b.proposal_id, b.voter, int(b.support), b.reason, signed.signature)


def _grouped(signer: Signer, governor, ballots: list[SignedBallot]) -> list[SignedBallot]:
    """The ballots by proposal (in order of first appearance), each proposal's by member index."""
    voters = sorted({b.ballot.voter for b in ballots})
    index = {v: 0 for v in voters}
    try:
        membership = signer.w3.eth.contract(address=governor.functions.token().call(), abi=_PAST_SEATS_ABI)
        latest = signer.w3.eth.block_number
        seats = membership.functions.pastSeats(voters, max(latest - 1, 0)).call()
        index = {v: seat >> 8 for v, seat in zip(voters, seats)}
    except Exception:  # a node that cannot answer: grouping alone still holds
        pass
    first = {}
    for b in ballots:
        first.setdefault(b.ballot.proposal_id, len(first))
    return sorted(ballots, key=lambda b: (first[b.ballot.proposal_id], index[b.ballot.voter]))


def _batch_gas(signer: Signer, call, batch: list[SignedBallot]) -> int | None:
    """None (the signer estimates) unless wallets signed some ballots: then estimate plus headroom."""
    wallets = sum(1 for b in batch if b.recovered_signer() != b.ballot.voter)
    if not wallets:
        return None
    try:
        estimate = signer.w3.eth.estimate_gas({"from": signer.address, "to": call.address,
                                                "data": call._encode_transaction_data()})
    except Exception:
        return None  # the signer's own estimate reports the revert
    return int(estimate * 1.2) + 20_000 + wallets * (WALLET_GAS + 10_000)


def _outcomes(governor, batch: list[SignedBallot], receipt) -> list[RelayOutcome]:
    counted = {(e["args"]["proposalId"], e["args"]["voter"]): e["args"]["weight"]
               for e in governor.events.VoteCast().process_receipt(receipt, errors=_DISCARD)}
    skipped = {(e["args"]["proposalId"], e["args"]["voter"]): e["args"]["reason"]
               for e in governor.events.BallotSkipped().process_receipt(receipt, errors=_DISCARD)}
    tx = "0x" + bytes(receipt["transactionHash"]).hex()
    out = []
    for b in batch:
        key = (b.ballot.proposal_id, b.ballot.voter)
        if key in counted:
            out.append(RelayOutcome(b, True, counted.pop(key), tx_hash=tx))
        else:
            code = skipped.get(key)
            reason = SKIP_REASONS[code] if code is not None and code < len(SKIP_REASONS) else "skipped"
            out.append(RelayOutcome(b, False, skip_reason=reason, tx_hash=tx))
    return out

