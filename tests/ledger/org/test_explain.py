"""Why a proposal is in its state, in one line (`ledger.org.governance.explain`): the rules of
WaicoGovernor's `_quorumReached` and `_voteSucceeded`, and the voting window and timelock,
on proposals built by hand (the chain's own figures are checked in tests/ledger/cli)."""

from dataclasses import replace

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector

from ledger.chain.reverts import ErrorDecoder
from ledger.org.governance import (Proposal, ProposalState, Track, duration, explain, failures, outcome, short_id,
                                   when)

PID = 30821940731234567890123456789012345678901234567890123456789012345678904107
BASE = Proposal(id=PID, track=Track.RapidResponse, state=ProposalState.Defeated, proposer="0x" + "11" * 20,
                snapshot=250, deadline=262, against=0, for_=650, abstain=0, states_for=1, states_against=0,
                quorum=5529, description="# Register WAICO-S7", actions=(), block=249, pass_bps=6667, number=5)


def test_a_defeated_proposal_short_of_quorum_says_the_quorum_and_what_was_counted():
    assert explain(BASE, 263, 0) == "proposal 5 is Defeated: quorum 5,529 not reached (650 for)"
    abstained = replace(BASE, abstain=100)
    assert explain(abstained, 263, 0) == "proposal 5 is Defeated: quorum 5,529 not reached (650 for + 100 abstain)"


def test_a_defeated_proposal_with_more_against_says_for_vs_against():
    p = replace(BASE, track=Track.Ordinary, pass_bps=5000, for_=2000, against=3000, quorum=1000)
    assert explain(p, 263, 0) == "proposal 5 is Defeated: 2,000 for vs 3,000 against (40% for, 50% needed)"


def test_a_majority_below_the_track_threshold_says_so():
    p = replace(BASE, for_=6000, against=4000, quorum=5529)
    assert failures(p) == ["6,000 for vs 4,000 against (60% for, 66.67% needed): below the threshold"]
    # exactly at the threshold passes, as the governor's `for * 10000 >= passBps * (for + against)`
    assert failures(replace(p, for_=6667, against=3333)) == []


def test_a_constitutional_proposal_without_the_states_majority_says_so():
    p = replace(BASE, track=Track.Constitutional, for_=9000, against=1000, states_for=3, states_against=5)
    assert explain(p, 263, 0) == ("proposal 5 is Defeated: the states' majority failed (3 states for, 5 against)")
    assert not outcome(p).passes and outcome(replace(p, states_for=6)).passes
    # every failure, in one line
    worst = replace(p, for_=100, against=200)
    assert explain(worst, 263, 0) == ("proposal 5 is Defeated: quorum 5,529 not reached (100 for); 100 for vs 200 "
                                      "against (33.33% for, 66.67% needed); the states' majority failed (3 states "
                                      "for, 5 against)")


def test_open_and_queued_proposals_say_when():
    assert explain(replace(BASE, state=ProposalState.Pending), 249, 0) == \
        "proposal 5 is Pending: voting opens after block 250 (now 249)"
    assert explain(replace(BASE, state=ProposalState.Active), 251, 0) == \
        "proposal 5 is Active: voting closes at block 262 (now 251)"
    queued = replace(BASE, state=ProposalState.Queued, eta=1_800_000_025)
    assert explain(queued, 270, 1_800_000_000) == \
        "proposal 5 is Queued: executable from 2027-01-15 08:00:25 UTC (in 25 s)"
    assert explain(queued, 270, 1_800_000_030) == "proposal 5 is Queued: executable now (since 2027-01-15 08:00:25 UTC)"


def test_a_passed_proposal_says_what_it_met():
    p = replace(BASE, state=ProposalState.Succeeded, for_=6000, against=1000, abstain=500)
    assert explain(p, 263, 0) == ("proposal 5 is Succeeded: passed: quorum 5,529 reached (6,000 for + 500 abstain); "
                                  "6,000 for vs 1,000 against (85.71% for, 66.67% needed)")


def test_without_a_number_a_proposal_is_named_by_its_short_id():
    assert explain(replace(BASE, number=0), 263, 0).startswith(f"proposal {short_id(PID)} is Defeated")
    assert short_id(PID) == "3082194073…4107"


@pytest.mark.parametrize("seconds,text", [(0, "0 s"), (25, "25 s"), (60, "1 min"), (250, "4 min 10 s"),
                                          (3600 + 300, "1 h 5 min"), (2 * 86400 + 4 * 3600 + 59, "2 d 4 h")])
def test_durations(seconds, text):
    assert duration(seconds) == text


def test_when_is_utc():
    assert when(0) == "1970-01-01 00:00:00 UTC"


def test_governor_unexpected_proposal_state_is_decoded_with_the_states_names():
    abi = [{"type": "error", "name": "GovernorUnexpectedProposalState", "inputs": [
        {"name": "proposalId", "type": "uint256"}, {"name": "current", "type": "uint8"},
        {"name": "expectedStates", "type": "bytes32"}]}]
    selector = function_signature_to_4byte_selector("GovernorUnexpectedProposalState(uint256,uint8,bytes32)")
    expected = (1 << int(ProposalState.Succeeded)) | (1 << int(ProposalState.Queued))
    data = selector + encode(["uint256", "uint8", "bytes32"], [PID, 3, expected.to_bytes(32, "big")])
    assert ErrorDecoder.from_abis([abi]).decode(data) == \
        f"GovernorUnexpectedProposalState(proposal {short_id(PID)} is Defeated; expected Succeeded or Queued)"
