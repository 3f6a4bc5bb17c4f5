// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title TestGasBurner
/// @notice Test-only griefer: an "ERC-1271 wallet" that accepts any signature while it behaves (as
/// under a relayer's `eth_call` pre-check) and, once switched to burning, spends all the gas it is
/// given.
contract TestGasBurner is IERC1271 {
    /// @notice Whether {isValidSignature} burns its gas.
    bool public burning;

    /// @notice Switch burning on or off (anyone: it is a test contract).
    function setBurning(bool on) external {
        burning = on;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32, bytes calldata) external view returns (bytes4) {
        if (burning) {
            uint256 x;
            while (gasleft() > 0) ++x;
        }
        return this.isValidSignature.selector;
    }
}
