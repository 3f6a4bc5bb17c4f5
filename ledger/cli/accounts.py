"""`waico account new/import/list`: keystore v3 files in WORKDIR/keys."""

import click

from . import command, main
from .signing import ask_password


@main.group("account")
def account():
    """Keys: keystore v3 files (interchangeable with geth, brownie and wallets)."""


@command(account, "new", deployment=False)
@click.argument("label")
def account_new(ctx, label):
    """Create a new key LABEL, encrypted with a password (prompt, or WAICO_PASSWORD) at the
    standard scrypt cost (unlocking takes about a second; the demo's keys use a light one).
    LABEL is 1 to 64 characters without / or \\; the key file is readable by you only.

    \b
    Example:
      waico account new mys-delegate
    """
    from ledger.app.keys import new_key

    key = new_key(ctx.config.keys_dir, label, ask_password(f"the new key {label}", confirm=True))
    ctx.emit({"label": key.label, "address": key.address, "path": str(key.path)},
             f"{key.label}: {key.address}  ({key.path})")


@command(account, "import", deployment=False)
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--label", help="Name for the key [default: the file's name].")
def account_import(ctx, source, label):
    """Import a keystore v3 file (from geth, brownie or a wallet export) as it is (a copy readable
    by you only, never over an existing key).

    \b
    Example:
      waico account import ~/.brownie/accounts/secretariat.json
    """
    from pathlib import Path

    from ledger.app.keys import import_key

    key = import_key(ctx.config.keys_dir, Path(source), label)
    ctx.emit({"label": key.label, "address": key.address, "path": str(key.path)}, f"{key.label}: {key.address}")


@command(account, "list", deployment=False)
def account_list(ctx):
    """List the keys in WORKDIR/keys (labels and addresses; never private keys)."""
    from ledger.app.keys import list_keys

    keys = list_keys(ctx.config.keys_dir)
    ctx.emit([{"label": k.label, "address": k.address, "path": str(k.path)} for k in keys],
             "\n".join(f"{k.label:<28} {k.address}" for k in keys) or f"no keys in {ctx.config.keys_dir}")
