"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys in Go's sumdb/note text formats.

A signed note is a text that ends in a newline, then a blank line, then one or more lines

    — <key name> <base64(key ID (4 bytes, big-endian) || Ed25519 signature of the text)>

(em dash U+2014, space, name, space, signature, newline). The whole note is UTF-8 with no
control characters but newline; the text is everything up to the last blank line.

Keys are text, exactly as golang.org/x/mod/sumdb/note writes them:

    signer   PRIVATE+KEY+<name>+<key ID, 8 hex digits>+<base64(0x01 || 32-byte seed)>
    verifier <name>+<key ID, 8 hex digits>+<base64(0x01 || 32-byte public key)>
    key ID   = SHA-256(<name> || 0x0A || 0x01 || public key)[:4], as a big-endian uint32

Key names are non-empty and contain no whitespace and no '+'.

Opening a note follows Go's `note.Open`: signatures by keys we do not know are kept aside
(unverified), a known key's bad signature rejects the whole note, and a note with no good
signature from a known key is rejected. Base64 is decoded strictly (canonical padding and
bits), so a signature has exactly one spelling.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from typing import Iterable

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from ledger.errors import CheckpointInvalid

ALG_ED25519 = 0x01
MAX_SIGNATURES = 100  # as Go; C2SP asks for at least 16
SIG_PREFIX = "— "  # em dash U+2014, space


def is_valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, public_key: bytes) -> int:
    """The key ID of an Ed25519 public key under `name`."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def decode_base64(text: str) -> bytes:
    """Strict standard base64: only the alphabet, canonical padding and trailing bits."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if base64.b64encode(raw).decode() != text:
        raise ValueError("not canonical base64")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _split_key(text: str, parts: int, what: str) -> list[str]:
    fields = text.split("+", parts - 1)  # base64 may itself contain "+"
    if len(fields) != parts:
        raise CheckpointInvalid(f"malformed {what} key")
    return fields


def _parse_id(hex_id: str, what: str) -> int:
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise CheckpointInvalid(f"malformed {what} key: key ID must be 8 lowercase hex digits")
    return int(hex_id, 16)


def _parse_key_bytes(b64: str, what: str) -> bytes:
    try:
        raw = decode_base64(b64)
    except ValueError:
        raise CheckpointInvalid(f"malformed {what} key: bad base64") from None
    if not raw or raw[0] != ALG_ED25519:
        raise CheckpointInvalid(f"unsupported {what} key algorithm (only Ed25519, 0x01)")
    if len(raw) != 33:
        raise CheckpointInvalid(f"malformed {what} key: Ed25519 key must be 32 bytes")
    return raw[1:]


@dataclass(frozen=True)
class NoteVerifier:
    """A public key that checks signatures made under `name`."""

    name: str
    public_key: bytes

    def __post_init__(self):
        if not is_valid_name(self.name):
            raise CheckpointInvalid(f"invalid key name {self.name!r}")
        if len(self.public_key) != 32:
            raise CheckpointInvalid("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            VerifyKey(self.public_key).verify(message, signature)
        except (BadSignatureError, ValueError):
            return False
        return True

    def to_text(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{_b64(bytes([ALG_ED25519]) + self.public_key)}"

    @classmethod
    def parse(cls, text: str) -> NoteVerifier:
        name, hex_id, b64 = _split_key(text.strip(), 3, "verifier")
        verifier = cls(name, _parse_key_bytes(b64, "verifier"))
        if verifier.key_id != _parse_id(hex_id, "verifier"):
            raise CheckpointInvalid(f"verifier key {name}: key ID does not match the key")
        return verifier


@dataclass(frozen=True)
class NoteSigner:
    """A private Ed25519 key that signs under `name`. Its repr never shows the seed."""

    name: str
    seed: bytes = field(repr=False)

    def __post_init__(self):
        if not is_valid_name(self.name):
            raise CheckpointInvalid(f"invalid key name {self.name!r}")
        if len(self.seed) != 32:
            raise CheckpointInvalid("an Ed25519 seed is 32 bytes")

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        return cls(name, bytes(SigningKey.generate()))

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, bytes(SigningKey(self.seed).verify_key))

    @property
    def key_id(self) -> int:
        return self.verifier.key_id

    def sign(self, message: bytes) -> bytes:
        return SigningKey(self.seed).sign(message).signature

    def to_text(self) -> str:
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{_b64(bytes([ALG_ED25519]) + self.seed)}"

    @classmethod
    def parse(cls, text: str) -> NoteSigner:
        private, key, name, hex_id, b64 = _split_key(text.strip(), 5, "signer")
        if (private, key) != ("PRIVATE", "KEY"):
            raise CheckpointInvalid("malformed signer key: must start PRIVATE+KEY+")
        signer = cls(name, _parse_key_bytes(b64, "signer"))
        if signer.key_id != _parse_id(hex_id, "signer"):
            raise CheckpointInvalid(f"signer key {name}: key ID does not match the key")
        return signer


@dataclass(frozen=True)
class Signature:
    """One signature line: the key's name and ID and the base64 of ID || signature."""

    name: str
    key_id: int
    base64: str

    def line(self) -> str:
        return f"{SIG_PREFIX}{self.name} {self.base64}\n"


def _check_note_chars(text: str) -> None:
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise CheckpointInvalid("malformed note: control character")


def sign_note(text: str, *signers: NoteSigner) -> str:
    """The signed note of `text` (which must end in a newline) with one line per signer."""
    if not signers:
        raise ValueError("sign_note needs at least one signer")
    if not text.endswith("\n"):
        raise CheckpointInvalid("malformed note: text must end with a newline")
    _check_note_chars(text)
    message = text.encode()
    lines = []
    for signer in signers:
        raw = signer.key_id.to_bytes(4, "big") + signer.sign(message)
        lines.append(Signature(signer.name, signer.key_id, _b64(raw)).line())
    return text + "\n" + "".join(lines)


def open_note(note: str | bytes, verifiers: Iterable[NoteVerifier]) -> tuple[str, list[Signature]]:
    """The text of a signed note and its verified signatures, or CheckpointInvalid.

    A signature whose (name, key ID) matches no verifier is ignored; one that matches a verifier
    must verify, or the whole note is rejected; at least one must verify.
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointInvalid("malformed note: not UTF-8") from None
    _check_note_chars(note)
    known: dict[tuple[str, int], list[NoteVerifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, verifier.key_id), []).append(verifier)

    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointInvalid("malformed note: no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2:]
    if not block.endswith("\n"):
        raise CheckpointInvalid("malformed note: signatures must end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointInvalid(f"malformed note: more than {MAX_SIGNATURES} signatures")

    message = text.encode()
    verified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for line in lines:
        if not line.startswith(SIG_PREFIX):
            raise CheckpointInvalid("malformed note: signature line must start with an em dash")
        name, _, b64 = line[len(SIG_PREFIX):].partition(" ")
        try:
            raw = decode_base64(b64)
        except ValueError:
            raw = b""
        if not is_valid_name(name) or len(raw) < 5:
            raise CheckpointInvalid("malformed note: bad signature line")
        kid = int.from_bytes(raw[:4], "big")
        matches = known.get((name, kid), [])
        if not matches:
            continue  # someone else's signature (a witness, a rotated key): not ours to judge
        if len(matches) > 1:
            raise CheckpointInvalid(f"ambiguous key {name}+{kid:08x}")
        if (name, kid) in seen:
            continue
        seen.add((name, kid))
        if not matches[0].verify(message, raw[4:]):
            raise CheckpointInvalid(f"invalid signature for key {name}+{kid:08x}")
        verified.append(Signature(name, kid, b64))
    if not verified:
        raise CheckpointInvalid("note has no verifiable signatures")
    return text, verified
