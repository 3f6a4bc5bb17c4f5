"""`waico index` and `waico checkpoint` on a demo chain: mirror, sign, verify, prove."""

import json
import shutil
import sqlite3
import stat

import pytest
from click.testing import CliRunner

from ledger.chain.anvil import dev_private_key
from ledger.chain.node import mine
from ledger.chain.transactions import Signer
from ledger.cli import main
from ledger.mirror import open_db
from ledger.org import fund


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


def test_index_mirrors_every_event_once(cli):
    first = json.loads(cli("index", "--json").stdout)
    assert first["events"] > 300
    again = json.loads(cli("index", "--json").stdout)
    assert again["events"] == 0 and again["lastBlock"] >= first["lastBlock"]


def contribute(demo_chain, amount: int = 1_000 * 10**6) -> None:
    """A donor (dev account 0) pays into the demo's fund: new events on the chain (mint,
    approval, transfer, contribution)."""
    w3, manifest = demo_chain.w3, demo_chain.manifest
    donor = Signer(w3, dev_private_key(0), manifest.error_decoder())
    donor.send(manifest.contract(w3, "TestStablecoin").functions.mint(donor.address, amount), "minting")
    fund.contribute(donor, w3, manifest.contract(w3, "EquityFund"), amount)


def test_checkpoint_signed_verified_and_proved(cli, demo_snapshot):
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

    # the log grows (a contribution, finalized); the new checkpoint is consistent with the old one
    old = cli.workdir / "old-checkpoint.txt"
    shutil.copy(signed["file"], old)
    contribute(demo_snapshot)
    mine(demo_snapshot.w3, 70)
    cli("index")
    newer = json.loads(cli("checkpoint", "sign", "--json").stdout)
    assert newer["size"] >= signed["size"] + 4
    proof = json.loads(cli("checkpoint", "prove", "--old", str(old)).stdout)
    assert (proof["old_size"], proof["new_size"]) == (signed["size"], newer["size"])
    assert proof["hashes"]  # a real proof: the old tree is a proper prefix


def test_checkpoint_says_up_to_which_block_it_covers_and_what_it_leaves_out(cli, demo_snapshot):
    contribute(demo_snapshot)  # newer than the finalized block
    cli("index")

    signed = json.loads(cli("checkpoint", "sign", "--json").stdout)

    finalized = demo_snapshot.w3.eth.get_block("finalized")["number"]
    newer = [e for e in _events(cli.workdir) if e[3] > finalized]
    assert signed["upToBlock"] == signed["askedBlock"] == finalized < signed["mirrorBlock"]
    assert signed["eventsLeftOut"] == len(newer) >= 4
    assert signed["size"] == len(_events(cli.workdir)) - len(newer)
    text = cli("checkpoint", "sign").stdout
    assert (f"covers the {signed['size']} mirrored events up to block {finalized} (the finalized block); "
            f"leaves out {len(newer)} newer mirrored events (not yet finalized)") in text


def test_checkpoint_of_a_mirror_behind_covers_up_to_the_mirror(cli, demo_chain):
    cli("index", "--to-block", "100")

    signed = json.loads(cli("checkpoint", "sign", "--json").stdout)

    assert signed["upToBlock"] == signed["mirrorBlock"] == 100 < signed["askedBlock"]
    assert signed["size"] == len(_events(cli.workdir)) and signed["eventsLeftOut"] == 0
    assert "(the mirror's last block; the finalized block is" in cli("checkpoint", "sign").stdout


def test_checkpoint_sign_refuses_a_missing_or_never_synced_mirror(cli):
    missing = cli("checkpoint", "sign", ok=False)
    assert missing.exit_code == 2
    assert "no mirror at" in missing.output and "run `waico index` first" in missing.output
    assert not (cli.workdir / "mirror.db").exists()
    assert not (cli.workdir / "checkpoint.key").exists() and not (cli.workdir / "checkpoints").exists()

    open_db(cli.workdir / "mirror.db").dispose()  # tables, but never synced
    never = cli("checkpoint", "sign", ok=False)
    assert never.exit_code == 2 and "has never synced this deployment" in never.output
    assert not (cli.workdir / "checkpoint.key").exists()


def _events(workdir):
    with sqlite3.connect(workdir / "mirror.db") as db:
        return db.execute("select tx_hash, log_index, event, block_number from raw_event "
                          "order by block_number, log_index").fetchall()


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
    cli("index")
    signed = json.loads(cli("checkpoint", "sign", "--json").stdout)
    with sqlite3.connect(cli.workdir / "mirror.db") as db:
        db.execute("update raw_event set data = '0x' || substr(data, 3, length(data) - 3) || '1' "
                   "where id = (select min(id) from raw_event where event = 'VoteCast')")
    result = cli("checkpoint", "verify", signed["file"], ok=False)
    assert "hash to another root" in result.output
    assert "hash to its root" in cli("checkpoint", "verify", signed["file"], "--against", "chain").stdout
