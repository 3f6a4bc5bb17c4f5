"""`waico index` and `waico checkpoint` on a demo chain: mirror, sign, verify, prove."""

import json
import shutil
import stat

import pytest
from click.testing import CliRunner

from ledger.chain.node import mine
from ledger.cli import main


@pytest.fixture
def cli(demo_chain, tmp_path):
    """A fresh copy of the demo's workdir (so each test has its own mirror and keys)."""
    workdir = tmp_path / "wd"
    shutil.copytree(demo_chain.workdir, workdir)
    for name in ("mirror.db", "checkpoint.key", "checkpoint.pub", "checkpoint.txt"):
        (workdir / name).unlink(missing_ok=True)
    shutil.rmtree(workdir / "checkpoints", ignore_errors=True)

    def run(*args, ok=True):
        result = CliRunner().invoke(main, [*args, "--workdir", str(workdir), "--rpc", demo_chain.url])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run.workdir = workdir
    return run


def test_index_mirrors_every_event_once(cli, w3):
    first = json.loads(cli("index", "--json").stdout)
    assert first["events"] > 300
    again = json.loads(cli("index", "--json").stdout)
    assert again["events"] == 0 and again["lastBlock"] >= first["lastBlock"]


def test_checkpoint_signed_verified_and_proved(cli, w3):
    cli("index")
    signed = json.loads(cli("checkpoint", "sign", "--json").stdout)
    key = cli.workdir / "checkpoint.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert signed["verifierKey"] == (cli.workdir / "checkpoint.pub").read_text().strip()
    assert signed["note"].splitlines()[1] == str(signed["size"])
    for against in ("mirror", "chain"):
        assert "hash to its root" in cli("checkpoint", "verify", signed["file"], "--against", against).stdout

    # one event, proved in the checkpoint
    payout = next(e for e in _events(cli.workdir) if e[2] == "Payout")
    proof = json.loads(cli("checkpoint", "prove", "--event", f"{payout[0]}:{payout[1]}").stdout)
    assert proof["type"] == "inclusion" and proof["size"] == signed["size"]

    # the log grows; the new checkpoint is consistent with the old one
    old = cli.workdir / "old-checkpoint.txt"
    shutil.copy(signed["file"], old)
    mine(w3, 70)
    cli("index")
    newer = json.loads(cli("checkpoint", "sign", "--json").stdout)
    if newer["size"] > signed["size"]:
        proof = json.loads(cli("checkpoint", "prove", "--old", str(old)).stdout)
        assert (proof["old_size"], proof["new_size"]) == (signed["size"], newer["size"])


def _events(workdir):
    import sqlite3

    with sqlite3.connect(workdir / "mirror.db") as db:
        return db.execute("select tx_hash, log_index, event from raw_event order by block_number, log_index").fetchall()


def test_tampered_checkpoint_or_wrong_key_is_refused(cli, tmp_path):
    cli("index")
    signed = json.loads(cli("checkpoint", "sign", "--json").stdout)
    tampered = tmp_path / "tampered.txt"
    lines = signed["note"].split("\n")
    lines[1] = str(int(lines[1]) - 1)
    tampered.write_text("\n".join(lines))
    result = cli("checkpoint", "verify", str(tampered), ok=False)
    assert result.exit_code != 0 and "Traceback" not in result.output
    other = "waico-ledger.example/1/0x00+00000000+AcupZ9P58ditbKKxdckYv6Vy2InQLu7WK0Dxoax4BH4d"
    result = cli("checkpoint", "verify", signed["file"], "--key", other, ok=False)
    assert result.exit_code != 0 and result.output.startswith("error:")


def test_checkpoint_of_a_rewritten_mirror_does_not_verify(cli):
    import sqlite3

    cli("index")
    signed = json.loads(cli("checkpoint", "sign", "--json").stdout)
    with sqlite3.connect(cli.workdir / "mirror.db") as db:
        db.execute("update raw_event set data = '0x' || substr(data, 3, length(data) - 3) || '1' "
                   "where id = (select min(id) from raw_event where event = 'VoteCast')")
    result = cli("checkpoint", "verify", signed["file"], ok=False)
    assert "hash to another root" in result.output
    assert "hash to its root" in cli("checkpoint", "verify", signed["file"], "--against", "chain").stdout
