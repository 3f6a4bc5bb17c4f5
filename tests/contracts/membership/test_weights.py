"""Weight arithmetic: basic + tier votes, the corporate cap, against hand-computed numbers and
the Python reference in weights_model."""

import pytest

from tests.contracts.conftest import ASSOCIATE, BASIC_VOTES, CORPORATE, FULL, OBSERVER, PARTNER, STATE, TIER_VOTES
from tests.contracts.membership.conftest import settle
from tests.contracts.membership.weights_model import Schedule, Seat, effective_weights

DEFAULT = Schedule(BASIC_VOTES, tuple(TIER_VOTES), 2000)


def admit_all(admit, seats):
    return [admit(s.kind, s.tier) for s in seats]


def weights_at(membership, accounts_, timepoint):
    return [membership.getPastVotes(a, timepoint) for a in accounts_]


def test_reference_by_hand():
    # S = 1250 + 650 = 1900; C = 1250 + 1250 = 2500; 2500 * 1e4 > 2000 * 4400: binds.
    # Each corporate: floor(1250 * 2000 * 1900 / (8000 * 2500)) = floor(237.5) = 237.
    seats = [Seat(STATE, FULL), Seat(STATE, PARTNER), Seat(CORPORATE, FULL), Seat(CORPORATE, FULL)]
    assert effective_weights(seats, DEFAULT) == [1250, 650, 237, 237]


def test_states_weigh_basic_plus_tier_votes(membership, admit):
    seats = [Seat(STATE, t) for t in (OBSERVER, ASSOCIATE, PARTNER, FULL)]
    accounts_ = admit_all(admit, seats)
    at = settle()
    assert weights_at(membership, accounts_, at) == [0, 350, 650, 1250]
    assert membership.getPastTotalSupply(at) == 2250


def test_corporate_cap_binding_scales_corporates_with_floor(membership, admit):
    seats = [Seat(STATE, FULL), Seat(STATE, PARTNER), Seat(CORPORATE, FULL), Seat(CORPORATE, FULL)]
    accounts_ = admit_all(admit, seats)
    at = settle()
    assert weights_at(membership, accounts_, at) == [1250, 650, 237, 237]
    assert membership.getPastTotalSupply(at) == 1250 + 650 + 237 + 237
    # 474 / 2374 = 19.97% <= 20%
    assert 474 * 10_000 <= 2000 * 2374
    scale = membership.pastScale(at)
    assert (scale[1], scale[2]) == (2000 * 1900, 8000 * 2500)


def test_corporate_cap_not_binding_leaves_raw_weights(membership, admit):
    # S = 1250 * 4 = 5000, C = 350: 350 / 5350 = 6.5% < 20%
    seats = [Seat(STATE, FULL)] * 4 + [Seat(CORPORATE, ASSOCIATE)]
    accounts_ = admit_all(admit, seats)
    at = settle()
    assert weights_at(membership, accounts_, at) == [1250] * 4 + [350]
    assert membership.getPastTotalSupply(at) == 5350
    assert tuple(membership.pastScale(at))[1:] == (1, 1)


def test_corporate_share_exactly_at_cap_does_not_bind(membership, admin, admit):
    # cap 20%: S = 4 * 1250 = 5000, C = 1250: exactly 20%, not above: raw.
    seats = [Seat(STATE, FULL)] * 4 + [Seat(CORPORATE, FULL)]
    accounts_ = admit_all(admit, seats)
    at = settle()
    assert weights_at(membership, accounts_, at)[-1] == 1250
    assert tuple(membership.pastScale(at))[1:] == (1, 1)


def test_cap_zero_silences_corporates(membership, admin, admit):
    membership.setCorporateCap(0, {"from": admin})
    seats = [Seat(STATE, ASSOCIATE), Seat(CORPORATE, FULL), Seat(CORPORATE, PARTNER)]
    accounts_ = admit_all(admit, seats)
    at = settle()
    assert weights_at(membership, accounts_, at) == [350, 0, 0]
    assert membership.getPastTotalSupply(at) == 350


def test_cap_whole_means_no_cap(membership, admin, admit):
    membership.setCorporateCap(10_000, {"from": admin})
    seats = [Seat(STATE, ASSOCIATE), Seat(CORPORATE, FULL), Seat(CORPORATE, FULL)]
    accounts_ = admit_all(admit, seats)
    at = settle()
    assert weights_at(membership, accounts_, at) == [350, 1250, 1250]
    assert membership.getPastTotalSupply(at) == 2850


def test_corporates_alone_weigh_zero_under_a_cap(membership, admit):
    accounts_ = admit_all(admit, [Seat(CORPORATE, FULL), Seat(CORPORATE, ASSOCIATE)])
    at = settle()
    assert weights_at(membership, accounts_, at) == [0, 0]
    assert membership.getPastTotalSupply(at) == 0


def test_inactive_members_weigh_nothing_and_do_not_count_toward_the_cap(membership, admin, admit):
    seats = [Seat(STATE, FULL), Seat(STATE, FULL), Seat(CORPORATE, FULL)]
    state_a, state_b, corporate = admit_all(admit, seats)
    membership.suspend(state_b, {"from": admin})
    at = settle()
    # S = 1250 (b suspended), C = 1250: binds; 1250 * 2000 * 1250 / (8000 * 1250) = 312.5 -> 312
    assert weights_at(membership, [state_a, state_b, corporate], at) == [1250, 0, 312]
    membership.expel(state_a, {"from": admin})
    at = settle()
    assert weights_at(membership, [state_a, state_b, corporate], at) == [0, 0, 0]


@pytest.mark.parametrize(
    "seats, schedule",
    [
        ([(0, 3), (0, 1), (1, 3), (1, 2), (1, 1)], Schedule(250, (100, 400, 1000), 2000)),
        ([(0, 1), (1, 3), (1, 3), (1, 3)], Schedule(7, (3, 11, 13), 3333)),
        ([(0, 2), (0, 0), (1, 1), (1, 0)], Schedule(1, (0, 0, 0), 1)),
        ([(0, 3), (1, 3)], Schedule(0, (1, 2, 3), 5000)),
        ([(0, 3), (0, 2), (1, 1)], Schedule(2**32 - 1, (2**32 - 1, 5, 2**31), 9999)),
    ],
)
def test_contract_matches_reference(membership, admin, admit, seats, schedule):
    membership.setVoteSchedule(schedule.basic, list(schedule.tier_votes), {"from": admin})
    membership.setCorporateCap(schedule.cap, {"from": admin})
    seats = [Seat(k, t) for k, t in seats]
    accounts_ = admit_all(admit, seats)
    at = settle()
    expected = effective_weights(seats, schedule)
    assert weights_at(membership, accounts_, at) == expected
    assert membership.getPastTotalSupply(at) == sum(expected)
    corporate = sum(w for w, s in zip(expected, seats) if s.kind == CORPORATE)
    assert corporate * 10_000 <= schedule.cap * sum(expected) or sum(expected) == 0
