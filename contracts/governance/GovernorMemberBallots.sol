// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {IMembership} from "../interfaces/IMembership.sol";
import {MemberBallots} from "../libraries/MemberBallots.sol";

/// @title GovernorMemberBallots
/// @notice Member votes for an OpenZeppelin {Governor} over {Membership}: weighted counting with
/// a state head count, and EIP-712 `MemberBallot`s that anyone may relay, one at a time or many
/// per transaction in a packed batch.
///
/// Counting: Bravo support values (0 against, 1 for, 2 abstain). Only accounts with a vote at
/// the snapshot may vote. "Has voted" is a bitmap over members' dense indices (256 per slot),
/// shared by every way of voting, so each member counts once per proposal; signed ballots need
/// no nonce. The effective weight of each voting class at a proposal's snapshot is computed once
/// (by the first vote) and kept with the proposal.
///
/// Signatures: a 65-byte ECDSA signature, an EIP-2098 64-byte compact one, or, for a voter with
/// code, whatever its ERC-1271 `isValidSignature` accepts. The wallet is called with at most
/// {WALLET_GAS} gas, so no wallet can spend a relayer's batch; a relayer must leave that much
/// gas per wallet ballot (else the batch reverts rather than skip a wallet's ballot unfairly).
///
/// Packed batch ({castMemberBallots}): a sequence of runs, each `proposalId` (32 bytes), the
/// number of ballots (2 bytes) and the ballots; each ballot is `voter` (20 bytes), a `meta` byte
/// (bits 0-6 the support, bit 7 set when a long signature follows), the reason's length (2
/// bytes), the reason (UTF-8), then either a 64-byte EIP-2098 signature or, with bit 7, the
/// signature's length (2 bytes) and its bytes (65-byte ECDSA or ERC-1271). What is signed is the
/// EIP-712 `MemberBallot` all the same. A ballot that cannot count is skipped with
/// {BallotSkipped}, checked in this order: proposal not active, support out of range, no vote at
/// the snapshot, already voted, then the signature (the dearest check last).
abstract contract GovernorMemberBallots is GovernorVotes {
    /// @notice EIP-712 type hash of a member's signed ballot.
    bytes32 public constant MEMBER_BALLOT_TYPEHASH = MemberBallots.MEMBER_BALLOT_TYPEHASH;
    /// @notice The most gas an ERC-1271 wallet's `isValidSignature` is given for one ballot.
    uint256 public constant WALLET_GAS = MemberBallots.WALLET_GAS;

    MemberBallots.Book private _book;

    /// @notice A relayed ballot was not counted; `reason` is a {MemberBallots-SkipReason}: 0 proposal not
    /// active, 1 invalid signature, 2 invalid support, 3 not a voting member, 4 already voted.
    event BallotSkipped(uint256 indexed proposalId, address indexed voter, uint8 reason);

    /// @notice The voter has no vote at the proposal's snapshot.
    error GovernorNotVotingMember(address voter, uint256 snapshot);
    /// @notice No ballot of the batch could be counted.
    error GovernorNoValidBallot();
    /// @notice The packed batch ends inside a ballot.
    error GovernorMalformedBallots(uint256 offset);
    // GovernorWalletGasShort(address voter): MemberBallots' error, in this ABI through the
    // signature check the single-ballot path shares with the library.
    /// @notice Votes are counted through the member's seat; the generic hook is unused.
    error GovernorCountingUnsupported();

    /// @notice The EIP-712 digest a member signs for a ballot.
    function hashMemberBallot(
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason
    ) public view returns (bytes32) {
        bytes calldata r = bytes(reason);
        uint256 offset;
        // slither-disable-next-line assembly the reason's calldata offset, for the shared hasher
        assembly ("memory-safe") {
            offset := r.offset
        }
        return MemberBallots.ballotDigest(_domainSeparatorV4(), proposalId, support, voter, offset, r.length);
    }

    /// @notice Counts one member's signed ballot; anyone may relay it.
    /// @param signature 65-byte or 64-byte (EIP-2098) ECDSA signature, or whatever the voter's
    /// ERC-1271 wallet accepts.
    /// @return weight The voter's weight at the snapshot.
    function castMemberBallot(
        uint256 proposalId,
        uint8 support,
        address voter,
        string calldata reason,
        bytes calldata signature
    ) external returns (uint256 weight) {
        if (!MemberBallots.validSignature(voter, hashMemberBallot(proposalId, support, voter, reason), signature)) {
            revert GovernorInvalidSignature(voter);
        }
        return _castVote(proposalId, voter, support, reason, "");
    }

    /// @notice Counts many members' signed ballots in one transaction, packed as the contract
    /// documentation says; anyone may relay them. Ballots that cannot count are skipped with
    /// {BallotSkipped}; every counted one emits `VoteCast`. Cheapest when each proposal's ballots
    /// form one run, sorted by member index.
    /// @return counted How many ballots were counted (reverts with {GovernorNoValidBallot} if none).
    function castMemberBallots(bytes calldata packed) external returns (uint256 counted) {
        return MemberBallots.castBallots(_book, MemberBallots.Context(_membership(), _domainSeparatorV4()), packed);
    }

    /// @notice A proposal's weighted tallies, as in {GovernorCountingSimple}.
    function proposalVotes(
        uint256 proposalId
    ) external view returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) {
        MemberBallots.Tally storage t = _book.tallies[proposalId];
        return (t.againstVotes, t.forVotes, _book.abstainVotes[proposalId]);
    }

    /// @notice How many member states voted for and against a proposal (the head count of the
    /// Constitutional track's double majority).
    function proposalStateVotes(uint256 proposalId) external view returns (uint256 statesFor, uint256 statesAgainst) {
        MemberBallots.Tally storage t = _book.tallies[proposalId];
        return (t.statesFor, t.statesAgainst);
    }

    /// @notice Whether `account` has voted on `proposalId`, by whatever path.
    function hasVoted(uint256 proposalId, address account) public view override returns (bool) {
        // A member's index does not depend on the timepoint.
        uint256 index = _membership().pastSeat(account, clock() - 1).index;
        return index != 0 && (_book.voted[proposalId][index >> 8] >> (index & 0xff)) & 1 == 1;
    }

    // ------------------------------------------------------------------ counting

    /// @dev Every vote (direct, by signature, relayed singly) ends here; batches use {_castRun}.
    function _castVote(
        uint256 proposalId,
        address account,
        uint8 support,
        string memory reason,
        bytes memory params
    ) internal virtual override returns (uint256 weight) {
        if (params.length != 0) revert GovernorInvalidVoteParams();
        _validateStateBitmap(proposalId, _encodeStateBitmap(ProposalState.Active));
        if (support > 2) revert GovernorInvalidVoteType();

        uint256 snapshot = proposalSnapshot(proposalId);
        IMembership.Seat memory seat = _membership().pastSeat(account, snapshot);
        if (seat.class == 0) revert GovernorNotVotingMember(account, snapshot);

        mapping(uint256 => uint256) storage voted = _book.voted[proposalId];
        uint256 bit = uint256(1) << (seat.index & 0xff);
        uint256 word = voted[seat.index >> 8];
        if (word & bit != 0) revert GovernorAlreadyCastVote(account);
        voted[seat.index >> 8] = word | bit;

        weight = MemberBallots.weightOf(MemberBallots.classWeights(_book, _membership(), proposalId, snapshot), seat.class);
        // slither-disable-next-line uninitialized-local a memory struct starts zeroed
        MemberBallots.RunTally memory tally;
        MemberBallots.tallyVote(tally, support, weight, seat.class);
        MemberBallots.addTally(_book, proposalId, tally);
        emit VoteCast(account, proposalId, support, weight, reason);
        _tallyUpdated(proposalId);
    }

    /// @dev Unused: {_castVote} and {_castRun} count with the member's seat, not an address.
    // slither-disable-next-line dead-code required override of an OZ Governor hook
    function _countVote(uint256, address, uint8, uint256, bytes memory) internal pure override returns (uint256) {
        revert GovernorCountingUnsupported();
    }

    /// @dev A proposal's for, against and abstain totals.
    // slither-disable-next-line dead-code read by the composing governor's _quorumReached and _voteSucceeded hooks
    function _votes(uint256 proposalId) internal view returns (uint256 forVotes, uint256 againstVotes, uint256 abstainVotes) {
        MemberBallots.Tally storage t = _book.tallies[proposalId];
        return (t.forVotes, t.againstVotes, _book.abstainVotes[proposalId]);
    }

    /// @dev Whether more states voted for than against.
    // slither-disable-next-line dead-code read by the composing governor's _voteSucceeded hook
    function _statesMajority(uint256 proposalId) internal view returns (bool) {
        MemberBallots.Tally storage t = _book.tallies[proposalId];
        return t.statesFor > t.statesAgainst;
    }

    function _membership() internal view returns (IMembership) {
        return IMembership(address(token()));
    }

}
