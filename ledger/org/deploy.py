"""Deployment: deploy and wire every contract, then write the manifest.

Order: Membership, SharingPlatform (the technology-sharing platform, which has no admin: its
record of confirmed deliveries is what Membership's pathway reads), TimelockController, the
fund's token (a test stablecoin on local chains, or an existing ERC-20), EquityFund, the
MemberBallots library, then WaicoGovernor, whose
constructor takes the register of ordinary calls (`ORDINARY`, the one place that lists them):
every other call a proposal makes is constitutional, and there is no seeding phase to race.
The deployer keeps the admin roles until `hand_over`, so that the founding roster, need scores
and standards can be put in place first; `hand_over` checks the register and the cap guard on
chain, then gives every admin role to the timelock and renounces the deployer's roles, each
transaction waited for before the next is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_utils import function_signature_to_4byte_selector as selector
from web3 import Web3

from ledger.chain import artifacts
from ledger.chain.manifest import Deployed, Manifest
from ledger.chain.transactions import Signer
from ledger.errors import TransactionReverted

from .pathway import StandardSpec, load_standards, requirement_bitmaps

ZERO_ADDRESS = "0x" + "00" * 20
DAY = 86_400
BLOCKS_PER_DAY = 7_200  # 12-second blocks: the governor's clock is the block number


@dataclass(frozen=True)
class TrackParams:
    voting_period: int  # blocks
    quorum_bps: int  # of the total weight at the snapshot
    pass_bps: int  # for / (for + against), and for > against
    timelock_delay: int  # seconds

    def as_tuple(self) -> tuple:
        return (self.voting_period, self.quorum_bps, self.pass_bps, self.timelock_delay)


@dataclass(frozen=True)
class Parameters:
    """Constitutional parameters at launch; governance changes them afterwards."""

    basic_votes: int = 250
    tier_votes: tuple[int, int, int] = (100, 400, 1000)
    corporate_cap_bps: int = 2000  # every track's quorum must be above it (the governor refuses otherwise)
    voting_delay: int = 1  # blocks between proposal and snapshot
    ordinary: TrackParams = TrackParams(7 * BLOCKS_PER_DAY, 2500, 5000, 2 * DAY)
    rapid_response: TrackParams = TrackParams(BLOCKS_PER_DAY, 3334, 6667, 3600)
    constitutional: TrackParams = TrackParams(14 * BLOCKS_PER_DAY, 4000, 6667, 7 * DAY)
    guardian: str | None = None  # defaults to the deployer
    guardian_term: int = 365 * DAY
    rapid_responders: tuple[str, ...] = ()  # defaults to the deployer
    verifiers: tuple[str, ...] = ()
    standards: tuple[StandardSpec, ...] = field(default_factory=lambda: tuple(load_standards()))
    # confirmed deliveries to distinct requesters that promotion to tiers 1..3 requires
    sharing_requirements: tuple[int, int, int] = (0, 0, 1)
    token: str | None = None  # an existing ERC-20; None deploys the test stablecoin (local chains)
    epoch_length: int = 365 * DAY
    # Epochs are fixed windows: around a boundary up to twice this can leave the fund within
    # seconds. Set it at half the most that may ever leave within `epoch_length`.
    epoch_limit: int = 2_000_000 * 10**6
    round_cap_bps: int = 1500
    round_floor: int = 1_000 * 10**6

    @classmethod
    def local_demo(cls, **overrides) -> "Parameters":
        """Short voting periods and delays, so a whole lifecycle fits in seconds on a local chain."""
        return cls(**{
            "ordinary": TrackParams(30, 2500, 5000, 120),
            "rapid_response": TrackParams(12, 3334, 6667, 30),
            "constitutional": TrackParams(40, 4000, 6667, 300),
            "epoch_length": 30 * DAY,
            **overrides,
        })


# The register of ordinary calls: every other call a proposal makes (on any contract, the
# governor and the timelock included) is constitutional. Constitutional by omission: the
# electorate (admit, suspend, reinstate, expel, setTier, setTierCeiling), weights, tiers and
# their names and requirements, the cap and its guard, roles, the epoch limit, the register
# itself, tracks, rapid responders and the guardian. Changing this list later is itself a
# constitutional proposal (WaicoGovernor.setOrdinaryCalls).
ORDINARY = {
    "Membership": ["registerStandard(string,string,bytes32)"],
    "EquityFund": ["setNeedScores(address[],uint256[],bytes32,string)", "setRoundRules(uint16,uint256)",
                   "disburse(uint256)"],
}


def deploy(w3: Web3, signer: Signer, params: Parameters = Parameters()) -> Manifest:
    """Deploy and wire the contracts with the deployer still admin; return the manifest."""
    manifest = Manifest(chain_id=signer.chain_id, deployer=signer.address)
    me = signer.address

    def put(name: str, *args, libraries: dict[str, str] | None = None) -> str:
        artifact = artifacts.load(name)
        address, receipt = signer.deploy(artifact.abi, artifact.linked(libraries or {}), *args,
                                         what=f"deploying {name}")
        manifest.contracts[name] = Deployed(address, artifact.abi, receipt["blockNumber"])
        signer.decoder.add(artifact.abi)
        return address

    membership_address = put("Membership", me, params.basic_votes, list(params.tier_votes), params.corporate_cap_bps)
    sharing_address = put("SharingPlatform", membership_address)
    tracks = (params.ordinary, params.rapid_response, params.constitutional)
    timelock_address = put("TimelockController", min(t.timelock_delay for t in tracks), [], [], me)
    token = params.token or put("TestStablecoin", me)
    fund_address = put("EquityFund", token, membership_address, me, params.epoch_length, params.epoch_limit)
    library = artifacts.load("MemberBallots")
    library_address, _ = signer.deploy(library.abi, library.bytecode, what="deploying the MemberBallots library")
    expiry = w3.eth.get_block("latest")["timestamp"] + params.guardian_term
    addresses = {"Membership": membership_address, "EquityFund": fund_address}
    ordinary = [(addresses[name], [selector(s) for s in signatures]) for name, signatures in ORDINARY.items()]
    put("WaicoGovernor", membership_address, timelock_address, params.voting_delay, [t.as_tuple() for t in tracks],
        params.guardian or me, expiry, list(params.rapid_responders or (me,)), ordinary,
        libraries={"MemberBallots": library_address})

    membership = manifest.contract(w3, "Membership")
    fund = manifest.contract(w3, "EquityFund")
    calls = [(membership.functions.grantRole(membership.functions.VERIFIER_ROLE().call(), v), "granting VERIFIER_ROLE")
             for v in params.verifiers]
    calls += [(membership.functions.registerStandard(s.title, s.uri, s.content_hash), f"registering {s.title}")
              for s in params.standards]
    calls += [(membership.functions.setTierRequirements(tier, bitmap), f"setting tier {tier} requirements")
              for tier, bitmap in enumerate(requirement_bitmaps(list(params.standards)), start=1) if bitmap]
    calls.append((membership.functions.setSharingRecord(sharing_address),
                  "making the sharing platform the pathway's record of sharing"))
    calls += [(membership.functions.setTierSharingRequirement(tier, minimum),
               f"setting tier {tier}'s sharing requirement")
              for tier, minimum in enumerate(params.sharing_requirements, start=1) if minimum]
    calls.append((fund.functions.setRoundRules(params.round_cap_bps, params.round_floor), "setting round rules"))
    governor = manifest.contracts["WaicoGovernor"].address
    calls.append((membership.functions.setCapGuard(governor), "making the governor the corporate cap's guard"))
    send_all(signer, calls)
    return manifest


def hand_over(w3: Web3, signer: Signer, manifest: Manifest) -> None:
    """Check the register and the cap guard on chain, then give every admin role to the timelock
    and renounce the deployer's; each transaction is waited for before the next is sent, so
    nothing is granted or renounced on the strength of a step that did not happen."""
    timelock = manifest.contract(w3, "TimelockController")
    governor = manifest.contract(w3, "WaicoGovernor")
    check_register(w3, manifest)
    t = timelock.functions
    admin_role = b"\x00" * 32
    calls = [
        (t.grantRole(t.PROPOSER_ROLE().call(), governor.address), "granting the governor PROPOSER_ROLE"),
        (t.grantRole(t.CANCELLER_ROLE().call(), governor.address), "granting the governor CANCELLER_ROLE"),
        (t.grantRole(t.EXECUTOR_ROLE().call(), ZERO_ADDRESS), "opening EXECUTOR_ROLE to anyone"),
    ]
    for name in ("Membership", "EquityFund"):
        c = manifest.contract(w3, name)
        calls.append((c.functions.grantRole(admin_role, timelock.address), f"making the timelock admin of {name}"))
        calls.append((c.functions.renounceRole(admin_role, signer.address), f"renouncing admin of {name}"))
    calls.append((t.renounceRole(admin_role, signer.address), "renouncing admin of the timelock"))
    for call, what in calls:
        signer.send(call, what)


def check_register(w3: Web3, manifest: Manifest) -> None:
    """Raise unless the governor lists exactly `ORDINARY` as ordinary (as far as it can be read:
    every listed call, and the role calls that must stay constitutional), Membership asks the
    governor before its cap changes, and the governor works for this deployment's timelock."""
    from ledger.errors import ConfigError

    governor = manifest.contract(w3, "WaicoGovernor")
    g = governor.functions
    problems = []
    for name, signatures in ORDINARY.items():
        target = manifest.contracts[name].address
        problems += [f"{name}.{s} is not listed as ordinary" for s in signatures
                     if not g.isOrdinaryCall(target, selector(s)).call()]
        for s in ("grantRole(bytes32,address)", "revokeRole(bytes32,address)", "renounceRole(bytes32,address)"):
            if g.isOrdinaryCall(target, selector(s)).call():
                problems.append(f"{name}.{s} is listed as ordinary")
    membership = manifest.contract(w3, "Membership")
    if membership.functions.capGuard().call() != governor.address:
        problems.append("Membership's cap guard is not the governor")
    if "SharingPlatform" in manifest.contracts and \
            membership.functions.sharingRecord().call() != manifest.contracts["SharingPlatform"].address:
        problems.append("Membership's record of sharing is not this deployment's SharingPlatform")
    if g.timelock().call() != manifest.contracts["TimelockController"].address:
        problems.append("the governor's timelock is not this deployment's")
    if problems:
        raise ConfigError("the governor's register is not as deployed: " + "; ".join(problems))


def send_all(signer: Signer, calls: list[tuple]) -> list:
    """Send transactions back to back (nonces in order), then wait for every receipt.

    Each item is (call, what) or, for a plain ETH transfer, ({"to": address, "data": b""}, what, wei).
    A call may depend on an earlier one (approve, then contribute): if its gas estimate
    reverts while earlier transactions are still in flight, they are waited for and the
    estimate is tried once more, so a real revert is still reported as one.
    """
    sent: list[tuple] = []
    receipts: list = []

    def settle() -> None:
        receipts.extend(signer.wait(tx_hash, what) for tx_hash, what in sent)
        sent.clear()

    for item in calls:
        call, what = item[0], item[1]
        kwargs = {"gas": 21_000, "value": item[2]} if len(item) > 2 else {}
        try:
            tx_hash = signer.send(call, what, wait=False, **kwargs)
        except TransactionReverted:
            if not sent:
                raise
            settle()
            tx_hash = signer.send(call, what, wait=False, **kwargs)
        sent.append((tx_hash, what))
    settle()
    return receipts
