"""The README's lines about the site run as written, from a checkout after `make demo
ARGS="--keep-chain"` (here: the demo chain's folder as ./.waico, its chain still running)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _portal_blocks() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("### The transparency portal", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [[line for line in b.splitlines() if line.strip() and not line.startswith("#")] for b in blocks]


def test_the_readme_s_site_commands_run_as_written(demo_chain, tmp_path):
    shutil.copytree(demo_chain.workdir, tmp_path / ".waico")
    shutil.copy(demo_chain.mirror, tmp_path / ".waico" / "mirror.db")
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    env.pop("WAICO_WORKDIR", None)
    build, verify = _portal_blocks()
    serve = [line for line in build if line.startswith("waico site serve")]
    assert len(serve) == 1 and len(build) == 3 and len(verify) == 2
    for line in [*[b for b in build if b not in serve], *verify]:
        done = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        if line.startswith("echo"):
            assert done.stdout.startswith(f"file://{tmp_path}/.waico/site/index.html#key=waico-ledger.example%2F")
    assert (tmp_path / ".waico" / "site" / "index.html").is_file() and (tmp_path / "public" / "index.html").is_file()

    with socket.socket() as s:
        busy = s.connect_ex(("127.0.0.1", 8000)) == 0
    if busy:  # the README's port is taken on this machine: the same line on another port
        serve = [serve[0].split("#")[0].strip() + " --port 0"]
    server = subprocess.Popen(["bash", "-c", "exec " + serve[0].split("#")[0]], cwd=tmp_path, env=env,
                              stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as answer:
                    assert b'id="checkpoint-status"' in answer.read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("waico site serve did not answer")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)
