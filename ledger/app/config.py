"""Configuration in one place: RPC URL, deployment manifest, database URL, key folder.

Each value comes from a command-line option, else an environment variable, else the working
folder (`--workdir`, WAICO_WORKDIR, default `./.waico`) that `waico demo` and `waico deploy` write.
The most a transaction bids per gas is WAICO_MAX_FEE_GWEI (default
`ledger.chain.transactions.DEFAULT_MAX_FEE_GWEI`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ledger import files
from ledger.chain.http import has_secrets
from ledger.chain.transactions import DEFAULT_MAX_FEE_GWEI, GWEI
from ledger.errors import ConfigError

DEFAULT_WORKDIR = Path(".waico")
DEFAULT_RPC = "http://127.0.0.1:8545"
SETTINGS_FILE = "settings.json"
# a SQLAlchemy URL: dialect[+driver]://...
_DB_URL = re.compile(r"[A-Za-z][A-Za-z0-9]*(\+[A-Za-z0-9_]+)?://.")
# what to say when write_settings leaves an RPC URL out
URL_NOT_REMEMBERED = ("the RPC URL is not remembered in the working folder (it may carry an API key): "
                      "set WAICO_RPC_URL or pass --rpc")


@dataclass(frozen=True)
class Config:
    workdir: Path
    rpc_url: str
    deployment: Path
    db_url: str
    keys_dir: Path
    max_fee: int = DEFAULT_MAX_FEE_GWEI * GWEI  # wei per gas, the most a transaction bids

    @classmethod
    def resolve(cls, workdir: str | None = None, rpc: str | None = None, deployment: str | None = None,
                db: str | None = None, keys: str | None = None) -> "Config":
        wd = Path(workdir or os.environ.get("WAICO_WORKDIR") or DEFAULT_WORKDIR)
        saved = read_settings(wd)
        return cls(
            workdir=wd,
            rpc_url=rpc or os.environ.get("WAICO_RPC_URL") or saved.get("rpc_url") or DEFAULT_RPC,
            deployment=Path(deployment or os.environ.get("WAICO_DEPLOYMENT") or wd / "deployment.json"),
            db_url=check_db_url(db or os.environ.get("WAICO_DB")) or f"sqlite:///{(wd / 'mirror.db').as_posix()}",
            keys_dir=Path(keys or os.environ.get("WAICO_KEYS") or wd / "keys"),
            max_fee=_max_fee(os.environ.get("WAICO_MAX_FEE_GWEI")),
        )


def check_db_url(text: str | None) -> str | None:
    """A database URL a person gave (--db, WAICO_DB), refused unless it has the form of a
    SQLAlchemy URL: a bare word or path would otherwise become a new SQLite file of that name."""
    if text is None or _DB_URL.match(text):
        return text
    shown = f" {text!r}" if "@" not in text else ""
    raise ConfigError(f"--db{shown} is not a database URL: give one such as sqlite:///mirror.db (a relative "
                      "path), sqlite:////var/waico/mirror.db (absolute) or postgresql+psycopg://user@host/dbname")


def _max_fee(text: str | None) -> int:
    """WAICO_MAX_FEE_GWEI (a positive number of gwei) in wei."""
    if not text:
        return DEFAULT_MAX_FEE_GWEI * GWEI
    try:
        wei = int(Decimal(text) * GWEI)
    except (InvalidOperation, ValueError):
        wei = 0
    if wei <= 0:
        raise ConfigError(f"WAICO_MAX_FEE_GWEI must be a positive number of gwei, not {text!r}")
    return wei


def read_settings(workdir: Path) -> dict:
    try:
        return json.loads((workdir / SETTINGS_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def write_settings(workdir: Path, **values) -> list[str]:
    """Remember values (e.g. the RPC URL of the demo's chain) for later commands in `workdir`,
    in a file only its owner can read. An RPC URL that may carry a credential (a user or
    password, an API key in its path or query) is not written: returns the names left out."""
    left_out = [name for name, value in values.items() if name == "rpc_url" and has_secrets(value)]
    settings = read_settings(workdir) | {k: v for k, v in values.items() if k not in left_out}
    files.replace(workdir / SETTINGS_FILE, json.dumps(settings, indent=1), files.SECRET)
    return left_out
