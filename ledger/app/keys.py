"""Keys: keystore v3 JSON files (interchangeable with geth, brownie and wallet imports).

A private key is never printed or logged. Passwords come from a prompt, or for automation
from WAICO_PASSWORD / a file named by WAICO_PASSWORD_FILE (readable by its owner only, as ssh
wants of a key: a password file others can read is refused).

A key's file is its label, percent-encoded where a character could name another folder or
file (`NYSE:BABA` → `NYSE%3ABABA.json`, `NYSE/BABA` → `NYSE%2FBABA.json`): two labels never
share a file, and no label writes outside the keys folder. Key files are created 0600 from
their first byte, never over an existing file or through a symlink (`ledger.files`).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from eth_account import Account

from ledger import files
from ledger.errors import ConfigError, KeystoreError

# Scrypt at geth's standard cost (n = 2**18, ~1 s and 256 MB to unlock): for every key a person
# creates (`waico account new`), since it signs real ballots.
STANDARD_SCRYPT_N = 1 << 18
# geth's "light" cost, for the demo's throwaway member keys only (it makes dozens, and says so).
LIGHT_SCRYPT_N = 1 << 12
# a keystore v3 file is under 1 KB; a password, a line
MAX_KEYSTORE = 64 * 1024
MAX_PASSWORD_FILE = 4096


@dataclass(frozen=True)
class KeyFile:
    path: Path
    address: str

    @property
    def label(self) -> str:
        return unquote(self.path.stem)


def file_name(label: str) -> str:
    """The key file of a label: every character but letters, digits, `-` and `_` (and `.` not in
    first place) percent-encoded, so that the mapping is one-to-one and stays in the folder."""
    name = quote(label, safe="-_.")
    return ("%2E" + name[1:] if name.startswith(".") else name) + ".json"


def check_label(label: str) -> str:
    """A label a person gives a key: 1 to 64 printable characters, no path separator."""
    if not 0 < len(label) <= 64 or not label.isprintable() or "/" in label or "\\" in label:
        raise ConfigError(f"a key label is 1 to 64 printable characters without / or \\, not {label!r}")
    return label


def password_from_env() -> str | None:
    if "WAICO_PASSWORD" in os.environ:
        return os.environ["WAICO_PASSWORD"]
    if path := os.environ.get("WAICO_PASSWORD_FILE"):
        return _password_file(Path(path))
    return None


def password_or_terminal(what: str) -> str | None:
    """The password of WAICO_PASSWORD or WAICO_PASSWORD_FILE; else None when there is a
    terminal to ask on (the caller prompts); else a ConfigError naming both variables."""
    password = password_from_env()
    if password is None and not sys.stdin.isatty():
        raise ConfigError(f"no terminal to ask the password for {what} on: set WAICO_PASSWORD, or WAICO_PASSWORD_FILE "
                          "(a file only you may read)")
    return password


def _password_file(path: Path) -> str:
    """The first line of a password file that only its owner can read."""
    try:
        with open(path, "rb") as f:
            info = os.fstat(f.fileno())  # of the file opened, not of whatever the path names later
            if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or info.st_uid not in (os.getuid(), 0):
                raise ConfigError(f"WAICO_PASSWORD_FILE {path} may be read by others (mode "
                                  f"{stat.S_IMODE(info.st_mode):04o}, owner uid {info.st_uid}): chmod 600 it")
            raw = f.read(MAX_PASSWORD_FILE + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read WAICO_PASSWORD_FILE {path}: {exc.strerror}") from None
    if len(raw) > MAX_PASSWORD_FILE:
        raise ConfigError(f"WAICO_PASSWORD_FILE {path} is larger than {MAX_PASSWORD_FILE} bytes: not a password file")
    try:
        return raw.decode().rstrip("\n")
    except UnicodeDecodeError:
        raise ConfigError(f"WAICO_PASSWORD_FILE {path} is not UTF-8 text") from None


def _write(directory: Path, label: str, keystore: bytes, address: str) -> KeyFile:
    path = directory / file_name(label)
    try:
        files.create(path, keystore, files.SECRET)
    except FileExistsError:
        raise ConfigError(f"a key named {label!r} already exists: {path}") from None
    return KeyFile(path, address)


def write_keyfile(directory: Path, label: str, private_key: str | bytes, password: str,
                  scrypt_n: int = LIGHT_SCRYPT_N) -> KeyFile:
    if (directory / file_name(label)).exists():  # before spending scrypt's time
        raise ConfigError(f"a key named {label!r} already exists: {directory / file_name(label)}")
    data = Account.encrypt(private_key, password, kdf="scrypt", iterations=scrypt_n)
    return _write(directory, label, json.dumps(data).encode(), Account.from_key(private_key).address)


def new_key(directory: Path, label: str, password: str) -> KeyFile:
    """A new key at the standard scrypt cost."""
    return write_keyfile(directory, check_label(label), Account.create().key, password, scrypt_n=STANDARD_SCRYPT_N)


def import_key(directory: Path, source: Path, label: str | None = None) -> KeyFile:
    """A copy of the keystore v3 file `source` in `directory`, as it is, under `label` (default:
    the source's name); created 0600, never over an existing file or through a symlink."""
    key = read_keyfile(source)
    return _write(directory, check_label(label or key.label), key.path.read_bytes(), key.address)


def ensure_key(directory: Path, label: str, password: str) -> KeyFile:
    """The key named `label` (any roster identifier: `file_name` keeps them apart), created if
    missing at the demo's light scrypt cost: for the demo's throwaway member keys only."""
    path = directory / file_name(label)
    if path.exists():
        return read_keyfile(path)
    return write_keyfile(directory, label, Account.create().key, password)


def read_keyfile(path: Path) -> KeyFile:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_KEYSTORE + 1)
        if len(raw) > MAX_KEYSTORE:
            raise ValueError("too large")
        return KeyFile(Path(path), _address(json.loads(raw)))
    except FileNotFoundError:
        raise KeystoreError(f"no keystore file at {path}") from None
    except IsADirectoryError:
        raise KeystoreError(f"{path} is a folder, not a keystore file") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError, RecursionError):
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
    """A key by label, path or address."""
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
