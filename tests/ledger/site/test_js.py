"""The site's JavaScript in the browser, against the specifications' test vectors (the same ones
the Python package's tlog tests use) and against the Python package's own answers for the
twins (number formats, titles, formula v1, ABI decoding)."""

import json
import random
import shutil
import time
from pathlib import Path

from eth_abi import encode

from ledger.org.formula import allocate
from ledger.site import show
from ledger.site.build import STATIC
from ledger.site.model import title_of
from ledger.tlog import merkle
from ledger.tlog.checkpoint import Checkpoint, sign_checkpoint
from ledger.tlog.leaves import canonical_event
from ledger.tlog.note import NoteSigner
from tests.ledger.tlog import test_leaves, test_merkle, test_note

from .conftest import url

HERE = Path(__file__).parent


def _vectors() -> dict:
    n = test_note
    peter_note = n.TEXT + "\n" + n.PETER_SIG
    both = n.TEXT + "\n" + n.PETER_SIG + n.ENOCH_SIG
    flipped = n.PETER_B64[:10] + ("A" if n.PETER_B64[10] != "A" else "B") + n.PETER_B64[11:]
    signer = NoteSigner("waico-ledger.example/1/0xabc", bytes(range(32)))
    cp = Checkpoint(signer.name, 12345, bytes(range(32, 64)))
    other = NoteSigner(signer.name, bytes(range(1, 33)))
    m = test_merkle
    hashes, roots = m._tree(24)
    inclusion_all = [(i, size, [p.hex() for p in merkle.inclusion_path(i, hashes[:size])], hashes[i].hex(), roots[size].hex())
                     for size in range(1, 25) for i in range(size)]
    consistency_all = [(old, new, [p.hex() for p in merkle.consistency_path(old, hashes[:new])], roots[old].hex(),
                        roots[new].hex()) for new in range(1, 25) for old in range(1, new + 1)]
    leaf = canonical_event(**test_leaves.EXAMPLE)
    rng = random.Random(6962)
    formula = []
    for _ in range(60):
        scores = [rng.randint(1, 100) for _ in range(rng.randint(1, 30))]
        budget, cap, floor = rng.randint(0, 10**12), rng.randint(1, 10_000), rng.randint(0, 10**9)
        formula.append((scores, str(budget), cap, str(floor), [str(a) for a in allocate(scores, budget, cap, floor)]))
    abi_cases = [
        (["uint256", "int256", "bool", "address", "bytes32"],
         [2**256 - 1, -5, True, "0x" + "ab" * 20, b"\x01" * 32],
         [str(2**256 - 1), "-5", True, "0x" + "ab" * 20, "0x" + "01" * 32]),
        (["string", "uint32[3]", "bytes"], ["Ünïcode <script>alert(1)</script>\n", [1, 2, 3], b"\x00\xff"],
         ["Ünïcode <script>alert(1)</script>\n", ["1", "2", "3"], "0x00ff"]),
        (["address[]", "uint256[]", "bytes[]", "string"],
         [["0x" + "01" * 20, "0x" + "02" * 20], [7, 8], [b"\xaa", b""], "# Title\n\nbody"],
         [["0x" + "01" * 20, "0x" + "02" * 20], ["7", "8"], ["0xaa", "0x"], "# Title\n\nbody"]),
    ]
    return {
        "keys": [(n.PETER_VKEY, 0xC74F20A3), (n.ENOCH_VKEY, 0xAF0CFE78), (n.TESSERA_VKEY, 0x33D7B496)],
        "badKeys": [n.PETER_VKEY[:i] + chr(ord(n.PETER_VKEY[i]) + 1) + n.PETER_VKEY[i + 1:]
                    for i in range(len(n.PETER_VKEY))] + [n.PETER_VKEY[:-1], n.PETER_VKEY[1:], "", "a+b",
                                                         "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="],
        "note": {"peter": n.PETER_VKEY, "enoch": n.ENOCH_VKEY, "text": n.TEXT, "peterNote": peter_note,
                 "bothNote": both,
                 "badNotes": [n.TEXT + "\n— PeterNeumann " + flipped + "\n", n.TEXT + n.PETER_SIG,
                              n.TEXT + "\n" + n.PETER_SIG[:-1], n.TEXT.replace("\n", "\r\n", 1) + "\n" + n.PETER_SIG,
                              n.TEXT + "\n- PeterNeumann " + n.PETER_B64 + "\n"]},
        "checkpoint": {"key": signer.verifier.to_text(), "otherKey": other.verifier.to_text(), "origin": signer.name,
                       "note": sign_checkpoint(cp, signer), "size": cp.size, "root": cp.root.hex(),
                       "badTexts": ["a\n1\n", "a\n01\n" + "A" * 43 + "=\n", "a\n1\nnotbase64\n", "a\n1\n" + "A" * 44]},
        "merkle": {"leaves": [x.hex() for x in m.LEAVES], "leafHashes": [x.hex() for x in m.LEAF_HASHES],
                   "roots": [x.hex() for x in m.ROOTS],
                   "inclusion": [(i, s, p, m.LEAF_HASHES[i].hex(), m.ROOTS[s].hex()) for i, s, p in m.INCLUSION_VECTORS],
                   "consistency": [(o, nw, p, m.ROOTS[o].hex(), m.ROOTS[nw].hex()) for o, nw, p in m.CONSISTENCY_VECTORS],
                   "inclusionAll": inclusion_all, "consistencyAll": consistency_all},
        "leaf": {"bytes": leaf.hex(), "hash": merkle.leaf_hash(leaf).hex(),
                 "bad": [leaf[:-1].hex(), (leaf + b"\0").hex(), ("78" + leaf[1:].hex()), leaf[:20].hex()]},
        "show": {"int": [(str(v), show.integer(v)) for v in (0, 7, 999, 1000, 123456789, 2**256 - 1)],
                 "token": [(str(v), d, show.token(v, d)) for v in (0, 1, 999_999, 1_000_000, 1_234_567_891, 10**30 + 5)
                           for d in (0, 1, 2, 6, 18)],
                 "pct": [(str(v), show.pct(v)) for v in (0, 1, 99, 100, 1500, 6667, 10_000)],
                 "titles": [(d, title_of(d)) for d in ("# Admit Singapore\n\nbody", "##  Title  \t\r\nx", "", "\n\nx",
                                                        "#", "plain", "Title\r\nwith CRLF", "  # not a heading")]},
        "formula": formula,
        "abi": [(types, encode(types, values).hex(), expected) for types, values, expected in abi_cases],
    }


def test_the_site_s_javascript_passes_its_unit_tests_in_the_browser(browser, tmp_path):
    for name in ("tlog.js", "ledger.js"):
        shutil.copy(STATIC / name, tmp_path / name)
    shutil.copy(HERE / "js" / "tests.js", tmp_path / "tests.js")
    (tmp_path / "vectors.js").write_text("window.VECTORS = " + json.dumps(_vectors()) + ";\n")
    (tmp_path / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>site js tests</title>'
        '<script src="tlog.js"></script><script src="ledger.js"></script><script src="vectors.js"></script>'
        '<script src="tests.js"></script>\n')
    browser.open(url(tmp_path / "index.html"), wait_verified=False)
    deadline = time.monotonic() + 60
    while not browser.js("return document.documentElement.hasAttribute('data-done')"):
        assert time.monotonic() < deadline, "the JS tests did not finish"
        time.sleep(0.05)
    results = browser.js("return window.RESULTS")
    assert browser.console_errors() == []
    failed = [r for r in results if not r["ok"]]
    assert not failed, json.dumps(failed, indent=1)
    assert len(results) == 12
