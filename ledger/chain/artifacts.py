"""Compiled contracts: brownie's build output (build/contracts/*.json), compiled on demand.

Only the secretariat's deployment needs bytecode; members and auditors work from the
deployment manifest, which carries every ABI.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from functools import cache

from ledger.errors import ConfigError

from .anvil import PROJECT_ROOT

BUILD_DIR = PROJECT_ROOT / "build" / "contracts"
CONTRACTS_DIR = PROJECT_ROOT / "contracts"


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list
    bytecode: str
    deployed_size: int
    libraries: tuple[str, ...] = ()  # external libraries the bytecode must be linked with

    def linked(self, addresses: dict[str, str]) -> str:
        """The bytecode with each library placeholder (brownie's `__Name___...`, 40 characters)
        replaced by that library's address."""
        code = self.bytecode
        for name in self.libraries:
            placeholder = f"__{name}".ljust(40, "_")
            code = code.replace(placeholder, addresses[name].lower().removeprefix("0x"))
        return code


def _stale() -> bool:
    if not BUILD_DIR.exists():
        return True
    built = min((p.stat().st_mtime for p in BUILD_DIR.glob("*.json")), default=0)
    sources = max((p.stat().st_mtime for p in CONTRACTS_DIR.rglob("*.sol")), default=0)
    return sources > built


def ensure_compiled() -> None:
    """Compile with brownie (through tools/env) when the build is missing or older than a source."""
    if not _stale():
        return
    if not (PROJECT_ROOT / "tools" / "env").exists():
        raise ConfigError("no compiled contracts and no source tree to compile them from")
    result = subprocess.run(
        [str(PROJECT_ROOT / "tools" / "env"), "brownie", "compile"],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise ConfigError("contract compilation failed:\n" + (result.stdout + result.stderr)[-2000:])
    load.cache_clear()


@cache
def load(name: str) -> Artifact:
    path = BUILD_DIR / f"{name}.json"
    if not path.exists():
        ensure_compiled()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no compiled artifact for {name} in {BUILD_DIR}") from None
    libraries = tuple(sorted({lib for refs in (data.get("linkReferences") or {}).values() for lib in refs}))
    return Artifact(name, data["abi"], "0x" + data["bytecode"].removeprefix("0x"),
                    len(data["deployedBytecode"].removeprefix("0x")) // 2, libraries)
