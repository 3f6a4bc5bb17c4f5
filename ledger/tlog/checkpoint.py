"""Signed checkpoints of the event log (c2sp.org/tlog-checkpoint), and the log's key files.

A checkpoint commits to the first `size` leaves of the log's RFC 6962 Merkle tree. Its text,
signed as a C2SP signed note (see `ledger.note`), is

    <origin>\\n
    <tree size, decimal, no leading zeros>\\n
    <root hash, standard base64 of 32 bytes>\\n
    [<extension line>\\n ...]

e.g.

    waico.example/ledger
    20852163
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

    — waico.example/ledger Az3grlgt...

The log signs with an Ed25519 key whose name is the origin, so a verifier checks the origin,
the key and the signature together. Other signatures on the note (witness cosignatures, a
rotated key) are ignored, as C2SP requires.

Key files hold one line: the signer key in Go's sumdb/note format, created mode 0600.
"""

from __future__ import annotations

import base64
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from ledger import files
from ledger.errors import CheckpointInvalid, ConfigError, KeystoreError, ProofInvalid

from .merkle import HASH_SIZE, ConsistencyProof, InclusionProof, leaf_hash
from .note import NoteSigner, NoteVerifier, decode_base64, open_note, sign_note

_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """The log `origin` had `size` leaves with Merkle root `root`."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.origin or "\n" in self.origin:
            raise CheckpointInvalid("checkpoint origin must be one non-empty line")
        if type(self.size) is not int or self.size < 0:
            raise CheckpointInvalid("checkpoint size must be a non-negative integer")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise CheckpointInvalid(f"checkpoint root must be {HASH_SIZE} bytes")
        if any(not line or "\n" in line for line in self.extensions):
            raise CheckpointInvalid("checkpoint extension lines must be non-empty single lines")

    def to_text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        if not text.endswith("\n"):
            raise CheckpointInvalid("malformed checkpoint: must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointInvalid("malformed checkpoint: needs origin, size and root lines")
        origin, size, root, *extensions = lines
        if not _SIZE.fullmatch(size):
            raise CheckpointInvalid("malformed checkpoint: size must be a decimal without leading zeros")
        try:
            raw_root = decode_base64(root)
        except ValueError:
            raise CheckpointInvalid("malformed checkpoint: root is not base64") from None
        return cls(origin, int(size), raw_root, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """The signed note of `checkpoint`, signed by the log's key (whose name is the origin)."""
    if signer.name != checkpoint.origin:
        raise CheckpointInvalid(f"key {signer.name!r} cannot sign for origin {checkpoint.origin!r}")
    return sign_note(checkpoint.to_text(), signer)


def verify_checkpoint(note_text: str | bytes, verifier_key: str | NoteVerifier, origin: str) -> Checkpoint:
    """The checkpoint in `note_text` if the log `origin`'s key signed it; else CheckpointInvalid."""
    verifier = verifier_key if isinstance(verifier_key, NoteVerifier) else NoteVerifier.parse(verifier_key)
    if verifier.name != origin:
        raise CheckpointInvalid(f"verifier key is named {verifier.name!r}, not the origin {origin!r}")
    text, _ = open_note(note_text, [verifier])
    checkpoint = Checkpoint.parse(text)
    if checkpoint.origin != origin:
        raise CheckpointInvalid(f"checkpoint is for origin {checkpoint.origin!r}, not {origin!r}")
    return checkpoint


def verify_inclusion_in(checkpoint: Checkpoint, proof: InclusionProof, leaf: bytes) -> None:
    """Check that `leaf` (the canonical bytes of one event) is leaf `proof.index` of the
    checkpointed tree; raises ProofInvalid."""
    if proof.size != checkpoint.size:
        raise ProofInvalid(f"proof is for tree size {proof.size}, the checkpoint has {checkpoint.size}")
    if leaf_hash(leaf) != proof.leaf_hash:
        raise ProofInvalid("proof is for another leaf")
    proof.verify(checkpoint.root)


def verify_log_grew(old: Checkpoint, new: Checkpoint, proof: ConsistencyProof) -> None:
    """Check that the log only grew from `old` to `new` (same origin, old tree a prefix of new);
    raises ProofInvalid."""
    if old.origin != new.origin:
        raise ProofInvalid(f"checkpoints of two logs: {old.origin!r} and {new.origin!r}")
    if (proof.old_size, proof.new_size) != (old.size, new.size):
        raise ProofInvalid(f"proof is for sizes {proof.old_size} → {proof.new_size}, "
                           f"the checkpoints have {old.size} → {new.size}")
    proof.verify(old.root, new.root)


def generate_key(origin: str) -> tuple[str, str]:
    """A new (signer key text, verifier key text) pair for the log `origin`."""
    signer = NoteSigner.generate(origin)
    return signer.to_text(), signer.verifier.to_text()


def save_signer_key(path: str | os.PathLike, text: str) -> None:
    """Write a signer key to a new file readable by its owner only; never overwrite one."""
    NoteSigner.parse(text)  # refuse to store something we could not load
    try:
        files.create(Path(path), text.strip() + "\n", files.SECRET)
    except FileExistsError:
        raise ConfigError(f"signer key {path} already exists; not overwriting it") from None


def load_signer_key(path: str | os.PathLike) -> NoteSigner:
    """The signer in a key file, which must not be readable by group or others."""
    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text()
    except OSError as exc:
        raise KeystoreError(f"cannot read signer key {path}: {exc.strerror}") from None
    if mode & 0o077:
        raise KeystoreError(f"signer key {path} is accessible by others (mode {mode:04o}); chmod 600 it")
    try:
        return NoteSigner.parse(text)
    except CheckpointInvalid as exc:
        raise KeystoreError(f"signer key {path}: {exc}") from None
