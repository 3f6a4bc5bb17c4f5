"""The equity adjustment fund: status, previews, contributions, claims, and rounds for governance."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ledger.chain.transactions import Signer
from ledger.errors import LedgerError

ERC20_ABI = [
    {"type": "function", "name": n, "stateMutability": "view", "inputs": i, "outputs": [{"name": "", "type": o}]}
    for n, i, o in [
        ("symbol", [], "string"), ("decimals", [], "uint8"),
        ("balanceOf", [{"name": "a", "type": "address"}], "uint256"),
        ("allowance", [{"name": "o", "type": "address"}, {"name": "s", "type": "address"}], "uint256"),
    ]
] + [{"type": "function", "name": "approve", "stateMutability": "nonpayable",
      "inputs": [{"name": "s", "type": "address"}, {"name": "v", "type": "uint256"}],
      "outputs": [{"name": "", "type": "bool"}]}]


@dataclass(frozen=True)
class Token:
    address: str
    symbol: str
    decimals: int

    def parse(self, text: str) -> int:
        """'1,250.5' tUSD -> base units."""
        try:
            value = Decimal(str(text).replace(",", "").replace("_", ""))
        except InvalidOperation:
            raise LedgerError(f"not an amount: {text!r}") from None
        units = value * (Decimal(10) ** self.decimals)
        if value <= 0 or units != units.to_integral_value():
            raise LedgerError(f"{text} {self.symbol} is not a positive amount with at most {self.decimals} decimals")
        return int(units)

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


def contribute(signer: Signer, w3, fund, amount: int):
    """Approve the fund for `amount` (if needed) and pay it in."""
    token = w3.eth.contract(address=fund.functions.token().call(), abi=ERC20_ABI)
    if token.functions.allowance(signer.address, fund.address).call() < amount:
        signer.send(token.functions.approve(fund.address, amount), "approving the fund")
    return signer.send(fund.functions.contribute(amount), "contributing")


def claim(signer: Signer, fund):
    return signer.send(fund.functions.claim(), "claiming")


def mint_test_tokens(signer: Signer, w3, test_token, fund, to: str, amount: int):
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
