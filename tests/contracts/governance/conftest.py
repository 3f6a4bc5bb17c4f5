"""Fixtures for the Governor: a timelock, a WaicoGovernor wired to it and to Membership, members
with signing keys, and helpers for the proposal lifecycle and EIP-712 ballots."""

from dataclasses import dataclass

import pytest
from brownie import MemberBallots, TimelockController, WaicoGovernor, accounts, chain, web3
from eth_account import Account

from tests.contracts.conftest import CORPORATE, FULL, PARTNER, STATE, ASSOCIATE

ORDINARY, RAPID, CONSTITUTIONAL = 0, 1, 2
AGAINST, FOR, ABSTAIN = 0, 1, 2
# ProposalState of IGovernor
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
# WaicoGovernor.SkipReason
SKIP_NOT_ACTIVE, SKIP_BAD_SIGNATURE, SKIP_BAD_SUPPORT, SKIP_NOT_MEMBER, SKIP_ALREADY_VOTED = range(5)

VOTING_DELAY = 5
# (votingPeriod blocks, quorumBps, passBps, timelockDelay seconds)
# Every quorum above the corporate cap (20%): the governor refuses any other.
TRACKS = [(20, 2500, 5000, 60), (10, 3000, 6667, 10), (30, 4000, 6667, 120)]
MIN_DELAY = 10
GUARDIAN_TERM = 30 * 24 * 3600

MEMBER_BALLOT_TYPES = [
    {"name": "proposalId", "type": "uint256"},
    {"name": "support", "type": "uint8"},
    {"name": "voter", "type": "address"},
    {"name": "reason", "type": "string"},
]
EIP712_DOMAIN_TYPES = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


@dataclass
class Signer:
    """A member that holds its key offline and votes by signed ballot."""

    address: str
    key: bytes


def ballot_typed_data(governor, proposal_id, support, voter, reason="", chain_id=None, verifying=None, name=None):
    """The full eth_signTypedData_v4 payload of a ballot."""
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_TYPES, "MemberBallot": MEMBER_BALLOT_TYPES},
        "primaryType": "MemberBallot",
        "domain": {
            "name": name or "WAICO Governor",
            "version": "1",
            "chainId": chain_id if chain_id is not None else web3.eth.chain_id,
            "verifyingContract": verifying or governor.address,
        },
        "message": {"proposalId": proposal_id, "support": support, "voter": str(voter), "reason": reason},
    }


def sign_ballot(key, governor, proposal_id, support, voter, reason="", **domain) -> str:
    data = ballot_typed_data(governor, proposal_id, support, voter, reason, **domain)
    return "0x" + Account.sign_typed_data(key, full_message=data).signature.hex().removeprefix("0x")


def ballot(signer, governor, proposal_id, support, reason="", voter=None, **domain):
    """A SignedBallot tuple for castMemberBallots."""
    voter = voter or signer.address
    return (proposal_id, support, voter, reason, sign_ballot(signer.key, governor, proposal_id, support, voter, reason, **domain))


@pytest.fixture(scope="module", autouse=True)
def ballots_library(admin):
    """The MemberBallots library the governor links (brownie links the latest deployment)."""
    return MemberBallots[-1] if len(MemberBallots) else MemberBallots.deploy({"from": admin})


@pytest.fixture(scope="module")
def relayer():
    return accounts[0]


@pytest.fixture(scope="module")
def guardian():
    return accounts[7]


@pytest.fixture(scope="module")
def responder():
    return accounts[8]


@pytest.fixture(scope="module")
def timelock(admin):
    return TimelockController.deploy(MIN_DELAY, [], [], admin, {"from": admin})


@pytest.fixture(scope="module")
def governor(membership, timelock, admin, guardian, responder):
    expiry = now() + GUARDIAN_TERM
    gov = WaicoGovernor.deploy(
        membership, timelock, VOTING_DELAY, TRACKS, guardian, expiry, [responder], ordinary_calls(membership),
        {"from": admin}
    )
    membership.setCapGuard(gov, {"from": admin})
    timelock.grantRole(timelock.PROPOSER_ROLE(), gov, {"from": admin})
    timelock.grantRole(timelock.CANCELLER_ROLE(), gov, {"from": admin})
    timelock.grantRole(timelock.EXECUTOR_ROLE(), "0x" + "00" * 20, {"from": admin})
    # Governance owns Membership; the test admin keeps its role to admit members in tests.
    membership.grantRole(membership.DEFAULT_ADMIN_ROLE(), timelock, {"from": admin})
    timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), admin, {"from": admin})
    return gov


@pytest.fixture(scope="module")
def signers(admit):
    """Six member states (two Full, two Partner, two Associate) and two Full corporates, with keys."""
    layout = [(STATE, FULL), (STATE, FULL), (STATE, PARTNER), (STATE, PARTNER), (STATE, ASSOCIATE),
              (STATE, ASSOCIATE), (CORPORATE, FULL), (CORPORATE, FULL)]
    out = []
    for i, (kind, tier) in enumerate(layout):
        acct = Account.from_key(bytes([i + 1]) * 32)
        admit(kind, tier, account=acct.address)
        out.append(Signer(acct.address, acct.key))
    return out


@pytest.fixture(scope="module")
def voters(admit):
    """Three Full member states with funded node accounts, for direct votes."""
    for i in (2, 3, 4):
        admit(STATE, FULL, account=accounts[i].address)
    return [accounts[i] for i in (2, 3, 4)]


class Lifecycle:
    """Drives a proposal through its states."""

    def __init__(self, governor, membership, timelock):
        self.governor = governor
        self.membership = membership
        self.timelock = timelock
        self.counter = 0

    def action(self, n=None):
        """A harmless ordinary call the timelock can make: rename tier 1."""
        self.counter += 1
        data = self.membership.setTierName.encode_input(1, f"Associate {n or self.counter}")
        return [self.membership.address], [0], [data]

    def propose(self, track=ORDINARY, calls=None, description=None, sender=None):
        targets, values, datas = calls or self.action()
        self.counter += 1
        description = description or f"proposal {self.counter}"
        sender = sender or accounts[0]
        if track is None:
            tx = self.governor.propose(targets, values, datas, description, {"from": sender})
        else:
            tx = self.governor.proposeOnTrack(track, targets, values, datas, description, {"from": sender})
        pid = tx.return_value
        # The description as proposed: proposeOnTrack appends the track's suffix.
        proposed = tx.events["ProposalCreated"]["description"]
        self.calls = getattr(self, "calls", {})
        self.calls[pid] = (targets, values, datas, web3.keccak(text=proposed))
        return pid

    def activate(self, pid):
        snapshot = self.governor.proposalSnapshot(pid)
        while web3.eth.block_number <= snapshot:
            chain.mine()
        assert self.governor.state(pid) == ACTIVE

    def close(self, pid):
        deadline = self.governor.proposalDeadline(pid)
        if web3.eth.block_number <= deadline:
            chain.mine(deadline - web3.eth.block_number + 1)

    def queue(self, pid, sender=None):
        return self.governor.queue(*self.calls[pid], {"from": sender or accounts[0]})

    def execute(self, pid, sender=None):
        return self.governor.execute(*self.calls[pid], {"from": sender or accounts[0]})

    def cancel(self, pid, sender):
        return self.governor.cancel(*self.calls[pid], {"from": sender})

    def wait_eta(self, pid):
        advance_time(self.governor.proposalEta(pid) - now() + 1)

    def enact(self, pid, voters, signers):
        """Everyone votes for; the proposal is queued and executed."""
        self.activate(pid)
        for v in voters:
            self.governor.castVote(pid, 1, {"from": v})
        cast_batch(self.governor, [ballot(s, self.governor, pid, 1) for s in signers], {"from": accounts[0]})
        self.close(pid)
        self.queue(pid)
        self.wait_eta(pid)
        return self.execute(pid)


def now() -> int:
    """The latest block's timestamp (what the contracts see, give or take a block)."""
    return web3.eth.get_block("latest").timestamp


def advance_time(seconds: int) -> None:
    if seconds > 0:
        web3.provider.make_request("evm_increaseTime", [seconds])
    web3.provider.make_request("evm_mine", [])


def ints(values) -> tuple:
    return tuple(int(v) for v in values)


@pytest.fixture(scope="module")
def life(governor, membership, timelock):
    return Lifecycle(governor, membership, timelock)


class reverts_with:
    """Expects a revert with the custom error `name` (brownie reports `Name: args`)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from brownie.exceptions import VirtualMachineError

        assert exc_type is not None, f"expected revert {self.name}, nothing reverted"
        if not issubclass(exc_type, VirtualMachineError):
            return False
        msg = exc.revert_msg or ""
        assert msg.split(":")[0] == self.name, f"expected {self.name}, got {msg!r}"
        return True


def pack(governor, ballots) -> bytes:
    """SignedBallot tuples as a packed batch: consecutive ballots of one proposal form a run (in
    the order given, which the tests pin). As the ledger's relayer does, a signature travels in
    EIP-2098 form only when it is the voter's own ECDSA signature; anything else (a wallet's, a
    forgery) in the long form, as given."""
    from eth_account import Account
    from ledger.org.ballots import compact_signature

    out, k = bytearray(), 0
    while k < len(ballots):
        pid = ballots[k][0]
        run = [b for b in ballots[k:]]
        n = next((i for i, b in enumerate(run) if b[0] != pid), len(run))
        out += int(pid).to_bytes(32, "big") + n.to_bytes(2, "big")
        for _, support, voter, reason, sig in run[:n]:
            sig = bytes.fromhex(str(sig)[2:]) if isinstance(sig, str) else bytes(sig)
            reason = reason.encode()
            compact = compact_signature(sig)
            if compact and support <= 2:
                digest = governor.hashMemberBallot(pid, support, voter, reason.decode())
                try:
                    if Account._recover_hash(bytes(digest), signature=sig) != voter:
                        compact = None
                except Exception:
                    compact = None
            out += bytes.fromhex(str(voter)[2:]) + bytes([support | (0 if compact else 0x80)])
            out += len(reason).to_bytes(2, "big") + reason
            out += compact if compact else len(sig).to_bytes(2, "big") + sig
        k += n
    return bytes(out)


def cast_batch(governor, ballots, tx):
    """castMemberBallots with `ballots` (SignedBallot tuples) packed."""
    return governor.castMemberBallots(pack(governor, ballots), tx)


def relay(governor, ballots, sender, gas=None):
    """Relays `ballots` (SignedBallot tuples) in one castMemberBallots transaction."""
    tx = {"from": sender}
    if gas:
        tx["gas_limit"] = gas
    return cast_batch(governor, ballots, tx)


def ordinary_calls(membership):
    """The test governor's register of ordinary calls: renaming a tier (the lifecycle's harmless
    action) and registering a standard."""
    return [(membership.address, [membership.setTierName.signature, membership.registerStandard.signature])]


def skipped(tx):
    """(voter, reason) of each BallotSkipped event of a transaction."""
    return [(e["voter"], e["reason"]) for e in tx.events["BallotSkipped"]] if "BallotSkipped" in tx.events else []


def counted(tx):
    """(voter, support, weight) of each VoteCast event of a transaction."""
    return [(e["voter"], e["support"], e["weight"]) for e in tx.events["VoteCast"]] if "VoteCast" in tx.events else []
