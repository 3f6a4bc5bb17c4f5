"""Files the ledger writes on the user's machine (keys, ballot files, settings, checkpoints),
written so that nobody else's link or timing decides where or what:

- `create`: a new file, never an existing one: `O_CREAT | O_EXCL | O_NOFOLLOW`, so a symlink
  planted at the path (even a dangling one) is refused, not followed, and the file has its
  mode from its first byte (a key is never 0644 until a later chmod).
- `replace`: a file's new content, all at once: written to a new temporary file beside it,
  flushed to disk, then renamed over it. A reader sees the old file or the new one, never half
  of one; a symlink at the path is replaced, not followed.

Both raise `FileExistsError` / `OSError` as the operating system does; callers say what the
file is in their own one-line error.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

SECRET = 0o600  # keys, settings: the owner only
PUBLIC = 0o644  # ballot files, checkpoints, manifests


def _bytes(data: bytes | str) -> bytes:
    return data.encode() if isinstance(data, str) else data


def create(path: Path, data: bytes | str, mode: int = PUBLIC) -> Path:
    """Write a new file at `path` (its folder created if missing); FileExistsError if anything,
    a symlink included, is already there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_bytes(data))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def replace(path: Path, data: bytes | str, mode: int = PUBLIC) -> Path:
    """Replace the file at `path` (or create it) atomically, with `mode`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # 0600, O_EXCL
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_bytes(data))
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
