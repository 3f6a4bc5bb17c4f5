"""ERC-5805 / ERC-6372 surface: clock, delegation (unsupported), past lookups, checkpoints;
and the governance role handover."""

from brownie import ZERO_ADDRESS, web3

from tests.contracts.conftest import ASSOCIATE, CORPORATE, FULL, PARTNER, STATE, fresh_address, mine, raw_weight
from tests.contracts.membership.conftest import plain, settle
from tests.contracts.reverts import assert_reverts_with

ADMIN_ROLE = b"\x00" * 32


def test_clock_is_the_block_number(membership):
    assert membership.clock() == web3.eth.block_number
    mine(3)
    assert membership.clock() == web3.eth.block_number


def test_clock_mode(membership):
    assert membership.CLOCK_MODE() == "mode=blocknumber&from=default"


def test_members_are_their_own_delegates(membership, admin, admit):
    account = admit(STATE, FULL)
    assert membership.delegates(account) == account
    membership.expel(account, {"from": admin})
    assert membership.delegates(account) == account
    assert membership.delegates(fresh_address()) == ZERO_ADDRESS


def test_delegation_is_not_supported(membership, admit, outsider):
    account = admit(STATE, FULL)
    assert_reverts_with("MembershipNotDelegable", membership.delegate, account, {"from": outsider})
    assert_reverts_with(
        "MembershipNotDelegable", membership.delegateBySig, account, 0, 2**64, 27, b"\x01" * 32, b"\x02" * 32,
        {"from": outsider},
    )


def test_past_lookups_reject_current_and_future_timepoints(membership, admit):
    account = admit(STATE, FULL)
    now = web3.eth.block_number
    for timepoint in (now, now + 1, 2**48, 2**256 - 1):
        assert_reverts_with("ERC5805FutureLookup", membership.getPastVotes, account, timepoint, error_args=(timepoint, now))
        assert_reverts_with("ERC5805FutureLookup", membership.getPastTotalSupply, timepoint, error_args=(timepoint, now))
        assert_reverts_with("ERC5805FutureLookup", membership.pastScale, timepoint, error_args=(timepoint, now))
        assert_reverts_with("ERC5805FutureLookup", membership.pastClass, account, timepoint, error_args=(timepoint, now))
        assert_reverts_with("ERC5805FutureLookup", membership.pastSeats, [account], timepoint, error_args=(timepoint, now))


def test_lookups_before_any_member_are_zero(membership, admit):
    admit(STATE, FULL)
    assert membership.getPastTotalSupply(0) == 0
    assert membership.getPastTotalSupply(1) == 0


def test_past_reads_are_fixed_once_the_timepoint_has_passed(membership, admin, admit):
    state, corporate = admit(STATE, PARTNER), admit(CORPORATE, FULL)
    snapshot = settle()
    reads = (
        membership.getPastVotes(state, snapshot),
        membership.getPastVotes(corporate, snapshot),
        membership.getPastTotalSupply(snapshot),
        plain(membership.pastScale(snapshot)),
    )
    membership.setTier(state, ASSOCIATE, {"from": admin})
    membership.setVoteSchedule(1, [2, 3, 4], {"from": admin})
    membership.setCorporateCap(9000, {"from": admin})
    membership.suspend(corporate, {"from": admin})
    admit(STATE, FULL)
    mine(2)
    assert reads == (
        membership.getPastVotes(state, snapshot),
        membership.getPastVotes(corporate, snapshot),
        membership.getPastTotalSupply(snapshot),
        plain(membership.pastScale(snapshot)),
    )


def test_get_votes_is_current_weight(membership, admin, admit):
    account = admit(STATE, ASSOCIATE)
    assert membership.getVotes(account) == raw_weight(ASSOCIATE)
    membership.setTier(account, FULL, {"from": admin})
    assert membership.getVotes(account) == raw_weight(FULL)


def test_past_seats_and_class(membership, admin, admit):
    state, corporate, observer = admit(STATE, FULL), admit(CORPORATE, ASSOCIATE), admit(STATE, 0)
    first = settle()
    membership.suspend(state, {"from": admin})
    second = settle()
    stranger = fresh_address()
    # class = 1 + kind * 3 + (tier - 1); 0 for no vote
    assert plain(membership.pastSeats([state, corporate, observer, stranger], first)) == (
        1 << 8 | 3, 2 << 8 | 4, 3 << 8 | 0, 0)  # index << 8 | class
    assert plain(membership.pastSeats([state], second)) == (1 << 8,)
    assert plain(membership.pastSeat(corporate, first)) == (2, 4)
    assert membership.pastClass(state, first) == 3
    assert membership.pastClass(state, second) == 0


def test_member_at_rejects_out_of_range_index(membership, admit):
    admit(STATE, FULL)
    for index in (0, 2):
        assert_reverts_with("MemberIndexOutOfRange", membership.memberAt, index, error_args=[index])


# ------------------------------------------------------------------ roles


def test_admin_role_handover(membership, admin, admit, outsider):
    from brownie import accounts

    new_admin = accounts[5]
    account = admit(STATE, FULL)
    membership.grantRole(ADMIN_ROLE, new_admin, {"from": admin})
    membership.renounceRole(ADMIN_ROLE, admin, {"from": admin})
    assert not membership.hasRole(ADMIN_ROLE, admin)

    assert_reverts_with(
        "AccessControlUnauthorizedAccount", membership.suspend, account, {"from": admin},
        error_args=(admin.address, ADMIN_ROLE),
    )
    assert_reverts_with(
        "AccessControlUnauthorizedAccount", membership.grantRole, ADMIN_ROLE, admin, {"from": admin},
        error_args=(admin.address, ADMIN_ROLE),
    )
    membership.suspend(account, {"from": new_admin})
    membership.admit(fresh_address(), STATE, PARTNER, "New", "NEW", {"from": new_admin})
    assert membership.memberCount() == 2


def test_admin_manages_verifiers(membership, admin, verifier, outsider):
    role = membership.VERIFIER_ROLE()
    assert membership.getRoleAdmin(role) == "0x" + "00" * 32
    membership.revokeRole(role, verifier, {"from": admin})
    assert not membership.hasRole(role, verifier)
    assert_reverts_with(
        "AccessControlUnauthorizedAccount", membership.grantRole, role, outsider, {"from": verifier},
        error_args=(verifier.address, ADMIN_ROLE),
    )
