"""Sync: the mirror's pipeline — fetch → decode and map to rows → write — and its reorg guard.

A range at a time: its logs and headers (`ledger.mirror.fetch`), its rows
(`ledger.mirror.plans`), one transaction that writes them and moves the cursor
(`ledger.mirror.store`). A long pass is fetched and mapped by worker processes
(`ledger.mirror.workers`) while this process writes; a short one here, the next range read
by a thread while this one is written.
Before a range is written, its first block's parentHash must be the hash the mirror
stopped at; before each pass, the mirror's last block must still be on the chain. If
not, the mirror walks back over the block headers it stored (every block with logs and
every range end) to the newest one the chain still has, deletes everything above it in
one transaction, and syncs on from there. Stored headers are those of blocks with events;
the cursor keeps the hash of the last block synced.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from web3 import Web3

from ledger.chain.logs import Span
from ledger.chain.rpc import Retry, Rpc, raw_web3
from ledger.errors import ConfigError, MirrorError

from . import workers
from .decode import Decoder
from .fetch import ChainMoved, Fetcher
from .plans import Plans
from .rows import MAPPERS, RowMappers
from .store import Store, contracts_key, open_db
from .workers import Prepared

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
                                   # ranges keep the writer and the workers busy together
    retry: Retry = field(default_factory=Retry)
    timeout: float = 30.0          # seconds per JSON-RPC request
    poll_interval: float = 1.0     # follow mode
    workers: int = 2               # processes that fetch and map a long pass (0: none)
    prefetch: bool = True          # else: read the next range in a thread while this one is written
    reorg_batch: int = 64          # stored headers compared per request while walking back


# A pass longer than this many spans goes to the worker processes
LONG_PASS_SPANS = 4


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

    def pass_to(self, target: int, cursor: tuple[int, str], report: Callable[[int, int], None]) -> tuple[int, str]:
        """Mirror (cursor, target]; returns the new cursor. Raises _Restart on a reorg."""
        ranges = self._ranges(cursor[0] + 1, target)
        try:
            for r in ranges:
                if r.first.parent_hash != cursor[1]:
                    self.rewind(cursor[0])
                    raise _Restart
                self.store.write(r.rows, r.last)
                cursor = (r.end, r.last.hash)
                self.events += len(r.rows.raw_events)
                self.blocks += r.end - r.start + 1
                self.ranges += 1
                report(r.end, target)
        except ChainMoved:
            raise _Restart from None
        finally:
            ranges.close()
        return cursor

    def _ranges(self, start: int, target: int) -> Iterator[Prepared]:
        span = self.fetcher.span.size
        if self.options.workers and workers.available() and target - start + 1 > LONG_PASS_SPANS * span:
            return workers.prepared_ranges(self.fetcher, self.plans, start, target, self.options.workers)
        return self._mapped((self.fetcher.ranges_ahead if self.options.prefetch else self.fetcher.ranges)(start, target))

    def _mapped(self, fetched) -> Iterator[Prepared]:
        try:
            for r in fetched:
                yield Prepared(r.start, r.end, r.first, r.last, self.plans.rows(r.logs, r.headers))
        finally:
            fetched.close()


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
            if stop:
                if stop.wait(options.poll_interval):
                    break
            else:
                time.sleep(options.poll_interval)
    except KeyboardInterrupt:
        if not follow:
            raise
    finally:
        mirror.engine.dispose()
    seconds = time.monotonic() - began
    return SyncStats(mirror.events, mirror.blocks, seconds, mirror.events / seconds if seconds else 0.0,
                     mirror.ranges, mirror.reorgs, last)
