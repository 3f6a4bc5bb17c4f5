"""`waico dev mine/advance-time`: move a local development chain along (anvil only)."""

import click

from . import command, main


@main.group("dev")
def dev():
    """Local development chains only (chain id 31337): mine blocks, move the clock forward.

    \b
    Voting opens one block after a proposal's snapshot and closes after its track's period;
    on a local chain nothing happens between transactions, so move it along by hand:
      waico dev mine 2             # open voting on a proposal just created
      waico dev mine 40            # close every demo track's vote
      waico dev advance-time 300   # past the demo's longest timelock delay
    """


def _local(ctx):
    from ledger.errors import ConfigError

    if ctx.w3.eth.chain_id != 31337:
        raise ConfigError(f"chain {ctx.w3.eth.chain_id} is not a local development chain")
    return ctx.w3


@command(dev, "mine")
@click.argument("blocks", type=click.IntRange(1, 5000), default=1)
def dev_mine(ctx, blocks):
    """Mine BLOCKS empty blocks."""
    from ledger.chain.node import mine

    w3 = _local(ctx)
    mine(w3, blocks)
    ctx.emit({"block": w3.eth.block_number}, f"now at block {w3.eth.block_number}")


@command(dev, "advance-time")
@click.argument("seconds", type=click.IntRange(1))
def dev_advance_time(ctx, seconds):
    """Move the chain's clock SECONDS forward (and mine a block)."""
    from ledger.chain.node import increase_time

    w3 = _local(ctx)
    increase_time(w3, seconds)
    ts = w3.eth.get_block("latest")["timestamp"]
    ctx.emit({"timestamp": ts}, f"latest block time {ts}")
