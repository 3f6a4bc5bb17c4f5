"""The deployment manifest: chain id, and each contract's address, ABI and deployment block.

It is all a member or an auditor needs besides an RPC URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from web3 import Web3

from ledger import files
from ledger.errors import ConfigError

from .reverts import ErrorDecoder

FORMAT = "waico-deployment/1"


@dataclass(frozen=True)
class Deployed:
    address: str
    abi: list
    block: int


@dataclass
class Manifest:
    chain_id: int
    contracts: dict[str, Deployed] = field(default_factory=dict)
    deployer: str | None = None

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "chainId": self.chain_id,
            "deployer": self.deployer,
            "contracts": {
                name: {"address": c.address, "block": c.block, "abi": c.abi} for name, c in self.contracts.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict) -> "Manifest":
        if data.get("format") != FORMAT:
            raise ConfigError(f"not a WAICO deployment manifest (format {data.get('format')!r})")
        return cls(
            chain_id=int(data["chainId"]),
            deployer=data.get("deployer"),
            contracts={
                name: Deployed(Web3.to_checksum_address(c["address"]), c["abi"], int(c["block"]))
                for name, c in data["contracts"].items()
            },
        )

    def save(self, path: Path) -> None:
        files.replace(path, json.dumps(self.to_json(), indent=1))

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        try:
            return cls.from_json(json.loads(Path(path).read_text()))
        except FileNotFoundError:
            raise ConfigError(
                f"no deployment manifest at {path}: run `waico deploy` or `waico demo`, "
                "or pass --deployment / set WAICO_DEPLOYMENT"
            ) from None
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"malformed deployment manifest {path}: {exc}") from None

    def contract(self, w3: Web3, name: str):
        try:
            c = self.contracts[name]
        except KeyError:
            raise ConfigError(f"the deployment has no {name} contract") from None
        return w3.eth.contract(address=c.address, abi=c.abi)

    def error_decoder(self) -> ErrorDecoder:
        return ErrorDecoder.from_abis(c.abi for c in self.contracts.values())

    def check_chain(self, w3: Web3) -> None:
        actual = w3.eth.chain_id
        if actual != self.chain_id:
            raise ConfigError(f"the RPC endpoint is chain {actual}, but the deployment is on chain {self.chain_id}")
