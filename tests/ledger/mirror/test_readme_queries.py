"""The README's observer queries, read from the README itself, answer their questions: run as
written by the `sqlite3` shell on the demo's mirror, and their SQL on SQLite and PostgreSQL,
with answers checked against the chain (what the CLI reads)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from ledger.mirror import sync
from ledger.org.fund import token_of
from ledger.org.governance import read_proposals
from ledger.org.membership import Status, read_members
from ledger.org.payouts import read_payouts
from ledger.org.votes import read_votes

from .test_typed import query

ROOT = Path(__file__).parents[3]
README = ROOT / "README.md"


def _block(text: str, name: str) -> list[list[str]]:
    """The argv of each `sqlite3` command of the README block marked `<!-- workflow: name -->`."""
    body = re.search(rf"<!-- workflow: {re.escape(name)} -->\n```sh\n(.*?)```", text, re.S).group(1)
    return [shlex.split(line, comments=True) for line in body.splitlines() if line.startswith("sqlite3 ")]


def readme_queries() -> list[list[str]]:
    """The argv of each `sqlite3` command in the README's observer questions, in order."""
    section = README.read_text().split("### An observer or auditor")[1].split("\n### ")[0]
    return _block(section, "observer-sql")


def sharing_queries() -> list[list[str]]:
    """The sharing questions (who shared what with whom; supply vs demand by kind; open requests
    from the Global South): README.md's block `observer-sharing-sql`."""
    return _block(README.read_text(), "observer-sharing-sql")


QUERIES = readme_queries()
SHARING_QUERIES = sharing_queries()


def test_the_readme_has_the_five_observer_questions():
    assert len(QUERIES) == 5
    assert all(argv[:3] == ["sqlite3", "-header", "-column"] and argv[3] == ".waico/mirror.db" for argv in QUERIES)


@pytest.fixture(scope="module")
def chain_figures(demo_chain):
    w3, manifest = demo_chain.w3, demo_chain.manifest
    governor = manifest.contract(w3, "WaicoGovernor")
    block = manifest.contracts["WaicoGovernor"].block
    proposals = read_proposals(governor, block)
    members = read_members(manifest.contract(w3, "Membership"))
    fund = manifest.contract(w3, "EquityFund")
    return {"proposals": proposals, "members": {m.address: m for m in members},
            "votes3": read_votes(governor, block, proposals[2].id), "token": token_of(w3, fund),
            "payouts": read_payouts(fund, manifest.contracts["EquityFund"].block, 1)}


def test_the_readme_has_the_three_sharing_questions():
    assert len(SHARING_QUERIES) == 3
    assert all(argv[:4] == ["sqlite3", "-header", "-column", ".waico/mirror.db"] for argv in SHARING_QUERIES)


def test_the_readme_queries_run_as_written_in_the_sqlite3_shell(demo_chain, tmp_path):
    assert shutil.which("sqlite3"), "the sqlite3 shell (Debian's sqlite3) is part of the machine"
    (tmp_path / ".waico").mkdir()
    shutil.copyfile(demo_chain.mirror, tmp_path / ".waico" / "mirror.db")
    for argv in QUERIES + SHARING_QUERIES:
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stderr == "", (argv, done.stderr)
        lines = done.stdout.splitlines()
        assert len(lines) >= 3 and set(lines[1].replace(" ", "")) == {"-"}, done.stdout  # header, rule, rows


def test_the_readme_queries_answer_their_questions_on_both_databases(demo_chain, chain_figures, db):
    sync(demo_chain.w3, demo_chain.manifest, db)
    summary, tally, who, payouts, roster = (query(db, argv[4]) for argv in QUERIES)
    proposals, members = chain_figures["proposals"], chain_figures["members"]

    # every proposal, numbered as the CLI numbers them, with the governor's figures
    assert [(n, t, int(f), int(a), int(ab), sf, sa) for n, t, _l, f, a, ab, sf, sa, _title in summary] == [
        (n, p.track.name, p.for_, p.against, p.abstain, p.states_for, p.states_against)
        for n, p in enumerate(proposals, 1)]

    # proposal 3 split by kind: adds up to the governor's tally; the states' rows are its head count
    third = proposals[2]
    by = {(kind, support): (ballots, int(weight)) for kind, support, ballots, weight in tally}
    assert {k for k, _ in by} == {"State", "Corporate"}
    for support, total in (("for", third.for_), ("against", third.against), ("abstain", third.abstain)):
        assert sum(w for (_k, s), (_b, w) in by.items() if s == support) == total
    assert by[("State", "for")][0] == third.states_for and by[("State", "against")][0] == third.states_against

    # who voted how on proposal 3: the chain's votes, by name
    votes = chain_figures["votes3"]
    assert sorted((m, s, int(w)) for m, _k, _t, s, w, _r in who) == sorted(
        (members[v.voter].name, v.support_name, v.weight) for v in votes) and len(who) == len(votes) > 30
    assert [s for _m, _k, _t, s, _w, _r in who] == sorted(s for _m, _k, _t, s, _w, _r in who)

    # round 1's payouts by member, in tUSD as the CLI shows them (without its separators)
    token = chain_figures["token"]
    assert sorted((r, m, a, paid_as) for r, m, a, paid_as in payouts) == sorted(
        (1, members[p.member].name, token.show(p.amount).removesuffix(" tUSD").replace(",", ""), "pushed")
        for p in chain_figures["payouts"]) and len(payouts) > 20

    # the roster by tier
    active = Counter((m.tier_name, m.kind.name) for m in members.values() if m.status is Status.Active)
    assert {(t, k): n for t, k, n in roster} == dict(active)
    assert [t for t, _k, _n in roster][0] == "Full" and sum(n for *_, n in roster) == sum(active.values())


def test_the_readme_sharing_queries_answer_their_questions_on_both_databases(demo_chain, db):
    from ledger.org.sharing import RequestStatus, read_board

    w3, manifest = demo_chain.w3, demo_chain.manifest
    sync(w3, manifest, db)
    board = read_board(manifest.contract(w3, "SharingPlatform"), manifest.contracts["SharingPlatform"].block)
    members = {m.address.lower(): m for m in read_members(manifest.contract(w3, "Membership"))}
    fund = manifest.contract(w3, "EquityFund")
    who, supply, south = (query(db, argv[4]) for argv in SHARING_QUERIES)

    # who shared what with whom: every confirmed delivery, by name, with the offer's version
    name = {a: m.name for a, m in members.items()}
    confirmed = [q for q in board.requests if q.status is RequestStatus.Confirmed]
    assert who == sorted(((name[board.offer(q.granted_offer).offerer.lower()], name[q.requester.lower()],
                           q.kind.name, board.offer(q.granted_offer).terms.title, board.offer(q.granted_offer).version)
                          for q in confirmed), key=lambda r: (r[0], r[1])) and len(who) == 5
    assert ("Alibaba", "Malaysia", "Model", "Qwen 7B Instruct v1.1", 2) in who

    # supply vs demand: every kind, open offers with the grants left, open requests
    rows = {k: (int(o), int(c), int(r)) for k, o, c, r in supply}
    assert list(rows) == sorted(rows) and len(rows) == 5
    for kind, (offers, left, wanted) in rows.items():
        open_ = [o for o in board.offers if o.kind.name == kind and not o.withdrawn]
        assert (offers, left) == (sum(o.granted < o.capacity for o in open_),
                                  sum(o.capacity - o.granted for o in open_))
        assert wanted == sum(q.kind.name == kind and q.status is RequestStatus.Open for q in board.requests)
    assert rows["Dataset"] == (2, 2, 1) and rows["Model"] == (1, 4, 1)

    # open requests from members the fund scores in need: Ethiopia's and Nigeria's
    open_ = [q for q in board.requests if q.status is RequestStatus.Open
             and fund.functions.needScore(q.requester).call() > 0]
    assert [(r, k, o, int(s)) for r, _t, k, o, s, _u in south] == sorted(
        ((name[q.requester.lower()], q.kind.name, q.offer_id or None, fund.functions.needScore(q.requester).call())
         for q in open_), key=lambda r: r[0])
    assert [r[0] for r in south] == ["Ethiopia", "Nigeria"] and [r[1] for r in south] == ["Associate", "Associate"]
