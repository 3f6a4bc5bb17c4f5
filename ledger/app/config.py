"""Configuration in one place: RPC URL, deployment manifest, database URL, key folder.

Each value comes from a command-line option, else an environment variable, else the working
folder (`--workdir`, WAICO_WORKDIR, default `./.waico`) that `waico demo` and `waico deploy` write.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WORKDIR = Path(".waico")
DEFAULT_RPC = "http://127.0.0.1:8545"
SETTINGS_FILE = "settings.json"


@dataclass(frozen=True)
class Config:
    workdir: Path
    rpc_url: str
    deployment: Path
    db_url: str
    keys_dir: Path

    @classmethod
    def resolve(cls, workdir: str | None = None, rpc: str | None = None, deployment: str | None = None,
                db: str | None = None, keys: str | None = None) -> "Config":
        wd = Path(workdir or os.environ.get("WAICO_WORKDIR") or DEFAULT_WORKDIR)
        saved = read_settings(wd)
        return cls(
            workdir=wd,
            rpc_url=rpc or os.environ.get("WAICO_RPC_URL") or saved.get("rpc_url") or DEFAULT_RPC,
            deployment=Path(deployment or os.environ.get("WAICO_DEPLOYMENT") or wd / "deployment.json"),
            db_url=db or os.environ.get("WAICO_DB") or f"sqlite:///{(wd / 'mirror.db').as_posix()}",
            keys_dir=Path(keys or os.environ.get("WAICO_KEYS") or wd / "keys"),
        )


def read_settings(workdir: Path) -> dict:
    try:
        return json.loads((workdir / SETTINGS_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def write_settings(workdir: Path, **values) -> None:
    """Remember values (e.g. the RPC URL of the demo's chain) for later commands in `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    settings = read_settings(workdir) | values
    (workdir / SETTINGS_FILE).write_text(json.dumps(settings, indent=1))
