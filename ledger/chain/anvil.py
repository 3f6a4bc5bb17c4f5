"""A local anvil chain the tool starts and stops itself (`waico demo`, the ledger tests).

The real anvil binary from node_modules is used, never the Node wrapper in
node_modules/.bin (killing the wrapper leaves anvil running). It is killed by PID. It
picks a free port itself (port 0) and says which in its log: no other process can take
the port between its choice and its use.
"""

from __future__ import annotations

import platform
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ledger.errors import ChainUnavailable, ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# anvil's default mnemonic: its first accounts are funded on every fresh chain.
DEV_MNEMONIC = "test test test test test test test test test test test junk"


def find_anvil() -> str:
    """Path of the real anvil binary: node_modules first, then PATH."""
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine(), platform.machine())
    system = platform.system().lower()
    candidate = PROJECT_ROOT / "node_modules" / "@foundry-rs" / f"anvil-{system}-{arch}" / "bin" / "anvil"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("anvil")
    if found:
        return found
    raise ConfigError("anvil not found: run `make setup` (it installs @foundry-rs/anvil from npm)")


def free_port() -> int:
    """A port nobody listened on a moment ago (for a connection that should fail): a server
    should bind port 0 itself instead, or another process may take the port first."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_LISTENING = re.compile(rb"Listening on [0-9.]+:(\d+)")


@dataclass
class Anvil:
    """A running anvil process. Use as a context manager, or call stop()."""

    port: int = 0  # 0: a free port, chosen by anvil (known once started)
    accounts: int = 10
    block_gas_limit: int = 30_000_000
    states_kept: int = 512
    extra_args: tuple[str, ...] = ()
    process: subprocess.Popen | None = None
    _log: object = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15.0) -> "Anvil":
        args = [
            find_anvil(),
            "--port", str(self.port),
            "--accounts", str(self.accounts),
            "--mnemonic", DEV_MNEMONIC,
            "--gas-limit", str(self.block_gas_limit),
            "--base-fee", "0",
            # no history spilled to disk; recent states stay in memory for replays at a block
            "--prune-history", str(self.states_kept),
            *self.extra_args,
        ]
        # its log goes to a file (a pipe nobody reads would fill and stall it); the port is in it
        self._log = tempfile.TemporaryFile(prefix="anvil-")
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                self.stop()
                raise ChainUnavailable(f"anvil exited at start: {err.strip()[:300]}")
            self._log.seek(0)
            found = _LISTENING.search(self._log.read(1 << 16))
            if found:
                self.port = int(found.group(1))
                return self
            time.sleep(0.05)
        self.stop()
        raise ChainUnavailable(f"anvil did not start listening within {timeout:.0f}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        self.process = None

    def __enter__(self) -> "Anvil":
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()


def dev_private_key(index: int) -> str:
    """Private key of anvil's funded account `index` (a well-known dev key, never for real chains)."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}").key.hex()

