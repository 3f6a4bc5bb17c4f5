"""Proposal tracks: lifecycle on every track, thresholds, double majority, constitutional calls,
rapid-response role, track parameters and the guardian."""

import pytest
from brownie import ZERO_ADDRESS, SharingPlatform, accounts, chain, web3

from ledger.org.deploy import ORDINARY as REGISTER
from tests.contracts.conftest import ASSOCIATE, CORPORATE, FULL, PARTNER, STATE
from tests.contracts.governance.conftest import (
    cast_batch,
    ABSTAIN, ACTIVE, AGAINST, CANCELED, CONSTITUTIONAL, DEFEATED, EXECUTED, FOR, MIN_DELAY, ORDINARY,
    PENDING, QUEUED, RAPID, SUCCEEDED, TRACKS, advance_time, ballot, ints, now, ordinary_calls, reverts_with,
)
from tests.contracts.reverts import assert_reverts_with

TRACK_IDS = ["ordinary", "rapid", "constitutional"]


def calls_for(track, membership):
    """An action that fits the track: a constitutional one on the Constitutional track."""
    if track == CONSTITUTIONAL:
        return [membership.address], [0], [membership.setCorporateCap.encode_input(1500)]
    return [membership.address], [0], [membership.setTierName.encode_input(1, f"Associate track {track}")]


def proposer_for(track, responder):
    return responder if track == RAPID else accounts[0]


@pytest.mark.parametrize("track", [ORDINARY, RAPID, CONSTITUTIONAL], ids=TRACK_IDS)
def test_lifecycle_on_every_track(track, governor, membership, timelock, life, signers, voters, responder, relayer):
    pid = life.propose(track, calls_for(track, membership), sender=proposer_for(track, responder))
    period, quorum_bps, pass_bps, delay = TRACKS[track]
    assert governor.proposalTrack(pid) == track
    assert ints(governor.proposalParams(pid)) == (track, quorum_bps, pass_bps, delay)
    assert governor.proposalDeadline(pid) - governor.proposalSnapshot(pid) == period
    assert governor.state(pid) == PENDING

    life.activate(pid)
    for v in voters:  # directly
        governor.castVote(pid, FOR, {"from": v})
    governor.castMemberBallot(*ballot(signers[0], governor, pid, FOR, "single relay"), {"from": relayer})
    tx = cast_batch(governor, [ballot(s, governor, pid, FOR) for s in signers[1:4]], {"from": relayer})
    assert tx.return_value == 3
    governor.castMemberBallot(*ballot(signers[4], governor, pid, AGAINST), {"from": relayer})

    snapshot = governor.proposalSnapshot(pid)
    expected_for = sum(membership.getPastVotes(a, snapshot) for a in [*voters, *(s.address for s in signers[:4])])
    expected_against = membership.getPastVotes(signers[4].address, snapshot)
    assert ints(governor.proposalVotes(pid)) == (expected_against, expected_for, 0)
    assert ints(governor.proposalStateVotes(pid)) == (7, 1)

    life.close(pid)
    assert governor.state(pid) == SUCCEEDED
    tx = life.queue(pid)
    assert governor.state(pid) == QUEUED
    assert governor.proposalEta(pid) == tx.timestamp + max(delay, MIN_DELAY)
    with reverts_with("TimelockUnexpectedOperationState"):
        life.execute(pid)
    life.wait_eta(pid)
    life.execute(pid)
    assert governor.state(pid) == EXECUTED
    if track == CONSTITUTIONAL:
        assert membership.voteSchedule()[2] == 1500
    else:
        assert membership.tierName(1) == f"Associate track {track}"


@pytest.mark.parametrize("track", [ORDINARY, RAPID, CONSTITUTIONAL], ids=TRACK_IDS)
def test_majority_against_defeats_on_every_track(track, governor, membership, life, voters, responder):
    pid = life.propose(track, calls_for(track, membership), sender=proposer_for(track, responder))
    life.activate(pid)
    governor.castVote(pid, FOR, {"from": voters[0]})
    governor.castVote(pid, AGAINST, {"from": voters[1]})
    governor.castVote(pid, AGAINST, {"from": voters[2]})
    life.close(pid)
    assert governor.state(pid) == DEFEATED
    with reverts_with("GovernorUnexpectedProposalState"):
        life.queue(pid)


@pytest.mark.parametrize("track", [ORDINARY, RAPID, CONSTITUTIONAL], ids=TRACK_IDS)
def test_voting_closes_at_the_track_deadline(track, governor, membership, life, voters, signers, responder, relayer):
    pid = life.propose(track, calls_for(track, membership), sender=proposer_for(track, responder))
    life.activate(pid)
    governor.castVote(pid, FOR, {"from": voters[0]})
    deadline = governor.proposalDeadline(pid)
    chain.mine(deadline - web3.eth.block_number - 1)
    # The last block of the voting period still counts.
    governor.castVote(pid, FOR, {"from": voters[1]})
    assert web3.eth.block_number == deadline
    with reverts_with("GovernorUnexpectedProposalState"):
        governor.castVote(pid, FOR, {"from": voters[2]})
    with reverts_with("GovernorNoValidBallot"):
        cast_batch(governor, [ballot(signers[0], governor, pid, FOR)], {"from": relayer})


def test_quorum_not_reached_defeats(governor, life, voters, signers, relayer, membership):
    pid = life.propose()
    life.activate(pid)
    # One Associate state for, alone: far below 20% of the total.
    governor.castMemberBallot(*ballot(signers[4], governor, pid, FOR), {"from": relayer})
    life.close(pid)
    assert governor.proposalQuorum(pid) > governor.proposalVotes(pid)[1]
    assert governor.state(pid) == DEFEATED


def test_abstentions_count_towards_quorum_only(governor, life, voters):
    pid = life.propose()
    life.activate(pid)
    for v in voters:
        governor.castVote(pid, ABSTAIN, {"from": v})
    life.close(pid)
    assert governor.proposalVotes(pid)[2] >= governor.proposalQuorum(pid)
    assert governor.state(pid) == DEFEATED  # for (0) is not more than against (0)


def test_tie_fails_ordinary_majority(governor, life, voters):
    pid = life.propose()
    life.activate(pid)
    governor.castVote(pid, FOR, {"from": voters[0]})
    governor.castVote(pid, AGAINST, {"from": voters[1]})
    life.close(pid)
    assert governor.state(pid) == DEFEATED


def test_rapid_response_track_needs_a_rapid_responder(governor, life, responder):
    with reverts_with("GovernorRestrictedTrack"):
        life.propose(RAPID, sender=accounts[5])
    assert not governor.isRapidResponder(accounts[5])
    assert governor.isRapidResponder(responder)
    pid = life.propose(RAPID, sender=responder)
    assert governor.proposalTrack(pid) == RAPID


def test_rapid_response_needs_two_thirds(governor, membership, life, responder, signers, voters, relayer):
    # 1250 + 650 for, 1250 against: 60% for, a simple majority but short of 2/3. The three
    # voters abstain so that the quorum is met: the 2/3 threshold alone defeats it.
    pid = life.propose(RAPID, sender=responder)
    life.activate(pid)
    b = [ballot(signers[0], governor, pid, FOR), ballot(signers[1], governor, pid, AGAINST),
         ballot(signers[2], governor, pid, FOR)]
    cast_batch(governor, b, {"from": relayer})
    for v in voters:
        governor.castVote(pid, ABSTAIN, {"from": v})
    life.close(pid)
    against, for_, abstain = governor.proposalVotes(pid)
    assert for_ + abstain >= governor.proposalQuorum(pid)
    assert for_ > against and for_ * 3 < 2 * (for_ + against)
    assert governor.state(pid) == DEFEATED


def test_pass_threshold_is_inclusive(membership, timelock, admin, signers, voters, responder, relayer):
    """The threshold is met when for * 10000 >= passBps * (for + against). A governor whose
    Ordinary track needs 60% and RapidResponse 60.01% (quorum just above the cap) gets the same vote
    on both: exactly 60% for passes the first and fails the second."""
    from brownie import WaicoGovernor
    from tests.contracts.governance.conftest import VOTING_DELAY, Lifecycle

    tracks = [(20, 2001, 6000, 60), (20, 2001, 6001, 60), TRACKS[CONSTITUTIONAL]]
    gov = WaicoGovernor.deploy(membership, timelock, VOTING_DELAY, tracks, ZERO_ADDRESS, 0, [responder],
                               ordinary_calls(membership), {"from": admin})
    lifecycle = Lifecycle(gov, membership, timelock)
    pids = [lifecycle.propose(ORDINARY), lifecycle.propose(RAPID, sender=responder)]
    lifecycle.activate(pids[1])
    # For: a Full state and two Associate states, 1250 + 2 x 350 = 1950.
    # Against: the two Partner states, 2 x 650 = 1300. 1950 / 3250 = 60% exactly.
    support = {0: FOR, 4: FOR, 5: FOR, 2: AGAINST, 3: AGAINST}
    cast_batch(gov, [ballot(signers[i], gov, pid, v) for pid in pids for i, v in support.items()],
                          {"from": relayer})
    for pid in pids:  # the three Full states abstain: quorum is met, the threshold decides
        for v in voters:
            gov.castVote(pid, ABSTAIN, {"from": v})
    lifecycle.close(pids[1])
    for pid in pids:
        assert ints(gov.proposalVotes(pid)) == (1300, 1950, 3 * 1250)
    assert gov.state(pids[0]) == SUCCEEDED
    assert gov.state(pids[1]) == DEFEATED


def _double_majority_vote(governor, life, signers, relayer, track, partner_support):
    """For: two Full states and both corporates (>= 2/3 of the weight). Against: two Associate
    states. One Partner state votes `partner_support`, the other Partner abstains."""
    pid = life.propose(track, calls_for(track, governor_membership(governor)))
    life.activate(pid)
    s = signers
    b = [ballot(s[0], governor, pid, FOR), ballot(s[1], governor, pid, FOR), ballot(s[6], governor, pid, FOR),
         ballot(s[7], governor, pid, FOR), ballot(s[4], governor, pid, AGAINST), ballot(s[5], governor, pid, AGAINST),
         ballot(s[2], governor, pid, partner_support), ballot(s[3], governor, pid, ABSTAIN)]
    cast_batch(governor, b, {"from": relayer})
    life.close(pid)
    _, for_, abstain = governor.proposalVotes(pid)
    assert for_ + abstain >= governor.proposalQuorum(pid)  # an outcome is never the quorum's
    return pid


def governor_membership(governor):
    from brownie import Membership
    return Membership.at(governor.token())


def test_constitutional_two_thirds_weight_but_minority_of_states_fails(governor, life, signers, relayer):
    pid = _double_majority_vote(governor, life, signers, relayer, CONSTITUTIONAL, AGAINST)
    against, for_, _ = governor.proposalVotes(pid)
    assert for_ * 3 >= 2 * (for_ + against)  # the weighted 2/3 is met...
    assert ints(governor.proposalStateVotes(pid)) == (2, 3)  # ...but 2 states for, 3 against
    assert governor.state(pid) == DEFEATED


def test_same_vote_passes_the_ordinary_track(governor, life, signers, relayer):
    pid = _double_majority_vote(governor, life, signers, relayer, ORDINARY, AGAINST)
    assert governor.state(pid) == SUCCEEDED


def test_constitutional_passes_with_a_majority_of_states(governor, life, signers, relayer):
    pid = _double_majority_vote(governor, life, signers, relayer, CONSTITUTIONAL, FOR)
    assert ints(governor.proposalStateVotes(pid)) == (3, 2)
    assert governor.state(pid) == SUCCEEDED


def test_state_head_count_ties_fail(governor, life, signers, relayer):
    pid = _double_majority_vote(governor, life, signers, relayer, CONSTITUTIONAL, ABSTAIN)
    assert ints(governor.proposalStateVotes(pid)) == (2, 2)
    assert governor.state(pid) == DEFEATED


# ---------------------------------------------------------------- constitutional calls


def test_constitutional_call_on_ordinary_track_is_rejected(governor, membership, timelock, life, responder):
    cap = ([membership.address], [0], [membership.setCorporateCap.encode_input(3000)])
    with reverts_with("GovernorConstitutionalCallOffTrack"):
        life.propose(ORDINARY, cap)
    with reverts_with("GovernorConstitutionalCallOffTrack"):
        life.propose(None, cap)  # plain propose() is the Ordinary track
    with reverts_with("GovernorConstitutionalCallOffTrack"):
        life.propose(RAPID, cap, sender=responder)
    # Mixed with an ordinary call, at any position.
    mixed = life.action()
    mixed = (mixed[0] + cap[0], mixed[1] + cap[1], mixed[2] + cap[2])
    with reverts_with("GovernorConstitutionalCallOffTrack"):
        life.propose(ORDINARY, mixed)
    assert life.propose(CONSTITUTIONAL, cap)


@pytest.mark.parametrize("track", [ORDINARY, RAPID], ids=["ordinary", "rapid"])
def test_the_sharing_requirement_is_constitutional(governor, membership, admin, life, responder, track):
    """The record of sharing the pathway reads and each tier's minimum of distinct requesters are
    tier requirements: no ordinary or rapid-response majority sets them (nor does the deployment's
    register list them)."""
    platform = SharingPlatform.deploy(membership, {"from": admin})
    sender = responder if track == RAPID else accounts[0]
    for data in (membership.setSharingRecord.encode_input(platform),
                 membership.setSharingRecord.encode_input(ZERO_ADDRESS),
                 membership.setTierSharingRequirement.encode_input(FULL, 2)):
        assert governor.isConstitutionalCall(membership, data)
        with reverts_with("GovernorConstitutionalCallOffTrack"):
            life.propose(track, ([membership.address], [0], [data]), sender=sender)
    assert not {"setSharingRecord(address)", "setTierSharingRequirement(uint8,uint32)"} & set(REGISTER["Membership"])
    assert "SharingPlatform" not in REGISTER  # it has no admin: nothing of it for governance to call


def test_the_sharing_requirement_changes_by_a_constitutional_proposal(governor, membership, admin, life, voters,
                                                                      signers):
    platform = SharingPlatform.deploy(membership, {"from": admin})
    calls = ([membership.address] * 2, [0, 0], [membership.setSharingRecord.encode_input(platform),
                                                membership.setTierSharingRequirement.encode_input(FULL, 2)])
    pid = life.propose(CONSTITUTIONAL, calls)
    tx = life.enact(pid, voters, signers)
    assert tx.events["SharingRecordSet"]["sharing"] == platform.address
    assert tx.events["TierSharingRequirementSet"]["minimum"] == 2
    assert membership.sharingRecord() == platform.address
    assert membership.tierSharingRequirement(FULL) == 2


def test_calls_to_the_governor_or_timelock_are_constitutional(governor, timelock, life):
    params = governor.setTrackParams.encode_input(ORDINARY, (5, 3000, 5000, 0))
    delay = timelock.updateDelay.encode_input(0)
    assert governor.isConstitutionalCall(governor, params)
    assert governor.isConstitutionalCall(timelock, delay)
    for target, data in [(governor, params), (timelock, delay), (governor, "0x")]:
        with reverts_with("GovernorConstitutionalCallOffTrack"):
            life.propose(ORDINARY, ([target.address], [0], [data]))


def test_track_params_change_only_by_constitutional_proposal(governor, life, voters, signers):
    new = (7, 3000, 5000, 30)
    with reverts_with("GovernorOnlyExecutor"):
        governor.setTrackParams(ORDINARY, new, {"from": accounts[0]})
    old_pid = life.propose()
    calls = ([governor.address], [0], [governor.setTrackParams.encode_input(ORDINARY, new)])
    pid = life.propose(CONSTITUTIONAL, calls)
    tx = life.enact(pid, voters, signers)
    assert tx.events["TrackParamsSet"]["votingPeriod"] == 7
    assert ints(governor.trackParams(ORDINARY)) == new
    assert governor.votingPeriod() == 7
    # New proposals take the new parameters; the older one keeps its own.
    fresh = life.propose()
    assert governor.proposalDeadline(fresh) - governor.proposalSnapshot(fresh) == 7
    assert governor.proposalDeadline(old_pid) - governor.proposalSnapshot(old_pid) == TRACKS[ORDINARY][0]
    assert governor.proposalParams(old_pid)[1] == TRACKS[ORDINARY][1]


INVALID_TRACK_PARAMS = [(0, 5000, 5000, 0), (1, 10_001, 5000, 0), (1, 5000, 10_001, 0)]
INVALID_IDS = ["zero-voting-period", "quorum-over-whole", "threshold-over-whole"]


@pytest.mark.parametrize("params", INVALID_TRACK_PARAMS, ids=INVALID_IDS)
@pytest.mark.parametrize("track", [ORDINARY, RAPID, CONSTITUTIONAL], ids=TRACK_IDS)
def test_invalid_track_params_are_rejected(membership, timelock, admin, track, params):
    from brownie import WaicoGovernor
    bad = list(TRACKS)
    bad[track] = params
    with reverts_with("GovernorInvalidTrackParams"):
        WaicoGovernor.deploy(membership, timelock, 1, bad, ZERO_ADDRESS, 0, [], [], {"from": admin})


def test_track_params_at_their_limits_are_accepted(membership, timelock, admin):
    from brownie import WaicoGovernor
    limits = (1, 10_000, 10_000, 0)
    gov = WaicoGovernor.deploy(membership, timelock, 1, [limits, limits, limits], ZERO_ADDRESS, 0, [], [],
                               {"from": admin})
    for track in (ORDINARY, RAPID, CONSTITUTIONAL):
        assert ints(gov.trackParams(track)) == limits


def test_governance_cannot_set_invalid_track_params(governor, life, voters, signers, relayer):
    """A constitutional proposal that would set out-of-range parameters passes and is queued,
    but its execution reverts with the governor's error; the track keeps its parameters."""
    pids = {}
    for params in INVALID_TRACK_PARAMS:
        calls = ([governor.address], [0], [governor.setTrackParams.encode_input(RAPID, params)])
        pids[params] = life.propose(CONSTITUTIONAL, calls)
    life.activate(pids[INVALID_TRACK_PARAMS[-1]])
    for pid in pids.values():
        for v in voters:
            governor.castVote(pid, FOR, {"from": v})
        cast_batch(governor, [ballot(s, governor, pid, FOR) for s in signers], {"from": relayer})
    for pid in pids.values():
        life.close(pid)
        life.queue(pid)
    life.wait_eta(pids[INVALID_TRACK_PARAMS[-1]])
    for pid in pids.values():
        assert_reverts_with(
            "GovernorInvalidTrackParams", governor.execute, *life.calls[pid], {"from": relayer}, error_args=(RAPID,)
        )
        assert governor.state(pid) == QUEUED
    assert ints(governor.trackParams(RAPID)) == TRACKS[RAPID]


def test_register_is_seeded_at_deployment_and_has_no_seeding_phase(governor, membership, timelock, admin):
    """The constructor lists the ordinary calls; nobody, the deployer included, changes the list
    afterwards except a constitutional proposal."""
    name = membership.setTierName.encode_input(1, "x")
    assert not governor.isConstitutionalCall(membership, name)
    assert governor.isOrdinaryCall(membership, membership.setTierName.signature)
    assert governor.isConstitutionalCall(membership, membership.setCorporateCap.encode_input(1))
    for caller in (admin, accounts[5]):
        with reverts_with("GovernorOnlyExecutor"):
            governor.setOrdinaryCalls(membership, [membership.setCorporateCap.signature], True, {"from": caller})
    tx = WaicoGovernor_deploy_with(membership, timelock, admin, [(membership.address, [membership.admit.signature])])
    assert [(e["target"], e["selector"], e["ordinary"]) for e in tx.events["OrdinaryCallSet"]] == [
        (membership.address, membership.admit.signature, True)]


def WaicoGovernor_deploy_with(membership, timelock, admin, ordinary):
    from brownie import WaicoGovernor
    return WaicoGovernor.deploy(membership, timelock, 1, TRACKS, ZERO_ADDRESS, 0, [], ordinary,
                                {"from": admin}).tx


def test_the_governor_and_timelock_can_never_be_listed(governor, membership, timelock, admin, life, voters, signers):
    from brownie import WaicoGovernor
    for target in (timelock.address,):
        with reverts_with("GovernorOrdinaryTargetRefused"):
            WaicoGovernor.deploy(membership, timelock, 1, TRACKS, ZERO_ADDRESS, 0, [],
                                 [(target, [timelock.updateDelay.signature])], {"from": admin})
    calls = ([governor.address], [0], [governor.setOrdinaryCalls.encode_input(
        governor, [governor.setOrdinaryCalls.signature], True)])
    pid = life.propose(CONSTITUTIONAL, calls)
    life.activate(pid)
    for v in voters:
        governor.castVote(pid, FOR, {"from": v})
    cast_batch(governor, [ballot(s, governor, pid, FOR) for s in signers], {"from": accounts[0]})
    life.close(pid)
    life.queue(pid)
    life.wait_eta(pid)
    assert_reverts_with("GovernorOrdinaryTargetRefused", governor.execute, *life.calls[pid], {"from": accounts[0]},
                        error_args=(governor.address,))


def test_governance_lists_and_unlists_but_never_the_governor_or_timelock(governor, membership, timelock, life,
                                                                       voters, signers):
    sel = membership.setCorporateCap.signature
    listing = ([governor.address], [0], [governor.setOrdinaryCalls.encode_input(membership, [sel], True)])
    tx = life.enact(life.propose(CONSTITUTIONAL, listing), voters, signers)
    assert tx.events["OrdinaryCallSet"]["ordinary"] is True
    assert not governor.isConstitutionalCall(membership, membership.setCorporateCap.encode_input(1500))
    timelock_listing = ([governor.address], [0], [governor.setOrdinaryCalls.encode_input(
        timelock, [timelock.updateDelay.signature], True)])
    pid = life.propose(CONSTITUTIONAL, timelock_listing)
    life.activate(pid)
    for v in voters:
        governor.castVote(pid, FOR, {"from": v})
    cast_batch(governor, [ballot(s, governor, pid, FOR) for s in signers], {"from": accounts[0]})
    life.close(pid)
    life.queue(pid)
    life.wait_eta(pid)
    assert_reverts_with("GovernorOrdinaryTargetRefused", governor.execute, *life.calls[pid], {"from": accounts[0]},
                        error_args=(timelock.address,))


def test_register_changes_only_constitutionally(governor, membership, life, voters, signers, relayer):
    sel = [membership.setTierName.signature]
    pending = life.propose(ORDINARY)  # an ordinary proposal made before the change
    calls = ([governor.address], [0], [governor.setOrdinaryCalls.encode_input(membership, sel, False)])
    with reverts_with("GovernorConstitutionalCallOffTrack"):
        life.propose(ORDINARY, calls)
    pid = life.propose(CONSTITUTIONAL, calls)
    life.activate(pid)
    for v in voters:
        governor.castVote(pid, FOR, {"from": v})
        governor.castVote(pending, FOR, {"from": v})
    cast_batch(governor, [ballot(s, governor, pid, FOR) for s in signers], {"from": relayer})
    life.close(pid)
    life.close(pending)
    life.queue(pid)
    life.wait_eta(pid)
    tx = life.execute(pid)
    assert tx.events["OrdinaryCallSet"]["ordinary"] is False
    # The earlier ordinary proposal now holds a constitutional call: it cannot be queued.
    with reverts_with("GovernorConstitutionalCallOffTrack"):
        life.queue(pending)


def test_track_mismatch_and_described_tracks(governor, life):
    targets, values, datas = life.action()
    assert governor.describedTrack("x\n\n#track=constitutional") == CONSTITUTIONAL
    assert governor.describedTrack("x #track=rapid-response") == RAPID
    assert governor.describedTrack("short") == ORDINARY
    assert governor.describedTrack("a plain description, longer than a suffix") == ORDINARY
    with reverts_with("GovernorTrackMismatch"):
        governor.proposeOnTrack(ORDINARY, targets, values, datas, "y\n\n#track=constitutional", {"from": accounts[0]})
    # A plain propose takes the track its description names; the suffix is not appended twice.
    tx = governor.propose(targets, values, datas, "z\n\n#track=constitutional", {"from": accounts[0]})
    assert governor.proposalTrack(tx.return_value) == CONSTITUTIONAL
    again = governor.proposeOnTrack(CONSTITUTIONAL, targets, values, datas, "w #track=constitutional",
                                    {"from": accounts[0]})
    assert again.events["ProposalCreated"]["description"] == "w #track=constitutional"


# ---------------------------------------------------------------- guardian


def test_guardian_cancels_pending_active_and_queued_proposals(governor, timelock, life, guardian, voters):
    pending = life.propose()
    life.cancel(pending, guardian)
    assert governor.state(pending) == CANCELED

    active = life.propose()
    life.activate(active)
    life.cancel(active, guardian)
    assert governor.state(active) == CANCELED
    with reverts_with("GovernorUnexpectedProposalState"):
        governor.castVote(active, FOR, {"from": voters[0]})

    queued = life.propose()
    life.activate(queued)
    for v in voters:
        governor.castVote(queued, FOR, {"from": v})
    life.close(queued)
    life.queue(queued)
    life.cancel(queued, guardian)
    assert governor.state(queued) == CANCELED
    life.wait_eta(queued)
    with reverts_with("GovernorUnexpectedProposalState"):
        life.execute(queued)


def test_guardian_cannot_cancel_an_executed_proposal(governor, life, guardian, voters):
    pid = life.propose()
    life.activate(pid)
    for v in voters:
        governor.castVote(pid, FOR, {"from": v})
    life.close(pid)
    life.queue(pid)
    life.wait_eta(pid)
    life.execute(pid, sender=guardian)  # anyone may execute a queued proposal...
    with reverts_with("GovernorUnexpectedProposalState"):
        life.cancel(pid, guardian)  # ...but the guardian cannot undo it


def test_others_cannot_cancel(governor, life, voters):
    pid = life.propose(sender=accounts[0])
    with reverts_with("GovernorUnableToCancel"):
        life.cancel(pid, voters[0])
    life.activate(pid)
    with reverts_with("GovernorUnableToCancel"):
        life.cancel(pid, accounts[0])  # the proposer only while Pending
    life.cancel(life.propose(sender=accounts[0]), accounts[0])


def test_guardian_expires(governor, life, guardian):
    account, expiry = governor.guardian()
    assert account == guardian and governor.proposalGuardian() == guardian
    advance_time(expiry - now() + 1)
    assert governor.proposalGuardian() == ZERO_ADDRESS
    pid = life.propose()
    life.activate(pid)
    with reverts_with("GovernorUnableToCancel"):
        life.cancel(pid, guardian)


def test_guardian_is_set_by_constitutional_proposal(governor, life, voters, signers, guardian):
    # A fixed date (2096), not one read from the clock: the proposal's id, and with it the gas
    # of every vote on it in the gas report, would change from run to run.
    new_expiry = 4_000_000_000
    assert new_expiry > now() + 10**6
    with reverts_with("GovernorOnlyExecutor"):
        governor.setGuardian(accounts[6], new_expiry, {"from": guardian})
    calls = ([governor.address], [0], [governor.setGuardian.encode_input(accounts[6], new_expiry)])
    pid = life.propose(CONSTITUTIONAL, calls)
    tx = life.enact(pid, voters, signers)
    assert tx.events["GuardianSet"]["newGuardian"] == accounts[6]
    assert governor.guardian()[0] == accounts[6] and governor.guardian()[1] == new_expiry
    other = life.propose()
    with reverts_with("GovernorUnableToCancel"):
        life.cancel(other, guardian)
    life.cancel(other, accounts[6])


def test_rapid_responders_are_set_by_governance(governor, life, voters, signers):
    calls = ([governor.address], [0], [governor.setRapidResponder.encode_input(accounts[5], True)])
    pid = life.propose(CONSTITUTIONAL, calls)
    life.enact(pid, voters, signers)
    assert governor.isRapidResponder(accounts[5])
    life.propose(RAPID, sender=accounts[5])


def test_reads_and_interfaces(governor, membership):
    assert governor.name() == "WAICO Governor"
    assert governor.version() == "1"
    assert governor.COUNTING_MODE() == "support=bravo&quorum=for,abstain&params=track"
    assert governor.CLOCK_MODE() == "mode=blocknumber&from=default"
    assert governor.clock() == web3.eth.block_number
    assert governor.votingPeriod() == TRACKS[ORDINARY][0]
    assert governor.token() == membership
    t = web3.eth.block_number - 1
    # The quorum rounds up: a bloc of at most the cap never reaches a quorum above it.
    assert governor.quorum(t) == -(-membership.getPastTotalSupply(t) * TRACKS[ORDINARY][1] // 10_000)
    with reverts_with("GovernorNonexistentProposal"):
        governor.proposalTrack(123)


# ---------------------------------------------------------------- the timelock acting on its own


def timelock_operation(governor, life, pid):
    """The timelock batch the governor queued for `pid`: (targets, values, datas, predecessor,
    salt). The governor salts with its address: bytes20(governor) ^ descriptionHash."""
    targets, values, datas, description_hash = life.calls[pid]
    salt = (int(governor.address, 16) << 96) ^ int.from_bytes(bytes(description_hash), "big")
    return targets, values, datas, b"\x00" * 32, salt.to_bytes(32, "big")


def queued_rename(governor, membership, timelock, life, voters, name):
    """An Ordinary proposal renaming tier 1 to `name`, passed and queued: (pid, operation, id)."""
    pid = life.propose(ORDINARY, ([membership.address], [0], [membership.setTierName.encode_input(1, name)]))
    life.activate(pid)
    for v in voters:
        governor.castVote(pid, FOR, {"from": v})
    life.close(pid)
    tx = life.queue(pid)
    operation = timelock_operation(governor, life, pid)
    operation_id = timelock.hashOperationBatch(*operation)
    assert tx.events["CallScheduled"][0]["id"] == operation_id
    assert timelock.isOperationPending(operation_id)
    assert governor.state(pid) == QUEUED
    return pid, operation, operation_id


def test_operation_executed_directly_on_the_timelock_reads_executed(governor, membership, timelock, life, voters):
    """The executor role is open: once the delay is over anyone may execute the queued batch on
    the timelock itself. The governor then reports the proposal Executed and will not run it again."""
    pid, operation, operation_id = queued_rename(governor, membership, timelock, life, voters, "Associate (direct)")
    life.wait_eta(pid)
    timelock.executeBatch(*operation, {"from": accounts[6]})
    assert timelock.isOperationDone(operation_id)
    assert membership.tierName(1) == "Associate (direct)"
    assert governor.state(pid) == EXECUTED
    assert_reverts_with(
        "GovernorUnexpectedProposalState", governor.execute, *life.calls[pid], {"from": accounts[0]},
        error_args=(pid, EXECUTED, (1 << QUEUED).to_bytes(32, "big")),  # only a Queued one runs
    )


def test_operation_cancelled_directly_on_the_timelock_reads_canceled(
    governor, membership, timelock, life, voters, signers
):
    """Governance makes a council a canceller of the timelock; the council cancels a queued
    operation there, not through the governor. The governor then reports the proposal Canceled,
    and it can no longer be executed."""
    council = accounts[6]
    role = timelock.CANCELLER_ROLE()
    grant = ([timelock.address], [0], [timelock.grantRole.encode_input(role, council)])
    life.enact(life.propose(CONSTITUTIONAL, grant), voters, signers)
    assert timelock.hasRole(role, council)

    before = membership.tierName(1)
    pid, operation, operation_id = queued_rename(governor, membership, timelock, life, voters, "Associate (cancelled)")
    timelock.cancel(operation_id, {"from": council})
    assert not timelock.isOperation(operation_id)
    assert governor.state(pid) == CANCELED
    life.wait_eta(pid)
    assert_reverts_with(
        "GovernorUnexpectedProposalState", governor.execute, *life.calls[pid], {"from": accounts[0]},
        error_args=(pid, CANCELED, (1 << QUEUED).to_bytes(32, "big")),
    )
    assert membership.tierName(1) == before
