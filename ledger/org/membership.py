"""Membership: the roster, admitting members, reading members and their weights."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from ledger.errors import ConfigError

DEFAULT_ROSTER = Path(__file__).parents[1] / "data" / "members.csv"


class Kind(IntEnum):
    State = 0
    Corporate = 1


class Tier(IntEnum):
    Observer = 0
    Associate = 1
    Partner = 2
    Full = 3


class Status(IntEnum):
    Unknown = 0
    Active = 1
    Suspended = 2
    Expelled = 3


@dataclass(frozen=True)
class RosterEntry:
    """One line of a roster file: who to admit, at which tier, with which need score."""

    kind: Kind
    identifier: str
    name: str
    tier: Tier
    need_score: int
    note: str = ""
    address: str | None = None  # optional column: the member's account


@dataclass(frozen=True)
class Member:
    address: str
    index: int
    kind: Kind
    tier: Tier
    tier_name: str
    status: Status
    name: str
    identifier: str
    certifications: int
    weight: int

    @property
    def voting(self) -> bool:
        return self.status == Status.Active and self.tier != Tier.Observer


def load_roster(path: Path = DEFAULT_ROSTER) -> list[RosterEntry]:
    """Read a roster CSV (columns: kind, identifier, name, tier, need_score[, note])."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise ConfigError(f"cannot read roster {path}: {exc.strerror}") from None
    entries = []
    for line, row in enumerate(rows, start=2):
        try:
            entries.append(RosterEntry(
                kind=Kind[row["kind"].strip()],
                identifier=row["identifier"].strip(),
                name=row["name"].strip(),
                tier=Tier[row["tier"].strip()],
                need_score=int(row.get("need_score") or 0),
                note=(row.get("note") or "").strip(),
                address=_address(row.get("address")),
            ))
        except (KeyError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{path}:{line}: bad roster row ({exc}); expected kind State|Corporate, "
                              "tier Observer|Associate|Partner|Full, need_score an integer, "
                              "address (optional) a 0x-address") from None
        if not entries[-1].identifier or not entries[-1].name:
            raise ConfigError(f"{path}:{line}: name and identifier must not be empty")
    return entries


def _address(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    from web3 import Web3

    return Web3.to_checksum_address(value.strip())


def admit_calls(contract, roster: list[RosterEntry], addresses: list[str]):
    """The `admit` calls for a roster, one per entry, in order."""
    return [
        contract.functions.admit(address, int(e.kind), int(e.tier), e.name, e.identifier)
        for e, address in zip(roster, addresses, strict=True)
    ]


def read_member(contract, address: str, tier_names: list[str] | None = None) -> Member | None:
    info = contract.functions.member(address).call()
    kind, tier, status, index, certs, name, identifier = info
    if status == Status.Unknown:
        return None
    names = tier_names or tier_names_of(contract)
    return Member(
        address=address, index=index, kind=Kind(kind), tier=Tier(tier), tier_name=names[tier],
        status=Status(status), name=name, identifier=identifier, certifications=certs,
        weight=contract.functions.getVotes(address).call(),
    )


def tier_names_of(contract) -> list[str]:
    return [contract.functions.tierName(t).call() for t in range(contract.functions.tierCount().call())]


def read_members(contract) -> list[Member]:
    """Every account ever admitted, in admission order, with its current effective weight."""
    names = tier_names_of(contract)
    count = contract.functions.memberCount().call()
    addresses = [contract.functions.memberAt(i).call() for i in range(1, count + 1)]
    return [read_member(contract, a, names) for a in addresses]


def find_member(contract, query: str) -> Member:
    """A member by address, identifier (e.g. `MYS`) or name (case-insensitive)."""
    if query.startswith("0x") and len(query) == 42:
        from web3 import Web3

        member = read_member(contract, Web3.to_checksum_address(query))
        if member is None:
            from ledger.errors import NotAMember

            raise NotAMember(f"{query} is not a member")
        return member
    wanted = query.lower()
    for member in read_members(contract):
        if wanted in (member.identifier.lower(), member.name.lower()):
            return member
    raise ConfigError(f"no member with address, identifier or name {query!r}")
