"""Background producers: the sync's fetch → decode → prepare stage runs ahead of its writer.

Two kinds, with one interface (iterate for items in order, exceptions re-raised in order,
`close()` to stop early):

- `ProducerProcess` (the default on Linux): the stage runs in a child process
  and hands prepared ranges back through a pipe. Decoding is Python; the inserts spend their
  time in SQLite with the GIL released — but the GIL is taken back after every row, and a
  Python thread busy decoding next to the writer makes each take wait (measured here: a
  50,000-row executemany ran 3x slower beside one busy thread). Separate processes have
  separate GILs, so decoding and inserting really overlap.
- `ProducerThread`: the same in a thread (elsewhere, or when asked for).

The child never touches the parent's database connections and opens its own HTTP session
(`on_start`); it dies with the parent (PR_SET_PDEATHSIG on Linux, and a broken pipe when it
writes), so a killed indexer leaves nothing running.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from typing import Any, Callable, Iterator

from ledger.errors import MirrorError

_DONE = "__producer_done__"


def fork_available() -> bool:
    """Linux only: macOS has fork, but its system libraries are not safe in a forked child."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class ProducerThread:
    """Runs `produce()` in a thread, up to `depth` items ahead of the consumer."""

    def __init__(self, produce: Callable[[], Iterator[Any]], depth: int = 2):
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(produce,), daemon=True, name="mirror-producer")
        self._thread.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, produce) -> None:
        try:
            for item in produce():
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consumer
            self._put(exc)
            return
        self._put(_DONE)

    def __iter__(self):
        while True:
            item = self._queue.get()
            if isinstance(item, str) and item == _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def _die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the put loop's parent check remains
        pass


class ProducerProcess:
    """Runs `produce()` in a forked child process, up to `depth` items ahead of the consumer.

    Items and exceptions cross a pipe, so they must pickle (an exception that does not is
    re-raised as a MirrorError with its text) — or give `encode` (in the child, item → bytes)
    and `decode` (in the parent, bytes → item): `marshal` of plain tuples costs a third less
    than pickle. Encoded items go through the pipe as they are (a multiprocessing.Queue would
    pickle the bytes again and copy them twice more). `on_start` runs first in the child (e.g.
    to open its own HTTP session rather than share the parent's sockets)."""

    def __init__(self, produce: Callable[[], Iterator[Any]], depth: int = 2,
                 on_start: Callable[[], None] | None = None,
                 encode: Callable[[Any], bytes] | None = None, decode: Callable[[bytes], Any] | None = None):
        self._encode, self._decode = encode, decode
        self._depth = depth
        ctx = multiprocessing.get_context("fork")
        self._reader, self._writer = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=self._run, args=(produce, on_start), daemon=True,
                                    name="mirror-producer")
        self._process.start()
        self._writer.close()  # the child's end: a dead child then reads as end of file

    # -- in the child

    def _run(self, produce, on_start) -> None:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        self._reader.close()
        # a feeder thread writes to the pipe, so that `depth` items can be ready ahead of the parent
        ready: queue.Queue = queue.Queue(maxsize=self._depth)
        feeder = threading.Thread(target=self._feed, args=(ready,), daemon=True)
        feeder.start()
        try:
            if on_start:
                on_start()
            encode = self._encode
            for item in produce():
                ready.put(_ITEM + encode(item) if encode else _PICKLED + pickle.dumps(item, pickle.HIGHEST_PROTOCOL))
        except BaseException as exc:
            error = exc if _pickles(exc) else MirrorError(f"{type(exc).__name__}: {exc}")
            ready.put(_PICKLED + pickle.dumps(error, pickle.HIGHEST_PROTOCOL))
        else:
            ready.put(_END)
        ready.put(None)
        feeder.join()  # everything written before the child exits

    def _feed(self, ready: queue.Queue) -> None:
        try:
            while (message := ready.get()) is not None:
                self._writer.send_bytes(message)
        except OSError:  # the parent is gone (or closed its end): nobody will read
            os._exit(1)

    # -- in the parent

    def __iter__(self):
        while True:
            try:
                if not self._reader.poll(1.0):
                    continue
                message = self._reader.recv_bytes()
            except (EOFError, OSError):
                self._process.join(timeout=5)
                raise MirrorError(f"the mirror's fetch process died (exit code {self._process.exitcode})") from None
            kind, body = message[:1], message[1:]
            if kind == _END:
                return
            if kind == _ITEM:
                yield self._decode(body) if self._decode else body
                continue
            item = pickle.loads(body)
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=30)
        self._reader.close()


_ITEM, _PICKLED, _END = b"i", b"p", b"e"


def _pickles(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
        return True
    except Exception:
        return False
