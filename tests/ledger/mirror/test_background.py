"""The sync's background producers: items and errors in order, early close, and a child
process that never outlives the indexer."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import ledger
from ledger.errors import MirrorError
from ledger.mirror.background import ProducerProcess, ProducerThread

PROJECT = Path(ledger.__file__).resolve().parent.parent


class Unpicklable(Exception):
    def __init__(self):
        super().__init__("held a lock")
        self.lock = threading.Lock()  # locks do not pickle


def numbers_then(error: BaseException | None, count: int = 5):
    def produce():
        yield from range(count)
        if error is not None:
            raise error
    return produce


@pytest.mark.parametrize("kind", [ProducerProcess, ProducerThread])
def test_items_then_the_error_in_order(kind):
    producer = kind(numbers_then(ValueError("range 7 refused")))
    got = []
    with pytest.raises(ValueError, match="range 7 refused"):
        for item in producer:
            got.append(item)
    producer.close()
    assert got == [0, 1, 2, 3, 4]


def test_an_error_that_cannot_cross_the_pipe_arrives_as_its_text():
    producer = ProducerProcess(numbers_then(Unpicklable(), count=2))
    with pytest.raises(MirrorError, match="Unpicklable: held a lock"):
        list(producer)
    producer.close()


def test_encode_and_decode_carry_the_items():
    producer = ProducerProcess(numbers_then(None, count=3), encode=lambda n: str(n * 10).encode(),
                               decode=lambda b: int(b) + 1)
    assert list(producer) == [1, 11, 21]
    producer.close()


def test_on_start_runs_in_the_child_first():
    def produce():
        yield os.getpid()
        yield os.environ.get("PRODUCER_STARTED")

    producer = ProducerProcess(produce, on_start=lambda: os.environ.__setitem__("PRODUCER_STARTED", "yes"))
    child_pid, started = list(producer)
    producer.close()
    assert child_pid != os.getpid() and started == "yes"
    assert "PRODUCER_STARTED" not in os.environ


def test_close_before_the_end_stops_the_child():
    producer = ProducerProcess(lambda: itertools.count())
    items = iter(producer)
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    producer.close()
    assert not producer._process.is_alive()


PARENT = """
import itertools, os, sys, time
sys.path.insert(0, sys.argv[1])
from ledger.mirror.background import ProducerProcess
producer = ProducerProcess(lambda: ((os.getpid(), n) for n in itertools.count()), depth=1)
print(next(iter(producer))[0], flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[1].split()[0] != "Z"  # a zombie has died
    except FileNotFoundError:
        return False


def test_the_child_dies_with_a_killed_parent():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(PROJECT)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
