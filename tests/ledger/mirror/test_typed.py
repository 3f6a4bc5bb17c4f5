"""Typed tables on the demo chain: one row per event, tallies and payouts that agree with
the contracts, uint256 values kept exactly, and the documented observer queries running on
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from eth_utils import keccak
from sqlalchemy.dialects.postgresql.psycopg import dialect as postgresql_dialect
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from ledger.errors import ConfigError
from ledger.mirror import MAPPERS, Event, RowMappers, sync, typed
from ledger.mirror.decode import Decoder
from ledger.chain.rpc import Header
from ledger.mirror.plans import Plans
from ledger.mirror.store import Store, open_db

from .support import typed_dump

# which chain events fill which typed table
TABLE_EVENTS = {
    "member_event": ("MemberAdmitted", "MemberTierChanged", "MemberSuspended", "MemberReinstated", "MemberExpelled"),
    "tier_name": ("TierNameSet",),
    "standard": ("StandardRegistered",),
    "declaration_event": ("AdoptionDeclared", "DeclarationCertified", "DeclarationRejected", "CertificationRevoked"),
    "proposal_created": ("ProposalCreated",),
    "proposal_track": ("ProposalTrack",),
    "proposal_status_event": ("ProposalQueued", "ProposalExecuted", "ProposalCanceled"),
    "vote": ("VoteCast", "VoteCastWithParams"),
    "ballot_skipped": ("BallotSkipped",),
    "contribution": ("Contributed",),
    "need_score_batch": ("NeedScoresSet",),
    "need_score": ("NeedScoreSet",),
    "payout": ("Payout",),
    "fund_round": ("RoundExecuted",),
    "claim": ("Claimed",),
    "tier_sharing_requirement": ("TierSharingRequirementSet",),
    "sharing_record_set": ("SharingRecordSet",),
    "share_offer_version": ("OfferPublished",),
    "share_offer_withdrawal": ("OfferWithdrawn",),
    "share_request": ("RequestPosted",),
    "share_request_cancellation": ("RequestCancelled",),
    "share_grant": ("RequestGranted",),
    "share_delivery": ("DeliveryConfirmed",),
    "share_dispute": ("DeliveryDisputed",),
}
CONTRACT_OF = {"member_event": "Membership", "tier_name": "Membership", "standard": "Membership",
               "declaration_event": "Membership",
               "contribution": "EquityFund", "need_score_batch": "EquityFund", "need_score": "EquityFund",
               "payout": "EquityFund", "fund_round": "EquityFund", "claim": "EquityFund",
               "tier_sharing_requirement": "Membership", "sharing_record_set": "Membership",
               **{t: "SharingPlatform" for t in TABLE_EVENTS if t.startswith("share_")}}


@pytest.fixture(scope="module")
def demo_chain(demo_chain):
    """The shared demo chain (tests/ledger/conftest.py), as (w3, manifest)."""
    return demo_chain.w3, demo_chain.manifest


def query(db, sql: str) -> list[tuple]:
    """Plain SQL through the mirror's own engine (which defines decimal_sum on SQLite)."""
    engine = open_db(db)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def chain_event_counts(w3, manifest) -> Counter:
    """(contract, event) -> number of logs, straight from eth_getLogs and the ABIs' topic0s."""
    topics = {}
    for name, deployed in manifest.contracts.items():
        for item in deployed.abi:
            if item.get("type") == "event":
                signature = f"{item['name']}({','.join(typed_input(i) for i in item['inputs'])})"
                topics[(deployed.address.lower(), "0x" + keccak(text=signature).hex())] = (name, item["name"])
    first = min(c.block for c in manifest.contracts.values())
    logs = w3.provider.make_request("eth_getLogs", [{"fromBlock": hex(first), "toBlock": "latest",
                                                      "address": [c.address for c in manifest.contracts.values()]}])
    return Counter(topics.get((g["address"].lower(), g["topics"][0])) for g in logs["result"])


def typed_input(i: dict) -> str:
    if i["type"].startswith("tuple"):
        return "(" + ",".join(typed_input(c) for c in i["components"]) + ")" + i["type"][5:]
    return i["type"]


def test_each_typed_table_holds_one_row_per_event_on_the_chain(demo_chain, db):
    w3, manifest = demo_chain
    sync(w3, manifest, db)
    on_chain = chain_event_counts(w3, manifest)
    assert set(TABLE_EVENTS) == {t.name for t in MAPPERS.tables}  # every typed table is counted here
    counts = {t: query(db, f"SELECT COUNT(*) FROM {t}")[0][0] for t in TABLE_EVENTS}
    for table, events in TABLE_EVENTS.items():
        contract = CONTRACT_OF.get(table, "WaicoGovernor")
        assert counts[table] == sum(on_chain[(contract, e)] for e in events), table
    assert counts["vote"] > 100 and counts["payout"] > 20 and counts["member_event"] >= 42
    assert counts["proposal_created"] == counts["proposal_track"] == query(db, "SELECT COUNT(*) FROM proposal")[0][0]


def test_vote_weights_per_proposal_and_support_equal_proposal_votes(demo_chain, db):
    w3, manifest = demo_chain
    sync(w3, manifest, db)
    governor = manifest.contract(w3, "WaicoGovernor")
    tallies = {(p, s): int(w) for p, s, w in query(
        db, "SELECT proposal_id, support, decimal_sum(weight) FROM vote GROUP BY proposal_id, support")}
    proposals = [p for (p,) in query(db, "SELECT proposal_id FROM proposal")]
    assert len(proposals) == 4
    for proposal in proposals:
        against, for_, abstain = governor.functions.proposalVotes(int(proposal)).call()
        assert [tallies.get((proposal, s), 0) for s in (0, 1, 2)] == [against, for_, abstain]


def test_proposal_view_joins_each_proposal_with_its_track(demo_chain, db):
    w3, manifest = demo_chain
    sync(w3, manifest, db)
    governor = manifest.contract(w3, "WaicoGovernor")
    rows = query(db, "SELECT proposal_id, track, snapshot, deadline, quorum_bps, pass_bps FROM proposal")
    assert {r[1] for r in rows} == {"Ordinary", "RapidResponse", "Constitutional"}
    for proposal_id, _track, snapshot, deadline, quorum, pass_ in rows:
        assert (snapshot, deadline) == (governor.functions.proposalSnapshot(int(proposal_id)).call(),
                                        governor.functions.proposalDeadline(int(proposal_id)).call())
        assert 0 < quorum <= 10_000 and 0 < pass_ <= 10_000


def test_payouts_sum_to_what_the_round_paid(demo_chain, db):
    w3, manifest = demo_chain
    sync(w3, manifest, db)
    rounds = query(db, "SELECT r.round_id, r.paid, decimal_sum(p.amount), COUNT(p.member) FROM fund_round r "
                       "JOIN payout p ON p.chain_id = r.chain_id AND p.round_id = r.round_id "
                       "GROUP BY r.round_id, r.paid")
    assert len(rounds) == 1
    _round, paid, paid_by_payouts, payouts = rounds[0]
    assert int(paid) == int(paid_by_payouts) > 0 and payouts > 20
    budget = query(db, "SELECT budget FROM fund_round")[0][0]
    assert int(paid) <= int(budget)


def observer_queries() -> list[str]:
    doc = typed.__doc__.split("PostgreSQL alike):")[1]
    return [q.strip() for q in re.sub(r"--[^\n]*", "", doc).split(";") if q.strip()]


def test_documented_observer_queries_run_on_both_databases(demo_chain, db):
    w3, manifest = demo_chain
    sync(w3, manifest, db)
    queries = observer_queries()
    assert len(queries) == 5
    results = [query(db, q) for q in queries]
    roll, tallies, rounds, contributions, _certified = results
    assert len(roll) == query(db, "SELECT COUNT(*) FROM member_event WHERE event = 'admitted'")[0][0] >= 42
    assert {status for *_, status, _name in roll} <= {"Active", "Suspended", "Expelled"}
    assert sum(ballots for _p, _t, _s, ballots, _w in tallies) == query(db, "SELECT COUNT(*) FROM vote")[0][0]
    assert all(int(paid) == int(recomputed) for _r, paid, recomputed, _n in rounds)
    assert sum(n for _m, n, _t in contributions) == query(db, "SELECT COUNT(*) FROM contribution")[0][0]


def test_current_member_follows_tier_changes_and_suspensions(w3, deployment, db):
    sync(w3, deployment, db)
    expected = {}
    for event, account, tier_to in query(db, "SELECT event, account, tier_to FROM member_event "
                                             "ORDER BY block_number, log_index"):
        status, tier = expected.get(account, (None, None))
        status = {"suspended": "Suspended", "expelled": "Expelled", "admitted": "Active",
                  "reinstated": "Active"}.get(event, status)
        expected[account] = (status, tier_to if tier_to is not None else tier)
    current = {a: (s, t) for a, s, t in query(db, "SELECT account, status, tier FROM current_member")}
    assert current == expected
    assert {s for s, _ in current.values()} == {"Active", "Suspended", "Expelled"}


def _event(n: int, contract: str, name: str, args: dict) -> Event:
    return Event(chain_id=31337, block_number=1, block_hash="0x" + "ab" * 32, tx_hash="0x" + "cd" * 32,
                 tx_index=0, log_index=n, address="0x" + "11" * 20, contract=contract, event=name,
                 topics=[], data="0x", args=args, args_json="{}")


def test_uint256_values_and_the_rarer_events_are_stored_exactly(db):
    top = 2**256 - 1
    member, verifier, h = "0x" + "22" * 20, "0x" + "33" * 20, "0x" + "44" * 32
    events = [
        _event(0, "EquityFund", "Payout", {"roundId": 2**200, "member": member, "score": top, "totalScore": top,
                                           "budget": top, "amount": top, "pushed": False}),
        _event(1, "EquityFund", "Payout", {"roundId": 2**200, "member": verifier, "score": 1, "totalScore": top,
                                           "budget": top, "amount": 2**255, "pushed": True}),
        _event(2, "EquityFund", "Claimed", {"member": member, "amount": top}),
        _event(3, "WaicoGovernor", "BallotSkipped", {"proposalId": top, "voter": member, "reason": 4}),
        _event(4, "WaicoGovernor", "VoteCast", {"voter": member, "proposalId": top, "support": 1, "weight": 2**70,
                                                "reason": "ça va"}),
        _event(5, "Membership", "AdoptionDeclared", {"account": member, "standardId": 3, "evidenceHash": h,
                                                     "adaptationHash": h, "adaptationURI": "ipfs://x"}),
        _event(6, "Membership", "DeclarationRejected", {"account": member, "standardId": 3, "verifier": verifier,
                                                        "reasonHash": h}),
        _event(7, "Membership", "DeclarationCertified", {"account": member, "standardId": 3, "verifier": verifier}),
        _event(8, "Membership", "CertificationRevoked", {"account": member, "standardId": 3, "verifier": verifier,
                                                         "reasonHash": h}),
        _event(9, "Other", "Payout", {}),  # another contract's same-named event maps to nothing
    ]
    engine = open_db(db, MAPPERS)
    try:
        store = Store(engine, 31337, "test", MAPPERS)
        header = Header(1, "0x" + "ab" * 32, "0x" + "00" * 32, 0)
        plans = Plans(Decoder(31337, []), MAPPERS, engine.dialect)
        store.write(plans.event_rows(events, {1: header}), header)
    finally:
        engine.dispose()
    tables = typed_dump(db)
    assert [r[6:] for r in tables["payout"]] == [(2**200, member, top, top, top, top, False),
                                                 (2**200, verifier, 1, top, top, 2**255, True)]
    assert query(db, "SELECT decimal_sum(amount) FROM payout")[0][0] in (str(top + 2**255), top + 2**255)
    assert [r[6:] for r in tables["claim"]] == [(member, top)]
    assert [r[6:] for r in tables["ballot_skipped"]] == [(str(top), member, "AlreadyVoted")]
    assert [r[6:] for r in tables["vote"]] == [(str(top), member, 1, 2**70, "ça va", None)]
    assert [(r[6], r[8], r[12], r[13]) for r in tables["declaration_event"]] == [
        ("declared", 3, None, None), ("rejected", 3, verifier, h), ("certified", 3, verifier, None),
        ("revoked", 3, verifier, h)]


@pytest.mark.parametrize("dialect", [sqlite_dialect(), postgresql_dialect()], ids=["sqlite", "postgresql"])
def test_rows_of_logs_are_the_rows_of_their_decoded_events(demo_chain, dialect):
    """Every log of the demo (every kind of event the mirror types), mapped from the node's
    logs and from events decoded beforehand: the same rows, values converted alike."""
    w3, manifest = demo_chain
    decoder = Decoder.from_manifest(manifest)
    first = min(c.block for c in manifest.contracts.values())
    logs = w3.provider.make_request("eth_getLogs", [{"fromBlock": hex(first), "toBlock": "latest",
                                                      "address": decoder.addresses}])["result"]
    headers = {n: Header(n, "0x" + f"{n:064x}", "0x" + "00" * 32, n) for n in {int(g["blockNumber"], 16) for g in logs}}
    plans = Plans(decoder, MAPPERS, dialect)
    fast = plans.rows(logs, headers)
    general = plans.event_rows([decoder.decode(g) for g in logs], headers)
    assert fast.raw_events == general.raw_events and fast.blocks == general.blocks
    assert fast.typed == general.typed
    # typed rows from declared columns and from the mapper written in Python (ProposalCreated)
    typed = {e.event for e in map(decoder.decode, logs) if plans.typed_rows(e)}
    assert {"ProposalCreated", "MemberAdmitted", "VoteCast", "Payout", "RoundExecuted", "ProposalQueued",
            "Contributed", "OfferPublished", "RequestPosted", "RequestGranted", "DeliveryConfirmed",
            "DeliveryDisputed", "TierSharingRequirementSet", "SharingRecordSet"} <= typed
    assert sum(len(v) for v in fast.typed.values()) > 250


def test_logs_that_do_not_fit_the_abi_are_kept_raw(demo_chain):
    """Data that does not fit the ABI, a wrong topic count, an address in capitals: the log
    is kept raw when it does not decode, with the rows of its decoded event otherwise."""
    w3, manifest = demo_chain
    decoder = Decoder.from_manifest(manifest)
    first = min(c.block for c in manifest.contracts.values())
    logs = w3.provider.make_request("eth_getLogs", [{"fromBlock": hex(first), "toBlock": "latest",
                                                      "address": decoder.addresses}])["result"]
    vote = next(g for g in logs if decoder.decode(g).event == "VoteCast")
    odd = [
        {**vote, "data": vote["data"][:2 + 64 * 4]},                # the reason's length word missing
        {**vote, "data": vote["data"][:2 + 64 * 3]},                # head words missing
        {**vote, "topics": vote["topics"][:1]},                     # the indexed voter missing
        {**vote, "address": "0x" + vote["address"][2:].upper()},    # not lowercase
        {**vote, "data": vote["data"][:-64] + "ff" * 32},           # the reason not UTF-8
    ]
    headers = {int(vote["blockNumber"], 16): Header(int(vote["blockNumber"], 16), vote["blockHash"], "0x" + "00" * 32, 0)}
    plans = Plans(decoder, MAPPERS, sqlite_dialect())
    rows = plans.rows(odd, headers)
    assert rows == plans.event_rows([decoder.decode(g) for g in odd], headers)
    assert [r[8] for r in rows.raw_events] == [None, None, None, "VoteCast", None]
    assert sum(len(v) for v in rows.typed.values()) == 1


def test_declared_columns_are_checked():
    mappers = RowMappers()
    with pytest.raises(ConfigError, match="no column"):
        mappers.columns("VoteCast", typed.Vote, contract="WaicoGovernor", ballot="voter")
    mappers.columns("VoteCast", typed.Vote, contract="WaicoGovernor", proposal_id="proposalId", voter="voter",
                    support="support", weight="weight", reason="reasonText")
    decoder = Decoder(31337, [("WaicoGovernor", "0x" + "11" * 20, [VOTE_CAST])])
    with pytest.raises(ConfigError, match="reasonText"):
        Plans(decoder, mappers, sqlite_dialect())


VOTE_CAST = {"type": "event", "name": "VoteCast", "anonymous": False, "inputs": [
    {"name": "voter", "type": "address", "indexed": True}, {"name": "proposalId", "type": "uint256"},
    {"name": "support", "type": "uint8"}, {"name": "weight", "type": "uint256"}, {"name": "reason", "type": "string"}]}
