"""Files and credentials on a member's or observer's machine: key files stay in the keys folder,
are private from their first byte and never written through a planted symlink; two roster
identifiers never share a key (ballot files: tests/ledger/cli/test_untrusted_ballot_files.py);
settings are private and keep no API key; a password file others can read is
refused; local onboarding has no fixed password; checkpoints are replaced atomically, and a new
chain with the same origin gets a new log key."""

import json
import os
import stat
import subprocess
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from eth_account import Account

from ledger.app import keys, secretariat
from ledger.app.config import Config, read_settings, write_settings
from ledger.audit import eventlog
from ledger.chain.anvil import PROJECT_ROOT, Anvil
from ledger.cli import main
from ledger.errors import CheckpointInvalid, ConfigError
from ledger.tlog.checkpoint import Checkpoint, load_signer_key, sign_checkpoint
from scripts.bench import pgcluster


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def account(workdir: Path, *args, password="pw"):
    return CliRunner().invoke(main, ["account", *args, "--workdir", str(workdir)], env={"WAICO_PASSWORD": password})


def keystore(tmp_path: Path, name="export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(Account.encrypt(Account.create().key, "pw", iterations=2**10)))
    return path


def test_a_key_label_cannot_leave_the_keys_folder(tmp_path):
    workdir = tmp_path / "wd"
    for label in ("../../escaped", "a/b", "..\\x", ""):
        result = account(workdir, "new", label)
        assert result.exit_code == 2 and "a key label is 1 to 64 printable characters" in result.output, label
    imported = account(workdir, "import", str(keystore(tmp_path)), "--label", "../escaped")
    assert imported.exit_code == 2
    assert [p.name for p in tmp_path.rglob("escaped*")] == []


def test_an_imported_key_is_private_from_its_first_byte(tmp_path, monkeypatch):
    """No chmod after the copy: with chmod a no-op, the key is still 0600 (it was 0644 until
    the chmod before)."""
    monkeypatch.setattr(os, "chmod", lambda *a, **k: None)
    monkeypatch.setattr(Path, "chmod", lambda *a, **k: None)
    workdir = tmp_path / "wd"
    result = account(workdir, "import", str(keystore(tmp_path)), "--label", "secretariat")
    assert result.exit_code == 0, result.output
    assert mode(workdir / "keys" / "secretariat.json") == 0o600


def test_import_never_writes_through_a_symlink_planted_in_the_keys_folder(tmp_path):
    workdir = tmp_path / "wd"
    (workdir / "keys").mkdir(parents=True)
    outside = tmp_path / "elsewhere" / "stolen.json"
    outside.parent.mkdir()
    (workdir / "keys" / "secretariat.json").symlink_to(outside)  # dangling
    result = account(workdir, "import", str(keystore(tmp_path)), "--label", "secretariat")
    assert result.exit_code == 2 and "already exists" in result.output
    assert not outside.exists()


def test_two_roster_identifiers_never_share_a_key(tmp_path):
    a = keys.ensure_key(tmp_path / "keys", "NYSE:BABA", "pw")
    b = keys.ensure_key(tmp_path / "keys", "NYSE/BABA", "pw")
    c = keys.ensure_key(tmp_path / "keys", "NYSE_BABA", "pw")
    assert len({a.path, b.path, c.path}) == 3 and len({a.address, b.address, c.address}) == 3
    assert all(k.path.parent == tmp_path / "keys" for k in (a, b, c))
    assert [k.label for k in (a, b, c)] == ["NYSE:BABA", "NYSE/BABA", "NYSE_BABA"]
    assert keys.find_key(tmp_path / "keys", "NYSE/BABA").address == b.address
    assert keys.ensure_key(tmp_path / "keys", "NYSE:BABA", "pw").address == a.address  # found again
    assert keys.file_name("..") == "%2E..json" and keys.file_name(".hidden") == "%2Ehidden.json"


def test_settings_are_private_and_keep_no_url_with_a_credential(tmp_path):
    secret = "https://mainnet.example/v3/0123456789abcdef"
    assert write_settings(tmp_path, rpc_url=secret, token={"symbol": "tUSD"}) == ["rpc_url"]
    assert mode(tmp_path / "settings.json") == 0o600
    assert "0123456789abcdef" not in (tmp_path / "settings.json").read_text()
    assert read_settings(tmp_path) == {"token": {"symbol": "tUSD"}}
    assert write_settings(tmp_path, rpc_url="http://127.0.0.1:8545") == []
    assert Config.resolve(workdir=str(tmp_path)).rpc_url == "http://127.0.0.1:8545"


def test_a_password_file_others_may_read_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("WAICO_PASSWORD", raising=False)
    path = tmp_path / "password"
    path.write_text("secret\n")
    path.chmod(0o644)
    monkeypatch.setenv("WAICO_PASSWORD_FILE", str(path))
    with pytest.raises(ConfigError, match="may be read by others .mode 0644.*chmod 600 it"):
        keys.password_from_env()
    path.chmod(0o600)
    assert keys.password_from_env() == "secret"


def test_local_onboarding_has_no_fixed_password(tmp_path, monkeypatch):
    """The secretariat onboards a roster on a local chain with no WAICO_PASSWORD and no terminal
    to ask on: a one-line error before any key is made (they got the password "waico")."""
    import io

    monkeypatch.delenv("WAICO_PASSWORD", raising=False)
    monkeypatch.delenv("WAICO_PASSWORD_FILE", raising=False)
    monkeypatch.setenv("WAICO_WORKDIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    roster = tmp_path / "roster.csv"
    roster.write_text("kind,identifier,name,tier,need_score,address\nState,KEN,Kenya,Associate,80,\n")
    with Anvil(accounts=2) as node:
        secretariat.deploy(node.url)
        with pytest.raises(ConfigError, match="no terminal to ask the password for the new members' keys on: "
                                              "set WAICO_PASSWORD, or WAICO_PASSWORD_FILE"):
            secretariat.onboard(node.url, roster)
    assert keys.list_keys(tmp_path / "keys") == []
    monkeypatch.setenv("WAICO_PASSWORD", "chosen")
    assert secretariat.new_keys_password() == "chosen"


def test_checkpoints_are_replaced_atomically_not_written_through_a_symlink(demo_chain, tmp_path):
    """A checkpoint is written beside its place and renamed over it: a symlink at checkpoint.txt
    is replaced, and whatever it pointed to is left alone."""
    workdir = tmp_path / "wd"
    workdir.mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not a checkpoint\n")
    (workdir / "checkpoint.txt").symlink_to(elsewhere)
    (workdir / "checkpoint.pub").symlink_to(elsewhere)
    signed = eventlog.sign(workdir, demo_chain.manifest, f"sqlite:///{demo_chain.mirror}", 10**9)
    assert elsewhere.read_text() == "not a checkpoint\n"
    assert not (workdir / "checkpoint.txt").is_symlink() and (workdir / "checkpoint.txt").read_text() == signed.note
    assert (workdir / "checkpoint.pub").read_text().strip() == signed.verifier_key
    assert list(workdir.glob(".*.tmp")) == list((workdir / "checkpoints").glob(".*.tmp")) == []


def test_a_log_that_is_not_an_extension_of_the_last_checkpoint_is_not_signed(demo_chain, tmp_path):
    """The key signed a checkpoint of another log with this origin (a restarted chain): signing
    this mirror would fork the log under one key, so nothing is signed."""
    workdir = tmp_path / "wd"
    first = eventlog.sign(workdir, demo_chain.manifest, f"sqlite:///{demo_chain.mirror}", 10**9)
    other = Checkpoint(first.checkpoint.origin, 3, b"\x07" * 32)
    forked = sign_checkpoint(other, load_signer_key(workdir / "checkpoint.key"))
    (workdir / "checkpoint.txt").write_text(forked)
    with pytest.raises(CheckpointInvalid, match="is not a prefix of the mirror's"):
        eventlog.sign(workdir, demo_chain.manifest, f"sqlite:///{demo_chain.mirror}", 10**9)
    assert (workdir / "checkpoint.txt").read_text() == forked


def test_the_demo_run_again_in_one_folder_gets_a_new_log_key(tmp_path):
    from ledger.app import demo

    keys_seen, origins = [], []
    for _ in range(2):
        with Anvil(accounts=5) as node:
            result = demo.run(tmp_path, rpc_url=node.url)
        keys_seen.append(result.verifier_key)
        origins.append(result.verifier_key.split("+")[0])
        assert sorted(p.name for p in (tmp_path / "checkpoints").iterdir()) == [result.checkpoint_path.name]
    assert origins[0] == origins[1]  # the same origin: a fresh anvil deploys at the same addresses
    assert keys_seen[0] != keys_seen[1]
    assert keys.find_key(tmp_path / "keys", "NYSE:BABA").label == "NYSE:BABA"
    assert sorted(p.name for p in (tmp_path / "ballots").glob("p1-NYSE*")) == ["p1-NYSE%3ABABA.json"]


def test_the_test_postgresql_lets_in_no_one_without_its_password(postgres):
    url = pgcluster.database(postgres, "postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url):
        pass
    user, rest = url.removeprefix("postgresql://").split("@", 1)
    without = f"postgresql://{user.split(':')[0]}@{rest}"
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(without, connect_timeout=5)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(f"postgresql://{user.split(':')[0]}:wrong@{rest}", connect_timeout=5)


def test_the_compiler_is_registered_in_this_checkout_not_the_users_home():
    out = subprocess.run([str(PROJECT_ROOT / "tools" / "env"), "python", "-c",
                          "import solcx; print(solcx.get_solcx_install_folder())"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert Path(out) == PROJECT_ROOT / ".solcx"
