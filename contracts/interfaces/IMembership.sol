// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

/// @title IMembership
/// @notice Tiered, checkpointed, non-transferable membership of the organization: what the
/// Governor and the equity fund read. Weights are *effective* weights (corporate cap applied).
interface IMembership is IERC5805 {
    /// @notice What a member is: a member state or a corporate member.
    enum Kind {
        State,
        Corporate
    }

    /// @notice Where a member stands. `None` means the account was never admitted.
    enum Status {
        None,
        Active,
        Suspended,
        Expelled
    }

    /// @notice A member's current record.
    struct MemberInfo {
        Kind kind;
        uint8 tier;
        Status status;
        uint32 index;
        uint256 certifications;
        string name;
        string identifier;
    }

    /// @notice A member's voting position at a timepoint: its dense index (1-based, 0 = never
    /// admitted) and its voting class (0 = no vote; see {VoteWeights}).
    struct Seat {
        uint32 index;
        uint8 class;
    }

    /// @notice The weight parameters in force at a timepoint: the packed vote schedule and the
    /// corporate scaling factor `num / den` (1/1 when the cap does not bind).
    struct Scale {
        uint256 schedule;
        uint256 num;
        uint256 den;
    }

    /// @notice The member's current record.
    function member(address account) external view returns (MemberInfo memory);

    /// @notice Where `account` stands and its tier: one cheap read for contracts that gate on both.
    function standing(address account) external view returns (Status status, uint8 tier);

    /// @notice Number of tiers (tier ids are 0..tierCount-1).
    function tierCount() external view returns (uint8);

    /// @notice Number of accounts ever admitted (indices 1..memberCount).
    function memberCount() external view returns (uint256);

    /// @notice The account admitted with `index` (1-based).
    function memberAt(uint256 index) external view returns (address);

    /// @notice Whether `account` currently has a vote (active and above the non-voting tier).
    function isVoting(address account) external view returns (bool);

    /// @notice The weight parameters in force at a past `timepoint`.
    function pastScale(uint256 timepoint) external view returns (Scale memory);

    /// @notice The account's seat at a past `timepoint`.
    function pastSeat(address account, uint256 timepoint) external view returns (Seat memory);

    /// @notice The vote schedule in force now: basic votes, tier votes (tiers 1..3), corporate cap.
    function voteSchedule() external view returns (uint32 basicVotes, uint32[3] memory tierVotes, uint16 cap);

    /// @notice Each account's seat at a past `timepoint`, in the order given, packed as
    /// `index << 8 | class` (one word each: a batch of ballots decodes them cheaply).
    function pastSeats(address[] calldata accounts, uint256 timepoint) external view returns (uint256[] memory);
}
