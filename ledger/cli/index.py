"""`waico index`: mirror every event of the deployment into SQL."""

import click

from . import command, main


@command(main, "index")
@click.option("--follow", is_flag=True, help="Keep following new blocks until interrupted (Ctrl-C).")
@click.option("--to-block", default="latest", show_default=True,
              help="Mirror up to this block: a number, latest, safe or finalized.")
def index(ctx, follow, to_block):
    """Mirror every event of the deployed contracts into SQL (SQLite by default).

    \b
    One eth_getLogs per block range for all contracts (the range adapts), events and the
    sync cursor committed in one transaction per range: a killed indexer resumes with no gap
    and no duplicate; a reorg rolls the mirror back to the common ancestor.
    Examples:
      waico index                                  # into WORKDIR/mirror.db
      waico index --follow
      waico index --db postgresql+psycopg://waico@localhost/waico
      sqlite3 .waico/mirror.db 'select event, count(*) from raw_event group by event'
    """
    import sys
    import threading

    from ledger.app.summary import plural
    from ledger.mirror import sync

    target = int(to_block) if to_block.isdigit() else to_block
    stop = threading.Event()
    interactive = sys.stderr.isatty()

    def show(p):
        line = (f"\rblock {p.block:,}/{p.target:,}  {p.events:,} events  {p.events_per_s:,.0f} events/s")
        if interactive:
            click.echo(line, nl=False, err=True)

    try:
        stats = sync(ctx.w3, ctx.manifest, ctx.config.db_url, to_block=target, follow=follow, progress=show,
                     stop=stop)
    except KeyboardInterrupt:
        stop.set()
        click.echo("\nstopped; the mirror is consistent up to its last committed range", err=True)
        return
    if interactive:
        click.echo("", err=True)
    from ledger.mirror.schema import shown_url

    ctx.emit({"db": shown_url(ctx.config.db_url), "events": stats.events, "blocks": stats.blocks,
              "lastBlock": stats.last_block, "seconds": round(stats.seconds, 3),
              "eventsPerSecond": round(stats.events_per_s), "reorgs": stats.reorgs},
             f"mirrored {stats.events:,} new event{'' if stats.events == 1 else 's'} up to block "
             f"{stats.last_block:,} into {shown_url(ctx.config.db_url)} "
             f"({stats.events_per_s:,.0f} events/s"
             + (f", {plural(stats.reorgs, 'reorg')} undone" if stats.reorgs else "")
             + ")")
