"""The demo's site in a real browser: every page verifies itself, the numbers are the mirror's,
and a tampered copy fails exactly where it was tampered with."""

import base64
import json
import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from ledger.mirror.typed import SHARE_KIND
from ledger.site import read_data_file
from ledger.tlog.leaves import LogEvent

from .conftest import pages_of, url


def test_every_page_loads_without_errors_and_verifies_everything(browser, demo_site):
    pages = pages_of(demo_site)
    assert len(pages) > 50
    for page in pages:
        browser.open(url(page))
        marks = browser.marks()
        assert browser.console_errors() == [], page
        status = browser.js("return document.getElementById('checkpoint-status').getAttribute('data-verify')")
        assert status == "ok", page
        assert marks["fail"] == [] and marks["pending"] == [], (page, marks["fail"][:3], marks["pending"][:3])
        assert marks["ok"], page


def _mirror(demo_chain, query):
    with sqlite3.connect(demo_chain.mirror) as conn:
        return conn.execute(query).fetchall()


def test_the_tallies_and_payouts_on_the_pages_are_the_mirror_s(browser, demo_site, demo_chain):
    tallies = defaultdict(lambda: [0, 0, 0])
    for pid, support, weight in _mirror(demo_chain, "SELECT proposal_id, support, weight FROM vote"):
        tallies[pid][support] += int(weight)
    assert len(tallies) == 4
    for pid, tally in tallies.items():
        number = [n for n, (p,) in enumerate(_mirror(demo_chain, "SELECT proposal_id FROM proposal_created "
                                                                  "ORDER BY block_number, log_index"), 1) if p == pid][0]
        browser.open(url(demo_site / "proposals" / f"{number}.html"))
        shown = browser.js("return Array.from(document.querySelectorAll('[data-check=tally]')).map("
                           "e => [e.dataset.support, e.dataset.value, e.textContent, e.dataset.verify])")
        assert {int(s): int(v) for s, v, _, _ in shown} == dict(enumerate(tally))
        assert all(text == f"{int(v):,}" and state == "ok" for _, v, text, state in shown)

    payouts = {member.lower(): int(amount) for member, amount in _mirror(demo_chain, "SELECT member, amount FROM payout")}
    browser.open(url(demo_site / "fund.html"))
    rows = browser.js("return Array.from(document.querySelectorAll('tr[data-check=payout]')).map(tr => ["
                      "tr.querySelector('a').getAttribute('href'), tr.querySelector('[data-field=amount]').textContent,"
                      "tr.dataset.verify])")
    assert len(rows) == len(payouts) > 20
    for href, amount, state in rows:
        member = href.rsplit("/", 1)[1].removesuffix(".html")
        assert amount == f"{payouts[member] // 10**6:,}.{payouts[member] % 10**6 // 10**4:02d}" and state == "ok"


def test_the_observer_s_own_key_is_named_and_another_key_fails(browser, demo_site, demo_chain):
    key = (demo_chain.workdir / "checkpoint.pub").read_text().strip()
    browser.open(url(demo_site / "index.html", "#key=" + quote(key, safe="")))
    assert browser.js("return document.getElementById('checkpoint-status').dataset.key") == "observer"
    assert browser.marks()["fail"] == []
    assert "the address" in browser.js("return document.getElementById('checkpoint-status').textContent")
    # the key carries along the site's own links
    assert browser.js("return document.querySelector('nav a[href^=\"members.html\"]').getAttribute('href')").endswith(
        "#key=" + quote(key, safe=""))

    from ledger.tlog.checkpoint import generate_key

    _, other = generate_key(key.split("+")[0])  # the same log name, another key
    browser.open(url(demo_site / "index.html", "#key=" + quote(other, safe="")))
    marks = browser.marks()
    assert [m["id"] for m in marks["fail"]] == ["checkpoint-status"]
    assert marks["ok"] == [] and marks["pending"]


def _flip_in_leaf(site: Path, data: str, leaf_index: int, at: int) -> None:
    path = site / "data" / f"{data}.js"
    payload = read_data_file(path.read_text())
    event = next(e for e in payload["events"] if e["index"] == leaf_index)
    leaf = bytearray(base64.b64decode(event["leaf"]))
    leaf[at] ^= 0x01
    event["leaf"] = base64.b64encode(bytes(leaf)).decode()
    lines = path.read_text().split("\n")
    lines[1] = json.dumps(payload)
    path.write_text("\n".join(lines))


def test_a_vote_altered_in_the_data_fails_its_row_and_the_numbers_it_counts_in_and_nothing_else(browser, site_copy):
    page = site_copy / "proposals" / "3.html"
    browser.open(url(page))
    # a corporate member's vote against (constitutional track: corporates are not counted as states)
    leaf = browser.js("return Array.from(document.querySelectorAll('tr[data-check=vote]')).find(tr => "
                      "tr.querySelector('[data-field=voter][data-show=memberkind]').textContent === 'Corporate' && "
                      "tr.querySelector('[data-field=support]').textContent === 'against').dataset.leaf")
    payload = read_data_file((site_copy / "data" / "proposal-3.js").read_text())
    raw = base64.b64decode(next(e for e in payload["events"] if e["index"] == int(leaf))["leaf"])
    event = LogEvent.decode(raw)
    weight_at = len(raw) - len(event.data) + 2 * 32 + 31  # VoteCast data: proposalId, support, weight, ...
    _flip_in_leaf(site_copy, "proposal-3", int(leaf), weight_at)

    browser.open(url(page))
    failed = browser.marks()["fail"]
    described = sorted((m["check"], m["id"] or m["leaf"] or "") for m in failed)
    support = browser.js("return Array.from(document.querySelectorAll('[data-verify=fail][data-check=tally],"
                         "[data-verify=fail][data-check=ballots]')).map(e => e.dataset.support || 'all')")
    assert described == sorted([("vote", leaf), ("tally", ""), ("ballots", ""), ("ballots", ""),
                                ("group", "summary"), ("group", "tally"), ("group", "votes")])
    assert sorted(support) == ["0", "0", "all"]  # the against tally, the against ballots, all ballots
    assert "proof" in next(m for m in failed if m["check"] == "vote")["title"]
    assert browser.js("return document.getElementById('checkpoint-status').dataset.verify") == "ok"

    for other in (site_copy / "proposals" / "1.html", site_copy / "index.html"):
        browser.open(url(other))
        assert browser.marks()["fail"] == [], other


def test_a_flipped_signature_byte_fails_the_checkpoint_and_leaves_everything_else_unverified(browser, site_copy):
    path = site_copy / "data" / "log.js"
    log = read_data_file(path.read_text())
    text, sig = log["note"].rsplit(" ", 1)
    raw = bytearray(base64.b64decode(sig))
    raw[10] ^= 0x01
    log["note"] = text + " " + base64.b64encode(bytes(raw)).decode() + "\n"
    lines = path.read_text().split("\n")
    lines[1] = json.dumps(log)
    path.write_text("\n".join(lines))
    for page in (site_copy / "index.html", site_copy / "proposals" / "3.html", site_copy / "fund.html"):
        browser.open(url(page))
        marks = browser.marks()
        assert [m["id"] for m in marks["fail"]] == ["checkpoint-status"], page
        assert marks["ok"] == [] and len(marks["pending"]) > 5
        assert browser.console_errors() == []


def _sharing_numbers(browser) -> dict[tuple[str, str], tuple[str, str, str]]:
    """The sharing page's re-counted numbers: (check, what it counts) -> (value, text, state)."""
    shown = browser.js("return Array.from(document.querySelectorAll('[data-check=count], [data-check=served]')).map("
                       "e => [e.dataset.check, e.dataset.where || e.dataset.offerer, e.dataset.event || '',"
                       "e.dataset.value, e.textContent, e.dataset.verify])")
    return {(check, event + ":" + what): (value, text, state) for check, what, event, value, text, state in shown}


def test_the_sharing_page_charts_supply_demand_and_the_pathway_s_measure_as_the_mirror_has_them(
        browser, demo_site, demo_chain):
    offers = dict(_mirror(demo_chain, "SELECT kind, count(*) FROM share_offer_version WHERE version = 1 GROUP BY kind"))
    requests = dict(_mirror(demo_chain, "SELECT kind, count(*) FROM share_request GROUP BY kind"))
    served = {who.lower(): (n, distinct) for who, n, distinct in _mirror(
        demo_chain, "SELECT offerer, count(*), count(DISTINCT requester) FROM share_delivery GROUP BY offerer")}
    assert len(offers) >= 3 and len(requests) >= 3 and len(served) >= 3
    assert max(distinct for _, distinct in served.values()) >= 2  # one offerer served two requesters

    browser.open(url(demo_site / "sharing.html"))
    expected = {}
    for kind in set(offers) | set(requests):
        i = SHARE_KIND.index(kind)
        expected[("count", f"OfferPublished:kind={i};version=1")] = offers.get(kind, 0)
        expected[("count", f"RequestPosted:kind={i}")] = requests.get(kind, 0)
    for who, (n, distinct) in served.items():
        expected[("served", ":" + who)] = distinct
        expected[("count", f"DeliveryConfirmed:offerer={who}")] = n
    shown = _sharing_numbers(browser)
    assert {key: int(value) for key, (value, _, _) in shown.items()} == expected
    assert all(text == f"{int(value):,}" and state == "ok" for value, text, state in shown.values())
    titles = browser.js("return Array.from(document.querySelectorAll('svg.chart title')).map(t => t.textContent)")
    assert titles == ["Offers and requests by kind", "Distinct requesters served, by offerer"]
    # the pathway's minimums are the chart's markers
    minimums = [n for _, n in _mirror(demo_chain, "SELECT tier, minimum FROM tier_sharing_requirement "
                                                  "ORDER BY block_number, log_index") if n]
    markers = browser.js("return document.querySelectorAll('#served svg line.threshold').length")
    assert minimums and markers == len(minimums)


def test_a_sharing_number_changed_on_the_page_fails_where_it_was_changed(browser, site_copy):
    page = site_copy / "sharing.html"
    browser.open(url(page))
    (key, (value, text, _)), *_ = sorted((k, v) for k, v in _sharing_numbers(browser).items() if k[0] == "served")
    html = page.read_text()
    offerer = key[1].removeprefix(":")
    cell = re.search(rf'<td[^>]*data-offerer="{offerer}"[^>]*>{text}</td>', html).group(0)
    page.write_text(html.replace(cell, cell.replace(f'data-value="{value}"', f'data-value="{int(value) + 1}"')
                                 .replace(f">{text}<", f">{int(value) + 1}<")))
    browser.open(url(page))
    failed = browser.marks()["fail"]
    assert [(m["check"], m["text"]) for m in failed if m["check"] != "group"] == [("served", str(int(value) + 1))]
    assert "re-counted " + value in next(m for m in failed if m["check"] == "served")["title"]
