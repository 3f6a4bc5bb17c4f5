"""Properties of the register and of quorums (issue "Governance hardening"):

- deny by default: whatever the constructor lists, a call is constitutional exactly when its
  (target, selector) is not listed or its calldata is shorter than a selector, and an Ordinary
  proposal is refused exactly when one of its calls is constitutional;
- whatever the corporate cap and census, a governor is deployed only with every quorum above the
  cap, and then the capped corporate bloc alone never reaches a quorum.
"""

from brownie import Membership, WaicoGovernor, accounts
from brownie.test import given, strategy
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.contracts.conftest import CORPORATE, STATE, fresh_address, mine
from tests.contracts.governance.conftest import TRACKS, reverts_with

SELECTORS = ["0x11111111", "0x22222222", "0x33333333", "0xa9059cbb"]
# (target 0..2 among three addresses, selector index, calldata shape: 0 selector only, 1 with
# an argument, 2 three bytes, 3 empty)
calls = st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(0, 3))


def calldata(selector: str, shape: int) -> str:
    return [selector, selector + "00" * 32, selector[:8], "0x"][shape]


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(listed=st.sets(st.tuples(st.integers(0, 2), st.integers(0, 3))), proposal=st.lists(calls, min_size=1, max_size=4))
def test_a_call_is_constitutional_unless_listed(membership, timelock, admin, listed, proposal):
    targets = [fresh_address(), fresh_address(), membership.address]
    ordinary = {}
    for t, sel in sorted(listed):
        ordinary.setdefault(targets[t], []).append(SELECTORS[sel])
    gov = WaicoGovernor.deploy(membership, timelock, 1, TRACKS, admin, 0, [], list(ordinary.items()),
                               {"from": admin})
    constitutional = []
    for t, sel, shape in proposal:
        data = calldata(SELECTORS[sel], shape)
        expected = shape >= 2 or (t, sel) not in listed
        assert gov.isConstitutionalCall(targets[t], data) == expected
        assert gov.isOrdinaryCall(targets[t], SELECTORS[sel]) == ((t, sel) in listed)
        constitutional.append(expected)
    args = ([targets[t] for t, _, _ in proposal], [0] * len(proposal),
            [calldata(SELECTORS[sel], shape) for _, sel, shape in proposal], "p")
    if any(constitutional):
        with reverts_with("GovernorConstitutionalCallOffTrack"):
            gov.propose(*args, {"from": accounts[0]})
    else:
        assert gov.propose(*args, {"from": accounts[0]}).return_value
    assert gov.proposeOnTrack(2, *args, {"from": accounts[0]}).return_value  # always allowed


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    cap=strategy("uint16", min_value=0, max_value=9_999),
    above=strategy("uint16", min_value=0, max_value=300),
    states=strategy("uint8[3]", max_value=6),
    corporates=strategy("uint8[3]", max_value=8),
)
def test_the_capped_corporate_bloc_never_meets_a_quorum_alone(timelock, admin, cap, above, states, corporates):
    members = Membership.deploy(admin, 250, [100, 400, 1000], cap, {"from": admin})
    corporate_accounts = []
    for tier, (s, c) in enumerate(zip(states, corporates), start=1):
        for i in range(s):
            members.admit(fresh_address(), STATE, tier, "S", f"S{tier}-{i}", {"from": admin})
        for i in range(c):
            a = fresh_address()
            members.admit(a, CORPORATE, tier, "C", f"C{tier}-{i}", {"from": admin})
            corporate_accounts.append(a)
    quorum = min(cap + above, 10_000)
    tracks = [(20, quorum, 5000, 60), (10, 10_000, 6667, 10), (30, 10_000, 6667, 120)]
    if quorum <= cap:
        with reverts_with("GovernorQuorumWithinCorporateCap"):
            WaicoGovernor.deploy(members, timelock, 1, tracks, admin, 0, [], [], {"from": admin})
        return
    gov = WaicoGovernor.deploy(members, timelock, 1, tracks, admin, 0, [], [], {"from": admin})
    mine()
    t = gov.clock() - 1
    bloc = sum(members.getPastVotes(a, t) for a in corporate_accounts)
    total = members.getPastTotalSupply(t)
    assert bloc * 10_000 <= cap * total or total == 0
    assert bloc < gov.quorum(t) or total == 0
    # And the guard: the cap cannot be raised to a quorum.
    members.setCapGuard(gov, {"from": admin})
    with reverts_with("GovernorQuorumWithinCorporateCap"):
        members.setCorporateCap(quorum, {"from": admin})
