"""A disbursement round's payouts, as the equity fund's Payout logs record them: one per
member allocated in the round, `pushed` false when the transfer failed and the amount became
claimable (`waico fund claim`)."""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3


@dataclass(frozen=True)
class RoundPayout:
    round_id: int
    member: str
    score: int
    total_score: int
    budget: int
    amount: int
    pushed: bool


def read_payouts(fund, from_block: int, round_id: int) -> list[RoundPayout]:
    """The payouts of round `round_id` (1, 2, …), in chain order; empty for a round not executed."""
    logs = fund.events.Payout().get_logs(from_block=from_block, argument_filters={"roundId": round_id})
    logs = sorted((g for g in logs if g["args"]["roundId"] == round_id), key=lambda g: (g["blockNumber"], g["logIndex"]))
    return [RoundPayout(round_id, Web3.to_checksum_address(g["args"]["member"]), g["args"]["score"],
                        g["args"]["totalScore"], g["args"]["budget"], g["args"]["amount"], g["args"]["pushed"])
            for g in logs]
