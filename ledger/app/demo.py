"""`waico demo`: the main job on the embedded default, end to end on one chain.

Start a local anvil (unless given an RPC URL), deploy, admit the shipped roster with a key per
member, fund the treasury, hand every admin role to the timelock, run a proposal on every
track (and a disbursement round) with every voting member's ballot signed from its own key and
relayed in batches, queue and execute what passed, and summarise.

The demo deploys with short voting periods and timelock delays (`Parameters.local_demo`) so
that a full lifecycle fits in seconds; `waico deploy` uses the realistic defaults.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from web3.logs import DISCARD as _DISCARD

from ledger.chain.anvil import Anvil, dev_private_key
from ledger.chain.http import shown_url
from ledger.chain.manifest import Manifest
from ledger.chain.node import connect, increase_time, mine
from ledger.chain.transactions import Signer
from ledger.org import ballots
from ledger.org.deploy import Parameters, deploy, hand_over, send_all
from ledger.org.fund import Token, token_of
from ledger.org.governance import Action, Proposal, ProposalState, Track, execute, propose, queue, read_proposals, relay
from ledger.org.membership import DEFAULT_ROSTER, Kind, Member, RosterEntry, Tier, load_roster, read_members
from ledger.org.onboarding import onboard

from . import demo_sharing, keys
from .config import URL_NOT_REMEMBERED, write_settings

# The demo's member keys guard nothing of value: they get the light scrypt cost (keys.ensure_key)
# and a known password; `waico account new` keys get the standard cost and a prompt.
DEMO_PASSWORD = "waico-demo"
BATCH_SIZE = 50
FINALITY_DEPTH = 65
ROUND_BUDGET = 500_000
# Who pays into the fund, in whole tUSD: founding and interested states, the named companies.
CONTRIBUTIONS = {"CHN": 1_000_000, "ARE": 250_000, "SAU": 250_000,
                 "NASDAQ:BIDU": 50_000, "NYSE:BABA": 50_000, "HKG:0700": 50_000}
NEW_MEMBER = RosterEntry(Kind.State, "SGP", "Singapore", Tier.Associate, 10, "admitted by the demo's vote")


@dataclass(frozen=True)
class NamedPayout:
    """A payout of the demo's round, with the member's name for the summary."""

    member: str
    name: str
    score: int
    amount: int
    pushed: bool


@dataclass
class DemoResult:
    rpc_url: str
    chain_id: int
    workdir: Path
    manifest_path: Path
    keys_dir: Path
    ballots_dir: Path
    chain_kept: bool
    chain_pid: int | None = None  # of the anvil the demo started and kept running
    token: Token | None = None
    members: list[Member] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    relayed: int = 0
    counted: int = 0
    batches: int = 0
    payouts: list[NamedPayout] = field(default_factory=list)
    round_budget: int = 0
    sharing: object | None = None  # ledger.app.demo_sharing.SharingSummary
    mirror_db: Path | None = None
    mirrored_events: int = 0
    checkpoint_path: Path | None = None
    checkpoint_size: int = 0
    verifier_key: str | None = None
    audit: object | None = None  # ledger.audit.AuditReport
    site: object | None = None  # ledger.site.BuiltSite
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {
            "rpcUrl": shown_url(self.rpc_url),  # never an API key it may carry
            "chainId": self.chain_id,
            "chainKept": self.chain_kept,
            "chainPid": self.chain_pid,
            "paths": {"workdir": str(self.workdir), "deployment": str(self.manifest_path),
                      "keys": str(self.keys_dir), "ballots": str(self.ballots_dir),
                      "mirror": str(self.mirror_db), "checkpoint": str(self.checkpoint_path),
                      "site": str(self.site.out) if self.site else None,
                      "siteIndex": str(self.site.index) if self.site else None},
            "mirror": {"events": self.mirrored_events},
            "audit": self.audit.to_json() if self.audit else None,
            "checkpoint": {"size": self.checkpoint_size, "verifierKey": self.verifier_key},
            "members": [
                {"address": m.address, "name": m.name, "identifier": m.identifier, "kind": m.kind.name,
                 "tier": m.tier_name, "status": m.status.name, "weight": m.weight}
                for m in self.members
            ],
            "proposals": [p.to_json() for p in self.proposals],
            "ballots": {"relayed": self.relayed, "counted": self.counted, "transactions": self.batches},
            "round": {"budget": self.round_budget, "paid": sum(p.amount for p in self.payouts),
                      "token": self.token.symbol if self.token else None,
                      "decimals": self.token.decimals if self.token else None,
                      "payouts": [p.__dict__ for p in self.payouts]},
            "sharing": self.sharing.to_json() if self.sharing else None,
            "seconds": round(self.seconds, 2),
        }


def run(workdir: Path, rpc_url: str | None = None, keep_chain: bool = False,
        roster_path: Path = DEFAULT_ROSTER, progress: Callable[[str], None] = lambda _: None) -> DemoResult:
    started = time.monotonic()
    roster = load_roster(roster_path)
    own_chain = rpc_url is None
    with contextlib.ExitStack() as stack:
        if own_chain:
            anvil = Anvil(accounts=5).start()
            # stopped however the demo ends (an error, Ctrl-C), unless it succeeds with --keep-chain
            stack.callback(anvil.stop)
            rpc_url = anvil.url
            progress(f"started anvil at {rpc_url}" + (" (kept running after the demo)" if keep_chain else ""))
        w3 = connect(rpc_url)
        secretariat = Signer(w3, dev_private_key(0))

        progress("deploying Membership, SharingPlatform, TimelockController, WaicoGovernor, TestStablecoin, "
                 "EquityFund")
        manifest = deploy(w3, secretariat, Parameters.local_demo(verifiers=(secretariat.address,)))
        manifest_path = workdir / "deployment.json"
        manifest.save(manifest_path)
        if write_settings(workdir, rpc_url=rpc_url):
            progress(URL_NOT_REMEMBERED)
        result = DemoResult(rpc_url=rpc_url, chain_id=manifest.chain_id, workdir=workdir,
                            manifest_path=manifest_path, keys_dir=workdir / "keys",
                            ballots_dir=workdir / "ballots", chain_kept=keep_chain or not own_chain,
                            chain_pid=anvil.process.pid if own_chain and keep_chain else None)

        progress(f"creating {len(roster) + 1} member keys in {result.keys_dir} (password {DEMO_PASSWORD!r})")
        member_keys = {e.identifier: keys.ensure_key(result.keys_dir, e.identifier, DEMO_PASSWORD)
                       for e in [*roster, NEW_MEMBER]}

        progress(f"admitting {len(roster)} founding members and setting their need scores")
        onboard(w3, secretariat, manifest, roster, [member_keys[e.identifier].address for e in roster], roster_path)

        progress("paying contributions into the equity fund")
        result.token = _fund_treasury(w3, secretariat, manifest, member_keys)

        progress("handing every admin role to the timelock; the deployer renounces its own")
        hand_over(w3, secretariat, manifest)

        governor = manifest.contract(w3, "WaicoGovernor")
        result.round_budget = ROUND_BUDGET * 10**result.token.decimals
        proposals = _propose_all(w3, secretariat, manifest, member_keys[NEW_MEMBER.identifier].address,
                                 result.round_budget)
        progress(f"opened {len(proposals)} proposals: " + "; ".join(f"{t.name}: {title}" for t, title, _ in proposals))
        mine(w3, 2)  # past the voting delay: the snapshot is taken

        signed = _sign_ballots(manifest, roster, member_keys, proposals, result.ballots_dir)
        progress(f"{len(signed)} ballots signed by {len(signed) // len(proposals)} voting members; "
                 f"relaying them in batches of {BATCH_SIZE}")
        outcomes = relay(secretariat, governor, signed, BATCH_SIZE)
        result.relayed, result.counted = len(outcomes), sum(o.counted for o in outcomes)
        result.batches = len({o.tx_hash for o in outcomes})

        progress("closing the votes, queueing what passed in the timelock, executing after the delays")
        result.payouts = _enact(w3, secretariat, manifest)
        progress("sharing technology: offers, requests, grants, confirmed deliveries, a promotion that needed them")
        signers = {ident: Signer(w3, keys.unlock(member_keys[ident], DEMO_PASSWORD), secretariat.decoder,
                                 chain_id=secretariat.chain_id) for ident in demo_sharing.ACTORS}
        result.sharing = demo_sharing.seed(w3, secretariat, manifest, signers)
        result.proposals = read_proposals(governor, manifest.contracts["WaicoGovernor"].block)
        result.members = read_members(manifest.contract(w3, "Membership"))
        names = {m.address: m.name for m in result.members}
        result.payouts = [NamedPayout(p.member, names.get(p.member, p.member), p.score, p.amount, p.pushed)
                          for p in result.payouts]

        mine(w3, FINALITY_DEPTH)  # anvil's "finalized" trails the head by 64 blocks
        progress("mirroring every event into SQLite, auditing it against the chain, signing a checkpoint")
        _mirror_and_checkpoint(w3, manifest, result)
        progress("building the transparency site (it checks itself in the browser)")
        _build_site(manifest, result)
        result.seconds = time.monotonic() - started
        if keep_chain:
            stack.pop_all()  # the demo succeeded: its chain stays up for the workflows
        return result


def _fund_treasury(w3, secretariat: Signer, manifest: Manifest, member_keys: dict) -> Token:
    fund = manifest.contract(w3, "EquityFund")
    token = token_of(w3, fund)
    stable = manifest.contract(w3, "TestStablecoin")
    contributors = [(member_keys[ident], amount * 10**token.decimals) for ident, amount in CONTRIBUTIONS.items()]
    send_all(secretariat, [(stable.functions.mint(k.address, units), "minting test stablecoin")
                           for k, units in contributors]
             # every member key gets gas money, to declare standards or vote directly later
             + [({"to": k.address, "data": b""}, "sending gas money", 10**17) for k in member_keys.values()])
    for key, units in contributors:
        member = Signer(w3, keys.unlock(key, DEMO_PASSWORD), secretariat.decoder, chain_id=secretariat.chain_id)
        send_all(member, [(stable.functions.approve(fund.address, units), "approving the fund"),
                          (fund.functions.contribute(units), "contributing")])
    return token


def _propose_all(w3, secretariat: Signer, manifest: Manifest, newcomer: str, budget: int) -> list:
    membership = manifest.contract(w3, "Membership")
    fund = manifest.contract(w3, "EquityFund")
    governor = manifest.contract(w3, "WaicoGovernor")

    def act(contract, fn):
        return Action(contract.address, 0, bytes.fromhex(fn._encode_transaction_data()[2:]))

    s6 = "WAICO-S6 Frontier-Model Incident Reporting"
    plan = [
        # The electorate is constitutional business: admission needs 2/3 and a majority of states.
        (Track.Constitutional, f"Admit {NEW_MEMBER.name} as an {NEW_MEMBER.tier.name} member",
         [act(membership, membership.functions.admit(newcomer, int(NEW_MEMBER.kind), int(NEW_MEMBER.tier),
                                                     NEW_MEMBER.name, NEW_MEMBER.identifier))]),
        (Track.RapidResponse, f"Rapid response: register the standard {s6}",
         [act(membership, membership.functions.registerStandard(
             s6, "https://standards.waico.example/s6", hashlib.sha256(s6.encode()).digest()))]),
        (Track.Constitutional, "Lower the cap on the corporate bloc's weight from 20% to 15%",
         [act(membership, membership.functions.setCorporateCap(1500))]),
        (Track.Ordinary, f"Equity adjustment round 2026-I: disburse {budget // 10**6:,} tUSD by need score",
         [act(fund, fund.functions.disburse(budget))]),
    ]
    out = []
    for track, title, actions in plan:
        description = f"# {title}\n\nProposed by the secretariat in the WAICO Ledger demo."
        out.append((track, title, propose(secretariat, governor, track, actions, description)))
    return out


def _support(entry: RosterEntry, track: Track, title: str) -> tuple[ballots.Support, str]:
    """A plausible vote: corporates resist a lower corporate cap; a few states dissent or abstain."""
    S = ballots.Support
    if track is Track.Constitutional:
        if entry.kind is Kind.Corporate and "cap" in title:
            return S.Against, "the cap already limits corporate members enough"
        if entry.identifier in ("ARE", "SAU"):
            return S.Against, ""
    if track is Track.RapidResponse and entry.kind is Kind.Corporate:
        return S.Abstain, "awaiting the standard's final text"
    if "round" in title and entry.identifier in ("ARE", "SRB"):
        return S.Abstain, ""
    if "Admit" in title and entry.identifier in ("ARG", "CHL"):
        return S.Against, "admission criteria should be published first"
    return S.For, ""


def _sign_ballots(manifest: Manifest, roster: list[RosterEntry], member_keys: dict, proposals: list,
                  directory: Path) -> list[ballots.SignedBallot]:
    governor = manifest.contracts["WaicoGovernor"].address
    signed = []
    for entry in roster:
        if entry.tier is Tier.Observer:
            continue  # Observers have no vote
        key = member_keys[entry.identifier]
        private_key = keys.unlock(key, DEMO_PASSWORD)
        for number, (track, title, pid) in enumerate(proposals, 1):
            support, reason = _support(entry, track, title)
            b = ballots.Ballot(manifest.chain_id, governor, pid, support, key.address, reason)
            sb = ballots.sign(b, private_key)
            sb.save(directory / ballots.file_name(number, key.path.stem), replace=True)  # this run's ballots
            signed.append(sb)
    return signed


def _mirror_and_checkpoint(w3, manifest: Manifest, result: DemoResult) -> None:
    from ledger.audit import eventlog
    from ledger.audit.run import audit
    from ledger.mirror import sync

    result.mirror_db = result.workdir / "mirror.db"
    if result.mirror_db.exists():  # a mirror of an earlier demo's chain
        result.mirror_db.unlink()
    stats = sync(w3, manifest, str(result.mirror_db))
    result.mirrored_events = stats.events
    result.audit = audit(w3, manifest, str(result.mirror_db))
    # a new chain: a new log and key, even where an earlier demo's chain had the same origin
    eventlog.start_new_log(result.workdir)
    signed = eventlog.sign(result.workdir, manifest, str(result.mirror_db), eventlog.finalized_block(w3))
    result.checkpoint_path, result.checkpoint_size = signed.path, signed.checkpoint.size
    result.verifier_key = signed.verifier_key


def _build_site(manifest: Manifest, result: DemoResult) -> None:
    import json

    from ledger.site import Token, build
    from ledger.tlog.note import NoteVerifier

    audit = result.audit.to_json()
    (result.workdir / "audit.json").write_text(json.dumps(audit, indent=1))  # for a later `waico site build`
    token = Token(result.token.symbol, result.token.decimals)
    write_settings(result.workdir, token={"symbol": token.symbol, "decimals": token.decimals})
    result.site = build(result.workdir / "site", manifest, str(result.mirror_db), result.checkpoint_path.read_text(),
                        NoteVerifier.parse(result.verifier_key), token=token, audit=audit,
                        older=result.workdir / "checkpoints")


def _enact(w3, secretariat: Signer, manifest: Manifest) -> list:
    governor = manifest.contract(w3, "WaicoGovernor")
    block = manifest.contracts["WaicoGovernor"].block
    deadline = max(p.deadline for p in read_proposals(governor, block))
    mine(w3, max(1, deadline - w3.eth.block_number + 1))
    passed = [p for p in read_proposals(governor, block) if p.state is ProposalState.Succeeded]
    for p in passed:
        queue(secretariat, governor, p)
    increase_time(w3, max(governor.functions.proposalParams(p.id).call()[-1] for p in passed) + 1 if passed else 1)
    payouts = []
    fund = manifest.contract(w3, "EquityFund")
    for p in passed:
        receipt = execute(secretariat, governor, p)
        for event in fund.events.Payout().process_receipt(receipt, errors=_DISCARD):
            a = event["args"]
            payouts.append(NamedPayout(a["member"], "", a["score"], a["amount"], a["pushed"]))
    return payouts

