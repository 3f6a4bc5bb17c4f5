"""An independent Python reference for effective voting weights (SPEC §2.1).

Written from the rule, not from VoteWeights.sol: every voting member has basic + tier votes;
when the corporate bloc's raw total C exceeds `cap` basis points of the raw total S + C, each
corporate weight becomes floor(raw * cap * S / ((10000 - cap) * C)). Observers, suspended and
expelled members (and non-members) weigh 0.
"""

from dataclasses import dataclass

BPS = 10_000
STATE, CORPORATE = 0, 1


@dataclass(frozen=True)
class Schedule:
    basic: int
    tier_votes: tuple[int, int, int]
    cap: int


@dataclass(frozen=True)
class Seat:
    """A member as far as weight goes: kind, tier and whether it is active."""

    kind: int
    tier: int
    active: bool = True

    @property
    def votes(self) -> bool:
        return self.active and self.tier > 0


def raw_weight(schedule: Schedule, tier: int) -> int:
    return 0 if tier == 0 else schedule.basic + schedule.tier_votes[tier - 1]


def effective_weights(seats: list[Seat], schedule: Schedule) -> list[int]:
    raws = [raw_weight(schedule, s.tier) if s.votes else 0 for s in seats]
    states = sum(r for r, s in zip(raws, seats) if s.kind == STATE)
    corporates = sum(r for r, s in zip(raws, seats) if s.kind == CORPORATE)
    capped = schedule.cap < BPS and corporates * BPS > schedule.cap * (states + corporates)
    if not capped:
        return raws
    num = schedule.cap * states
    den = (BPS - schedule.cap) * corporates
    return [r * num // den if s.kind == CORPORATE else r for r, s in zip(raws, seats)]
