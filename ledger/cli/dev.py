"""`waico dev mine/advance-time/mint`: move a local development chain along, and mint its test
stablecoin (anvil only)."""

import click

from . import command, main
from .fund import AMOUNT_ARGUMENT


@main.group("dev")
def dev():
    """Local development chains only (chain id 31337): mine blocks, move the clock forward,
    mint test tUSD.

    \b
    Voting opens one block after a proposal's snapshot and closes after its track's period;
    on a local chain nothing happens between transactions, so move it along by hand:
      waico dev mine 2             # open voting on a proposal just created
      waico dev mine 40            # close every demo track's vote
      waico dev advance-time 300   # past the demo's longest timelock delay
      waico dev mint 600000 --to CHN   # test tUSD for a member, to pay into the fund
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


@command(dev, "mint", deployment=True, context_settings=AMOUNT_ARGUMENT)
@click.argument("amount")
@click.option("--to", "to", required=True, metavar="MEMBER|KEY|ADDRESS",
              help="Who gets the tokens: a member's identifier or name, a key label, or an address.")
def dev_mint(ctx, amount, to):
    """Mint AMOUNT of the test stablecoin (tUSD) to a member or address, signed by anvil's dev
    account 0, the local deployment's deployer and so the token's owner. There are no test
    stablecoins to buy on a local chain: this is how a member gets some to contribute.

    \b
    Example:
      waico dev mint 600000 --to CHN && waico fund contribute 600000 --key CHN
    """
    from ledger.chain.anvil import dev_private_key
    from ledger.chain.transactions import Signer
    from ledger.org.fund import mint_test_tokens, token_of

    w3 = _local(ctx)
    fund = ctx.contract("EquityFund")
    if "TestStablecoin" not in ctx.manifest.contracts:
        from ledger.errors import ConfigError

        raise ConfigError("this deployment has no test stablecoin (it uses an existing token): nothing to mint")
    token = token_of(w3, fund)
    units = token.parse(amount)
    address, shown = _recipient(ctx, to)
    signer = Signer(w3, dev_private_key(0), ctx.manifest.error_decoder(), chain_id=ctx.manifest.chain_id,
                    max_fee=ctx.config.max_fee)
    mint_test_tokens(signer, ctx.contract("TestStablecoin"), fund, address, units)
    ctx.emit({"to": address, "amount": units}, f"minted {token.show(units)} to {shown}")


def _recipient(ctx, to: str) -> tuple[str, str]:
    """The address of a member's identifier or name, a key label or an address, and the account
    as people know it (`Kenya (0x…)`)."""
    from web3 import Web3

    from ledger.app.keys import find_key
    from ledger.app.summary import who
    from ledger.errors import ConfigError
    from ledger.org.membership import read_members

    members = read_members(ctx.contract("Membership"))
    if Web3.is_address(to):
        address = Web3.to_checksum_address(to)
    else:
        named = [m for m in members if to in (m.identifier, m.name)]
        if named:
            address = named[0].address
        else:
            try:
                address = find_key(ctx.config.keys_dir, to).address
            except ConfigError:
                raise ConfigError(f"{to!r} is not a member, a key in {ctx.config.keys_dir} or an address") from None
    return address, who(address, members)
