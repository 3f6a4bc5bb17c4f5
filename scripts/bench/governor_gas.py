"""Gas per vote: a plain OpenZeppelin Governor's castVoteBySig against WaicoGovernor's signed
ballots, single and in batches of 10, 100 and 500 (or the largest batch that fits one
transaction).

    tools/env brownie run scripts/bench/governor_gas.py --network anvil

Prints the figures and writes reports/governor_gas.json. Gas is whole-transaction gas
(intrinsic + calldata + execution) divided by the number of votes in the transaction.
"""

import json
from pathlib import Path

from brownie import (
    BaselineGovernor,
    BaselineVotesToken,
    Membership,
    TimelockController,
    WaicoGovernor,
    accounts,
    chain,
    web3,
)
from eth_account import Account

BATCH_SIZES = [10, 100, 500]
TX_GAS_CAP = 16_000_000  # anvil network's per-transaction limit here (EIP-7825 caps at 2**24)
STATE, CORPORATE, FULL = 0, 1, 3
TRACKS = [(50, 2000, 5000, 60), (50, 3000, 6667, 10), (50, 4000, 6667, 120)]
REPORT = Path("reports/governor_gas.json")

DOMAIN_TYPES = [
    {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
]


def _typed(name, contract, primary, fields, message):
    return {
        "types": {"EIP712Domain": DOMAIN_TYPES, primary: fields},
        "primaryType": primary,
        "domain": {"name": name, "version": "1", "chainId": web3.eth.chain_id, "verifyingContract": contract.address},
        "message": message,
    }


def _sign(key, data) -> bytes:
    return bytes(Account.sign_typed_data(key, full_message=data).signature)


def member_ballot(governor, key, voter, pid, support=1, reason=""):
    fields = [{"name": "proposalId", "type": "uint256"}, {"name": "support", "type": "uint8"},
              {"name": "voter", "type": "address"}, {"name": "reason", "type": "string"}]
    msg = {"proposalId": pid, "support": support, "voter": voter, "reason": reason}
    return (pid, support, voter, reason, _sign(key, _typed("WAICO Governor", governor, "MemberBallot", fields, msg)))


def oz_ballot_sig(governor, key, voter, pid, nonce, support=1):
    fields = [{"name": "proposalId", "type": "uint256"}, {"name": "support", "type": "uint8"},
              {"name": "voter", "type": "address"}, {"name": "nonce", "type": "uint256"}]
    msg = {"proposalId": pid, "support": support, "voter": voter, "nonce": nonce}
    return _sign(key, _typed("Baseline Governor", governor, "Ballot", fields, msg))


def send_all(sender, contract, calls):
    """Sends many transactions through plain web3 (fast), waits for the last."""
    tx_hash = None
    for fn, args in calls:
        data = getattr(contract, fn).encode_input(*args)
        tx_hash = web3.eth.send_transaction({"from": sender.address, "to": contract.address, "data": data,
                                             "gas": 1_000_000})
    if tx_hash is not None:
        assert web3.eth.wait_for_transaction_receipt(tx_hash).status == 1


def _transact(sender, contract, data):
    """Sends one transaction through plain web3 and returns its receipt."""
    tx_hash = web3.eth.send_transaction({"from": sender.address, "to": contract.address, "data": data,
                                         "gas": TX_GAS_CAP})
    receipt = web3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt.status == 1, receipt
    return receipt


def propose(governor, sender, tag):
    action = ([sender.address], [0], [b""])  # a no-op call; never executed
    tx = governor.propose(*action, f"gas benchmark {tag}", {"from": sender})
    pid = tx.return_value
    chain.mine(governor.votingDelay() + 1)
    return pid


def main():
    admin = accounts[0]
    n_members = max(BATCH_SIZES) + 4
    keys = [Account.from_key((0xB000 + i).to_bytes(32, "big")) for i in range(n_members)]

    # ---- baseline: plain OZ Governor over ERC20Votes
    token = BaselineVotesToken.deploy({"from": admin})
    baseline = BaselineGovernor.deploy(token, {"from": admin})
    send_all(admin, token, [("mintAndDelegate", (k.address, 10**18)) for k in keys[:4]])
    chain.mine()
    b1, b2 = propose(baseline, admin, "baseline 1"), propose(baseline, admin, "baseline 2")
    warm = keys[3]  # a first vote on each proposal so measured votes do not pay for a fresh tally slot
    for i, pid in enumerate((b1, b2)):
        baseline.castVoteBySig(pid, 1, warm.address, oz_ballot_sig(baseline, warm.key, warm.address, pid, i), {"from": admin})
    first = baseline.castVoteBySig(b1, 1, keys[0].address, oz_ballot_sig(baseline, keys[0].key, keys[0].address, b1, 0), {"from": admin})
    repeat = baseline.castVoteBySig(b2, 1, keys[0].address, oz_ballot_sig(baseline, keys[0].key, keys[0].address, b2, 1), {"from": admin})
    base_first, base_repeat = first.gas_used, repeat.gas_used

    # ---- WaicoGovernor over Membership: members with dense indices 1..n, mostly states
    membership = Membership.deploy(admin, 250, [100, 400, 1000], 2000, {"from": admin})
    timelock = TimelockController.deploy(10, [], [], admin, {"from": admin})
    governor = WaicoGovernor.deploy(membership, timelock, 1, TRACKS, admin, 0, [], {"from": admin})
    send_all(admin, membership, [
        ("admit", (k.address, CORPORATE if i % 10 == 9 else STATE, 1 + i % 3, f"Member {i}", f"M{i:04d}"))
        for i, k in enumerate(keys)])
    chain.mine()

    results = {"baseline_castVoteBySig": {"first_vote_of_voter": base_first, "repeat_voter": base_repeat}}

    pid = propose(governor, admin, "single")
    w = keys[-1]
    governor.castMemberBallot(*member_ballot(governor, w.key, w.address, pid), {"from": admin})  # warm the tally
    single = governor.castMemberBallot(*member_ballot(governor, keys[0].key, keys[0].address, pid), {"from": admin})
    results["waico_castMemberBallot"] = {"gas_per_vote": single.gas_used}

    results["waico_castMemberBallots"] = {}
    for size in BATCH_SIZES:
        pid = propose(governor, admin, f"batch {size}")
        ballots = [member_ballot(governor, k.key, k.address, pid) for k in keys[:size]]  # sorted by index
        fits = size
        data = governor.castMemberBallots.encode_input(ballots)
        estimate = web3.eth.estimate_gas({"from": admin.address, "to": governor.address, "data": data})
        if estimate > TX_GAS_CAP:
            lo, hi = 1, size  # largest prefix that fits
            while lo < hi:
                mid = (lo + hi + 1) // 2
                d = governor.castMemberBallots.encode_input(ballots[:mid])
                if web3.eth.estimate_gas({"from": admin.address, "to": governor.address, "data": d}) <= TX_GAS_CAP:
                    lo = mid
                else:
                    hi = mid - 1
            fits = lo
            print(f"batch of {size}: needs ~{estimate} gas, over the {TX_GAS_CAP} cap; largest that fits: {fits}")
        receipt = _transact(admin, governor, governor.castMemberBallots.encode_input(ballots[:fits]))
        vote_cast = web3.keccak(text="VoteCast(address,uint256,uint8,uint256,string)")
        assert sum(1 for log in receipt.logs if log.topics[0] == vote_cast) == fits
        results["waico_castMemberBallots"][str(size)] = {
            "ballots": fits, "tx_gas": receipt.gasUsed, "gas_per_vote": receipt.gasUsed // fits, "fits": fits == size,
            **({"estimate_for_full_batch": estimate} if fits != size else {}),
        }

    print()
    print(f"{'':40}{'gas/vote':>10}{'vs OZ repeat':>14}{'vs OZ first':>13}")
    rows = [("OZ castVoteBySig, first vote of voter", base_first),
            ("OZ castVoteBySig, repeat voter", base_repeat),
            ("castMemberBallot (single)", single.gas_used)]
    rows += [(f"castMemberBallots x{r['ballots']}", r["gas_per_vote"]) for r in results["waico_castMemberBallots"].values()]
    for label, gas in rows:
        print(f"{label:40}{gas:>10}{gas / base_repeat:>14.2f}{gas / base_first:>13.2f}")
    for r in results["waico_castMemberBallots"].values():
        r["ratio_to_oz_repeat"] = round(r["gas_per_vote"] / base_repeat, 3)
        r["ratio_to_oz_first"] = round(r["gas_per_vote"] / base_first, 3)
    results["waico_castMemberBallot"]["ratio_to_oz_repeat"] = round(single.gas_used / base_repeat, 3)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten {REPORT}")
