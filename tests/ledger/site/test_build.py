"""`waico site build` without a browser: what it writes, what it refuses, and the HTML
builder that keeps chain data text."""

import base64
import json
import re
import shutil
import sqlite3
import subprocess
import threading
import urllib.request
from pathlib import Path

import pytest

from ledger.errors import CheckpointInvalid, ConfigError, MirrorMissing
from ledger.site import build, read_data_file
from ledger.site.build import _csv
from ledger.site.html import Markup, h, link, safe_url
from ledger.site.serve import server
from ledger.tlog.checkpoint import Checkpoint, generate_key, sign_checkpoint
from ledger.tlog.leaves import LogEvent
from ledger.tlog.merkle import verify_inclusion, leaf_hash
from ledger.tlog.note import NoteSigner, NoteVerifier

WAICO = str(Path(__file__).resolve().parents[3] / ".venv" / "bin" / "waico")


def test_every_string_is_text_and_only_markup_is_markup():
    out = h("td", {"title": '"><script>', "data_value": "a&b"}, "<b>x</b>", Markup("<i>ok</i>"), None, 7)
    assert out == '<td title="&quot;&gt;&lt;script&gt;" data-value="a&amp;b">&lt;b&gt;x&lt;/b&gt;<i>ok</i>7</td>'


@pytest.mark.parametrize("uri,ok", [
    ("https://standards.waico.example/s6", True), ("http://x.example/a?b=c#d", True),
    ("javascript:alert(1)", False), ("JAVASCRIPT:alert(1)", False), (" javascript:alert(1)", False),
    ("java\tscript:alert(1)", False), ("data:text/html,<script>", False), ("//evil.example/x", False),
    ("/relative", False), ("https:evil", False), ("https://", False), ("vbscript:x", False),
    ("https://x.example/\"><script>", True),
])
def test_only_absolute_http_urls_become_links(uri, ok):
    assert safe_url(uri) is ok
    made = link(uri)
    assert made.startswith("<a href=") is ok
    assert "<script>" not in made


def test_csv_cells_never_become_formulas():
    text = _csv([["name", "reason"], ["=HYPERLINK(\"x\")", "+1"], ["@SUM(A1)", "-2"], ["ok", "a,b\n\"c\""]]).decode()
    assert text.splitlines()[1] == '"\'=HYPERLINK(""x"")",\'+1'
    assert "'+1" in text and "'@SUM(A1)" in text and "'-2" in text and '"a,b\n""c"""' in text


def _workdir_copy(demo_chain, tmp_path) -> Path:
    workdir = tmp_path / "work"
    shutil.copytree(demo_chain.workdir, workdir, ignore=shutil.ignore_patterns("site"))
    shutil.copy(demo_chain.mirror, workdir / "mirror.db")
    return workdir


def test_waico_site_build_writes_pages_data_and_csv_whose_proofs_verify(demo_chain, tmp_path):
    workdir = _workdir_copy(demo_chain, tmp_path)
    done = subprocess.run([WAICO, "site", "build", "--workdir", str(workdir), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    site = Path(report["out"])
    assert site == workdir / "site" and Path(report["index"]).is_file() and report["pages"] > 50
    log = read_data_file((site / "data" / "log.js").read_text())
    assert log["format"] == "waico-site/1" and log["kind"] == "log" and log["token"] == {"symbol": "tUSD", "decimals": 6}
    cp = Checkpoint.parse(log["note"].split("\n\n")[0] + "\n")
    assert log["siteKey"] == (workdir / "checkpoint.pub").read_text().strip()
    for path in (site / "data").glob("*.js"):
        data = read_data_file(path.read_text())
        packs = [data["last"]] if data["kind"] == "log" else [data]
        for pack in packs:
            assert pack["size"] == cp.size
            nodes = [base64.b64decode(n) for n in pack["nodes"]]
            for event in pack["events"]:
                leaf = base64.b64decode(event["leaf"])
                LogEvent.decode(leaf)
                verify_inclusion(leaf_hash(leaf), event["index"], cp.size, [nodes[i] for i in event["proof"]], cp.root)
    votes = (site / "csv" / "proposal-3-votes.csv").read_text().splitlines()
    assert votes[0].startswith("voter,name,kind,support,weight") and len(votes) == 1 + 38
    audit = (site / "audit.html").read_text()
    assert "clean" in audit and "mirror ok" in (site / "index.html").read_text()
    # the demo's sharing, members by name: Alibaba's model in both versions, Myanmar's request
    sharing = (site / "sharing.html").read_text()
    assert {"Qwen 7B Instruct", "Qwen 7B Instruct v1.1", "Alibaba", "Myanmar"} <= set(re.findall(r"<td>([^<]*)</td>",
                                                                                                sharing))
    assert "No sharing recorded" not in sharing


def test_a_mirror_that_does_not_hold_the_checkpoint_s_events_is_refused(demo_chain, tmp_path):
    workdir = _workdir_copy(demo_chain, tmp_path)
    note = (workdir / "checkpoint.txt").read_text()
    key = NoteVerifier.parse((workdir / "checkpoint.pub").read_text())
    with sqlite3.connect(workdir / "mirror.db") as conn:  # one event rewritten
        conn.execute("UPDATE raw_event SET data = '0x' || substr(data, 3, length(data) - 4) || 'ff' WHERE id = "
                     "(SELECT id FROM raw_event WHERE event = 'VoteCast' LIMIT 1)")
    with pytest.raises(CheckpointInvalid, match="do not hash to the checkpoint's root"):
        build(tmp_path / "out", demo_chain.manifest, str(workdir / "mirror.db"), note, key)
    with pytest.raises(MirrorMissing, match="no mirror"):
        build(tmp_path / "out", demo_chain.manifest, str(tmp_path / "none.db"), note, key)
    signer_text, verifier_text = generate_key(key.name)
    bigger = sign_checkpoint(Checkpoint(key.name, 10**6, b"\0" * 32), NoteSigner.parse(signer_text))
    with pytest.raises(CheckpointInvalid, match="covers 1000000 events"):
        build(tmp_path / "out", demo_chain.manifest, str(demo_chain.mirror), bigger, NoteVerifier.parse(verifier_text))
    with pytest.raises(CheckpointInvalid):  # a note the shipped key did not sign
        build(tmp_path / "out", demo_chain.manifest, str(demo_chain.mirror), note, NoteVerifier.parse(verifier_text))
    assert not (tmp_path / "out").exists()


def test_the_preview_server_sends_the_policy_headers(demo_chain, tmp_path):
    httpd = server(demo_chain.workdir / "site", port=0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}/"
        with urllib.request.urlopen(base + "index.html") as answer:
            assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
        with urllib.request.urlopen(base + "data/log.js") as answer:
            assert answer.headers["Content-Type"].startswith("text/javascript")
    finally:
        httpd.shutdown()
        httpd.server_close()
    with pytest.raises(ConfigError, match="waico site build"):
        server(tmp_path)
