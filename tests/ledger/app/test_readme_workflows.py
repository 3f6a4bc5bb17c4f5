"""The README's workflow blocks run as written, in order, and do what their comments say.

Each block is marked in README.md by the comment line `<!-- workflow: NAME -->` above its
```sh fence; every shell block of the Workflows section must be marked (a new block cannot go
untested). The blocks run with `bash -euo pipefail` in a copy of the project (its tracked
files; the venv, node_modules and brownie's build shared with this checkout), as a reader would
run them from the project's root, one after another: `setup` starts and keeps the demo chain
(stopped afterwards by the PID it prints), the blocks after it run with the `export` lines of
`setup` in effect, `portal-serve` is started, asked for its page and stopped with Ctrl-C
(SIGINT), and `secretariat` starts its own anvil on brownie's port and stops it.
"""

import csv
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
WORKFLOWS = ["setup", "member", "sharing", "pathway", "fund", "observer", "observer-sql", "observer-sharing-sql", "observer-csv",
             "portal", "portal-serve", "portal-key", "secretariat"]
MARKED = re.compile(r"<!-- workflow: ([\w-]+) -->\n```sh\n(.*?)```", re.S)
SHARED = (".venv", "node_modules")  # installed once per checkout: linked, not copied
BROWNIE_PORT = 18545
SERVE_PORT = 8000
PAGE_DEADLINE = 60  # seconds to wait for `waico site serve` to answer (a bound, not a timing)


def readme_blocks(text: str) -> dict[str, str]:
    return {name: body for name, body in MARKED.findall(text)}


def workflows_section(text: str) -> str:
    start = text.index("\n## Workflows")
    return text[start:text.index("\n## ", start + 1)]


def test_every_shell_block_of_the_workflows_is_marked_and_run_here():
    section = workflows_section(README.read_text())
    assert section.count("```sh") == len(MARKED.findall(section)), "a shell block without a workflow mark"
    assert list(readme_blocks(section)) == WORKFLOWS


def test_the_block_reader_finds_marks_and_refuses_unmarked_blocks():
    text = "# R\n## Workflows\n<!-- workflow: a -->\n```sh\necho 1\n```\n```sh\necho 2\n```\n## Next\n"
    section = workflows_section(text)
    assert readme_blocks(section) == {"a": "echo 1\n"}
    assert section.count("```sh") != len(MARKED.findall(section))


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class Project:
    """A copy of the project where the README's blocks run."""

    def __init__(self, path: Path):
        self.path = path
        self.blocks = readme_blocks(README.read_text())
        self.exports = ""
        self.pids: list[int] = []

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WAICO_")}
        env.pop("MAKEFLAGS", None)
        return env

    def script(self, name: str) -> str:
        return self.exports + self.blocks[name]

    def run(self, name: str, timeout: int = 600) -> str:
        """Run a block; its output goes to files, not pipes, so that a process it leaves behind
        (an anvil after a failure) cannot hold the test up: the block's process group is killed
        once bash is done."""
        out, err = self.path / f".{name}.out", self.path / f".{name}.err"
        with open(out, "w") as o, open(err, "w") as e:
            proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", self.script(name)], cwd=self.path,
                                    env=self.env(), stdout=o, stderr=e, start_new_session=True)
            try:
                proc.wait(timeout=timeout)
            finally:
                _kill_group(proc.pid)
        assert proc.returncode == 0, f"README block {name!r} failed ({proc.returncode}):\n{out.read_text()}\n" \
                                     f"{err.read_text()}"
        return out.read_text()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("readme") / "waico"
    tracked = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_file():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, path / name)
    for name in SHARED:
        (path / name).symlink_to(ROOT / name)
    if (ROOT / "build").is_dir():  # brownie's compiled contracts: no recompiling in the copy
        shutil.copytree(ROOT / "build", path / "build")
    p = Project(path)
    yield p
    for pid in p.pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def test_setup(project):
    out = project.run("setup")
    kept = re.search(r"stop it with `kill (\d+)`", out)
    assert kept, out
    project.pids.append(int(kept.group(1)))
    os.kill(project.pids[-1], 0)  # the chain is kept running
    assert "Audit:               clean" in out
    assert json.loads((project.path / ".waico/deployment.json").read_text())["chainId"] == 31337
    project.exports = "".join(line + "\n" for line in project.blocks["setup"].splitlines()
                              if line.startswith("export "))
    assert "WAICO_PASSWORD=" in project.exports and ".venv/bin" in project.exports


def test_member(project):
    out = project.run("member")
    ballots = sorted(p.name for p in (project.path / ".waico/ballots").glob("p5-*.json"))
    assert ballots == sorted(f"p5-{k}.json" for k in ["MYS", "CHN", "SAU", "IDN", "ARE", "THA", "ZAF", "BRA"])
    assert re.search(r"^state +Executed: ", out, re.M), out
    assert "8 of 8 ballots counted" in out


def test_sharing(project):
    out = project.run("sharing")
    assert re.search(r"^offer 5: dataset 'Malay read speech' \(version 1, Associate and above may request, "
                     r"capacity 3\); licence CC-BY-SA-4\.0; content sha256:[0-9a-f]{64}$", out, re.M), out
    assert re.search(r"^request 10: dataset from offer 5$", out, re.M), out
    assert "request 10 of Indonesia granted under offer 5 (1 of 3)" in out
    assert "Malaysia has 1 confirmed delivery to 1 distinct requester" in out
    # the open datasets: Baidu's, Kenya's and Malaysia's with capacity left; Ethiopia's open request
    assert re.findall(r"^offer (\d+) +dataset", out, re.M) == ["2", "4", "5"], out
    assert re.search(r"^request 8 +dataset +Ethiopia +Open$", out, re.M), out
    assert re.search(r"^sharing +1 confirmed delivery to 1 distinct requester; Full requires 1$", out, re.M), out


def test_pathway(project):
    out = project.run("pathway")
    assert out.count("certified Malaysia's declaration") == 5
    assert out.rstrip().endswith("Malaysia: Partner -> Full")


def test_fund(project):
    out = project.run("fund")
    assert "minted 250,000 tUSD to Kenya" in out
    assert "contributed 250,000 tUSD" in out
    balance = [float(m.replace(",", "")) for m in re.findall(r"^balance +([\d,.]+) tUSD$", out, re.M)]
    assert len(balance) == 1 and balance[0] > 0
    assert re.search(r"^Ethiopia +95 ", out, re.M), out  # the preview and round 1 list members by name


def test_observer(project):
    out = project.run("observer")
    assert re.search(r"^clean: the mirror is the chain", out, re.M), out
    assert len(re.findall(r"^OK +(mirror|typed|tallies|signatures|payouts|fund|views|sharing) ", out, re.M)) == 8, out
    assert re.search(r"^ok: \S+ at size (\d+) is signed by its key, and the chain's first \1 events hash", out, re.M)
    inclusion, consistency = (json.loads(chunk) for chunk in re.findall(r"^\{$.*?^\}$", out, re.M | re.S))
    first = sqlite3.connect(project.path / ".waico/mirror.db").execute(
        "select tx_hash, log_index, block_number from raw_event order by block_number, log_index limit 1").fetchone()
    assert (inclusion["type"], inclusion["event"], inclusion["block"], inclusion["index"]) == \
        ("inclusion", f"{first[0]}:{first[1]}", first[2], 0)
    assert consistency["type"] == "consistency" and consistency["new_size"] >= consistency["old_size"] > 0


def test_observer_sql(project):
    out = project.run("observer-sql")
    # proposal 5 (the member block's): the eight states' 6,400 for (650 x 6 + 1,250 x 2), executed
    assert re.search(r"^5 +RapidResponse +executed +6400 +0 +0 +8 +0 +Register WAICO-S7 *$", out, re.M), out
    # proposal 3 by kind: the states' 11,850 for (the demo's summary) and the corporates against
    assert re.search(r"^State +for +27 +11850 *$", out, re.M), out
    assert re.search(r"^Corporate +against +9 +3434 *$", out, re.M), out
    assert re.search(r"^Ethiopia +State +Associate +for +350 *$", out, re.M), out  # who voted how
    assert re.search(r"^1 +Ethiopia +28705\.882352 +pushed *$", out, re.M), out  # round 1's payouts, in tUSD
    assert re.search(r"^Full +State +3 *$", out, re.M), out  # the roster: Malaysia promoted by the pathway block


def test_observer_sharing_sql(project):
    out = project.run("observer-sharing-sql")
    # who shared with whom: the demo's five confirmed deliveries and the sharing block's (Malaysia to Indonesia)
    assert re.search(r"^Malaysia +Indonesia +Dataset +Malay read speech +1 *$", out, re.M), out
    assert re.search(r"^Alibaba +Malaysia +Model +Qwen 7B Instruct v1\.1 +2 *$", out, re.M), out
    # datasets: Baidu's 1, Kenya's 1 and Malaysia's 2 grants left; Ethiopia's open request
    assert re.search(r"^Dataset +3 +4 +1 *$", out, re.M), out
    assert re.search(r"^Model +1 +4 +1 *$", out, re.M), out
    # the open requests from members the fund scores in need: Ethiopia's and Nigeria's
    assert re.findall(r"^(Ethiopia|Nigeria) +Associate +(Dataset|Model) ", out, re.M) == \
        [("Ethiopia", "Dataset"), ("Nigeria", "Model")], out


def test_observer_csv(project):
    project.run("observer-csv")
    with open(project.path / "roster.csv", newline="") as f:
        roster = list(csv.DictReader(f))
    assert len(roster) == 43 and {"Malaysia", "Singapore"} <= {r["name"] for r in roster}
    with open(project.path / "votes-3.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) > 0
    with open(project.path / "round-1.csv", newline="") as f:
        assert "Ethiopia" in {r["member"] for r in csv.DictReader(f)}


def test_portal(project):
    project.run("portal")
    for site in (".waico/site", "public"):
        page = (project.path / site / "index.html").read_text()
        assert 'id="checkpoint-status"' in page


def test_portal_serve(project):
    assert _free(SERVE_PORT), f"port {SERVE_PORT} is taken: the README's `waico site serve` block needs it"
    proc = subprocess.Popen(["bash", "-euo", "pipefail", "-c", project.script("portal-serve")], cwd=project.path,
                            env=project.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        page = _first_answer(f"http://127.0.0.1:{SERVE_PORT}/", proc)
        assert page.status == 200 and "Content-Security-Policy" in page.headers
        assert 'id="checkpoint-status"' in page.body
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        out, err = proc.communicate(timeout=PAGE_DEADLINE)
        assert proc.returncode in (0, -signal.SIGINT, 128 + signal.SIGINT), err
        assert f"on http://127.0.0.1:{SERVE_PORT}/ (Ctrl-C stops)" in err, (out, err)
    finally:
        _kill_group(proc.pid)
    assert _free(SERVE_PORT)


class _Page:
    def __init__(self, answer):
        self.status, self.headers, self.body = answer.status, answer.headers, answer.read().decode()


def _first_answer(url: str, proc) -> _Page:
    """The server's first answer to `url`, asked until it listens (or its process ends, or the
    deadline passes: then the test fails with what the process said)."""
    import time

    deadline = time.monotonic() + PAGE_DEADLINE
    while True:
        try:
            with urllib.request.urlopen(url, timeout=PAGE_DEADLINE) as answer:
                return _Page(answer)
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"`waico site serve` never answered: {proc.communicate()}") from None
            time.sleep(0.1)


def test_portal_key(project):
    out = project.run("portal-key")
    url = out.strip().splitlines()[-1]
    assert url.startswith(f"file://{project.path}/.waico/site/index.html#key=")
    assert (project.path / ".waico/checkpoint.pub").read_text().strip().split("+")[0] in \
        urllib.request.unquote(url.split("#key=")[1])


def test_secretariat(project):
    assert _free(BROWNIE_PORT), f"port {BROWNIE_PORT} is taken: the README's secretariat block starts anvil on it"
    out = project.run("secretariat")
    assert "handed every admin role to the timelock" in out
    assert "minted 600,000 tUSD to China" in out
    assert re.search(r"executed .*round", out, re.I), out
    paid = re.findall(r"^([A-Z][\w' ]+?) {2,}\d+ +([\d,.]+) tUSD", out, re.M)
    assert any(name.strip() == "Ethiopia" for name, _ in paid), out
    assert _free(BROWNIE_PORT), "the block's `kill $ANVIL; wait $ANVIL` left the chain running"
