// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IMembership} from "./interfaces/IMembership.sol";
import {EquityFormula} from "./libraries/EquityFormula.sol";

/// @title EquityFund
/// @notice The equity adjustment fund: a treasury in one ERC-20 that moves money from
/// contributors to the members with the greatest need, by a published formula.
///
/// Anyone contributes. Governance (`DEFAULT_ADMIN_ROLE`, the timelock in production) sets each
/// member's need score with the source of the scores, the round rules (per-member cap and
/// floor) and the per-epoch spending limit, and executes disbursement rounds. A round computes
/// the split itself ({EquityFormula} version 1 over the eligible members, see {preview}) and
/// pushes each payout; a payout that cannot be pushed (the recipient is blocked by the token,
/// say) is kept for the member to {claim}, and never blocks the others.
///
/// Accounting: `token.balanceOf(fund) == totalContributed - totalPaidOut` for tokens that only
/// arrive through {contribute}, and that balance always covers `totalClaimable`.
/// The token must be a plain ERC-20 (no fee on transfer, no rebasing).
contract EquityFund is AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The largest need score governance may set (keeps the sum of scores from overflowing).
    uint256 public constant MAX_NEED_SCORE = type(uint128).max;

    /// @notice The token the fund holds.
    IERC20 public immutable token;
    /// @notice The membership the fund reads eligibility from.
    IMembership public immutable membership;
    /// @notice Seconds per spending epoch; epoch `e` is `block.timestamp / epochLength == e`.
    uint64 public immutable epochLength;

    /// @notice The most all rounds together may allocate in one epoch. Epochs are fixed windows,
    /// not a rolling one: rounds at the end of one epoch and the start of the next may move up to
    /// twice this limit within a few seconds, so set it at half the most that may ever leave the
    /// fund within `epochLength`.
    uint256 public epochLimit;
    /// @notice The per-member cap, in basis points of a round's budget (1..10000).
    uint16 public capBps;
    /// @notice The minimum payout per eligible member (lowered by the formula when the budget is short).
    uint256 public floor;

    /// @notice Number of need-score batches set so far (batch ids are 1-based).
    uint256 public scoreBatchCount;
    /// @notice Number of rounds executed so far (round ids are 1-based).
    uint256 public roundCount;

    /// @notice Sum of all contributions.
    uint256 public totalContributed;
    /// @notice Sum of all payouts that left the fund: pushed in a round or claimed later.
    uint256 public totalPaidOut;
    /// @notice Sum of all payouts allocated but not yet claimed.
    uint256 public totalClaimable;

    /// @dev A round's allocation: the eligible members, their scores and amounts, in member-index order.
    struct Allocation {
        address[] members;
        uint256[] scores;
        uint256[] amounts;
        uint256 totalScore;
        uint256 paid;
    }

    mapping(address member => uint256) private _needScores;
    // Bit `i % 256` of word `i / 256` is set when the member with index `i` holds a score > 0:
    // a round visits scored members only, in member-index order.
    mapping(uint256 word => uint256) private _scoredWords;
    uint256 private _scoredCount;
    mapping(address member => uint256) private _claimable;
    mapping(uint256 epoch => uint256) private _spent;

    /// @notice `contributor` paid `amount` into the fund; `isMember` tells whether it was an
    /// admitted, not expelled member at the time.
    event Contributed(address indexed contributor, uint256 amount, bool isMember);
    /// @notice Governance set a batch of `count` need scores from the source at `sourceURI`
    /// whose content hashes to `sourceHash`.
    event NeedScoresSet(uint256 indexed batchId, bytes32 sourceHash, string sourceURI, uint256 count);
    /// @notice One member's need score, set in batch `batchId`.
    event NeedScoreSet(address indexed member, uint256 score, uint256 indexed batchId);
    /// @notice The round rules changed.
    event RoundRulesSet(uint16 capBps, uint256 floor);
    /// @notice The per-epoch spending limit changed.
    event EpochLimitSet(uint256 epochLimit);
    /// @notice `member` was allocated `amount` in round `roundId` from its `score` out of
    /// `totalScore` and the round's `budget`; `pushed` is false when the transfer failed and the
    /// amount became claimable (an amount of 0 is not transferred and counts as pushed).
    event Payout(
        uint256 indexed roundId,
        address indexed member,
        uint256 score,
        uint256 totalScore,
        uint256 budget,
        uint256 amount,
        bool pushed
    );
    /// @notice The transfer of `amount` to `member` in round `roundId` failed; the member can claim it.
    event PayoutDeferred(uint256 indexed roundId, address indexed member, uint256 amount);
    /// @notice Round `roundId` allocated `paid` of `budget` to `recipients` eligible members.
    /// `inputsHash = keccak256(abi.encode(address[] members, uint256[] scores, budget, capBps, floor))`
    /// over the eligible members and their scores in member-index order.
    event RoundExecuted(
        uint256 indexed roundId,
        uint256 budget,
        uint256 paid,
        uint256 recipients,
        uint16 capBps,
        uint256 floor,
        uint8 formulaVersion,
        bytes32 inputsHash
    );
    /// @notice `member` claimed `amount` that could not be pushed to it.
    event Claimed(address indexed member, uint256 amount);

    /// @notice The token, the membership and governance must be set.
    error FundZeroAddress();
    /// @notice An epoch must last at least one second.
    error FundEpochLengthZero();
    /// @notice A contribution must be positive.
    error ContributionZero();
    /// @notice `members` and `scores` must have the same length.
    error NeedScoresLengthMismatch(uint256 members, uint256 scores);
    /// @notice Need scores are for admitted members only.
    error NeedScoreForNonMember(address account);
    /// @notice A need score may not exceed {MAX_NEED_SCORE}.
    error NeedScoreTooLarge(address member, uint256 score);
    /// @notice The per-member cap must be between 1 and 10000 basis points.
    error RoundCapOutOfRange(uint16 capBps);
    /// @notice A round needs a positive budget.
    error RoundBudgetZero();
    /// @notice A round needs at least one voting member with a positive need score.
    error RoundNoEligibleMembers();
    /// @notice The fund does not hold `budget` beyond what members may still claim.
    error FundInsufficientBalance(uint256 budget, uint256 available);
    /// @notice The round would take the epoch's spending past its limit.
    error EpochLimitExceeded(uint256 epoch, uint256 spent, uint256 amount, uint256 limit);
    /// @notice The account has nothing to claim.
    error ClaimNothing(address account);
    /// @notice The token refused the claimed transfer.
    error ClaimTransferFailed(address account, uint256 amount);

    /// @param token_ The ERC-20 the fund holds.
    /// @param membership_ The membership eligibility is read from.
    /// @param governance Holder of `DEFAULT_ADMIN_ROLE` (the timelock, or the deployer until it exists).
    /// @param epochLength_ Seconds per spending epoch.
    /// @param epochLimit_ The most all rounds may allocate in one epoch.
    /// The round rules start as `capBps = 10000` (no cap below the budget) and `floor = 0`.
    constructor(
        IERC20 token_,
        IMembership membership_,
        address governance,
        uint64 epochLength_,
        uint256 epochLimit_
    ) {
        if (address(token_) == address(0) || address(membership_) == address(0) || governance == address(0)) {
            revert FundZeroAddress();
        }
        if (epochLength_ == 0) revert FundEpochLengthZero();
        token = token_;
        membership = membership_;
        epochLength = epochLength_;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _setRoundRules(uint16(EquityFormula.BPS), 0);
        _setEpochLimit(epochLimit_);
    }

    // ------------------------------------------------------------------ contributions

    /// @notice Pay `amount` of the token into the fund (the caller must have approved it).
    function contribute(uint256 amount) external nonReentrant {
        if (amount == 0) revert ContributionZero();
        totalContributed += amount;
        token.safeTransferFrom(msg.sender, address(this), amount);
        IMembership.Status status = membership.member(msg.sender).status;
        emit Contributed(msg.sender, amount, status == IMembership.Status.Active || status == IMembership.Status.Suspended);
    }

    // ------------------------------------------------------------------ governance

    /// @notice Set the need scores of `members` (0 removes a member from future rounds), citing
    /// the source document by `sourceHash` and `sourceURI`. Later entries win over earlier ones.
    /// @return batchId The 1-based id of this batch.
    function setNeedScores(
        address[] calldata members,
        uint256[] calldata scores,
        bytes32 sourceHash,
        string calldata sourceURI
    ) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256 batchId) {
        if (members.length != scores.length) revert NeedScoresLengthMismatch(members.length, scores.length);
        batchId = ++scoreBatchCount;
        emit NeedScoresSet(batchId, sourceHash, sourceURI, members.length);
        // An account's index (0 if never admitted) is the same at every timepoint.
        uint256 past = membership.clock() - 1;
        for (uint256 i = 0; i < members.length; ++i) {
            address account = members[i];
            uint256 score = scores[i];
            // slither-disable-next-line calls-loop membership is our own contract, fixed at deployment
            uint256 index = membership.pastSeat(account, past).index;
            if (index == 0) revert NeedScoreForNonMember(account);
            if (score > MAX_NEED_SCORE) revert NeedScoreTooLarge(account, score);
            _markScored(index, score != 0);
            _needScores[account] = score;
            emit NeedScoreSet(account, score, batchId);
        }
    }

    /// @notice Set the per-member cap (`capBps_` basis points of a round's budget, 1..10000)
    /// and the floor (minimum payout per eligible member) for future rounds.
    function setRoundRules(uint16 capBps_, uint256 floor_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRoundRules(capBps_, floor_);
    }

    /// @notice Set the per-epoch spending limit. Constitutional: the Governor only lets this
    /// through on the constitutional track. Epochs are fixed windows: around a boundary up to
    /// twice the limit can leave the fund within seconds (see {epochLimit}).
    function setEpochLimit(uint256 epochLimit_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setEpochLimit(epochLimit_);
    }

    /// @notice Execute a disbursement round of `budget`: allocate it by formula version 1 over the
    /// eligible members (exactly what {preview} returns), push every payout, and keep a payout
    /// whose transfer fails claimable by its member.
    ///
    /// Reverts if `budget` is 0, if no member is eligible, if the fund holds less than `budget`
    /// beyond what is claimable, or if the allocated total would take the current epoch's
    /// spending past {epochLimit}. Amounts allocated count against the epoch whether pushed or
    /// deferred; dust stays in the fund and does not count.
    /// @return roundId The 1-based id of the round.
    function disburse(uint256 budget) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant returns (uint256 roundId) {
        if (budget == 0) revert RoundBudgetZero();
        uint256 available = token.balanceOf(address(this)) - totalClaimable;
        if (budget > available) revert FundInsufficientBalance(budget, available);

        Allocation memory a = _allocate(budget);
        _spend(a.paid);
        roundId = ++roundCount;

        uint256 deferred = _push(roundId, budget, a);
        totalPaidOut += a.paid - deferred;
        totalClaimable += deferred;

        emit RoundExecuted(
            roundId,
            budget,
            a.paid,
            a.members.length,
            capBps,
            floor,
            EquityFormula.VERSION,
            keccak256(abi.encode(a.members, a.scores, budget, capBps, floor))
        );
    }

    // ------------------------------------------------------------------ members

    /// @notice Pay the caller what could not be pushed to it in earlier rounds.
    /// Reverts if there is nothing to claim or if the token refuses the transfer (the amount
    /// then stays claimable).
    function claim() external nonReentrant {
        uint256 amount = _claimable[msg.sender];
        if (amount == 0) revert ClaimNothing(msg.sender);
        _claimable[msg.sender] = 0;
        totalClaimable -= amount;
        totalPaidOut += amount;
        if (!token.trySafeTransfer(msg.sender, amount)) revert ClaimTransferFailed(msg.sender, amount);
        emit Claimed(msg.sender, amount);
    }

    // ------------------------------------------------------------------ reads

    /// @notice What a round of `budget` would allocate now: exactly what {disburse} pays.
    ///
    /// Formula version 1. The eligible members are those with `membership.isVoting` true and a
    /// need score > 0, in member-index order (1..memberCount); only members with a score are
    /// visited, so members admitted without one cost a round nothing. With their scores `s` (summing to
    /// `totalScore`), `n` of them, `cap = budget * capBps / 10000` and
    /// `f = min(floor, budget / n, cap)`: everyone gets `f`; the rest `budget - n*f` is split in
    /// proportion to score, rounding down, among members not yet capped; whoever would get more
    /// than `cap` gets exactly `cap` and leaves, and the rest is split again among the others,
    /// until nobody new is capped. Dust stays in the fund. See {EquityFormula} for the exact steps.
    /// Reverts with {RoundNoEligibleMembers} when nobody is eligible.
    /// @return members The eligible members, in member-index order.
    /// @return scores Their need scores.
    /// @return amounts What each would be paid.
    /// @return totalScore The sum of `scores`.
    function preview(
        uint256 budget
    )
        external
        view
        returns (address[] memory members, uint256[] memory scores, uint256[] memory amounts, uint256 totalScore)
    {
        Allocation memory a = _allocate(budget);
        return (a.members, a.scores, a.amounts, a.totalScore);
    }

    /// @notice The member's need score.
    function needScore(address member) external view returns (uint256) {
        return _needScores[member];
    }

    /// @notice What `member` can claim.
    function claimable(address member) external view returns (uint256) {
        return _claimable[member];
    }

    /// @notice The current spending epoch: `block.timestamp / epochLength`.
    function currentEpoch() public view returns (uint256) {
        return block.timestamp / epochLength;
    }

    /// @notice What rounds allocated in `epoch`.
    function spentInEpoch(uint256 epoch) external view returns (uint256) {
        return _spent[epoch];
    }

    /// @notice What rounds may still allocate in the current epoch.
    function remainingInEpoch() external view returns (uint256) {
        uint256 spent = _spent[currentEpoch()];
        return spent >= epochLimit ? 0 : epochLimit - spent;
    }

    /// @notice The fund's balance beyond what members may still claim: the most a round may budget.
    function availableBalance() external view returns (uint256) {
        return token.balanceOf(address(this)) - totalClaimable;
    }

    // ------------------------------------------------------------------ internals

    function _allocate(uint256 budget) private view returns (Allocation memory a) {
        (a.members, a.scores, a.totalScore) = _eligible();
        if (a.members.length == 0) revert RoundNoEligibleMembers();
        // Validated here: members, each with a score > 0 ({_eligible}); capBps in 1..10000 ({_setRoundRules}).
        (a.amounts, a.paid) = EquityFormula.allocateValidated(a.scores, budget, capBps, floor);
    }

    /// @dev Counts `amount` against the current epoch's limit.
    function _spend(uint256 amount) private {
        uint256 epoch = currentEpoch();
        uint256 spent = _spent[epoch];
        if (spent + amount > epochLimit) revert EpochLimitExceeded(epoch, spent, amount, epochLimit);
        _spent[epoch] = spent + amount;
    }

    /// @dev Pushes every payout of round `roundId`; what cannot be pushed becomes claimable.
    /// @return deferred The sum of the payouts that became claimable.
    function _push(uint256 roundId, uint256 budget, Allocation memory a) private returns (uint256 deferred) {
        for (uint256 i = 0; i < a.members.length; ++i) {
            address account = a.members[i];
            uint256 amount = a.amounts[i];
            bool pushed = amount == 0 || token.trySafeTransfer(account, amount);
            if (!pushed) {
                _claimable[account] += amount;
                deferred += amount;
                emit PayoutDeferred(roundId, account, amount);
            }
            emit Payout(roundId, account, a.scores[i], a.totalScore, budget, amount, pushed);
        }
    }

    /// @dev Sets or clears the scored bit of the member with `index`.
    function _markScored(uint256 index, bool scored) private {
        uint256 bit = uint256(1) << (index & 0xff);
        uint256 word = _scoredWords[index >> 8];
        if ((word & bit != 0) == scored) return;
        _scoredWords[index >> 8] = word ^ bit;
        // slither-disable-start costly-loop one counter per changed score: a round sizes its arrays by it
        if (scored) ++_scoredCount;
        else --_scoredCount;
        // slither-disable-end costly-loop
    }

    /// @dev The scored members that vote, with their scores, in member-index order: one bitmap
    /// word per 256 admitted accounts, then only the members whose bit is set.
    function _eligible() private view returns (address[] memory members, uint256[] memory scores, uint256 total) {
        members = new address[](_scoredCount);
        scores = new uint256[](_scoredCount);
        uint256 n;
        uint256 lastWord = membership.memberCount() >> 8;
        for (uint256 w = 0; w <= lastWord; ++w) {
            uint256 bits = _scoredWords[w];
            while (bits != 0) {
                uint256 low = bits & (~bits + 1);
                bits ^= low;
                // slither-disable-next-line calls-loop membership is our own contract, fixed at deployment
                address account = membership.memberAt((w << 8) | Math.log2(low));
                // slither-disable-next-line calls-loop membership is our own contract, fixed at deployment
                if (!membership.isVoting(account)) continue;
                uint256 score = _needScores[account];
                members[n] = account;
                scores[n] = score;
                total += score;
                ++n;
            }
        }
        // Trim both arrays to the eligible count (memory is not reused, so this is safe).
        // slither-disable-next-line assembly trims the arrays to their eligible length in place
        assembly ("memory-safe") {
            mstore(members, n)
            mstore(scores, n)
        }
    }

    function _setRoundRules(uint16 capBps_, uint256 floor_) private {
        if (capBps_ == 0 || capBps_ > EquityFormula.BPS) revert RoundCapOutOfRange(capBps_);
        capBps = capBps_;
        floor = floor_;
        emit RoundRulesSet(capBps_, floor_);
    }

    function _setEpochLimit(uint256 epochLimit_) private {
        epochLimit = epochLimit_;
        emit EpochLimitSet(epochLimit_);
    }
}
