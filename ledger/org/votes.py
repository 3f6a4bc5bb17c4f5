"""The votes counted on a proposal, as the governor's VoteCast logs record them.

A vote is counted once (`VoteCast`, or `VoteCastWithParams` for a relayed member ballot or a
vote with params); a ballot that was not counted leaves a `BallotSkipped` log instead and is
not listed here. The reason is anyone's text: print it escaped (`ledger.chain.text`).
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

SUPPORT_NAMES = ("against", "for", "abstain")  # GovernorCountingSimple's VoteType, in order


@dataclass(frozen=True)
class CountedVote:
    voter: str
    support: int
    weight: int
    reason: str
    block: int
    log_index: int

    @property
    def support_name(self) -> str:
        return SUPPORT_NAMES[self.support] if 0 <= self.support < len(SUPPORT_NAMES) else str(self.support)


def read_votes(governor, from_block: int, proposal_id: int) -> list[CountedVote]:
    """The votes counted on `proposal_id` since `from_block`, in chain order."""
    votes = []
    for event in ("VoteCast", "VoteCastWithParams"):
        for log in getattr(governor.events, event)().get_logs(from_block=from_block):
            a = log["args"]
            if a["proposalId"] == proposal_id:
                votes.append(CountedVote(Web3.to_checksum_address(a["voter"]), a["support"], a["weight"],
                                         a["reason"], log["blockNumber"], log["logIndex"]))
    return sorted(votes, key=lambda v: (v.block, v.log_index))
