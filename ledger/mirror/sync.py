"""Sync: the mirror's pipeline — fetch → decode and map to rows → write — and its reorg guard.

Ranges are fetched, turned into rows (`ledger.mirror.plans`: decoding and mapping in one
generated function per event) and into insert statements in a background process (or
thread: `ledger.mirror.background`) while the previous range is written. A long pass is
shared by two processes, taking alternate segments of blocks; the writer takes their
ranges back in chain order.
Before a range is written, its first block's parentHash must be the hash the mirror
stopped at; before each pass, the mirror's last block must still be on the chain. If
not, the mirror walks back over the block headers it stored (every block with logs and
every range end) to the newest one the chain still has, deletes everything above it in
one transaction, and syncs on from there. Stored headers are those of blocks with events;
the cursor keeps the hash of the last block synced.
"""

from __future__ import annotations

import gc
import marshal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from web3 import Web3

from ledger.chain.logs import Span
from ledger.chain.rpc import Header, Retry, Rpc, raw_web3
from ledger.errors import ConfigError, MirrorError

from .background import ProducerProcess, ProducerThread, fork_available
from .decode import Decoder
from .fetch import ChainMoved, Fetcher, Range
from .plans import Plans
from .rows import MAPPERS, RowMappers
from .store import Store, contracts_key, open_db

ZERO_HASH = "0x" + "00" * 32


@dataclass(frozen=True)
class SyncStats:
    events: int       # raw events written
    blocks: int       # blocks scanned
    seconds: float
    events_per_s: float
    ranges: int = 0
    reorgs: int = 0   # rewinds to a common ancestor
    last_block: int = -1


@dataclass(frozen=True)
class Progress:
    """Handed to the progress callback after each committed range."""

    block: int        # the mirror is complete up to here
    target: int
    events: int       # written so far in this sync
    seconds: float
    events_per_s: float


@dataclass
class SyncOptions:
    span: int = 10                 # first range size, in blocks (it adapts)
    max_span: int = 100_000
    target_logs: int = 1_000       # events per range (one transaction) the span aims at: small
                                   # ranges keep the writer and the producer busy together
    retry: Retry = field(default_factory=Retry)
    timeout: float = 30.0          # seconds per JSON-RPC request
    poll_interval: float = 1.0     # follow mode
    prefetch: bool = True          # produce ranges in the background while writing
    prefetch_process: bool = True  # ... in a child process (Linux), else a thread
    reorg_batch: int = 64          # stored headers compared per request while walking back
    producers: int = 2             # child processes sharing a long pass (one is bound by its GIL)


# A long pass's segments, in ranges of the span at its start (each producer's span adapts
# within its segments)
SEGMENT_SPANS = 4


def _pack(r: Range | None) -> bytes:
    """A prepared range (or None: the end of a segment) as bytes for the pipe: marshal, the
    cheapest for plain values (the SQLite statements' are; PostgreSQL's carry Decimals, and
    ranges go pickled). Version 2: without version 3's shared references, whose bookkeeping
    doubled the cost of dumps."""
    if r is None:
        return _SEGMENT_END
    return marshal.dumps((r.start, r.end, _header(r.first), _header(r.last), r.payload), 2)


_SEGMENT_END = marshal.dumps(None)


def _header(h: Header) -> tuple:
    return (h.number, h.hash, h.parent_hash, h.timestamp)


def _unpack(data: bytes) -> Range | None:
    if data == _SEGMENT_END:
        return None
    start, end, first, last, payload = marshal.loads(data)
    return Range(start, end, [], {start: Header(*first), end: Header(*last)}, payload)


class _Interleaved:
    """The ranges of several producers, in chain order: segment i of the pass comes from
    producer i % n, its ranges followed by None. A long pass splits this way because one
    producer process is bound by its GIL (fetching, parsing and mapping share it), while
    the writer has time to spare."""

    def __init__(self, producers: list) -> None:
        self.producers = producers

    def __iter__(self):
        sources = [iter(p) for p in self.producers]
        segment = 0
        while True:
            source = sources[segment % len(sources)]
            for r in source:
                if r is None:
                    break
                yield r
            else:  # that producer has no segment left: nor has any other
                return
            segment += 1

    def close(self) -> None:
        for p in self.producers:
            p.close()


class _Restart(Exception):
    """The chain changed under a pass: check the cursor again and go on."""


class Mirror:
    """One sync's state: the chain, the database, and where the mirror stands."""

    def __init__(self, w3: Web3, manifest, db, mappers: RowMappers, options: SyncOptions):
        self.options = options
        self.rpc = Rpc(raw_web3(w3, options.timeout), options.retry)
        chain_id = int(self.rpc.call("eth_chainId", []), 16)
        if chain_id != manifest.chain_id:
            raise ConfigError(f"the RPC endpoint is chain {chain_id}, but the deployment is on chain {manifest.chain_id}")
        if not manifest.contracts:
            raise ConfigError("the deployment manifest lists no contracts")
        self.decoder = Decoder.from_manifest(manifest)
        self.first = min(c.block for c in manifest.contracts.values())
        self.engine = open_db(db, mappers)
        self.store = Store(self.engine, chain_id, contracts_key(self.decoder.addresses), mappers)
        self.plans = Plans(self.decoder, mappers, self.engine.dialect)
        self.fetcher = Fetcher(self.rpc, self.decoder.addresses,
                               Span(size=options.span, max_size=options.max_span, target_logs=options.target_logs))
        self.events = self.blocks = self.ranges = self.reorgs = 0

    # -- where the mirror stands

    def origin(self) -> tuple[int, str]:
        """The cursor of an empty mirror: the block before the first deployment."""
        if self.first == 0:
            return -1, ZERO_HASH
        h = self.rpc.header(self.first - 1)
        if h is None:
            raise ChainMoved(f"block {self.first - 1} does not exist")
        return h.number, h.hash

    def cursor(self) -> tuple[int, str]:
        return self.store.cursor() or self.origin()

    def target(self, to_block: int | str) -> int:
        latest = self.rpc.header("latest")
        if isinstance(to_block, int):
            return min(to_block, latest.number)
        if to_block == "latest":
            return latest.number
        tagged = self.rpc.header(to_block)
        if tagged is None:
            raise ConfigError(f"the node has no {to_block!r} block (does it know that tag?)")
        return tagged.number

    def checked_cursor(self) -> tuple[int, str]:
        """The cursor, after rewinding if its block is no longer on the chain."""
        number, hash_ = self.cursor()
        if number < 0:
            return number, hash_
        on_chain = self.rpc.header(number)
        if on_chain is not None and on_chain.hash == hash_:
            return number, hash_
        return self.rewind(number)

    def rewind(self, from_block: int) -> tuple[int, str]:
        """Walk back to the newest stored block the chain still has; delete above it.

        Only blocks with events are stored, so the ancestor found may be older than the
        true fork point: the blocks between are simply read again."""
        at = from_block
        ancestor = None
        while ancestor is None:
            stored = self.store.stored_blocks(at, self.options.reorg_batch)
            if not stored:
                ancestor = self.origin()
                break
            chain = self.rpc.headers([n for n, _ in stored])
            for n, h in stored:
                if chain[n] is not None and chain[n].hash == h:
                    ancestor = (n, h)
                    break
            at = stored[-1][0] - 1
        self.store.rewind(*ancestor)
        self.reorgs += 1
        return ancestor

    # -- the pipeline

    def _prepared_ranges(self, start: int, target: int):
        """Ranges with their rows built and the statements that write them prepared
        (in the background producer: only the inserts are left to the writer). A range
        travels light: its logs are dropped, and only its end headers kept."""
        rows, prepare = self.plans.rows, self.store.prepare
        span = self.fetcher.span
        fetched = self.fetcher.ranges(start, target)
        if self._in_child:  # the next ranges' eth_getLogs run on the node while this one is mapped
            fetched = self.fetcher.ranges_ahead(start, target, ahead=2)
        try:
            for r in fetched:
                # (the cursor keeps the range end's hash for the next check)
                statements = prepare(rows(r.logs, r.headers))
                r.payload = (len(r.logs), statements, span.size)
                r.logs, r.headers = [], {r.start: r.first, r.end: r.last}
                yield r
        finally:
            fetched.close()

    _in_child = False

    def _child_start(self) -> None:
        """In a producer process: its own HTTP session, and fetch threads beside the
        mapping (`Fetcher.ranges_ahead`); a fetch thread takes the GIL back after each socket
        read, so it should not wait the default 5 ms for it."""
        self.rpc.reopen()
        self._in_child = True
        sys.setswitchinterval(0.0005)

    def _producer(self, start: int, target: int):
        produce = lambda: self._prepared_ranges(start, target)  # noqa: E731
        if not self.options.prefetch:
            return produce()
        if self.options.prefetch_process and fork_available():
            codec = dict(encode=_pack, decode=_unpack) if self.engine.dialect.name == "sqlite" else {}
            segment = max(8, SEGMENT_SPANS * self.fetcher.span.size)
            count = min(self.options.producers, (target - start + 1) // segment)
            if count < 2:
                return ProducerProcess(produce, on_start=self._child_start, **codec)
            return _Interleaved([
                ProducerProcess(lambda k=k: self._segments(start + k * segment, target, segment, count),
                                on_start=self._child_start, **codec)
                for k in range(count)])
        return ProducerThread(produce)

    def _segments(self, start: int, target: int, segment: int, every: int):
        """One producer's share of a long pass: the segments of `segment` blocks from
        `start` on, every `every`-th one, each followed by None (its end)."""
        while start <= target:
            yield from self._prepared_ranges(start, min(target, start + segment - 1))
            yield None
            start += every * segment

    def pass_to(self, target: int, cursor: tuple[int, str], report: Callable[[int, int], None]) -> tuple[int, str]:
        """Mirror (cursor, target]; returns the new cursor. Raises _Restart on a reorg."""
        source = self._producer(cursor[0] + 1, target)
        try:
            for r in source:
                if r.first.parent_hash != cursor[1]:
                    self.rewind(cursor[0])
                    raise _Restart
                count, statements, span = r.payload
                self.store.write(statements, r.last)
                self.fetcher.span.size = span  # the producer's (a child process has its own copy)
                cursor = (r.end, r.last.hash)
                self.events += count
                self.blocks += r.end - r.start + 1
                self.ranges += 1
                report(r.end, target)
        except ChainMoved:
            raise _Restart from None
        finally:
            if hasattr(source, "close"):
                source.close()
        return cursor


def sync(
    w3: Web3,
    manifest,
    db_url,
    to_block: int | str = "latest",
    follow: bool = False,
    progress: Callable[[Progress], None] | None = None,
    *,
    mappers: RowMappers | None = None,
    options: SyncOptions | None = None,
    stop: threading.Event | None = None,
) -> SyncStats:
    """Mirror every event of the manifest's contracts into `db_url` (a SQLite path or a
    SQLAlchemy URL such as `postgresql+psycopg://...`) up to `to_block` ('latest',
    'finalized', 'safe' or a number). With `follow`, keep polling for new blocks until
    `stop` is set (or KeyboardInterrupt). Safe to kill at any point and run again."""
    options = options or SyncOptions()
    mirror = Mirror(w3, manifest, db_url, MAPPERS if mappers is None else mappers, options)
    began = time.monotonic()
    # The pipeline makes no reference cycles, only many short-lived containers, on which
    # the cyclic collector spends a third of decoding; it runs once per pass instead.
    collecting = gc.isenabled()
    gc.disable()
    last = -1

    def report(block: int, target: int) -> None:
        if progress:
            seconds = time.monotonic() - began
            progress(Progress(block, target, mirror.events, seconds, mirror.events / seconds if seconds else 0.0))

    restarts = 0
    try:
        while True:
            try:
                cursor = mirror.checked_cursor()
                target = mirror.target(to_block)
                if target > cursor[0]:
                    cursor = mirror.pass_to(target, cursor, report)
                last = cursor[0]
                restarts = 0
            except (_Restart, ChainMoved) as exc:
                restarts += 1
                if restarts > options.retry.attempts * 8:
                    raise MirrorError(f"the chain keeps changing under the mirror ({restarts} restarts)") from None
                if isinstance(exc, ChainMoved):
                    time.sleep(min(1.0, 0.02 * restarts))
                continue
            done = isinstance(to_block, int) and last >= to_block
            if not follow or done or (stop and stop.is_set()):
                break
            gc.collect()  # between passes, while waiting for blocks
            if stop:
                if stop.wait(options.poll_interval):
                    break
            else:
                time.sleep(options.poll_interval)
    except KeyboardInterrupt:
        if not follow:
            raise
    finally:
        if collecting:
            gc.enable()
        mirror.store.close()
        mirror.engine.dispose()
    seconds = time.monotonic() - began
    return SyncStats(mirror.events, mirror.blocks, seconds, mirror.events / seconds if seconds else 0.0,
                     mirror.ranges, mirror.reorgs, last)
