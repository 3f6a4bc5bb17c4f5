"""The standards pathway: shared standards, declarations of adoption, certification, promotion."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from ledger.chain.transactions import Signer

ZERO_HASH = b"\x00" * 32


class DeclarationStatus(IntEnum):
    none = 0
    declared = 1
    certified = 2
    rejected = 3
    revoked = 4


@dataclass(frozen=True)
class Standard:
    id: int
    title: str
    uri: str
    content_hash: bytes
    required_by: tuple[str, ...]

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "uri": self.uri,
                "contentHash": "0x" + self.content_hash.hex(), "requiredBy": list(self.required_by)}


DEFAULT_STANDARDS = Path(__file__).parents[1] / "data" / "standards.csv"
TIERS = ("Observer", "Associate", "Partner", "Full")


@dataclass(frozen=True)
class StandardSpec:
    """A standard to register at launch, and the lowest tier that requires it (and every tier above)."""

    title: str
    uri: str
    content_hash: bytes
    required_from: str


def load_standards(path: Path = DEFAULT_STANDARDS) -> list[StandardSpec]:
    import csv

    from ledger.errors import ConfigError

    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    specs = []
    for line, row in enumerate(rows, start=2):
        tier = row.get("required_from", "").strip()
        if tier not in TIERS[1:]:
            raise ConfigError(f"{path}:{line}: required_from must be Associate, Partner or Full")
        title = f"{row['code'].strip()} {row['title'].strip()}"
        specs.append(StandardSpec(title, row["uri"].strip(), hashlib.sha256(title.encode()).digest(), tier))
    return specs


def requirement_bitmaps(specs: list[StandardSpec]) -> list[int]:
    """Bitmap of required standard ids for tiers 1..3 (a standard binds its tier and those above)."""
    maps = [0, 0, 0]
    for sid, spec in enumerate(specs):
        for tier in range(TIERS.index(spec.required_from), len(TIERS)):
            maps[tier - 1] |= 1 << sid
    return maps


def read_standards(membership) -> list[Standard]:
    count = membership.functions.standardCount().call()
    tiers = membership.functions.tierCount().call()
    names = [membership.functions.tierName(t).call() for t in range(tiers)]
    requirements = [membership.functions.tierRequirements(t).call() for t in range(tiers)]
    out = []
    for sid in range(count):
        title, uri, content_hash = membership.functions.standard(sid).call()
        required_by = tuple(names[t] for t in range(tiers) if requirements[t] >> sid & 1)
        out.append(Standard(sid, title, uri, bytes(content_hash), required_by))
    return out


def hash_evidence(value: str) -> bytes:
    """A 32-byte hash: `0x`-hex taken as is, a file's SHA-256, or the SHA-256 of the text."""
    if value.startswith("0x") and len(value) == 66:
        return bytes.fromhex(value[2:])
    path = Path(value)
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).digest()
    return hashlib.sha256(value.encode()).digest()


def declare(signer: Signer, membership, standard_id: int, evidence: bytes,
            adaptation: bytes = ZERO_HASH, adaptation_uri: str = ""):
    return signer.send(membership.functions.declareAdoption(standard_id, evidence, adaptation, adaptation_uri),
                       f"declaring adoption of standard {standard_id}")


def certify(signer: Signer, membership, member: str, standard_id: int):
    return signer.send(membership.functions.certify(member, standard_id), f"certifying standard {standard_id}")


def reject(signer: Signer, membership, member: str, standard_id: int, reason: bytes):
    return signer.send(membership.functions.reject(member, standard_id, reason), f"rejecting standard {standard_id}")


def revoke(signer: Signer, membership, member: str, standard_id: int, reason: bytes):
    return signer.send(membership.functions.revoke(member, standard_id, reason), f"revoking standard {standard_id}")


def promote(signer: Signer, membership, member: str):
    return signer.send(membership.functions.promote(member), "promoting")


@dataclass(frozen=True)
class SharingStanding:
    """A member's record of sharing next to what the pathway's next tier requires of it."""

    confirmed: int
    distinct_requesters: int
    next_tier: str | None
    required_for_next_tier: int

    def to_json(self) -> dict:
        return {"confirmed": self.confirmed, "distinctRequesters": self.distinct_requesters,
                "nextTier": self.next_tier, "requiredForNextTier": self.required_for_next_tier}


def sharing_standing(membership, platform, member) -> SharingStanding:
    """`member`'s confirmed deliveries (SharingPlatform) and the next tier's minimum (Membership)."""
    confirmed, distinct = platform.functions.sharingRecord(member.address).call()
    tiers = membership.functions.tierCount().call()
    nxt = int(member.tier) + 1
    if nxt >= tiers:
        return SharingStanding(confirmed, distinct, None, 0)
    return SharingStanding(confirmed, distinct, membership.functions.tierName(nxt).call(),
                           membership.functions.tierSharingRequirement(nxt).call())
