// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISharingRecord
/// @notice What the membership pathway reads of the technology-sharing platform: each member's
/// record of confirmed deliveries.
interface ISharingRecord {
    /// @notice The deliveries `account` made that their requesters confirmed, and to how many
    /// distinct requesters. Both only ever grow.
    function sharingRecord(address account) external view returns (uint32 confirmed, uint32 distinctRequesters);
}
