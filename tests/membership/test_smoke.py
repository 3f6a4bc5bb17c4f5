from brownie import web3

from tests.conftest import BASIC_VOTES, FULL, STATE, TIER_VOTES, mine


def test_admitted_full_state_has_basic_plus_tier_votes(membership, admit):
    account = admit(STATE, FULL)
    mine()
    assert membership.getPastVotes(account, web3.eth.block_number - 1) == BASIC_VOTES + TIER_VOTES[2]
