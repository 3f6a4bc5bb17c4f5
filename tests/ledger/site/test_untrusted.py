"""Chain data is untrusted input: a proposal's description, a ballot's reason and a member's
adaptation URI full of markup, event handlers and javascript: URIs reach the site as text,
and nothing in them runs."""

import hashlib
import shutil
import sqlite3

import pytest

from ledger.app import keys
from ledger.app.demo import DEMO_PASSWORD, FINALITY_DEPTH
from ledger.audit import eventlog
from ledger.chain.anvil import dev_private_key
from ledger.chain.node import mine
from ledger.chain.transactions import Signer
from ledger.mirror import sync
from ledger.org import ballots, pathway
from ledger.org.governance import Action, Track, propose, relay
from ledger.site import Token, build
from ledger.tlog.note import NoteVerifier

from .conftest import url

DESCRIPTION = ('# Fund <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">\n\n'
               '<a href="javascript:window.__pwned = 3">click</a></pre><script>window.__pwned = 4</script>\r\n'
               '<p onclick="window.__pwned = 9" style="x">]]></p>')
REASON = '"><svg onload="window.__pwned = 5"><script>window.__pwned = 6</script>'
ADAPTATION_URI = "javascript:window.__pwned = 7"


@pytest.fixture(scope="module")
def hostile_site(demo_chain, tmp_path_factory):
    """The demo chain plus a hostile proposal, ballot and declaration, mirrored, checkpointed
    and built into a site; the chain is put back afterwards."""
    w3, manifest = demo_chain.w3, demo_chain.manifest
    snap = w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        secretariat = Signer(w3, dev_private_key(0), manifest.error_decoder())
        governor = manifest.contract(w3, "WaicoGovernor")
        membership = manifest.contract(w3, "Membership")
        title = "WAICO-S9 <b>bold</b>"
        call = membership.functions.registerStandard(title, "https://x.example/\"><script>window.__pwned=8</script>",
                                                     hashlib.sha256(b"s9").digest())
        pid = propose(secretariat, governor, Track.Ordinary,
                      [Action(membership.address, 0, bytes.fromhex(call._encode_transaction_data()[2:]))], DESCRIPTION)
        mine(w3, 2)
        voter = keys.find_key(demo_chain.workdir / "keys", "KEN")
        private_key = keys.unlock(voter, DEMO_PASSWORD)
        signed = ballots.sign(ballots.Ballot(manifest.chain_id, governor.address, pid, ballots.Support.For,
                                             voter.address, REASON), private_key)
        assert relay(secretariat, governor, [signed])[0].counted
        member = Signer(w3, private_key, manifest.error_decoder())
        pathway.declare(member, membership, 0, hashlib.sha256(b"evidence").digest(), hashlib.sha256(b"a").digest(),
                        ADAPTATION_URI)
        mine(w3, FINALITY_DEPTH)
        workdir = tmp_path_factory.mktemp("hostile")
        shutil.copytree(demo_chain.workdir, workdir, dirs_exist_ok=True)
        mirror = workdir / "hostile-mirror.db"
        shutil.copy(demo_chain.mirror, mirror)
        sync(w3, manifest, str(mirror))
        with sqlite3.connect(mirror) as conn:
            assert conn.execute("SELECT count(*) FROM vote WHERE reason = ?", (REASON,)).fetchone()[0] == 1
        signed_cp = eventlog.sign(workdir, manifest, str(mirror), eventlog.finalized_block(w3))
        site = build(workdir / "hostile-site", manifest, str(mirror), signed_cp.note,
                     NoteVerifier.parse(signed_cp.verifier_key), token=Token("tUSD", 6))
        return site.out, voter.address.lower()
    finally:
        w3.provider.make_request("evm_revert", [snap])


def _assert_inert(browser):
    assert browser.js("return window.__pwned") is None
    assert browser.console_errors() == []  # not even a script the CSP had to refuse
    own = browser.js("return Array.from(document.scripts).map(s => s.getAttribute('src'))")
    assert all(src and (src.startswith("../") or src.startswith(("static/", "data/"))) for src in own), own
    assert browser.js("return document.querySelectorAll('img, iframe, object, embed, svg [onload], p[onclick]').length") == 0
    handlers = browser.js("return Array.from(document.querySelectorAll('*')).flatMap(e => "
                          "Array.from(e.attributes).filter(a => a.name.startsWith('on')).map(a => a.name))")
    assert handlers == []
    hrefs = browser.js("return Array.from(document.querySelectorAll('[href]')).map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if not (h.startswith(("http://", "https://", "../", "#")) or "://" not in h)
                or h.lower().startswith(("javascript:", "data:"))]
    assert browser.marks()["fail"] == []


def test_a_hostile_description_and_reason_show_as_text_and_nothing_runs(browser, hostile_site):
    site, voter = hostile_site
    number = max(int(p.stem) for p in (site / "proposals").glob("*.html"))
    browser.open(url(site / "proposals" / f"{number}.html"))
    _assert_inert(browser)
    assert browser.js("return document.querySelector('h1').textContent") == (
        'Proposal 5: Fund <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">')
    shown = browser.js("return document.querySelector('pre.description').textContent")
    assert shown == DESCRIPTION.replace("\r\n", "\n")
    assert REASON in browser.js("return document.getElementById('votes-table').textContent")
    assert browser.js("return document.querySelector('tr[data-check=vote] .reason') !== null")


def test_a_hostile_adaptation_uri_is_not_a_link(browser, hostile_site):
    site, voter = hostile_site
    browser.open(url(site / "members" / f"{voter}.html"))
    _assert_inert(browser)
    text = browser.js("return document.getElementById('certifications').textContent")
    assert ADAPTATION_URI in text
    assert browser.js("return document.querySelectorAll('#certifications a').length") == 0
    assert REASON in browser.js("return document.getElementById('votes').textContent")
    for page in ("index.html", "proposals.html", "fund.html", "audit.html"):
        browser.open(url(site / page))
        _assert_inert(browser)
