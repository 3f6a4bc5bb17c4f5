"""The equity fund's allocation formula, version 1, in plain Python.

A reference an auditor re-computes every round with; it must agree with
`contracts/libraries/EquityFormula.sol` to the last unit. Standalone on purpose (no
brownie, no web3): the contract tests and the auditor (`waico audit`) share it.
"""

from __future__ import annotations

FORMULA_VERSION = 1
BPS = 10_000


def allocate(scores: list[int], budget: int, cap_bps: int, floor: int) -> list[int]:
    """What formula v1 pays each eligible member, in the order of `scores`.

    `scores` are the eligible members' need scores (all > 0) in member-index order. Every
    division rounds down. Each member gets `f = min(floor, budget // n, cap)` with
    `cap = budget * cap_bps // 10000`; the rest is split in proportion to score among the
    members not yet capped, anyone whose total would exceed `cap` gets exactly `cap` and drops
    out, and the rest is split again, until nobody new is capped. What is left (dust, or
    everything when everyone is capped) stays in the fund.
    """
    n = len(scores)
    if n == 0:
        raise ValueError("formula v1 needs at least one eligible member")
    if not 1 <= cap_bps <= BPS:
        raise ValueError(f"cap_bps must be in 1..{BPS}, got {cap_bps}")
    if any(s <= 0 for s in scores):
        raise ValueError("every eligible score must be positive")

    cap = budget * cap_bps // BPS
    f = min(floor, budget // n, cap)
    amounts = [f] * n
    rest = budget - n * f
    active = list(range(n))
    while rest > 0 and active:
        total = sum(scores[i] for i in active)
        shares = {i: rest * scores[i] // total for i in active}
        capped = [i for i in active if f + shares[i] > cap]
        if not capped:
            for i in active:
                amounts[i] = f + shares[i]
            break
        for i in capped:
            amounts[i] = cap
        rest -= len(capped) * (cap - f)
        active = [i for i in active if f + shares[i] <= cap]
    return amounts


def cap_amount(budget: int, cap_bps: int) -> int:
    """The most one member can receive from a round of `budget`."""
    return budget * cap_bps // BPS
