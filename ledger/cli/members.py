"""`waico member list/show`."""

import click

from . import command, main
from .csvout import csv_option, write_csv


@main.group("member")
def member():
    """Membership: members, tiers, weights, certifications."""


def _member_json(m):
    return {"address": m.address, "index": m.index, "name": m.name, "identifier": m.identifier,
            "kind": m.kind.name, "tier": m.tier_name, "status": m.status.name, "weight": m.weight,
            "certifications": [i for i in range(256) if m.certifications >> i & 1]}


@command(member, "list")
@csv_option
def member_list(ctx, csv_to):
    """List every member with kind, tier, status and current effective weight.

    \b
    Example:
      waico member list
      waico member list --json | jq '.[] | select(.kind == "Corporate")'
      waico member list --csv roster.csv
    """
    from ledger.app.exports import ROSTER_COLUMNS, roster_rows
    from ledger.app.summary import members_table
    from ledger.org.membership import read_members

    members = read_members(ctx.contract("Membership"))
    if csv_to:
        return write_csv(csv_to, ROSTER_COLUMNS, roster_rows(members))
    ctx.emit([_member_json(m) for m in members], members_table(members))


@command(member, "show")
@click.argument("who")
def member_show(ctx, who):
    """Show one member, by address, identifier (e.g. MYS) or name.

    \b
    Example:
      waico member show MYS
    """
    from ledger.app.summary import plural
    from ledger.org.membership import find_member
    from ledger.org.pathway import sharing_standing

    membership = ctx.contract("Membership")
    m = find_member(membership, who)
    data = _member_json(m)
    text = [f"{k:<15} {v}" for k, v in data.items()]
    if "SharingPlatform" in ctx.manifest.contracts:
        s = data["sharing"] = sharing_standing(membership, ctx.contract("SharingPlatform"), m).to_json()
        text.append(f"{'sharing':<15} {plural(s['confirmed'], 'confirmed delivery', 'confirmed deliveries')} to "
                    f"{plural(s['distinctRequesters'], 'distinct requester')}"
                    + (f"; {s['nextTier']} requires {s['requiredForNextTier']}" if s["requiredForNextTier"] else ""))
    ctx.emit(data, "\n".join(text))
