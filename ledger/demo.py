"""`waico demo`: the main job on the embedded default, end to end on one chain.

Start a local anvil (unless given an RPC URL), deploy, admit the shipped roster with a key per
member, run a proposal on every track with every voting member's ballot signed from its key
and relayed in batches, run a disbursement round through governance, and summarise.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import keys
from .anvil import Anvil, dev_private_key
from .chain import Signer, connect
from .config import write_settings
from .deploy import Parameters, deploy
from .membership import DEFAULT_ROSTER, Member, admit_calls, load_roster, read_members

DEMO_PASSWORD = "waico-demo"  # the demo's member keys guard nothing of value; real keys get a prompt


@dataclass
class DemoResult:
    rpc_url: str
    chain_id: int
    workdir: Path
    manifest_path: Path
    keys_dir: Path
    chain_kept: bool
    members: list[Member] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {
            "rpcUrl": self.rpc_url,
            "chainId": self.chain_id,
            "chainKept": self.chain_kept,
            "paths": {"workdir": str(self.workdir), "deployment": str(self.manifest_path), "keys": str(self.keys_dir)},
            "members": [
                {"address": m.address, "name": m.name, "identifier": m.identifier, "kind": m.kind.name,
                 "tier": m.tier_name, "weight": m.weight}
                for m in self.members
            ],
            "seconds": round(self.seconds, 2),
        }


def run(workdir: Path, rpc_url: str | None = None, keep_chain: bool = False,
        roster_path: Path = DEFAULT_ROSTER, progress: Callable[[str], None] = lambda _: None) -> DemoResult:
    started = time.monotonic()
    roster = load_roster(roster_path)
    own_chain = rpc_url is None
    with contextlib.ExitStack() as stack:
        if own_chain:
            anvil = Anvil(accounts=5).start()
            if not keep_chain:
                stack.callback(anvil.stop)
            rpc_url = anvil.url
            progress(f"started anvil at {rpc_url}" + (" (kept running after the demo)" if keep_chain else ""))
        w3 = connect(rpc_url)
        secretariat = Signer(w3, dev_private_key(0))

        progress("deploying contracts")
        manifest = deploy(w3, secretariat, Parameters(verifiers=(secretariat.address,)))
        secretariat.decoder = manifest.error_decoder()
        manifest_path = workdir / "deployment.json"
        manifest.save(manifest_path)
        write_settings(workdir, rpc_url=rpc_url)

        progress(f"creating {len(roster)} member keys in {workdir / 'keys'}")
        member_keys = [_member_key(workdir / "keys", entry.identifier) for entry in roster]

        progress(f"admitting {len(roster)} members")
        membership = manifest.contract(w3, "Membership")
        sent = [secretariat.send(call, "admitting a member", wait=False)
                for call in admit_calls(membership, roster, [k.address for k in member_keys])]
        for tx_hash in sent:
            secretariat.wait(tx_hash, "admitting a member")

        members = read_members(membership)
        return DemoResult(
            rpc_url=rpc_url, chain_id=manifest.chain_id, workdir=workdir, manifest_path=manifest_path,
            keys_dir=workdir / "keys", chain_kept=keep_chain or not own_chain, members=members,
            seconds=time.monotonic() - started,
        )


def _member_key(directory: Path, label: str) -> keys.KeyFile:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)
    path = directory / f"{safe}.json"
    if path.exists():
        return keys.read_keyfile(path)
    from eth_account import Account

    return keys.write_keyfile(directory, safe, Account.create().key, DEMO_PASSWORD)
