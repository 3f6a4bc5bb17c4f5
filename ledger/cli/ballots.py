"""`waico ballot typed-data/sign/verify/submit`: signed ballots, offline and relayed."""

from pathlib import Path

import click

from . import command, main, printable, progress
from .signing import key_options, open_key, unlock_signer


@main.group("ballot")
def ballot():
    """Signed ballots: sign offline, hand to anyone to relay, check which were counted.

    \b
    A ballot is EIP-712 typed data bound to the chain id and the governor's address. Sign it
    with a local keystore (`ballot sign`) or any wallet (`ballot typed-data` prints the
    eth_signTypedData_v4 payload); anyone can relay ballot files (`ballot submit`), many in
    one transaction. Each counts exactly once; a member can always relay its own.
    """


def _make_ballot(ctx, proposal, support, voter, reason, offline: bool = False):
    """The ballot, and the proposal it is for: read from the chain and checked against its id
    (None for a full id --offline)."""
    from ledger.org.ballots import Ballot, Support

    from .proposals import resolve_proposal

    p = None if offline and proposal.isdigit() and int(proposal) > 10**6 else resolve_proposal(ctx, proposal)
    return Ballot(chain_id=ctx.manifest.chain_id, governor=ctx.manifest.contracts["WaicoGovernor"].address,
                  proposal_id=p.id if p else int(proposal), support=Support.parse(support), voter=voter,
                  reason=reason), p


def _named(p, proposal_id: int) -> str:
    """A proposal as a member must see it before signing: its number, its title and its full id
    (the number is the node's to give; the id is what the ballot is for)."""
    return f"{p.number} “{printable(p.title)}” (id {p.id})" if p else \
        f"{proposal_id} (not read from the chain: --offline)"


support_option = click.option("--support", required=True, type=click.Choice(["for", "against", "abstain"],
                              case_sensitive=False), help="The vote.")
reason_option = click.option("--reason", default="", help="Optional reason, recorded on chain with the vote.")


@command(ballot, "typed-data")
@click.argument("proposal")
@support_option
@reason_option
@click.option("--voter", required=True, metavar="ADDRESS|KEY", help="The member's address (or key label).")
def typed_data(ctx, proposal, support, reason, voter):
    """Print the unsigned EIP-712 payload (eth_signTypedData_v4 JSON) for an external wallet.

    \b
    PROPOSAL is a proposal id, or its number in `waico proposal list`.
    Sign the output with any EIP-712 wallet, then save {"typedData": ..., "signature": "0x..."}
    as a ballot file for `waico ballot submit`.
    Example:
      waico ballot typed-data 1 --support for --voter 0xCdD8...1847 > unsigned.json
    """
    import json

    from web3 import Web3

    from ledger.app.keys import find_key

    address = voter if voter.startswith("0x") else find_key(ctx.config.keys_dir, voter).address
    b, p = _make_ballot(ctx, proposal, support, Web3.to_checksum_address(address), reason)
    progress(f"a ballot ({b.support.name}) on proposal {_named(p, b.proposal_id)}")
    click.echo(json.dumps(b.typed_data(), indent=1))


@command(ballot, "sign")
@click.argument("proposal")
@support_option
@reason_option
@click.option("--key", "key_name", required=True, metavar="NAME|ADDRESS|FILE", help="The member's keystore.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Ballot file to write, a new one [default: WORKDIR/ballots/p<number>-<key label>.json, "
                   "as the demo names its ballots; p<full id>-… with --offline].")
@click.option("--offline", is_flag=True, help="Do not check the proposal and membership on chain first.")
def sign(ctx, proposal, support, reason, key_name, out, offline):
    """Sign a ballot with a local keystore and write a ballot file (a new one: never over another).

    It prints the proposal's title and full id: a proposal's number is the node's to give, its
    id is what the ballot is for (its title is checked against it).

    \b
    Example:
      waico ballot sign 1 --support for --key MYS --reason "capacity building first"
      waico ballot submit .waico/ballots/p1-*.json --dev-account 0
    """
    from eth_account import Account

    from ledger.app.summary import who
    from ledger.org.ballots import file_name
    from ledger.org.ballots import sign as sign_ballot
    from ledger.org.membership import read_member
    from ledger.org.voting import require_can_vote

    key, private_key = open_key(ctx, key_name)
    voter = Account.from_key(private_key).address
    b, p = _make_ballot(ctx, proposal, support, voter, reason, offline)
    by = voter
    if not offline:
        membership = ctx.contract("Membership")
        require_can_vote(ctx.contract("WaicoGovernor"), membership, b.proposal_id, voter, label=p.label)
        m = read_member(membership, voter)
        by = who(voter, {voter: m} if m else {})
    signed = sign_ballot(b, private_key)
    path = out or ctx.config.workdir / "ballots" / file_name(p.number if p else proposal, key.path.stem)
    signed.save(path)
    ctx.emit({"file": str(path), "voter": voter, "proposalId": str(b.proposal_id), "number": p.number if p else None,
              "title": p.title if p else None, "support": b.support.name},
             f"signed: {b.support.name} on proposal {_named(p, b.proposal_id)} by {by}\nwritten to {path}")


def _load_all(ctx, files, online: bool, for_relay: bool = False):
    """Load and check every file; return (valid, problems). `valid` holds (file, ballot, info);
    problems are one-line messages.

    Online, `info` has the voter's weight at the snapshot, the proposal's state and whether the
    member's vote is on record. For relaying, a closed proposal or a recorded vote is a problem;
    for verifying, only a bad shape, domain or signature, or a voter without a vote, is. `info`
    also says how the signature was checked: "ecdsa" here, or "erc1271" on the node's word.
    """
    from ledger.errors import LedgerError, NotAMember
    from ledger.org import ballots
    from ledger.org.voting import check_ballot, eligibility, require_can_vote

    from ledger.org.governance import proposal_label, read_proposals
    from ledger.org.membership import read_members

    good, problems, seen = [], [], set()
    w3 = ctx.w3 if online else None
    governor = ctx.contract("WaicoGovernor") if online else None
    membership = ctx.contract("Membership") if online else None
    numbers = {p.id: p.number for p in read_proposals(governor, ctx.manifest.contracts["WaicoGovernor"].block)} \
        if online else {}
    names = {m.address: m.name for m in read_members(membership)} if online else {}

    def label(pid):
        return proposal_label(numbers.get(pid), pid)

    for f in files:
        try:
            signed = ballots.load(Path(f))
            how = check_ballot(signed, ctx.manifest if online else ctx.load_manifest(), w3, f)
            key = (signed.ballot.proposal_id, signed.ballot.voter)
            if key in seen:
                raise LedgerError(f"{f}: a second ballot of {signed.ballot.voter} on the same proposal")
            seen.add(key)
            info = {"signature": how, "signatureDependsOnNode": how == "erc1271"}
            if online:
                info |= {"number": numbers.get(key[0]), "member": names.get(key[1])}
            if for_relay:
                info["weight"] = require_can_vote(governor, membership, *key, source=f, open_now=True,
                                                  label=label(key[0]))
            elif online:
                e = eligibility(governor, membership, *key)
                if e.weight == 0:
                    raise NotAMember(f"{f}: {key[1]} had no vote at {label(key[0])}'s snapshot")
                info |= {"weight": e.weight, "proposal": e.state.name, "counted": e.already_voted}
            good.append((f, signed, info))
        except LedgerError as exc:
            problems.append(str(exc))
    return good, problems


@command(ballot, "verify")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--offline", is_flag=True,
              help="Check shape, domain and signature only (no RPC: skips membership and proposal state).")
def verify(ctx, files, offline):
    """Check ballot files: shape, domain (chain, governor), signature, and on chain that the
    voter had a vote at the proposal's snapshot; say whether each vote is on record (counted).
    Exit 1 if any file fails.

    A signature of the voter's own key is checked here, in the form the governor takes (v of 27
    or 28, a low s). A contract wallet's (ERC-1271) can only be asked of the node: its line says
    it was accepted on the node's word. Files over 64 KB or not strict JSON are refused.

    \b
    Example:
      waico ballot verify ballots/*.json
      waico ballot verify --offline received.json
    """
    import sys

    from ledger.org.governance import proposal_label

    good, problems = _load_all(ctx, files, online=not offline)
    report = [{"file": f, "voter": s.ballot.voter, "support": s.ballot.support.name, **info, "ok": True}
              for f, s, info in good] + [{"problem": p, "ok": False} for p in problems]

    def describe(info):
        wallet = "contract wallet: its signature accepted on the node's word; " \
            if info["signatureDependsOnNode"] else ""
        if "weight" not in info:
            return f" ({wallet[:-2]})" if wallet else ""
        voted = "vote on record" if info["counted"] else "not yet counted"
        return f" ({wallet}weight {info['weight']}; {voted})"

    def on(s, info):
        return f" on {proposal_label(info.get('number'), s.ballot.proposal_id)}" + \
            (f" ({info['proposal']})" if "proposal" in info else "")

    def by(s, info):
        return f"{printable(info['member'])} ({s.ballot.voter})" if info.get("member") else s.ballot.voter

    lines = [f"ok   {f}: {s.ballot.support.name}{on(s, info)} by {by(s, info)}{describe(info)}"
             for f, s, info in good] + [f"FAIL {p}" for p in problems]
    ctx.emit(report, "\n".join(lines))
    if problems:
        sys.exit(1)


@command(ballot, "submit")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@key_options
@click.option("--batch-size", default=100, show_default=True, type=click.IntRange(1, 500),
              help="Ballots per transaction.")
@click.option("--skip-invalid", is_flag=True, help="Relay the valid files even if some are not.")
def submit(ctx, files, key_name, dev_account, batch_size, skip_invalid):
    """Relay ballot files, many per transaction; report which were counted.

    \b
    Every file is checked first; if any fails, nothing is sent (unless --skip-invalid).
    The relaying key pays the gas; it need not be a member.
    Example:
      waico ballot submit .waico/ballots/*.json --dev-account 0 --batch-size 200
    """
    import sys

    from ledger.app.summary import plural
    from ledger.org.governance import proposal_label, relay

    good, problems = _load_all(ctx, files, online=True, for_relay=True)
    for p in problems:
        click.echo(click.style("invalid: ", fg="red") + printable(p), err=True)
    if problems and not skip_invalid:
        click.echo(f"{len(problems)} of {len(files)} ballot files are invalid; nothing was sent "
                   "(fix them, or relay the rest with --skip-invalid)", err=True)
        sys.exit(1)
    if not good:
        sys.exit(1)
    signer = unlock_signer(ctx, key_name, dev_account)
    progress(f"relaying {plural(len(good), 'ballot')} in batches of {batch_size}")
    with click.progressbar(length=len(good), label="ballots", file=sys.stderr) as bar:
        done = [0]

        def advance(n, _total):
            bar.update(n - done[0])
            done[0] = n

        outcomes = relay(signer, ctx.contract("WaicoGovernor"), [s for _, s, _ in good], batch_size, advance)
    files_by_ballot = {id(s): f for f, s, _ in good}
    info_by_ballot = {id(s): info for _, s, info in good}
    report = [{"file": files_by_ballot[id(o.signed)], "voter": o.signed.ballot.voter,
               "member": info_by_ballot[id(o.signed)].get("member"), "proposalId": str(o.signed.ballot.proposal_id),
               "number": info_by_ballot[id(o.signed)].get("number"), "counted": o.counted,
               "weight": o.weight, "skipped": o.skip_reason, "tx": o.tx_hash} for o in outcomes]
    counted = sum(o.counted for o in outcomes)

    def line(r):
        voter = f"{printable(r['member'])} ({r['voter']})" if r["member"] else r["voter"]
        on = proposal_label(r["number"], int(r["proposalId"]))
        return (f"{'counted' if r['counted'] else 'skipped'}  {on}  {voter}  "
                + (f"weight {r['weight']}" if r["counted"] else r["skipped"]))

    ctx.emit(report, "\n".join([line(r) for r in report] + [f"{counted} of {plural(len(outcomes), 'ballot')} counted"]))
    if counted < len(outcomes) or problems:
        sys.exit(1)
