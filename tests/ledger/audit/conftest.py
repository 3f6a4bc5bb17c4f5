"""Fixtures for the audit's tests: copies of the demo chain's clean mirror to tamper with, and
a chain of their own with what the demo does not do — a contract-wallet (ERC-1271) ballot, a
ballot skipped for its bad signature, a direct vote, declarations certified, rejected and
revoked, a payout that could not be pushed and its claim, a tier renamed, a sharing offer
withdrawn and a request cancelled — mirrored once."""

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.chain import artifacts
from ledger.chain.anvil import Anvil, dev_private_key
from ledger.chain.manifest import Manifest
from ledger.chain.node import connect, mine
from ledger.chain.transactions import Signer
from ledger.mirror import sync
from ledger.org import ballots, fund, pathway, sharing
from ledger.org.deploy import Parameters, deploy, send_all
from ledger.org.governance import Action, Track, propose, relay
from ledger.org.membership import Kind, Tier


@pytest.fixture
def mirror_copy(demo_chain, tmp_path) -> Path:
    """A copy of the clean mirror this test may tamper with."""
    copy = tmp_path / "mirror.db"
    shutil.copyfile(demo_chain.mirror, copy)
    return copy


@dataclass
class AuditChain:
    url: str
    w3: object
    manifest: Manifest
    workdir: Path  # holds deployment.json, for the CLI
    mirror: Path  # a clean mirror of the whole chain; copy it before changing it
    proposal: int
    members: dict[str, str]  # role -> address: "ecdsa", "skipped", "direct", "wallet"


@pytest.fixture(scope="session")
def audit_chain(tmp_path_factory):
    """A deployment with the deployer still admin, and on it: four members (one a contract
    wallet, TestMultisigWallet, owned by dev account 4); the pathway's declarations; a fund
    round whose payout to a blocked member is deferred, then claimed; a proposal voted by a
    relayed EOA ballot, a relayed wallet ballot, a direct vote, and a relayed ballot signed by
    the wrong key (skipped); an offer withdrawn and a request cancelled on the sharing platform."""
    workdir = tmp_path_factory.mktemp("audit-chain")
    with Anvil(accounts=5) as node:
        w3 = connect(node.url)
        admin = Signer(w3, dev_private_key(0))
        manifest = deploy(w3, admin, Parameters(verifiers=(admin.address,)))
        admin.decoder = manifest.error_decoder()
        manifest.save(workdir / "deployment.json")
        signers = {n: Signer(w3, dev_private_key(i), admin.decoder) for n, i in
                   (("ecdsa", 1), ("skipped", 2), ("direct", 3), ("wallet owner", 4))}
        wallet_artifact = artifacts.load("TestMultisigWallet")
        wallet, _ = admin.deploy(wallet_artifact.abi, wallet_artifact.bytecode, signers["wallet owner"].address,
                                 what="deploying a contract wallet")
        members = {"ecdsa": signers["ecdsa"].address, "skipped": signers["skipped"].address,
                   "direct": signers["direct"].address, "wallet": wallet}
        membership = manifest.contract(w3, "Membership")
        equity = manifest.contract(w3, "EquityFund")
        stable = manifest.contract(w3, "TestStablecoin")
        governor = manifest.contract(w3, "WaicoGovernor")
        roster = [("ecdsa", Kind.State, Tier.Partner), ("skipped", Kind.State, Tier.Associate),
                  ("direct", Kind.Corporate, Tier.Partner), ("wallet", Kind.State, Tier.Full)]
        send_all(admin, [(membership.functions.admit(members[r], int(k), int(t), f"Member {r}", r.upper()), "admit")
                         for r, k, t in roster])
        admin.send(membership.functions.setTierName(2, "Partner member"), "renaming a tier")  # tier_name

        # the pathway: certified, rejected, certified then revoked
        evidence = pathway.hash_evidence("evidence")
        pathway.declare(signers["ecdsa"], membership, 0, evidence, pathway.hash_evidence("adaptation"), "https://a.example")
        pathway.certify(admin, membership, members["ecdsa"], 0)
        pathway.declare(signers["skipped"], membership, 0, evidence)
        pathway.reject(admin, membership, members["skipped"], 0, pathway.hash_evidence("incomplete"))
        pathway.declare(signers["skipped"], membership, 1, evidence)  # (a revocation may demote)
        pathway.certify(admin, membership, members["skipped"], 1)
        pathway.revoke(admin, membership, members["skipped"], 1, pathway.hash_evidence("lapsed"))

        # sharing the demo does not do: an offer withdrawn, a request cancelled
        platform = manifest.contract(w3, "SharingPlatform")
        tool = sharing.offer(signers["direct"], platform, sharing.Kind.Tool,
                             sharing.OfferTerms("A linter for model cards", "swh:1:dir:" + "ab" * 20), 0, 1)
        sharing.withdraw(signers["direct"], platform, tool)
        asked = sharing.request(signers["ecdsa"], platform, sharing.Kind.Tool, "https://requests.example/1",
                                pathway.hash_evidence("a tool"))
        sharing.cancel(signers["ecdsa"], platform, asked)

        # a round: the blocked member's payout is deferred, then claimed
        budget = 100_000 * 10**6
        send_all(admin, [
            (equity.functions.setNeedScores([members[r] for r, _, _ in roster], [80, 60, 40, 70],
                                            pathway.hash_evidence("scores"), "https://scores.example"), "scores"),
            (stable.functions.mint(admin.address, budget), "minting"),
        ])
        fund.contribute(admin, w3, equity, budget)
        admin.send(stable.functions.setBlocked(members["direct"], True), "blocking")
        admin.send(equity.functions.disburse(budget // 2), "disbursing")
        admin.send(stable.functions.setBlocked(members["direct"], False), "unblocking")
        fund.claim(signers["direct"], equity)

        # a proposal: ballots relayed (EOA, contract wallet, wrong key), and a direct vote
        pid = propose(admin, governor, Track.Constitutional, [Action(admin.address, 0, b"")], "# A signal vote")
        mine(w3, 2)
        gov = manifest.contracts["WaicoGovernor"].address

        def ballot(voter: str, support: ballots.Support, key: bytes, reason: str = "") -> ballots.SignedBallot:
            return ballots.sign(ballots.Ballot(manifest.chain_id, gov, pid, support, voter, reason), key)

        outcomes = relay(admin, governor, [
            ballot(members["ecdsa"], ballots.Support.For, dev_private_key(1), "for it"),
            ballot(wallet, ballots.Support.Against, dev_private_key(4), "the wallet's officials disagree"),
            ballot(members["skipped"], ballots.Support.For, dev_private_key(3)),  # not the voter's key
        ])
        assert [o.counted for o in outcomes] == [True, True, False]
        signers["direct"].send(governor.functions.castVoteWithReason(pid, int(ballots.Support.Abstain), "direct"),
                               "voting directly")
        mine(w3, 1)

        mirror = workdir / "clean-mirror.db"
        sync(w3, manifest, str(mirror))
        with sqlite3.connect(mirror) as conn:  # fold the WAL in, so that copying the file copies the mirror
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield AuditChain(node.url, w3, manifest, workdir, mirror, pid, members)
