// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMembership} from "../interfaces/IMembership.sol";
import {VoteWeights} from "./VoteWeights.sol";

/// @title MemberBallots
/// @notice The bookkeeping of member votes and signed ballots behind {GovernorMemberBallots}:
/// tallies, the has-voted bitmap, the class weights kept per proposal, signature checks, and the
/// packed batch ({castBallots}), an external (linked) function so that its code stays out of
/// the governor's 24 KB. The batch runs by `delegatecall` in the governor's storage and emits
/// the governor's events; the layout of a packed batch is documented in {GovernorMemberBallots}.
library MemberBallots {
    /// @notice Why a relayed ballot was skipped (checked in the order of the module's doc).
    enum SkipReason {
        ProposalNotActive,
        InvalidSignature,
        InvalidSupport,
        NotVotingMember,
        AlreadyVoted
    }

    /// @dev A proposal's weighted tallies and state head counts.
    struct Tally {
        uint96 forVotes;
        uint96 againstVotes;
        uint32 statesFor;
        uint32 statesAgainst;
    }

    /// @dev The governor's vote bookkeeping.
    struct Book {
        mapping(uint256 proposalId => Tally) tallies;
        mapping(uint256 proposalId => uint256) abstainVotes;
        mapping(uint256 proposalId => uint256) weights;
        mapping(uint256 proposalId => mapping(uint256 word => uint256)) voted;
    }

    /// @dev Votes counted in one run of a batch (or one vote), and the cached has-voted word.
    struct RunTally {
        uint256 forVotes;
        uint256 againstVotes;
        uint256 abstainVotes;
        uint256 statesFor;
        uint256 statesAgainst;
        uint256 wordIndex;
        uint256 word;
    }

    /// @dev Where one packed ballot's fields are in calldata.
    struct Packed {
        address voter;
        uint256 support;
        uint256 reasonOffset;
        uint256 reasonLength;
        uint256 signatureOffset;
        uint256 signatureLength;
    }

    /// @dev The governor's context for one batch.
    struct Context {
        IMembership membership;
        bytes32 domainSeparator;
    }

    /// @notice EIP-712 type hash of a member's signed ballot.
    bytes32 internal constant MEMBER_BALLOT_TYPEHASH =
        keccak256("MemberBallot(uint256 proposalId,uint8 support,address voter,string reason)");
    /// @notice The most gas an ERC-1271 wallet's `isValidSignature` is given for one ballot.
    uint256 internal constant WALLET_GAS = 50_000;

    uint256 private constant _NO_WORD = type(uint256).max;
    uint8 private constant _COUNTED = type(uint8).max;
    uint256 private constant _WEIGHT_BITS = 40;
    uint256 private constant _WEIGHTS_SET = uint256(1) << 255;
    uint256 private constant _HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice A relayed ballot was not counted; `reason` is a {SkipReason}.
    event BallotSkipped(uint256 indexed proposalId, address indexed voter, uint8 reason);

    /// @notice No ballot of the batch could be counted.
    error GovernorNoValidBallot();
    /// @notice The packed batch ends inside a ballot.
    error GovernorMalformedBallots(uint256 offset);
    /// @notice Too little gas is left to ask the voter's wallet ({WALLET_GAS}).
    error GovernorWalletGasShort(address voter);

    /// @notice Counts a packed batch of signed ballots (see {GovernorMemberBallots}).
    /// @return counted How many ballots were counted (reverts with {GovernorNoValidBallot} if none).
    function castBallots(Book storage book, Context memory ctx, bytes calldata packed) public returns (uint256 counted) {
        uint256 offset;
        // slither-disable-next-line assembly a calldata slice's offset
        assembly ("memory-safe") {
            offset := packed.offset
        }
        uint256 end = offset + packed.length;
        while (offset < end) {
            if (offset + 34 > end) revert GovernorMalformedBallots(offset);
            uint256 proposalId;
            uint256 n;
            // slither-disable-next-line assembly reads a run header in place
            assembly ("memory-safe") {
                proposalId := calldataload(offset)
                n := shr(240, calldataload(add(offset, 32)))
            }
            uint256 runCounted;
            (runCounted, offset) = _castRun(book, ctx, proposalId, n, offset + 34, end);
            counted += runCounted;
        }
        if (counted == 0) revert GovernorNoValidBallot();
    }

    /// @dev Counts the run of `n` ballots for `proposalId` starting at calldata `offset`; the
    /// tally and each bitmap word are written once. Returns what it counted and where it ended.
    function _castRun(
        Book storage book,
        Context memory ctx,
        uint256 proposalId,
        uint256 n,
        uint256 offset,
        uint256 end
    ) private returns (uint256 counted, uint256 next) {
        IGovernor governor = IGovernor(address(this));
        // slither-disable-next-line calls-loop the governor itself, once per run
        uint256 snapshot = governor.proposalSnapshot(proposalId);
        // slither-disable-next-line calls-loop the governor itself, once per run
        if (snapshot == 0 || governor.state(proposalId) != IGovernor.ProposalState.Active) {
            for (uint256 k = 0; k < n; ++k) {
                address voter;
                (voter, offset) = _skipBallot(offset, end);
                emit BallotSkipped(proposalId, voter, uint8(SkipReason.ProposalNotActive));
            }
            return (0, offset);
        }

        uint256[] memory seats;
        {
            address[] memory voters = new address[](n);
            next = offset;
            for (uint256 k = 0; k < n; ++k) {
                address voter;
                (voter, next) = _skipBallot(next, end);
                voters[k] = voter;
            }
            // slither-disable-next-line calls-loop membership is our own contract, fixed at deployment
            seats = ctx.membership.pastSeats(voters, snapshot);
        }
        uint256 weights = classWeights(book, ctx.membership, proposalId, snapshot);
        // slither-disable-next-line uninitialized-local every field is written by _readBallot before use
        Packed memory b;
        RunTally memory tally = RunTally(0, 0, 0, 0, 0, _NO_WORD, 0);
        mapping(uint256 => uint256) storage voted = book.voted[proposalId];

        for (uint256 k = 0; k < n; ++k) {
            offset = _readBallot(b, offset);
            if (_countBallot(ctx, proposalId, b, seats[k], weights, tally, voted)) ++counted;
        }
        if (tally.wordIndex != _NO_WORD) voted[tally.wordIndex] = tally.word;
        // The governor's `_tallyUpdated` hook is empty (no late-quorum extension): not called here.
        if (counted != 0) addTally(book, proposalId, tally);
    }

    /// @dev Counts one ballot of an active proposal in `tally`, or skips it; tells which.
    function _countBallot(
        Context memory ctx,
        uint256 proposalId,
        Packed memory b,
        uint256 seat,
        uint256 weights,
        RunTally memory tally,
        mapping(uint256 => uint256) storage voted
    ) private returns (bool) {
        uint8 outcome = _checkBallot(ctx, proposalId, b, seat, tally, voted);
        if (outcome != _COUNTED) {
            emit BallotSkipped(proposalId, b.voter, outcome);
            return false;
        }
        uint256 weight = weightOf(weights, uint8(seat));
        tallyVote(tally, b.support, weight, uint8(seat));
        _emitVoteCast(proposalId, b, weight);
        return true;
    }

    /// @dev Checks a ballot of an active proposal, cheapest checks first; marks its voter in the
    /// cached bitmap word if it counts. Returns {_COUNTED} or a {SkipReason}.
    function _checkBallot(
        Context memory ctx,
        uint256 proposalId,
        Packed memory b,
        uint256 seat,
        RunTally memory tally,
        mapping(uint256 => uint256) storage voted
    ) private returns (uint8) {
        if (b.support > 2) return uint8(SkipReason.InvalidSupport);
        if (uint8(seat) == 0) return uint8(SkipReason.NotVotingMember);
        uint256 index = seat >> 8;
        uint256 wordIndex = index >> 8;
        if (wordIndex != tally.wordIndex) {
            // Rare when the run is sorted by member index: 256 members share a word.
            if (tally.wordIndex != _NO_WORD) voted[tally.wordIndex] = tally.word;
            tally.wordIndex = wordIndex;
            tally.word = voted[wordIndex];
        }
        uint256 bit = uint256(1) << (index & 0xff);
        if (tally.word & bit != 0) return uint8(SkipReason.AlreadyVoted);
        bytes32 digest = ballotDigest(ctx.domainSeparator, proposalId, b.support, b.voter, b.reasonOffset, b.reasonLength);
        if (!validSignature(b.voter, digest, msg.data[b.signatureOffset:b.signatureOffset + b.signatureLength])) {
            return uint8(SkipReason.InvalidSignature);
        }
        tally.word |= bit;
        return _COUNTED;
    }

    /// @dev The voter of the packed ballot at calldata `offset`, and where the next begins.
    function _skipBallot(uint256 offset, uint256 end) private pure returns (address voter, uint256 next) {
        if (offset + 23 > end) revert GovernorMalformedBallots(offset);
        // slither-disable-next-line assembly reads the packed fields in place (layout in the module's doc)
        assembly ("memory-safe") {
            let head := calldataload(offset)
            voter := shr(96, head)
            next := add(add(offset, 23), and(shr(72, head), 0xffff))
            switch shr(7, byte(20, head))
            case 0 {
                next := add(next, 64)
            }
            default {
                next := add(add(next, 2), shr(240, calldataload(next)))
            }
        }
        if (next > end) revert GovernorMalformedBallots(offset);
    }

    /// @dev Reads the packed ballot at calldata `offset` into `b`; returns where the next begins.
    /// Its extent was checked by {_skipBallot} in the run's first pass.
    function _readBallot(Packed memory b, uint256 offset) private pure returns (uint256 next) {
        // slither-disable-next-line assembly reads the packed fields in place (layout in the contract doc)
        assembly ("memory-safe") {
            let head := calldataload(offset)
            let meta := byte(20, head)
            let reasonLength := and(shr(72, head), 0xffff)
            let signatureOffset := add(add(offset, 23), reasonLength)
            let signatureLength := 64
            if shr(7, meta) {
                signatureLength := shr(240, calldataload(signatureOffset))
                signatureOffset := add(signatureOffset, 2)
            }
            mstore(b, shr(96, head))
            mstore(add(b, 0x20), and(meta, 0x7f))
            mstore(add(b, 0x40), add(offset, 23))
            mstore(add(b, 0x60), reasonLength)
            mstore(add(b, 0x80), signatureOffset)
            mstore(add(b, 0xa0), signatureLength)
            next := add(signatureOffset, signatureLength)
        }
    }

    /// @dev `VoteCast(voter, proposalId, support, weight, reason)` with the reason copied from
    /// calldata into scratch memory past the free pointer, which stays where it is: a batch does
    /// not grow memory per ballot.
    function _emitVoteCast(uint256 proposalId, Packed memory b, uint256 weight) private {
        bytes32 topic = IGovernor.VoteCast.selector;
        // slither-disable-next-line assembly emits the standard event without a memory copy per ballot
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let length := mload(add(b, 0x60))
            let size := add(0xa0, and(add(length, 31), not(31)))
            mstore(add(ptr, sub(size, 0x20)), 0)
            mstore(ptr, proposalId)
            mstore(add(ptr, 0x20), mload(add(b, 0x20)))
            mstore(add(ptr, 0x40), weight)
            mstore(add(ptr, 0x60), 0x80)
            mstore(add(ptr, 0x80), length)
            calldatacopy(add(ptr, 0xa0), mload(add(b, 0x40)), length)
            log2(ptr, size, topic, mload(b))
        }
    }

    // ------------------------------------------------------------------ weights and tallies

    /// @dev The effective weight of each voting class (1..6) at the proposal's snapshot, 40 bits
    /// each (a weight is at most 2 * 2^32), computed by the first vote and kept.
    function classWeights(
        Book storage book,
        IMembership membership,
        uint256 proposalId,
        uint256 snapshot
    ) internal returns (uint256 packed) {
        packed = book.weights[proposalId];
        if (packed != 0) return packed;
        // slither-disable-next-line calls-loop membership is our own contract, fixed at deployment
        IMembership.Scale memory scale = membership.pastScale(snapshot);
        packed = _WEIGHTS_SET;
        for (uint8 class = 1; class <= VoteWeights.CLASSES; ++class) {
            packed |= VoteWeights.weight(class, scale) << (_WEIGHT_BITS * (class - 1));
        }
        book.weights[proposalId] = packed;
    }

    function weightOf(uint256 weights, uint8 class) internal pure returns (uint256) {
        return uint40(weights >> (_WEIGHT_BITS * (class - 1)));
    }

    function tallyVote(RunTally memory tally, uint256 support, uint256 weight, uint8 class) internal pure {
        bool isState = !VoteWeights.isCorporate(class);
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

    function addTally(Book storage book, uint256 proposalId, RunTally memory tally) internal {
        if (tally.forVotes | tally.againstVotes != 0) {
            Tally storage t = book.tallies[proposalId];
            t.forVotes = SafeCast.toUint96(t.forVotes + tally.forVotes);
            t.againstVotes = SafeCast.toUint96(t.againstVotes + tally.againstVotes);
            t.statesFor = SafeCast.toUint32(t.statesFor + tally.statesFor);
            t.statesAgainst = SafeCast.toUint32(t.statesAgainst + tally.statesAgainst);
        }
        if (tally.abstainVotes != 0) book.abstainVotes[proposalId] += tally.abstainVotes;
    }

    // ------------------------------------------------------------------ signatures

    /// @dev The voter's key signed `digest` (65- or 64-byte ECDSA), or the voter is a contract
    /// wallet that accepts the signature (ERC-1271, with at most {WALLET_GAS}). Recovery comes
    /// first so that the common case, an EOA, skips the code-size lookup of the voter; an
    /// EIP-7702 account is thus accepted with its own key, as an EOA.
    function validSignature(address voter, bytes32 digest, bytes calldata signature) internal view returns (bool) {
        address recovered;
        if (signature.length == 64) {
            // EIP-2098 (r, yParity << 255 | s), read in place, with ECDSA's rule that s be in the
            // lower half of the curve order (so no signature has a second, malleated form).
            bytes32 r;
            uint256 vs;
            // slither-disable-next-line assembly reads the two words of a compact signature in place
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                vs := calldataload(add(signature.offset, 0x20))
            }
            uint256 sValue = vs & ((uint256(1) << 255) - 1);
            if (sValue <= _HALF_ORDER) recovered = ecrecover(digest, uint8((vs >> 255) + 27), r, bytes32(sValue));
        } else {
            ECDSA.RecoverError err;
            // slither-disable-next-line unused-return the error's argument is not needed: any error falls through to ERC-1271
            (recovered, err, ) = ECDSA.tryRecoverCalldata(digest, signature);
            if (err != ECDSA.RecoverError.NoError) recovered = address(0);
        }
        // ecrecover answers the zero address for what it cannot recover: never a voter's key.
        if (recovered != address(0) && recovered == voter) return true;
        if (voter.code.length == 0) return false;
        if (gasleft() < WALLET_GAS + WALLET_GAS / 63 + 5_000) revert GovernorWalletGasShort(voter);
        bytes memory request = abi.encodeCall(IERC1271.isValidSignature, (digest, signature));
        bool success;
        bytes4 magic;
        uint256 walletGas = WALLET_GAS;
        // slither-disable-next-line assembly a staticcall with a gas cap that reads at most one word back
        assembly ("memory-safe") {
            success := staticcall(walletGas, voter, add(request, 0x20), mload(request), 0, 0x20)
            if and(success, gt(returndatasize(), 0x1f)) {
                magic := mload(0)
            }
        }
        return success && magic == IERC1271.isValidSignature.selector;
    }

    /// @dev The EIP-712 digest of a ballot whose reason is at calldata `reasonOffset`; hashed in
    /// scratch memory so a batch does not grow memory per ballot.
    function ballotDigest(
        bytes32 domainSeparator,
        uint256 proposalId,
        uint256 support,
        address voter,
        uint256 reasonOffset,
        uint256 reasonLength
    ) internal pure returns (bytes32) {
        bytes32 typehash = MEMBER_BALLOT_TYPEHASH;
        bytes32 structHash;
        // slither-disable-next-line assembly hashes in scratch memory so a batch does not grow memory per ballot
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, reasonOffset, reasonLength)
            let reasonHash := keccak256(ptr, reasonLength)
            mstore(ptr, typehash)
            mstore(add(ptr, 0x20), proposalId)
            mstore(add(ptr, 0x40), support)
            mstore(add(ptr, 0x60), voter)
            mstore(add(ptr, 0x80), reasonHash)
            structHash := keccak256(ptr, 0xa0)
        }
        return MessageHashUtils.toTypedDataHash(domainSeparator, structHash);
    }
}
