"""The observer's views (ledger/mirror/views.py) on SQLite and PostgreSQL: proposal numbers as
the CLI gives them, tallies and head counts as the governor gives them, member names, tier
names (renamed ones too), support labels and token amounts as the chain's figures say."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, text

from ledger.mirror import sync
from ledger.mirror.store import open_db
from ledger.mirror.typed import Uint256
from ledger.mirror.views import units
from ledger.org.fund import token_of
from ledger.org.governance import read_proposals
from ledger.org.membership import read_members

from .test_typed import query


@pytest.fixture(scope="module")
def demo(demo_chain):
    """The shared demo chain's w3 and manifest, with what the CLI reads of it."""
    w3, manifest = demo_chain.w3, demo_chain.manifest
    governor = manifest.contract(w3, "WaicoGovernor")
    proposals = read_proposals(governor, manifest.contracts["WaicoGovernor"].block)
    members = read_members(manifest.contract(w3, "Membership"))
    return w3, manifest, proposals, members


def named(db, view: str, columns: str, where: str = "1 = 1") -> list[dict]:
    names = [c.strip() for c in columns.split(",")]
    return [dict(zip(names, row)) for row in query(db, f"SELECT {columns} FROM {view} WHERE {where}")]


def test_proposal_summary_numbers_and_tallies_as_the_cli_and_governor_give_them(demo, db):
    w3, manifest, proposals, _ = demo
    sync(w3, manifest, db)
    rows = named(db, "proposal_summary", "number, proposal_id, track, title, lifecycle, ballots, for_weight, "
                 "against_weight, abstain_weight, states_for, states_against")
    assert [r["number"] for r in rows] == list(range(1, len(proposals) + 1)) and len(rows) == 4
    assert all(isinstance(r["number"], int) for r in rows)  # sorts as a number
    for row, p in zip(rows, proposals):  # the CLI's `proposal show N` is proposals[N - 1]
        assert row["proposal_id"] == str(p.id)
        assert (row["track"], row["title"]) == (p.track.name, p.title)
        assert [int(row[k]) for k in ("for_weight", "against_weight", "abstain_weight")] == [p.for_, p.against,
                                                                                             p.abstain]
        assert (row["states_for"], row["states_against"]) == (p.states_for, p.states_against)
        assert row["lifecycle"] == p.state.name.lower() == "executed"
    assert sum(r["states_against"] for r in rows) > 0 and sum(int(r["abstain_weight"]) for r in rows) > 0


def test_vote_by_member_names_each_voter_with_labels(demo, db):
    w3, manifest, proposals, members = demo
    sync(w3, manifest, db)
    by_address = {m.address.lower(): m for m in members}
    rows = named(db, "vote_by_member", "proposal, member, identifier, kind, tier, tier_level, support, "
                 "support_code, weight, voter")
    assert len(rows) == query(db, "SELECT COUNT(*) FROM vote")[0][0] > 100
    assert {r["support"] for r in rows} == {"for", "against", "abstain"}
    for r in rows:
        m = by_address[r["voter"]]
        assert (r["member"], r["identifier"], r["kind"]) == (m.name, m.identifier, m.kind.name)
        assert r["support"] == ("against", "for", "abstain")[r["support_code"]]
        assert r["tier"] == ("Observer", "Associate", "Partner", "Full")[r["tier_level"]]
    # the demo admits Singapore by proposal 1: it votes on later ones only, at the tier it got
    for n, p in enumerate(proposals, 1):
        mine = [r for r in rows if r["proposal"] == n]
        for support, total in (("for", p.for_), ("against", p.against), ("abstain", p.abstain)):
            assert sum(int(r["weight"]) for r in mine if r["support"] == support) == total
        assert sum(r["kind"] == "State" and r["support"] == "for" for r in mine) == p.states_for
    # a member's tier is the one it had when it voted: the demo's one change of tier after
    # admission, Alibaba's promotion Partner -> Full (which needed sharing), comes after every vote
    promoted = {a for (a,) in query(db, "SELECT account FROM member_event WHERE event = 'tier_changed'")}
    assert {by_address[a].name for a in promoted} == {"Alibaba"}
    assert any(r["voter"] in promoted for r in rows)
    assert all(r["tier_level"] == by_address[r["voter"]].tier - (r["voter"] in promoted) for r in rows)


def test_payout_by_member_shows_token_units_beside_the_raw_ones(demo, db):
    w3, manifest, _, members = demo
    sync(w3, manifest, db)
    fund = manifest.contract(w3, "EquityFund")
    token = token_of(w3, fund)
    assert token.decimals == 6  # the views' TOKEN_DECIMALS
    logs = fund.events.Payout().get_logs(from_block=manifest.contracts["EquityFund"].block)
    names = {m.address.lower(): m.name for m in members}
    rows = named(db, "payout_by_member", "round, member, amount, amount_units, paid_as, budget, account")
    assert [(r["round"], r["account"], int(r["amount_units"])) for r in rows] == [
        (e["args"]["roundId"], e["args"]["member"].lower(), e["args"]["amount"]) for e in logs] and len(rows) > 20
    for r in rows:
        assert r["member"] == names[r["account"]]
        assert Decimal(r["amount"]) * 10**6 == int(r["amount_units"])
        assert token.show(int(r["amount_units"])).replace(",", "") == f"{r['amount']} tUSD"
        assert r["paid_as"] == "pushed" and r["budget"] == "500000" and isinstance(r["round"], int)


def test_roster_is_the_member_list(demo, db):
    w3, manifest, _, members = demo
    sync(w3, manifest, db)
    rows = named(db, "roster", "name, identifier, kind, tier, tier_level, status, account")
    assert sorted((r["account"], r["name"], r["identifier"], r["kind"], r["tier"], r["status"]) for r in rows) == \
        sorted((m.address.lower(), m.name, m.identifier, m.kind.name, m.tier_name, m.status.name) for m in members)
    assert [r["tier_level"] for r in rows] == sorted((r["tier_level"] for r in rows), reverse=True)


def test_a_renamed_tier_is_named_by_its_latest_name(w3, secretariat, deployment, db):
    membership = deployment.contract(w3, "Membership")
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        for name in ("Partner member", "Partner, \"renamed\""):
            secretariat.send(membership.functions.setTierName(2, name), "rename tier 2")
        sync(w3, deployment, db)
        labels = dict(query(db, "SELECT tier, name FROM tier_label"))
        assert labels == {0: "Observer", 1: "Associate", 2: "Partner, \"renamed\"", 3: "Full"}
        roster = query(db, "SELECT tier, tier_level FROM roster")
        assert {t for t, level in roster if level == 2} == {"Partner, \"renamed\""}
        assert {t for t, level in roster if level == 3} == {"Full"}
    finally:
        w3.provider.make_request("evm_revert", [snapshot])
        secretariat.resync()


TOP = 2**256 - 1


@pytest.mark.parametrize("value, shown", [
    (0, "0"), (1, "0.000001"), (999_999, "0.999999"), (1_000_000, "1"), (1_234_500_000, "1234.5"),
    (10**12 + 10, "1000000.00001"), (TOP, f"{TOP // 10**6}.{TOP % 10**6:06d}".rstrip("0")), (None, None)])
def test_units_shows_exact_decimal_text_on_both_databases(db, value, shown):
    engine = open_db(db)
    table = Table("units_probe", MetaData(), Column("n", Integer, primary_key=True), Column("x", Uint256))
    try:
        table.create(engine)
        with engine.begin() as conn:
            conn.execute(table.insert(), {"n": 1, "x": value})
            assert conn.execute(text(f"SELECT {units('x')} FROM units_probe")).scalar() == shown
    finally:
        engine.dispose()


@pytest.mark.parametrize("description, title", [
    ("# Admit Singapore\n\nWhy: …", "Admit Singapore"),
    ("\n\n  ## Lower the cap \r\nbody\n#track=constitutional", "Lower the cap "),
    ("One line only", "One line only"),
    ("", ""),
])
def test_the_summary_title_is_the_descriptions_first_line_as_the_cli_shows_it(db, description, title):
    from dataclasses import replace

    from ledger.mirror import MAPPERS
    from ledger.mirror.typed import ProposalCreated
    from ledger.org.governance import Proposal, ProposalState, Track

    cli = Proposal(1, Track.Ordinary, ProposalState.Active, "0x", 0, 0, 0, 0, 0, 0, 0, 0, "", (), 0)
    assert replace(cli, description=description).title == title  # the CLI's rule, for these
    engine = open_db(db, MAPPERS)
    try:
        with engine.begin() as conn:
            conn.execute(ProposalCreated.__table__.insert(), {
                "chain_id": 1, "block_number": 1, "block_hash": "0x" + "ab" * 32, "tx_hash": "0x" + "cd" * 32,
                "log_index": 0, "address": "0x" + "11" * 20, "proposal_id": "7", "proposer": "0x" + "22" * 20,
                "targets": "[]", "call_values": "[]", "calldatas": "[]", "snapshot": 1, "deadline": 2,
                "description": description})
            assert conn.execute(text("SELECT number, title, lifecycle FROM proposal_summary")).one() == (1, title,
                                                                                                      "created")
    finally:
        engine.dispose()
