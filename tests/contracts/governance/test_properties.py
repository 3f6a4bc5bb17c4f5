"""Property: whatever mix of ballots is relayed, in however many batches, each member counts at
most once and the tallies are exactly the sum of the weights that were counted."""

from brownie.test import given
from eth_account import Account
from hypothesis import settings
from hypothesis import strategies as st

from tests.contracts.governance.conftest import (
    cast_batch,
    SKIP_ALREADY_VOTED, SKIP_BAD_SIGNATURE, SKIP_BAD_SUPPORT, SKIP_NOT_MEMBER, Signer, ballot, counted, ints,
    reverts_with, skipped,
)

OUTSIDER = Account.from_key(b"\x77" * 32)
FORGER = Account.from_key(b"\x78" * 32)

# (who: 0..7 a member signer, 8 an outsider; support: 0..3, 3 invalid; genuine signature?)
ballots = st.tuples(st.integers(0, 8), st.integers(0, 3), st.booleans())


@settings(max_examples=15)
@given(batches=st.lists(st.lists(ballots, min_size=1, max_size=10), min_size=1, max_size=3))
def test_tally_is_the_sum_of_counted_weights_and_nobody_counts_twice(governor, membership, life, signers, relayer, batches):
    people = [*signers, Signer(OUTSIDER.address, OUTSIDER.key)]
    pid = life.propose()
    life.activate(pid)
    snapshot = governor.proposalSnapshot(pid)
    weight = {p.address: membership.getPastVotes(p.address, snapshot) for p in people}
    is_state = {p.address: i < 6 for i, p in enumerate(people)}

    voted, totals, heads, all_counted = set(), [0, 0, 0], [0, 0], []
    for batch in batches:
        txs, expected_counted, expected_skipped = [], [], []
        for who, support, genuine in batch:
            p = people[who]
            signer = p if genuine else Signer(p.address, FORGER.key)
            txs.append(ballot(signer, governor, pid, support, voter=p.address))
            # The contract's order: cheap checks first, the signature last.
            if support > 2:
                expected_skipped.append((p.address, SKIP_BAD_SUPPORT))
            elif weight[p.address] == 0:
                expected_skipped.append((p.address, SKIP_NOT_MEMBER))
            elif p.address in voted:
                expected_skipped.append((p.address, SKIP_ALREADY_VOTED))
            elif not genuine:
                expected_skipped.append((p.address, SKIP_BAD_SIGNATURE))
            else:
                voted.add(p.address)
                expected_counted.append((p.address, support, weight[p.address]))
                totals[support] += weight[p.address]
                if is_state[p.address] and support < 2:
                    heads[1 - support] += 1
        if not expected_counted:
            with reverts_with("GovernorNoValidBallot"):
                cast_batch(governor, txs, {"from": relayer})
            continue
        tx = cast_batch(governor, txs, {"from": relayer})
        assert tx.return_value == len(expected_counted)
        assert counted(tx) == expected_counted
        assert skipped(tx) == expected_skipped
        all_counted += counted(tx)

    assert ints(governor.proposalVotes(pid)) == tuple(totals)  # (against, for, abstain)
    assert sum(totals) == sum(w for _, _, w in all_counted)
    assert ints(governor.proposalStateVotes(pid)) == tuple(heads)
    voters = [v for v, _, _ in all_counted]
    assert len(voters) == len(set(voters))
    for p in people:
        assert governor.hasVoted(pid, p.address) == (p.address in voted)
