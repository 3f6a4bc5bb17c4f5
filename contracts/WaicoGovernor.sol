// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {GovernorTimelockDelays} from "./governance/GovernorTimelockDelays.sol";
import {IMembership} from "./interfaces/IMembership.sol";
import {VoteWeights} from "./libraries/VoteWeights.sol";

/// @title WaicoGovernor
/// @notice The organization's Governor: proposals on three tracks, weighted member votes read from
/// {Membership}, signed ballots relayed one at a time or in batches, a per-track timelock delay
/// and an expiring guardian.
///
/// Tracks. Each track has a voting period (blocks), a quorum (bps of the total weight at the
/// snapshot, counting for + abstain), a pass threshold (bps of for / (for + against), reached when
/// `for * 10000 >= passBps * (for + against)`, and always `for > against`) and a timelock delay
/// (seconds). A proposal takes its track's parameters when it is created; later changes apply to
/// later proposals only. `Constitutional` also needs a majority of the voting *states* by head
/// count (`statesFor > statesAgainst`, abstentions not counted). `RapidResponse` is open only to
/// accounts governance made rapid responders.
///
/// Constitutional calls. A registry of (target, selector) pairs, plus every call to this governor
/// or to the timelock, are constitutional; a proposal containing one must be on the
/// Constitutional track (checked at proposal and again at queueing). A call with fewer than four
/// bytes of calldata has selector `0x00000000`. The deployer seeds the registry with
/// {seedConstitutional} until {endSeeding} or the first proposal; afterwards only a
/// constitutional proposal changes it ({setConstitutional}).
///
/// Counting (`COUNTING_MODE` = `support=bravo&quorum=for,abstain&params=track`): Bravo support
/// values (0 against, 1 for, 2 abstain); quorum counts for + abstain; quorum and threshold depend
/// on the proposal's track (vote `params` must be empty). Only accounts with a vote at the
/// snapshot may vote. "Has voted" is a bitmap over members' dense indices (256 per slot), shared
/// by every way of voting (`castVote*`, {castMemberBallot}, {castMemberBallots}), so each member
/// counts once per proposal; signed ballots need no nonce.
///
/// Clock: block numbers, like {Membership}.
contract WaicoGovernor is GovernorVotes, GovernorTimelockDelays {
    using TransientSlot for *;

    /// @notice The proposal tracks.
    enum Track {
        Ordinary,
        RapidResponse,
        Constitutional
    }

    /// @notice Why {castMemberBallots} skipped a ballot (checked in this order).
    enum SkipReason {
        ProposalNotActive,
        InvalidSignature,
        InvalidSupport,
        NotVotingMember,
        AlreadyVoted
    }

    /// @notice A track's parameters.
    struct TrackParams {
        uint32 votingPeriod;
        uint16 quorumBps;
        uint16 passBps;
        uint32 timelockDelay;
    }

    /// @notice A member's signed ballot, as relayed in a batch.
    struct SignedBallot {
        uint256 proposalId;
        uint8 support;
        address voter;
        string reason;
        bytes signature;
    }

    /// @dev A proposal's tallies and the track parameters it was created with.
    struct ProposalRecord {
        uint96 forVotes;
        uint96 againstVotes;
        uint32 statesFor;
        uint32 statesAgainst;
        uint96 abstainVotes;
        Track track;
        uint16 quorumBps;
        uint16 passBps;
        uint32 timelockDelay;
    }

    /// @dev Votes counted in one call for one proposal, and the cached has-voted word.
    struct Tally {
        uint256 forVotes;
        uint256 againstVotes;
        uint256 abstainVotes;
        uint256 statesFor;
        uint256 statesAgainst;
        uint256 wordIndex;
        uint256 word;
    }

    /// @notice EIP-712 type hash of a member's signed ballot.
    bytes32 public constant MEMBER_BALLOT_TYPEHASH =
        keccak256("MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)");

    uint256 private constant _BPS = 10_000;
    uint256 private constant _NO_WORD = type(uint256).max;
    uint8 private constant _COUNTED = type(uint8).max;
    // The track a proposal is being created on, for {votingPeriod} during {_propose}.
    bytes32 private constant _PROPOSING_TRACK = keccak256("waico.governor.proposingTrack");

    uint48 private immutable _votingDelay;

    TrackParams[3] private _tracks;
    mapping(uint256 proposalId => ProposalRecord) private _records;
    mapping(uint256 proposalId => mapping(uint256 word => uint256)) private _voted;
    mapping(address target => mapping(bytes4 selector => bool)) private _constitutional;
    mapping(address account => bool) private _rapidResponders;
    address private _guardian;
    uint48 private _guardianExpiry;
    address private _seeder;

    /// @notice A proposal was created on `track` with these parameters.
    event ProposalTrack(
        uint256 indexed proposalId,
        Track track,
        uint16 quorumBps,
        uint16 passBps,
        uint32 timelockDelay
    );
    /// @notice A relayed ballot was not counted; `reason` is a {SkipReason}.
    event BallotSkipped(uint256 indexed proposalId, address indexed voter, uint8 reason);
    /// @notice A track's parameters changed (for proposals created from now on).
    event TrackParamsSet(Track indexed track, uint32 votingPeriod, uint16 quorumBps, uint16 passBps, uint32 timelockDelay);
    /// @notice A (target, selector) pair was made constitutional or ordinary.
    event ConstitutionalCallSet(address indexed target, bytes4 indexed selector, bool constitutional);
    /// @notice The deployer's seeding of the constitutional registry ended.
    // slither-disable-next-line unindexed-event-address its log layout is fixed: the mirror and auditors decode it
    event SeedingEnded(address seeder);
    /// @notice An account may (or may no longer) propose on the RapidResponse track.
    event RapidResponderSet(address indexed account, bool allowed);
    /// @notice The guardian changed; it may cancel proposals until `expiry` (unix seconds).
    // slither-disable-next-line unindexed-event-address its log layout is fixed: the mirror and auditors decode it
    event GuardianSet(address oldGuardian, address newGuardian, uint48 expiry);

    /// @notice The voter has no vote at the proposal's snapshot.
    error GovernorNotVotingMember(address voter, uint256 snapshot);
    /// @notice The proposer may not propose on this track.
    error GovernorRestrictedTrack(address proposer, Track track);
    /// @notice A call of the proposal is constitutional, but the proposal is not on that track.
    error GovernorConstitutionalCallOffTrack(uint256 index, address target, bytes4 selector);
    /// @notice A track's parameters are out of range.
    error GovernorInvalidTrackParams(Track track);
    /// @notice Seeding is over, or the caller is not the deployer.
    error GovernorSeedingClosed(address caller);
    /// @notice No ballot of the batch could be counted.
    error GovernorNoValidBallot();
    /// @notice The voting token does not use the governor's block-number clock.
    error GovernorIncompatibleClock();
    /// @notice Votes are counted through the member's seat; the generic hook is unused.
    error GovernorCountingUnsupported();

    /// @param membership_ The {Membership} contract (ERC-5805 on a block-number clock).
    /// @param timelock_ The timelock that executes proposals; its minimum delay should be the
    /// shortest track delay.
    /// @param votingDelay_ Blocks between a proposal and its snapshot.
    /// @param tracks_ Parameters of Ordinary, RapidResponse and Constitutional, in that order.
    /// @param guardian_ The guardian (zero for none).
    /// @param guardianExpiry_ Unix time from which the guardian can no longer cancel.
    /// @param rapidResponders_ Accounts that may propose on the RapidResponse track.
    constructor(
        IMembership membership_,
        TimelockController timelock_,
        uint48 votingDelay_,
        TrackParams[3] memory tracks_,
        address guardian_,
        uint48 guardianExpiry_,
        address[] memory rapidResponders_
    ) Governor("WAICO Governor") GovernorVotes(membership_) GovernorTimelockDelays(timelock_) {
        if (membership_.clock() != clock()) revert GovernorIncompatibleClock();
        _votingDelay = votingDelay_;
        for (uint256 i = 0; i < 3; ++i) {
            _setTrackParams(Track(i), tracks_[i]);
        }
        _setGuardian(guardian_, guardianExpiry_);
        for (uint256 i = 0; i < rapidResponders_.length; ++i) {
            _setRapidResponder(rapidResponders_[i], true);
        }
        _seeder = msg.sender;
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
    function votingPeriod() public view override returns (uint256) {
        return _tracks[_PROPOSING_TRACK.asUint256().tload()].votingPeriod;
    }

    /// @notice The Ordinary track's quorum at `timepoint`; see {proposalQuorum} for a proposal's.
    function quorum(uint256 timepoint) public view override returns (uint256) {
        return _quorumAt(_tracks[uint256(Track.Ordinary)].quorumBps, timepoint);
    }

    /// @notice See the contract documentation.
    // slither-disable-start naming-convention IGovernor names it
    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure override returns (string memory) {
        return "support=bravo&quorum=for,abstain&params=track";
    }
    // slither-disable-end naming-convention

    /// @notice The parameters new proposals on `track` get.
    function trackParams(Track track) external view returns (TrackParams memory) {
        return _tracks[uint256(track)];
    }

    /// @notice The track of a proposal.
    function proposalTrack(uint256 proposalId) public view returns (Track) {
        _requireProposal(proposalId);
        return _records[proposalId].track;
    }

    /// @notice The track parameters a proposal was created with (its voting period is
    /// {proposalDeadline} - {proposalSnapshot}).
    function proposalParams(
        uint256 proposalId
    ) external view returns (Track track, uint16 quorumBps, uint16 passBps, uint32 timelockDelay) {
        _requireProposal(proposalId);
        ProposalRecord storage r = _records[proposalId];
        return (r.track, r.quorumBps, r.passBps, r.timelockDelay);
    }

    /// @notice The quorum (for + abstain weight) a proposal needs.
    function proposalQuorum(uint256 proposalId) public view returns (uint256) {
        return _quorumAt(_records[proposalId].quorumBps, proposalSnapshot(proposalId));
    }

    /// @notice A proposal's weighted tallies, as in {GovernorCountingSimple}.
    function proposalVotes(
        uint256 proposalId
    ) external view returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        ProposalRecord storage r = _records[proposalId];
        return (r.againstVotes, r.forVotes, r.abstainVotes);
    }

    /// @notice How many member states voted for and against a proposal (the head count of the
    /// Constitutional track's double majority).
    function proposalStateVotes(uint256 proposalId) external view returns (uint256 statesFor, uint256 statesAgainst) {
        ProposalRecord storage r = _records[proposalId];
        return (r.statesFor, r.statesAgainst);
    }

    /// @notice Whether `account` has voted on `proposalId`, by whatever path.
    function hasVoted(uint256 proposalId, address account) public view override returns (bool) {
        address[] memory accounts = new address[](1);
        accounts[0] = account;
        // A member's index does not depend on the timepoint.
        uint256 index = _membership().pastSeats(accounts, clock() - 1)[0].index;
        return index != 0 && (_voted[proposalId][index >> 8] >> (index & 0xff)) & 1 == 1;
    }

    /// @notice Whether a call to `target` with `data` is constitutional.
    function isConstitutionalCall(address target, bytes memory data) public view returns (bool) {
        return target == address(this) || target == timelock() || _constitutional[target][bytes4(data)];
    }

    /// @notice Whether `account` may propose on the RapidResponse track.
    function isRapidResponder(address account) external view returns (bool) {
        return _rapidResponders[account];
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

    /// @notice The account that may still seed the constitutional registry (zero once ended).
    function seeder() external view returns (address) {
        return _seeder;
    }

    // ------------------------------------------------------------------ proposing

    /// @notice Creates a proposal on `track`. Calls that are constitutional need the
    /// Constitutional track; RapidResponse needs a rapid responder. {propose} is the Ordinary track.
    /// @return proposalId As {Governor-hashProposal} (the track is not part of it).
    function proposeOnTrack(
        Track track,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) external returns (uint256 proposalId) {
        _PROPOSING_TRACK.asUint256().tstore(uint256(track));
        proposalId = propose(targets, values, calldatas, description);
        _PROPOSING_TRACK.asUint256().tstore(0);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override returns (uint256 proposalId) {
        Track track = Track(_PROPOSING_TRACK.asUint256().tload());
        if (track == Track.RapidResponse && !_rapidResponders[proposer]) {
            revert GovernorRestrictedTrack(proposer, track);
        }
        _checkTrackFits(track, targets, calldatas);
        if (_seeder != address(0)) _endSeeding();

        // The voting period of `track` reaches OZ's proposal core through {votingPeriod}.
        proposalId = super._propose(targets, values, calldatas, description, proposer);

        TrackParams memory p = _tracks[uint256(track)];
        ProposalRecord storage r = _records[proposalId];
        r.track = track;
        r.quorumBps = p.quorumBps;
        r.passBps = p.passBps;
        r.timelockDelay = p.timelockDelay;
        emit ProposalTrack(proposalId, track, p.quorumBps, p.passBps, p.timelockDelay);
    }

    // ------------------------------------------------------------------ signed ballots

    /// @notice The EIP-712 digest a member signs for a ballot.
    function hashMemberBallot(
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason
    ) public view returns (bytes32) {
        return _hashTypedDataV4(_ballotStructHash(proposalId, support, voter, reason));
    }

    /// @notice Counts one member's signed ballot; anyone may relay it.
    /// @param signature 65-byte ECDSA signature, or whatever the voter's ERC-1271 wallet accepts.
    /// @return weight The voter's weight at the snapshot.
    function castMemberBallot(
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason,
        bytes calldata signature
    ) external returns (uint256 weight) {
        if (!_isValidBallotSignature(voter, hashMemberBallot(proposalId, support, voter, reason), signature)) {
            revert GovernorInvalidSignature(voter);
        }
        return _castVote(proposalId, voter, support, reason, "");
    }

    /// @notice Counts many members' signed ballots in one transaction; anyone may relay them.
    /// Invalid ballots are skipped with {BallotSkipped}; every counted one emits `VoteCast`.
    /// Cheapest when ballots of one proposal are adjacent and sorted by member index.
    /// @return counted How many ballots were counted (reverts with {GovernorNoValidBallot} if none).
    function castMemberBallots(SignedBallot[] calldata ballots) external returns (uint256 counted) {
        uint256 n = ballots.length;
        uint256 start = 0;
        while (start < n) {
            uint256 proposalId = ballots[start].proposalId;
            uint256 end = start + 1;
            while (end < n && ballots[end].proposalId == proposalId) ++end;
            counted += _castRun(proposalId, ballots, start, end);
            start = end;
        }
        if (counted == 0) revert GovernorNoValidBallot();
    }

    /// @dev Counts `ballots[start:end]`, all for `proposalId`; the tally and each bitmap word
    /// are written once.
    function _castRun(
        uint256 proposalId,
        SignedBallot[] calldata ballots,
        uint256 start,
        uint256 end
    ) private returns (uint256 counted) {
        uint256 snapshot = proposalSnapshot(proposalId);
        if (snapshot == 0 || state(proposalId) != ProposalState.Active) {
            for (uint256 k = start; k < end; ++k) {
                emit BallotSkipped(proposalId, ballots[k].voter, uint8(SkipReason.ProposalNotActive));
            }
            return 0;
        }

        IMembership.Seat[] memory seats;
        {
            address[] memory voters = new address[](end - start);
            for (uint256 k = start; k < end; ++k) voters[k - start] = ballots[k].voter;
            // slither-disable-next-line calls-loop membership is our own contract, fixed at deployment
            seats = _membership().pastSeats(voters, snapshot);
        }
        uint256[7] memory weights = _classWeights(snapshot);
        Tally memory tally = Tally(0, 0, 0, 0, 0, _NO_WORD, 0);
        mapping(uint256 => uint256) storage voted = _voted[proposalId];

        for (uint256 k = start; k < end; ++k) {
            if (_countBallot(proposalId, ballots[k], seats[k - start], weights, tally, voted)) ++counted;
        }
        if (tally.wordIndex != _NO_WORD) voted[tally.wordIndex] = tally.word;
        if (counted != 0) {
            _addTally(proposalId, tally);
            _tallyUpdated(proposalId);
        }
    }

    /// @dev Counts one ballot of an active proposal in `tally`, or skips it; tells which.
    function _countBallot(
        uint256 proposalId,
        SignedBallot calldata b,
        IMembership.Seat memory seat,
        uint256[7] memory weights,
        Tally memory tally,
        mapping(uint256 => uint256) storage voted
    ) private returns (bool) {
        uint8 outcome = _checkBallot(proposalId, b, seat, tally, voted);
        if (outcome != _COUNTED) {
            emit BallotSkipped(proposalId, b.voter, outcome);
            return false;
        }
        uint256 weight = weights[seat.class];
        _tallyVote(tally, b.support, weight, !VoteWeights.isCorporate(seat.class));
        emit VoteCast(b.voter, proposalId, b.support, weight, b.reason);
        return true;
    }

    /// @dev Checks a ballot of an active proposal; marks its voter in the cached bitmap word if
    /// valid. Returns {_COUNTED} or a {SkipReason}.
    function _checkBallot(
        uint256 proposalId,
        SignedBallot calldata b,
        IMembership.Seat memory seat,
        Tally memory tally,
        mapping(uint256 => uint256) storage voted
    ) private returns (uint8) {
        bytes32 digest = _hashTypedDataV4(_ballotStructHash(proposalId, b.support, b.voter, b.reason));
        if (!_isValidBallotSignature(b.voter, digest, b.signature)) {
            return uint8(SkipReason.InvalidSignature);
        }
        if (b.support > 2) return uint8(SkipReason.InvalidSupport);
        if (seat.class == 0) return uint8(SkipReason.NotVotingMember);
        uint256 wordIndex = seat.index >> 8;
        if (wordIndex != tally.wordIndex) {
            // Rare when the batch is sorted by member index: 256 members share a word.
            if (tally.wordIndex != _NO_WORD) voted[tally.wordIndex] = tally.word;
            tally.wordIndex = wordIndex;
            tally.word = voted[wordIndex];
        }
        uint256 bit = uint256(1) << (seat.index & 0xff);
        if (tally.word & bit != 0) return uint8(SkipReason.AlreadyVoted);
        tally.word |= bit;
        return _COUNTED;
    }

    // ------------------------------------------------------------------ counting

    /// @dev Every vote (direct, by signature, relayed singly) ends here; batches use {_castRun}.
    function _castVote(
        uint256 proposalId,
        address account,
        uint8 support,
        string memory reason,
        bytes memory params
    ) internal override returns (uint256 weight) {
        if (params.length != 0) revert GovernorInvalidVoteParams();
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        if (support > 2) revert GovernorInvalidVoteType();

        uint256 snapshot = proposalSnapshot(proposalId);
        address[] memory voters = new address[](1);
        voters[0] = account;
        IMembership.Seat memory seat = _membership().pastSeats(voters, snapshot)[0];
        if (seat.class == 0) revert GovernorNotVotingMember(account, snapshot);

        mapping(uint256 => uint256) storage voted = _voted[proposalId];
        uint256 bit = uint256(1) << (seat.index & 0xff);
        uint256 word = voted[seat.index >> 8];
        if (word & bit != 0) revert GovernorAlreadyCastVote(account);
        voted[seat.index >> 8] = word | bit;

        weight = VoteWeights.weight(seat.class, _membership().pastScale(snapshot));
        // slither-disable-next-line uninitialized-local a memory struct starts zeroed; an explicit zero would cost code size
        Tally memory tally;
        _tallyVote(tally, support, weight, !VoteWeights.isCorporate(seat.class));
        _addTally(proposalId, tally);
        emit VoteCast(account, proposalId, support, weight, reason);
        _tallyUpdated(proposalId);
    }

    /// @dev Unused: {_castVote} and {_castRun} count with the member's seat, not an address.
    // slither-disable-next-line dead-code required override of an OZ Governor hook
    function _countVote(uint256, address, uint8, uint256, bytes memory) internal pure override returns (uint256) {
        revert GovernorCountingUnsupported();
    }

    // slither-disable-next-line dead-code override of an OZ Governor hook; Governor.state calls it
    function _quorumReached(uint256 proposalId) internal view override returns (bool) {
        ProposalRecord storage r = _records[proposalId];
        return proposalQuorum(proposalId) <= uint256(r.forVotes) + r.abstainVotes;
    }

    // slither-disable-next-line dead-code override of an OZ Governor hook; Governor.state calls it
    function _voteSucceeded(uint256 proposalId) internal view override returns (bool) {
        ProposalRecord storage r = _records[proposalId];
        uint256 forVotes = r.forVotes;
        uint256 againstVotes = r.againstVotes;
        if (forVotes <= againstVotes || forVotes * _BPS < r.passBps * (forVotes + againstVotes)) return false;
        return r.track != Track.Constitutional || r.statesFor > r.statesAgainst;
    }

    function _tallyVote(Tally memory tally, uint8 support, uint256 weight, bool isState) private pure {
        if (support == 0) {
            tally.againstVotes += weight;
            if (isState) ++tally.statesAgainst;
        } else if (support == 1) {
            tally.forVotes += weight;
            if (isState) ++tally.statesFor;
        } else {
            tally.abstainVotes += weight;
        }
    }

    function _addTally(uint256 proposalId, Tally memory tally) private {
        ProposalRecord storage r = _records[proposalId];
        r.forVotes = SafeCast.toUint96(r.forVotes + tally.forVotes);
        r.againstVotes = SafeCast.toUint96(r.againstVotes + tally.againstVotes);
        r.statesFor = SafeCast.toUint32(r.statesFor + tally.statesFor);
        r.statesAgainst = SafeCast.toUint32(r.statesAgainst + tally.statesAgainst);
        r.abstainVotes = SafeCast.toUint96(r.abstainVotes + tally.abstainVotes);
    }

    /// @dev Effective weight of each voting class (1..6) at `snapshot`.
    function _classWeights(uint256 snapshot) private view returns (uint256[7] memory weights) {
        // slither-disable-next-line calls-loop membership is our own contract, fixed at deployment
        IMembership.Scale memory scale = _membership().pastScale(snapshot);
        for (uint8 class = 1; class <= VoteWeights.CLASSES; ++class) {
            weights[class] = VoteWeights.weight(class, scale);
        }
    }

    function _quorumAt(uint256 quorumBps, uint256 timepoint) private view returns (uint256) {
        return (token().getPastTotalSupply(timepoint) * quorumBps) / _BPS;
    }

    // ------------------------------------------------------------------ governance settings

    /// @notice Sets a track's parameters for proposals created from now on (constitutional).
    function setTrackParams(Track track, TrackParams calldata params) external onlyGovernance {
        _setTrackParams(track, params);
    }

    /// @notice Makes calls of `target` with `selectors` constitutional, or ordinary (constitutional).
    function setConstitutional(address target, bytes4[] calldata selectors, bool constitutional) external onlyGovernance {
        _setConstitutional(target, selectors, constitutional);
    }

    /// @notice Lets `account` propose on the RapidResponse track, or stops it (constitutional).
    function setRapidResponder(address account, bool allowed) external onlyGovernance {
        _setRapidResponder(account, allowed);
    }

    /// @notice Sets the guardian and the unix time its power ends (constitutional).
    function setGuardian(address account, uint48 expiry) external onlyGovernance {
        _setGuardian(account, expiry);
    }

    /// @notice The deployer registers constitutional calls before handing over. Possible until
    /// {endSeeding} or the first proposal.
    function seedConstitutional(address target, bytes4[] calldata selectors) external {
        if (msg.sender != _seeder) revert GovernorSeedingClosed(msg.sender);
        _setConstitutional(target, selectors, true);
    }

    /// @notice The deployer ends seeding for good.
    function endSeeding() external {
        if (msg.sender != _seeder) revert GovernorSeedingClosed(msg.sender);
        _endSeeding();
    }

    function _setTrackParams(Track track, TrackParams memory p) private {
        if (p.votingPeriod == 0 || p.quorumBps > _BPS || p.passBps > _BPS) revert GovernorInvalidTrackParams(track);
        _tracks[uint256(track)] = p;
        emit TrackParamsSet(track, p.votingPeriod, p.quorumBps, p.passBps, p.timelockDelay);
    }

    function _setConstitutional(address target, bytes4[] calldata selectors, bool constitutional) private {
        for (uint256 i = 0; i < selectors.length; ++i) {
            _constitutional[target][selectors[i]] = constitutional;
            emit ConstitutionalCallSet(target, selectors[i], constitutional);
        }
    }

    function _setRapidResponder(address account, bool allowed) private {
        _rapidResponders[account] = allowed;
        emit RapidResponderSet(account, allowed);
    }

    function _setGuardian(address account, uint48 expiry) private {
        emit GuardianSet(_guardian, account, expiry);
        _guardian = account;
        _guardianExpiry = expiry;
    }

    function _endSeeding() private {
        emit SeedingEnded(_seeder);
        _seeder = address(0);
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
        return _records[proposalId].timelockDelay;
    }

    /// @dev Re-checks the track: the constitutional registry may have grown since the proposal.
    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockDelays) returns (uint48) {
        _checkTrackFits(_records[proposalId].track, targets, calldatas);
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

    function _membership() private view returns (IMembership) {
        return IMembership(address(token()));
    }

    function _requireProposal(uint256 proposalId) private view {
        if (proposalSnapshot(proposalId) == 0) revert GovernorNonexistentProposal(proposalId);
    }

    function _checkTrackFits(Track track, address[] memory targets, bytes[] memory calldatas) private view {
        if (track == Track.Constitutional) return;
        for (uint256 i = 0; i < targets.length; ++i) {
            if (isConstitutionalCall(targets[i], calldatas[i])) {
                revert GovernorConstitutionalCallOffTrack(i, targets[i], bytes4(calldatas[i]));
            }
        }
    }

    /// @dev The voter's key signed `digest` (65-byte ECDSA), or the voter is a contract wallet
    /// that accepts the signature (ERC-1271). Recovery comes first so that the common case, an
    /// EOA, skips {SignatureChecker}'s cold code-size lookup of the voter (2,600 gas a ballot).
    /// An EIP-7702 account is thus accepted with its own key, as an EOA.
    function _isValidBallotSignature(
        address voter,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (bool) {
        // slither-disable-next-line unused-return the error's argument is not needed: any error falls through to ERC-1271
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == voter) return true;
        return SignatureChecker.isValidERC1271SignatureNowCalldata(voter, digest, signature);
    }

    /// @dev `keccak256(abi.encode(MEMBER_BALLOT_TYPEHASH, proposalId, support, voter,
    /// keccak256(bytes(reason))))`, in scratch memory so a batch does not grow memory per ballot.
    function _ballotStructHash(
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason
    ) private pure returns (bytes32 structHash) {
        bytes32 typehash = MEMBER_BALLOT_TYPEHASH;
        // slither-disable-next-line assembly hashes in scratch memory so a batch does not grow memory per ballot
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, reason.offset, reason.length)
            let reasonHash := keccak256(ptr, reason.length)
            mstore(ptr, typehash)
            mstore(add(ptr, 0x20), proposalId)
            mstore(add(ptr, 0x40), support)
            mstore(add(ptr, 0x60), voter)
            mstore(add(ptr, 0x80), reasonHash)
            structHash := keccak256(ptr, 0xa0)
        }
    }
}
