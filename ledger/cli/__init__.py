"""The `waico` command line: a thin face over the ledger package.

Imports are lazy (inside commands) so that `waico --help` answers at once. Errors of the
ledger's family become one line on stderr and a non-zero exit code; tracebacks mean bugs.
"""

from __future__ import annotations

import functools
import json
import sys

import click


class Context:
    """What a command needs, resolved once from options and environment."""

    def __init__(self, config, as_json: bool):
        self.config = config
        self.as_json = as_json
        self._w3 = None
        self._loaded = None
        self._manifest = None

    @property
    def w3(self):
        if self._w3 is None:
            from ledger.chain.node import connect

            self._w3 = connect(self.config.rpc_url)
        return self._w3

    def load_manifest(self):
        """The deployment manifest, read from its file (no node asked yet): a missing one is a
        ConfigError naming where it was looked for, before anything talks to the node."""
        if self._loaded is None:
            from ledger.chain.manifest import Manifest

            self._loaded = Manifest.load(self.config.deployment)
        return self._loaded

    @property
    def manifest(self):
        """The deployment manifest, checked against the node's chain id."""
        if self._manifest is None:
            manifest = self.load_manifest()
            manifest.check_chain(self.w3)
            self._manifest = manifest
        return self._manifest

    def contract(self, name: str):
        return self.manifest.contract(self.w3, name)

    def emit(self, data, text: str | None = None, *, styled: bool = False) -> None:
        """Print `data` as JSON with --json, else `text` (or nothing), its control characters
        escaped (text from the chain is anyone's: `ledger.chain.text.printable`). `styled`
        text carries our own colours: its caller escaped every other part with `printable`."""
        if self.as_json:
            click.echo(json.dumps(data, indent=1, default=str))
        elif text is not None:
            click.echo(text if styled else printable(text, inline=False))


def printable(text: str, inline: bool = True) -> str:
    from ledger.chain.text import printable as escape

    return escape(text, inline)


def progress(message: str) -> None:
    click.echo(click.style("• ", fg="cyan") + printable(message), err=True)


def fail(exc) -> None:
    """A ledger error as one line on stderr, and its exit code."""
    click.echo(click.style("error: ", fg="red", bold=True) + printable(str(exc), inline=False), err=True)
    sys.exit(exc.exit_code)


def command(group: click.Group, name: str, *, data: bool = True, deployment: bool | None = None, **kwargs):
    """A subcommand with the common options (--workdir, --rpc, --deployment, --db[, --json]).

    The wrapped function receives a `Context` as its first argument; ledger errors become a
    one-line message and the error's exit code. A command that needs a deployment reads its
    manifest first, so that a folder without one says so (not that the node is unreachable):
    every command does by default but those of `waico dev` (a local chain's clock and blocks).
    """

    needs_deployment = deployment if deployment is not None else group.name != "dev"

    def decorate(fn):
        @group.command(name, **kwargs)
        @click.option("--workdir", envvar="WAICO_WORKDIR", metavar="DIR",
                      help="Working folder holding deployment.json, keys/, mirror.db [default: ./.waico].")
        @click.option("--rpc", envvar="WAICO_RPC_URL", metavar="URL",
                      help="JSON-RPC endpoint, http:// or https:// [env WAICO_RPC_URL; default: the one the "
                           "workdir remembers].")
        @click.option("--deployment", "manifest_path", envvar="WAICO_DEPLOYMENT", metavar="FILE",
                      help="Deployment manifest [env WAICO_DEPLOYMENT; default: WORKDIR/deployment.json].")
        @click.option("--db", envvar="WAICO_DB", metavar="URL",
                      help="SQLAlchemy URL of the SQL mirror, e.g. sqlite:///mirror.db or "
                           "postgresql+psycopg://user@host/db [env WAICO_DB; default: sqlite WORKDIR/mirror.db].")
        @click.option("--json", "as_json", is_flag=True, hidden=not data, help="Machine-readable output.")
        @functools.wraps(fn)
        def wrapper(workdir, rpc, manifest_path, db, as_json, **params):
            from ledger.app.config import Config
            from ledger.errors import LedgerError

            try:
                ctx = Context(Config.resolve(workdir=workdir, rpc=rpc, deployment=manifest_path, db=db), as_json)
                if needs_deployment:
                    ctx.load_manifest()
                return fn(ctx, **params)
            except LedgerError as exc:
                fail(exc)

        wrapper.needs_deployment = needs_deployment
        return wrapper

    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="waico-ledger")
def main() -> None:
    """WAICO Ledger: tiered membership, signed weighted ballots and the equity fund on an EVM chain.

    \b
    Start here:
      waico demo                      # local chain, members, votes on every track, a fund round
      waico member list               # then explore the demo's chain (it is kept with --keep-chain)
      waico proposal list
    Every command takes --rpc, --deployment, --db and --workdir (or WAICO_* variables);
    commands that print data take --json.
    """


# The subcommands, one module per domain; importing them registers them on `main`.
from . import accounts, audit, ballots, checkpoint, demo, deploy, dev, fund, index, members, proposals, sharing, site, standards  # noqa: E402,F401,E501
