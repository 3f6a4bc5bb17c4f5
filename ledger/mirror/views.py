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

VIEWS = {"proposal_number": PROPOSAL_NUMBER_VIEW, "tier_label": TIER_LABEL_VIEW,
         "proposal_summary": PROPOSAL_SUMMARY_VIEW, "vote_by_member": VOTE_BY_MEMBER_VIEW,
         "payout_by_member": PAYOUT_BY_MEMBER_VIEW, "roster": ROSTER_VIEW}


def register(mappers: RowMappers) -> RowMappers:
    """Register the observer views on `mappers` (after the typed tables and views they read:
    in this order, as each may read the ones before it)."""
    for name, select in VIEWS.items():
        mappers.view(name, select)
    return mappers
