"""Check "fund": the fund's balance and claimable total against its mirrored flows.

At the mirror's last block, the fund's token balance must be what its contributions
(`contribution`) less its pushed payouts (`payout`) and claims (`claim`) leave, and its
`totalClaimable` the deferred payouts (not pushed) less the claims.
"""

from __future__ import annotations

from ledger.mirror.read import MirrorReader
from ledger.mirror.typed import Claim, Contribution, Payout

from ..chain import ChainReader
from ..report import CheckResult

NAME = "fund"
TITLE = "fund balance = contributions − payouts − claims"
FUND = "EquityFund"


def check(mirror: MirrorReader, reader: ChainReader) -> CheckResult:
    result = CheckResult(NAME, TITLE)
    contributions, payouts, claims = mirror.rows(Contribution), mirror.rows(Payout), mirror.rows(Claim)
    pushed = [p for p in payouts if p.pushed]
    deferred = [p for p in payouts if not p.pushed]
    for what, rows in (("contributions", contributions), ("pushed payouts", pushed),
                       ("deferred payouts", deferred), ("claims", claims)):
        result.count(what, len(rows))
    contributed, paid = sum(r.amount for r in contributions), sum(r.amount for r in pushed)
    owed, claimed = sum(r.amount for r in deferred), sum(r.amount for r in claims)

    token, claimable = reader.calls([(FUND, "token", []), (FUND, "totalClaimable", [])])
    if token is None:
        result.find("fund", "the fund does not answer token()")
        return result
    balance = reader.erc20_balance(token[0], reader.manifest.contracts[FUND].address)
    expected = contributed - paid - claimed
    if balance != expected:
        result.find("fund", f"the fund holds {balance}, its events account for {expected} ({contributed} contributed "
                            f"− {paid} pushed − {claimed} claimed; off by "
                            f"{balance - expected if balance is not None else 'unknown'})")
    if claimable is None or claimable[0] != owed - claimed:
        result.find("claimable", f"totalClaimable is {claimable[0] if claimable else 'unreadable'}, its events "
                                 f"account for {owed - claimed} ({owed} deferred − {claimed} claimed)")
    return result
