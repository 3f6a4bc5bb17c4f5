// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @title GovernorOrdinaryRegister
/// @notice The register of ordinary calls, deny by default: a call a proposal makes is
/// constitutional unless its (target, selector) is listed as ordinary. So on every contract the
/// timelock administers, and on any other target, a function is constitutional until listed.
///
/// - The list is seeded when the governor is deployed (there is no seeding phase to race) and
///   changes only through {setOrdinaryCalls}, a call to the governor itself, which is never
///   ordinary: the list changes only constitutionally.
/// - Calls to the governor or to its timelock can never be listed.
/// - A call with fewer than four bytes of calldata reaches a fallback, not a listed function: it
///   is always constitutional.
/// - No proposal, on any track, may make the timelock renounce `DEFAULT_ADMIN_ROLE` on any
///   contract: governance would lose that contract for good. (Revoking it stays a constitutional
///   call, so that admin can move to another timelock.)
abstract contract GovernorOrdinaryRegister is Governor {
    /// @notice Calls of one target to list as ordinary.
    struct OrdinaryCalls {
        address target;
        bytes4[] selectors;
    }

    mapping(address target => mapping(bytes4 selector => bool)) private _ordinary;

    /// @notice Calls of `target` with `selector` were listed as ordinary, or unlisted.
    event OrdinaryCallSet(address indexed target, bytes4 indexed selector, bool ordinary);

    /// @notice A call of the proposal is constitutional, but the proposal is not on that track.
    /// `selector` is the call's first four bytes (right-padded with zeros when shorter).
    error GovernorConstitutionalCallOffTrack(uint256 index, address target, bytes4 selector);
    /// @notice A call of the proposal makes the timelock renounce its admin role on `target`.
    error GovernorTimelockAdminRenounce(uint256 index, address target);
    /// @notice Calls to the governor or to its timelock cannot be listed as ordinary.
    error GovernorOrdinaryTargetRefused(address target);

    /// @param ordinary The calls listed as ordinary from the start.
    constructor(OrdinaryCalls[] memory ordinary) {
        for (uint256 i = 0; i < ordinary.length; ++i) {
            _setOrdinaryCalls(ordinary[i].target, ordinary[i].selectors, true);
        }
    }

    /// @notice Whether a call to `target` with `data` is constitutional: it is unless its
    /// selector is listed as ordinary for `target` (calldata shorter than 4 bytes always is).
    function isConstitutionalCall(address target, bytes memory data) public view returns (bool) {
        return data.length < 4 || !_ordinary[target][bytes4(data)];
    }

    /// @notice Whether calls of `target` with `selector` are listed as ordinary.
    function isOrdinaryCall(address target, bytes4 selector) external view returns (bool) {
        return _ordinary[target][selector];
    }

    /// @notice Lists calls of `target` with `selectors` as ordinary, or unlists them
    /// (constitutional, as every call to the governor).
    function setOrdinaryCalls(address target, bytes4[] calldata selectors, bool ordinary) external onlyGovernance {
        _setOrdinaryCalls(target, selectors, ordinary);
    }

    /// @dev Reverts if a call may not be proposed at all, or (unless `constitutional`) is
    /// constitutional.
    function _checkCalls(bool constitutional, address[] memory targets, bytes[] memory calldatas) internal view {
        for (uint256 i = 0; i < targets.length; ++i) {
            bytes memory data = calldatas[i];
            if (_renouncesTimelockAdmin(data)) revert GovernorTimelockAdminRenounce(i, targets[i]);
            if (!constitutional && isConstitutionalCall(targets[i], data)) {
                revert GovernorConstitutionalCallOffTrack(i, targets[i], bytes4(data));
            }
        }
    }

    /// @dev `renounceRole(DEFAULT_ADMIN_ROLE, timelock)`, on whatever target.
    function _renouncesTimelockAdmin(bytes memory data) private view returns (bool) {
        if (data.length < 68 || bytes4(data) != IAccessControl.renounceRole.selector) return false;
        bytes32 role;
        address account;
        // slither-disable-next-line assembly reads the call's two arguments in place
        assembly ("memory-safe") {
            role := mload(add(data, 0x24))
            account := mload(add(data, 0x44))
        }
        return role == bytes32(0) && account == _executor();
    }

    function _setOrdinaryCalls(address target, bytes4[] memory selectors, bool ordinary) private {
        if (ordinary && (target == address(this) || target == _executor())) revert GovernorOrdinaryTargetRefused(target);
        for (uint256 i = 0; i < selectors.length; ++i) {
            _ordinary[target][selectors[i]] = ordinary;
            emit OrdinaryCallSet(target, selectors[i], ordinary);
        }
    }
}
