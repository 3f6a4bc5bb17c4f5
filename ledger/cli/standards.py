"""`waico standard list/declare/certify/reject/revoke/promote`: the pathway between tiers."""

import click

from . import command, main
from .signing import key_options, unlock_signer


@main.group("standard")
def standard():
    """The standards pathway: declare adoption, certify, promote.

    \b
    A member declares adoption of a shared standard (with evidence and an optional national
    adaptation), a verifier certifies or rejects it, and once a member holds every
    certification the next tier requires, anyone may trigger its promotion.
    """


@command(standard, "list")
def standard_list(ctx):
    """List the shared standards and which tiers require them."""
    from ledger.org.pathway import read_standards

    items = read_standards(ctx.contract("Membership"))
    ctx.emit([s.to_json() for s in items],
             "\n".join(f"{s.id:>3}  {s.title}  <{s.uri}>  required by: {', '.join(s.required_by) or '-'}"
                       for s in items) or "no standards registered")


@command(standard, "declare")
@key_options
@click.argument("standard_id", type=int)
@click.option("--evidence", required=True, metavar="FILE|TEXT|0xHASH",
              help="Evidence of adoption: a file (hashed), a text (hashed) or a 32-byte 0x-hash.")
@click.option("--adaptation", metavar="FILE|TEXT|0xHASH", help="National adaptation note (hashed like --evidence).")
@click.option("--adaptation-uri", default="", help="Where the national adaptation note is published.")
def standard_declare(ctx, key_name, dev_account, standard_id, evidence, adaptation, adaptation_uri):
    """Declare, as the member whose key signs, adoption of STANDARD_ID.

    \b
    Example:
      waico standard declare 0 --key MYS --evidence report.pdf \\
          --adaptation adaptation-note.md --adaptation-uri https://example.org/mys/adaptation
    """
    from ledger.org.pathway import ZERO_HASH, declare, hash_evidence

    signer = unlock_signer(ctx, key_name, dev_account)
    receipt = declare(signer, ctx.contract("Membership"), standard_id, hash_evidence(evidence),
                      hash_evidence(adaptation) if adaptation else ZERO_HASH, adaptation_uri)
    ctx.emit({"tx": receipt["transactionHash"].hex()}, f"declared adoption of standard {standard_id}")


def _verifier_action(name: str, verb: str, needs_reason: bool):
    example = f"waico standard {name} MYS 0 --key verifier" + (" --reason 'audit 2026-11'" if needs_reason else "")
    doc = f"As a verifier, {name} MEMBER's declaration of STANDARD_ID.\n\n\b\nExample:\n  {example}"

    @command(standard, name, help=doc)
    @key_options
    @click.argument("member")
    @click.argument("standard_id", type=int)
    @click.option("--reason", default="", required=needs_reason, metavar="FILE|TEXT|0xHASH",
                  help="Why (hashed like evidence)." if needs_reason else "Unused.", hidden=not needs_reason)
    def action(ctx, key_name, dev_account, member, standard_id, reason):
        from ledger.org import pathway
        from ledger.org.membership import find_member

        signer = unlock_signer(ctx, key_name, dev_account)
        membership = ctx.contract("Membership")
        m = find_member(membership, member)
        if needs_reason:
            getattr(pathway, name)(signer, membership, m.address, standard_id, pathway.hash_evidence(reason))
        else:
            getattr(pathway, name)(signer, membership, m.address, standard_id)
        ctx.emit({"member": m.address, "standard": standard_id, "action": name},
                 f"{verb} {m.name}'s declaration of standard {standard_id}")

    return action


_verifier_action("certify", "certified", False)
_verifier_action("reject", "rejected", True)
_verifier_action("revoke", "revoked", True)


@command(standard, "promote")
@key_options
@click.argument("member")
def standard_promote(ctx, key_name, dev_account, member):
    """Promote MEMBER one tier up if it holds every certification the next tier requires
    and has confirmed deliveries to as many distinct requesters as that tier requires.

    Anyone may trigger it. Example: waico standard promote MYS --key MYS
    """
    from ledger.errors import LedgerError
    from ledger.org.membership import find_member
    from ledger.org.pathway import promote

    membership = ctx.contract("Membership")
    m = find_member(membership, member)
    earned, missing = membership.functions.promotable(m.address).call()
    if not earned:
        missing_ids = [i for i in range(256) if missing >> i & 1]
        reasons = [f"missing certifications of standards {missing_ids}"] if missing_ids else []
        if "SharingPlatform" in ctx.manifest.contracts:
            from ledger.org.pathway import sharing_standing

            s = sharing_standing(membership, ctx.contract("SharingPlatform"), m)
            if s.distinct_requesters < s.required_for_next_tier:
                from ledger.app.summary import plural

                reasons.append(f"{s.next_tier} requires confirmed deliveries to "
                               f"{plural(s.required_for_next_tier, 'distinct requester')}, and {m.name} has "
                               f"{s.distinct_requesters} (waico share)")
        raise LedgerError(f"{m.name} cannot be promoted now"
                          + (": " + "; ".join(reasons) if reasons else " (not active, or already at the top tier)"))
    promote(unlock_signer(ctx, key_name, dev_account), membership, m.address)
    after = find_member(membership, m.address)
    ctx.emit({"member": m.address, "from": m.tier_name, "to": after.tier_name},
             f"{m.name}: {m.tier_name} -> {after.tier_name}")
