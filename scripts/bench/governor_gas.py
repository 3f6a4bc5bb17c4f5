"""Gas per vote: a plain OpenZeppelin Governor's castVoteBySig against WaicoGovernor's signed
ballots: single, in packed batches of 10, 100 and 500 for one proposal (or the largest batch
that fits one transaction), the real mix, and the demo's own batches.

    tools/env brownie run scripts/bench/governor_gas.py --network anvil

The real mix: four concurrent proposals, every member's ballot on each arriving in random order,
reasons of 0-80 characters (about 40 on average), relayed by the `ledger` relayer each time 50
have arrived (it groups each batch by proposal and sorts it by member index). The demo's
batches: `waico demo`'s chain (its own anvil), whole-transaction gas of its relayed batches
divided by their VoteCast events.

Prints the figures and writes reports/governor_gas.json. Gas is whole-transaction gas
(intrinsic + calldata + execution) divided by the number of votes in the transaction.
"""

import json
import os
import random
import signal
import tempfile
from pathlib import Path

from brownie import (BaselineGovernor, BaselineVotesToken, MemberBallots, Membership, TimelockController,
                     WaicoGovernor, accounts, chain, web3)
from eth_account import Account

from ledger.chain.anvil import dev_private_key
from ledger.chain.transactions import Signer
from ledger.org import ballots as ledger_ballots
from ledger.org.governance import relay

BATCH_SIZES = [10, 100, 500]
TX_GAS_CAP = 16_000_000  # anvil network's per-transaction limit here (EIP-7825 caps at 2**24)
STATE, CORPORATE, FULL = 0, 1, 3
TRACKS = [(50, 2500, 5000, 60), (50, 3000, 6667, 10), (50, 4000, 6667, 120)]
MIX_PROPOSALS, MIX_BATCH, MIX_SEED = 4, 50, 12
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
    """A ledger SignedBallot (what a member's wallet signs: the EIP-712 MemberBallot)."""
    b = ledger_ballots.Ballot(web3.eth.chain_id, governor.address, pid, ledger_ballots.Support(support), voter, reason)
    return ledger_ballots.sign(b, key)


def packed(ballots):
    """castMemberBallots calldata for ballots of one proposal, in the order given."""
    return ledger_ballots.pack_batch([(ballots[0].ballot.proposal_id, ballots)])


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


def propose(governor, sender, tag, action=None):
    """A proposal through plain web3 (brownie lost track of transactions after the bulk
    admissions sent through web3); its id from hashProposal."""
    targets, values, datas = action or ([sender.address], [0], [b""])  # never executed
    description = f"gas benchmark {tag}"
    _transact(sender, governor, governor.propose.encode_input(targets, values, datas, description))
    pid = governor.hashProposal(targets, values, datas, web3.keccak(text=description))
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
    MemberBallots.deploy({"from": admin})
    ordinary = [(membership.address, [membership.setTierName.signature])]
    governor = WaicoGovernor.deploy(membership, timelock, 1, TRACKS, admin, 0, [], ordinary, {"from": admin})
    rename = ([membership.address], [0], [membership.setTierName.encode_input(1, "x")])  # never executed
    send_all(admin, membership, [
        ("admit", (k.address, CORPORATE if i % 10 == 9 else STATE, 1 + i % 3, f"Member {i}", f"M{i:04d}"))
        for i, k in enumerate(keys)])
    chain.mine()

    results = {"baseline_castVoteBySig": {"first_vote_of_voter": base_first, "repeat_voter": base_repeat}}

    pid = propose(governor, admin, "single", rename)
    w = keys[-1]
    b = member_ballot(governor, w.key, w.address, pid)
    _transact(admin, governor, governor.castMemberBallot.encode_input(pid, 1, w.address, "", b.signature))  # warm
    b = member_ballot(governor, keys[0].key, keys[0].address, pid)
    single = _transact(admin, governor, governor.castMemberBallot.encode_input(pid, 1, keys[0].address, "", b.signature))
    single_gas = single.gasUsed
    results["waico_castMemberBallot"] = {"gas_per_vote": single_gas}

    results["waico_castMemberBallots"] = {}
    for size in BATCH_SIZES:
        pid = propose(governor, admin, f"batch {size}", rename)
        ballots = [member_ballot(governor, k.key, k.address, pid) for k in keys[:size]]  # sorted by index
        fits = size
        data = governor.castMemberBallots.encode_input(packed(ballots))
        estimate = web3.eth.estimate_gas({"from": admin.address, "to": governor.address, "data": data})
        if estimate > TX_GAS_CAP:
            lo, hi = 1, size  # largest prefix that fits
            while lo < hi:
                mid = (lo + hi + 1) // 2
                d = governor.castMemberBallots.encode_input(packed(ballots[:mid]))
                if web3.eth.estimate_gas({"from": admin.address, "to": governor.address, "data": d}) <= TX_GAS_CAP:
                    lo = mid
                else:
                    hi = mid - 1
            fits = lo
            print(f"batch of {size}: needs ~{estimate} gas, over the {TX_GAS_CAP} cap; largest that fits: {fits}")
        receipt = _transact(admin, governor, governor.castMemberBallots.encode_input(packed(ballots[:fits])))
        assert _votes_cast(receipt) == fits
        results["waico_castMemberBallots"][str(size)] = {
            "ballots": fits, "tx_gas": receipt.gasUsed, "gas_per_vote": receipt.gasUsed // fits, "fits": fits == size,
            **({"estimate_for_full_batch": estimate} if fits != size else {}),
        }

    results["real_mix"] = real_mix(governor, admin, keys[:200], rename)
    results["demo_batches"] = demo_batches()

    print()
    print(f"{'':40}{'gas/vote':>10}{'vs OZ repeat':>14}{'vs OZ first':>13}")
    rows = [("OZ castVoteBySig, first vote of voter", base_first),
            ("OZ castVoteBySig, repeat voter", base_repeat),
            ("castMemberBallot (single)", single_gas)]
    rows += [(f"castMemberBallots x{r['ballots']} (1 proposal)", r["gas_per_vote"])
             for r in results["waico_castMemberBallots"].values()]
    rows.append((f"real mix ({results['real_mix']['votes']} votes, 4 proposals)", results["real_mix"]["gas_per_vote"]))
    rows.append((f"demo's batches ({results['demo_batches']['votes']} votes)", results["demo_batches"]["gas_per_vote"]))
    for label, gas in rows:
        print(f"{label:40}{gas:>10}{gas / base_repeat:>14.2f}{gas / base_first:>13.2f}")
    for r in results["waico_castMemberBallots"].values():
        r["ratio_to_oz_repeat"] = round(r["gas_per_vote"] / base_repeat, 3)
        r["ratio_to_oz_first"] = round(r["gas_per_vote"] / base_first, 3)
    results["waico_castMemberBallot"]["ratio_to_oz_repeat"] = round(single_gas / base_repeat, 3)
    results["waico_castMemberBallot"]["ratio_to_oz_first"] = round(single_gas / base_first, 3)
    print("demo batches, gas per vote each:", results["demo_batches"]["per_batch"])
    print("real-mix batches, gas per vote min/max:", results["real_mix"]["min_batch"], results["real_mix"]["max_batch"])
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten {REPORT}")


def _votes_cast(receipt) -> int:
    topic = web3.keccak(text="VoteCast(address,uint256,uint8,uint256,string)")
    return sum(1 for log in receipt.logs if log.topics[0] == topic)


def real_mix(governor, admin, members, action):
    """Four concurrent proposals; every member's ballot on each, in random order, reasons of
    0-80 characters; the ledger relayer flushes each 50 arrivals."""
    rng = random.Random(MIX_SEED)
    pids = [propose(governor, admin, f"mix {p}", action) for p in range(MIX_PROPOSALS)]
    words = "we support this measure with reservations about timing and the budget".split()
    arrivals = []
    for k in members:
        for pid in pids:
            reason = " ".join(rng.choice(words) for _ in range(20))[:rng.randint(0, 80)]
            arrivals.append(member_ballot(governor, k.key, k.address, pid, rng.choice((0, 1, 1, 1, 2)), reason))
    rng.shuffle(arrivals)
    signer = Signer(web3, dev_private_key(0))
    contract = web3.eth.contract(address=governor.address, abi=governor.abi)
    tx_hashes = set()
    for i in range(0, len(arrivals), MIX_BATCH):
        outcomes = relay(signer, contract, arrivals[i:i + MIX_BATCH], MIX_BATCH)
        assert all(o.counted for o in outcomes), [o.skip_reason for o in outcomes if not o.counted][:3]
        tx_hashes |= {o.tx_hash for o in outcomes}
    receipts = [web3.eth.get_transaction_receipt(h) for h in tx_hashes]
    gas, votes = sum(r.gasUsed for r in receipts), sum(_votes_cast(r) for r in receipts)
    per = [r.gasUsed // _votes_cast(r) for r in receipts]
    reasons = [len(b.ballot.reason) for b in arrivals]
    return {"votes": votes, "transactions": len(receipts), "gas": gas, "gas_per_vote": gas // votes,
            "min_batch": min(per), "max_batch": max(per), "mean_reason_chars": round(sum(reasons) / len(reasons), 1)}


def demo_batches():
    """`waico demo` on its own anvil: whole-transaction gas of its relayed batches per VoteCast."""
    from ledger.app import demo
    from ledger.chain.node import connect

    with tempfile.TemporaryDirectory() as tmp:
        result = demo.run(Path(tmp), keep_chain=True)
        try:
            w3 = connect(result.rpc_url)
            manifest = json.loads(result.manifest_path.read_text())
            governor = manifest["contracts"]["WaicoGovernor"]["address"].lower()
            selector = "0x" + web3.keccak(text="castMemberBallots(bytes)").hex().removeprefix("0x")[:8]
            per, gas, votes = [], 0, 0
            for n in range(w3.eth.block_number + 1):
                for tx in w3.eth.get_block(n, full_transactions=True)["transactions"]:
                    data = tx["input"].hex() if hasattr(tx["input"], "hex") else tx["input"]
                    if (tx.get("to") or "").lower() == governor and ("0x" + data.removeprefix("0x"))[:10] == selector:
                        r = w3.eth.get_transaction_receipt(tx["hash"])
                        topic = w3.keccak(text="VoteCast(address,uint256,uint8,uint256,string)")
                        v = sum(1 for log in r["logs"] if log["topics"][0] == topic)
                        per.append(r["gasUsed"] // v)
                        gas, votes = gas + r["gasUsed"], votes + v
        finally:
            if result.chain_pid:
                os.kill(result.chain_pid, signal.SIGTERM)
    return {"votes": votes, "transactions": len(per), "gas_per_vote": gas // votes, "per_batch": per}
