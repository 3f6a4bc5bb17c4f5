"""The `waico` command line."""

import click


@click.group()
@click.version_option(package_name="waico-ledger")
def main() -> None:
    """WAICO Ledger: membership, signed ballots and the equity fund on an EVM chain."""
