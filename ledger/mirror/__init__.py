"""The SQL mirror: every event of the manifest's contracts, in tables anyone can query.

fetch (logs and headers by block range) → decode (ABI values) and rows (raw rows, and
typed rows through row mappers: `typed` registers those of the WAICO contracts on the default
registry), compiled together per event by `plans` → store (one transaction per range) —
driven by `sync`. Readers (the audit, the checkpointed log) go through `read.open_mirror`, which
refuses a missing, never-synced or differently versioned mirror (`schema`) and creates nothing.
"""

from . import typed  # noqa: E402,F401  (registers the typed tables' mappers on MAPPERS)
from .decode import Decoder, Event
from .read import MirroredLog, MirrorReader, open_mirror
from .rows import MAPPERS, Arg, Const, RowMappers, position
from .store import open_db
from .sync import Progress, SyncOptions, SyncStats, sync
from .tables import Block, Cursor, RawEvent

__all__ = [
    "Arg", "Block", "Const", "Cursor", "Decoder", "Event", "MAPPERS", "MirrorReader", "MirroredLog", "Progress",
    "RawEvent", "RowMappers", "SyncOptions", "SyncStats", "open_db", "open_mirror", "position", "sync",
]
