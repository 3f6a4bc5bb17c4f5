"""Property: after any sequence of score changes, suspensions and admissions without a score, a
round's members are exactly the voting members with a score, in member-index order."""

from brownie.test import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.contracts.conftest import FULL, STATE, fresh_address
from tests.contracts.fund.conftest import SOURCE_HASH, SOURCE_URI

steps = st.lists(st.tuples(st.sampled_from(["score", "unscore", "suspend", "admit"]), st.integers(0, 5)),
                 min_size=1, max_size=12)


@settings(max_examples=20)
@given(plan=steps)
def test_round_members_are_the_scored_voting_members_in_index_order(fund, membership, admin, admit, plan):
    pool = [admit(STATE, FULL) for _ in range(6)]
    scores, suspended = {}, set()
    for action, i in plan:
        m = pool[i]
        if action == "score":
            fund.setNeedScores([m], [i + 1], SOURCE_HASH, SOURCE_URI, {"from": admin})
            scores[m] = i + 1
        elif action == "unscore":
            fund.setNeedScores([m], [0], SOURCE_HASH, SOURCE_URI, {"from": admin})
            scores.pop(m, None)
        elif action == "suspend" and m not in suspended:
            membership.suspend(m, {"from": admin})
            suspended.add(m)
        elif action == "admit":
            admit(STATE, FULL, account=fresh_address())
    expected = [m for m in pool if m in scores and m not in suspended]
    if not expected:
        return
    members, member_scores, _, total = fund.preview(10**6)
    assert list(members) == expected
    assert list(member_scores) == [scores[m] for m in expected] and total == sum(scores[m] for m in expected)
