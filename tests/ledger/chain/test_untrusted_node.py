"""The RPC endpoint may be faulty or malicious: its answers are read within a bound (a 255 KB
gzip answer that inflates to 256 MB must not take a gigabyte), strings in its answers never
raise, and its URL is never printed with the API key it carries."""

import gzip
import json
import shutil
import subprocess
import sys
import tracemalloc
import zlib

import pytest
from click.testing import CliRunner
from eth_abi import encode

from ledger.chain.http import MAX_ANSWER, has_secrets, shown_url
from ledger.chain.node import connect
from ledger.chain.rpc import RangeRefused, Retry, Rpc, raw_web3
from ledger.cli import main
from ledger.errors import ChainUnavailable, NodeFailing
from tests.ledger.lyingproxy import LyingProxy

INFLATED = 256 * 2**20


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A JSON-RPC answer of 256 MB, gzip-compressed to about 255 KB."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [deflate.compress(b'{"jsonrpc":"2.0","id":1,"result":"')]
    block = b"0" * 2**20
    out += [deflate.compress(block) for _ in range(INFLATED // len(block))]
    out.append(deflate.compress(b'"}') + deflate.flush())
    payload = b"".join(out)
    assert len(payload) < 300 * 1024
    return payload


GZIP = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


def peak_of(fn) -> int:
    """The peak of Python's allocations while `fn` runs (bytes)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_mirrors_client_reads_a_gzip_bomb_only_up_to_the_bound(anvil, bomb):
    with LyingProxy(anvil.url) as proxy:
        rpc = Rpc(raw_web3(connect(proxy.url)), Retry(attempts=2, first_delay=0))
        proxy.raw = (GZIP, bomb)

        def logs():
            with pytest.raises(RangeRefused):  # too large: the caller asks for a smaller range
                rpc._once("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "0x1"}])

        def number():
            with pytest.raises(NodeFailing, match="more than"):
                rpc.call("eth_blockNumber", [])

        assert peak_of(logs) < 3 * MAX_ANSWER < INFLATED
        assert peak_of(number) < 3 * MAX_ANSWER


def test_web3s_provider_reads_a_gzip_bomb_only_up_to_the_bound(anvil, bomb):
    with LyingProxy(anvil.url) as proxy:
        proxy.raw = (GZIP, bomb)

        def connecting():
            with pytest.raises(ChainUnavailable, match="cannot reach the RPC endpoint"):
                connect(proxy.url)

        assert peak_of(connecting) < 3 * MAX_ANSWER


def test_an_honest_gzip_answer_is_still_read(anvil):
    with LyingProxy(anvil.url) as proxy:
        w3 = connect(proxy.url)
        answer = json.dumps({"jsonrpc": "2.0", "id": 1, "result": "0x2a"}).encode()
        proxy.raw = (GZIP, gzip.compress(answer))
        assert w3.eth.block_number == 42
        assert Rpc(raw_web3(w3)).call("eth_blockNumber", []) == "0x2a"


# `waico` in a process that writes its peak resident memory as it exits, in kilobytes: its own
# (VmHWM: this program's, not that of the test runner it was forked from, which rusage would
# count) or its worker processes' (they fetch and decode; forked from it), whichever is larger
PEAK_MEMORY = """
import atexit, resource, sys
def report():
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    open(sys.argv[1], "w").write(str(max(int(hwm.split()[1]), workers)))
atexit.register(report)
from ledger.cli import main
main(sys.argv[2:], prog_name="waico")
"""


def test_index_through_a_gzip_bomb_fails_in_one_line_with_bounded_memory(demo_chain, bomb, tmp_path):
    """`waico index` against a node whose every log answer is the bomb: one line, exit 3, and a
    peak resident memory far below the bomb's size (it took 1.14 GB)."""
    workdir = tmp_path / "wd"
    shutil.copytree(demo_chain.workdir, workdir)
    (workdir / "mirror.db").unlink(missing_ok=True)
    with LyingProxy(demo_chain.url) as proxy:
        proxy.raw, proxy.raw_methods = (GZIP, bomb), {"eth_getLogs"}
        result = subprocess.run([sys.executable, "-c", PEAK_MEMORY, str(tmp_path / "peak"), "index", "--workdir",
                                 str(workdir), "--rpc", proxy.url], capture_output=True, text=True, timeout=300)
    assert "eth_getLogs" in proxy.requests
    # here: 94 MB for an honest index of the demo, 144 MB with the bomb (1,115 MB before)
    assert int((tmp_path / "peak").read_text()) * 1024 < 256 * 2**20
    assert result.returncode == 3, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: ") and "Traceback" not in result.stderr
    assert "more than" in result.stderr


def test_strings_in_answers_decode_with_replacement_characters(anvil):
    w3 = connect(anvil.url)
    data = encode(["bytes", "uint8"], [b"\xff\xfe ok", 7])
    assert w3.codec.decode(["string", "uint8"], data) == ("\ufffd\ufffd ok", 7)


SECRET_URL = "https://member:hunter2@127.0.0.1:9/v3/0123456789abcdef?apikey=topsecret"


def test_urls_are_shown_without_their_secrets():
    assert shown_url(SECRET_URL) == "https://127.0.0.1:9/…"
    assert shown_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545"
    assert [has_secrets(u) for u in (SECRET_URL, "http://a:1/v3/k", "http://a/?k=1", "http://a:1", "http://a:1/")] \
        == [True, True, True, False, False]


def test_an_unreachable_rpc_url_is_printed_without_its_api_key(demo_chain, tmp_path):
    shutil.copy(demo_chain.workdir / "deployment.json", tmp_path)
    result = CliRunner().invoke(main, ["member", "list", "--workdir", str(tmp_path), "--rpc", SECRET_URL])
    assert result.exit_code == 3
    assert "https://127.0.0.1:9/…" in result.output
    for secret in ("hunter2", "member:", "0123456789abcdef", "topsecret", "/v3"):
        assert secret not in result.output
