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

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import IntEnum

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3.exceptions import ContractLogicError
from web3 import Web3
from web3.logs import DISCARD as _DISCARD

from ledger.chain import abi
from ledger.chain.reverts import register_renderer
from ledger.chain.text import decode_text
from ledger.chain.transactions import Signer
from ledger.errors import ChainUnavailable, ConfigError, ProposalClosed, TransactionReverted

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
    pass_bps: int = 5000  # the track's pass threshold it was created with: for >= pass_bps of for + against
    eta: int = 0  # a queued proposal: executable from this time (unix seconds); else 0
    number: int = 0  # its number in `read_proposals` (1 = first created); 0 when not known

    @property
    def label(self) -> str:
        """`proposal 5` (or its short id when its number is not known)."""
        return proposal_label(self.number, self.id)

    @property
    def named(self) -> str:
        """`proposal 5 (id 3082194073…4107)`: its number, and its id to check it by."""
        return f"{self.label} (id {short_id(self.id)})" if self.number else self.label

    @property
    def title(self) -> str:
        return self.description.strip().splitlines()[0].lstrip("# ") if self.description.strip() else ""

    @property
    def description_not_utf8(self) -> bool:
        """Whether the description's bytes are not UTF-8 (its text has replacement characters)."""
        return decode_text(self.description_bytes)[1]

    def to_json(self) -> dict:
        return {
            "number": self.number or None,
            "id": str(self.id), "track": self.track.name, "state": self.state.name, "proposer": self.proposer,
            "snapshot": self.snapshot, "deadline": self.deadline,
            "votes": {"against": self.against, "for": self.for_, "abstain": self.abstain},
            "states": {"for": self.states_for, "against": self.states_against}, "quorum": self.quorum,
            "passBps": self.pass_bps, "eta": self.eta or None,
            "title": self.title, "description": self.description,
            "descriptionNotUtf8": self.description_not_utf8, "block": self.block,
            "actions": [{"target": a.target, "value": a.value, "calldata": "0x" + a.calldata.hex()}
                        for a in self.actions],
        }


def proposal_label(number: int | None, proposal_id: int) -> str:
    """`proposal 5`, or `proposal 3082194073…4107` when its number is not known."""
    return f"proposal {number}" if number else f"proposal {short_id(proposal_id)}"


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


BPS = 10_000


@dataclass(frozen=True)
class Outcome:
    """A proposal's tally against its track's rules, as WaicoGovernor counts it: the quorum (for +
    abstain weight, at least `quorum`), the majority (more for than against, and for at least
    `pass_bps` of for + against) and, on the Constitutional track, the states' majority (more
    voting states for than against, by head count)."""

    quorum: int  # 0 while the snapshot is ahead (Pending): not fixed yet
    counted: int  # for + abstain: what the quorum counts
    quorum_reached: bool
    pass_bps: int
    for_bps: int | None  # for, in bps of for + against (None: no for or against votes)
    majority: bool
    states_needed: bool
    states_majority: bool

    @property
    def passes(self) -> bool:
        return self.quorum_reached and self.majority and (self.states_majority or not self.states_needed)

    def to_json(self) -> dict:
        return {"quorum": self.quorum, "quorumCounted": self.counted, "quorumReached": self.quorum_reached,
                "passBps": self.pass_bps, "forBps": self.for_bps, "majority": self.majority,
                "statesMajorityNeeded": self.states_needed, "statesMajority": self.states_majority,
                "passes": self.passes}


def outcome(p: Proposal) -> Outcome:
    """How `p`'s tally stands against its track's rules (WaicoGovernor's `_quorumReached` and
    `_voteSucceeded`)."""
    decided = p.for_ + p.against
    return Outcome(
        quorum=p.quorum, counted=p.for_ + p.abstain, quorum_reached=0 < p.quorum <= p.for_ + p.abstain,
        pass_bps=p.pass_bps, for_bps=p.for_ * BPS // decided if decided else None,
        majority=p.for_ > p.against and p.for_ * BPS >= p.pass_bps * decided,
        states_needed=p.track is Track.Constitutional, states_majority=p.states_for > p.states_against)


def percent(bps: int) -> str:
    """Basis points as a percentage: 5000 -> `50%`, 6667 -> `66.67%`."""
    return f"{bps / 100:g}%"


def _counted(p: Proposal) -> str:
    return f"{p.for_:,} for" + (f" + {p.abstain:,} abstain" if p.abstain else "")


def _threshold(p: Proposal, o: Outcome) -> str:
    share = f" ({percent(o.for_bps)} for, {percent(o.pass_bps)} needed)" if o.for_bps is not None else ""
    return f"{p.for_:,} for vs {p.against:,} against{share}"


def _states(p: Proposal) -> str:
    return f"{p.states_for} states for, {p.states_against} against"


def failures(p: Proposal) -> list[str]:
    """Why `p`'s tally does not pass (nothing when it does)."""
    o, why = outcome(p), []
    if not o.quorum_reached:
        why.append(f"quorum {o.quorum:,} not reached ({_counted(p)})")
    if not o.majority:
        why.append(_threshold(p, o) if p.for_ <= p.against else f"{_threshold(p, o)}: below the threshold")
    if o.states_needed and not o.states_majority:
        why.append(f"the states' majority failed ({_states(p)})")
    return why


def successes(p: Proposal) -> list[str]:
    """What `p`'s tally met (when it passes)."""
    o = outcome(p)
    met = [f"quorum {o.quorum:,} reached ({_counted(p)})", _threshold(p, o)]
    if o.states_needed:
        met.append(f"the states' majority ({_states(p)})")
    return met


def when(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: int) -> str:
    """`25 s`, `4 min 10 s`, `3 h 5 min`, `2 d 4 h`."""
    for unit, size, sub, sub_size in (("d", 86400, "h", 3600), ("h", 3600, "min", 60), ("min", 60, "s", 1)):
        if seconds >= size:
            rest = (seconds % size) // sub_size
            return f"{seconds // size} {unit}" + (f" {rest} {sub}" if rest else "")
    return f"{seconds} s"


def reason(p: Proposal, block: int, timestamp: int) -> str:
    """Why `p` is in its state, in a line, as of the chain's latest `block` and its `timestamp`."""
    s = p.state
    if s is ProposalState.Pending:
        return f"voting opens after block {p.snapshot} (now {block})"
    if s is ProposalState.Active:
        return f"voting closes at block {p.deadline} (now {block})"
    if s is ProposalState.Defeated:
        return "; ".join(failures(p)) or "defeated"
    if s is ProposalState.Succeeded:
        return "passed: " + "; ".join(successes(p))
    if s is ProposalState.Queued:
        if p.eta > timestamp:
            return f"executable from {when(p.eta)} (in {duration(p.eta - timestamp)})"
        return f"executable now (since {when(p.eta)})"
    if s is ProposalState.Executed:
        return "it passed and was executed; " + "; ".join(successes(p))
    if s is ProposalState.Canceled:
        return "canceled (by its proposer while Pending, or by the guardian)"
    return "expired"


def explain(p: Proposal, block: int, timestamp: int) -> str:
    """`proposal 5 is Defeated: quorum 5,529 not reached (650 for)`."""
    return f"{p.label} is {p.state.name}: {reason(p, block, timestamp)}"


def now(w3) -> tuple[int, int]:
    """The latest block's number and timestamp."""
    latest = w3.eth.get_block("latest")
    return latest["number"], latest["timestamp"]


def queue(signer: Signer, governor, proposal: Proposal):
    """Queue a Succeeded proposal; any other state is refused before sending, saying why."""
    return _lifecycle(signer, governor, proposal, "queue", "queueing")


def execute(signer: Signer, governor, proposal: Proposal):
    """Execute a Queued proposal whose timelock delay has passed; else refused before sending, saying why."""
    return _lifecycle(signer, governor, proposal, "execute", "executing")


def _ready(governor, p: Proposal, step: str) -> Proposal:
    """`p` read afresh; ProposalClosed saying why unless `step` (queue, execute) can go ahead now."""
    p = refresh(governor, p)
    block, timestamp = now(governor.w3)
    wanted = ProposalState.Succeeded if step == "queue" else ProposalState.Queued
    if p.state is not wanted or (step == "execute" and p.eta > timestamp):
        raise ProposalClosed(f"{explain(p, block, timestamp)}; not {step}d")
    return p


def _lifecycle(signer: Signer, governor, proposal: Proposal, step: str, doing: str):
    p = _ready(governor, proposal, step)
    try:
        return signer.send(getattr(governor.functions, step)(*_lifecycle_args(p)), f"{doing} {p.label}")
    except TransactionReverted:
        _ready(governor, p, step)  # the state changed meanwhile: say why
        raise


def _unexpected_state(args: tuple) -> str:
    """OpenZeppelin's `GovernorUnexpectedProposalState(proposalId, current, expectedStates)`,
    its states by name."""
    pid, current, expected = args
    bits = int.from_bytes(expected, "big") if isinstance(expected, bytes) else int(expected)
    wanted = [s.name for s in ProposalState if bits >> int(s) & 1]
    return f"proposal {short_id(pid)} is {ProposalState(current).name}; expected {' or '.join(wanted) or 'none'}"


register_renderer("GovernorUnexpectedProposalState", _unexpected_state)


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
    return [_read(governor, c, n) for n, c in enumerate(created, 1)]


def read_proposal(governor, from_block: int, proposal_id: int) -> Proposal:
    for p in read_proposals(governor, from_block):
        if p.id == proposal_id:
            return p
    raise ConfigError(f"no proposal {proposal_id} on this governor")


def _read(governor, c: _Created, number: int = 0) -> Proposal:
    pid = c.id
    _, _, pass_bps, _ = governor.functions.proposalParams(pid).call()
    return refresh(governor, Proposal(
        id=pid,
        track=described_track(c.description),  # bound to the id, as the contract reads it
        state=ProposalState.Pending,
        proposer=c.proposer,
        snapshot=c.vote_start,
        deadline=governor.functions.proposalDeadline(pid).call(),
        against=0, for_=0, abstain=0, states_for=0, states_against=0, quorum=0,
        description=decode_text(c.description)[0],
        actions=c.actions,
        block=c.block,
        description_bytes=c.description,
        pass_bps=pass_bps,
        number=number,
    ))


def refresh(governor, p: Proposal) -> Proposal:
    """`p` with what changes read afresh: its state, tally, quorum and (queued) eta."""
    pid = p.id
    against, for_, abstain = governor.functions.proposalVotes(pid).call()
    states_for, states_against = governor.functions.proposalStateVotes(pid).call()
    state = ProposalState(governor.functions.state(pid).call())
    eta = governor.functions.proposalEta(pid).call() if state is ProposalState.Queued else 0
    return replace(p, state=state, against=against, for_=for_, abstain=abstain, states_for=states_for,
                   states_against=states_against, quorum=_quorum(governor, pid), eta=eta)


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

