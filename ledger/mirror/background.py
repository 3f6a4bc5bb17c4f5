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
(`on_start`); it dies with the parent (PR_SET_PDEATHSIG on Linux, and a check of its parent
while it waits), so a killed indexer leaves nothing running.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
from typing import Any, Callable, Iterator

from ..errors import MirrorError

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
    than pickle. `on_start` runs first in the child (e.g. to open its own HTTP session rather
    than share the parent's sockets)."""

    def __init__(self, produce: Callable[[], Iterator[Any]], depth: int = 2,
                 on_start: Callable[[], None] | None = None,
                 encode: Callable[[Any], bytes] | None = None, decode: Callable[[bytes], Any] | None = None):
        self._encode, self._decode = encode, decode
        ctx = multiprocessing.get_context("fork")
        self._queue = ctx.Queue(maxsize=depth)
        self._parent = os.getpid()
        self._process = ctx.Process(target=self._run, args=(produce, on_start), daemon=True,
                                    name="mirror-producer")
        self._process.start()

    # -- in the child

    def _put(self, item) -> None:
        while True:
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                if os.getppid() != self._parent:  # orphaned: nobody will read
                    os._exit(1)

    def _run(self, produce, on_start) -> None:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        try:
            if on_start:
                on_start()
            encode = self._encode
            for item in produce():
                self._put(encode(item) if encode else item)
        except BaseException as exc:
            self._put(exc if _pickles(exc) else MirrorError(f"{type(exc).__name__}: {exc}"))
        else:
            self._put(_DONE)
        self._queue.close()
        self._queue.join_thread()  # everything flushed into the pipe before the child exits

    # -- in the parent

    def __iter__(self):
        while True:
            try:
                item = self._queue.get(timeout=1.0)
            except queue.Empty:
                if not self._process.is_alive():
                    try:  # it may have exited just after its last put
                        item = self._queue.get(timeout=0.5)
                    except queue.Empty:
                        raise MirrorError(f"the mirror's fetch process died (exit code "
                                          f"{self._process.exitcode})") from None
                else:
                    continue
            if isinstance(item, str) and item == _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield self._decode(item) if self._decode else item

    def close(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=30)
        self._queue.close()
        self._queue.cancel_join_thread()


def _pickles(exc: BaseException) -> bool:
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return True
    except Exception:
        return False
