"""Proposals and their lifecycle on the WAICO Governor; relaying signed ballots in batches.

Proposals are read from their `ProposalCreated` logs, which the node could forge or reorder:
each log must hash to its proposal id (OpenZeppelin's `hashProposal`: targets, values,
calldatas and the description's bytes; the track is the description's `#track=` suffix, so it
is bound too), so a harmless title cannot front another proposal's actions. Proposals are
numbered by their place in the chain (block, log index), as the node states it: a number is
the node's to give, the id is what a ballot is for. A description is anyone's bytes: its text
is decoded with U+FFFD where it is not UTF-8 (and says so), while queue and execute hash its
exact bytes, as the contract does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3.exceptions import ContractLogicError
from web3 import Web3
from web3.logs import DISCARD as _DISCARD

from ledger.chain import abi
from ledger.chain.text import decode_text
from ledger.chain.transactions import Signer
from ledger.errors import ChainUnavailable, ConfigError

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
    description: str  # its text (U+FFFD where its bytes are not UTF-8)
    actions: tuple[Action, ...]
    block: int
    description_bytes: bytes = b""  # exactly as proposed: what the proposal id hashes

    @property
    def title(self) -> str:
        return self.description.strip().splitlines()[0].lstrip("# ") if self.description.strip() else ""

    @property
    def description_not_utf8(self) -> bool:
        """Whether the description's bytes are not UTF-8 (its text has replacement characters)."""
        return decode_text(self.description_bytes)[1]

    def to_json(self) -> dict:
        return {
            "id": str(self.id), "track": self.track.name, "state": self.state.name, "proposer": self.proposer,
            "snapshot": self.snapshot, "deadline": self.deadline,
            "votes": {"against": self.against, "for": self.for_, "abstain": self.abstain},
            "states": {"for": self.states_for, "against": self.states_against}, "quorum": self.quorum,
            "title": self.title, "description": self.description,
            "descriptionNotUtf8": self.description_not_utf8, "block": self.block,
            "actions": [{"target": a.target, "value": a.value, "calldata": "0x" + a.calldata.hex()}
                        for a in self.actions],
        }


def short_id(proposal_id: int) -> str:
    """A proposal id (a 77-digit hash) short enough to read: `3082194073…4107`."""
    text = str(proposal_id)
    return text if len(text) <= 14 else f"{text[:10]}…{text[-4:]}"


# GovernorTracks: the description suffixes that name a track (Ordinary has none)
TRACK_SUFFIXES = {Track.RapidResponse: b"#track=rapid-response", Track.Constitutional: b"#track=constitutional"}


def described_track(description: bytes) -> Track:
    """The track a description names by its suffix, as `GovernorTracks.describedTrack` reads it."""
    for track, suffix in TRACK_SUFFIXES.items():
        if description.endswith(suffix):
            return track
    return Track.Ordinary


def on_track(track: Track, description: str) -> bytes:
    """The description as `proposeOnTrack` stores it: with the track's suffix unless it has it."""
    raw = description.encode()
    if track is not Track.Ordinary and described_track(raw) is not track:
        raw += b"\n\n" + TRACK_SUFFIXES[track]
    return raw


def proposal_id(actions: list[Action] | tuple[Action, ...], description: bytes) -> int:
    """OpenZeppelin's `hashProposal`: keccak256(abi.encode(targets, values, calldatas,
    keccak256(description))) as a uint256."""
    encoded = abi_encode(["address[]", "uint256[]", "bytes[]", "bytes32"],
                         [[a.target for a in actions], [a.value for a in actions], [a.calldata for a in actions],
                          keccak(description)])
    return int.from_bytes(keccak(encoded), "big")


def propose(signer: Signer, governor, track: Track, actions: list[Action], description: str) -> int:
    """Submit a proposal on `track`; return its id (computed here, and found in the receipt)."""
    args = ([a.target for a in actions], [a.value for a in actions], [a.calldata for a in actions], description)
    receipt = signer.send(governor.functions.proposeOnTrack(int(track), *args), f"proposing on the {track.name} track")
    expected = proposal_id(actions, on_track(track, description))
    for log in receipt["logs"]:
        if log["address"] == governor.address and log["topics"] and bytes(log["topics"][0]) == _created_topic(governor):
            if _created(governor, log).id == expected:
                return expected
    raise ChainUnavailable(f"the receipt of the proposal's transaction has no ProposalCreated log of proposal "
                           f"{expected}: the node's answers are wrong")


def queue(signer: Signer, governor, proposal: Proposal):
    return signer.send(governor.functions.queue(*_lifecycle_args(proposal)), f"queueing proposal {proposal.id}")


def execute(signer: Signer, governor, proposal: Proposal):
    return signer.send(governor.functions.execute(*_lifecycle_args(proposal)), f"executing proposal {proposal.id}")


def _lifecycle_args(p: Proposal):
    return ([a.target for a in p.actions], [a.value for a in p.actions], [a.calldata for a in p.actions],
            keccak(p.description_bytes))


@dataclass(frozen=True)
class _Created:
    """A ProposalCreated log, decoded (its description as bytes) and checked against its id."""

    id: int
    proposer: str
    actions: tuple[Action, ...]
    vote_start: int
    description: bytes
    block: int
    log_index: int


def _created_item(governor) -> dict:
    return next(i for i in abi.items(governor.abi, "event") if i["name"] == "ProposalCreated")


def _created_topic(governor) -> bytes:
    return abi.topic(_created_item(governor))


def _created(governor, log) -> _Created:
    """A ProposalCreated log, refused (ChainUnavailable) unless it hashes to its proposal id."""
    item = _created_item(governor)
    names = [i["name"] for i in item["inputs"]]
    try:
        values = abi_decode([abi.strings_as_bytes(abi.canonical_type(i)) for i in item["inputs"]], bytes(log["data"]))
    except Exception:  # eth-abi's decoding errors share no base class
        raise ChainUnavailable(f"a ProposalCreated log in block {log['blockNumber']} does not decode: the node's "
                               "answers are wrong") from None
    a = dict(zip(names, values))
    actions = tuple(Action(Web3.to_checksum_address(t), v, bytes(c))
                    for t, v, c in zip(a["targets"], a["values"], a["calldatas"]))
    created = _Created(a["proposalId"], Web3.to_checksum_address(a["proposer"]), actions, a["voteStart"],
                       bytes(a["description"]), log["blockNumber"], log["logIndex"])
    if len({len(a["targets"]), len(a["values"]), len(a["calldatas"])}) != 1 or \
            proposal_id(actions, created.description) != created.id:
        raise ChainUnavailable(f"the node's ProposalCreated log for proposal {created.id} (block {created.block}) "
                               "does not hash to that id: its actions or description were altered; not trusting it")
    return created


def read_proposals(governor, from_block: int) -> list[Proposal]:
    """Every proposal made since `from_block`, in chain order, with its current state and tally
    (each checked against its id: ChainUnavailable when the node's logs do not hash to it)."""
    logs = governor.w3.eth.get_logs({"address": governor.address, "fromBlock": from_block, "toBlock": "latest",
                                     "topics": ["0x" + _created_topic(governor).hex()]})
    created = sorted((_created(governor, log) for log in logs), key=lambda c: (c.block, c.log_index))
    if len({c.id for c in created}) != len(created):
        raise ChainUnavailable("the node answers with one proposal twice: its answers are wrong")
    return [_read(governor, c) for c in created]


def read_proposal(governor, from_block: int, proposal_id: int) -> Proposal:
    for p in read_proposals(governor, from_block):
        if p.id == proposal_id:
            return p
    raise ConfigError(f"no proposal {proposal_id} on this governor")


def _read(governor, c: _Created) -> Proposal:
    pid = c.id
    against, for_, abstain = governor.functions.proposalVotes(pid).call()
    states_for, states_against = governor.functions.proposalStateVotes(pid).call()
    return Proposal(
        id=pid,
        track=described_track(c.description),  # bound to the id, as the contract reads it
        state=ProposalState(governor.functions.state(pid).call()),
        proposer=c.proposer,
        snapshot=c.vote_start,
        deadline=governor.functions.proposalDeadline(pid).call(),
        against=against, for_=for_, abstain=abstain, states_for=states_for, states_against=states_against,
        quorum=_quorum(governor, pid),
        description=decode_text(c.description)[0],
        actions=c.actions,
        block=c.block,
        description_bytes=c.description,
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
    """None (the signer estimates) unless wallets signed some ballots: then estimate plus
    headroom (the signer keeps it within the per-transaction cap)."""
    wallets = sum(1 for b in batch if b.recovered_signer() != b.ballot.voter)
    if not wallets:
        return None
    estimate = signer.estimate(call, "relaying ballots")  # a revert, or an estimate beyond the cap, raises
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

