// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICorporateCapGuard
/// @notice What {Membership} asks before its corporate cap changes: the governor refuses a cap
/// under which the capped corporate bloc alone could reach one of its tracks' quorums.
interface ICorporateCapGuard {
    /// @notice Reverts if `capBps` would let the capped corporate bloc alone reach a quorum.
    function checkCorporateCap(uint16 capBps) external view;
}
