"""`waico demo` end to end, as a subprocess, the way the README's first command runs it."""

import base64
import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

WAICO = str(Path(__file__).resolve().parents[3] / ".venv" / "bin" / "waico")


def port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as s:
        return s.connect_ex((host, int(port))) == 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("demo")
    result = subprocess.run([WAICO, "demo", "--workdir", str(workdir), "--keep-chain", "--json"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)
    yield workdir, summary, result.stderr
    os.kill(summary["chainPid"], signal.SIGTERM)


def test_demo_runs_every_track_and_a_round(demo):
    workdir, summary, progress = demo
    tracks = {p["track"]: p["state"] for p in summary["proposals"]}
    assert tracks == {"Ordinary": "Executed", "RapidResponse": "Executed", "Constitutional": "Executed"}
    assert len(summary["proposals"]) == 4
    assert summary["ballots"]["counted"] == summary["ballots"]["relayed"] > 100
    assert summary["ballots"]["transactions"] < summary["ballots"]["relayed"] / 10  # batched
    states = [m for m in summary["members"] if m["kind"] == "State"]
    corporates = [m for m in summary["members"] if m["kind"] == "Corporate"]
    assert len(states) >= 30 and len(corporates) >= 8
    assert {"MYS", "IDN", "ARE", "CHN"} <= {m["identifier"] for m in states}
    assert {m["tier"] for m in summary["members"]} == {"Observer", "Associate", "Partner", "Full"}
    # the constitutional vote lowered the corporate cap to 15%: the bloc weighs at most that now
    total = sum(m["weight"] for m in summary["members"])
    assert sum(m["weight"] for m in corporates) * 10_000 <= 1500 * total
    paid = summary["round"]["paid"]
    assert 0 < paid <= summary["round"]["budget"] and len(summary["round"]["payouts"]) > 20
    assert "relaying them in batches" in progress


def test_demo_shares_technology_and_promotes_a_member_that_shared(demo):
    workdir, summary, progress = demo
    sharing = summary["sharing"]
    listed = subprocess.run([WAICO, "share", "list", "--json", "--workdir", str(workdir)], capture_output=True,
                            text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    board = json.loads(listed.stdout)
    requests = {r["id"]: r for o in board["offers"] for r in o["requests"]} | {r["id"]: r for r in board["requests"]}
    statuses = [r["status"] for r in requests.values()]
    # the summary's counts are the chain's
    assert sharing["offers"] == len(board["offers"]) == 4
    assert sharing["requests"] == len(requests) == 9
    assert sharing["grants"] == sum(r["grantedOffer"] is not None for r in requests.values()) == 7
    assert sharing["confirmed"] == statuses.count("Confirmed") == 5
    assert sharing["disputed"] == statuses.count("Disputed") == 1
    assert sharing["open_requests"] == statuses.count("Open") == 2
    assert {o["kind"] for o in board["offers"]} >= {"Model", "Dataset", "Compute"}
    assert max(o["version"] for o in board["offers"]) == 2  # the model was updated; version 1 kept
    # an Observer's request was granted (Myanmar, for Tencent's compute)
    observers = {m["address"] for m in summary["members"] if m["tier"] == "Observer"}
    assert any(r["requester"] in observers and r["grantedOffer"] for r in requests.values())
    alibaba = next(m for m in summary["members"] if m["name"] == "Alibaba")
    assert alibaba["tier"] == "Full" and sharing["promoted"] == "Alibaba: Partner -> Full"


def test_demo_mirrors_audits_and_checkpoints_the_log(demo):
    workdir, summary, _ = demo
    assert summary["audit"]["ok"] is True
    assert [c["name"] for c in summary["audit"]["checks"]] == ["mirror", "typed", "tallies", "signatures", "payouts",
                                                               "fund", "views", "sharing"]
    assert summary["mirror"]["events"] == summary["checkpoint"]["size"] > 300
    key = summary["checkpoint"]["verifierKey"]
    name, key_id, public = key.split("+", 2)
    assert name.startswith("waico-ledger.example/") and len(key_id) == 8
    assert base64.b64decode(public)[:1] == b"\x01" and len(base64.b64decode(public)) == 33
    checked = subprocess.run([WAICO, "checkpoint", "verify", summary["paths"]["checkpoint"], "--key", key,
                              "--against", "chain", "--workdir", str(workdir)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    audited = subprocess.run([WAICO, "audit", "--workdir", str(workdir)], capture_output=True, text=True)
    assert audited.returncode == 0, audited.stdout + audited.stderr


def test_demo_leaves_files_that_later_commands_use(demo):
    workdir, summary, _ = demo
    assert Path(summary["paths"]["deployment"]).exists()
    assert len(list(Path(summary["paths"]["ballots"]).glob("*.json"))) == summary["ballots"]["relayed"]
    listed = subprocess.run([WAICO, "member", "list", "--json", "--workdir", str(workdir)],
                            capture_output=True, text=True, check=True)
    assert len(json.loads(listed.stdout)) == len(summary["members"])
    ballot = next(Path(summary["paths"]["ballots"]).glob("p1-*.json"))
    checked = subprocess.run([WAICO, "ballot", "verify", "--offline", str(ballot), "--workdir", str(workdir)],
                             capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.startswith("ok")


def test_demo_builds_the_transparency_site(demo):
    workdir, summary, progress = demo
    site, index = Path(summary["paths"]["site"]), Path(summary["paths"]["siteIndex"])
    assert site == workdir / "site" and index == site / "index.html" and index.is_file()
    assert 'id="checkpoint-status"' in index.read_text()
    assert (workdir / "audit.json").is_file() and "building the transparency site" in progress


def test_demo_stops_its_chain_unless_kept(tmp_path):
    result = subprocess.run([WAICO, "demo", "--workdir", str(tmp_path), "--json"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["chainKept"] is False and not port_open(summary["rpcUrl"])
