"""The security review's attacks on the governor (issue "Governance hardening"), each reproduced
as it was found: every test here failed on the contracts before the fix it is named after.

- Register gaps: an Ordinary proposal made the timelock renounce its admin role on Membership.
- The electorate as Ordinary business: admission, suspension, reinstatement, expulsion and a
  governance tier were Ordinary calls, so an ordinary majority could reshape the electorate
  before a constitutional vote.
- A griefed batch: two ballots naming a gas-burning contract sank a batch of honest ballots.
- Track front-running: a copy of a pending proposal on another track took its id.
- A capped corporate bloc meeting quorum alone.
- Short calldata: a call with fewer than four bytes of calldata was matched on a right-padded
  selector.
"""

import pytest
from brownie import ZERO_ADDRESS, TestGasBurner, WaicoGovernor, accounts

from tests.contracts.conftest import CORPORATE, FULL, STATE, fresh_key
from tests.contracts.governance.conftest import (
    CONSTITUTIONAL, FOR, ORDINARY, RAPID, SKIP_BAD_SIGNATURE, SKIP_NOT_MEMBER, TRACKS, VOTING_DELAY, Signer,
    ballot, counted, relay, reverts_with, skipped,
)

ADMIN_ROLE = "0x" + "00" * 32


def one_call(target, data):
    return [target.address], [0], [data]


# ---------------------------------------------------------------- register gaps


@pytest.mark.parametrize("track", [ORDINARY, RAPID], ids=["ordinary", "rapid"])
def test_an_ordinary_proposal_cannot_make_the_timelock_renounce_its_admin_role(
    governor, membership, timelock, life, responder, track
):
    sender = responder if track == RAPID else accounts[0]
    call = one_call(membership, membership.renounceRole.encode_input(ADMIN_ROLE, timelock))
    with reverts_with("GovernorTimelockAdminRenounce"):  # refused outright, on any track
        life.propose(track, call, sender=sender)
    verifier = membership.VERIFIER_ROLE()
    for data in (membership.renounceRole.encode_input(verifier, timelock),
                 membership.grantRole.encode_input(ADMIN_ROLE, accounts[5]),
                 membership.revokeRole.encode_input(ADMIN_ROLE, timelock)):
        with reverts_with("GovernorConstitutionalCallOffTrack"):  # not listed: constitutional
            life.propose(track, one_call(membership, data), sender=sender)


def test_no_proposal_may_make_the_timelock_renounce_its_admin_role(governor, membership, timelock, life):
    """Not even a constitutional one: governance would lose Membership (and the fund's tokens) for
    good. Revoking it stays possible, constitutionally, so that admin can move to a new timelock."""
    for target in (membership, timelock):
        call = one_call(target, target.renounceRole.encode_input(ADMIN_ROLE, timelock))
        with reverts_with("GovernorTimelockAdminRenounce"):
            life.propose(CONSTITUTIONAL, call)
    revoke = one_call(membership, membership.revokeRole.encode_input(ADMIN_ROLE, timelock))
    assert life.propose(CONSTITUTIONAL, revoke)


def test_every_unlisted_state_changing_call_is_constitutional(governor, membership, timelock):
    """Deny by default: on every contract the timelock administers (and on the governor and the
    timelock themselves), a function is constitutional unless it is listed as ordinary."""
    listed = {(membership.address, membership.setTierName.signature),
              (membership.address, membership.registerStandard.signature)}
    for contract in (membership, timelock, governor):
        for item in contract.abi:
            if item["type"] != "function" or item["stateMutability"] in ("view", "pure"):
                continue
            sig = getattr(contract, item["name"]).signature
            if isinstance(sig, dict):  # an overloaded name: brownie keys the overloads by types
                continue
            expected = (contract.address, sig) not in listed
            assert governor.isConstitutionalCall(contract, sig + "00" * 64) == expected, item["name"]


# ---------------------------------------------------------------- the electorate


def test_the_electorate_is_constitutional_business(governor, membership, life, signers):
    """An ordinary majority must not be able to suspend dissenting states before a constitutional
    proposal's snapshot, nor admit friendly ones, nor move tiers."""
    member = signers[4].address
    for data in (
        membership.admit.encode_input(accounts.add(fresh_key()).address, STATE, FULL, "Friendly", "FRD"),
        membership.suspend.encode_input(member),
        membership.reinstate.encode_input(member),
        membership.expel.encode_input(member),
        membership.setTier.encode_input(member, FULL),
    ):
        with reverts_with("GovernorConstitutionalCallOffTrack"):
            life.propose(ORDINARY, one_call(membership, data))
        assert life.propose(CONSTITUTIONAL, one_call(membership, data))


# ---------------------------------------------------------------- a griefed batch


def test_gas_burning_ballots_do_not_sink_a_batch(governor, membership, life, signers, admit, admin, relayer):
    """Two ballots naming a contract that burns all the gas it is given (behaving under eth_call,
    so a relayer's pre-check passes), one of them even an admitted member: the honest ballots of
    the same 15M-gas batch all count and the burners are skipped with their reason."""
    burner = TestGasBurner.deploy({"from": admin})
    member_burner = TestGasBurner.deploy({"from": admin})
    admit(STATE, FULL, account=member_burner.address)
    pid = life.propose()
    life.activate(pid)
    burner.setBurning(True, {"from": admin})
    member_burner.setBurning(True, {"from": admin})
    fake = Signer(accounts.add(fresh_key()).address, bytes.fromhex(fresh_key()[2:]))
    honest = [ballot(s, governor, pid, FOR) for s in signers[:6]]
    batch = (honest[:3] + [ballot(fake, governor, pid, FOR, voter=burner.address)]
             + [ballot(fake, governor, pid, FOR, voter=member_burner.address)] + honest[3:])
    tx = relay(governor, batch, relayer, gas=15_000_000)
    assert tx.return_value == 6
    assert [v for v, _, _ in counted(tx)] == [s.address for s in signers[:6]]
    assert skipped(tx) == [(burner.address, SKIP_NOT_MEMBER), (member_burner.address, SKIP_BAD_SIGNATURE)]
    assert tx.gas_used < 1_500_000


# ---------------------------------------------------------------- track front-running


def test_a_copy_on_another_track_is_another_proposal(governor, membership, life, responder):
    """Anyone copies a pending RapidResponse proposal with plain propose() (Ordinary) first: the
    rapid responder's proposal still goes through, on its own track, and the two are distinct."""
    targets, values, datas = life.action()
    copy = governor.propose(targets, values, datas, "urgent fix", {"from": accounts[5]}).return_value
    original = governor.proposeOnTrack(RAPID, targets, values, datas, "urgent fix", {"from": responder}).return_value
    assert copy != original
    assert governor.proposalTrack(copy) == ORDINARY
    assert governor.proposalTrack(original) == RAPID


def test_a_constitutional_proposal_cannot_be_moved_to_the_ordinary_bar(governor, life):
    targets, values, datas = life.action()
    copy = governor.propose(targets, values, datas, "by the higher bar", {"from": accounts[5]}).return_value
    original = governor.proposeOnTrack(CONSTITUTIONAL, targets, values, datas, "by the higher bar",
                                       {"from": accounts[0]}).return_value
    assert copy != original and governor.proposalTrack(original) == CONSTITUTIONAL


# ---------------------------------------------------------------- the corporate bloc and quorum


def test_a_track_whose_quorum_the_capped_corporate_bloc_meets_alone_is_refused(membership, timelock, admin):
    """With the cap at 20% and the Ordinary quorum at 20%, five Full corporates passed a proposal
    with no state voting. Such parameters are refused at deployment."""
    cap = membership.voteSchedule()[2]
    tracks = list(TRACKS)
    tracks[ORDINARY] = (20, cap, 5000, 60)
    with reverts_with("GovernorQuorumWithinCorporateCap"):
        WaicoGovernor.deploy(membership, timelock, VOTING_DELAY, tracks, admin, 0, [], [], {"from": admin})


def test_the_cap_guard_refuses_a_cap_within_a_quorum_and_is_governance_business(governor, membership, admin):
    """Membership asks the governor before its cap changes; governance may clear or set the guard,
    and a guard that refuses the cap in force cannot be set."""
    assert membership.capGuard() == governor
    quorum = min(t[1] for t in TRACKS)
    with reverts_with("GovernorQuorumWithinCorporateCap"):  # the governor's error, relayed
        membership.setCorporateCap(quorum, {"from": admin})
    membership.setCorporateCap(quorum - 1, {"from": admin})
    tx = membership.setCapGuard(ZERO_ADDRESS, {"from": admin})
    assert tx.events["CapGuardSet"]["guard"] == ZERO_ADDRESS and membership.capGuard() == ZERO_ADDRESS
    membership.setCorporateCap(quorum, {"from": admin})  # nobody asked
    with reverts_with("GovernorQuorumWithinCorporateCap"):
        membership.setCapGuard(governor, {"from": admin})
    with reverts_with("AccessControlUnauthorizedAccount"):
        membership.setCapGuard(governor, {"from": accounts[5]})


# ---------------------------------------------------------------- short calldata


def test_calldata_shorter_than_a_selector_is_constitutional(governor, membership):
    """`bytes4(data)` pads right: 0x1234 read as selector 0x12340000. A call with fewer than four
    bytes reaches a fallback, not a listed function: it is constitutional whatever is listed."""
    for data in ("0x", "0x12", "0x1234", "0x123456"):
        assert governor.isConstitutionalCall(membership, data)
