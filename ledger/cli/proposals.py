"""`waico proposal list/show/create/queue/execute`: proposals, tracks, states, tallies, lifecycle."""

import click

from . import command, main, progress
from .csvout import csv_option, write_csv
from .signing import key_options, unlock_signer


@main.group("proposal")
def proposal():
    """Proposals on the three tracks (ordinary, rapid-response, constitutional) and their lifecycle."""


def _governor(ctx):
    return ctx.contract("WaicoGovernor"), ctx.manifest.contracts["WaicoGovernor"].block


def resolve_proposal(ctx, value: str):
    """The proposal a number from `waico proposal list` or a full id names, read (and checked
    against its id) from the chain."""
    from ledger.errors import ConfigError
    from ledger.org.governance import read_proposal, read_proposals

    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"a proposal is a number or an id, not {value!r}") from None
    governor, block = _governor(ctx)
    if number > 10**6:
        return read_proposal(governor, block, number)
    proposals = read_proposals(governor, block)
    if not 1 <= number <= len(proposals):
        raise ConfigError(f"there are {len(proposals)} proposals; no number {number}")
    return proposals[number - 1]


def _load(ctx, value):
    return _governor(ctx)[0], resolve_proposal(ctx, value)


@command(proposal, "list")
def proposal_list(ctx):
    """List proposals: number, track, state, weighted tally and title.

    \b
    Example:
      waico proposal list --json | jq '.[] | select(.state == "Active")'
    """
    from ledger.app.summary import cut, table
    from ledger.chain.text import printable
    from ledger.org.governance import read_proposals

    governor, block = _governor(ctx)
    items = read_proposals(governor, block)
    rows = [("#", "track", "state", "for", "against", "abstain", "title")] + [
        (str(p.number), p.track.name, p.state.name, str(p.for_), str(p.against), str(p.abstain),
         cut(printable(p.title), 60))
        for p in items]
    ctx.emit([p.to_json() for p in items],
             table(rows, right={0, 3, 4, 5}) if items else "no proposals yet")


@command(proposal, "show")
@click.argument("proposal")
def proposal_show(ctx, proposal):
    """Show one proposal (number from `proposal list`, or full id): track, state and why, the
    tally against the quorum, the pass threshold and (constitutional track) the states'
    majority, who voted, and its actions.

    \b
    Example:
      waico proposal show 3
      waico proposal show 3 --json | jq .outcome
    """
    from ledger.app.summary import plural, who
    from ledger.chain.text import printable
    from ledger.org.governance import ProposalState, now, outcome, percent, reason
    from ledger.org.membership import read_members
    from ledger.org.votes import read_votes

    governor, p = _load(ctx, proposal)
    block, timestamp = now(ctx.w3)
    o = outcome(p)
    why = reason(p, block, timestamp)
    members = {m.address: m for m in read_members(ctx.contract("Membership"))}
    votes = read_votes(governor, _governor(ctx)[1], p.id)
    pending = p.state is ProposalState.Pending
    lines = [f"{p.named}", f"title     {printable(p.title)}", f"track     {p.track.name}",
             f"state     {p.state.name}: {why}", f"proposer  {who(p.proposer, members)}",
             f"voting    blocks {p.snapshot} .. {p.deadline}",
             f"tally     for {p.for_:,}  against {p.against:,}  abstain {p.abstain:,}",
             f"quorum    fixed at the snapshot (block {p.snapshot})" if pending else
             f"quorum    {o.quorum:,} (for + abstain): {o.counted:,}, "
             + ("reached" if o.quorum_reached else "not reached"),
             f"threshold for at least {percent(o.pass_bps)} of for + against, and more for than against: "
             + (f"{percent(o.for_bps)} for, " if o.for_bps is not None else "no votes for or against, ")
             + ("met" if o.majority else "not met"),
             f"states    {p.states_for} for, {p.states_against} against: "
             + (("majority" if o.states_majority else "no majority") + " (needed on this track)" if o.states_needed
                else "not needed on this track")]
    if p.description_not_utf8:
        lines.insert(2, "note      the description is not valid UTF-8: shown with U+FFFD replacement characters")
    for support in ("for", "against", "abstain"):
        names = [printable(members[v.voter].name) if v.voter in members else v.voter
                 for v in votes if v.support_name == support]
        if names:
            lines.append(f"{support:<9} {plural(len(names), 'vote')}: {', '.join(names)}")
    lines.append("actions")
    lines += [f"  {a.target}  0x{a.calldata.hex()[:8]}…  value {a.value}" for a in p.actions]
    data = p.to_json() | {"reason": why, "outcome": o.to_json(),
                          "proposerName": members[p.proposer].name if p.proposer in members else None,
                          "voters": [{"voter": v.voter, "member": members[v.voter].name if v.voter in members else None,
                                     "support": v.support_name, "weight": v.weight} for v in votes]}
    ctx.emit(data, "\n".join(lines))


@command(proposal, "votes")
@click.argument("proposal")
@csv_option
def proposal_votes(ctx, proposal, csv_to):
    """Who voted how on a proposal (number from `proposal list`, or full id): each counted vote
    with the member's name, support, weight and reason, in the order they were cast.

    \b
    Example:
      waico proposal votes 3
      waico proposal votes 3 --csv votes-3.csv
      waico proposal votes 3 --json | jq 'map(select(.support == "against")) | length'
    """
    from ledger.app.exports import VOTE_COLUMNS, vote_rows
    from ledger.app.summary import plural, table
    from ledger.chain.text import printable
    from ledger.org.membership import read_members
    from ledger.org.votes import read_votes

    governor, block = _governor(ctx)
    p = resolve_proposal(ctx, proposal)
    number = p.number
    rows = vote_rows(number, read_votes(governor, block, p.id), read_members(ctx.contract("Membership")))
    if csv_to:
        return write_csv(csv_to, VOTE_COLUMNS, rows)
    lines = [("member", "kind", "support", "weight", "reason", "address")] + [
        (printable(r["member"]) or "(not a member)", r["kind"], r["support"], str(r["weight"]),
         printable(r["reason"]), r["voter"])
        for r in rows]
    ctx.emit(rows, f"proposal {number}: {plural(len(rows), 'vote')}\n" + table(lines, right={3}) if rows
             else f"proposal {number}: no votes counted")


@command(proposal, "create")
@key_options
@click.option("--track", default="ordinary", show_default=True,
              help="ordinary, rapid-response or constitutional.")
@click.option("--call", "calls", multiple=True, required=True, metavar="'Contract.fn(args)'",
              help="An action (repeatable), e.g. \"Membership.setTierName(1, 'Associate member')\".")
@click.option("--description", required=True, help="Title on the first line, then the text.")
@click.option("--dry-run", is_flag=True, help="Print the calls as they would be encoded; send nothing.")
def proposal_create(ctx, key_name, dev_account, track, calls, description, dry_run):
    """Create a proposal on a track from one or more contract calls (executed by the timelock).

    \b
    Each --call is encoded exactly as written, its arguments typed by the function's ABI:
      'text' or "text" for strings, 0x… for addresses and bytes, numbers (decimal or 0x),
      true/false, [a, b] for arrays, (a, b) for tuples. The calls are printed decoded
      back from their calldata before anything is sent (--dry-run: only printed).
    Which calls need the constitutional track is the governor's register: every call is
    constitutional unless registered as ordinary; the governor refuses it on another track.
    Example:
      waico proposal create --dev-account 0 --track constitutional \\
        --call "Membership.setCorporateCap(1500)" --description "Lower the corporate cap to 15%"
    """
    from ledger.org.actions import parse_call
    from ledger.org.governance import Track, propose, read_proposal

    parsed = [parse_call(c, ctx.manifest, ctx.w3) for c in calls]
    chosen = Track.parse(track)
    for call in parsed:
        progress(f"call {call.describe()} -> {call.action.target}")
    if dry_run:
        ctx.emit({"track": chosen.name, "calls": [{"call": c.describe(), "target": c.action.target,
                                                    "calldata": "0x" + c.action.calldata.hex()} for c in parsed]},
                 f"dry run: {len(parsed)} call(s) on the {chosen.name} track; nothing sent")
        return
    signer = unlock_signer(ctx, key_name, dev_account)
    governor, block = _governor(ctx)
    pid = propose(signer, governor, chosen, [c.action for c in parsed], description)
    p = read_proposal(governor, block, pid)
    ctx.emit({"proposalId": str(pid), "number": p.number}, f"{p.named} created")


_WHEN = {"queue": "one that passed (Succeeded).",
         "execute": "one Queued whose timelock delay has passed."}


def _lifecycle(name):
    @command(proposal, name, help=f"{name.capitalize()} a proposal (anyone may): {_WHEN[name]}\n\n"
                                  "In any other state nothing is sent: it says why in one line, e.g. "
                                  "`proposal 5 is Defeated: quorum 5,529 not reached (650 for); not queued`.\n\n"
                                  f"\b\nExample:\n  waico proposal {name} 1 --dev-account 0")
    @key_options
    @click.argument("proposal")
    def run(ctx, key_name, dev_account, proposal):
        from ledger.org import governance

        governor, p = _load(ctx, proposal)
        signer = unlock_signer(ctx, key_name, dev_account)
        receipt = getattr(governance, name)(signer, governor, p)
        progress(f"{name}d in block {receipt['blockNumber']}")
        ctx.emit({"proposalId": str(p.id), "number": p.number, "tx": "0x" + bytes(receipt["transactionHash"]).hex()},
                 f"{p.named}: {name}d")

    return run


_lifecycle("queue")
_lifecycle("execute")
