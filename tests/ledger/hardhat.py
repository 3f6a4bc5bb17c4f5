"""Hardhat Network, a second EVM node implementation (npm `hardhat`, pinned in package.json),
started and stopped by the tests that check `ledger` works on more than anvil."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

from ledger.chain.anvil import DEV_MNEMONIC, PROJECT_ROOT, free_port

CLI = PROJECT_ROOT / "node_modules" / "hardhat" / "internal" / "cli" / "cli.js"


class HardhatNode:
    """`hardhat node` on a free port, in a folder of its own (it needs a config file there)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "HardhatNode":
        config = {"networks": {"hardhat": {"hardfork": "cancun", "chainId": 31337,
                                           "accounts": {"mnemonic": DEV_MNEMONIC, "count": 5}}}}
        (self.folder / "hardhat.config.js").write_text(f"module.exports = {json.dumps(config)};\n")
        env = dict(os.environ, HARDHAT_DISABLE_TELEMETRY_PROMPT="true", CI="true")
        self.process = subprocess.Popen(
            # run from the project, where hardhat is installed; its config (and so its root) is ours
            ["node", str(CLI), "--config", str(self.folder / "hardhat.config.js"), "node",
             "--hostname", "127.0.0.1", "--port", str(self.port)],
            cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hardhat node exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("hardhat node did not listen within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
