"""Map: decoded events into table rows — the raw mirror's, and typed tables' through mappers.

A row mapper turns one event into rows of typed tables. Declared by its columns, it is
compiled together with the event's decoder into one function per event (`ledger.mirror.plans`):

    MAPPERS = RowMappers()
    MAPPERS.columns("MemberAdmitted", Admission, account="account", tier="tier",
                    kind=Arg("kind", names=("State", "Corporate")), source=Const("chain"))

(a string names an event argument; the position columns — chain_id, block_number, block_hash,
tx_hash, tx_index, log_index, address — fill themselves; other nullable columns are NULL).
Anything else is a Python function of the decoded `Event`, for what columns cannot say:

    @MAPPERS.register("MemberAdmitted", Admission)
    def admission(event: Event):
        yield Admission, {**position(event), "account": event.args["account"], ...}

Either runs in the same transaction as the raw rows of its range, so a typed table is never
ahead of or behind the raw mirror. A typed table must have `chain_id`, `block_number` and
`block_hash` columns: after a reorg, the rows of the blocks above the common ancestor are
deleted from it too (by block hash: an index that starts with (chain_id, block_hash), such
as the position key, keeps that quick).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy import Table

from ledger.errors import ConfigError

from .decode import Event
from ledger.chain.rpc import Header

Mapper = Callable[[Event], Iterable[tuple[Any, dict]]]


@dataclass(frozen=True)
class Arg:
    """A column's value from the event argument `name`: as decoded; with `names`, an enum's
    name (its number as text when out of range); with `text`, an integer as decimal text
    (an identifier such as a proposal id); with `optional`, NULL for an event without it."""

    name: str
    names: tuple[str, ...] | None = None
    text: bool = False
    optional: bool = False


@dataclass(frozen=True)
class Const:
    """A column's value, the same for every event the mapper takes."""

    value: Any


@dataclass(frozen=True)
class Columns:
    """A declarative row mapper: one row of `table` per event, column by column."""

    table: Table
    values: dict[str, Arg | Const]


def table_of(model) -> Table:
    """The SQLAlchemy Table of a SQLModel class (or the Table itself)."""
    return model.__table__ if hasattr(model, "__table__") else model


def position(event: Event) -> dict[str, Any]:
    """The columns every mirrored row keeps: where on which chain it came from."""
    return {
        "chain_id": event.chain_id, "block_number": event.block_number, "block_hash": event.block_hash,
        "tx_hash": event.tx_hash, "log_index": event.log_index,
    }


class RowMappers:
    """Row mappers by event name (optionally restricted to one manifest contract)."""

    def __init__(self) -> None:
        self._mappers: dict[tuple[str | None, str], list[Mapper | Columns]] = {}
        self._resolved: dict[tuple[str | None, str], tuple[Mapper | Columns, ...]] = {}  # per event: both kinds
        self._table_of: dict[Any, Table] = {}
        self.tables: list[Table] = []
        self.views: dict[str, str] = {}

    def register(self, event: str, *tables, contract: str | None = None) -> Callable[[Mapper], Mapper]:
        """Decorator: `mapper(event) -> iterable of (table, row dict)` for events named `event`.
        `tables` are the tables it writes (created with the mirror's, rewound on reorgs)."""
        for model in tables:
            self._add_table(model)

        def add(mapper: Mapper) -> Mapper:
            self._add(contract, event, mapper)
            return mapper

        return add

    def columns(self, event: str, model, /, *, contract: str | None = None, **values: str | Arg | Const) -> None:
        """A declarative mapper: one row of `model` per event named `event`, each column
        given as an argument name, an `Arg` or a `Const` (see the module's doc)."""
        table = self._add_table(model)
        unknown = set(values) - set(table.c.keys())
        if unknown:
            raise ConfigError(f"typed table {table.name} has no column {', '.join(sorted(unknown))}")
        spec = {c: Arg(v) if isinstance(v, str) else v for c, v in values.items()}
        self._add(contract, event, Columns(table, spec))

    def _add_table(self, model) -> Table:
        table = table_of(model)
        missing = {"chain_id", "block_number", "block_hash"} - set(table.c.keys())
        if missing:
            raise ConfigError(f"typed table {table.name} lacks {', '.join(sorted(missing))}: "
                              "a reorg could not remove its rows")
        if table not in self.tables:
            self.tables.append(table)
        return table

    def _add(self, contract: str | None, event: str, mapper: Mapper | Columns) -> None:
        self._mappers.setdefault((contract, event), []).append(mapper)
        self._resolved.clear()

    def view(self, name: str, select: str) -> None:
        """A SQL view over the typed tables (`select` is its SELECT, portable SQL), created
        with them. A view holds no rows: nothing to rewind."""
        self.views[name] = select

    def __bool__(self) -> bool:
        return bool(self._mappers)

    def resolve(self, contract: str | None, event: str | None) -> tuple[Mapper | Columns, ...]:
        """The mappers of an event: those registered for its contract, then the contract-free ones."""
        key = (contract, event)
        mappers = self._resolved.get(key)
        if mappers is None:  # once per (contract, event): this runs for every mirrored event
            mappers = self._resolved[key] = (
                *(self._mappers.get(key, ()) if contract is not None else ()),
                *self._mappers.get((None, event), ()))
        return mappers

    def table_for(self, model) -> Table:
        table = self._table_of.get(model)
        if table is None:
            table = self._table_of[model] = table_of(model)
        return table


# The default registry: typed-table modules register into it on import.
MAPPERS = RowMappers()


@dataclass
class Rows:
    """Everything one range writes, ready for bulk inserts: typed rows by (table name, the
    columns of their tuples), values already converted for the database. Plain values only,
    so that it crosses from a worker process cheaply."""

    blocks: list[tuple] = field(default_factory=list)
    raw_events: list[tuple] = field(default_factory=list)
    typed: dict[tuple[str, tuple[str, ...]], list[tuple]] = field(default_factory=dict)


def block_row(chain_id: int, h: Header) -> tuple:
    return (chain_id, h.number, h.hash, h.parent_hash, h.timestamp)


def raw_event_row(e: Event) -> tuple:
    # topics are 0x-hex strings: the JSON array needs no escaping
    topics = '["' + '","'.join(e.topics) + '"]' if e.topics else "[]"
    return (e.chain_id, e.block_number, e.block_hash, e.tx_hash, e.tx_index, e.log_index,
            e.address, e.contract, e.event, topics, e.data, e.args_json)
