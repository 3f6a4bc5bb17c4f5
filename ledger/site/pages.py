"""The portal's pages: HTML written at build time from the model, with the hooks the browser's
verifier reads (docs/site-data.md lists them).

Every element that shows something the log can prove carries `data-verify="pending"` and a
`data-check` naming how `static/ledger.js` re-derives it from leaves (`event`: the cells'
`data-field`s are fields of the leaf `data-leaf`; `tally`, `quorum`, `state`, `members`,
`sum`, `count`, ...; `group`: a section or chart, verified when everything in it is).
Each page also names the data files it loads: `log` (the signed checkpoint, shared),
`members` (every Membership event, shared) and its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ledger.mirror.typed import SHARE_KIND
from ledger.org.governance import short_id

from . import charts, show
from .html import Markup, esc as _e, h, join, link
from .model import KINDS, Fund, Member, Membership, Proposal, support_name
from .proofs import ProofPack

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; "
       "base-uri 'none'; form-action 'none'")
NAV = [("index.html", "Overview"), ("members.html", "Members"), ("proposals.html", "Proposals"),
       ("fund.html", "Fund"), ("sharing.html", "Sharing"), ("audit.html", "Audit & checkpoints")]


def check(name: str, /, **params) -> dict:
    """The attributes of an element the browser verifies: `check("tally", proposal=..., support=1)`."""
    attrs = {"data_verify": "pending", "data_check": name}
    for key, value in params.items():
        if value is not None:
            attrs["data_" + key] = value
    return attrs


def cell(tag: str, text, name: str, show_as: str | None = None, value: str | None = None, **attrs) -> Markup:
    """A cell showing the leaf's field `name`, formatted by `show_as` (see `SHOW` in ledger.js);
    with `value`, the field is compared with that attribute instead of the cell's text."""
    return h(tag, {"data_field": name, "data_show": show_as, "data_value": value, **attrs}, text)


def group(tag: str, attrs: dict | None, *children) -> Markup:
    """A section or figure that is verified when everything checked in it is; one with nothing
    checked in it (an empty table, a chart of numbers checked elsewhere) carries no mark."""
    inner = join(children)
    if 'data-check="' not in inner:
        return h(tag, attrs, inner)
    return h(tag, {**check("group"), **(attrs or {})}, inner)


@dataclass
class Page:
    path: str  # relative to the site's root, e.g. "proposals/3.html"
    title: str
    body: Markup
    pack: ProofPack
    data: str  # the page's own data file name, e.g. "proposal-3"
    extra: dict = field(default_factory=dict)  # more JSON for the page's data file

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")


@dataclass
class Site:
    """What the pages are rendered from."""

    membership: Membership
    proposals: list[Proposal]
    fund: Fund
    ledger: object  # ledger.site.data.Ledger
    new_pack: object  # () -> ProofPack
    token_symbol: str
    token_decimals: int
    audit: dict | None
    site_key: str
    older: list  # older checkpoints: (Checkpoint, note text, consistency proof)
    built_at: str

    def __post_init__(self):
        self.by_account: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for what, rows, attr in (("votes", self.ledger.votes, "voter"), ("payouts", self.ledger.payouts, "member"),
                                 ("contributions", self.ledger.contributions, "contributor"),
                                 ("declarations", self.ledger.declarations, "account")):
            for row in rows:
                self.by_account[getattr(row, attr).lower()][what].append(row)

    def of_member(self, account: str, what: str) -> list:
        """A member's votes, payouts, contributions or declarations, in chain order."""
        return self.by_account.get(account, {}).get(what, [])

    def token(self, units: int) -> str:
        return show.token(units, self.token_decimals)

    def when(self, block: int) -> str:
        ts = self.ledger.timestamps.get(block)
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if ts else f"block {block}"

    def member_href(self, root: str, account: str) -> str:
        return f"{root}members/{account.lower()}.html"

    def proposal_href(self, root: str, number: int) -> str:
        return f"{root}proposals/{number}.html"


# --- layout ----------------------------------------------------------------------------------


def layout(site: Site, page: Page, shared: list[str]) -> str:
    root = page.root
    nav = h("nav", {"aria-label": "sections"}, h("ul", None, [
        h("li", None, h("a", {"href": root + href, "aria-current": "page" if href == page.path else None}, label))
        for href, label in NAV]))
    verification = h(
        "section", {"id": "verification", "class_": "verification", "aria-live": "polite"},
        h("p", None, h("strong", {"id": "checkpoint-status", **check("checkpoint")}, "Checking the checkpoint…"), " ",
          h("span", {"id": "verify-detail"}, "This page checks its numbers itself; it needs JavaScript.")),
        h("form", {"id": "key-form", "class_": "key-form"},
          h("label", {"for": "key-input"}, "The log's key you expect (name+id+key): "),
          h("input", {"id": "key-input", "name": "key", "type": "text", "spellcheck": "false", "autocomplete": "off",
                      "placeholder": site.site_key}),
          h("button", {"type": "submit"}, "Check with this key")))
    scripts = [f"{root}static/tlog.js", f"{root}static/ledger.js",
               *(f"{root}data/{name}.js" for name in [*shared, page.data]), f"{root}static/page.js"]
    doc = join([
        Markup("<!doctype html>\n"),
        h("html", {"lang": "en"},
          h("head", None,
            h("meta", {"charset": "utf-8"}),
            h("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
            h("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}),
            h("meta", {"name": "referrer", "content": "no-referrer"}),
            h("title", None, f"{page.title} · WAICO Ledger"),
            h("link", {"rel": "stylesheet", "href": f"{root}static/site.css"}),
            h("link", {"rel": "icon", "href": f"{root}static/icon.svg", "type": "image/svg+xml"})),
          h("body", None,
            h("header", {"class_": "top"},
              h("p", {"class_": "brand"}, h("a", {"href": root + "index.html"}, "WAICO Ledger"),
                h("span", {"class_": "tagline"}, " · the transparency portal")),
              nav),
            verification,
            h("main", {"id": "main"}, page.body),
            h("footer", None,
              h("p", None, f"Built {site.built_at} from the mirror of chain {site.ledger.chain_id}, cut at the "
                           f"checkpoint of {site.ledger.checkpoint.size:,} events. Marks: ",
                h("span", {"class_": "legend", "data_verify": "ok"}, "verified"), " ",
                h("span", {"class_": "legend", "data_verify": "fail"}, "failed"), " ",
                h("span", {"class_": "legend", "data_verify": "pending"}, "not verified (yet)"), ". ",
                h("a", {"href": root + "audit.html#observers"}, "How to check this site yourself"), ".")),
            [h("script", {"src": src}) for src in scripts]))])
    return doc + "\n"


def _table(attrs: dict | None, headers: list[str], rows: list[Markup], numeric: set[int] = frozenset(),
           sortable: bool = True, caption: str | None = None) -> Markup:
    head = h("tr", None, [h("th", {"scope": "col", "class_": "num" if i in numeric else None,
                                   "data_sort": "num" if i in numeric else "text"}, text)
                          for i, text in enumerate(headers)])
    return h("table", {"class_": "sortable" if sortable else None, **(attrs or {})},
             h("caption", None, caption) if caption else None, h("thead", None, head), h("tbody", None, rows))


def _num(text, name: str | None = None, show_as: str = "int", value: str | None = None) -> Markup:
    if name is None:
        return h("td", {"class_": "num"}, text)
    return cell("td", text, name, show_as, value, class_="num")


def _kv(rows: list[tuple[str, Markup | str]]) -> Markup:
    return h("dl", {"class_": "facts"}, [[h("dt", None, k), h("dd", None, v)] for k, v in rows])


# --- overview --------------------------------------------------------------------------------


def overview(site: Site) -> Page:
    pack = site.new_pack()
    m, fund = site.membership, site.fund
    tiers = list(range(len(m.tier_names) - 1, -1, -1))
    active = [x for x in m.members.values() if x.status == "Active"]
    counts = Counter((x.tier, x.kind) for x in active)
    rows = []
    for tier in tiers:
        rows.append(h("tr", None, h("th", {"scope": "row"}, m.tier_name(tier)),
                      [h("td", {"class_": "num", **check("members", tier=tier, kind=kind, value=counts[(tier, kind)])},
                         show.integer(counts[(tier, kind)])) for kind in KINDS],
                      h("td", {"class_": "num", **check("members", tier=tier, value=sum(counts[(tier, k)] for k in KINDS))},
                        show.integer(sum(counts[(tier, k)] for k in KINDS)))))
    rows.append(h("tr", {"class_": "total"}, h("th", {"scope": "row"}, "All tiers"),
                  [h("td", {"class_": "num", **check("members", kind=kind, value=sum(counts[(t, kind)] for t in tiers))},
                     show.integer(sum(counts[(t, kind)] for t in tiers))) for kind in KINDS],
                  h("td", {"class_": "num", **check("members", value=len(active))}, show.integer(len(active)))))
    inactive = Counter(x.status for x in m.members.values() if x.status != "Active")
    chart = charts.stacked(
        "Active members by tier and kind",
        "; ".join(f"{m.tier_name(t)}: {counts[(t, 'State')]} states, {counts[(t, 'Corporate')]} corporate members"
                  for t in tiers),
        [(m.tier_name(t), [(counts[(t, "State")], "state"), (counts[(t, "Corporate")], "corporate")]) for t in tiers],
        [("States", "state"), ("Corporate members", "corporate")])
    members_section = group("section", {"id": "members"},
        h("h2", None, "Members by tier and kind"),
        h("figure", None, chart, h("figcaption", None, "Active members; the table gives the same numbers.")),
        _table({"id": "members-by-tier"}, ["Tier", "States", "Corporate", "All"], rows, {1, 2, 3}, sortable=False),
        h("p", {"class_": "note"}, [[h("span", check("members", status=status, value=n), show.integer(n)),
                                       f" {status.lower()}, "] for status, n in sorted(inactive.items())],
          "not counted above.") if inactive else h("p", {"class_": "note"}, "No member is suspended or expelled."))

    now = m.weights_at(site.ledger.last_block)
    share, cap = now.corporate_share_bps, now.cap_bps
    weight_chart = charts.bars(
        "The corporate bloc's share of the voting weight, against its cap",
        f"Corporate members hold {show.pct(share)} of the weight; the cap is {show.pct(cap)}.",
        [charts.Bar("States", now.states * 10_000 // max(now.total, 1), "state", show.pct(10_000 - share)),
         charts.Bar("Corporate members", now.corporates * 10_000 // max(now.total, 1), "corporate", show.pct(share))],
        markers=[(cap, f"cap {show.pct(cap)}", "cap")], scale_max=10_000)
    weight_section = group("section", {"id": "weight"},
        h("h2", None, "Voting weight"),
        h("figure", None, weight_chart, h("figcaption", None, "Shares of the total effective weight, now.")),
        _kv([("Corporate share", h("span", check("share", kind="Corporate", value=share), show.pct(share))),
             ("Cap on the corporate share", h("span", check("cap", value=cap), show.pct(cap))),
             ("Weight of the states", h("span", check("bloc", kind="State", value=now.states), show.integer(now.states))),
             ("Weight of corporate members",
              h("span", check("bloc", kind="Corporate", value=now.corporates), show.integer(now.corporates))),
             ("Total weight", h("span", check("bloc", value=now.total), show.integer(now.total)))]),
        h("p", {"class_": "note"}, "Each voting member has the basic votes plus its tier's votes; when corporate "
                                   "members would exceed the cap, their weights are scaled down together."))

    for c in fund.contributions:
        pack.add(site.ledger.leaf_of(c))
    for r in fund.rounds:
        pack.add(site.ledger.leaf_of(r.row))
    for p in fund.deferred:
        pack.add(site.ledger.leaf_of(p))
    for c in fund.claims:
        pack.add(site.ledger.leaf_of(c))
    fund_section = group("section", {"id": "fund"},
        h("h2", None, "The equity fund"),
        _kv(_fund_totals(site)),
        h("p", None, h("a", {"href": "fund.html"}, "Contributions, rounds and payouts")))

    latest = list(reversed(site.proposals[-5:]))
    for p in latest:
        pack.add(site.ledger.leaf_of(p.created))
        if p.track is not None:
            pack.add(site.ledger.leaf_of(p.track))
    proposals_section = group("section", {"id": "proposals"},
        h("h2", None, "Latest proposals"),
        h("ul", {"class_": "latest"}, [h("li", None, _proposal_line(site, "", p)) for p in latest]) if latest
        else h("p", None, "No proposal yet."),
        h("p", None, h("a", {"href": "proposals.html"}, "Every proposal")))

    body = join([
        h("h1", None, "WAICO Ledger"),
        h("p", {"class_": "lead"}, "Votes and fund disbursements of the World AI Cooperation Organization, "
          "from its public chain. Your browser checks every number marked here against the log's signed "
          "checkpoint: each event behind a number comes with its proof, and the numbers are re-counted from them."),
        members_section, weight_section, fund_section, proposals_section, _checkpoint_section(site, "")])
    return Page("index.html", "Overview", body, pack, "overview")


def _fund_totals(site: Site) -> list:
    fund = site.fund
    sym = site.token_symbol
    return [
        ("Balance", h("span", None, h("span", check("fund", what="balance", value=fund.balance), site.token(fund.balance)),
                      f" {sym}")),
        ("Contributed", h("span", None, h("span", check("sum", event="Contributed", arg="amount", value=fund.contributed),
                                          site.token(fund.contributed)), f" {sym}")),
        ("Paid by rounds", h("span", None, h("span", check("sum", event="RoundExecuted", arg="paid", value=fund.paid),
                                             site.token(fund.paid)), f" {sym}")),
        ("Not pushed (claimable)", h("span", None, h("span", check("sum", event="Payout", arg="amount", where="pushed=false",
                                                                   value=fund.deferred_total),
                                                     site.token(fund.deferred_total)), f" {sym}")),
        ("Claimed", h("span", None, h("span", check("sum", event="Claimed", arg="amount", value=fund.claimed),
                                      site.token(fund.claimed)), f" {sym}")),
    ]


def _proposal_line(site: Site, root: str, p: Proposal) -> Markup:
    created = site.ledger.leaf_of(p.created)
    parts = [h("a", {"href": site.proposal_href(root, p.number)}, f"#{p.number}"), " ",
             h("span", check("event", leaf=created), cell("span", p.title, "description", "title"))]
    if p.track is not None:
        parts += [" ", h("span", {"class_": "tag", **check("event", leaf=site.ledger.leaf_of(p.track))},
                         cell("span", p.track_name, "track", "track"))]
    return join(parts)


def _checkpoint_section(site: Site, root: str) -> Markup:
    cp = site.ledger.checkpoint
    audit = site.audit
    if audit is None:
        audit_text = h("p", None, "No audit report was given to this build (", h("code", None, "waico audit --json"), ").")
    else:
        checks = audit.get("checks") or []
        verdict = "clean" if audit.get("ok") else f"{sum(len(c.get('findings') or []) for c in checks)} findings"
        blocks = audit.get("blocks") or ["?", "?"]
        audit_text = h("p", {"id": "audit-result", "class_": "audit-" + ("ok" if audit.get("ok") else "findings")},
                       f"Audit of blocks {blocks[0]}–{blocks[-1]} ({audit.get('events', '?')} events): {verdict}. ",
                       "Checks: ", ", ".join(f"{c.get('name')} {'ok' if c.get('ok') else 'FAILED'}" for c in checks),
                       ". (Reported by whoever built this site: ", h("a", {"href": root + "audit.html"}, "details"), ".)")
    return group("section", {"id": "checkpoint"},
        h("h2", None, "The signed checkpoint"),
        _kv([("Log", h("span", check("note", what="origin", value=cp.origin), cp.origin)),
             ("Events", h("span", check("note", what="size", value=cp.size), show.integer(cp.size))),
             ("Root hash", h("code", check("note", what="root", value=cp.root.hex()), cp.root.hex())),
             ("Last event's block", h("span", check("now", value=site.ledger.last_block),
                                      str(site.ledger.last_block)))]),
        audit_text)


# --- members ---------------------------------------------------------------------------------


def members_index(site: Site) -> Page:
    m = site.membership
    rows = []
    for x in sorted(m.members.values(), key=lambda x: (-x.tier, x.kind, x.name)):
        rows.append(h("tr", check("member", account=x.account),
                      h("td", None, h("a", {"href": site.member_href("", x.account)}, cell("span", x.name, "name", "text"))),
                      cell("td", x.identifier, "identifier", "text"),
                      cell("td", x.kind, "kind", "text"),
                      cell("td", m.tier_name(x.tier), "tier", "text"),
                      cell("td", x.status, "status", "text"),
                      _num(show.integer(x.weight), "weight", "int"),
                      _num(str(x.admitted.block_number), "admitted", "plain")))
    body = join([
        h("h1", None, "Members"),
        h("p", None, h("span", check("members", status="any", value=len(m.members)), show.integer(len(m.members))),
          f" members admitted; tiers and weights as of block {site.ledger.last_block}. "
                     "Names and identifiers are what each member's admission recorded on the chain."),
        group("section", {"id": "tiers-over-time"},
              h("h2", None, "Tiers over time"),
              h("figure", None, _tiers_chart(site),
                h("figcaption", None, "Members at each tier after every admission or tier change; the table below "
                                      "gives each member's current tier."))),
        group("section", {"id": "member-list"}, h("h2", None, "Every member"),
              _table({"id": "members-table"}, ["Name", "Identifier", "Kind", "Tier", "Status", "Weight", "Admitted (block)"],
                     rows, {5, 6}))])
    return Page("members.html", "Members", body, site.new_pack(), "members-index")


def _tiers_chart(site: Site) -> Markup:
    m = site.membership
    tiers: dict[str, int] = {}
    series: dict[int, list[tuple[int, int]]] = {t: [] for t in range(len(m.tier_names))}
    counts = Counter()
    for row in site.ledger.member_events:
        account = row.account.lower()
        before = tiers.get(account)
        if row.event == "admitted":
            tiers[account] = row.tier_to
        elif row.event == "tier_changed" and account in tiers:
            tiers[account] = row.tier_to
        elif row.event == "expelled" and account in tiers:
            tiers.pop(account)
        else:
            continue
        t = site.ledger.timestamps.get(row.block_number, row.block_number)
        if before is not None:
            counts[before] -= 1
            series[before].append((t, counts[before]))
        if account in tiers:
            counts[tiers[account]] += 1
            series[tiers[account]].append((t, counts[tiers[account]]))
    events = site.ledger.member_events
    first = site.when(events[0].block_number) if events else ""
    last = site.when(site.ledger.last_block)
    return charts.steps("Members at each tier over time",
                        "; ".join(f"{m.tier_name(t)}: {counts[t]} now" for t in sorted(series, reverse=True)),
                        [(m.tier_name(t), f"tier{t}", series[t]) for t in sorted(series, reverse=True)],
                        (first, last), "members")


def member_page(site: Site, member: Member) -> Page:
    pack = site.new_pack()
    m = site.membership
    root = "../"
    led = site.ledger
    history = []
    for row in member.history:
        i = pack.add(led.leaf_of(row))
        what = {"admitted": ("tier", row.tier_to), "tier_changed": ("toTier", row.tier_to)}.get(row.event)
        history.append(h("tr", check("event", leaf=i),
                         cell("td", _event_name(row.event), "@event", "text"),
                         cell("td", m.tier_name(what[1]), what[0], "tier") if what else h("td", None, "—"),
                         cell("td", row.reason or "", "reason", "tierchange") if row.event == "tier_changed"
                         else h("td", None, ""),
                         _num(str(row.block_number), "@block", "plain"),
                         h("td", None, site.when(row.block_number))))
    numbers = {p.id: p.number for p in site.proposals}
    votes = site.of_member(member.account, "votes")
    vote_rows = []
    for v in votes:
        i = pack.add(led.leaf_of(v))
        number = numbers.get(v.proposal_id)
        label = (f'<a href="{_e(site.proposal_href(root, number))}">#{number}</a>' if number
                 else _e(short_id(int(v.proposal_id))))
        vote_rows.append(Markup(  # what h() would make, written out (a member may have cast thousands)
            f'<tr data-verify="pending" data-check="event" data-leaf="{i}">'
            f'<td data-field="proposalId" data-show="plain" data-value="{_e(v.proposal_id)}">{label}</td>'
            f'<td data-field="support" data-show="support">{_e(support_name(v.support))}</td>'
            f'<td data-field="weight" data-show="int" class="num">{show.integer(v.weight)}</td>'
            f'<td data-field="reason" data-show="text" class="reason">{_e(v.reason)}</td></tr>'))
    decl_rows = []
    titles = {s.standard_id: s.title for s in led.standards}
    for d in site.of_member(member.account, "declarations"):
        i = pack.add(led.leaf_of(d))
        decl_rows.append(h("tr", check("event", leaf=i),
                           cell("td", _DECLARATION.get(d.event, d.event), "@event", "text"),
                           cell("td", titles.get(d.standard_id, f"standard {d.standard_id}"), "standardId", "standard"),
                           cell("td", m.name_of(d.verifier) if d.verifier else "", "verifier", "name") if d.verifier
                           else h("td", None, ""),
                           cell("td", link(d.adaptation_uri) if d.adaptation_uri else "", "adaptationURI", "text")
                           if d.event == "declared" else h("td", None, ""),
                           _num(str(d.block_number), "@block", "plain")))
    payouts = site.of_member(member.account, "payouts")
    contributions = site.of_member(member.account, "contributions")
    money_rows = []
    for p in payouts:
        i = pack.add(led.leaf_of(p))
        money_rows.append(h("tr", check("event", leaf=i), cell("td", "payout", "@event", "money"),
                            cell("td", f"round {p.round_id}", "roundId", "round"),
                            _num(site.token(p.amount), "amount", "token"), _num(str(p.block_number), "@block", "plain")))
    for c in contributions:
        i = pack.add(led.leaf_of(c))
        money_rows.append(h("tr", check("event", leaf=i), cell("td", "contribution", "@event", "money"),
                            h("td", None, ""), _num(site.token(c.amount), "amount", "token"),
                            _num(str(c.block_number), "@block", "plain")))
    account = member.account
    facts = h("dl", {"class_": "facts", **check("member", account=account)},
              h("dt", None, "Name"), cell("dd", member.name, "name", "text"),
              h("dt", None, "Identifier"), cell("dd", member.identifier, "identifier", "text"),
              h("dt", None, "Kind"), cell("dd", member.kind, "kind", "text"),
              h("dt", None, "Tier"), cell("dd", m.tier_name(member.tier), "tier", "text"),
              h("dt", None, "Status"), cell("dd", member.status, "status", "text"),
              h("dt", None, "Weight now"), cell("dd", show.integer(member.weight), "weight", "int"),
              h("dt", None, "Account"), h("dd", None, h("code", None, account)))
    body = join([
        h("p", {"class_": "crumbs"}, h("a", {"href": root + "members.html"}, "Members"), " › "),
        h("h1", None, member.name or account),
        group("section", {"id": "facts"}, facts),
        group("section", {"id": "history"}, h("h2", None, "Tier history"),
              _table(None, ["Event", "Tier", "Reason", "Block", "Time"], history, {3}, sortable=False)),
        group("section", {"id": "votes"}, h("h2", None, "Votes cast: ",
                                            h("span", check("count", event="VoteCast", arg="voter", equals=account,
                                                            value=len(votes)), show.integer(len(votes)))),
              _table({"id": "votes-table"}, ["Proposal", "Support", "Weight", "Reason"], vote_rows, {2})
              if vote_rows else h("p", None, "No vote cast.")),
        group("section", {"id": "certifications"}, h("h2", None, "Standards: declarations and certifications"),
              _table(None, ["Event", "Standard", "Verifier", "Adaptation", "Block"], decl_rows, {4})
              if decl_rows else h("p", None, "No declaration of adoption.")),
        group("section", {"id": "money"}, h("h2", None, "The fund"),
              _kv([("Received from rounds", h("span", None, h("span", check("sum", event="Payout", arg="amount",
                                                                             where=f"member={account}",
                                                                             value=sum(p.amount for p in payouts)),
                                                                 site.token(sum(p.amount for p in payouts))),
                                              f" {site.token_symbol}")),
                   ("Contributed", h("span", None, h("span", check("sum", event="Contributed", arg="amount",
                                                                    where=f"contributor={account}",
                                                                    value=sum(c.amount for c in contributions)),
                                                      site.token(sum(c.amount for c in contributions))),
                                     f" {site.token_symbol}"))]),
              _table(None, ["What", "Round", f"Amount ({site.token_symbol})", "Block"], money_rows, {2, 3})
              if money_rows else h("p", None, "No payout and no contribution.")),
        h("section", {"id": "sharing"}, h("h2", None, "Technology sharing"),
          h("p", None, "No sharing recorded." if not led.sharing else "See the sharing page.")),
    ])
    return Page(f"members/{account}.html", member.name or account, body, pack, f"member-{account}")


_DECLARATION = {"declared": "AdoptionDeclared", "certified": "DeclarationCertified",
                "rejected": "DeclarationRejected", "revoked": "CertificationRevoked"}
_MEMBER_EVENT = {"admitted": "MemberAdmitted", "tier_changed": "MemberTierChanged", "suspended": "MemberSuspended",
                 "reinstated": "MemberReinstated", "expelled": "MemberExpelled"}


def _event_name(event: str) -> str:
    return _MEMBER_EVENT.get(event, event)


# --- proposals -------------------------------------------------------------------------------


def proposals_index(site: Site) -> Page:
    pack = site.new_pack()
    rows = []
    for p in reversed(site.proposals):
        i = pack.add(site.ledger.leaf_of(p.created))
        t = pack.add(site.ledger.leaf_of(p.track)) if p.track is not None else None
        rows.append(h("tr", None,
                      h("td", {"class_": "num", "data_sort-value": p.number},
                        h("a", {"href": site.proposal_href("", p.number)}, f"#{p.number}")),
                      h("td", check("event", leaf=i), cell("span", p.title, "description", "title")),
                      h("td", check("event", leaf=t), cell("span", p.track_name, "track", "track"))
                      if t is not None else h("td", None, "?"),
                      h("td", None, h("span", {"class_": f"state state-{p.state.lower()}"}, p.state)),
                      _num(str(p.created.block_number))))
    body = join([
        h("h1", None, "Proposals"),
        h("p", None, "Each proposal's page re-counts its tally from the signed votes and checks its state; "
                     "here, the titles and tracks are checked against their events."),
        group("section", {"id": "proposal-list"},
              _table({"id": "proposals-table"}, ["#", "Title", "Track", "State", "Created (block)"], rows, {0, 4})
              if rows else h("p", None, "No proposal yet."))])
    return Page("proposals.html", "Proposals", body, pack, "proposals")


def proposal_page(site: Site, p: Proposal) -> tuple[Page, list[list[str]]]:
    pack = site.new_pack()
    led, m = site.ledger, site.membership
    root = "../"
    created = pack.add(led.leaf_of(p.created))
    track = pack.add(led.leaf_of(p.track)) if p.track is not None else None
    for s in p.statuses:
        pack.add(led.leaf_of(s))
    pid = p.id
    against, for_, abstain = p.tally
    cast = for_ + against
    needed = (p.pass_bps * cast + 9_999) // 10_000 if cast else 0
    bars = charts.bars(
        f"Tally of proposal {p.number}",
        f"For {show.integer(for_)}, against {show.integer(against)}, abstain {show.integer(abstain)}; "
        f"the quorum (for and abstain) is {show.integer(p.quorum)}; passing needs {show.pct(p.pass_bps)} of for and "
        "against.",
        [charts.Bar("For", for_, "for", show.integer(for_)), charts.Bar("Against", against, "against", show.integer(against)),
         charts.Bar("Abstain", abstain, "abstain", show.integer(abstain)),
         charts.Bar("For + abstain", for_ + abstain, "quorum-bar", show.integer(for_ + abstain))],
        markers=[(p.quorum, "quorum", "quorum")] + ([(needed, f"{show.pct(p.pass_bps)} threshold", "threshold")]
                                                     if cast else []))
    tally_rows = [h("tr", None, h("th", {"scope": "row"}, name),
                    h("td", {"class_": "num", **check("tally", proposal=pid, support=s, value=p.tally[s])},
                      show.integer(p.tally[s])),
                    h("td", {"class_": "num", **check("ballots", proposal=pid, support=s,
                                                      value=sum(v.support == s for v in p.votes))},
                      show.integer(sum(v.support == s for v in p.votes))))
                  for s, name in ((1, "For"), (0, "Against"), (2, "Abstain"))]
    rules = [("State", h("span", {"class_": f"state state-{p.state.lower()}", **check("state", proposal=pid, value=p.state)},
                         p.state)),
             ("Quorum (for + abstain)", h("span", check("quorum", proposal=pid, value=p.quorum), show.integer(p.quorum))),
             ("Votes", h("span", check("ballots", proposal=pid, value=len(p.votes)), show.integer(len(p.votes))))]
    if p.track_name == "Constitutional":
        rules += [("Voting states for", h("span", check("states", proposal=pid, support=1, value=p.states_for),
                                          show.integer(p.states_for))),
                  ("Voting states against", h("span", check("states", proposal=pid, support=0, value=p.states_against),
                                              show.integer(p.states_against)))]
    vote_rows, csv_rows = [], [["voter", "name", "kind", "support", "weight", "reason", "block", "tx_hash", "log_index"]]
    for v in p.votes:
        i = pack.add(led.leaf_of(v))
        member = m.members.get(v.voter.lower())
        vote_rows.append(Markup(  # what h() would make, written out: 100k of these on a big site
            f'<tr data-verify="pending" data-check="vote" data-leaf="{i}">'
            f'<td><a href="{_e(site.member_href(root, v.voter))}"><span data-field="voter" data-show="name">'
            f'{_e(m.name_of(v.voter))}</span></a></td>'
            f'<td data-field="voter" data-show="memberkind">{_e(member.kind if member else "?")}</td>'
            f'<td data-field="support" data-show="support">{_e(support_name(v.support))}</td>'
            f'<td data-field="weight" data-show="int" class="num">{show.integer(v.weight)}</td>'
            f'<td data-field="reason" data-show="text" class="reason">{_e(v.reason)}</td>'
            f'<td data-field="@block" data-show="plain" class="num">{v.block_number}</td></tr>'))
        csv_rows.append([v.voter.lower(), m.name_of(v.voter), member.kind if member else "", support_name(v.support),
                         str(v.weight), v.reason, str(v.block_number), v.tx_hash, str(v.log_index)])
    c = p.created
    facts = h("dl", {"class_": "facts", **check("event", leaf=created)},
              h("dt", None, "Proposal id"), cell("dd", pid, "proposalId", "plain", class_="id"),
              h("dt", None, "Proposer"), h("dd", None, h("a", {"href": site.member_href(root, c.proposer)}
                                                         if c.proposer.lower() in m.members else None,
                                                         cell("span", m.name_of(c.proposer), "proposer", "name"))
                                           if c.proposer.lower() in m.members
                                           else cell("span", c.proposer.lower(), "proposer", "address")),
              h("dt", None, "Voting opens after block"), cell("dd", str(c.snapshot), "voteStart", "plain"),
              h("dt", None, "Voting closes at block"), cell("dd", str(c.deadline), "voteEnd", "plain"),
              h("dt", None, "Created"), h("dd", None, site.when(c.block_number)))
    track_facts = (h("dl", {"class_": "facts", **check("event", leaf=track)},
                     h("dt", None, "Track"), cell("dd", p.track_name, "track", "track"),
                     h("dt", None, "Quorum"), cell("dd", show.pct(p.quorum_bps), "quorumBps", "pct"),
                     h("dt", None, "Pass threshold"), cell("dd", show.pct(p.pass_bps), "passBps", "pct"),
                     h("dt", None, "Timelock delay (s)"), cell("dd", str(p.track.timelock_delay), "timelockDelay", "plain"))
                   if track is not None else h("p", None, "No track recorded."))
    actions = _actions(site, p, created)
    status_rows = [h("tr", check("event", leaf=led.leaf_of(s)), cell("td", _STATUS[s.event], "@event", "text"),
                     _num(str(s.block_number), "@block", "plain"), h("td", None, site.when(s.block_number)))
                   for s in p.statuses]
    body = join([
        h("p", {"class_": "crumbs"}, h("a", {"href": root + "proposals.html"}, "Proposals"), " › "),
        h("h1", None, f"Proposal {p.number}: ",
          h("span", check("event", leaf=created), cell("span", p.title, "description", "title"))),
        group("section", {"id": "summary"}, h("div", {"class_": "columns"}, facts, track_facts), _kv(rules)),
        group("section", {"id": "tally"}, h("h2", None, "Tally"),
              h("figure", None, bars, h("figcaption", None, "Weighted votes, with the quorum and the pass threshold "
                                                            "(its share of for + against).")),
              _table({"id": "tally-table"}, ["Support", "Weight", "Votes"], tally_rows, {1, 2}, sortable=False)),
        group("section", {"id": "votes"}, h("h2", None, "Votes"),
              h("p", None, h("a", {"href": f"{root}csv/proposal-{p.number}-votes.csv", "download": f"proposal-{p.number}-votes.csv"},
                             "Download the votes (CSV)"), ". Click a column's heading to sort."),
              _table({"id": "votes-table"}, ["Member", "Kind", "Support", "Weight", "Reason", "Block"], vote_rows, {3, 5})
              if vote_rows else h("p", None, "No vote yet.")),
        group("section", {"id": "lifecycle"}, h("h2", None, "Lifecycle"),
              _table(None, ["Event", "Block", "Time"], status_rows, {1}, sortable=False) if status_rows
              else h("p", None, "Not queued, executed or canceled.")),
        group("section", {"id": "description"}, h("h2", None, "Description"),
              h("div", check("event", leaf=created),
                cell("pre", [Markup("\n"), c.description], "description", "text", class_="description"))),
        group("section", {"id": "actions"}, h("h2", None, "Actions"), actions),
    ])
    return Page(f"proposals/{p.number}.html", f"Proposal {p.number}", body, pack, f"proposal-{p.number}"), csv_rows


_STATUS = {"queued": "ProposalQueued", "executed": "ProposalExecuted", "canceled": "ProposalCanceled"}


def _actions(site: Site, p: Proposal, created: int) -> Markup:
    import json

    targets = json.loads(p.created.targets)
    values = json.loads(p.created.call_values)
    calldatas = json.loads(p.created.calldatas)
    names = {c.address.lower(): name for name, c in site.ledger.manifest.contracts.items()}
    rows = []
    for n, (target, value, data) in enumerate(zip(targets, values, calldatas)):
        rows.append(h("tr", check("event", leaf=created),
                      cell("td", names.get(target.lower(), target.lower()), "targets", "contract", item=n),
                      cell("td", str(value), "values", "plain", item=n),
                      cell("td", data.lower(), "calldatas", "hex", item=n, class_="calldata")))
    if not rows:
        return h("p", None, "No action.")
    return _table(None, ["Target", "Value (wei)", "Call data"], rows, sortable=False)


# --- the fund --------------------------------------------------------------------------------


def fund_page(site: Site) -> tuple[Page, dict[str, list[list[str]]]]:
    pack = site.new_pack()
    led, m, fund = site.ledger, site.membership, site.fund
    sym = site.token_symbol
    csvs: dict[str, list[list[str]]] = {}
    contribution_rows = []
    csv = [["contributor", "name", "member", "amount_units", "block", "tx_hash", "log_index"]]
    for c in fund.contributions:
        i = pack.add(led.leaf_of(c))
        contribution_rows.append(h("tr", check("event", leaf=i),
                                   h("td", None, cell("span", m.name_of(c.contributor), "contributor", "name")),
                                   cell("td", show.yes_no(c.is_member), "isMember", "bool"),
                                   _num(site.token(c.amount), "amount", "token"),
                                   _num(str(c.block_number), "@block", "plain"),
                                   h("td", None, site.when(c.block_number))))
        csv.append([c.contributor.lower(), m.name_of(c.contributor), str(c.is_member).lower(), str(c.amount),
                    str(c.block_number), c.tx_hash, str(c.log_index)])
    csvs["contributions"] = csv

    contributed, paid_out = [], []
    total = 0
    for c in fund.contributions:
        total += c.amount
        contributed.append((led.timestamps.get(c.block_number, c.block_number), total // 10**site.token_decimals))
    total = 0
    for r in fund.rounds:
        total += r.row.paid
        paid_out.append((led.timestamps.get(r.row.block_number, r.row.block_number), total // 10**site.token_decimals))
    blocks = [c.block_number for c in fund.contributions] + [r.row.block_number for r in fund.rounds]
    flows = charts.steps("Contributions and payouts over time",
                         f"In total {site.token(fund.contributed)} {sym} contributed and {site.token(fund.paid)} {sym} "
                         f"paid by {len(fund.rounds)} rounds.",
                         [("contributed", "contributed", contributed), ("paid", "paid", paid_out)],
                         (site.when(min(blocks)), site.when(max(blocks))) if blocks else ("", ""), f"{sym} (whole)")

    round_sections = []
    for r in fund.rounds:
        row = r.row
        i = pack.add(led.leaf_of(row))
        payout_rows = []
        csv = [["member", "name", "score", "total_score", "budget_units", "amount_units", "pushed", "block", "tx_hash",
                "log_index"]]
        for p in r.payouts:
            j = pack.add(led.leaf_of(p))
            payout_rows.append(h("tr", check("payout", leaf=j),
                                 h("td", None, h("a", {"href": site.member_href("", p.member)},
                                                 cell("span", m.name_of(p.member), "member", "name"))),
                                 _num(show.integer(p.score), "score"),
                                 _num(site.token(p.amount), "amount", "token"),
                                 _num(show.pct(p.amount * 10_000 // p.budget if p.budget else 0), "@budgetShare", "pct"),
                                 cell("td", show.yes_no(p.pushed), "pushed", "bool")))
            csv.append([p.member.lower(), m.name_of(p.member), str(p.score), str(p.total_score), str(p.budget),
                        str(p.amount), str(p.pushed).lower(), str(p.block_number), p.tx_hash, str(p.log_index)])
        csvs[f"round-{row.round_id}-payouts"] = csv
        top = sorted(r.payouts, key=lambda p: -p.amount)[:12]
        chart = charts.bars(f"Round {row.round_id}: the largest payouts",
                            f"{len(r.payouts)} members paid {site.token(row.paid)} {sym} of a {site.token(row.budget)} "
                            f"{sym} budget; the largest payouts are shown.",
                            [charts.Bar(m.name_of(p.member), p.amount, "paid", site.token(p.amount)) for p in top],
                            markers=[(row.budget * row.cap_bps // 10_000, "cap per member", "cap")]
                            if row.cap_bps < 10_000 else [])
        round_sections.append(group(
            "section", {"id": f"round-{row.round_id}", "class_": "round"},
            h("h3", None, f"Round {row.round_id}"),
            h("dl", {"class_": "facts", **check("event", leaf=i)},
              h("dt", None, "Budget"), cell("dd", site.token(row.budget), "budget", "token"),
              h("dt", None, "Paid"), cell("dd", site.token(row.paid), "paid", "token"),
              h("dt", None, "Recipients"), cell("dd", show.integer(row.recipients), "recipients", "int"),
              h("dt", None, "Cap per member"), cell("dd", show.pct(row.cap_bps), "capBps", "pct"),
              h("dt", None, "Floor"), cell("dd", site.token(row.floor), "floor", "token"),
              h("dt", None, "Formula"), cell("dd", f"v{row.formula_version}", "formulaVersion", "version"),
              h("dt", None, "Inputs hash"), cell("dd", row.inputs_hash.lower(), "inputsHash", "hex", class_="id"),
              h("dt", None, "Executed"), h("dd", None, site.when(row.block_number))),
            h("p", None, "The payouts add up to ",
              h("span", check("round", round=row.round_id, value=sum(p.amount for p in r.payouts)),
                site.token(sum(p.amount for p in r.payouts))), f" {sym}; each amount below is re-computed with formula "
              "v1 from the round's budget, cap and floor and the members' need scores. ",
              h("a", {"href": f"csv/round-{row.round_id}-payouts.csv", "download": f"round-{row.round_id}-payouts.csv"},
                "Download (CSV)"), "."),
            h("figure", None, chart, h("figcaption", None, "The table gives every payout.")),
            _table({"class_": "payouts"}, ["Member", "Need score", f"Amount ({sym})", "Share of budget", "Pushed"],
                   payout_rows, {1, 2, 3})))

    batch_rows = [h("tr", check("event", leaf=pack.add(led.leaf_of(b))),
                    cell("td", str(b.batch_id), "batchId", "plain"),
                    cell("td", link(b.source_uri), "sourceURI", "text"),
                    cell("td", b.source_hash.lower(), "sourceHash", "hex", class_="id"),
                    _num(show.integer(b.count), "count"))
                  for b in fund.batches]
    claim_rows = [h("tr", check("event", leaf=pack.add(led.leaf_of(c))),
                    h("td", None, cell("span", m.name_of(c.member), "member", "name")),
                    _num(site.token(c.amount), "amount", "token"), _num(str(c.block_number), "@block", "plain"))
                  for c in fund.claims]
    body = join([
        h("h1", None, "The equity fund"),
        h("p", None, "Members and donors contribute; rounds approved by a governance vote split a budget among "
                     "members by need score (formula v1: a floor, a cap per member, the rest in proportion to "
                     "score); a payout that cannot be pushed stays claimable."),
        group("section", {"id": "totals"}, _kv(_fund_totals(site))),
        group("section", {"id": "flows"}, h("h2", None, "Over time"),
              h("figure", None, flows, h("figcaption", None, "Cumulative amounts; the tables below list every "
                                                             "contribution and payout."))),
        h("section", {"id": "rounds"}, h("h2", None, "Rounds"), round_sections or h("p", None, "No round yet.")),
        group("section", {"id": "contributions"}, h("h2", None, "Contributions"),
              h("p", None, h("a", {"href": "csv/contributions.csv", "download": "contributions.csv"},
                             "Download (CSV)")),
              _table({"id": "contributions-table"}, ["Contributor", "Member", f"Amount ({sym})", "Block", "Time"],
                     contribution_rows, {2, 3}) if contribution_rows else h("p", None, "No contribution yet.")),
        group("section", {"id": "need-scores"}, h("h2", None, "Need score sources"),
              _table(None, ["Batch", "Source", "Source hash", "Scores"], batch_rows, {3})
              if batch_rows else h("p", None, "No need scores set.")),
        group("section", {"id": "claims"}, h("h2", None, "Claims"),
              _table(None, ["Member", f"Amount ({sym})", "Block"], claim_rows, {1, 2})
              if claim_rows else h("p", None, "Nothing claimed.")),
    ])
    return Page("fund.html", "The equity fund", body, pack, "fund"), csvs


# --- technology sharing ----------------------------------------------------------------------


# the sharing tables' columns that hold a member's account: shown by the member's name
SHARING_ACCOUNTS = ("offerer", "requester", "by", "account", "member")


def _sharing_cell(site: Site, column: str, value) -> str:
    if value is None:
        return ""
    if column in SHARING_ACCOUNTS and isinstance(value, str) and value.startswith("0x"):
        return site.membership.name_of(value)
    return str(value)


def _counted(name: str, n: int, **params) -> Markup:
    """A number in a table cell that the browser re-counts from the page's events (check `name`)."""
    return h("td", {"class_": "num", **check(name, value=n, **params)}, show.integer(n))


def _sharing_summary(site: Site) -> list[Markup]:
    """Supply and demand by kind, and each offerer's record of sharing against the pathway's
    minimums: a chart each, and their numbers in a table the browser re-counts."""
    led, m = site.ledger, site.membership
    offers = led.sharing.get("share_offer_version", [])
    requests = led.sharing.get("share_request", [])
    deliveries = led.sharing.get("share_delivery", [])
    out = []
    offered = Counter(r.kind for r in offers if r.version == 1)  # an offer once, whatever its versions
    asked = Counter(r.kind for r in requests)
    kinds = [(i, k) for i, k in enumerate(SHARE_KIND) if offered[k] or asked[k]]
    if kinds:
        chart = charts.bars(
            "Offers and requests by kind",
            "; ".join(f"{k}: {offered[k]} offers, {asked[k]} requests" for _, k in kinds) + ".",
            [bar for _, k in kinds for bar in (charts.Bar(f"{k}: offers", offered[k], "offer", show.integer(offered[k])),
                                               charts.Bar(f"{k}: requests", asked[k], "request", show.integer(asked[k])))])
        rows = [h("tr", None, h("th", {"scope": "row"}, k),
                  _counted("count", offered[k], event="OfferPublished", where=f"kind={i};version=1"),
                  _counted("count", asked[k], event="RequestPosted", where=f"kind={i}")) for i, k in kinds]
        out.append(group("section", {"id": "by-kind"},
            h("h2", None, "Supply and demand"),
            h("figure", None, chart, h("figcaption", None, "Offers (each once, whatever its versions) and requests "
                                                           "posted, by kind; the table gives the same numbers.")),
            _table({"id": "sharing-by-kind"}, ["Kind", "Offers", "Requests"], rows, {1, 2}, sortable=False)))
    confirmed: Counter[str] = Counter()
    requesters: defaultdict[str, set[str]] = defaultdict(set)
    for d in deliveries:
        confirmed[d.offerer.lower()] += 1
        requesters[d.offerer.lower()].add(d.requester.lower())
    if confirmed:
        minimums = {r.tier: r.minimum for r in led.sharing_minimums}  # in log order: the last one stands
        ranked = sorted(confirmed, key=lambda who: (-len(requesters[who]), -confirmed[who], m.name_of(who)))
        chart = charts.bars(
            "Distinct requesters served, by offerer",
            f"{len(confirmed)} members have confirmed deliveries; the most distinct requesters: "
            f"{len(requesters[ranked[0]])}. Tiers that require sharing: "
            + (", ".join(f"{m.tier_name(t)} {n}" for t, n in sorted(minimums.items()) if n) or "none") + ".",
            [charts.Bar(m.name_of(who), len(requesters[who]), "served", show.integer(len(requesters[who])))
             for who in ranked[:12]],
            markers=[(n, f"{m.tier_name(t)}: {n}", "threshold") for t, n in sorted(minimums.items()) if n])
        rows = [h("tr", None, h("td", None, h("a", {"href": site.member_href("", who)}, m.name_of(who))),
                  _counted("served", len(requesters[who]), offerer=who),
                  _counted("count", confirmed[who], event="DeliveryConfirmed", where=f"offerer={who}"))
                for who in ranked]
        out.append(group("section", {"id": "served"},
            h("h2", None, "Sharing on the pathway"),
            h("figure", None, chart, h("figcaption", None, "Confirmed deliveries to distinct requesters, which a tier "
                                                           "may require for promotion (the dashed lines).")),
            _table({"id": "sharing-served"}, ["Offerer", "Distinct requesters", "Confirmed deliveries"], rows, {1, 2})))
    return out


def sharing_page(site: Site) -> Page:
    """Supply (offers) and demand (requests) by kind and each offerer's record of sharing, as
    charts with their numbers, then every row of whatever sharing tables the mirror has; "no
    sharing recorded" when there are none."""
    pack = site.new_pack()
    led = site.ledger
    sections = _sharing_summary(site)
    for name, rows in led.sharing.items():
        if not rows:
            continue
        columns = [c for c in rows[0]._fields if c not in
                   ("chain_id", "block_hash", "tx_hash", "log_index", "address")]
        kinds = Counter(getattr(r, "kind", None) for r in rows)
        body_rows = [h("tr", check("leaf", leaf=pack.add(led.leaf_of(r))),
                       [h("td", None, _sharing_cell(site, c, getattr(r, c))) for c in columns])
                     for r in rows]
        sections.append(group("section", {"id": name},
            h("h2", None, name.removeprefix("share_").replace("_", " ").capitalize()),
            h("p", None, ", ".join(f"{n} {k}" for k, n in kinds.items() if k is not None)) if None not in kinds else None,
            _table(None, columns, body_rows)))
    body = join([h("h1", None, "Technology sharing"),
                 h("p", None, "Offers of models, datasets, compute, tools and expertise, the requests that meet them, "
                              "grants and confirmed deliveries."),
                 sections or h("p", {"id": "no-sharing", "class_": "empty"}, "No sharing recorded.")])
    return Page("sharing.html", "Technology sharing", body, pack, "sharing")


# --- audit and checkpoints -------------------------------------------------------------------


def audit_page(site: Site) -> Page:
    older = []
    extra = {"checkpoints": []}
    for n, (old, note, proof) in enumerate(site.older):
        extra["checkpoints"].append({"note": note, "proof": proof})
        older.append(h("tr", check("consistency", checkpoint=n),
                       _num(show.integer(old.size)), h("td", {"class_": "id"}, old.root.hex())))
    audit = site.audit
    if audit is None:
        audit_body = h("p", None, "No audit report was given to this build.")
    else:
        rows = []
        for c in audit.get("checks") or []:
            counts = ", ".join(f"{v} {k}" for k, v in (c.get("checked") or {}).items())
            findings = c.get("findings") or []
            rows.append(h("tr", {"class_": "ok" if c.get("ok") else "findings"},
                          h("td", None, str(c.get("name", ""))), h("td", None, str(c.get("title", ""))),
                          h("td", None, counts), h("td", None, "ok" if c.get("ok") else f"{len(findings)} findings")))
            for f in findings[:50]:
                rows.append(h("tr", {"class_": "finding"}, h("td", None, ""),
                              h("td", {"colspan": 3}, f"{f.get('subject', '')}: {f.get('detail', '')}")))
        blocks = audit.get("blocks") or ["?", "?"]
        audit_body = join([
            h("p", None, f"`waico audit` compared the mirror of blocks {blocks[0]}–{blocks[-1]} with the chain and "
                         "re-checked what the chain did against its rules. Its report is the builder's word, not "
                         "something this page can prove: re-run it against a node you trust."),
            _table({"id": "audit-table"}, ["Check", "What", "Checked", "Result"], rows, sortable=False)])
    body = join([
        h("h1", None, "Audit and checkpoints"),
        _checkpoint_section(site, ""),
        group("section", {"id": "note"}, h("h2", None, "The signed note"),
              h("pre", {"class_": "note-text"}, Markup("\n"), site.ledger.note),
              h("p", None, "The key this site ships (it cannot vouch for the site itself): ",
                h("code", {"id": "site-key"}, site.site_key))),
        group("section", {"id": "older"}, h("h2", None, "Earlier checkpoints"),
              h("p", None, "Each earlier checkpoint's signature is checked, and a consistency proof that today's "
                           "log only extended it (RFC 6962).") if older else None,
              _table(None, ["Events", "Root hash"], older, {0}, sortable=False) if older
              else h("p", None, "No earlier checkpoint was given to this build.")),
        h("section", {"id": "audit"}, h("h2", None, "The audit report"), audit_body),
        h("section", {"id": "observers"}, h("h2", None, "Check this site yourself"),
          h("ol", None,
            h("li", None, "Get the log's verifier key from a source you trust (not from this site), and paste it "
                          "above, or open any page with ", h("code", None, "#key="), " and the key (URL-encoded). "
                          "The bar at the top then says whose key verified the checkpoint."),
            h("li", None, "Every mark on the pages is the browser's own check: the checkpoint's Ed25519 signature, "
                          "each event's inclusion proof (SHA-256, RFC 6962), and each number re-counted from the "
                          "events' leaves."),
            h("li", None, "With a node, re-run the audit and re-check the checkpoint against the chain: ",
              h("code", None, "waico index && waico audit && waico checkpoint verify checkpoint.txt "
                              "--key KEY --against chain"), "."))),
    ])
    return Page("audit.html", "Audit and checkpoints", body, site.new_pack(), "audit", extra)
