"""The checkpointed event log: the mirror's finalized events as leaves, signed checkpoints of
them, and proofs. Pure formats live in `leaves`, `merkle`, `note` and `checkpoint`; this module
ties them to a deployment, its mirror and the chain.

The log's origin (also its key's name) is `waico-ledger.example/<chain id>/<governor address>`,
so two deployments never share a log. Leaves are the events of every manifest contract up to a
finalized block, in chain order (see `ledger.leaves`).

A log only grows: before signing, the new tree must extend the last checkpoint this key signed
(`checkpoint.txt`), or nothing is signed. A new chain with the same origin (a local chain
started afresh deploys at the same addresses) is a new log, and needs a new key: `waico demo`
starts one each run. Checkpoints and the verifier key are replaced atomically (`ledger.files`),
so a reader never finds half of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger import files
from ledger.chain.manifest import Manifest
from ledger.errors import CheckpointInvalid, ConfigError, MirrorNotSynced, MirrorUnavailable
from ledger.mirror.read import MirroredLog, open_mirror
from ledger.tlog import merkle
from ledger.tlog.checkpoint import (
    Checkpoint,
    generate_key,
    load_signer_key,
    save_signer_key,
    sign_checkpoint,
    verify_checkpoint,
    verify_inclusion_in,
    verify_log_grew,
)
from ledger.tlog.leaves import LogEvent
from ledger.tlog.note import NoteVerifier

KEY_FILE = "checkpoint.key"
VERIFIER_FILE = "checkpoint.pub"
LATEST = "checkpoint.txt"


def origin_of(manifest: Manifest) -> str:
    governor = manifest.contracts.get("WaicoGovernor") or next(iter(manifest.contracts.values()))
    return f"waico-ledger.example/{manifest.chain_id}/{governor.address.lower()}"


@dataclass(frozen=True)
class LoggedEvent:
    """One leaf, with where it came from (to name it in proofs)."""

    index: int
    event: LogEvent

    @property
    def leaf(self) -> bytes:
        return self.event.encode()


def mirrored_events(db_url: str, manifest: Manifest, up_to_block: int | None = None) -> list[LoggedEvent]:
    """The mirror's events of `manifest` in chain order, up to `up_to_block` (inclusive; at most
    the mirror's last block). Refuses a missing or never-synced mirror (MirrorUnavailable)."""
    with open_mirror(db_url, manifest) as mirror:
        return _logged(manifest, mirror.logs(up_to_block))


def _logged(manifest: Manifest, logs: list[MirroredLog]) -> list[LoggedEvent]:
    out = []
    for log in logs:
        if log.topics is None:
            raise MirrorUnavailable(f"the mirror's log at block {log.block_number} log {log.log_index} has unreadable "
                                    f"topics {log.topics_text!r}: audit the mirror (`waico audit`), re-index it")
        out.append(LoggedEvent(len(out), LogEvent(
            manifest.chain_id, log.block_number, _hex(log.block_hash), _hex(log.tx_hash), log.log_index,
            _hex(log.address), tuple(_hex(t) for t in log.topics), _hex(log.data))))
    return out


def chain_events(w3, manifest: Manifest, up_to_block: int) -> list[LoggedEvent]:
    """The same leaves read straight from the chain (for checking a checkpoint without a mirror)."""
    from ledger.chain.logs import get_logs
    from ledger.chain.rpc import Rpc, raw_web3

    start = min(c.block for c in manifest.contracts.values())
    logs = get_logs(Rpc(raw_web3(w3)), [c.address for c in manifest.contracts.values()], start, up_to_block)
    return [LoggedEvent(i, LogEvent(manifest.chain_id, int(l["blockNumber"], 16), _hex(l["blockHash"]),
                                    _hex(l["transactionHash"]), int(l["logIndex"], 16), _hex(l["address"]),
                                    tuple(_hex(t) for t in l["topics"]), _hex(l["data"])))
            for i, l in enumerate(logs)]


def _hex(value: str) -> bytes:
    return bytes.fromhex(value[2:] if value.startswith("0x") else value)


def finalized_block(w3) -> int:
    return w3.eth.get_block("finalized")["number"]


def ensure_key(workdir: Path, origin: str) -> tuple[Path, str]:
    """The log's signer key file (created, mode 0600, if missing) and its verifier key text."""
    path = workdir / KEY_FILE
    if not path.exists():
        signer_text, _ = generate_key(origin)
        workdir.mkdir(parents=True, exist_ok=True)
        save_signer_key(path, signer_text)
    signer = load_signer_key(path)
    if signer.name != origin:
        raise ConfigError(f"{path} is the key of {signer.name!r}, not of this deployment's log {origin!r}")
    verifier = signer.verifier.to_text()
    files.replace(workdir / VERIFIER_FILE, verifier + "\n")
    return path, verifier


def start_new_log(workdir: Path) -> None:
    """Forget this folder's log: its signer and verifier keys and its checkpoints (for a new
    chain whose log would have the same origin; `waico demo` calls it)."""
    import shutil

    for name in (KEY_FILE, VERIFIER_FILE, LATEST):
        (workdir / name).unlink(missing_ok=True)
    shutil.rmtree(workdir / "checkpoints", ignore_errors=True)


def _extends_last(workdir: Path, verifier: NoteVerifier, leaves: list[bytes]) -> None:
    """Refuse to sign a tree that does not extend the last checkpoint this key signed here."""
    try:
        last = verify_checkpoint((workdir / LATEST).read_text(), verifier, verifier.name)
    except (OSError, CheckpointInvalid):
        return  # none, or not this key's: nothing this key said to contradict
    if last.size > len(leaves) or merkle.tree_root(leaves[:last.size]) != last.root:
        raise CheckpointInvalid(
            f"this log's last checkpoint ({workdir / LATEST}, {last.size} events) is not a prefix of the mirror's "
            f"{len(leaves)} events: the chain was rewritten, or this is a new chain with the same origin (a "
            "restarted local chain). Not signing a fork of the log; for a new chain, move the checkpoint* files away")


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    note: str
    path: Path
    verifier_key: str
    up_to_block: int    # the events it covers are those up to this block (inclusive)
    asked_block: int    # the block asked for (the finalized block, by default)
    mirror_block: int   # where the mirror stood
    left_out: int       # mirrored events above `up_to_block`, not covered (not yet finalized)


def sign(workdir: Path, manifest: Manifest, db_url: str, up_to_block: int) -> SignedCheckpoint:
    """Sign a checkpoint of the mirror's events up to `up_to_block` (or up to the mirror's last
    block, if it is behind); write it to the workdir. Refuses, before writing anything, a
    missing or never-synced mirror, and one with no event that far."""
    with open_mirror(db_url, manifest) as mirror:
        covered = min(up_to_block, mirror.cursor.block)
        events = _logged(manifest, mirror.logs(covered))
        left_out = mirror.count_logs(above_block=covered)
        mirror_block = mirror.cursor.block
    if not events:
        raise MirrorNotSynced(f"nothing to sign: the mirror holds no event up to block {covered} (it is at block "
                              f"{mirror_block}, {left_out} events above): sign once events are finalized")
    origin = origin_of(manifest)
    key_path, verifier = ensure_key(workdir, origin)
    leaves = [e.leaf for e in events]
    _extends_last(workdir, NoteVerifier.parse(verifier), leaves)
    cp = Checkpoint(origin, len(leaves), merkle.tree_root(leaves))
    note = sign_checkpoint(cp, load_signer_key(key_path))
    path = files.replace(workdir / "checkpoints" / f"checkpoint-{cp.size}.txt", note)
    files.replace(workdir / LATEST, note)
    return SignedCheckpoint(cp, note, path, verifier, covered, up_to_block, mirror_block, left_out)


def read_verifier(value: str) -> NoteVerifier:
    """A verifier key given as its text or as a file holding it. A value that cannot be a key
    (a key is name+id+key) and names no file is a missing key file, said so with its path."""
    candidate = Path(value)
    if not candidate.is_file() and "+" not in value:
        raise ConfigError(f"no verifier key file at {candidate}: `waico checkpoint sign` writes it, "
                          "or give the log's key (name+id+key) or its file with --key")
    try:
        text = candidate.read_text().strip() if candidate.is_file() else value.strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the verifier key file {candidate}: {exc}") from None
    try:
        return NoteVerifier.parse(text)
    except CheckpointInvalid as exc:
        raise CheckpointInvalid(f"not a verifier key ({exc})") from None


def open_checkpoint(path: Path, verifier: NoteVerifier) -> Checkpoint:
    try:
        note = Path(path).read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read checkpoint {path}: {exc.strerror}") from None
    return verify_checkpoint(note, verifier, verifier.name)


def check_against(checkpoint: Checkpoint, events: list[LoggedEvent]) -> None:
    """Raise CheckpointInvalid unless the first `size` events hash to the checkpoint's root."""
    if len(events) < checkpoint.size:
        raise CheckpointInvalid(f"the checkpoint covers {checkpoint.size} events, only {len(events)} are here")
    root = merkle.tree_root([e.leaf for e in events[:checkpoint.size]])
    if root != checkpoint.root:
        raise CheckpointInvalid(f"the first {checkpoint.size} events hash to another root: "
                                "the log was rewritten, or this is another log")


def inclusion(checkpoint: Checkpoint, events: list[LoggedEvent], tx_hash: str, log_index: int):
    """The inclusion proof of the event (tx hash, log index) in the checkpointed tree, verified."""
    wanted = (_hex(tx_hash), log_index)
    match = [e for e in events[:checkpoint.size] if (e.event.tx_hash, e.event.log_index) == wanted]
    if not match:
        raise ConfigError(f"no event {tx_hash}:{log_index} among the checkpoint's {checkpoint.size} events")
    event = match[0]
    proof = merkle.inclusion_proof(event.index, [e.leaf for e in events[:checkpoint.size]])
    verify_inclusion_in(checkpoint, proof, event.leaf)
    return event, proof


def consistency(old: Checkpoint, new: Checkpoint, events: list[LoggedEvent]):
    """The consistency proof that `new`'s log extends `old`'s, verified."""
    if old.size > new.size:
        raise ConfigError("the old checkpoint is larger than the new one")
    proof = merkle.consistency_proof(old.size, [e.leaf for e in events[:new.size]])
    verify_log_grew(old, new, proof)
    return proof
