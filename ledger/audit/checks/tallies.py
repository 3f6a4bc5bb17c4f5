"""Check "tallies": every proposal re-counted from the mirrored votes.

Per proposal (the `proposal_created` table), its votes (`vote`) summed by support against
the governor's `proposalVotes`, its voting states by head count (kinds from `member_event`)
against `proposalStateVotes`, each vote's weight against `getPastVotes` at the snapshot, and a
closed proposal's outcome against its track's rules (quorum, pass threshold, and for the
constitutional track the double majority). All chain reads in two batches.
"""

from __future__ import annotations

from collections import defaultdict

from eth_utils import to_checksum_address

from ledger.mirror.read import MirrorReader
from ledger.mirror.typed import MEMBER_EVENTS, MemberEvent, ProposalCreated
from ledger.org.ballots import Support
from ledger.org.governance import ProposalState, Track
from ledger.org.membership import Kind

from ..chain import ChainReader
from ..report import CheckResult
from .votes import Vote, mirrored_votes, proposal

NAME = "tallies"
TITLE = "tallies re-counted from mirrored votes"
GOVERNOR, MEMBERSHIP = "WaicoGovernor", "Membership"
PASSED = {ProposalState.Succeeded, ProposalState.Queued, ProposalState.Executed, ProposalState.Expired}
CLOSED = PASSED | {ProposalState.Defeated}
READS = ["proposalVotes", "proposalStateVotes", "proposalSnapshot", "proposalQuorum", "proposalParams", "state"]


def admitted_kinds(mirror: MirrorReader) -> dict[str, str]:
    """Each admitted account's kind, by name ('State', 'Corporate')."""
    admitted = MEMBER_EVENTS["MemberAdmitted"]
    return {str(r.account).lower(): r.kind for r in mirror.rows(MemberEvent) if r.event == admitted}


def check(mirror: MirrorReader, reader: ChainReader) -> CheckResult:
    result = CheckResult(NAME, TITLE)
    ids = sorted({int(r.proposal_id) for r in mirror.rows(ProposalCreated) if str(r.proposal_id).isdigit()})
    kinds = admitted_kinds(mirror)
    votes = mirrored_votes(mirror)
    by_proposal: dict[int, list[Vote]] = defaultdict(list)
    for v in votes:
        by_proposal[v.proposal_id].append(v)
    for pid in sorted(set(by_proposal) - set(ids)):
        result.find(proposal(pid), f"{len(by_proposal[pid])} votes for a proposal the mirror never saw created")

    answers = reader.calls([(GOVERNOR, fn, [pid]) for pid in ids for fn in READS])
    on_chain = {pid: dict(zip(READS, answers[i * len(READS):(i + 1) * len(READS)])) for i, pid in enumerate(ids)}
    _check_weights(result, votes, on_chain, reader)
    for pid in ids:
        _check_proposal(result, pid, by_proposal.get(pid, []), on_chain[pid], kinds)
    return result


def _check_weights(result: CheckResult, votes: list[Vote], on_chain: dict, reader: ChainReader) -> None:
    snapshot = {pid: chain["proposalSnapshot"][0] for pid, chain in on_chain.items() if chain["proposalSnapshot"]}
    wanted = sorted({(v.voter, snapshot[v.proposal_id]) for v in votes if v.proposal_id in snapshot})
    past = dict(zip(wanted, reader.calls([(MEMBERSHIP, "getPastVotes", [to_checksum_address(a), s])
                                           for a, s in wanted])))
    for v in votes:
        if v.proposal_id not in snapshot:
            continue
        result.count("weights")
        weight = past.get((v.voter, snapshot[v.proposal_id]))
        if weight is None or weight[0] != v.weight:
            result.find(v.where, f"{v.voter} voted on {proposal(v.proposal_id)} with weight {v.weight}, "
                                 f"getPastVotes at the snapshot is {weight[0] if weight else 'unreadable'}")


def _check_proposal(result: CheckResult, pid: int, votes: list[Vote], chain: dict, kinds: dict[str, str]) -> None:
    subject = proposal(pid)
    result.count("proposals")
    tally = {s: 0 for s in Support}
    states_for = states_against = 0
    seen: set[str] = set()
    for v in votes:
        result.count("votes")
        if v.voter in seen:
            result.find(subject, f"{v.voter} is counted twice (again at {v.where})")
        seen.add(v.voter)
        if v.support not in tuple(Support):
            result.find(v.where, f"support {v.support} is not against, for or abstain")
            continue
        tally[Support(v.support)] += v.weight
        if kinds.get(v.voter) == Kind.State.name:
            states_for += v.support == Support.For
            states_against += v.support == Support.Against
        elif v.voter not in kinds:
            result.find(v.where, f"{v.voter} voted but was never admitted")
    if chain["proposalVotes"] is None or chain["proposalStateVotes"] is None:
        result.find(subject, "the governor does not answer for this proposal")
        return
    counted = (tally[Support.Against], tally[Support.For], tally[Support.Abstain])
    if tuple(chain["proposalVotes"]) != counted:
        result.find(subject, f"tally (against, for, abstain) re-counted {counted} but the governor has "
                             f"{tuple(chain['proposalVotes'])}")
    if tuple(chain["proposalStateVotes"]) != (states_for, states_against):
        result.find(subject, f"states (for, against) re-counted {(states_for, states_against)} but the governor "
                             f"has {tuple(chain['proposalStateVotes'])}")
    state = chain["state"][0] if chain["state"] else None
    if state in CLOSED and chain["proposalQuorum"] and chain["proposalParams"]:
        result.count("outcomes")
        track, _, pass_bps, _ = chain["proposalParams"]
        against, for_, abstain = counted
        passes = (for_ + abstain >= chain["proposalQuorum"][0]
                  and for_ > against and for_ * 10_000 >= pass_bps * (for_ + against)
                  and (track != Track.Constitutional or states_for > states_against))
        if passes != (state in PASSED):
            result.find(subject, f"the governor says {ProposalState(state).name}, but the re-counted votes "
                                 f"{'pass' if passes else 'fail'} the {_track(track)} track's rules")


def _track(track: int) -> str:
    return Track(track).name if track in tuple(Track) else f"#{track}"
