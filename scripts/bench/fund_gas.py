"""Gas of one disbursement round over 25, 100 and 193 members, against the EIP-7825 cap; and
the same 193 scored members among 2,000 admitted (a round visits scored members only).

    tools/env brownie run scripts/bench/fund_gas.py --network anvil

Each size gets a fresh Membership, tUSD and fund; members are fresh addresses (they need no
ETH to receive tokens), so every payout is a first transfer to an empty balance: the dearest
case. Three score profiles: `groups` (four income groups, cap 5%, a floor) and `skewed`
(quadratic scores, cap 2x the even share, cascading caps). Writes reports/fund_gas.json.
"""

import json
import re
from pathlib import Path

from brownie import EquityFund, Membership, TestStablecoin, accounts, chain, web3
from brownie.exceptions import TransactionError

EIP7825_CAP = 2**24  # 16,777,216 gas per transaction
SIZES = (25, 100, 193)
USD = 10**6
BUDGET = 1_000_000 * USD
STATE, FULL = 0, 3


def profiles(n: int) -> dict[str, tuple[list[int], int, int]]:
    """Score profile name -> (scores, capBps, floor)."""
    return {
        "groups": ([1 + i % 4 for i in range(n)], 500, 1_000 * USD),
        "skewed": ([1 + i * i for i in range(n)], min(10_000, 2 * 10_000 // n), 0),
        # geometric scores, cap just above the even share: many water-filling passes (27 at 193)
        "cascade": ([int(1.5**i) for i in range(n)], 10_000 // n + 1, 0),
    }


ADMITTED = 2_000  # the case of many admitted members without a score


def deploy(admin, n: int, scores: list[int], unscored: int = 0):
    membership = deploy_contract(Membership, admin, 250, [100, 400, 1000], 2000, {"from": admin})
    token = deploy_contract(TestStablecoin, admin, {"from": admin})
    fund = deploy_contract(EquityFund, token, membership, admin, 30 * 86_400, 2**255, {"from": admin})
    members = [accounts.add().address for _ in range(n)]
    for i, member in enumerate(members):
        send(membership.admit, member, STATE, FULL, f"State {i}", f"S{i:03d}", {"from": admin})
    last = None
    for i in range(unscored):  # plain web3: brownie's per-transaction bookkeeping is slow
        data = membership.admit.encode_input(accounts.add().address, STATE, FULL, f"Unscored {i}", f"U{i:05d}")
        last = web3.eth.send_transaction({"from": admin.address, "to": membership.address, "data": data,
                                          "gas": 500_000})
    if last is not None:
        assert web3.eth.wait_for_transaction_receipt(last).status == 1
    tx = send(fund.setNeedScores, members, scores, "0x" + "00" * 32, "bench", {"from": admin})
    send(token.mint, admin, BUDGET, {"from": admin})
    send(token.approve, fund, BUDGET, {"from": admin})
    send(fund.contribute, BUDGET, {"from": admin})
    return fund, tx.gas_used


def deploy_contract(container, *args):
    tx_or_contract = send(container.deploy, *args)
    if hasattr(tx_or_contract, "contract_address"):
        return container.at(tx_or_contract.contract_address)
    return tx_or_contract


def send(method, *args):
    """Send a transaction; brownie 1.22 now and then reports a mined transaction on anvil as
    dropped, so fall back to the node's receipt."""
    try:
        return method(*args)
    except TransactionError as exc:
        match = re.search(r"0x[0-9a-fA-F]{64}", str(exc))
        if not match or "dropped" not in str(exc):
            raise
        web3.eth.wait_for_transaction_receipt(match.group())
        tx = chain.get_transaction(match.group())
        assert tx.status == 1, f"{method} reverted"
        return tx


def measure(admin, n: int, profile: str, scores: list[int], cap_bps: int, floor: int, unscored: int = 0) -> dict:
    fund, scores_gas = deploy(admin, n, scores, unscored)
    send(fund.setRoundRules, cap_bps, floor, {"from": admin})
    preview_gas = fund.preview.estimate_gas(BUDGET, {"from": admin})
    tx = send(fund.disburse, BUDGET, {"from": admin, "gas_limit": EIP7825_CAP})
    recipients = tx.events["RoundExecuted"][0]["recipients"]
    return {
        "members": n,
        "admitted": n + unscored,
        "profile": profile,
        "cap_bps": cap_bps,
        "floor": floor,
        "recipients": recipients,
        "gas_used": tx.gas_used,
        "gas_per_recipient": tx.gas_used // recipients,
        "fits_eip7825": tx.gas_used <= EIP7825_CAP,
        "headroom": EIP7825_CAP - tx.gas_used,
        "preview_gas": preview_gas,
        "set_need_scores_gas": scores_gas,
    }


def main():
    admin = accounts[0]
    rows = []
    for n in SIZES:
        for profile, (scores, cap_bps, floor) in profiles(n).items():
            row = measure(admin, n, profile, scores, cap_bps, floor)
            rows.append(row)
            print(
                f"{n:4d} members {profile:8s} round {row['gas_used']:>10,} gas "
                f"({row['gas_per_recipient']:,}/recipient) "
                f"fits EIP-7825: {'yes' if row['fits_eip7825'] else 'NO'} "
                f"| preview {row['preview_gas']:,} | setNeedScores {row['set_need_scores_gas']:,}"
            )
    scores, cap_bps, floor = profiles(193)["groups"]
    row = measure(admin, 193, "groups", scores, cap_bps, floor, unscored=ADMITTED - 193)
    rows.append(row)
    print(f"{row['admitted']:,} admitted, 193 scored, groups: round {row['gas_used']:>10,} gas "
          f"fits EIP-7825: {'yes' if row['fits_eip7825'] else 'NO'}")
    out = Path("reports/fund_gas.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"eip7825_cap": EIP7825_CAP, "rounds": rows}, indent=2) + "\n")
    print(f"wrote {out}")
