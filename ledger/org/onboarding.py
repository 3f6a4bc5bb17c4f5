"""Onboarding: admit a roster of members and record their need scores, in one pipelined run.

Used by the demo and by the secretariat's `scripts/onboard.py`. While the deployer still holds
the admin roles (before `deploy.hand_over`), it admits directly; afterwards admission is a
governance decision and goes through a proposal on the Constitutional track.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ledger.chain.manifest import Manifest
from ledger.chain.transactions import Signer

from .deploy import send_all
from .governance import Action, Track, propose
from .membership import RosterEntry, admit_calls

ADMIN_ROLE = b"\x00" * 32


def can_admit_directly(w3, manifest: Manifest, account: str) -> bool:
    return manifest.contract(w3, "Membership").functions.hasRole(ADMIN_ROLE, account).call()


def onboarding_calls(w3, manifest: Manifest, roster: list[RosterEntry], addresses: list[str],
                     roster_path: Path) -> list:
    """The admit calls and one need-score call (scores tagged with the roster file's hash)."""
    membership = manifest.contract(w3, "Membership")
    fund = manifest.contract(w3, "EquityFund")
    calls = admit_calls(membership, roster, addresses)
    scored = [(a, e.need_score) for a, e in zip(addresses, roster) if e.need_score > 0]
    if scored:
        source = hashlib.sha256(Path(roster_path).read_bytes()).digest()
        calls.append(fund.functions.setNeedScores([a for a, _ in scored], [s for _, s in scored], source,
                                                  f"file:{Path(roster_path).name}"))
    return calls


def onboard(w3, signer: Signer, manifest: Manifest, roster: list[RosterEntry], addresses: list[str],
            roster_path: Path) -> int | None:
    """Admit directly if `signer` is still admin (returns None), else propose it (returns the proposal id)."""
    calls = onboarding_calls(w3, manifest, roster, addresses, roster_path)
    if can_admit_directly(w3, manifest, signer.address):
        send_all(signer, [(c, "onboarding") for c in calls])
        return None
    actions = [Action(c.address, 0, bytes.fromhex(c._encode_transaction_data()[2:])) for c in calls]
    names = ", ".join(e.name for e in roster[:5]) + (f" and {len(roster) - 5} more" if len(roster) > 5 else "")
    # Admission is constitutional (the electorate): the Ordinary track would refuse it.
    return propose(signer, manifest.contract(w3, "WaicoGovernor"), Track.Constitutional, actions,
                   f"# Admit {len(roster)} members: {names}\n\nRoster: {Path(roster_path).name}")
