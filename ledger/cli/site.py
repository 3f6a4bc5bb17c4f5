"""`waico site build/serve`: the transparency portal."""

from pathlib import Path

import click

from . import command, main, progress


@main.group("site")
def site():
    """The transparency portal: a static site from the mirror that checks itself in the browser.

    \b
    Pages for members, proposals (tallies, votes by name), the fund and its rounds, sharing,
    and the audit; each page ships the leaves behind its numbers and their inclusion proofs,
    and the browser verifies the checkpoint's signature, every proof and every number.
    Example:
      waico index && waico checkpoint sign && waico site build && waico site serve
    """


@command(site, "build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Where to write it [default: WORKDIR/site].")
@click.option("--checkpoint", "checkpoint_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The signed checkpoint to cut the site at [default: WORKDIR/checkpoint.txt].")
@click.option("--key", metavar="FILE|TEXT", help="The log's verifier key, shipped with the site "
                                                 "[default: WORKDIR/checkpoint.pub].")
@click.option("--audit", "audit_file", type=click.Path(dir_okay=False, path_type=Path),
              help="An audit report to show (`waico audit --json > FILE`) [default: WORKDIR/audit.json if there].")
@click.option("--token-symbol", help="The fund token's symbol [default: remembered, else asked of the node].")
@click.option("--token-decimals", type=int, help="The fund token's decimals [default: as the symbol].")
def site_build(ctx, out, checkpoint_file, key, audit_file, token_symbol, token_decimals):
    """Write the site from the mirror, cut at the latest signed checkpoint.

    \b
    Pure static files (HTML, CSS, a little JavaScript, data files): publish the folder on
    any static host, or open index.html from disk. Needs a synced mirror (`waico index`)
    and a checkpoint of it (`waico checkpoint sign`); the node only to look up the token's
    symbol if it is not remembered or given.
    Examples:
      waico site build                           # -> .waico/site/index.html
      waico site build --out public --audit audit.json --token-symbol tUSD --token-decimals 6
    """
    import json

    from ledger.app.config import read_settings
    from ledger.audit.eventlog import LATEST, VERIFIER_FILE
    from ledger.errors import ConfigError
    from ledger.site import build, read_checkpoint
    from ledger.site.build import resolve_token

    workdir = ctx.config.workdir
    manifest = ctx.load_manifest()
    note, verifier, _ = read_checkpoint(checkpoint_file or workdir / LATEST, key or str(workdir / VERIFIER_FILE))
    audit_path = audit_file or (workdir / "audit.json")
    audit = None
    if audit_file or audit_path.is_file():
        try:
            audit = json.loads(audit_path.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the audit report {audit_path}: {exc}") from None
    token = resolve_token(manifest, ctx.config.rpc_url, read_settings(workdir).get("token"), token_symbol, token_decimals)
    built = build(out or workdir / "site", manifest, ctx.config.db_url, note, verifier, token=token, audit=audit,
                  older=workdir / "checkpoints", progress=(lambda _: None) if ctx.as_json else progress)
    ctx.emit(built.to_json(), f"wrote {built.pages} pages ({built.bytes / 1e6:.1f} MB) for {built.events:,} events "
                              f"in {built.seconds:.1f} s: {built.index}")


@command(site, "serve", data=False, deployment=False)
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def site_serve(ctx, folder, host, port):
    """Preview a built site on http://HOST:PORT/ (Ctrl-C stops).

    \b
    Sends the headers a host should send (the Content-Security-Policy, nosniff).
    Example:
      waico site serve                       # WORKDIR/site on http://127.0.0.1:8000/
      waico site serve public --port 8080
    """
    from ledger.site.serve import server

    httpd = server(folder or ctx.config.workdir / "site", host, port)
    click.echo(f"serving {folder or ctx.config.workdir / 'site'} on http://{host}:{httpd.server_address[1]}/ "
               "(Ctrl-C stops)", err=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
