"""Deployment: deploy and wire every contract, then write the manifest."""

from __future__ import annotations

from dataclasses import dataclass, field

from web3 import Web3

from . import artifacts
from .chain import Signer
from .manifest import Deployed, Manifest
from .pathway import StandardSpec, load_standards, requirement_bitmaps


@dataclass(frozen=True)
class Parameters:
    """Constitutional parameters at launch; governance changes them afterwards."""

    basic_votes: int = 250
    tier_votes: tuple[int, int, int] = (100, 400, 1000)
    corporate_cap_bps: int = 2000
    verifiers: tuple[str, ...] = field(default_factory=tuple)
    standards: tuple[StandardSpec, ...] = field(default_factory=lambda: tuple(load_standards()))


def deploy(w3: Web3, signer: Signer, params: Parameters = Parameters()) -> Manifest:
    """Deploy the contracts from the compiled artifacts and wire them; return the manifest."""
    manifest = Manifest(chain_id=w3.eth.chain_id, deployer=signer.address)

    def put(name: str, *args) -> str:
        artifact = artifacts.load(name)
        address, receipt = signer.deploy(artifact.abi, artifact.bytecode, *args, what=f"deploying {name}")
        manifest.contracts[name] = Deployed(address, artifact.abi, receipt["blockNumber"])
        return address

    put("Membership", signer.address, params.basic_votes, list(params.tier_votes), params.corporate_cap_bps)
    membership = manifest.contract(w3, "Membership")
    verifier_role = membership.functions.VERIFIER_ROLE().call()
    for verifier in params.verifiers:
        signer.send(membership.functions.grantRole(verifier_role, verifier), f"granting VERIFIER_ROLE to {verifier}")
    for spec in params.standards:
        signer.send(membership.functions.registerStandard(spec.title, spec.uri, spec.content_hash),
                    f"registering standard {spec.title}")
    for tier, bitmap in enumerate(requirement_bitmaps(list(params.standards)), start=1):
        if bitmap:
            signer.send(membership.functions.setTierRequirements(tier, bitmap), f"setting tier {tier} requirements")
    return manifest
