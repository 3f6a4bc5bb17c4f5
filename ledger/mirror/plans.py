"""Plans: a range's logs into the rows it writes — raw_event, typed tables, blocks.

Each log is decoded once (`Decoder.decode`: an `Event` with its arguments and their canonical
JSON), becomes its raw_event row (`rows.raw_event_row`), and goes through the mappers of
its event: a declarative mapper (`Columns`) is turned, once per mapper, into a list of
column readers over the Event, with the database's conversions (Uint256 as decimal text on
SQLite, Decimal on PostgreSQL); a mapper written as a Python function is called as it is.
Rows come out as tuples ready for the driver. One way for every log, whether it comes from a
node or was decoded elsewhere (`event_rows`), so every path gives the same rows.
"""

from __future__ import annotations

from operator import attrgetter, itemgetter
from typing import Any, Callable, Iterable

from sqlalchemy import Table

from ledger.chain.rpc import Header
from ledger.errors import ConfigError

from .decode import Decoder, Event
from .rows import Arg, Columns, Const, RowMappers, Rows, block_row, raw_event_row

# the position columns a typed table may have, and the Event attribute that holds each
POSITION = {"chain_id": "chain_id", "block_number": "block_number", "block_hash": "block_hash",
            "tx_hash": "tx_hash", "tx_index": "tx_index", "log_index": "log_index", "address": "address"}

Key = tuple[str, tuple[str, ...]]  # (a table's name, the columns of its rows' tuples)
RowMaker = Callable[[Event], Iterable[tuple[Key, tuple]]]


_POSITION_OF = attrgetter(*POSITION.values())


def _then(first: Callable[[Any], Any], then: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    return first if then is None else lambda v: then(first(v))


def _enum_name(names: tuple[str, ...]) -> Callable[[Any], Any]:
    return lambda v: names[v] if 0 <= v < len(names) else str(v)


class Plans:
    """Rows for one manifest's decoder, one mapper registry and one SQL dialect."""

    def __init__(self, decoder: Decoder, mappers: RowMappers, dialect):
        self.decoder = decoder
        self.chain_id = decoder.chain_id
        self.mappers = mappers
        self.dialect = dialect
        self._processors: dict[tuple[Table, str], Callable | None] = {}
        self._columns: dict[int, Callable[[Event], tuple]] = {}  # by id(Columns)
        self._makers: dict[tuple[str | None, str | None], tuple[RowMaker, ...]] = {}  # by (contract, event)
        # every declarative mapper is checked against its event's arguments now: one that
        # does not fit fails here, not in the middle of a sync
        for d in decoder.events.values():
            for mapper in mappers.resolve(d.contract, d.name):
                if isinstance(mapper, Columns):
                    self._check(mapper, d.name, set(d.names))

    # -- declarative mappers

    def _processor(self, table: Table, column: str) -> Callable | None:
        key = (table, column)
        if key not in self._processors:
            self._processors[key] = table.c[column].type.bind_processor(self.dialect)
        return self._processors[key]

    def _check(self, spec: Columns, event: str, args: set[str]) -> None:
        table = spec.table
        for column in table.columns:
            value = spec.values.get(column.name)
            if isinstance(value, Arg) and value.name not in args and not value.optional:
                raise ConfigError(f"the mapper of {event} into {table.name}.{column.name} reads an argument "
                                  f"{value.name!r} that the event does not have")
            if value is None and column.name not in POSITION and not (
                    column.primary_key or column.default is not None or column.server_default is not None
                    or column.nullable):
                raise ConfigError(f"the mapper of {event} gives no value for {table.name}.{column.name}")

    def _columns_row(self, spec: Columns) -> Callable[[Event], tuple[Key, tuple]]:
        """A declarative mapper as a function from an Event to its (key, row), built once per
        mapper: the row is picked (by itemgetter, in C) from the event's position, the
        arguments it names and its constants; then the columns that need it are converted
        (an enum's name, a number as text, the database type's own conversion)."""
        maker = self._columns.get(id(spec))
        if maker is not None:
            return maker
        table = spec.table
        arg_names = sorted({v.name for v in spec.values.values() if isinstance(v, Arg)})
        constants: list[Any] = []
        where = {attr: i for i, attr in enumerate(POSITION.values())}  # position of a value in `source`
        where.update({("arg", n): len(POSITION) + i for i, n in enumerate(arg_names)})
        columns, picks, converts = [], [], []
        for column in table.columns:
            name = column.name
            value = spec.values.get(name)
            processor = self._processor(table, name)
            if isinstance(value, Const):
                constants.append(processor(value.value) if processor else value.value)
                index = len(POSITION) + len(arg_names) + len(constants) - 1
                processor = None  # converted once, here
            elif isinstance(value, Arg):
                index = where[("arg", value.name)]
                if value.names is not None:
                    processor = _then(_enum_name(value.names), processor)
                elif value.text:
                    processor = _then(str, processor)
            elif name in POSITION:
                index = where[POSITION[name]]
            elif column.primary_key or column.default is not None or column.server_default is not None:
                continue  # the database fills it
            else:  # a nullable column the mapper does not name
                constants.append(None)
                index = len(POSITION) + len(arg_names) + len(constants) - 1
                processor = None
            if processor is not None:
                converts.append((len(columns), processor))
            columns.append(name)
            picks.append(index)
        key = (table.name, tuple(columns))
        position, constants_ = _POSITION_OF, tuple(constants)
        pick = itemgetter(*picks)

        def maker(e: Event) -> tuple[Key, tuple]:
            row = pick(position(e) + tuple(map(e.args.get, arg_names)) + constants_)
            if converts:
                row = list(row)
                for i, convert in converts:
                    if row[i] is not None:
                        row[i] = convert(row[i])
                row = tuple(row)
            return key, row

        self._columns[id(spec)] = maker
        return maker

    # -- Python mappers

    def _dict_rows(self, model, row: dict) -> tuple[Key, tuple]:
        """A Python mapper's row: its columns, its values converted for the database."""
        table = self.mappers.table_for(model)
        values = []
        for column, value in row.items():
            processor = self._processor(table, column)
            values.append(processor(value) if processor is not None else value)
        return (table.name, tuple(row)), tuple(values)

    def _python_rows(self, mapper: Callable) -> RowMaker:
        return lambda e: [self._dict_rows(model, row) for model, row in mapper(e)]

    # -- rows

    def _row_makers(self, event: Event) -> tuple[RowMaker, ...]:
        key = (event.contract, event.event)
        makers = self._makers.get(key)
        if makers is None:  # once per (contract, event)
            makers = self._makers[key] = tuple(
                (lambda e, row=self._columns_row(m): (row(e),)) if isinstance(m, Columns) else self._python_rows(m)
                for m in self.mappers.resolve(event.contract, event.event)) if event.event is not None else ()
        return makers

    def typed_rows(self, event: Event) -> list[tuple[Key, tuple]]:
        """The typed rows of one decoded event."""
        return [row for make in self._row_makers(event) for row in make(event)]

    def rows(self, logs: list[dict], headers: dict[int, Header]) -> Rows:
        """The rows of a range's logs (JSON-RPC dicts, in chain order), with the headers of
        the blocks that have events (`headers` must hold them)."""
        return self.event_rows(map(self.decoder.decode, logs), headers)

    def event_rows(self, events: Iterable[Event], headers: dict[int, Header]) -> Rows:
        """The rows of decoded events."""
        raw: list[tuple] = []
        typed: dict[Key, list[tuple]] = {}
        for event in events:  # once per mirrored log
            raw.append(raw_event_row(event))
            for make in self._row_makers(event):
                for key, row in make(event):
                    found = typed.get(key)
                    if found is None:
                        found = typed[key] = []
                    found.append(row)
        # blocks with events only: the table then depends on the chain, not on how it was
        # split into ranges
        blocks = [block_row(self.chain_id, headers[n]) for n in sorted({r[1] for r in raw})]
        return Rows(blocks, raw, typed)
