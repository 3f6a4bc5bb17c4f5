"""Workers: a long pass's ranges fetched and turned into rows by a process pool, ahead of
the writer.

A standard `concurrent.futures.ProcessPoolExecutor`. Each task covers a block range: its
worker reads it (`Fetcher.fetch`, in several ranges if the node refuses it as too large)
and maps it (`Plans.rows`), and hands back `Prepared` ranges, pickled, which the writer
takes in chain order: plain tuples for SQLite; for PostgreSQL each table's rows as one
string in COPY's text format (`store.copy_ready`), which the writer sends as it is.
Decoding is Python and holds a process's GIL: in worker processes it runs beside the
writer's inserts instead of taking turns with them (the measured gains are in README.md,
"How the mirror is fast").

Workers are forked (Linux only: elsewhere the sync reads ahead with a thread) when the pool
starts, so they start at once and inherit the decoder and the row mappers instead of
receiving them pickled; the sync starts the pool before any thread of its own. A worker
never touches the database connections it inherits (and a pool's worker ends by `os._exit`,
without closing them). Each opens its own HTTP session, ignores Ctrl-C (the writer's to
handle) and dies with the writer (PR_SET_PDEATHSIG), so a killed indexer leaves nothing
running.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Iterator

from ledger.chain.rpc import Header
from ledger.errors import MirrorError

from .fetch import Fetcher
from .plans import Plans
from .rows import Rows
from .store import copy_ready


@dataclass(slots=True)
class Prepared:
    """A range fetched and mapped: what the writer needs of it."""

    start: int
    end: int
    first: Header  # its first block (its parentHash must be the mirror's last hash)
    last: Header   # its last block (the cursor's next hash)
    rows: Rows


def available() -> bool:
    """Linux only: macOS has fork, but its system libraries are not safe in a forked child."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


# In a worker: its copy of the sync's fetcher and plans, from `_start`.
_worker: tuple[Fetcher, Plans] | None = None


def _start(fetcher: Fetcher, plans: Plans, writer: int) -> None:
    global _worker
    try:  # die with the writer: PR_SET_PDEATHSIG
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != writer:  # it died before the line above: no signal will come
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # keeps 1.11-1.17x on SQLite and PostgreSQL (README, "How the mirror is fast"): a worker
    # makes no reference cycles, only short-lived rows, and the collector would also walk (and
    # copy, page by page) every object it inherited from the writer. Its own process: nothing
    # else is affected.
    gc.disable()
    fetcher.rpc.reopen()  # the parent's pooled sockets stay the parent's
    _worker = (fetcher, plans)


def _prepare(first: int, last: int, span: int) -> tuple[list[Prepared], int]:
    """In a worker: blocks first..last, fetched and mapped, with the span it ended at."""
    fetcher, plans = _worker
    fetcher.span.size = span
    copy = plans.dialect.name == "postgresql"
    out = []
    while first <= last:
        r = fetcher.fetch(first, last)
        rows = plans.rows(r.logs, r.headers)
        out.append(Prepared(r.start, r.end, r.first, r.last, copy_ready(rows) if copy else rows))
        first = r.end + 1
    return out, fetcher.span.size


def prepared_ranges(fetcher: Fetcher, plans: Plans, start: int, target: int, workers: int) -> Iterator[Prepared]:
    """The ranges of start..target, fetched and mapped by `workers` processes, in chain order.
    Each task covers the blocks the span gives when it is made; twice as many tasks as
    workers are in flight, so that none waits for the writer."""
    span = fetcher.span
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_start, initargs=(fetcher, plans, os.getpid())) as pool:
        pending: deque = deque()
        try:
            while start <= target or pending:
                while len(pending) < 2 * workers and start <= target:
                    end = min(target, start + span.size - 1)
                    pending.append(pool.submit(_prepare, start, end, span.size))
                    start = end + 1
                done, span.size = pending.popleft().result()
                yield from done
        except BrokenProcessPool:
            raise MirrorError("a mirror worker process died") from None
        finally:
            for future in pending:
                future.cancel()
