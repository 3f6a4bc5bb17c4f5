"""The mirrored votes (the `vote` table) as the tallies and signature checks read them."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.mirror.read import MirrorReader
from ledger.mirror.typed import Vote as VoteRow
from ledger.org.governance import short_id

from ..report import where


@dataclass(frozen=True)
class Vote:
    proposal_id: int
    voter: str
    support: int
    weight: int
    reason: str
    tx_hash: str
    position: tuple[int, int]

    @property
    def where(self) -> str:
        return where(*self.position)


def mirrored_votes(mirror: MirrorReader) -> list[Vote]:
    """Every readable vote, in chain order (a row whose values its columns cannot hold — an
    altered cell — is left out: the typed-table check names it)."""
    out = []
    for r in mirror.rows(VoteRow):
        try:
            out.append(Vote(int(r.proposal_id), str(r.voter).lower(), int(r.support), int(r.weight), str(r.reason),
                            str(r.tx_hash), (r.block_number, r.log_index)))
        except (TypeError, ValueError):
            continue
    return out


def proposal(pid: int) -> str:
    """A proposal as findings name it."""
    return f"proposal {short_id(pid)}"
