"""Check "mirror": the raw mirror is the chain.

Every `raw_event` row against a fresh `eth_getLogs` of the same blocks: its position, block
and transaction hashes, transaction index, address, topics and data as the node has them,
and its contract, event and arguments against the audit's own decoding of the log (a log of
a known event stored without arguments is a finding, and so is one that the audit cannot
decode either: both decoders failing alike must not read as agreement). Every stored block header (`block`)
against the chain's, and every block with mirrored events has one. The mirror's last block
must still be on the chain.
"""

from __future__ import annotations

from ledger.chain.rpc import Header
from ledger.mirror.read import MirroredLog, MirrorReader

from ..chain import ChainReader
from ..compare import compare_rows, same
from ..events import ChainEvent
from ..report import CheckResult

NAME = "mirror"
TITLE = "mirror = chain (every log, decoded again; every block header)"
TABLE = "raw_event"
COLUMNS = ["block_number", "log_index", "block_hash", "tx_hash", "tx_index", "address", "contract", "event",
           "topics", "data", "args"]


def _mine(log: MirroredLog) -> dict:
    """A raw_event row as compared: topics and args parsed (as stored when they do not parse)."""
    args = log.args()
    return {"block_number": log.block_number, "log_index": log.log_index, "block_hash": log.block_hash,
            "tx_hash": log.tx_hash, "tx_index": log.tx_index, "address": log.address, "contract": log.contract,
            "event": log.event, "topics": list(log.topics) if log.topics is not None else log.topics_text,
            "data": log.data, "args": args if args is not None else log.args_json}


def _chain(e: ChainEvent) -> dict:
    return {"block_number": e.block_number, "log_index": e.log_index, "block_hash": e.block_hash,
            "tx_hash": e.tx_hash, "tx_index": e.tx_index, "address": e.address, "contract": e.contract,
            "event": e.event, "topics": list(e.topics), "data": e.data, "args": e.json_args}


def _differences(mine: dict, chain: dict) -> list[tuple]:
    """Column by column; arguments argument by argument when both are objects."""
    out = []
    for column in COLUMNS:
        a, b = mine.get(column), chain.get(column)
        if column == "args" and isinstance(a, dict) and isinstance(b, dict):
            out += [(f"args.{k}", a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys())
                    if k not in a or k not in b or not same(a[k], b[k])]
        elif not same(a, b):
            out.append((column, a, b))
    return out


def _describe(row: dict) -> str:
    name = f"{row['contract']}.{row['event']}" if row.get("event") else f"a log of {row.get('address')}"
    return f"{name} in tx {row.get('tx_hash')}"


def check(mirror: MirrorReader, logs: list[MirroredLog], events: list[ChainEvent], reader: ChainReader,
          first_block: int) -> CheckResult:
    result = CheckResult(NAME, TITLE)
    last = mirror.cursor
    result.count("blocks", last.block - first_block + 1)
    result.count("logs on chain", len(events))
    result.count("rows in mirror", len(logs))
    compare_rows(result, TABLE, [_mine(log) for log in logs], [_chain(e) for e in events], COLUMNS,
                 describe=_describe, differences=_differences)
    undecoded(result, events)

    stored = mirror.blocks()
    wanted = {row.number for row in stored} | {e.block_number for e in events} | {last.block}
    headers = reader.headers(sorted(wanted))
    head = headers.get(last.block)
    if head is None or head.hash.lower() != last.hash.lower():
        result.find(f"block {last.block}", "the mirror's last block is no longer on the chain (a reorg): "
                                          "run `waico index` again")
    _check_blocks(result, stored, headers, {e.block_number for e in events})
    return result


def undecoded(result: CheckResult, events: list[ChainEvent]) -> None:
    """A finding for every log of a known event whose arguments do not decode by its ABI."""
    for e in events:
        if e.known is not None and e.args is None:
            result.find_row(TABLE, e.position, f"{e.contract}.{e.known} in tx {e.tx_hash} does not decode by its "
                                               "ABI: its arguments are missing")


def _check_blocks(result: CheckResult, stored: list, headers: dict[int, Header | None], with_events: set[int]) -> None:
    have = set()
    for row in stored:
        have.add(row.number)
        result.count("block headers")
        chain = headers.get(row.number)
        subject = f"block {row.number}"
        if chain is None:
            result.find(subject, f"block: a stored header of a block the chain does not have (hash {row.hash})")
            continue
        for name, mine, theirs in (("hash", row.hash, chain.hash), ("parent_hash", row.parent_hash, chain.parent_hash),
                                   ("timestamp", row.timestamp, chain.timestamp)):
            if not same(mine, theirs):
                result.find_field("block", (row.number, None), name, mine, theirs)
    for number in sorted(with_events - have):
        result.find(f"block {number}", "block: no stored header for a block with mirrored events")
