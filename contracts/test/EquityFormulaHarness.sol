// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EquityFormula} from "../libraries/EquityFormula.sol";

/// @title EquityFormulaHarness
/// @notice Exposes {EquityFormula.allocate} for tests: the formula alone, without a fund.
contract EquityFormulaHarness {
    /// @notice {EquityFormula.allocate}.
    function allocate(
        uint256[] memory scores,
        uint256 budget,
        uint256 capBps,
        uint256 floor
    ) external pure returns (uint256[] memory amounts, uint256 allocated) {
        return EquityFormula.allocate(scores, budget, capBps, floor);
    }
}
