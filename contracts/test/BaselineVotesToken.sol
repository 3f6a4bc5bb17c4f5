// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title BaselineVotesToken
/// @notice Test-only ERC20Votes token for the gas baseline: anyone may mint to anyone.
contract BaselineVotesToken is ERC20, ERC20Permit, ERC20Votes {
    constructor() ERC20("Baseline Votes", "BASE") ERC20Permit("Baseline Votes") {}

    /// @notice Mints `amount` to `to` and makes `to` its own delegate.
    function mintAndDelegate(address to, uint256 amount) external {
        _mint(to, amount);
        _delegate(to, to);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
