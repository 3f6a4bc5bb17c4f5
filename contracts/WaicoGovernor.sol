// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {GovernorMemberBallots} from "./governance/GovernorMemberBallots.sol";
import {GovernorOrdinaryRegister} from "./governance/GovernorOrdinaryRegister.sol";
import {GovernorTimelockDelays} from "./governance/GovernorTimelockDelays.sol";
import {GovernorTracks} from "./governance/GovernorTracks.sol";
import {ICorporateCapGuard} from "./interfaces/ICorporateCapGuard.sol";
import {IMembership} from "./interfaces/IMembership.sol";

/// @title WaicoGovernor
/// @notice The organization's Governor, composed of modules in the manner of OpenZeppelin's:
/// proposals on three tracks ({GovernorTracks}), a register of ordinary calls that makes every
/// other call constitutional ({GovernorOrdinaryRegister}), weighted member votes and signed
/// ballots relayed singly or in packed batches ({GovernorMemberBallots}), a per-track timelock
/// delay ({GovernorTimelockDelays}) and an expiring guardian.
///
/// Tracks. A track's quorum is in bps of the total weight at the snapshot, counting for +
/// abstain, rounded up; its pass threshold is reached when `for * 10000 >= passBps * (for +
/// against)`, and always `for > against`. `Constitutional` also needs a majority of the voting
/// *states* by head count (`statesFor > statesAgainst`, abstentions not counted). A proposal with
/// a constitutional call must be on the Constitutional track (checked at proposal and again at
/// queueing, as the register may have changed).
///
/// Quorum and the corporate cap. No track's quorum may be within the corporate cap: the capped
/// corporate bloc weighs at most `cap` bps of the total, so with every quorum above the cap no
/// proposal meets quorum on corporate votes alone. Checked at deployment, on every change of a
/// track's parameters, and (as {Membership}'s cap guard) on every change of the cap.
///
/// Counting (`COUNTING_MODE` = `support=bravo&quorum=for,abstain&params=track`): vote `params`
/// must be empty. Clock: block numbers, like {Membership}.
contract WaicoGovernor is
    GovernorVotes,
    GovernorTimelockDelays,
    GovernorTracks,
    GovernorOrdinaryRegister,
    GovernorMemberBallots,
    ICorporateCapGuard
{
    uint48 private immutable _votingDelay;
    address private _guardian;
    uint48 private _guardianExpiry;

    /// @notice The guardian changed; it may cancel proposals until `expiry` (unix seconds).
    // slither-disable-next-line unindexed-event-address its log layout is fixed: the mirror and auditors decode it
    event GuardianSet(address oldGuardian, address newGuardian, uint48 expiry);

    /// @notice The voting token does not use the governor's block-number clock.
    error GovernorIncompatibleClock();
    /// @notice The capped corporate bloc alone could reach `track`'s quorum: its quorum must be
    /// above the corporate cap.
    error GovernorQuorumWithinCorporateCap(Track track, uint16 quorumBps, uint16 capBps);

    /// @param membership_ The {Membership} contract (ERC-5805 on a block-number clock).
    /// @param timelock_ The timelock that executes proposals; its minimum delay should be the
    /// shortest track delay.
    /// @param votingDelay_ Blocks between a proposal and its snapshot.
    /// @param tracks_ Parameters of Ordinary, RapidResponse and Constitutional, in that order;
    /// every quorum above Membership's corporate cap.
    /// @param guardian_ The guardian (zero for none).
    /// @param guardianExpiry_ Unix time from which the guardian can no longer cancel.
    /// @param rapidResponders_ Accounts that may propose on the RapidResponse track.
    /// @param ordinary_ The calls listed as ordinary; every other call is constitutional.
    constructor(
        IMembership membership_,
        TimelockController timelock_,
        uint48 votingDelay_,
        TrackParams[3] memory tracks_,
        address guardian_,
        uint48 guardianExpiry_,
        address[] memory rapidResponders_,
        OrdinaryCalls[] memory ordinary_
    )
        Governor("WAICO Governor")
        GovernorVotes(membership_)
        GovernorTimelockDelays(timelock_)
        GovernorTracks(rapidResponders_)
        GovernorOrdinaryRegister(ordinary_)
    {
        if (membership_.clock() != clock()) revert GovernorIncompatibleClock();
        _votingDelay = votingDelay_;
        // slither-disable-next-line unused-return only the cap is needed of the schedule
        (, , uint16 cap) = membership_.voteSchedule();
        for (uint256 i = 0; i < 3; ++i) {
            _requireQuorumAboveCap(Track(i), tracks_[i].quorumBps, cap);
            _setTrackParams(Track(i), tracks_[i]);
        }
        _setGuardian(guardian_, guardianExpiry_);
    }

    // ------------------------------------------------------------------ clock and parameters

    /// @notice The current timepoint: the block number (as {Membership}).
    function clock() public view override(Governor, GovernorVotes) returns (uint48) {
        return Time.blockNumber();
    }

    /// @notice Machine-readable description of the clock (ERC-6372).
    // slither-disable-start naming-convention ERC-6372 names it
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override(Governor, GovernorVotes) returns (string memory) {
        return "mode=blocknumber&from=default";
    }
    // slither-disable-end naming-convention

    /// @notice Blocks between a proposal and its snapshot.
    function votingDelay() public view override returns (uint256) {
        return _votingDelay;
    }

    /// @notice The Ordinary track's voting period (while a proposal is being created: its track's).
    function votingPeriod() public view override(Governor, GovernorTracks) returns (uint256) {
        return super.votingPeriod();
    }

    /// @notice The Ordinary track's quorum at `timepoint`; see {proposalQuorum} for a proposal's.
    function quorum(uint256 timepoint) public view override returns (uint256) {
        return _quorumAt(trackParams(Track.Ordinary).quorumBps, timepoint);
    }

    /// @notice See the contract documentation.
    // slither-disable-start naming-convention IGovernor names it
    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure override returns (string memory) {
        return "support=bravo&quorum=for,abstain&params=track";
    }
    // slither-disable-end naming-convention

    /// @notice The quorum (for + abstain weight) a proposal needs.
    function proposalQuorum(uint256 proposalId) public view returns (uint256) {
        return _quorumAt(_proposalTrack(proposalId).quorumBps, proposalSnapshot(proposalId));
    }

    /// @notice Reverts with {GovernorQuorumWithinCorporateCap} unless every track's quorum is
    /// above `capBps` ({Membership} asks before its cap changes).
    function checkCorporateCap(uint16 capBps) external view {
        for (uint256 i = 0; i < 3; ++i) {
            _requireQuorumAboveCap(Track(i), trackParams(Track(i)).quorumBps, capBps);
        }
    }

    /// @notice The guardian while it may still cancel, else the zero address.
    function proposalGuardian() public view returns (address) {
        // slither-disable-next-line timestamp the expiry is unix time by design; seconds of drift do not matter
        return block.timestamp < _guardianExpiry ? _guardian : address(0);
    }

    /// @notice The guardian and the unix time its power ends.
    function guardian() external view returns (address account, uint48 expiry) {
        return (_guardian, _guardianExpiry);
    }

    /// @notice Sets the guardian and the unix time its power ends (constitutional).
    function setGuardian(address account, uint48 expiry) external onlyGovernance {
        _setGuardian(account, expiry);
    }

    // ------------------------------------------------------------------ hooks of the modules

    function _checkTrackParams(Track track, TrackParams memory params) internal view override {
        // slither-disable-next-line unused-return only the cap is needed of the schedule
        (, , uint16 cap) = _membership().voteSchedule();
        _requireQuorumAboveCap(track, params.quorumBps, cap);
    }

    function _checkProposalCalls(Track track, address[] memory targets, bytes[] memory calldatas) internal view override {
        _checkCalls(track == Track.Constitutional, targets, calldatas);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorTracks) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    function _castVote(
        uint256 proposalId,
        address account,
        uint8 support,
        string memory reason,
        bytes memory params
    ) internal override(Governor, GovernorMemberBallots) returns (uint256) {
        return super._castVote(proposalId, account, support, reason, params);
    }

    // slither-disable-next-line dead-code override of an OZ Governor hook; Governor.state calls it
    function _quorumReached(uint256 proposalId) internal view override returns (bool) {
        (uint256 forVotes, , uint256 abstainVotes) = _votes(proposalId);
        return proposalQuorum(proposalId) <= forVotes + abstainVotes;
    }

    // slither-disable-next-line dead-code override of an OZ Governor hook; Governor.state calls it
    function _voteSucceeded(uint256 proposalId) internal view override returns (bool) {
        (uint256 forVotes, uint256 againstVotes, ) = _votes(proposalId);
        TrackRecord storage t = _proposalTrack(proposalId);
        if (forVotes <= againstVotes || forVotes * _BPS < t.passBps * (forVotes + againstVotes)) return false;
        return t.track != Track.Constitutional || _statesMajority(proposalId);
    }

    // ------------------------------------------------------------------ timelock and guardian

    function state(uint256 proposalId) public view override(Governor, GovernorTimelockDelays) returns (ProposalState) {
        return super.state(proposalId);
    }

    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockDelays) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    // slither-disable-next-line dead-code override of GovernorTimelockDelays' hook; _queueOperations calls it
    function _timelockDelay(uint256 proposalId) internal view override returns (uint256) {
        return _proposalTrack(proposalId).timelockDelay;
    }

    /// @dev Re-checks the track: the register may have changed since the proposal.
    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockDelays) returns (uint48) {
        _checkProposalCalls(_proposalTrack(proposalId).track, targets, calldatas);
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockDelays) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockDelays) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockDelays) returns (address) {
        return super._executor();
    }

    /// @dev Until expiry the guardian may cancel any proposal not executed; the proposer may
    /// still cancel its own while Pending.
    function _validateCancel(uint256 proposalId, address caller) internal view override returns (bool) {
        return (caller != address(0) && caller == proposalGuardian()) || super._validateCancel(proposalId, caller);
    }

    // ------------------------------------------------------------------ internals

    function _setGuardian(address account, uint48 expiry) private {
        emit GuardianSet(_guardian, account, expiry);
        _guardian = account;
        _guardianExpiry = expiry;
    }

    /// @dev The quorum rounds up, so a bloc of at most `cap` bps of the total never reaches a
    /// quorum above `cap` bps.
    function _quorumAt(uint256 quorumBps, uint256 timepoint) private view returns (uint256) {
        return Math.mulDiv(token().getPastTotalSupply(timepoint), quorumBps, _BPS, Math.Rounding.Ceil);
    }

    function _requireQuorumAboveCap(Track track, uint16 quorumBps, uint16 cap) private pure {
        if (quorumBps <= cap) revert GovernorQuorumWithinCorporateCap(track, quorumBps, cap);
    }
}
