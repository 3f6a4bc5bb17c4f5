"""Checkpoints (C2SP tlog-checkpoint): text format, signing, verification, key files."""

import base64
import stat

import pytest

from ledger.errors import CheckpointInvalid, ConfigError, KeystoreError, ProofInvalid
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
from ledger.tlog.note import NoteSigner, NoteVerifier, sign_note

ORIGIN = "waico.example/ledger"
# C2SP tlog-checkpoint's example (its key is not published: used for the text format only).
SPEC_EXAMPLE = ("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
                "\n— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n")


@pytest.fixture(scope="module")
def keys():
    skey, vkey = generate_key(ORIGIN)
    return NoteSigner.parse(skey), vkey


@pytest.fixture(scope="module")
def checkpoint():
    leaves = [b"event %d" % i for i in range(10)]
    return Checkpoint(ORIGIN, len(leaves), merkle.tree_root(leaves))


def test_spec_example_body_parses_and_prints_back_identically():
    body = SPEC_EXAMPLE[: SPEC_EXAMPLE.rfind("\n\n") + 1]
    cp = Checkpoint.parse(body)
    assert (cp.origin, cp.size) == ("example.com/behind-the-sofa", 20852163)
    assert cp.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.to_text() == body


def test_empty_tree_checkpoint_has_size_zero_and_the_empty_root():
    cp = Checkpoint(ORIGIN, 0, merkle.tree_root([]))
    assert cp.to_text() == f"{ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    assert Checkpoint.parse(cp.to_text()) == cp


def test_extension_lines_round_trip():
    cp = Checkpoint(ORIGIN, 3, merkle.tree_root([b"a", b"b", b"c"]), ("ext one", "ext two"))
    assert Checkpoint.parse(cp.to_text()) == cp


def test_root_must_be_32_bytes():
    with pytest.raises(CheckpointInvalid, match="32 bytes"):
        Checkpoint(ORIGIN, 0, "a" * 32)


@pytest.mark.parametrize("body", [
    "",
    f"{ORIGIN}\n10\n",
    f"{ORIGIN}\n10\n{'A' * 43}=",  # no final newline
    f"\n10\n{'A' * 43}=\n",  # empty origin
    f"{ORIGIN}\n010\n{'A' * 43}=\n",  # leading zero
    f"{ORIGIN}\n-1\n{'A' * 43}=\n",
    f"{ORIGIN}\n+1\n{'A' * 43}=\n",
    f"{ORIGIN}\n1 \n{'A' * 43}=\n",
    f"{ORIGIN}\nten\n{'A' * 43}=\n",
    f"{ORIGIN}\n10\n{'A' * 42}==\n",  # 31-byte root
    f"{ORIGIN}\n10\n{'A' * 44}\n",  # 33-byte root
    f"{ORIGIN}\n10\n{'A' * 42}B=\n",  # non-canonical base64
    f"{ORIGIN}\n10\n{'A' * 43}=\n\nafter a blank line\n",  # empty extension line
])
def test_malformed_checkpoint_bodies_are_rejected(body):
    with pytest.raises(CheckpointInvalid, match="checkpoint"):
        Checkpoint.parse(body)


def test_signed_checkpoint_verifies_with_the_log_key_and_origin(keys, checkpoint):
    signer, vkey = keys
    note = sign_checkpoint(checkpoint, signer)
    assert note.startswith(checkpoint.to_text() + "\n— " + ORIGIN + " ")
    assert verify_checkpoint(note, vkey, ORIGIN) == checkpoint
    assert verify_checkpoint(note.encode(), NoteVerifier.parse(vkey), ORIGIN) == checkpoint


def test_tampered_size_root_or_origin_is_rejected(keys, checkpoint):
    signer, vkey = keys
    note = sign_checkpoint(checkpoint, signer)
    root_b64 = base64.b64encode(checkpoint.root).decode()
    other_root = base64.b64encode(merkle.tree_root([b"forged"])).decode()
    for tampered in [note.replace("\n10\n", "\n11\n", 1), note.replace(root_b64, other_root),
                     note.replace(ORIGIN + "\n", ORIGIN + "x\n", 1)]:
        with pytest.raises(CheckpointInvalid, match="invalid signature"):
            verify_checkpoint(tampered, vkey, ORIGIN)


def test_any_flipped_byte_of_a_signed_checkpoint_is_rejected(keys, checkpoint):
    signer, vkey = keys
    note = sign_checkpoint(checkpoint, signer)
    for i in range(len(note)):
        if note[i] in "—\n":
            continue
        tampered = note[:i] + chr(ord(note[i]) ^ 1) + note[i + 1:]
        with pytest.raises(CheckpointInvalid):
            verify_checkpoint(tampered, vkey, ORIGIN)


def test_checkpoint_from_another_key_is_rejected(keys, checkpoint):
    _, vkey = keys
    impostor = NoteSigner.generate(ORIGIN)  # same name, different key: an unknown key ID
    with pytest.raises(CheckpointInvalid, match="no verifiable signatures"):
        verify_checkpoint(sign_checkpoint(checkpoint, impostor), vkey, ORIGIN)


def test_checkpoint_for_another_origin_is_rejected(keys, checkpoint):
    signer, vkey = keys
    note = sign_checkpoint(checkpoint, signer)
    with pytest.raises(CheckpointInvalid, match="not the origin"):
        verify_checkpoint(note, vkey, "waico.example/other")
    # Even signed by the right key, a body naming another origin is refused.
    other = Checkpoint("waico.example/other", checkpoint.size, checkpoint.root)
    with pytest.raises(CheckpointInvalid, match="checkpoint is for origin"):
        verify_checkpoint(sign_note(other.to_text(), signer), vkey, ORIGIN)


def test_log_key_signs_only_its_own_origin(keys):
    signer, _ = keys
    with pytest.raises(CheckpointInvalid, match="cannot sign for origin"):
        sign_checkpoint(Checkpoint("waico.example/other", 0, merkle.EMPTY_ROOT), signer)


def test_witness_cosignatures_and_unknown_signatures_are_ignored(keys, checkpoint):
    signer, vkey = keys
    witness = NoteSigner.generate("witness.example/w1")
    note = sign_note(checkpoint.to_text(), signer, witness)
    assert verify_checkpoint(note, vkey, ORIGIN) == checkpoint


def test_log_grew_between_two_signed_checkpoints(keys):
    signer, vkey = keys
    leaves = [b"event %d" % i for i in range(25)]
    old = verify_checkpoint(sign_checkpoint(Checkpoint(ORIGIN, 17, merkle.tree_root(leaves[:17])), signer),
                            vkey, ORIGIN)
    new = verify_checkpoint(sign_checkpoint(Checkpoint(ORIGIN, 25, merkle.tree_root(leaves)), signer),
                            vkey, ORIGIN)
    consistency = merkle.consistency_proof(old.size, leaves)
    verify_log_grew(old, new, consistency)
    with pytest.raises(ProofInvalid, match="sizes"):
        verify_log_grew(old, new, merkle.consistency_proof(16, leaves))
    with pytest.raises(ProofInvalid):
        verify_log_grew(new, old, consistency)
    forked = Checkpoint(ORIGIN, 25, merkle.tree_root(leaves[:24] + [b"rewritten"]))
    with pytest.raises(ProofInvalid):
        verify_log_grew(old, forked, consistency)
    with pytest.raises(ProofInvalid, match="two logs"):
        verify_log_grew(old, Checkpoint("waico.example/other", 25, new.root), consistency)


def test_event_inclusion_in_a_signed_checkpoint(keys):
    signer, vkey = keys
    leaves = [b"event %d" % i for i in range(25)]
    cp = verify_checkpoint(sign_checkpoint(Checkpoint(ORIGIN, 25, merkle.tree_root(leaves)), signer),
                           vkey, ORIGIN)
    proof = merkle.inclusion_proof(20, leaves)
    verify_inclusion_in(cp, proof, b"event 20")
    with pytest.raises(ProofInvalid, match="another leaf"):
        verify_inclusion_in(cp, proof, b"event 21")
    with pytest.raises(ProofInvalid, match="tree size"):
        verify_inclusion_in(cp, merkle.inclusion_proof(20, leaves[:24]), b"event 20")
    with pytest.raises(ProofInvalid):
        verify_inclusion_in(Checkpoint(ORIGIN, 25, merkle.tree_root(leaves[::-1])), proof, b"event 20")


def test_signer_key_file_is_created_mode_0600_and_loads_back(tmp_path):
    skey, vkey = generate_key(ORIGIN)
    path = tmp_path / "log.key"
    save_signer_key(path, skey)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    signer = load_signer_key(path)
    assert signer.to_text() == skey and signer.verifier.to_text() == vkey


def test_signer_key_file_is_never_overwritten(tmp_path):
    path = tmp_path / "log.key"
    save_signer_key(path, generate_key(ORIGIN)[0])
    before = path.read_text()
    with pytest.raises(ConfigError, match="already exists"):
        save_signer_key(path, generate_key(ORIGIN)[0])
    assert path.read_text() == before


def test_group_readable_missing_or_malformed_key_files_are_refused(tmp_path):
    path = tmp_path / "log.key"
    save_signer_key(path, generate_key(ORIGIN)[0])
    path.chmod(0o640)
    with pytest.raises(KeystoreError, match="accessible by others"):
        load_signer_key(path)
    with pytest.raises(KeystoreError, match="cannot read"):
        load_signer_key(tmp_path / "missing.key")
    bad = tmp_path / "bad.key"
    bad.write_text("PRIVATE+KEY+nonsense\n")
    bad.chmod(0o600)
    with pytest.raises(KeystoreError, match="malformed"):
        load_signer_key(bad)


def test_saving_a_verifier_key_as_signer_key_is_refused(tmp_path):
    _, vkey = generate_key(ORIGIN)
    with pytest.raises(CheckpointInvalid):
        save_signer_key(tmp_path / "log.key", vkey)
    assert not (tmp_path / "log.key").exists()
