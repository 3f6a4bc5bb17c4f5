"""The audit: the mirror against the chain, and what the chain did against its own rules.

`audit(w3, manifest, db)` opens the mirror read-only (`ledger.mirror.read`: one snapshot,
refused if missing, never synced or of another schema version), reads the chain's logs of
the mirrored blocks once and decodes them itself (`events`), then runs each check of
`ledger.audit.checks` — mirror = chain, typed tables, tallies, signatures, payouts, fund,
the observer's views, sharing —
and returns their findings in an `AuditReport` (`report`).

Chain reads are made at the mirror's last block (`chain.ChainReader`), so a chain that moved
on since the last sync does not look like a mismatch; the report says how far behind the
mirror is, as a notice: blocks the mirror does not have are not audited, and that is not a
finding.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from web3 import Web3

from ledger.chain.manifest import Manifest
from ledger.mirror.read import open_mirror

from .chain import ChainReader
from .checks import fund, payouts, raw_events, sharing, signatures, tallies, typed_tables, views
from .events import EventReader
from .report import AuditReport, CheckResult, Finding

__all__ = ["AuditReport", "CheckResult", "Finding", "audit"]


def audit(w3: Web3, manifest: Manifest, db_url: str | Path,
          progress: Callable[[str], None] = lambda _: None) -> AuditReport:
    """Run every check of the mirror at `db_url` (a SQLite path or SQLAlchemy URL) against the chain."""
    started = time.monotonic()
    manifest.check_chain(w3)
    with open_mirror(db_url, manifest) as mirror:
        first = min(c.block for c in manifest.contracts.values())
        last = mirror.cursor.block
        logs = mirror.logs()
        progress(f"read {len(logs)} mirrored events, blocks {first}..{last}")
        reader = ChainReader(w3, manifest, last)
        decoder = EventReader(manifest)
        events = [decoder.decode(log) for log in reader.logs(first, last)]
        head = reader.head()
        checks = []
        for name, run in (
            (raw_events.NAME, lambda: raw_events.check(mirror, logs, events, reader, first)),
            (typed_tables.NAME, lambda: typed_tables.check(mirror, events)),
            (tallies.NAME, lambda: tallies.check(mirror, reader)),
            (signatures.NAME, lambda: signatures.check(mirror, reader, w3, manifest)),
            (payouts.NAME, lambda: payouts.check(mirror)),
            (fund.NAME, lambda: fund.check(mirror, reader)),
            (views.NAME, lambda: views.check(mirror, reader)),
            (sharing.NAME, lambda: sharing.check(mirror, events, reader)),
        ):
            progress(f"checking {name}")
            try:
                checks.append(run())
            except (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError) as exc:
                # mirrored values too mangled to use (the mirror and typed checks name the rows):
                # a finding, not a crash
                failed = CheckResult(name, name)
                failed.find("check", f"could not run on this mirror: {type(exc).__name__}: {exc}")
                checks.append(failed)
    notices = []
    if head > last:
        notices.append(f"mirror at block {last}, chain at {head}: run `waico index` "
                       f"(blocks {last + 1}..{head} are not audited)")
    return AuditReport(manifest.chain_id, first, last, len(logs), checks, time.monotonic() - started, head, notices)
