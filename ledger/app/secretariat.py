"""The secretariat's runs, as the brownie scripts in scripts/ call them: deploy, onboard, disburse.

Each takes the RPC URL of the network brownie is connected to and signs with the key named by
WAICO_KEY (label, address or keystore file; password from WAICO_PASSWORD or a prompt), or on a
local development chain (chain id 31337) with anvil's first dev account.
"""

from __future__ import annotations

import os
from pathlib import Path

from ledger.chain.anvil import dev_private_key
from ledger.chain.manifest import Manifest
from ledger.chain.node import connect
from ledger.chain.transactions import Signer
from ledger.errors import ConfigError

from . import keys
from .config import URL_NOT_REMEMBERED, Config, write_settings

LOCAL_CHAIN_ID = 31337
LOCAL_GAS_MONEY = 10**17  # wei, to each member key made on a local chain: to vote and contribute


def session(rpc_url: str) -> tuple:
    config = Config.resolve(rpc=rpc_url)
    w3 = connect(rpc_url)
    manifest = Manifest.load(config.deployment) if config.deployment.exists() else None
    if manifest:
        manifest.check_chain(w3)
    # the deployment's chain id, never the node's word at signing time (none yet: deploying)
    decoder, chain_id = (manifest.error_decoder(), manifest.chain_id) if manifest else (None, w3.eth.chain_id)
    key_name = os.environ.get("WAICO_KEY")
    if key_name:
        key = keys.find_key(config.keys_dir, key_name)
        password = keys.password_or_terminal(f"{key.label} ({key.address})")
        if password is None:
            import getpass

            password = getpass.getpass(f"Password for {key.label} ({key.address}): ")
        private_key = keys.unlock(key, password)
    elif chain_id == LOCAL_CHAIN_ID:
        private_key = dev_private_key(0)
    else:
        raise ConfigError("set WAICO_KEY to the secretariat's keystore (this is not a local chain)")
    signer = Signer(w3, private_key, decoder, chain_id=chain_id, max_fee=config.max_fee)
    return w3, signer, config, manifest


def _require(manifest, config):
    if manifest is None:
        raise ConfigError(f"no deployment at {config.deployment}: run scripts/deploy.py first")
    return manifest


def deploy(rpc_url: str) -> Manifest:
    from ledger.org.deploy import Parameters
    from ledger.org.deploy import deploy as run

    w3, signer, config, _ = session(rpc_url)
    params = Parameters.local_demo() if w3.eth.chain_id == LOCAL_CHAIN_ID else Parameters()
    manifest = run(w3, signer, Parameters(**{**params.__dict__, "verifiers": (signer.address,)}))
    manifest.save(config.deployment)
    if write_settings(config.workdir, rpc_url=rpc_url):
        print(URL_NOT_REMEMBERED)
    for name, c in manifest.contracts.items():
        print(f"{name:<20} {c.address}")
    print(f"manifest: {config.deployment}\nThe deployer is still admin: run scripts/onboard.py, which hands over.")
    return manifest


def onboard(rpc_url: str, roster_path: Path, hand_over_after: bool = True) -> None:
    from ledger.org.deploy import hand_over
    from ledger.org.membership import load_roster
    from ledger.org.onboarding import can_admit_directly
    from ledger.org.onboarding import onboard as run

    w3, signer, config, manifest = session(rpc_url)
    manifest = _require(manifest, config)
    roster = load_roster(roster_path)
    missing = [e.identifier for e in roster if e.address is None]
    if missing and w3.eth.chain_id != LOCAL_CHAIN_ID:
        raise ConfigError(f"{roster_path}: no address for {', '.join(missing[:5])}: add an `address` column")
    # on a local chain, members without an address get a fresh keystore
    password = new_keys_password() if missing else None
    addresses = [e.address or keys.ensure_key(config.keys_dir, e.identifier, password).address for e in roster]
    if missing:  # local chain: the new keys get gas money (of this chain), as the demo's do
        from ledger.org.deploy import send_all

        send_all(signer, [({"to": a, "data": b""}, "sending gas money", LOCAL_GAS_MONEY)
                          for a, e in zip(addresses, roster) if e.address is None])
        print(f"{len(missing)} new member keys in {config.keys_dir}, each with 0.1 ETH of this chain for gas")
    direct = can_admit_directly(w3, manifest, signer.address)
    proposal = run(w3, signer, manifest, roster, addresses, roster_path)
    if proposal is not None:
        from ledger.org.governance import read_proposal

        p = read_proposal(manifest.contract(w3, "WaicoGovernor"), manifest.contracts["WaicoGovernor"].block, proposal)
        print(f"the deployer is no longer admin: proposed the admission as {p.named}")
        return
    print(f"admitted {len(roster)} members from {roster_path}")
    if direct and hand_over_after:
        hand_over(w3, signer, manifest)
        print("handed every admin role to the timelock; the deployer renounced its own")


def new_keys_password() -> str:
    """The password for the members' new keystores: WAICO_PASSWORD(_FILE), or asked on a
    terminal (twice); never a fixed one, which anyone reading this code would know."""
    password = keys.password_or_terminal("the new members' keys")
    if password is None:
        import getpass

        password = getpass.getpass("Password for the new members' keys: ")
        if getpass.getpass("Again: ") != password:
            raise ConfigError("the two passwords differ")
    if not password:
        raise ConfigError("the new members' keys need a password that is not empty")
    return password


def disburse(rpc_url: str, step: str, budget: str | None = None, force: bool = False) -> None:
    """`propose BUDGET`: preview the round and propose it (refused above the fund's available
    balance unless `force`); `enact`: queue or execute what passed, and say why of the rest."""
    from ledger.org.fund import preview, status, token_of
    from ledger.org.governance import (Action, ProposalState, Track, execute, now, propose, queue, read_proposal,
                                       read_proposals, reason, refresh)
    from ledger.org.membership import read_members

    from .summary import cut, plural, table

    w3, signer, config, manifest = session(rpc_url)
    manifest = _require(manifest, config)
    fund = manifest.contract(w3, "EquityFund")
    governor = manifest.contract(w3, "WaicoGovernor")
    since = manifest.contracts["WaicoGovernor"].block
    token = token_of(w3, fund)
    if step == "propose":
        if budget is None:
            raise ConfigError("say the budget: brownie run scripts/disburse.py main propose 500000")
        units = token.parse(budget)
        available = status(w3, fund).available
        if units > available and not force:
            raise ConfigError(
                f"the budget {token.show(units)} is above the fund's available balance of {token.show(available)}: "
                "pay into the fund first (`waico fund contribute AMOUNT --key NAME`), or propose it anyway with "
                f"force (brownie run scripts/disburse.py main propose {budget} force)")
        if units > available:
            print(f"warning: the budget {token.show(units)} is above the fund's available balance of "
                  f"{token.show(available)}: the round cannot be executed until the fund holds it")
        p = preview(fund, units)
        names = {m.address: m.name for m in read_members(manifest.contract(w3, "Membership"))}
        print(table([("member", "score", "amount", "address")]
                    + [(names.get(a.member, "(not a member)"), str(a.score), token.show(a.amount), a.member)
                       for a in p.allocations], right={1, 2}))
        print(f"{plural(len(p.allocations), 'recipient')}, {token.show(p.paid)} of {token.show(p.budget)}")
        call = fund.functions.disburse(units)
        pid = propose(signer, governor, Track.Ordinary,
                      [Action(fund.address, 0, bytes.fromhex(call._encode_transaction_data()[2:]))],
                      f"# Equity adjustment round: disburse {token.show(units)} by need score\n\n"
                      f"Preview: {plural(len(p.allocations), 'recipient')}, {token.show(p.paid)} paid.")
        proposal = read_proposal(governor, since, pid)
        print(f"proposed the round as {proposal.named}; members vote with "
              f"`waico ballot sign {proposal.number} --support for --key NAME`")
    elif step == "enact":
        rounds = [p for p in read_proposals(governor, since) if p.actions and p.actions[0].target == fund.address]
        if not rounds:
            print("no round has been proposed: brownie run scripts/disburse.py main propose BUDGET")
        for p in rounds:
            title = f"{p.label} “{cut(p.title, 60)}”"
            if p.state is ProposalState.Succeeded:
                queue(signer, governor, p)
                print(f"queued {title}: {reason(refresh(governor, p), *now(w3))}")
                continue
            block, timestamp = now(w3)
            if p.state is ProposalState.Queued and p.eta <= timestamp:
                execute(signer, governor, p)
                print(f"executed {title}")
            else:
                print(f"{title} is {p.state.name}: {reason(p, block, timestamp)}")
    else:
        raise ConfigError(f"unknown step {step!r}: propose BUDGET [force], or enact")
