"""How values are written on the pages: the twins of `SHOW` in `static/ledger.js`.

The browser's verifier re-formats what it decodes from a leaf with the same rule and compares
the result with the element's text, character for character, so each rule here has exactly
one spelling there:

    int     1,234,567            (thousands separated by commas)
    plain   1234567              (block numbers, ids)
    token   1,234.56             (units / 10**decimals, cut (not rounded) to 2 decimals)
    pct     15.00%               (basis points)
    support for | against | abstain
    bool    yes | no
"""

from __future__ import annotations


def integer(n: int) -> str:
    return f"{n:,}"


def token(units: int, decimals: int) -> str:
    if decimals <= 0:
        return f"{units:,}"
    shown = min(decimals, 2)
    whole, rest = divmod(units, 10**decimals)
    return f"{whole:,}.{rest // 10**(decimals - shown):0{shown}d}"


def pct(bps: int) -> str:
    return f"{bps // 100}.{bps % 100:02d}%"


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
