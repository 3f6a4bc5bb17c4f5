"""`waico demo`."""

from pathlib import Path

import click

from . import fail, main, printable, progress


@main.command("demo")
@click.option("--workdir", envvar="WAICO_WORKDIR", default=".waico", show_default=True, metavar="DIR",
              help="Where to write the manifest, member keys, mirror and checkpoint.")
@click.option("--rpc", envvar="WAICO_RPC_URL", metavar="URL",
              help="Run on this already running chain instead of starting a local anvil "
                   "(its first dev account must be funded, as on anvil).")
@click.option("--keep-chain", is_flag=True,
              help="Leave the local anvil running after a successful demo (a failed one stops it).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Members to admit (CSV: kind,identifier,name,tier,need_score) [default: the shipped roster].")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
def demo(workdir, rpc, keep_chain, roster, as_json):
    """Run the whole ledger once on a local chain and print a summary.

    \b
    Starts anvil on a free port (stopped at the end, and whenever the demo fails or is
    interrupted: Ctrl-C, kill, a closed terminal; a successful demo with --keep-chain leaves it
    running), deploys every
    contract, admits the shipped roster of member states and corporate members (a key per
    member in WORKDIR/keys, password "waico-demo"), runs a proposal on every track with every
    voting member's signed ballot relayed in batches, runs a fund disbursement round
    through governance, and prints members by tier, each proposal's result and the payouts.

    \b
    Examples:
      waico demo
      waico demo --keep-chain --workdir /tmp/waico   # then: waico member list --workdir /tmp/waico
      waico demo --rpc http://127.0.0.1:8545 --json
    """
    import json
    import signal

    from ledger.app.demo import run
    from ledger.app.summary import render_demo
    from ledger.errors import LedgerError
    from ledger.org.membership import DEFAULT_ROSTER

    def stopped(signum, _frame):
        # a `kill` or a closed terminal ends the demo as Ctrl-C does: the anvil it started is stopped
        raise SystemExit(128 + signum)

    before = {s: signal.signal(s, stopped) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        result = run(Path(workdir), rpc_url=rpc, keep_chain=keep_chain,
                     roster_path=roster or DEFAULT_ROSTER, progress=progress)
    except LedgerError as exc:
        fail(exc)
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1))
    else:
        click.echo(printable(render_demo(result), inline=False))
