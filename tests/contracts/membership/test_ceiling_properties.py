"""Property: whatever tiers governance sets (and whichever ceilings it lifts), promotions by
anyone never take a member above its tier ceiling, and reach it when earned."""

from brownie.test import given
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.contracts.conftest import FULL, OBSERVER, STATE
from tests.contracts.membership.test_pathway import bits, certified

NO_CEILING = 255
steps = st.lists(st.tuples(st.sampled_from(["setTier", "lift", "promote"]), st.integers(0, 3)), min_size=1, max_size=8)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
def test_promotions_never_pass_the_ceiling(membership, admin, verifier, outsider, standards, keyed_admit, plan):
    for tier, standard_id in ((1, 0), (2, 1), (3, 2)):
        membership.setTierRequirements(tier, bits(standard_id), {"from": admin})
    account = keyed_admit(STATE, OBSERVER)
    certified(membership, verifier, account, 0, 1, 2)  # every promotion is earned
    ceiling = NO_CEILING
    for action, tier in plan:
        current = membership.member(account)[1]
        if action == "setTier" and tier != current:
            membership.setTier(account, tier, {"from": admin})
            ceiling = tier
        elif action == "lift":
            membership.setTierCeiling(account, NO_CEILING, {"from": admin})
            ceiling = NO_CEILING
        elif action == "promote":
            can = current < FULL and current < ceiling
            assert membership.promotable(account)[0] == can
            if can:
                membership.promote(account, {"from": outsider})
        assert membership.tierCeiling(account) == ceiling
        assert ceiling == NO_CEILING or membership.member(account)[1] <= ceiling
