"""Keys: keystore v3 JSON files (interchangeable with geth, brownie and wallet imports).

A private key is never printed or logged. Passwords come from a prompt, or for automation
from WAICO_PASSWORD / a file named by WAICO_PASSWORD_FILE.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account

from ledger.errors import ConfigError, KeystoreError

# Scrypt at geth's standard cost (n = 2**18, ~1 s and 256 MB to unlock): for every key a person
# creates (`waico account new`), since it signs real ballots.
STANDARD_SCRYPT_N = 1 << 18
# geth's "light" cost, for the demo's throwaway member keys only (it makes dozens, and says so).
LIGHT_SCRYPT_N = 1 << 12


@dataclass(frozen=True)
class KeyFile:
    path: Path
    address: str

    @property
    def label(self) -> str:
        return self.path.stem


def password_from_env() -> str | None:
    if "WAICO_PASSWORD" in os.environ:
        return os.environ["WAICO_PASSWORD"]
    if path := os.environ.get("WAICO_PASSWORD_FILE"):
        try:
            return Path(path).read_text().rstrip("\n")
        except OSError as exc:
            raise ConfigError(f"cannot read WAICO_PASSWORD_FILE {path}: {exc.strerror}") from None
    return None


def write_keyfile(directory: Path, label: str, private_key: str | bytes, password: str,
                  scrypt_n: int = LIGHT_SCRYPT_N) -> KeyFile:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{label}.json"
    if path.exists():
        raise ConfigError(f"a key named {label!r} already exists: {path}")
    data = Account.encrypt(private_key, password, kdf="scrypt", iterations=scrypt_n)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)
    return KeyFile(path, Account.from_key(private_key).address)


def new_key(directory: Path, label: str, password: str) -> KeyFile:
    """A new key at the standard scrypt cost."""
    return write_keyfile(directory, label, Account.create().key, password, scrypt_n=STANDARD_SCRYPT_N)


def ensure_key(directory: Path, label: str, password: str) -> KeyFile:
    """The key named `label` (characters outside [A-Za-z0-9_-] become _), created if missing at
    the demo's light scrypt cost: for the demo's throwaway member keys only."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)
    path = directory / f"{safe}.json"
    if path.exists():
        return read_keyfile(path)
    return write_keyfile(directory, safe, Account.create().key, password)


def read_keyfile(path: Path) -> KeyFile:
    try:
        data = json.loads(Path(path).read_text())
        return KeyFile(Path(path), _address(data))
    except FileNotFoundError:
        raise KeystoreError(f"no keystore file at {path}") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise KeystoreError(f"{path} is not a keystore v3 file") from None


def _address(data: dict) -> str:
    from web3 import Web3

    return Web3.to_checksum_address("0x" + data["address"].removeprefix("0x"))


def list_keys(directory: Path) -> list[KeyFile]:
    if not directory.exists():
        return []
    keys = []
    for path in sorted(directory.glob("*.json")):
        try:
            keys.append(read_keyfile(path))
        except KeystoreError:
            continue
    return keys


def find_key(directory: Path, name_or_address: str) -> KeyFile:
    """A key by label (file stem), path or address."""
    candidate = Path(name_or_address)
    if candidate.suffix == ".json" and candidate.exists():
        return read_keyfile(candidate)
    for key in list_keys(directory):
        if key.label == name_or_address or key.address.lower() == name_or_address.lower():
            return key
    raise ConfigError(f"no key {name_or_address!r} in {directory} (see `waico account list`)")


def unlock(key: KeyFile, password: str) -> bytes:
    """The private key in `key`; raises KeystoreError on a wrong password."""
    try:
        return bytes(Account.decrypt(json.loads(key.path.read_text()), password))
    except ValueError:
        raise KeystoreError(f"wrong password for key {key.label} ({key.address})") from None
