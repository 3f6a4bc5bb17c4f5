"""CSV exports for spreadsheets: a proposal's votes, a round's payouts, the member roster.

The rows are those the CLI shows (`waico proposal votes N`, `waico fund round N`, `waico
member list`), read from the chain, in the same order, with the same values as their --json
output. Cells are written by the csv module, so a name with a comma, a quote or a line break
reads back as it was. Names and reasons are anyone's text, so two more rules:

- a cell a spreadsheet would take for a formula — starting with `=`, `+`, `-`, `@`, a tab or
  a carriage return — is prefixed with `'` (OWASP's rule against CSV injection); numbers are
  written as numbers and never start so;
- control characters other than tab and line feed are escaped as in the CLI's text
  (`ledger.chain.text.printable`), so that printing the CSV cannot drive a terminal.

Token amounts are plain decimal text in token units (`1234.5`, no thousands separator, so a
spreadsheet reads a number), beside the exact raw units.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Sequence

from ledger.chain.text import printable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str | int:
    """One CSV cell: an int as it is, text escaped and defused."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        text = "'" + text
    return printable(text, inline=False)


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """The rows under `header`, as CSV text (RFC 4180: CRLF line ends, quotes doubled)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def token_units(units: int, decimals: int) -> str:
    """`units` of a token with `decimals` as plain decimal text: 1234500000 at 6 -> '1234.5'."""
    whole, frac = divmod(units, 10**decimals)
    return str(whole) + (f".{frac:0{decimals}d}".rstrip("0") if frac else "")


# --- the three exports: header, and one JSON object per row (the CSV's row is its values) ----

VOTE_COLUMNS = ("proposal", "member", "identifier", "kind", "support", "weight", "reason", "voter")


def vote_rows(number: int, votes, members) -> list[dict]:
    """A proposal's counted votes (`ledger.org.votes.read_votes`) with each voter's name."""
    by_address = {m.address: m for m in members}
    rows = []
    for v in votes:
        m = by_address.get(v.voter)
        rows.append({"proposal": number, "member": m.name if m else "", "identifier": m.identifier if m else "",
                     "kind": m.kind.name if m else "", "support": v.support_name, "weight": v.weight,
                     "reason": v.reason, "voter": v.voter})
    return rows


PAYOUT_COLUMNS = ("round", "member", "identifier", "amount", "amount_units", "paid_as", "score", "account")


def payout_rows(payouts, members, decimals: int) -> list[dict]:
    """A round's payouts (`ledger.org.payouts.read_payouts`) with each member's name."""
    by_address = {m.address: m for m in members}
    rows = []
    for p in payouts:
        m = by_address.get(p.member)
        rows.append({"round": p.round_id, "member": m.name if m else "", "identifier": m.identifier if m else "",
                     "amount": token_units(p.amount, decimals), "amount_units": p.amount,
                     "paid_as": "pushed" if p.pushed else "claimable", "score": p.score, "account": p.member})
    return rows


ROSTER_COLUMNS = ("index", "name", "identifier", "kind", "tier", "status", "weight", "address")


def roster_rows(members) -> list[dict]:
    """Every member (`ledger.org.membership.read_members`), in admission order."""
    return [{"index": m.index, "name": m.name, "identifier": m.identifier, "kind": m.kind.name, "tier": m.tier_name,
             "status": m.status.name, "weight": m.weight, "address": m.address} for m in members]


def rows_csv(columns: Sequence[str], rows: list[dict]) -> str:
    return to_csv(columns, ([r[c] for c in columns] for r in rows))
