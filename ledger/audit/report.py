"""The audit's report: what each check looked at, what it found, and what the audit did not cover.

As JSON (`AuditReport.to_json`, printed by `waico audit --json` and kept in the demo's summary):

    {"ok": false, "chainId": 31337, "blocks": [first, last], "events": 412, "seconds": 0.8,
     "chainHead": 357, "behind": 64, "notices": ["mirror at block 293, chain at 357: ..."],
     "checks": [{"name": "typed", "title": "...", "ok": false, "checked": {"rows": 412},
                 "findings": [{"check": "typed", "subject": "block 120 log 3",
                               "detail": "vote.weight: the mirror has 1300, the chain's log gives 650",
                               "table": "vote", "block": 120, "logIndex": 3, "field": "weight",
                               "mirror": 1300, "chain": 650}]}]}

A finding about one row of a table (the mirror = chain and typed-table checks) carries
`table`, `block`, `logIndex`, `field` and both values in full; so does a row that breaks a rule
of the sharing platform (`mirror`: the row's value, `chain`: the one the rules give); other
findings name their subject (a proposal, a round, the fund, a member) in `subject` and say what
is wrong in `detail`.
A notice is not a finding: it says what the audit left out (the blocks a mirror behind the
chain does not have yet) and does not make the report fail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


def where(block: int, log_index: int | None = None) -> str:
    """A log's position (or a block) as subjects name it."""
    return f"block {block}" if log_index is None else f"block {block} log {log_index}"


def shown(value: Any) -> str:
    """A value in full, as findings print it: JSON (strings quoted, None as null)."""
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


@dataclass(frozen=True)
class Finding:
    """One mismatch: which check, about what (a log position, a proposal, a round...), and how;
    for a row of a table, which table, row and field, and both values."""

    check: str
    subject: str
    detail: str
    table: str | None = None
    block: int | None = None
    log_index: int | None = None
    field: str | None = None
    mirror: Any = None
    chain: Any = None

    def to_json(self) -> dict:
        out = {"check": self.check, "subject": self.subject, "detail": self.detail}
        if self.table is not None:
            out.update(table=self.table, block=self.block, logIndex=self.log_index)
        if self.field is not None:
            out.update(field=self.field, mirror=self.mirror, chain=self.chain)
        return out


@dataclass
class CheckResult:
    name: str
    title: str
    checked: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        self.checked[what] = self.checked.get(what, 0) + n

    def find(self, subject: str, detail: str) -> None:
        self.findings.append(Finding(self.name, subject, detail))

    def find_row(self, table: str, position: tuple[int, int], detail: str) -> None:
        """A row missing, extra or unreadable: `detail` says which."""
        self.findings.append(Finding(self.name, where(*position), f"{table}: {detail}", table, *position))

    def find_field(self, table: str, position: tuple[int, int | None], name: str, mirror: Any, chain: Any) -> None:
        """A field of a row (of a log, or of a block: log index None) that differs from the
        chain, both values in full."""
        source = "the chain has" if position[1] is None else "the chain's log gives"
        self.findings.append(Finding(
            self.name, where(*position), f"{table}.{name}: the mirror has {shown(mirror)}, {source} {shown(chain)}",
            table, *position, name, mirror, chain))

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict:
        return {"name": self.name, "title": self.title, "ok": self.ok, "checked": self.checked,
                "findings": [f.to_json() for f in self.findings]}


@dataclass
class AuditReport:
    chain_id: int
    first_block: int
    last_block: int     # the mirror's last block: the audit covers first_block..last_block
    events: int
    checks: list[CheckResult]
    seconds: float = 0.0
    chain_head: int | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.findings]

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def behind(self) -> int:
        """Blocks the chain has beyond the mirror's last (not audited)."""
        return max(0, self.chain_head - self.last_block) if self.chain_head is not None else 0

    def check(self, name: str) -> CheckResult:
        return next(c for c in self.checks if c.name == name)

    def to_json(self) -> dict:
        return {"ok": self.ok, "chainId": self.chain_id, "blocks": [self.first_block, self.last_block],
                "events": self.events, "seconds": round(self.seconds, 2), "chainHead": self.chain_head,
                "behind": self.behind, "notices": self.notices, "checks": [c.to_json() for c in self.checks]}
