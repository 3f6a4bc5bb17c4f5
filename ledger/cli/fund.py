"""`waico fund status/preview/contribute/claim`: the equity adjustment fund."""

import click

from . import command, main
from .csvout import csv_option, write_csv
from .signing import key_options, unlock_signer


@main.group("fund")
def fund():
    """The equity adjustment fund: balances, need scores, previews of rounds, paying in, claiming.

    \b
    A disbursement round splits a budget among voting members in proportion to need score,
    with a per-member cap and a floor, within a per-epoch limit; it runs only through a
    governance vote and the timelock. `preview` shows the exact split a round would make now.
    """


@command(fund, "status")
def fund_status(ctx):
    """Balances, round rules, the epoch's spending, and totals an auditor checks."""
    from ledger.org.fund import status

    s = status(ctx.w3, ctx.contract("EquityFund"))
    t = s.token
    ctx.emit(s.to_json(), "\n".join([
        f"balance            {t.show(s.balance)}",
        f"contributed        {t.show(s.total_contributed)}",
        f"paid out           {t.show(s.total_paid_out)}",
        f"claimable          {t.show(s.total_claimable)}",
        f"available          {t.show(s.available)}",
        f"epoch {s.epoch:<12} spent {t.show(s.spent_in_epoch)} of {t.show(s.epoch_limit)}",
        f"round rules        cap {s.cap_bps / 100:g}% of a round, floor {t.show(s.floor)}",
        f"rounds executed    {s.rounds}",
    ]))


# an amount is an argument even when it starts with "-" (refused with a clear message then)
AMOUNT_ARGUMENT = {"ignore_unknown_options": True}


@command(fund, "preview", context_settings=AMOUNT_ARGUMENT)
@click.argument("budget")
def fund_preview(ctx, budget):
    """The allocation a round with BUDGET (in token units, e.g. 250000) would make now.

    Amounts are in token units: 1000, 1,250,000 (commas between thousands), 0.5 (up to the
    token's decimals).

    \b
    Example:
      waico fund preview 250000
    """
    from ledger.app.summary import plural, table
    from ledger.chain.text import printable
    from ledger.org.fund import preview, token_of

    contract = ctx.contract("EquityFund")
    token = token_of(ctx.w3, contract)
    p = preview(contract, token.parse(budget))
    names = _names(ctx)
    rows = [("member", "score", "share", "amount", "address")] + [
        (printable(names.get(a.member, "")) or "(not a member)", str(a.score), f"{100 * a.amount / p.budget:.2f}%",
         token.show(a.amount), a.member)
        for a in p.allocations]
    ctx.emit({"budget": p.budget, "totalScore": p.total_score, "paid": p.paid,
              "allocations": [{"member": a.member, "score": a.score, "amount": a.amount} for a in p.allocations]},
             table(rows, right={1, 2, 3}) + f"\n{plural(len(p.allocations), 'recipient')}, {token.show(p.paid)} of "
             f"{token.show(p.budget)} (dust stays in the fund)")


@command(fund, "round")
@click.argument("round_id", metavar="ROUND", type=click.IntRange(min=1))
@csv_option
def fund_round(ctx, round_id, csv_to):
    """What disbursement round ROUND (1, 2, …) paid each member: amount, pushed or claimable.

    \b
    Example:
      waico fund round 1
      waico fund round 1 --csv round-1.csv
    """
    from ledger.app.exports import PAYOUT_COLUMNS, payout_rows
    from ledger.app.summary import plural, table
    from ledger.chain.text import printable
    from ledger.errors import LedgerError
    from ledger.org.fund import token_of
    from ledger.org.membership import read_members
    from ledger.org.payouts import read_payouts

    contract = ctx.contract("EquityFund")
    token = token_of(ctx.w3, contract)
    payouts = read_payouts(contract, ctx.manifest.contracts["EquityFund"].block, round_id)
    if not payouts:
        executed = contract.functions.roundCount().call()
        raise LedgerError(f"round {round_id} paid no one: {plural(executed, 'round')} executed")
    rows = payout_rows(payouts, read_members(ctx.contract("Membership")), token.decimals)
    if csv_to:
        return write_csv(csv_to, PAYOUT_COLUMNS, rows)
    lines = [("member", "score", "amount", "paid as")] + [
        (printable(r["member"] or r["account"]), str(r["score"]), token.show(r["amount_units"]), r["paid_as"])
        for r in rows]
    ctx.emit(rows, table(lines, right={1, 2}) + f"\nround {round_id}: {plural(len(rows), 'payout')}, "
             f"{token.show(sum(r['amount_units'] for r in rows))}")


def _names(ctx) -> dict:
    from ledger.org.membership import read_members

    return {m.address: m.name for m in read_members(ctx.contract("Membership"))}


def _account(ctx, address: str) -> tuple[str | None, str]:
    """The name of the member at `address` (None: not a member), and the account as people know it."""
    from ledger.app.summary import who
    from ledger.org.membership import read_member

    m = read_member(ctx.contract("Membership"), address)
    return (m.name if m else None), who(address, [m] if m else [])


@command(fund, "contribute", context_settings=AMOUNT_ARGUMENT)
@key_options
@click.argument("amount")
def fund_contribute(ctx, key_name, dev_account, amount):
    """Pay AMOUNT (token units) into the fund from the signing key (approving it first).

    Amounts are in token units: 1000, 1,250,000 (commas between thousands), 0.5 (up to the
    token's decimals). Nothing is sent (not even the approval) if the key's balance does not
    cover AMOUNT or the token would refuse the transfer.

    \b
    Example:
      waico fund contribute 1000 --key CHN
    """
    from ledger.org.fund import contribute, token_of

    contract = ctx.contract("EquityFund")
    token = token_of(ctx.w3, contract)
    units = token.parse(amount)
    signer = unlock_signer(ctx, key_name, dev_account)
    receipt = contribute(signer, ctx.w3, contract, units, who=key_name or f"dev account {dev_account}")
    member, shown = _account(ctx, signer.address)
    ctx.emit({"amount": units, "from": signer.address, "member": member,
              "tx": "0x" + bytes(receipt["transactionHash"]).hex()},
             f"contributed {token.show(units)} from {shown}")


@command(fund, "claim")
@key_options
def fund_claim(ctx, key_name, dev_account):
    """Claim a payout that could not be pushed to the signing member (e.g. while it was blocked).

    \b
    Example:
      waico fund claim --key KEN
    """
    from ledger.errors import LedgerError
    from ledger.org.fund import claim, token_of

    contract = ctx.contract("EquityFund")
    signer = unlock_signer(ctx, key_name, dev_account)
    owed = contract.functions.claimable(signer.address).call()
    token = token_of(ctx.w3, contract)
    member, shown = _account(ctx, signer.address)
    if owed == 0:
        raise LedgerError(f"{shown} has nothing to claim")
    claim(signer, contract)
    ctx.emit({"claimed": owed, "account": signer.address, "member": member},
             f"claimed {token.show(owed)} for {shown}")
