"""`waico site build`: the static site, written from the mirror cut at the latest checkpoint.

    OUT/index.html, members.html, members/<account>.html, proposals.html, proposals/<n>.html,
        fund.html, sharing.html, audit.html
    OUT/static/   site.css, icon.svg, tlog.js, ledger.js, page.js (the same for every build)
    OUT/data/     log.js (the signed checkpoint, the key the site ships, the event ABI, the
                  log's last leaf), members.js (every Membership event), and one file per page
    OUT/csv/      the votes of each proposal, each round's payouts, the contributions

Data files are JSON on their second line (docs/site-data.md), wrapped so that a page opened
from file:// can load them with a <script> (browsers refuse fetch() there):

    (window.waicoData = window.waicoData || []).push(
    {"format": "waico-site/1", "kind": "pack", ...}
    );

The build writes into a fresh folder beside OUT and swaps it in at the end, so a served site
is never half old, half new.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

from ledger.audit.eventlog import read_verifier
from ledger.chain import abi
from ledger.chain.manifest import Manifest
from ledger.errors import ConfigError, LedgerError, ProofInvalid
from ledger.tlog.checkpoint import Checkpoint, verify_checkpoint
from ledger.tlog.merkle import consistency_path, verify_consistency
from ledger.tlog.note import NoteVerifier

from . import pages
from .data import Ledger, read_ledger
from .model import Membership, fund_of, proposals_of
from .proofs import LeafCodec, ProofPack

FORMAT = "waico-site/1"
STATIC = Path(__file__).parent / "static"
STATIC_FILES = ("site.css", "icon.svg", "tlog.js", "ledger.js", "page.js")
SHARED = ["log", "members"]


@dataclass(frozen=True)
class Token:
    symbol: str = "units"
    decimals: int = 0


@dataclass(frozen=True)
class BuiltSite:
    out: Path
    index: Path
    pages: int
    events: int  # the checkpoint's size
    seconds: float
    bytes: int  # everything written

    def to_json(self) -> dict:
        return {"out": str(self.out), "index": str(self.index), "pages": self.pages, "events": self.events,
                "seconds": round(self.seconds, 2), "bytes": self.bytes}


def data_file(payload: dict) -> bytes:
    """A data file: the JSON on its own (second) line, wrapped for a <script> (module doc)."""
    return b"(window.waicoData = window.waicoData || []).push(\n" + orjson.dumps(payload) + b"\n);\n"


def read_data_file(text: str | bytes) -> dict:
    """The JSON of a data file (its second line)."""
    lines = (text.decode() if isinstance(text, bytes) else text).split("\n")
    return json.loads(lines[1])


def _csv(rows: list[list[str]]) -> bytes:
    """CSV whose cells cannot become spreadsheet formulas (OWASP: a leading = + - @ tab or CR
    gets a quote)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c for c in row])
    return out.getvalue().encode()


def _events_abi(manifest: Manifest) -> dict:
    """topic 0 (hex) -> the event's contract, name and inputs, for every event of the manifest."""
    out = {}
    for name, deployed in manifest.contracts.items():
        for item in abi.items(deployed.abi, "event"):
            if item.get("anonymous"):
                continue
            out[abi.topic(item).hex()] = {"contract": name, "name": item["name"],
                                         "inputs": [{"name": i["name"], "type": abi.canonical_type(i),
                                                     "indexed": bool(i.get("indexed"))} for i in item["inputs"]]}
    return out


def _older_checkpoints(ledger: Ledger, verifier: NoteVerifier, folder: Path | None, progress) -> list:
    """Earlier signed checkpoints of this log (in `folder`) with consistency proofs to the latest.

    One that the log did not grow from (signed by the same key, yet not a prefix of this log:
    a stale working folder, or a log that was rewritten) is left out, and said."""
    if folder is None or not folder.is_dir():
        return []
    hashes = ledger.tree.levels[0]
    latest = ledger.checkpoint
    out = []
    for path in sorted(folder.glob("checkpoint-*.txt")):
        try:
            note = path.read_text()
            old = verify_checkpoint(note, verifier, verifier.name)
        except (OSError, LedgerError):
            continue  # not a checkpoint of this log's key
        if not 0 < old.size < latest.size:
            continue
        proof = consistency_path(old.size, hashes)
        try:
            verify_consistency(old.size, latest.size, old.root, latest.root, proof)
        except ProofInvalid:
            progress(f"left out {path}: this log did not grow from it (another log under the same key?)")
            continue
        out.append((old, note, [base64.b64encode(p).decode() for p in proof]))
    return sorted(out, key=lambda o: -o[0].size)


def build(out: Path, manifest: Manifest, db_url: str, note: str, verifier: NoteVerifier, *,
          token: Token = Token(), audit: dict | None = None, older: Path | None = None,
          progress=lambda _: None) -> BuiltSite:
    """Write the site for `manifest`'s mirror at `db_url`, cut at the checkpoint `note`
    (signed by `verifier`, the key the site ships) into `out`."""
    started = time.monotonic()
    out = Path(out)
    ledger = read_ledger(db_url, manifest, note, verifier)
    progress(f"read {ledger.checkpoint.size:,} checkpointed events and their rows")
    membership = Membership(ledger)
    proposals = proposals_of(ledger, membership)
    fund = fund_of(ledger)
    codec = LeafCodec(ledger.leaves, ledger.tree)
    site = pages.Site(membership, proposals, fund, ledger, lambda: ProofPack(codec), token.symbol, token.decimals,
                      audit, verifier.to_text(), _older_checkpoints(ledger, verifier, older, progress),
                      datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))

    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} is not a folder")
    staging = out.with_name(f".{out.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    for folder in ("static", "data", "csv", "members", "proposals"):
        (staging / folder).mkdir(parents=True)
    written = 0
    count = 0

    def write(rel: str, content: bytes | str) -> None:
        nonlocal written
        data = content.encode() if isinstance(content, str) else content
        (staging / rel).write_bytes(data)
        written += len(data)

    for name in STATIC_FILES:
        write(f"static/{name}", (STATIC / name).read_bytes())

    last = ProofPack(codec)
    if ledger.leaves:
        last.add(len(ledger.leaves) - 1)
    write("data/log.js", data_file({
        "format": FORMAT, "kind": "log", "origin": ledger.checkpoint.origin, "note": note,
        "siteKey": verifier.to_text(), "chainId": manifest.chain_id,
        "contracts": {name: c.address.lower() for name, c in manifest.contracts.items()},
        "events": _events_abi(manifest), "token": {"symbol": token.symbol, "decimals": token.decimals},
        "last": last.to_json()}))
    shared = ProofPack(codec)
    shared.add_all(ledger.leaf_of(r) for r in ledger.member_events)
    shared.add_all(ledger.leaf_of(r) for r in ledger.standards)
    shared.add_all(s.leaf for s in ledger.settings)
    write("data/members.js", data_file({"format": FORMAT, "kind": "pack", "name": "members", **shared.to_json()}))

    def emit(page: pages.Page) -> None:
        nonlocal count
        count += 1
        write(page.path, pages.layout(site, page, SHARED))
        write(f"data/{page.data}.js", data_file({"format": FORMAT, "kind": "pack", "name": page.data,
                                                 **page.pack.to_json(), "extra": page.extra}))

    emit(pages.overview(site))
    emit(pages.members_index(site))
    for member in membership.members.values():
        emit(pages.member_page(site, member))
    progress(f"wrote the overview and {len(membership.members)} members' pages")
    emit(pages.proposals_index(site))
    for p in proposals:
        page, votes = pages.proposal_page(site, p)
        emit(page)
        write(f"csv/proposal-{p.number}-votes.csv", _csv(votes))
    progress(f"wrote {len(proposals)} proposals' pages")
    fund_page, tables = pages.fund_page(site)
    emit(fund_page)
    for name, rows in tables.items():
        write(f"csv/{name}.csv", _csv(rows))
    emit(pages.sharing_page(site))
    emit(pages.audit_page(site))

    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(out)
    return BuiltSite(out, out / "index.html", count, ledger.checkpoint.size, time.monotonic() - started, written)


def read_checkpoint(path: Path, key_text: str) -> tuple[str, NoteVerifier, Checkpoint]:
    """The signed note at `path` and the log key that signed it (the key the site ships)."""
    try:
        note = Path(path).read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read the checkpoint {path}: {exc.strerror} (run `waico checkpoint sign`)") from None
    verifier = read_verifier(key_text)
    return note, verifier, verify_checkpoint(note, verifier, verifier.name)


def resolve_token(manifest: Manifest, rpc_url: str | None, remembered: dict | None = None,
                  symbol: str | None = None, decimals: int | None = None) -> Token:
    """The fund's token as the pages write amounts: given, else remembered in the working
    folder (the demo writes it), else asked of the node; else raw units. (Its symbol and
    decimals are not in the log: they only label amounts, the units are what is checked.)"""
    if symbol is None or decimals is None:
        found = None
        if remembered and {"symbol", "decimals"} <= set(remembered):
            found = Token(str(remembered["symbol"]), int(remembered["decimals"]))
        elif rpc_url and "EquityFund" in manifest.contracts:
            found = _token_from_chain(manifest, rpc_url)
        found = found or Token()
        symbol = found.symbol if symbol is None else symbol
        decimals = found.decimals if decimals is None else decimals
    if not 0 <= decimals <= 77:
        raise ConfigError(f"token decimals must be 0..77, not {decimals}")
    return Token(symbol, decimals)


def _token_from_chain(manifest: Manifest, rpc_url: str) -> Token | None:
    from ledger.chain.node import connect
    from ledger.org.fund import token_of

    try:
        w3 = connect(rpc_url, timeout=5)
        token = token_of(w3, manifest.contract(w3, "EquityFund"))
        return Token(token.symbol, token.decimals)
    except Exception:  # noqa: BLE001 — no node, another chain, an odd token: amounts stay in units
        return None
