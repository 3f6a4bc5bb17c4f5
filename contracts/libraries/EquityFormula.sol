// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title EquityFormula
/// @notice The equity fund's allocation formula, version 1: a floor for everyone, the rest in
/// proportion to need score, with a per-member cap enforced by water-filling.
///
/// Given the eligible members' scores `s[0..n)` (all > 0, in member-index order), a `budget`,
/// `capBps` (1..10000) and `floor`, all integer arithmetic, every division rounding down:
///
/// 1. `cap = budget * capBps / 10000` (full-precision multiply, then floor division).
/// 2. `f = min(floor, budget / n, cap)`; every member starts with `a[i] = f`.
/// 3. `rest = budget - n * f`; the *active* set is every member; `headroom = cap - f`.
/// 4. While `rest > 0` and the active set is not empty:
///    - `S = sum of s[i]` over the active set; `share[i] = rest * s[i] / S` for each active `i`;
///    - every active `i` with `share[i] > headroom` is *capped*: `a[i] = cap`, it leaves the
///      active set, and `rest -= headroom` for each of them;
///    - if nobody was capped in this pass, every active `i` gets `a[i] = f + share[i]` and the
///      loop ends.
/// 5. What is left of `budget` after `sum(a)` (rounding dust, or everything undistributable
///    because everyone is capped) is not allocated.
///
/// Properties: `sum(a) <= budget`; `a[i] <= cap`; `a[i] >= f`; the result does not depend on
/// the order in which members are capped within one pass. A capped member never falls back
/// below the cap: capping only raises the remaining members' shares. Each pass either ends
/// the loop or caps at least one member, so there are at most `n` passes.
library EquityFormula {
    /// @notice Formula version recorded with every round.
    uint8 internal constant VERSION = 1;

    /// @notice Basis points in one whole.
    uint256 internal constant BPS = 10_000;

    /// @notice The formula needs at least one eligible member.
    error EquityFormulaNoRecipients();
    /// @notice The per-member cap must be between 1 and 10000 basis points.
    error EquityFormulaCapOutOfRange(uint256 capBps);
    /// @notice Every score the formula is given must be positive.
    error EquityFormulaZeroScore(uint256 position);

    /// @notice The amounts formula version 1 allocates to members with `scores` (all > 0).
    /// Reverts on inputs outside the formula's domain: no scores, a zero score, or `capBps`
    /// outside 1..10000.
    /// @return amounts Each member's amount, in the order of `scores`.
    /// @return allocated The sum of `amounts` (at most `budget`).
    function allocate(
        uint256[] memory scores,
        uint256 budget,
        uint256 capBps,
        uint256 floor
    ) internal pure returns (uint256[] memory amounts, uint256 allocated) {
        if (scores.length == 0) revert EquityFormulaNoRecipients();
        if (capBps == 0 || capBps > BPS) revert EquityFormulaCapOutOfRange(capBps);
        for (uint256 i = 0; i < scores.length; ++i) {
            if (scores[i] == 0) revert EquityFormulaZeroScore(i);
        }
        return allocateValidated(scores, budget, capBps, floor);
    }

    /// @notice {allocate} for inputs its caller has already validated: at least one score, every
    /// score > 0, `capBps` in 1..10000. It does not check them again; on such inputs it returns
    /// exactly what {allocate} returns (on others its result is meaningless, or it reverts with a
    /// panic). {EquityFund} guarantees all three before calling it: a round with no eligible
    /// member is refused, only members with a score > 0 are eligible, and the cap is set only
    /// through a 1..10000 range check.
    function allocateValidated(
        uint256[] memory scores,
        uint256 budget,
        uint256 capBps,
        uint256 floor
    ) internal pure returns (uint256[] memory amounts, uint256 allocated) {
        uint256 n = scores.length;
        uint256 cap = Math.mulDiv(budget, capBps, BPS);
        uint256 f = Math.min(floor, Math.min(budget / n, cap));

        amounts = new uint256[](n);
        uint256 total = 0;
        for (uint256 i = 0; i < n; ++i) {
            amounts[i] = f;
            total += scores[i];
        }

        _fill(scores, amounts, budget - n * f, total, cap, f);

        for (uint256 i = 0; i < n; ++i) {
            allocated += amounts[i];
        }
    }

    /// @dev Step 4: water-fills `rest` over the members, all at `f`, with scores summing to `total`.
    function _fill(
        uint256[] memory scores,
        uint256[] memory amounts,
        uint256 rest,
        uint256 total,
        uint256 cap,
        uint256 f
    ) private pure {
        uint256 m = scores.length;
        // Indices of the active (uncapped) members, compacted in place after each pass.
        uint256[] memory active = new uint256[](m);
        for (uint256 i = 0; i < m; ++i) {
            active[i] = i;
        }
        while (rest > 0 && m > 0) {
            (uint256 kept, uint256 cappedScore) = _pass(scores, amounts, active, m, rest, total, cap, f);
            if (kept == m) break;
            // Each capped member's share exceeded cap - f, so together the capped need less
            // than rest * cappedScore / total <= rest: rest stays positive.
            rest -= (m - kept) * (cap - f);
            total -= cappedScore;
            m = kept;
        }
    }

    /// @dev One pass over the first `m` active members: caps those whose share of `rest` exceeds
    /// `cap - f` and compacts the others to the front of `active`. Uncapped members get
    /// `f + share` tentatively: final if nobody is capped in this pass, else overwritten by the
    /// next pass (rest stays > 0 after a capping pass, so there is one).
    function _pass(
        uint256[] memory scores,
        uint256[] memory amounts,
        uint256[] memory active,
        uint256 m,
        uint256 rest,
        uint256 total,
        uint256 cap,
        uint256 f
    ) private pure returns (uint256 kept, uint256 cappedScore) {
        for (uint256 j = 0; j < m; ++j) {
            uint256 i = active[j];
            uint256 share = Math.mulDiv(rest, scores[i], total);
            if (f + share > cap) {
                amounts[i] = cap;
                cappedScore += scores[i];
            } else {
                amounts[i] = f + share;
                active[kept++] = i;
            }
        }
    }
}
