"""`waico checkpoint sign/verify/prove`: signed checkpoints of the mirrored event log."""

from pathlib import Path

import click

from . import command, main


@main.group("checkpoint")
def checkpoint():
    """Signed checkpoints of the event log (C2SP tlog-checkpoint in a signed note, Ed25519).

    \b
    The log is every finalized event of the deployment's contracts, in chain order, each
    encoded canonically (ledger/leaves.py) as a leaf of an RFC 6962 Merkle tree. A checkpoint
    commits to the tree's size and root; inclusion proofs show one event is in it, and
    consistency proofs that a later checkpoint only added events.
    """


def _verifier(ctx, key):
    from ledger.audit.eventlog import VERIFIER_FILE, read_verifier

    return read_verifier(key or str(ctx.config.workdir / VERIFIER_FILE))


key_option = click.option("--key", metavar="FILE|TEXT",
                          help="The log's verifier key (name+id+key) [default: WORKDIR/checkpoint.pub].")


@command(checkpoint, "sign")
@click.option("--to-block", help="Checkpoint events up to this block [default: the finalized block].")
def checkpoint_sign(ctx, to_block):
    """Sign a checkpoint of the mirror's finalized events (run `waico index` first).

    \b
    The checkpoint covers the mirrored events up to the finalized block (or --to-block, or
    the mirror's last block if it is behind); it says which block that is, and how many
    newer mirrored events it leaves out. A missing or never-synced mirror is refused, as is
    one with no event that far: nothing is signed or written then.
    The signing key is WORKDIR/checkpoint.key (created with mode 0600 on first use); its
    verifier key, to publish, is written to WORKDIR/checkpoint.pub.
    Example:
      waico index && waico checkpoint sign
    """
    from ledger.app.summary import plural
    from ledger.audit.eventlog import finalized_block, sign

    upto = int(to_block) if to_block else finalized_block(ctx.w3)
    signed = sign(ctx.config.workdir, ctx.manifest, ctx.config.db_url, upto)
    cp = signed.checkpoint
    asked = "--to-block" if to_block else "the finalized block"
    covers = f"covers the {plural(cp.size, 'mirrored event')} up to block {signed.up_to_block}"
    if signed.up_to_block < signed.asked_block:
        covers += f" (the mirror's last block; {asked} is {signed.asked_block}: run `waico index` to cover more)"
    else:
        covers += f" ({asked})"
    covers += (f"; leaves out {plural(signed.left_out, 'newer mirrored event')}"
               + (" (not yet finalized)" if not to_block and signed.left_out else ""))
    ctx.emit({"file": str(signed.path), "origin": cp.origin, "size": cp.size, "root": cp.root.hex(),
              "upToBlock": signed.up_to_block, "askedBlock": signed.asked_block, "mirrorBlock": signed.mirror_block,
              "eventsLeftOut": signed.left_out, "verifierKey": signed.verifier_key, "note": signed.note},
             f"{signed.note}\n{covers}\nwritten to {signed.path}\nverifier key: {signed.verifier_key}")


@command(checkpoint, "verify", deployment=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@key_option
@click.option("--against", type=click.Choice(["mirror", "chain", "none"]), default="mirror", show_default=True,
              help="Also recompute the root from the SQL mirror or straight from the chain.")
def checkpoint_verify(ctx, file, key, against):
    """Check a checkpoint's signature, and that the events it covers hash to its root.

    \b
    Example:
      waico checkpoint verify .waico/checkpoint.txt --key "$(cat .waico/checkpoint.pub)" --against chain
    """
    from ledger.audit.eventlog import chain_events, check_against, finalized_block, mirrored_events, open_checkpoint

    cp = open_checkpoint(file, _verifier(ctx, key))
    if against == "mirror":
        check_against(cp, mirrored_events(ctx.config.db_url, ctx.manifest))
    elif against == "chain":
        manifest = ctx.manifest  # a missing deployment is said before the node is asked
        check_against(cp, chain_events(ctx.w3, manifest, finalized_block(ctx.w3)))
    ctx.emit({"ok": True, "origin": cp.origin, "size": cp.size, "root": cp.root.hex(), "checkedAgainst": against},
             f"ok: {cp.origin} at size {cp.size} is signed by its key"
             + ("" if against == "none" else f", and the {against}'s first {cp.size} events hash to its root"))


@command(checkpoint, "prove")
@click.option("--event", metavar="TXHASH:LOGINDEX", help="Prove this event is in the checkpoint.")
@click.option("--old", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Prove the checkpoint extends this older one.")
@click.option("--checkpoint", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The checkpoint [default: WORKDIR/checkpoint.txt].")
@key_option
def checkpoint_prove(ctx, event, old, file, key):
    """An inclusion proof for one event, or a consistency proof from an older checkpoint.

    \b
    Proofs are computed from the mirror and verified against the signed checkpoints before
    they are printed (JSON).
    Examples:
      waico checkpoint prove --event 0xabc…:3
      waico checkpoint prove --old .waico/checkpoints/checkpoint-120.txt
    """
    from ledger.audit.eventlog import LATEST, consistency, inclusion, mirrored_events, open_checkpoint
    from ledger.errors import ConfigError

    if bool(event) == bool(old):
        raise ConfigError("say what to prove: --event TXHASH:LOGINDEX, or --old CHECKPOINT")
    verifier = _verifier(ctx, key)
    cp = open_checkpoint(file or ctx.config.workdir / LATEST, verifier)
    events = mirrored_events(ctx.config.db_url, ctx.manifest)
    if event:
        tx_hash, _, log_index = event.partition(":")
        if not log_index.isdigit():
            raise ConfigError("--event is TXHASH:LOGINDEX, e.g. 0xabc…:3")
        found, proof = inclusion(cp, events, tx_hash, int(log_index))
        data = {"type": "inclusion", "origin": cp.origin, "event": event, "block": found.event.block_number,
                "leaf": "0x" + found.leaf.hex(), **proof.to_dict()}
    else:
        previous = open_checkpoint(old, verifier)
        proof = consistency(previous, cp, events)
        data = {"type": "consistency", "origin": cp.origin, **proof.to_dict()}
    click.echo(__import__("json").dumps(data, indent=1))
    click.echo("verified against the signed checkpoint" + ("s" if old else ""), err=True)
