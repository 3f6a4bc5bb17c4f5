"""A round iterates over the members that hold a need score, not over everyone ever admitted
(issue "Governance hardening", finding 7: each unscored account cost a round ~5.8k gas, and
around 2,850 admitted accounts a round no longer fitted one transaction)."""

from brownie import web3

from tests.contracts.conftest import FULL, STATE, fresh_address
from tests.contracts.fund.conftest import USD, payouts


def admit_many(membership, admin, n, tag):
    for i in range(n):  # plain web3: brownie's per-transaction bookkeeping is slow
        data = membership.admit.encode_input(fresh_address(), STATE, FULL, f"{tag} {i}", f"{tag}{i:05d}")
        tx = web3.eth.send_transaction({"from": admin.address, "to": membership.address, "data": data,
                                        "gas": 500_000})
    web3.eth.wait_for_transaction_receipt(tx)


def test_unscored_members_do_not_make_a_round_dearer(fund, membership, admin, funded, scored):
    funded(10_000 * USD)
    members = scored([1, 2, 3, 4, 5])
    first = fund.disburse(100 * USD, {"from": admin})
    admit_many(membership, admin, 300, "UNSCORED")
    second = fund.disburse(100 * USD, {"from": admin})
    assert payouts(second) == [(m, a, True) for m, a, _ in payouts(first)]
    assert [m for m, _, _ in payouts(second)] == members
    # 300 more admitted accounts cost a round (almost) nothing: a bitmap word per 256 indices.
    assert second.gas_used - first.gas_used < 300 * 50


def test_scores_set_to_zero_leave_the_round_and_order_is_by_member_index(fund, membership, admin, funded, scored):
    funded(10_000 * USD)
    a, b, c = scored([1, 1, 1])
    fund.setNeedScores([c, a], [2, 0], "0x" + "00" * 32, "", {"from": admin})
    fund.setNeedScores([a], [3], "0x" + "00" * 32, "", {"from": admin})
    members, scores, _, total = fund.preview(60 * USD)
    assert list(members) == [a, b, c] and list(scores) == [3, 1, 2] and total == 6
    fund.setNeedScores([b], [0], "0x" + "00" * 32, "", {"from": admin})
    assert list(fund.preview(60 * USD)[0]) == [a, c]
