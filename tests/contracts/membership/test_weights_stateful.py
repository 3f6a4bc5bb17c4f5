"""Property tests: random sequences of membership changes keep the weights right.

The state machine admits states and corporates at random tiers, suspends, reinstates, expels,
changes tiers (by governance, which also sets the tier ceiling; anyone's promotion call is refused:
above its ceiling, or no requirements being set), changes
the schedule and the cap, and mines blocks. A Python model keeps each block's seats and
schedule. After every step, at the latest past timepoint:
- every member's weight equals the reference (weights_model), non-members/Observers/suspended/
  expelled weigh 0;
- the total equals the sum of the members' weights;
- the corporate share never exceeds the cap.
At the end, every weight read so far is read again and must not have changed, and the total at
every block of the run equals the reference total.
"""

from brownie import accounts, web3
from brownie.test import strategy
from hypothesis import strategies as st

from tests.contracts.conftest import BASIC_VOTES, CORPORATE_CAP_BPS, TIER_VOTES, fresh_address, mine
from tests.contracts.membership.weights_model import BPS, CORPORATE, Schedule, Seat, effective_weights
from tests.contracts.reverts import assert_reverts_with
from tests.contracts.stateful import state_machine

ACTIVE, SUSPENDED, EXPELLED = 1, 2, 3
VOTES = st.one_of(st.integers(0, 1500), st.sampled_from([0, 1, 2**32 - 1]))


class MembershipMachine:
    st_kind = strategy("uint8", max_value=1)
    st_tier = strategy("uint8", max_value=3)
    st_pick = strategy("uint16")
    st_cap = st.one_of(st.sampled_from([0, 1, 2000, 5000, 9999, 10_000, 10_001, 65_535]), st.integers(0, BPS))
    st_votes = VOTES
    st_blocks = strategy("uint8", min_value=1, max_value=3)
    st_bool = strategy("bool")
    # Hypothesis starts with the shortest runs, so every run begins with a population.
    st_population = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 3)), min_size=2, max_size=8)

    def __init__(cls, membership, admin, outsider):
        cls.membership = membership
        cls.admin = admin
        cls.outsider = outsider
        cls.stranger = fresh_address()

    def setup(self):
        self.accounts = []  # in admission order
        self.seats = {}  # account -> Seat
        self.statuses = {}  # account -> ACTIVE / SUSPENDED / EXPELLED
        self.identifiers = {}  # account -> identifier
        self.ceilings = {}  # account -> the tier promote may not pass (set by governance's setTier)
        self.taken = set()  # (kind, identifier)
        self.schedule = Schedule(BASIC_VOTES, tuple(TIER_VOTES), CORPORATE_CAP_BPS)
        self.history = {}  # block -> (seats in admission order, schedule)
        self.reads = []  # (account, timepoint, weight)
        self.next_id = 0
        self.history[0] = ([], self.schedule)  # no members before the fixture's blocks
        self._record()
        self.checked = set()

    # -------------------------------------------------------------- model

    def _record(self):
        seats = [(a, self.seats[a]) for a in self.accounts]
        self.history[web3.eth.block_number] = (seats, self.schedule)

    def _at(self, timepoint):
        block = max(b for b in self.history if b <= timepoint)
        return self.history[block]

    def _pick(self, pick):
        return self.accounts[pick % len(self.accounts)] if self.accounts else None

    def _set_seat(self, account, tier=None, status=None):
        seat = self.seats[account]
        tier = seat.tier if tier is None else tier
        status = self.statuses[account] if status is None else status
        self.statuses[account] = status
        self.seats[account] = Seat(seat.kind, tier, status == ACTIVE)

    # -------------------------------------------------------------- rules

    def initialize_population(self, population="st_population"):
        for kind, tier in population:
            self.rule_admit(kind, tier)

    def rule_admit(self, kind="st_kind", tier="st_tier"):
        account = fresh_address()
        identifier = f"M{self.next_id}"
        self.next_id += 1
        self.membership.admit(account, kind, tier, f"Member {identifier}", identifier, {"from": self.admin})
        self.accounts.append(account)
        self.statuses[account] = ACTIVE
        self.seats[account] = Seat(kind, tier, True)
        self.identifiers[account] = identifier
        self.taken.add((kind, identifier))
        self._record()

    def rule_admit_reusing_identifier(self, pick="st_pick", other_kind="st_bool", tier="st_tier"):
        holder = self._pick(pick)
        if holder is None:
            return
        identifier = self.identifiers[holder]
        kind = 1 - self.seats[holder].kind if other_kind else self.seats[holder].kind
        account = fresh_address()
        fn = self.membership.admit
        if (kind, identifier) in self.taken:
            assert_reverts_with(
                "MemberIdentifierTaken", fn, account, kind, tier, "Twin", identifier, {"from": self.admin},
                error_args=(identifier,),
            )
            return
        fn(account, kind, tier, "Twin", identifier, {"from": self.admin})
        self.accounts.append(account)
        self.statuses[account] = ACTIVE
        self.seats[account] = Seat(kind, tier, True)
        self.identifiers[account] = identifier
        self.taken.add((kind, identifier))
        self._record()

    def _change_status(self, pick, allowed, error: str, call, status) -> None:
        """suspend/reinstate/expel `pick`: refused with `error` unless `allowed` for its status."""
        account = self._pick(pick)
        if account is None:
            return
        if not allowed(self.statuses[account]):
            assert_reverts_with(error, call, account, {"from": self.admin})
            return
        call(account, {"from": self.admin})
        self._set_seat(account, status=status)
        self._record()

    def rule_suspend(self, pick="st_pick"):
        self._change_status(pick, lambda s: s == ACTIVE, "MemberNotActive", self.membership.suspend, SUSPENDED)

    def rule_reinstate(self, pick="st_pick"):
        self._change_status(pick, lambda s: s == SUSPENDED, "MemberNotSuspended", self.membership.reinstate, ACTIVE)

    def rule_expel(self, pick="st_pick"):
        self._change_status(pick, lambda s: s != EXPELLED, "MemberNotActive", self.membership.expel, EXPELLED)

    def rule_set_tier(self, pick="st_pick", tier="st_tier"):
        account = self._pick(pick)
        if account is None:
            return
        fn = self.membership.setTier
        if self.statuses[account] == EXPELLED:
            assert_reverts_with("MemberNotActive", fn, account, tier, {"from": self.admin})
        elif self.seats[account].tier == tier:
            assert_reverts_with("TierUnchanged", fn, account, tier, {"from": self.admin})
        else:
            fn(account, tier, {"from": self.admin})
            self._set_seat(account, tier=tier)
            self.ceilings[account] = tier  # a governance tier is also the member's ceiling
            self._record()

    def rule_promote_by_anyone(self, pick="st_pick"):
        # No tier has requirements here, so promotion is closed: anyone's call changes nothing
        # (refused for its ceiling first, when governance set the member's tier).
        account = self._pick(pick)
        if account is None:
            return
        fn = self.membership.promote
        if self.statuses[account] != ACTIVE:
            assert_reverts_with("MemberNotActive", fn, account, {"from": self.outsider})
        elif self.seats[account].tier == 3:
            assert_reverts_with("PromotionBeyondTopTier", fn, account, {"from": self.outsider})
        elif account in self.ceilings and self.seats[account].tier >= self.ceilings[account]:
            assert_reverts_with("PromotionAboveTierCeiling", fn, account, {"from": self.outsider},
                                error_args=[account, self.ceilings[account]])
        else:
            next_tier = self.seats[account].tier + 1
            assert_reverts_with("PromotionPathClosed", fn, account, {"from": self.outsider},
                                error_args=[next_tier])

    def rule_set_schedule(self, basic="st_votes", t1="st_votes", t2="st_votes", t3="st_votes"):
        self.membership.setVoteSchedule(basic, [t1, t2, t3], {"from": self.admin})
        self.schedule = Schedule(basic, (t1, t2, t3), self.schedule.cap)
        self._record()

    def rule_set_cap(self, cap="st_cap"):
        if cap > BPS:
            assert_reverts_with("CapOutOfRange", self.membership.setCorporateCap, cap, {"from": self.admin})
            return
        self.membership.setCorporateCap(cap, {"from": self.admin})
        self.schedule = Schedule(self.schedule.basic, self.schedule.tier_votes, cap)
        self._record()

    def rule_mine(self, blocks="st_blocks"):
        mine(blocks)

    # -------------------------------------------------------------- invariants

    def _check(self, timepoint):
        seats, schedule = self._at(timepoint)
        expected = effective_weights([s for _, s in seats], schedule)
        actual = [self.membership.getPastVotes(a, timepoint) for a, _ in seats]
        assert actual == expected, (timepoint, seats, schedule)
        for (account, seat), weight in zip(seats, actual):
            if not seat.votes:
                assert weight == 0
            self.reads.append((account, timepoint, weight))
        assert self.membership.getPastVotes(self.stranger, timepoint) == 0

        total = self.membership.getPastTotalSupply(timepoint)
        assert total == sum(actual)
        corporate = sum(w for (_, s), w in zip(seats, actual) if s.kind == CORPORATE)
        if total > 0:
            assert corporate * BPS <= schedule.cap * total

    def invariant_latest_past_timepoint(self):
        timepoint = web3.eth.block_number - 1
        if timepoint not in self.checked:  # a step that sent nothing leaves it as checked
            self.checked.add(timepoint)
            self._check(timepoint)

    def teardown(self):
        mine()
        self._check(web3.eth.block_number - 1)
        for account, timepoint, weight in self.reads:
            assert self.membership.getPastVotes(account, timepoint) == weight, (account, timepoint)
        for block in self.history:
            if block < web3.eth.block_number:
                seats, schedule = self.history[block]
                expected = sum(effective_weights([s for _, s in seats], schedule))
                assert self.membership.getPastTotalSupply(block) == expected, block


def test_weights_stay_consistent_under_random_membership_changes(membership, admin, outsider):
    state_machine(
        MembershipMachine, membership, admin, outsider,
        settings={"max_examples": 20, "stateful_step_count": 20},
        min_steps=75,  # fresh here: 23, 46 then 466 over three rounds; 131 in one
    )
