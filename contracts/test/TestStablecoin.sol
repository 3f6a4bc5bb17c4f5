// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title TestStablecoin
/// @notice "Test USD" (tUSD), 6 decimals, for local deployments and tests. The owner mints, and
/// can block an address: transfers to or from a blocked address revert, like a real
/// stablecoin's blacklist. That is how tests make one recipient's payout fail for real.
contract TestStablecoin is ERC20, Ownable {
    mapping(address account => bool) private _blocked;

    /// @notice The owner blocked or unblocked `account`.
    event BlockedSet(address indexed account, bool blocked);

    /// @notice Tokens cannot move to or from a blocked account.
    error TestStablecoinBlocked(address account);

    /// @param owner_ Who may mint and block.
    constructor(address owner_) ERC20("Test USD", "tUSD") Ownable(owner_) {}

    /// @notice Six decimals, like USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mint `amount` to `to`.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    /// @notice Block or unblock `account`.
    function setBlocked(address account, bool blocked_) external onlyOwner {
        _blocked[account] = blocked_;
        emit BlockedSet(account, blocked_);
    }

    /// @notice Whether `account` is blocked.
    function isBlocked(address account) external view returns (bool) {
        return _blocked[account];
    }

    function _update(address from, address to, uint256 value) internal override {
        if (_blocked[from]) revert TestStablecoinBlocked(from);
        if (_blocked[to]) revert TestStablecoinBlocked(to);
        super._update(from, to, value);
    }
}
