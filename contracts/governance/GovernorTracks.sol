// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

/// @title GovernorTracks
/// @notice Proposal tracks for an OpenZeppelin {Governor}: `Ordinary`, `RapidResponse` and
/// `Constitutional`, each with its own voting period, quorum, pass threshold and timelock delay.
///
/// A proposal's track is part of its identity: it is written at the end of its description,
/// `#track=rapid-response` or `#track=constitutional` (none for Ordinary), in the manner of OZ's
/// `#proposer=` suffix, so it is part of the proposal id that the Governor hashes from the
/// description. The same actions on another track are another proposal, and nobody can take a
/// proposal's id by copying it onto another track. {proposeOnTrack} appends the suffix; a plain
/// {Governor-propose} takes the track its description names.
///
/// A proposal takes its track's parameters when it is created; later changes apply to later
/// proposals only. `RapidResponse` is open only to the rapid responders governance names.
/// What calls a track admits is the composing governor's business ({_checkProposalCalls}).
abstract contract GovernorTracks is Governor {
    using TransientSlot for *;

    /// @notice The proposal tracks.
    enum Track {
        Ordinary,
        RapidResponse,
        Constitutional
    }

    /// @notice A track's parameters.
    struct TrackParams {
        uint32 votingPeriod;
        uint16 quorumBps;
        uint16 passBps;
        uint32 timelockDelay;
    }

    /// @dev The track parameters a proposal was created with (one slot).
    struct TrackRecord {
        Track track;
        uint16 quorumBps;
        uint16 passBps;
        uint32 timelockDelay;
    }

    /// @dev Basis points in one whole.
    uint256 internal constant _BPS = 10_000;
    // The track a proposal is being created on, for {votingPeriod} during {_propose}.
    bytes32 private constant _PROPOSING_TRACK = keccak256("waico.governor.proposingTrack");
    // Description suffixes naming a track; both are 21 bytes.
    bytes21 private constant _RAPID_SUFFIX = "#track=rapid-response";
    bytes21 private constant _CONSTITUTIONAL_SUFFIX = "#track=constitutional";

    TrackParams[3] private _tracks;
    mapping(uint256 proposalId => TrackRecord) private _proposalTracks;
    mapping(address account => bool) private _rapidResponders;

    /// @notice A proposal was created on `track` with these parameters.
    event ProposalTrack(
        uint256 indexed proposalId,
        Track track,
        uint16 quorumBps,
        uint16 passBps,
        uint32 timelockDelay
    );
    /// @notice A track's parameters changed (for proposals created from now on).
    event TrackParamsSet(Track indexed track, uint32 votingPeriod, uint16 quorumBps, uint16 passBps, uint32 timelockDelay);
    /// @notice An account may (or may no longer) propose on the RapidResponse track.
    event RapidResponderSet(address indexed account, bool allowed);

    /// @notice The proposer may not propose on this track.
    error GovernorRestrictedTrack(address proposer, Track track);
    /// @notice A track's parameters are out of range.
    error GovernorInvalidTrackParams(Track track);
    /// @notice The description names another track than the one asked for.
    error GovernorTrackMismatch(Track requested, Track described);

    /// @param responders Accounts that may propose on the RapidResponse track.
    constructor(address[] memory responders) {
        for (uint256 i = 0; i < responders.length; ++i) {
            _setRapidResponder(responders[i], true);
        }
    }

    /// @notice The Ordinary track's voting period (while a proposal is being created: its track's).
    function votingPeriod() public view virtual override returns (uint256) {
        return _tracks[_PROPOSING_TRACK.asUint256().tload()].votingPeriod;
    }

    /// @notice The parameters new proposals on `track` get.
    function trackParams(Track track) public view returns (TrackParams memory) {
        return _tracks[uint256(track)];
    }

    /// @notice The track of a proposal.
    function proposalTrack(uint256 proposalId) public view returns (Track) {
        _requireProposal(proposalId);
        return _proposalTracks[proposalId].track;
    }

    /// @notice The track parameters a proposal was created with (its voting period is
    /// {proposalDeadline} - {proposalSnapshot}).
    function proposalParams(
        uint256 proposalId
    ) external view returns (Track track, uint16 quorumBps, uint16 passBps, uint32 timelockDelay) {
        _requireProposal(proposalId);
        TrackRecord storage p = _proposalTracks[proposalId];
        return (p.track, p.quorumBps, p.passBps, p.timelockDelay);
    }

    /// @notice Whether `account` may propose on the RapidResponse track.
    function isRapidResponder(address account) external view returns (bool) {
        return _rapidResponders[account];
    }

    /// @notice The track a description names by its suffix (Ordinary when it names none).
    function describedTrack(string memory description) public pure returns (Track) {
        bytes memory d = bytes(description);
        if (d.length < 21) return Track.Ordinary;
        bytes21 tail;
        // slither-disable-next-line assembly reads the last 21 bytes of the description in place
        assembly ("memory-safe") {
            tail := mload(add(add(d, 0x20), sub(mload(d), 21)))
        }
        if (tail == _RAPID_SUFFIX) return Track.RapidResponse;
        if (tail == _CONSTITUTIONAL_SUFFIX) return Track.Constitutional;
        return Track.Ordinary;
    }

    /// @notice Creates a proposal on `track`: its description gets the track's suffix
    /// (`\n\n#track=...`) unless it ends with it already, so the proposal id differs from the
    /// same actions' on any other track. Calls that are constitutional need the Constitutional
    /// track; RapidResponse needs a rapid responder.
    /// @return proposalId As {Governor-hashProposal} of the description with its suffix (see the
    /// `ProposalCreated` event).
    function proposeOnTrack(
        Track track,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) external returns (uint256) {
        if (track != Track.Ordinary && describedTrack(description) != track) {
            description = string.concat(
                description,
                "\n\n",
                track == Track.RapidResponse ? "#track=rapid-response" : "#track=constitutional"
            );
        }
        Track described = describedTrack(description);
        if (described != track) revert GovernorTrackMismatch(track, described);
        return propose(targets, values, calldatas, description);
    }

    /// @notice Sets a track's parameters for proposals created from now on (constitutional).
    function setTrackParams(Track track, TrackParams calldata params) external onlyGovernance {
        _checkTrackParams(track, params);
        _setTrackParams(track, params);
    }

    /// @notice Lets `account` propose on the RapidResponse track, or stops it (constitutional).
    function setRapidResponder(address account, bool allowed) external onlyGovernance {
        _setRapidResponder(account, allowed);
    }

    /// @dev The track's quorum, threshold and delay for a proposal, as created.
    function _proposalTrack(uint256 proposalId) internal view returns (TrackRecord storage) {
        return _proposalTracks[proposalId];
    }

    /// @dev Checks `params` for `track` beyond their ranges (the composing governor's rules).
    function _checkTrackParams(Track track, TrackParams memory params) internal view virtual;

    /// @dev Reverts if a call of the proposal may not go on `track`.
    function _checkProposalCalls(Track track, address[] memory targets, bytes[] memory calldatas) internal view virtual;

    function _setTrackParams(Track track, TrackParams memory p) internal {
        if (p.votingPeriod == 0 || p.quorumBps > _BPS || p.passBps > _BPS) revert GovernorInvalidTrackParams(track);
        _tracks[uint256(track)] = p;
        emit TrackParamsSet(track, p.votingPeriod, p.quorumBps, p.passBps, p.timelockDelay);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        Track track = describedTrack(description);
        if (track == Track.RapidResponse && !_rapidResponders[proposer]) {
            revert GovernorRestrictedTrack(proposer, track);
        }
        _checkProposalCalls(track, targets, calldatas);

        // The voting period of `track` reaches OZ's proposal core through {votingPeriod}.
        _PROPOSING_TRACK.asUint256().tstore(uint256(track));
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        _PROPOSING_TRACK.asUint256().tstore(0);

        TrackParams memory p = _tracks[uint256(track)];
        _proposalTracks[proposalId] = TrackRecord(track, p.quorumBps, p.passBps, p.timelockDelay);
        emit ProposalTrack(proposalId, track, p.quorumBps, p.passBps, p.timelockDelay);
    }

    function _requireProposal(uint256 proposalId) internal view {
        if (proposalSnapshot(proposalId) == 0) revert GovernorNonexistentProposal(proposalId);
    }

    function _setRapidResponder(address account, bool allowed) private {
        _rapidResponders[account] = allowed;
        emit RapidResponderSet(account, allowed);
    }
}
