"""The worker processes of a long pass: ranges in chain order and complete, a failure after
the ranges before it, and no worker outliving a killed indexer."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from web3 import Web3

import ledger
from ledger.chain.logs import Span
from ledger.chain.rpc import Retry, Rpc
from ledger.errors import MirrorError
from ledger.mirror import RowMappers
from ledger.mirror.decode import Decoder
from ledger.mirror.fetch import Fetcher
from ledger.mirror.plans import Plans
from ledger.mirror.workers import prepared_ranges
from tests.ledger.fakenode import FakeNode

from .test_fetch import BrokenAbove

PROJECT = Path(ledger.__file__).resolve().parent.parent
ADDRESS = "0x" + "11" * 20
WITH_LOGS = frozenset(range(3, 1001, 7))


def pool_parts(node: FakeNode, size: int = 40) -> tuple[Fetcher, Plans]:
    rpc = Rpc(Web3(node, middleware=[]), Retry(attempts=4, first_delay=0), sleep=lambda s: None)
    decoder = Decoder(1, [("C", ADDRESS, [])])
    return Fetcher(rpc, [ADDRESS], Span(size=size, target_logs=100)), Plans(decoder, RowMappers(), sqlite_dialect())


def test_ranges_come_in_chain_order_and_cover_every_block():
    fetcher, plans = pool_parts(FakeNode(limit=50, with_logs=WITH_LOGS))
    ranges = list(prepared_ranges(fetcher, plans, 0, 1000, workers=2))
    assert [n for r in ranges for n in range(r.start, r.end + 1)] == list(range(1001))
    assert all(r.end - r.start + 1 <= 50 for r in ranges)  # the node's limit, met in the workers
    assert sorted(row[1] for r in ranges for row in r.rows.raw_events) == sorted(WITH_LOGS)
    assert [b[1] for r in ranges for b in r.rows.blocks] == sorted(WITH_LOGS)


def test_a_failure_in_a_worker_comes_after_the_ranges_before_it():
    fetcher, plans = pool_parts(BrokenAbove(600), size=100)
    fetcher.rpc.retry = Retry(attempts=4, first_delay=0)
    got = []
    with pytest.raises(MirrorError, match="failed 4 times"):
        for r in prepared_ranges(fetcher, plans, 0, 1000, workers=2):
            got.append((r.start, r.end))
    assert got[0][0] == 0 and got[-1][1] == 599
    assert all(a[1] + 1 == b[0] for a, b in zip(got, got[1:]))


# An indexer whose pass goes to the workers: it prints their pids, then waits to be killed.
INDEXER = """
import multiprocessing, sys, time
sys.path.insert(0, sys.argv[1])
from web3 import Web3
from ledger.chain.logs import Span
from ledger.chain.rpc import Rpc
from ledger.mirror import RowMappers
from ledger.mirror.decode import Decoder
from ledger.mirror.fetch import Fetcher
from ledger.mirror.plans import Plans
from ledger.mirror.workers import prepared_ranges
from sqlalchemy.dialects.sqlite import dialect
from tests.ledger.fakenode import FakeNode
fetcher = Fetcher(Rpc(Web3(FakeNode(head=10**6, limit=10**6), middleware=[])), ["0x" + "11" * 20], Span(size=10))
ranges = prepared_ranges(fetcher, Plans(Decoder(1, []), RowMappers(), dialect()), 0, 10**6, workers=2)
next(ranges)
print(*[p.pid for p in multiprocessing.active_children()], flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[1].split()[0] != "Z"  # a zombie has died
    except FileNotFoundError:
        return False


def test_workers_die_with_a_killed_indexer():
    indexer = subprocess.Popen([sys.executable, "-c", INDEXER, str(PROJECT)], stdout=subprocess.PIPE, text=True,
                               cwd=PROJECT)
    workers = [int(pid) for pid in indexer.stdout.readline().split()]
    assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    indexer.send_signal(signal.SIGKILL)
    indexer.wait()
    indexer.stdout.close()
    deadline = time.monotonic() + 30  # a guard against hanging, not a measure: they die at once
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def test_a_worker_that_dies_is_a_mirror_error():
    fetcher, plans = pool_parts(FakeNode(limit=50, with_logs=WITH_LOGS))
    ranges = prepared_ranges(fetcher, plans, 0, 1000, workers=2)
    next(ranges)
    for child in __import__("multiprocessing").active_children():
        child.kill()
    with pytest.raises(MirrorError, match="worker process died"):
        list(ranges)
