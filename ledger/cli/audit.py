"""`waico audit`: the mirror and the chain's own records checked against each other."""

import sys

import click

from . import command, main, printable, progress


def report_text(report) -> str:
    """The report for people, coloured; what it quotes (findings may hold chain text) escaped."""
    from ledger.app.summary import counted, plural

    lines = [f"audit of chain {report.chain_id}, blocks {report.first_block}..{report.last_block} "
             f"({plural(report.events, 'mirrored event')}, {report.seconds:.1f} s)"]
    lines += [click.style("note ", fg="yellow") + printable(notice) for notice in report.notices]
    for check in report.checks:
        mark = click.style("OK  ", fg="green") if check.ok else click.style("FAIL", fg="red", bold=True)
        counts = ", ".join(counted(n, what) for what, n in check.checked.items())
        lines.append(f"{mark} " + printable(f"{check.name:<10} {check.title}: {counts or 'nothing to check'}"))
        for f in check.findings:
            lines.append(printable(f"       {f.subject}: {f.detail}"))
    n = len(report.findings)
    upto = f" up to block {report.last_block}" if report.behind else ""
    lines.append(f"clean{upto}: the mirror is the chain, and the chain kept its rules" if not n
                 else plural(n, "finding"))
    return "\n".join(lines)


@command(main, "audit")
def audit(ctx):
    """Check the SQL mirror against the chain, and the chain against its own rules.

    \b
    Every mirrored log and block header is compared with the chain, and every log decoded
    again (plain eth_abi, not the mirror's decoders); every row of every typed table (vote,
    payout, contribution, need_score, ...) is re-derived from the chain's logs and compared
    field by field, and the views with their definitions; every proposal's tally is
    re-counted from the mirrored votes (weights at the snapshot, the track's pass rules); the
    ballot behind every relayed vote is re-verified (EIP-712, ERC-1271 for contract wallets)
    and a direct vote's sender checked; every fund round is re-computed with the formula; the
    fund's balance is matched with its contributions, payouts and claims. Each mismatch is
    one line: a row's names its table, block, log index and field, with both values.

    \b
    The audit covers the mirror up to its last block. If the chain is further on, it says so
    ("note mirror at block 293, chain at 357: run `waico index`"): not a finding, the exit
    status stays 0 for a clean mirror; run `waico index` and audit again to cover the rest.
    Exit status: 0 clean, 1 findings, 2 no mirror (missing, never synced, another schema
    version) or configuration to audit.

    \b
    Example:
      waico audit                              # the demo's workdir and mirror
      waico audit --db sqlite:///mirror.db --json | jq '.checks[] | select(.ok | not)'
    """
    from ledger.audit.run import audit as run_audit

    report = run_audit(ctx.w3, ctx.manifest, ctx.config.db_url,
                       progress=(lambda _: None) if ctx.as_json else progress)
    ctx.emit(report.to_json(), report_text(report), styled=True)
    if not report.ok:
        sys.exit(1)
