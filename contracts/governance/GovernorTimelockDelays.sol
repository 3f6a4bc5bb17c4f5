// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title GovernorTimelockDelays
/// @notice OpenZeppelin's {GovernorTimelockControl} with one change: each proposal is queued with
/// its own delay, `max(_timelockDelay(proposalId), timelock.getMinDelay())`, so proposals of
/// different tracks wait different times. Everything else (salt, state, cancel, executor) is as
/// in {GovernorTimelockControl}.
///
/// The governor needs the timelock's PROPOSER_ROLE and CANCELLER_ROLE, and EXECUTOR_ROLE (or an
/// open executor role). Assets and permissions belong to the timelock.
abstract contract GovernorTimelockDelays is Governor {
    TimelockController private _timelock;
    mapping(uint256 proposalId => bytes32) private _timelockIds;

    /// @notice The timelock used for proposal execution changed.
    // slither-disable-next-line unindexed-event-address the signature of OZ GovernorTimelockControl's event, which tools decode
    event TimelockChange(address oldTimelock, address newTimelock);

    constructor(TimelockController timelockAddress) {
        _updateTimelock(timelockAddress);
    }

    /// @inheritdoc Governor
    /// @dev A queued proposal is Executed or Canceled when its timelock operation is.
    // slither-disable-next-line calls-loop view calls to our own timelock (a batch asks once per proposal run)
    function state(uint256 proposalId) public view virtual override returns (ProposalState) {
        ProposalState currentState = super.state(proposalId);
        if (currentState != ProposalState.Queued) {
            return currentState;
        }
        bytes32 queueId = _timelockIds[proposalId];
        if (_timelock.isOperationPending(queueId)) {
            return ProposalState.Queued;
        } else if (_timelock.isOperationDone(queueId)) {
            return ProposalState.Executed;
        } else {
            return ProposalState.Canceled;
        }
    }

    /// @notice The timelock that executes proposals.
    function timelock() public view virtual returns (address) {
        return address(_timelock);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(uint256) public view virtual override returns (bool) {
        return true;
    }

    /// @notice Points the governor at another timelock (governance only).
    /// @dev Not advisable while proposals are queued in the old one.
    function updateTimelock(TimelockController newTimelock) public virtual onlyGovernance {
        _updateTimelock(newTimelock);
    }

    /// @dev The delay `proposalId` asks for; the timelock's minimum delay applies if longer.
    function _timelockDelay(uint256 proposalId) internal view virtual returns (uint256);

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal virtual override returns (uint48) {
        uint256 delay = Math.max(_timelockDelay(proposalId), _timelock.getMinDelay());
        bytes32 salt = _timelockSalt(descriptionHash);
        _timelockIds[proposalId] = _timelock.hashOperationBatch(targets, values, calldatas, 0, salt);
        _timelock.scheduleBatch(targets, values, calldatas, 0, salt, delay);
        return SafeCast.toUint48(block.timestamp + delay);
    }

    /// @dev The id is cleared before the call (checks-effects-interactions); nothing reads it once
    /// {Governor-execute} has marked the proposal executed.
    // slither-disable-next-line msg-value-in-nonpayable reached from Governor.execute, which is payable
    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal virtual override {
        delete _timelockIds[proposalId];
        _timelock.executeBatch{value: msg.value}(targets, values, calldatas, 0, _timelockSalt(descriptionHash));
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal virtual override returns (uint256) {
        uint256 proposalId = super._cancel(targets, values, calldatas, descriptionHash);
        bytes32 timelockId = _timelockIds[proposalId];
        if (timelockId != 0) {
            delete _timelockIds[proposalId]; // before the external call (checks-effects-interactions)
            _timelock.cancel(timelockId);
        }
        return proposalId;
    }

    function _executor() internal view virtual override returns (address) {
        return address(_timelock);
    }

    function _updateTimelock(TimelockController newTimelock) private {
        emit TimelockChange(address(_timelock), address(newTimelock));
        _timelock = newTimelock;
    }

    /// @dev Salted with the governor's address so governors sharing a timelock never collide.
    function _timelockSalt(bytes32 descriptionHash) private view returns (bytes32) {
        return bytes20(address(this)) ^ descriptionHash;
    }
}
