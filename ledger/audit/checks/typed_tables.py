"""Check "typed": every row of every typed table is what the chain's logs make.

The rows each table should hold are re-derived from the chain's logs, decoded by the audit
(`ledger.audit.events`, plain eth_abi), through the tables' declarations
(`ledger.mirror.typed`: which event fills which table, which argument which column, enums by
name) — interpreted here, not by the mirror's generated row plans. Each table's rows in the
mirror are then compared with them (`ledger.audit.compare`): a row missing, a row extra, or a
field with another value, named by table, position and field with both values.

The views (`proposal`, `current_member`) hold no rows of their own: each must give exactly
what its declared SELECT gives over the (checked) tables.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from ledger.mirror import Event, MirrorReader
from ledger.mirror.rows import Arg, Columns, Const, table_of

from ..compare import compare_rows
from ..events import ChainEvent
from ..report import CheckResult

NAME = "typed"
TITLE = "typed tables = chain (every row, field by field); views = their definitions"

# where a typed row came from: filled from the log, whatever the mapper says
POSITION = ("chain_id", "block_number", "block_hash", "tx_hash", "tx_index", "log_index", "address")


def _position(chain_id: int, e: ChainEvent) -> dict[str, Any]:
    return {"chain_id": chain_id, "block_number": e.block_number, "block_hash": e.block_hash, "tx_hash": e.tx_hash,
            "tx_index": e.tx_index, "log_index": e.log_index, "address": e.address}


def _arg(spec: Arg, args: dict[str, Any]) -> Any:
    if spec.name not in args:
        return None  # an optional argument the event lacks (a mapper that needs it fails to load)
    value = args[spec.name]
    if spec.names is not None:
        return spec.names[value] if 0 <= value < len(spec.names) else str(value)
    if spec.text:
        return str(value)
    return value


def _declared_row(table: Table, spec: Columns, e: ChainEvent, chain_id: int) -> dict[str, Any]:
    """The row a declarative mapper makes of the event, column by column."""
    where = _position(chain_id, e)
    row = {}
    for column in table.columns:
        value = spec.values.get(column.name)
        if isinstance(value, Const):
            row[column.name] = value.value
        elif isinstance(value, Arg):
            row[column.name] = _arg(value, e.args)
        elif column.name in where:
            row[column.name] = where[column.name]
        else:
            row[column.name] = None
    return row


def expected_rows(events: list[ChainEvent], chain_id: int, mirror: MirrorReader) -> dict[str, list[dict]]:
    """The rows of each typed table that the chain's logs make, by table name."""
    out: dict[str, list[dict]] = {t.name: [] for t in mirror.tables}
    for e in events:
        if e.event is None:
            continue
        for mapper in mirror.mappers.resolve(e.contract, e.event):
            if isinstance(mapper, Columns):
                out[mapper.table.name].append(_declared_row(mapper.table, mapper, e, chain_id))
                continue
            # a mapper written as a function: given the audit's decoding of the log
            event = Event(chain_id, e.block_number, e.block_hash, e.tx_hash, e.tx_index, e.log_index, e.address,
                          e.contract, e.event, list(e.topics), e.data, e.args, None)
            for model, values in mapper(event):
                table = table_of(model)
                row = {c.name: values.get(c.name) for c in table.columns}
                row.update({k: v for k, v in _position(chain_id, e).items() if k in row})
                out[table.name].append(row)
    return out


def check(mirror: MirrorReader, events: list[ChainEvent]) -> CheckResult:
    result = CheckResult(NAME, TITLE)
    expected = expected_rows(events, mirror.chain_id, mirror)
    for table in mirror.tables:
        mine = [row._asdict() for row in mirror.rows(table)]
        result.count("tables")
        result.count("rows", len(mine))
        columns = [c.name for c in table.columns]
        compare_rows(result, table.name, mine, expected[table.name], columns,
                     describe=lambda row, t=table.name: f"a {t} row of tx {row.get('tx_hash')}")
    for name in mirror.views:
        result.count("views")
        drift = mirror.view_drift(name)
        if drift:
            result.find(f"view {name}", f"{drift} rows differ from what the view's definition gives over the "
                                        "tables: the view was altered in the database")
    return result
