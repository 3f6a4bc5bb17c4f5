"""`--csv FILE` on the commands whose rows people want in a spreadsheet (the CSV itself is
made by `ledger.app.exports`)."""

from pathlib import Path

import click

CSV_HELP = ("Write the rows as CSV to FILE ('-': standard output) instead of the table; names are "
            "escaped for spreadsheets.")


def csv_option(fn):
    return click.option("--csv", "csv_to", metavar="FILE", help=CSV_HELP)(fn)


def write_csv(target: str, columns, rows: list[dict]) -> None:
    """The rows as CSV on standard output (`-`) or in the file `target` (replaced atomically)."""
    from ledger import files
    from ledger.app.exports import rows_csv

    text = rows_csv(columns, rows)
    if target == "-":
        click.echo(text, nl=False)
        return
    try:
        files.replace(Path(target), text)
    except OSError as exc:
        from ledger.errors import LedgerError

        raise LedgerError(f"cannot write {target}: {exc.strerror or exc}") from None
    click.echo(f"{len(rows)} rows written to {target}", err=True)
