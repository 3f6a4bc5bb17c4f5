"""Plans: per (contract address, topic0), one generated function from a raw log to its rows.

The sync's hot path. A plan reads the log's arguments straight from its topics and data
(the decoder's source, `decode.fast_source`), formats the raw_event row with the canonical
JSON of its arguments, and builds the rows of the event's declarative mappers (`Columns`)
as tuples ready for executemany, with the database's conversions (Uint256 as decimal text
on SQLite, Decimal on PostgreSQL) — no Event object, dict or per-column call in between.

Logs a plan cannot take go the general way, with the same result: an unknown address or
topic, an ABI shape eth-abi decodes, data that does not fit the ABI, or an event with a
mapper written as a Python function: `Decoder.decode` → `raw_event_row` → the mappers (the
declarative ones through a function generated from the same column source).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from sqlalchemy import Table

from ledger.errors import ConfigError

from .decode import Decoder, Event, fast_source
from ledger.chain.rpc import Header
from .rows import Arg, Columns, Const, RowMappers, Rows, block_row, raw_event_row

# the position columns a typed table may have, and the variables that hold them
POSITION = {"chain_id": "_chain", "block_number": "bn", "block_hash": "bh", "tx_hash": "th",
            "tx_index": "ti", "log_index": "li", "address": "addr"}

Key = tuple[Table, tuple[str, ...]]
_UNCOMPILED = object()
Plan = Callable[[dict, list], "tuple[tuple, tuple[tuple[Key, tuple], ...]] | None"]


def _enum_name(names: tuple[str, ...]) -> Callable[[Any], Any]:
    return lambda v: None if v is None else names[v] if 0 <= v < len(names) else str(v)


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


class Plans:
    """Row plans for one manifest's decoder, one mapper registry and one SQL dialect."""

    def __init__(self, decoder: Decoder, mappers: RowMappers, dialect):
        self.decoder = decoder
        self.chain_id = decoder.chain_id
        self.mappers = mappers
        self.dialect = dialect
        self._from_event: dict[tuple, Callable[[Event], tuple]] = {}  # by (id(Columns), event, its args)
        self._processors: dict[tuple[Table, str], Callable | None] = {}
        # address -> topic0 -> plan (None: the general way). Every plan's source is generated
        # now (a mapper that does not fit its event fails here, not in the middle of a sync);
        # it is compiled when its event first comes (exec costs ~0.3 ms, and most events are rare)
        self._fast: dict[str, dict[str, Plan | None]] = {a: {} for a in decoder.names}
        self._sources: dict[tuple[str, str], tuple[str, dict[str, Any]] | None] = {
            (address, topic): self._plan_source(address, d) for (address, topic), d in decoder.events.items()}

    # -- generated source

    def _processor(self, table: Table, column: str) -> Callable | None:
        key = (table, column)
        if key not in self._processors:
            self._processors[key] = table.c[column].type.bind_processor(self.dialect)
        return self._processors[key]

    def _row_source(self, spec: Columns, event: str, var_of: dict[str, str], env: dict[str, Any],
                    tag: str) -> tuple[tuple[str, ...], str]:
        """(columns, a tuple expression) of one declarative mapper's row; `var_of` names the
        variable of each of the event's arguments."""
        table, columns, exprs = spec.table, [], []
        for column in table.columns:
            name = column.name
            value = spec.values.get(name)
            if isinstance(value, Const):
                processor = self._processor(table, name)
                env[f"_k{tag}_{len(exprs)}"] = processor(value.value) if processor else value.value
                expr = f"_k{tag}_{len(exprs)}"
            else:
                if isinstance(value, Arg):
                    if value.name not in var_of:
                        if not value.optional:
                            raise ConfigError(f"the mapper of {event} into {table.name}.{name} reads an argument "
                                              f"{value.name!r} that the event does not have")
                        expr = "None"
                    else:
                        expr = var_of[value.name]
                        if value.names is not None:
                            env[f"_n{tag}_{len(exprs)}"] = _enum_name(value.names)
                            expr = f"_n{tag}_{len(exprs)}({expr})"
                        elif value.text:
                            expr = f"_text({expr})"
                elif name in POSITION:
                    expr = POSITION[name]
                elif column.primary_key or column.default is not None or column.server_default is not None:
                    continue  # the database fills it
                elif column.nullable:
                    expr = "None"
                else:
                    raise ConfigError(f"the mapper of {event} gives no value for {table.name}.{name}")
                processor = self._processor(table, name)
                if processor is not None and expr != "None":
                    env[f"_p{tag}_{len(exprs)}"] = processor
                    expr = f"_p{tag}_{len(exprs)}({expr})"
            columns.append(name)
            exprs.append(expr)
        return tuple(columns), "(" + "".join(e + ", " for e in exprs) + ")"

    def _typed_source(self, specs: list[Columns], event: str, var_of: dict[str, str],
                      env: dict[str, Any]) -> str:
        """An expression: the ((key, row), ...) of the event's declarative mappers."""
        parts = []
        for i, spec in enumerate(specs):
            columns, row = self._row_source(spec, event, var_of, env, str(i))
            env[f"_key{i}"] = (spec.table, columns)
            parts.append(f"(_key{i}, {row})")
        return "(" + "".join(p + ", " for p in parts) + ")"

    def _plan(self, address: str, topic: str) -> Plan | None:
        """The fast function of one (address, topic0), compiled; None: the general way."""
        source = self._sources.get((address, topic))
        plan = None
        if source is not None:
            exec(source[0], source[1])  # noqa: S102 - source built from ABI types, names and table columns only
            plan = source[1]["plan"]
        self._fast[address][topic] = plan
        return plan

    def _plan_source(self, address: str, d) -> tuple[str, dict[str, Any]] | None:
        """The source of one (address, topic0)'s fast function and the names it uses; None
        when it must go the general way."""
        mappers = self.mappers.resolve(d.contract, d.name)
        src = fast_source(d)
        if src is None or not all(isinstance(m, Columns) for m in mappers):
            return None
        env = dict(src.env, _chain=self.chain_id, _addr=address, _contract=d.contract, _event=d.name,
                   _fromhex=bytes.fromhex, _text=_text)
        typed = self._typed_source(list(mappers), d.name, {n: f"v{k}" for k, n in enumerate(src.names)}, env)
        lines = [
            "def plan(log, topics):",
            f"    if len(topics) != {len(d.indexed) + 1}: return None",
            "    hexdata = log['data']",
            "    data = _fromhex(hexdata[2:])",
            f"    if len(data) < {src.head}: return None",
            *("    " + line for line in src.lines),
            "    bn = int(log['blockNumber'], 16); bh = log['blockHash']; th = log['transactionHash']",
            "    ti = int(log['transactionIndex'], 16); li = int(log['logIndex'], 16); addr = _addr",
            "    return ((_chain, bn, bh, th, ti, li, addr, _contract, _event, "
            "'[\"' + '\",\"'.join(topics) + '\"]', hexdata, " + src.json + "), " + typed + ")",
        ]
        return "\n".join(lines), env

    def _event_rows(self, spec: Columns, event: Event) -> tuple:
        """A declarative mapper on a decoded Event (the general way), from the same source."""
        key = (id(spec), event.event, tuple(event.args))
        fn = self._from_event.get(key)
        if fn is None:
            names = sorted({v.name for v in spec.values.values() if isinstance(v, Arg)})
            var_of = {n: f"v{k}" for k, n in enumerate(names) if n in event.args}
            env: dict[str, Any] = {"_chain": self.chain_id, "_text": _text}
            typed = self._typed_source([spec], event.event, var_of, env)
            lines = [
                "def rows(e):",
                "    a = e.args",
                *(f"    {var} = a[{name!r}]" for name, var in var_of.items()),
                "    bn = e.block_number; bh = e.block_hash; th = e.tx_hash; ti = e.tx_index",
                "    li = e.log_index; addr = e.address",
                f"    return {typed}",
            ]
            exec("\n".join(lines), env)  # noqa: S102 - as in _plan
            fn = self._from_event[key] = env["rows"]
        return fn(event)

    def _dict_rows(self, model, row: dict) -> tuple[Key, tuple]:
        """A Python mapper's row: its columns, its values converted for the database."""
        table = self.mappers.table_for(model)
        columns = tuple(row)
        values = []
        for column, value in row.items():
            processor = self._processor(table, column)
            values.append(processor(value) if processor is not None else value)
        return (table, columns), tuple(values)

    def planned(self) -> set[tuple[str, str]]:
        """The (address, topic0) pairs whose logs a generated plan takes."""
        return {key for key, source in self._sources.items() if source is not None}

    # -- rows

    def typed_rows(self, event: Event) -> list[tuple[Key, tuple]]:
        """The typed rows of one decoded event, the general way."""
        out: list[tuple[Key, tuple]] = []
        if event.event is None:
            return out
        for mapper in self.mappers.resolve(event.contract, event.event):
            if isinstance(mapper, Columns):
                out.extend(self._event_rows(mapper, event))
            else:
                out.extend(self._dict_rows(model, row) for model, row in mapper(event))
        return out

    def rows(self, logs: list[dict], headers: dict[int, Header]) -> Rows:
        """The rows of a range's logs (JSON-RPC dicts, in chain order), with the headers of
        the blocks that have events (`headers` must hold them)."""
        raw: list[tuple] = []
        typed: dict[Key, list[tuple]] = {}
        fast, decode = self._fast, self.decoder.decode
        append = raw.append
        for log in logs:  # once per mirrored log
            topics = log["topics"]
            plan = None
            by_topic = fast.get(log["address"])
            if by_topic is not None and topics:
                plan = by_topic.get(topics[0], _UNCOMPILED)
                if plan is _UNCOMPILED:
                    plan = self._plan(log["address"], topics[0])
            out = None
            if plan is not None:
                try:
                    out = plan(log, topics)
                except (ValueError, UnicodeDecodeError, IndexError):
                    out = None  # data that does not fit: eth-abi decides, the general way
            if out is None:
                event = decode(log)
                out = raw_event_row(event), self.typed_rows(event)
            append(out[0])
            for key, row in out[1]:
                found = typed.get(key)
                if found is None:
                    found = typed[key] = []
                found.append(row)
        return self._rows(raw, typed, headers)

    def event_rows(self, events: Iterable[Event], headers: dict[int, Header]) -> Rows:
        """The rows of decoded events, the general way (for events not read from a node)."""
        raw, typed = [], {}
        for event in events:
            raw.append(raw_event_row(event))
            for key, row in self.typed_rows(event):
                typed.setdefault(key, []).append(row)
        return self._rows(raw, typed, headers)

    def _rows(self, raw: list[tuple], typed: dict[Key, list[tuple]], headers: dict[int, Header]) -> Rows:
        # blocks with events only: the table then depends on the chain, not on how it was
        # split into ranges
        blocks = [block_row(self.chain_id, headers[n]) for n in sorted({r[1] for r in raw})]
        return Rows(blocks, raw, typed)
