// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMembership} from "../interfaces/IMembership.sol";

/// @dev Number of membership tiers; tier 0 (Observer) has no vote.
uint8 constant TIER_COUNT = 4;

/// @title VoteWeights
/// @notice The arithmetic of voting weight, shared by Membership and the Governor.
///
/// Weight follows the IMF/World Bank model: a voting member has `basic + tierVotes[tier]`
/// raw votes. The corporate bloc's share of the total is capped at `capBps`: when the raw
/// corporate total `C` would exceed it, every corporate weight is multiplied by the same
/// factor `num / den = capBps * S / ((10000 - capBps) * C)` (rounded down per member), where
/// `S` is the states' total. The effective total is the sum of the rounded weights, so it
/// equals the sum of every member's effective weight exactly.
///
/// Encodings (all fit a checkpoint value of 208 bits):
/// - a *class* is 0 for no vote, else `1 + kind * 3 + (tier - 1)` for tiers 1..3;
/// - a *schedule* packs `basic` (bits 0-31), `tierVotes[1..3]` (bits 32-127) and `capBps`
///   (bits 128-143);
/// - a *census* packs the number of voting members of each class, 32 bits each (class c at
///   bits `32 * (c - 1)`).
library VoteWeights {
    /// @notice Number of tiers; tier 0 (Observer) has no vote.
    uint8 internal constant TIERS = TIER_COUNT;
    /// @notice Number of voting classes (2 kinds x 3 voting tiers).
    uint8 internal constant CLASSES = 6;
    /// @notice Basis points in one whole.
    uint256 internal constant BPS = 10_000;

    /// @notice The voting class of a member of `kind` at `tier`, or 0 for no vote.
    function classOf(IMembership.Kind kind, uint8 tier) internal pure returns (uint8) {
        if (tier == 0) return 0;
        return 1 + uint8(kind) * 3 + (tier - 1);
    }

    /// @notice Whether a (non-zero) class is a corporate one.
    function isCorporate(uint8 class) internal pure returns (bool) {
        return class > 3;
    }

    /// @notice The tier (1..3) of a non-zero class.
    function tierOf(uint8 class) internal pure returns (uint8) {
        return ((class - 1) % 3) + 1;
    }

    /// @notice Packs a vote schedule and corporate cap into one checkpoint value.
    function packSchedule(uint32 basic, uint32[3] memory votes, uint16 cap) internal pure returns (uint208) {
        return
            uint208(basic) |
            (uint208(votes[0]) << 32) |
            (uint208(votes[1]) << 64) |
            (uint208(votes[2]) << 96) |
            (uint208(cap) << 128);
    }

    /// @notice The basic votes of every voting member.
    function basicVotes(uint256 schedule) internal pure returns (uint32) {
        return uint32(schedule);
    }

    /// @notice The tier votes of `tier` (0 for the Observer tier).
    function tierVotes(uint256 schedule, uint8 tier) internal pure returns (uint32) {
        if (tier == 0) return 0;
        return uint32(schedule >> (32 * tier));
    }

    /// @notice The cap on the corporate bloc's share, in basis points.
    function capBps(uint256 schedule) internal pure returns (uint16) {
        return uint16(schedule >> 128);
    }

    /// @notice Raw (uncapped) weight of a member of voting `tier` (1..3).
    function rawWeight(uint256 schedule, uint8 tier) internal pure returns (uint256) {
        return uint256(basicVotes(schedule)) + tierVotes(schedule, tier);
    }

    /// @notice Number of voting members of `class` in `census`.
    function count(uint256 census, uint8 class) internal pure returns (uint256) {
        return uint32(census >> (32 * (class - 1)));
    }

    /// @notice `census` with one more (`add`) or one fewer member of `class` (0 changes nothing).
    function adjust(uint256 census, uint8 class, bool add) internal pure returns (uint256) {
        if (class == 0) return census;
        uint256 unit = uint256(1) << (32 * (class - 1));
        return add ? census + unit : census - unit;
    }

    /// @notice The weight parameters for a schedule and census.
    function scale(uint256 schedule, uint256 census) internal pure returns (IMembership.Scale memory s) {
        s.schedule = schedule;
        s.num = 1;
        s.den = 1;
        uint256 cap = capBps(schedule);
        if (cap >= BPS) return s;
        uint256 states = 0;
        uint256 corporates = 0;
        for (uint8 tier = 1; tier < TIERS; ++tier) {
            uint256 raw = rawWeight(schedule, tier);
            states += count(census, tier) * raw;
            corporates += count(census, tier + 3) * raw;
        }
        // Binds when corporates / (states + corporates) > cap / BPS.
        if (corporates * BPS > cap * (states + corporates)) {
            s.num = cap * states;
            s.den = (BPS - cap) * corporates;
        }
    }

    /// @notice Effective weight of a member of `class` under `s`.
    function weight(uint8 class, IMembership.Scale memory s) internal pure returns (uint256) {
        if (class == 0) return 0;
        uint256 raw = rawWeight(s.schedule, tierOf(class));
        return isCorporate(class) ? (raw * s.num) / s.den : raw;
    }

    /// @notice Effective total weight: the exact sum of every voting member's effective weight.
    function total(uint256 census, IMembership.Scale memory s) internal pure returns (uint256 sum) {
        for (uint8 class = 1; class <= CLASSES; ++class) {
            sum += count(census, class) * weight(class, s);
        }
    }
}
