"""Readable text for people: tables of members, proposals and payouts."""

from __future__ import annotations

from collections import defaultdict

from ledger.chain.http import shown_url
from ledger.org.membership import Member


def cut(text: str, width: int) -> str:
    """`text` in at most `width` characters: cut with "…" when longer, never silently."""
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """`1 round`, `2 rounds` (`nouns`: the plural when it is not `noun` + s)."""
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def singular(phrase: str) -> str:
    """A counted thing's plural phrase for one of it: the first word ending in s before any
    parenthesis loses it (`block headers` -> `block header`, `rows in mirror` -> `row in mirror`)."""
    head, paren, tail = phrase.partition(" (")
    words = head.split(" ")
    for i, w in enumerate(words):
        if w.endswith("s") and len(w) > 1:
            words[i] = w[:-1]
            break
    return " ".join(words) + paren + tail


def counted(n: int, phrase: str) -> str:
    """`1 round`, `3 rounds in mirror`: `phrase` is the plural."""
    return f"{n} {phrase if n != 1 else singular(phrase)}"


def who(address: str, members) -> str:
    """An account as people know it: `Kenya (0xAbC…)` for a member (`members`: read_members'
    list, or a dict by address), else the address alone."""
    from ledger.chain.text import printable

    by_address = members if isinstance(members, dict) else {m.address: m for m in members}
    m = by_address.get(address)
    return f"{printable(m.name)} ({address})" if m else address


def members_table(members: list[Member]) -> str:
    rows = [("#", "name", "id", "kind", "tier", "status", "weight", "address")]
    for m in members:
        rows.append((str(m.index), m.name, m.identifier, m.kind.name, m.tier_name, m.status.name,
                     str(m.weight), m.address))
    return table(rows, right={0, 6})


def members_by_tier(members: list[Member]) -> str:
    groups: dict[str, list[Member]] = defaultdict(list)
    for m in members:
        groups[m.tier_name].append(m)
    total = sum(m.weight for m in members) or 1
    lines = []
    for tier in sorted(groups, key=lambda t: -max(g.tier for g in groups[t])):
        group = groups[tier]
        weight = sum(m.weight for m in group)
        names = ", ".join(f"{m.name}" + (" (corp.)" if m.kind.name == "Corporate" else "") for m in group)
        count = f"{len(group):>3} " + ("member " if len(group) == 1 else "members")
        lines.append(f"  {tier:<10} {count}  weight {weight:>7} ({100 * weight / total:5.1f}%)  {names}")
    return "\n".join(lines)


def table(rows: list[tuple[str, ...]], right: set[int] = frozenset()) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def proposals_table(proposals) -> str:
    rows = [("#", "track", "result", "for", "against", "abstain", "quorum", "states +/-", "title")]
    for n, p in enumerate(proposals, 1):
        rows.append((str(n), p.track.name, p.state.name, str(p.for_), str(p.against), str(p.abstain),
                     str(p.quorum), f"{p.states_for}/{p.states_against}", cut(p.title, 64)))
    return table(rows, right={0, 3, 4, 5, 6, 7})


def payouts_table(payouts, token, budget: int, top: int = 12) -> str:
    ranked = sorted(payouts, key=lambda p: -p.amount)
    rows = [("member", "need", "amount", "share")]
    for p in ranked[:top]:
        rows.append((p.name, str(p.score), token.show(p.amount), f"{100 * p.amount / budget:5.2f}%"))
    paid = sum(p.amount for p in payouts)
    lines = [table(rows, right={1, 2, 3})]
    if len(ranked) > top:
        lines.append(f"... and {len(ranked) - top} more")
    deferred = [p for p in payouts if not p.pushed]
    lines.append(f"{plural(len(payouts), 'recipient')}, {token.show(paid)} of a {token.show(budget)} budget paid"
                 + (f"; {len(deferred)} deferred (claimable)" if deferred else "") + "; dust stays in the fund")
    return "\n".join(lines)


def sharing_line(sh) -> str:
    """The demo's sharing in one line (`sh`: ledger.app.demo_sharing.SharingSummary)."""
    return (f"{plural(sh.offers, 'offer')}, {plural(sh.requests, 'request')} ({sh.open_requests} open), "
            f"{plural(sh.grants, 'grant')}, {plural(sh.confirmed, 'confirmed delivery', 'confirmed deliveries')}, "
            f"{sh.disputed} disputed" + (f"; promoted after sharing: {sh.promoted}" if sh.promoted else ""))


def render_demo(result) -> str:
    lines = [
        f"WAICO Ledger demo: chain {result.chain_id} at {shown_url(result.rpc_url)}"
        + (f" (kept running: stop it with `kill {result.chain_pid}`)" if result.chain_pid
           else " (kept running)" if result.chain_kept else " (stopped)"),
        "",
        f"Members by tier ({len(result.members)}), weights after the votes:",
        members_by_tier(result.members),
        "",
        f"Proposals ({result.counted} of {plural(result.relayed, 'signed ballot')} counted, "
        f"relayed in {plural(result.batches, 'transaction')}):",
        proposals_table(result.proposals),
    ]
    if result.payouts:
        lines += ["", "Equity adjustment round:", payouts_table(result.payouts, result.token, result.round_budget)]
    if result.sharing:
        lines += ["", "Technology sharing:", sharing_line(result.sharing)]
    lines += [
        "",
        f"Deployment manifest: {result.manifest_path}",
        f"Member keys:         {result.keys_dir} (password: waico-demo)",
        f"Signed ballots:      {result.ballots_dir}",
        f"SQL mirror:          {result.mirror_db} ({plural(result.mirrored_events, 'event')})",
        f"Audit:               " + (("clean: " + ", ".join(c.name for c in result.audit.checks) + " all agree")
                                    if result.audit.ok
                                    else f"{plural(len(result.audit.findings), 'FINDING')} (waico audit)"),
        f"Checkpoint:          {result.checkpoint_path} ({plural(result.checkpoint_size, 'event')})",
        f"Verifier key:        {result.verifier_key}",
        f"Transparency site:   {result.site.index} (or: waico site serve --workdir {result.workdir})"
        if result.site else "Transparency site:   not built",
        f"Done in {result.seconds:.1f} s.",
    ]
    return "\n".join(lines)
