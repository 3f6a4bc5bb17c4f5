"""The equity adjustment fund: status, previews, contributions, claims, and rounds for governance."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.chain.transactions import Signer
from ledger.errors import LedgerError, TransactionReverted

ERC20_ABI = [
    {"type": "function", "name": n, "stateMutability": "view", "inputs": i, "outputs": [{"name": "", "type": o}]}
    for n, i, o in [
        ("symbol", [], "string"), ("decimals", [], "uint8"),
        ("balanceOf", [{"name": "a", "type": "address"}], "uint256"),
        ("allowance", [{"name": "o", "type": "address"}, {"name": "s", "type": "address"}], "uint256"),
    ]
] + [{"type": "function", "name": n, "stateMutability": "nonpayable",
       "inputs": [{"name": "s", "type": "address"}, {"name": "v", "type": "uint256"}],
       "outputs": [{"name": "", "type": "bool"}]} for n in ("approve", "transfer")]

# An amount as people write it: digits, commas only between groups of three (1,250,000) or
# underscores between digits (1_250_000), and a decimal point. Nothing else: no sign, exponent,
# NaN or Infinity, and no "1,25" (a decimal comma would silently mean 125).
_AMOUNT = re.compile(r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+(?:_\d+)*)(?:\.(?P<frac>\d+))?")
MAX_UINT256 = 2**256 - 1


@dataclass(frozen=True)
class Token:
    address: str
    symbol: str
    decimals: int

    def parse(self, text: str) -> int:
        """An amount of the token as a person writes it ('1,250.5') in base units, exactly.
        Refused, each with its own message: a negative or zero amount, more decimals than the
        token has, anything that is not digits with thousands separators and a decimal point,
        and more than a uint256 holds."""
        raw = str(text).strip()
        found = _AMOUNT.fullmatch(raw.removeprefix("-").strip())
        if not found:
            raise LedgerError(f"not an amount: {raw!r} (write e.g. 1000, 1,250,000 or 0.5; commas only "
                              "between thousands)")
        whole, frac = int(found["whole"].replace(",", "").replace("_", "")), (found["frac"] or "").rstrip("0")
        if raw.startswith("-") and (whole or frac):
            raise LedgerError(f"the amount must be positive, not {raw}")
        if len(frac) > self.decimals:
            raise LedgerError(f"{raw} has more decimals than {self.symbol}'s {self.decimals}")
        units = whole * 10**self.decimals + int(frac.ljust(self.decimals, "0") or 0)
        if units == 0:
            raise LedgerError(f"the amount must be positive, not {raw}")
        if units > MAX_UINT256:
            raise LedgerError(f"{raw} {self.symbol} is more than any balance can hold")
        return units

    def show(self, units: int) -> str:
        whole, frac = divmod(units, 10**self.decimals)
        text = f"{whole:,}" + (f".{frac:0{self.decimals}d}".rstrip("0") if frac else "")
        return f"{text} {self.symbol}"


def token_of(w3, fund) -> Token:
    address = fund.functions.token().call()
    erc20 = w3.eth.contract(address=address, abi=ERC20_ABI)
    return Token(address, erc20.functions.symbol().call(), erc20.functions.decimals().call())


@dataclass(frozen=True)
class Allocation:
    member: str
    score: int
    amount: int


@dataclass(frozen=True)
class Preview:
    budget: int
    total_score: int
    allocations: tuple[Allocation, ...]

    @property
    def paid(self) -> int:
        return sum(a.amount for a in self.allocations)


def preview(fund, budget: int) -> Preview:
    members, scores, amounts, total = fund.functions.preview(budget).call()
    return Preview(budget, total, tuple(Allocation(m, s, a) for m, s, a in zip(members, scores, amounts)))


@dataclass(frozen=True)
class FundStatus:
    token: Token
    balance: int
    total_contributed: int
    total_paid_out: int
    total_claimable: int
    available: int
    epoch: int
    epoch_limit: int
    spent_in_epoch: int
    cap_bps: int
    floor: int
    rounds: int

    def to_json(self) -> dict:
        return {k: (v if not isinstance(v, Token) else {"address": v.address, "symbol": v.symbol,
                                                          "decimals": v.decimals})
                for k, v in self.__dict__.items()}


def status(w3, fund) -> FundStatus:
    token = token_of(w3, fund)
    erc20 = w3.eth.contract(address=token.address, abi=ERC20_ABI)
    f = fund.functions
    epoch = f.currentEpoch().call()
    return FundStatus(
        token=token, balance=erc20.functions.balanceOf(fund.address).call(),
        total_contributed=f.totalContributed().call(), total_paid_out=f.totalPaidOut().call(),
        total_claimable=f.totalClaimable().call(), available=f.availableBalance().call(),
        epoch=epoch, epoch_limit=f.epochLimit().call(), spent_in_epoch=f.spentInEpoch(epoch).call(),
        cap_bps=f.capBps().call(), floor=f.floor().call(), rounds=f.roundCount().call(),
    )


def check_contribution(signer: Signer, w3, fund, amount: int, who: str | None = None) -> None:
    """Raise LedgerError, before anything is sent, if paying `amount` into the fund from the
    signer would fail: the fund refuses zero; the balance must cover it; and the token must
    let the signer move it to the fund (a simulated transfer: a blocklist, a paused token)."""
    token = token_of(w3, fund)
    erc20 = w3.eth.contract(address=token.address, abi=ERC20_ABI)
    who = who or signer.address
    if amount <= 0:
        raise LedgerError("the amount must be positive")
    balance = erc20.functions.balanceOf(signer.address).call()
    if balance < amount:
        raise LedgerError(f"{who} has {token.show(balance)}, cannot contribute {token.show(amount)}")
    try:
        signer.estimate(erc20.functions.transfer(fund.address, amount), f"a transfer of {token.show(amount)}")
    except TransactionReverted as exc:
        raise LedgerError(f"{who} cannot contribute {token.show(amount)}: the token refuses the transfer to the fund "
                          f"({exc.error or 'no reason given'})") from None


def contribute(signer: Signer, w3, fund, amount: int, who: str | None = None):
    """Approve the fund for `amount` (if needed) and pay it in, once `check_contribution` found
    nothing that would make the payment fail (so that no approval is left behind by a failure
    it could have seen)."""
    check_contribution(signer, w3, fund, amount, who)
    token = w3.eth.contract(address=fund.functions.token().call(), abi=ERC20_ABI)
    if token.functions.allowance(signer.address, fund.address).call() < amount:
        signer.send(token.functions.approve(fund.address, amount), "approving the fund")
    return signer.send(fund.functions.contribute(amount), "contributing")


def claim(signer: Signer, fund):
    return signer.send(fund.functions.claim(), "claiming")


def mint_test_tokens(signer: Signer, test_token, fund, to: str, amount: int):
    """Mint `amount` of the local test stablecoin to `to`, as its owner (the deployer): for
    local chains, where no one holds real stablecoins. Refused when `test_token` is not the
    fund's token or `signer` is not its owner (nothing is sent then)."""
    if test_token.address != fund.functions.token().call():
        raise LedgerError(f"the fund pays in {fund.functions.token().call()}, not in the test stablecoin "
                          f"{test_token.address}: minting it would not help")
    owner = test_token.functions.owner().call()
    if owner != signer.address:
        raise LedgerError(f"only the test stablecoin's owner {owner} mints it, not {signer.address}")
    return signer.send(test_token.functions.mint(to, amount), "minting the test stablecoin")
