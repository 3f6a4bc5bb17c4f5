"""Observer views: the typed tables as a person reads them, with numbers, names and labels.

Registered on the default registry by `ledger.mirror.typed` (after its tables), created with
them, on SQLite and PostgreSQL alike; the audit's "typed" check proves each one equal to its
declared SELECT over the checked tables. The typed tables and the views `proposal` and
`current_member` keep their columns: these views only add.

    proposal_number   chain_id, address, proposal_id, number — each governor's proposals
                      numbered 1, 2, 3… in creation order (block, log index): the number the
                      CLI uses (`waico proposal show 3`), an INTEGER, so it sorts as a number
    tier_label        chain_id, address (a Membership), tier (0–3), name — the latest
                      TierNameSet name of each tier, else Membership's defaults (Observer,
                      Associate, Partner, Full: its constructor sets them without an event)
    proposal_summary  number, proposal_id, track, title (the description's first line), lifecycle
                      ('created' | 'queued' | 'executed' | 'canceled': its latest status event;
                      whether voting passed is the governor's `state()`, not in the mirror),
                      ballots, for_weight, against_weight, abstain_weight (decimal_sum of the
                      counted votes' weights), states_for, states_against (State members by head
                      count, the double majority's second count), quorum_bps, pass_bps, proposer,
                      created_block, chain_id, address
    vote_by_member    proposal (its number), member (name), identifier, kind ('State' |
                      'Corporate'), tier (its name when the vote was cast), tier_level,
                      support ('against' | 'for' | 'abstain'), support_code (0/1/2), weight,
                      reason, voter, proposal_id, block_number, log_index, chain_id, address
    payout_by_member  round (INTEGER), member, identifier, amount (token units as decimal text,
                      e.g. '1234.5'), amount_units (the raw uint256), paid_as ('pushed' |
                      'claimable'), score, total_score, budget (token units), budget_units,
                      account, block_number, log_index, chain_id, address
    roster            name, identifier, kind, tier (its name), tier_level, status ('Active' |
                      'Suspended' | 'Expelled'), account, admitted_block, chain_id, address

The sharing platform (chain_id, address: a SharingPlatform; offer and request numbers are
their ids, INTEGERs; `*_account` the addresses behind the names):

    share_offer_summary  offer, offerer (name), identifier, kind, title, version, content_id,
                      min_tier (its name), min_tier_level, capacity, granted (grants made under
                      it), remaining (capacity − granted while open; 0 once withdrawn), state
                      ('open' | 'withdrawn'), card_uri, card_hash, terms_uri, terms_hash,
                      offerer_account, published_block, version_block, offer_id, chain_id,
                      address — each offer with its current (latest) version
    share_request_summary  request, requester (name), identifier, kind, offer (asked for; NULL:
                      any offer of its kind), status ('open' | 'granted' | 'confirmed' |
                      'disputed' | 'cancelled'), granted_offer, offerer (name of the granting
                      offerer), offerer_identifier, description_uri, description_hash,
                      terms_hash, outcome_hash, disputed_by, reason_hash, requester_account,
                      offerer_account, posted_block, request_id, chain_id, address
    share_delivery_by_member  who shared what with whom: each confirmed delivery — offerer,
                      requester (names), kind, title, version, content_id (of the offer's
                      version in force when the request was granted), offer, request,
                      offerer_identifier, requester_identifier, outcome_hash, offerer_account,
                      requester_account, block_number, log_index, chain_id, address
    share_supply_demand  supply vs demand by kind, one row per kind (all five, in the
                      contract's order): kind, open_offers (open with capacity left),
                      capacity_left (the grants open offers can still make), open_requests,
                      chain_id, address
    share_open_request  the demand side: each open request with its requester — request,
                      requester, identifier, member_kind ('State' | 'Corporate'), tier (its
                      name now), kind, offer, need_score (the requester's latest need score set
                      by the equity fund, exact uint256; NULL if never scored), in_need (1 when
                      that score is above 0, else 0), description_uri, posted_block,
                      requester_account, request_id, chain_id, address. "From the Global
                      South" is `in_need = 1`: the fund's need score is the organization's own
                      on-chain measure of need (set by governance from a cited source, see
                      need_score_batch.source_uri), what its rounds pay by; members it does not
                      score (the demo's corporations) are not in need
    share_record_by_member  each member's record of sharing: member, identifier, kind, offers,
                      grants, confirmed (deliveries it made that were confirmed),
                      distinct_requesters (what the pathway's sharing requirement counts),
                      requests, received (its own requests confirmed), account, chain_id, address

Token amounts. The views show amounts in token units with `TOKEN_DECIMALS` (6) decimals, as
the fund's token has (tUSD; USDC alike), trailing zeros dropped, no thousands separator, beside
the exact raw units (`*_units`, which sum with `decimal_sum`). A fund with a token of other
decimals shows wrong `amount`s: the audit's "views" check reads the token's decimals() and
fails then.

Names. A member is named by its admission (`MemberAdmitted`: name, identifier, kind) on the
same chain: a database that mirrors two deployments on one chain should not query these
views across them. Names are anyone-with-a-vote's text: print them escaped.

Sums. `decimal_sum` is the mirror's exact aggregate (see `ledger.mirror.typed`): the `sqlite3`
shell has it built in, and connections opened by `ledger.mirror` define it; a plain SQLite
connection without it cannot read `proposal_summary`.
"""

from __future__ import annotations

from .rows import RowMappers

TOKEN_DECIMALS = 6
DEFAULT_TIER_NAMES = ("Observer", "Associate", "Partner", "Full")  # Membership's constructor
SUPPORT_NAMES = ("against", "for", "abstain")  # GovernorCountingSimple's VoteType, in order


def units(expr: str, decimals: int = TOKEN_DECIMALS) -> str:
    """SQL for `expr` (a uint256 column: decimal TEXT or NUMERIC) as decimal text in token units:
    '1234.5' for 1234500000 at 6 decimals, '0.000001' for 1; NULL for NULL."""
    raw = f"CAST({expr} AS TEXT)"
    whole = f"CASE WHEN LENGTH({raw}) > {decimals} THEN SUBSTR({raw}, 1, LENGTH({raw}) - {decimals}) ELSE '0' END"
    frac = f"RTRIM(SUBSTR('{'0' * decimals}' || {raw}, LENGTH({raw}) + 1, {decimals}), '0')"
    return f"({whole}) || CASE WHEN {frac} = '' THEN '' ELSE '.' || {frac} END"


def _labels(names: tuple[str, ...], code: str) -> str:
    return "CASE " + code + " " + " ".join(f"WHEN {i} THEN '{n}'" for i, n in enumerate(names)) + " END"


PROPOSAL_NUMBER_VIEW = """
SELECT c.chain_id, c.address, c.proposal_id,
       ROW_NUMBER() OVER (PARTITION BY c.chain_id, c.address ORDER BY c.block_number, c.log_index) AS number
FROM proposal_created c
"""

TIER_LABEL_VIEW = f"""
SELECT a.chain_id, a.address, d.tier,
  COALESCE((SELECT n.name FROM tier_name n
            WHERE n.chain_id = a.chain_id AND n.address = a.address AND n.tier = d.tier
            ORDER BY n.block_number DESC, n.log_index DESC LIMIT 1), d.name) AS name
FROM (SELECT chain_id, address FROM member_event UNION SELECT chain_id, address FROM tier_name) a
CROSS JOIN ({" UNION ALL ".join(f"SELECT {i} AS tier, '{n}' AS name" for i, n in enumerate(DEFAULT_TIER_NAMES))}) d
"""

_SAME_PROPOSAL = "v.chain_id = c.chain_id AND v.address = c.address AND v.proposal_id = c.proposal_id"
_STATE_VOTER = ("EXISTS (SELECT 1 FROM member_event m WHERE m.chain_id = v.chain_id AND m.account = v.voter "
                "AND m.event = 'admitted' AND m.kind = 'State')")
# the description's first line, without leading blanks and '#' (Proposal.title's rule, for LF lines)
_BODY = "LTRIM(c.description, ' \n\r\t')"
_TITLE = f"LTRIM(RTRIM(SUBSTR({_BODY}, 1, INSTR({_BODY} || '\n', '\n') - 1), '\r'), '# ')"


def _weight(support: int) -> str:
    return f"COALESCE((SELECT decimal_sum(v.weight) FROM vote v WHERE {_SAME_PROPOSAL} AND v.support = {support}), '0')"


def _states(support: int) -> str:
    return f"(SELECT COUNT(*) FROM vote v WHERE {_SAME_PROPOSAL} AND v.support = {support} AND {_STATE_VOTER})"


PROPOSAL_SUMMARY_VIEW = f"""
SELECT n.number, c.proposal_id, t.track, {_TITLE} AS title,
  COALESCE((SELECT s.event FROM proposal_status_event s
            WHERE s.chain_id = c.chain_id AND s.address = c.address AND s.proposal_id = c.proposal_id
            ORDER BY s.block_number DESC, s.log_index DESC LIMIT 1), 'created') AS lifecycle,
  (SELECT COUNT(*) FROM vote v WHERE {_SAME_PROPOSAL}) AS ballots,
  {_weight(1)} AS for_weight, {_weight(0)} AS against_weight, {_weight(2)} AS abstain_weight,
  {_states(1)} AS states_for, {_states(0)} AS states_against,
  t.quorum_bps, t.pass_bps, c.proposer, c.block_number AS created_block, c.chain_id, c.address
FROM proposal_created c
JOIN proposal_number n ON n.chain_id = c.chain_id AND n.address = c.address AND n.proposal_id = c.proposal_id
LEFT JOIN proposal_track t ON t.chain_id = c.chain_id AND t.address = c.address AND t.proposal_id = c.proposal_id
ORDER BY c.chain_id, c.address, n.number
"""

_TIER_AT_VOTE = ("(SELECT t.tier_to FROM member_event t WHERE t.chain_id = m.chain_id AND t.address = m.address "
                 "AND t.account = m.account AND t.tier_to IS NOT NULL AND t.block_number <= v.block_number "
                 "ORDER BY t.block_number DESC, t.log_index DESC LIMIT 1)")

VOTE_BY_MEMBER_VIEW = f"""
SELECT n.number AS proposal, m.name AS member, m.identifier, m.kind, l.name AS tier, l.tier AS tier_level,
  {_labels(SUPPORT_NAMES, "v.support")} AS support, v.support AS support_code, v.weight, v.reason, v.voter,
  v.proposal_id, v.block_number, v.log_index, v.chain_id, v.address
FROM vote v
JOIN proposal_number n ON n.chain_id = v.chain_id AND n.address = v.address AND n.proposal_id = v.proposal_id
LEFT JOIN member_event m ON m.chain_id = v.chain_id AND m.account = v.voter AND m.event = 'admitted'
LEFT JOIN tier_label l ON l.chain_id = m.chain_id AND l.address = m.address AND l.tier = {_TIER_AT_VOTE}
ORDER BY v.chain_id, v.address, n.number, v.block_number, v.log_index
"""

PAYOUT_BY_MEMBER_VIEW = f"""
SELECT CAST(p.round_id AS BIGINT) AS round, m.name AS member, m.identifier, {units("p.amount")} AS amount,
  p.amount AS amount_units, CASE WHEN p.pushed THEN 'pushed' ELSE 'claimable' END AS paid_as, p.score,
  p.total_score, {units("p.budget")} AS budget, p.budget AS budget_units, p.member AS account,
  p.block_number, p.log_index, p.chain_id, p.address
FROM payout p
LEFT JOIN member_event m ON m.chain_id = p.chain_id AND m.account = p.member AND m.event = 'admitted'
ORDER BY p.chain_id, p.address, p.block_number, p.log_index
"""

ROSTER_VIEW = """
SELECT m.name, m.identifier, m.kind, l.name AS tier, m.tier AS tier_level, m.status, m.account,
  m.admitted_block, m.chain_id, m.address
FROM current_member m
LEFT JOIN tier_label l ON l.chain_id = m.chain_id AND l.address = m.address AND l.tier = m.tier
ORDER BY m.chain_id, m.address, m.tier DESC, m.name
"""

# --- the sharing platform ------------------------------------------------------------------

SHARE_KINDS = ("Model", "Dataset", "Compute", "Tool", "Expertise")  # SharingPlatform.Kind, in order


def _same(a: str, b: str, key: str) -> str:
    return f"{a}.chain_id = {b}.chain_id AND {a}.address = {b}.address AND {a}.{key} = {b}.{key}"


def _not_after(a: str, b: str) -> str:
    """SQL: the row `a` lies at or before the row `b` in chain order."""
    return (f"({a}.block_number < {b}.block_number OR "
            f"({a}.block_number = {b}.block_number AND {a}.log_index <= {b}.log_index))")


def _admitted(alias: str, row: str, account: str) -> str:
    return (f"LEFT JOIN member_event {alias} ON {alias}.chain_id = {row}.chain_id AND {alias}.account = {account} "
            f"AND {alias}.event = 'admitted'")


SHARE_OFFER_SUMMARY_VIEW = f"""
SELECT CAST(v.offer_id AS BIGINT) AS offer, m.name AS offerer, m.identifier, v.kind, v.title, v.version,
  v.content_id, l.name AS min_tier, v.min_tier AS min_tier_level, v.capacity, COALESCE(g.granted, 0) AS granted,
  CASE WHEN w.offer_id IS NULL THEN v.capacity - COALESCE(g.granted, 0) ELSE 0 END AS remaining,
  CASE WHEN w.offer_id IS NULL THEN 'open' ELSE 'withdrawn' END AS state,
  v.card_uri, v.card_hash, v.terms_uri, v.terms_hash, v.offerer AS offerer_account,
  (SELECT MIN(f.block_number) FROM share_offer_version f WHERE {_same("f", "v", "offer_id")}) AS published_block,
  v.block_number AS version_block, v.offer_id, v.chain_id, v.address
FROM share_offer_version v
LEFT JOIN (SELECT chain_id, address, offer_id, COUNT(*) AS granted FROM share_grant
           GROUP BY chain_id, address, offer_id) g ON {_same("g", "v", "offer_id")}
LEFT JOIN share_offer_withdrawal w ON {_same("w", "v", "offer_id")}
{_admitted("m", "v", "v.offerer")}
LEFT JOIN tier_label l ON l.chain_id = m.chain_id AND l.address = m.address AND l.tier = v.min_tier
WHERE NOT EXISTS (SELECT 1 FROM share_offer_version n WHERE {_same("n", "v", "offer_id")}
                  AND NOT {_not_after("n", "v")})
ORDER BY v.chain_id, v.address, offer
"""

SHARE_REQUEST_SUMMARY_VIEW = f"""
SELECT CAST(r.request_id AS BIGINT) AS request, m.name AS requester, m.identifier, r.kind,
  CASE WHEN CAST(r.offer_id AS TEXT) = '0' THEN NULL ELSE CAST(r.offer_id AS BIGINT) END AS offer,
  CASE WHEN d.request_id IS NOT NULL THEN 'confirmed' WHEN x.request_id IS NOT NULL THEN 'disputed'
       WHEN g.request_id IS NOT NULL THEN 'granted' WHEN c.request_id IS NOT NULL THEN 'cancelled'
       ELSE 'open' END AS status,
  CAST(g.offer_id AS BIGINT) AS granted_offer, o.name AS offerer, o.identifier AS offerer_identifier,
  r.description_uri, r.description_hash, g.terms_hash, d.outcome_hash, x.disputed_by, x.reason_hash,
  r.requester AS requester_account, g.offerer AS offerer_account, r.block_number AS posted_block,
  r.request_id, r.chain_id, r.address
FROM share_request r
LEFT JOIN share_grant g ON {_same("g", "r", "request_id")}
LEFT JOIN share_delivery d ON {_same("d", "r", "request_id")}
LEFT JOIN share_dispute x ON {_same("x", "r", "request_id")}
LEFT JOIN share_request_cancellation c ON {_same("c", "r", "request_id")}
{_admitted("m", "r", "r.requester")}
{_admitted("o", "g", "g.offerer")}
ORDER BY r.chain_id, r.address, request
"""

# the offer's version in force when the request was granted: the last published at or before the grant
SHARE_DELIVERY_BY_MEMBER_VIEW = f"""
SELECT mo.name AS offerer, mr.name AS requester, v.kind, v.title, v.version, v.content_id,
  CAST(d.offer_id AS BIGINT) AS offer, CAST(d.request_id AS BIGINT) AS request,
  mo.identifier AS offerer_identifier, mr.identifier AS requester_identifier, d.outcome_hash,
  d.offerer AS offerer_account, d.requester AS requester_account, d.block_number, d.log_index, d.chain_id, d.address
FROM share_delivery d
LEFT JOIN share_grant g ON {_same("g", "d", "request_id")}
LEFT JOIN share_offer_version v ON {_same("v", "d", "offer_id")} AND {_not_after("v", "g")}
  AND NOT EXISTS (SELECT 1 FROM share_offer_version n WHERE {_same("n", "d", "offer_id")} AND {_not_after("n", "g")}
                  AND NOT {_not_after("n", "v")})
{_admitted("mo", "d", "d.offerer")}
{_admitted("mr", "d", "d.requester")}
ORDER BY d.chain_id, d.address, d.block_number, d.log_index
"""

_KINDS = " UNION ALL ".join(f"SELECT {i} AS code, '{n}' AS kind" for i, n in enumerate(SHARE_KINDS))
_SAME_PLATFORM = "{t}.chain_id = a.chain_id AND {t}.address = a.address AND {t}.kind = k.kind"

SHARE_SUPPLY_DEMAND_VIEW = f"""
SELECT k.kind,
  (SELECT COUNT(*) FROM share_offer_summary o WHERE {_SAME_PLATFORM.format(t="o")}
     AND o.state = 'open' AND o.remaining > 0) AS open_offers,
  (SELECT CAST(COALESCE(SUM(o.remaining), 0) AS BIGINT) FROM share_offer_summary o
     WHERE {_SAME_PLATFORM.format(t="o")} AND o.state = 'open') AS capacity_left,
  (SELECT COUNT(*) FROM share_request_summary q WHERE {_SAME_PLATFORM.format(t="q")}
     AND q.status = 'open') AS open_requests,
  a.chain_id, a.address
FROM (SELECT chain_id, address FROM share_offer_version UNION SELECT chain_id, address FROM share_request) a
CROSS JOIN ({_KINDS}) k
ORDER BY a.chain_id, a.address, k.code
"""

_NEED_SCORE = ("(SELECT s.score FROM need_score s WHERE s.chain_id = q.chain_id AND s.member = q.requester_account "
               "ORDER BY s.block_number DESC, s.log_index DESC LIMIT 1)")

SHARE_OPEN_REQUEST_VIEW = f"""
SELECT q.request, q.requester, q.identifier, r.kind AS member_kind, r.tier, q.kind, q.offer,
  {_NEED_SCORE} AS need_score,
  CASE WHEN CAST({_NEED_SCORE} AS TEXT) <> '0' THEN 1 ELSE 0 END AS in_need,
  q.description_uri, q.posted_block, q.requester_account, q.request_id, q.chain_id, q.address
FROM share_request_summary q
LEFT JOIN roster r ON r.chain_id = q.chain_id AND r.account = q.requester_account
WHERE q.status = 'open'
ORDER BY q.chain_id, q.address, q.request
"""

_OF = "{t}.chain_id = p.chain_id AND {t}.address = p.address AND {t}.{who} = p.account"

SHARE_RECORD_BY_MEMBER_VIEW = f"""
SELECT m.name AS member, m.identifier, m.kind,
  (SELECT COUNT(DISTINCT v.offer_id) FROM share_offer_version v WHERE {_OF.format(t="v", who="offerer")}) AS offers,
  (SELECT COUNT(*) FROM share_grant g WHERE {_OF.format(t="g", who="offerer")}) AS grants,
  (SELECT COUNT(*) FROM share_delivery d WHERE {_OF.format(t="d", who="offerer")}) AS confirmed,
  (SELECT COUNT(DISTINCT d.requester) FROM share_delivery d
   WHERE {_OF.format(t="d", who="offerer")}) AS distinct_requesters,
  (SELECT COUNT(*) FROM share_request q WHERE {_OF.format(t="q", who="requester")}) AS requests,
  (SELECT COUNT(*) FROM share_delivery d WHERE {_OF.format(t="d", who="requester")}) AS received,
  p.account, p.chain_id, p.address
FROM (SELECT chain_id, address, offerer AS account FROM share_offer_version
      UNION SELECT chain_id, address, requester FROM share_request) p
{_admitted("m", "p", "p.account")}
ORDER BY p.chain_id, p.address, m.name
"""

VIEWS = {"proposal_number": PROPOSAL_NUMBER_VIEW, "tier_label": TIER_LABEL_VIEW,
         "proposal_summary": PROPOSAL_SUMMARY_VIEW, "vote_by_member": VOTE_BY_MEMBER_VIEW,
         "payout_by_member": PAYOUT_BY_MEMBER_VIEW, "roster": ROSTER_VIEW,
         "share_offer_summary": SHARE_OFFER_SUMMARY_VIEW, "share_request_summary": SHARE_REQUEST_SUMMARY_VIEW,
         "share_delivery_by_member": SHARE_DELIVERY_BY_MEMBER_VIEW, "share_supply_demand": SHARE_SUPPLY_DEMAND_VIEW,
         "share_open_request": SHARE_OPEN_REQUEST_VIEW, "share_record_by_member": SHARE_RECORD_BY_MEMBER_VIEW}


def register(mappers: RowMappers) -> RowMappers:
    """Register the observer views on `mappers` (after the typed tables and views they read:
    in this order, as each may read the ones before it)."""
    for name, select in VIEWS.items():
        mappers.view(name, select)
    return mappers
