"""A killed indexer resumes with no gap and no duplicate: SIGKILL at random points of its work
(after a random number of committed ranges, while it reads, maps or writes the next)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import ledger
from ledger.mirror import sync

from .support import dump

PROJECT = Path(ledger.__file__).resolve().parent.parent

# The indexer as its own process: sync in a loop of small ranges (many commits to land in).
CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from ledger.chain.node import connect
from ledger.chain.manifest import Manifest
from ledger.mirror import SyncOptions, sync
w3 = connect(sys.argv[2])
manifest = Manifest.load(sys.argv[3])
db, end = sys.argv[4], int(sys.argv[5])
print("ready", flush=True)
block = -1
while block < end:
    block = sync(w3, manifest, db, to_block=min(end, block + 16), options=SyncOptions(span=2, max_span=4),
                 progress=lambda p: print("committed", p.block, flush=True)).last_block
"""


def test_sigkilled_indexer_resumes_to_the_same_mirror_row_for_row(w3, chain, deployment, new_db, tmp_path):
    manifest_path = tmp_path / "deployment.json"
    deployment.save(manifest_path)
    end = w3.eth.block_number
    clean, killed = new_db(), new_db()
    sync(w3, deployment, clean, to_block=end)

    rng = random.Random(7)
    argv = [sys.executable, "-c", CHILD, str(PROJECT), chain.url, str(manifest_path), killed, str(end)]
    for _ in range(4):  # each run is killed after a few more committed ranges: there are dozens
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            for _ in range(rng.randint(1, 4)):
                assert child.stdout.readline().startswith("committed"), child.stderr.read()
            child.send_signal(signal.SIGKILL)
            child.wait()
        finally:
            child.stdout.close()
            child.stderr.close()
    finished = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr

    mirror = dump(clean)
    assert mirror["member_event"]  # the typed tables are compared too
    assert dump(killed) == mirror
