"""Row sets compared: the mirror's rows of one table against the rows the chain's logs make.

Rows are matched by the log they came from: block hash and log index, the mirror's own key
(with the chain id, which the reader already fixed). A row of the mirror with no row of the
chain at its key, and one of the chain with none in the mirror, are then paired if they
differ in a single column (an altered block hash or log index is one changed field, not a
row missing and another extra); what stays unpaired is missing from the mirror, or extra in
it. Each difference is one finding, at the log's position (block number, log index), with
both values in full.
"""

from __future__ import annotations

from typing import Any, Callable

from .report import CheckResult

Row = dict[str, Any]


def position(row: Row) -> tuple[int, int]:
    return row["block_number"], row["log_index"]


def key(row: Row) -> tuple:
    return str(row["block_hash"]).lower(), row["log_index"]


def compare_rows(result: CheckResult, table: str, mirrored: list[Row], expected: list[Row], columns: list[str],
                 describe: Callable[[Row], str] = lambda row: "a row",
                 differences: Callable[[Row, Row], list[tuple[str, Any, Any]]] | None = None) -> None:
    """Findings (on `result`) for every row of `table` that the mirror lacks, has in excess, or
    has with another value in one of `columns`. `differences(mine, chain)` may refine how a
    matched pair differs (default: column by column)."""
    differ = differences or (lambda mine, chain: [(c, mine.get(c), chain.get(c)) for c in columns
                                                  if not same(mine.get(c), chain.get(c))])
    by_key: dict[tuple, Row] = {}
    for row in expected:
        by_key[key(row)] = row
    unmatched_mine: list[Row] = []
    matched: set[tuple] = set()
    for row in mirrored:
        chain = by_key.get(key(row))
        if chain is None:
            unmatched_mine.append(row)
        elif key(row) in matched:
            result.find_row(table, position(chain), f"a second row of this log ({describe(row)}): forged")
        else:
            matched.add(key(row))
            for name, mine, theirs in differ(row, chain):
                result.find_field(table, position(chain), name, mine, theirs)
    unmatched_chain = [row for k, row in by_key.items() if k not in matched]

    # a row altered in one column (its position included) pairs with the chain's row
    for column in columns:
        if not unmatched_mine or not unmatched_chain:
            break
        others = [c for c in columns if c != column]
        index: dict[tuple, int] = {}
        for i, row in enumerate(unmatched_chain):
            index.setdefault(_key(row, others), i)
        paired_chain: set[int] = set()
        still: list[Row] = []
        for row in unmatched_mine:
            i = index.get(_key(row, others))
            if i is None or i in paired_chain:
                still.append(row)
                continue
            paired_chain.add(i)
            chain = unmatched_chain[i]
            result.find_field(table, position(chain), column, row.get(column), chain.get(column))
        unmatched_mine = still
        unmatched_chain = [row for i, row in enumerate(unmatched_chain) if i not in paired_chain]

    for row in unmatched_chain:
        result.find_row(table, position(row), f"missing from the mirror: {describe(row)}")
    for row in unmatched_mine:
        result.find_row(table, position(row), f"in the mirror but not on the chain: {describe(row)} (forged)")


def same(mine: Any, chain: Any) -> bool:
    """Equal values of equal kinds (a bool is not the int 1; an int is not its decimal text)."""
    return mine == chain and (type(mine) is type(chain) or not {type(mine), type(chain)} & {bool, str})


def _key(row: Row, columns: list[str]) -> tuple:
    return tuple(_hashable(row.get(c)) for c in columns)


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return repr(value)
    return (type(value).__name__ == "bool", value)
