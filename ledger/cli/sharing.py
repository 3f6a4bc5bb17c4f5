"""`waico share offer/update/withdraw/request/cancel/grant/confirm/dispute/list/show`."""

import click

from . import command, main
from .signing import key_options, unlock_signer

KINDS = "model, dataset, compute, tool or expertise"


@main.group("share")
def share():
    """The technology-sharing platform: offers, requests, grants, confirmed deliveries.

    \b
    Members offer models, datasets, compute, tools and expertise; members (Observers too, where
    an offer allows their tier) request them; the offerer grants a request within the offer's
    capacity; the requester confirms the delivery, or either side flags a dispute. Only hashes
    and identifiers go on chain: the files stay where their owners publish them.
    Confirmed deliveries to distinct requesters count on the membership pathway.

    \b
    A round trip:
      waico share offer dataset "Malay speech corpus" --key MYS --content corpus.tar \\
          --card corpus.card.md --capacity 3          # prints: offer 5
      waico share request dataset --key IDN --offer 5 --description "ASR for Bahasa"
      waico share grant 10 --key MYS                  # request 10, under the offer it asked for
      waico share confirm 10 --key IDN --outcome "received; training started"
      waico share list --kind dataset --open          # what is still offered and asked for
    """


def _kind(value: str):
    from ledger.org.sharing import Kind

    return Kind.parse(value)


def _tier(membership, value: str) -> int:
    from ledger.errors import InputError
    from ledger.org.membership import tier_names_of

    names = tier_names_of(membership)
    if value.isdigit() and int(value) < len(names):
        return int(value)
    for i, name in enumerate(names):
        if name.lower() == value.strip().lower():
            return i
    raise InputError(f"no tier {value!r}: one of {', '.join(names)}")


def _hash(value: str) -> bytes:
    """pathway.hash_evidence, imported when a command runs (so that `--help` stays instant)."""
    from ledger.org.pathway import hash_evidence

    return hash_evidence(value)


def _active_signer(ctx, key_name, dev_account, doing: str):
    """The signer, refused at once (nothing sent) unless it is an active member."""
    from ledger.errors import NotAMember
    from ledger.org.membership import Status

    signer = unlock_signer(ctx, key_name, dev_account)
    status, _ = ctx.contract("Membership").functions.standing(signer.address).call()
    if status != Status.Active:
        state = "not a member" if status == Status.Unknown else Status(status).name.lower()
        raise NotAMember(f"{signer.address} cannot {doing}: only active members share, and it is {state}")
    return signer


def _board(ctx):
    from ledger.org.sharing import read_board

    return read_board(ctx.contract("SharingPlatform"), ctx.manifest.contracts["SharingPlatform"].block)


def _members(ctx) -> dict:
    from ledger.org.membership import read_members

    return {m.address: m for m in read_members(ctx.contract("Membership"))}


def _name(address: str, members: dict) -> str:
    m = members.get(address)
    return m.name if m else address


def _terms(kind, title, content, card_path, card_uri, terms, terms_uri, current=None):
    """The OfferTerms to publish: what is given, the rest from `current` (an update)."""
    from ledger.errors import InputError
    from ledger.org.cards import read_card, resolve_content_id
    from ledger.org.sharing import CARD_KINDS, Kind, OfferTerms

    card = read_card(card_path) if card_path else None
    if card is None and current is None and kind in CARD_KINDS:
        raise InputError(f"a {kind.name.lower()} offer needs --card FILE: its Hugging Face card, with the licence "
                         "in its metadata")
    describes = kind in (Kind.Compute, Kind.Expertise)
    if content is None and current is not None and not (card and card.content_id):
        content_id = current.content_id  # an update that names no new content keeps it
    else:
        content_id = resolve_content_id(content, card, describes)
    card_hash = card.sha256 if card else (current.card_hash if current else b"\x00" * 32)
    if card_uri is None:
        card_uri = current.card_uri if current and not card else (
            f"urn:sha256:{card.sha256.hex()}" if card else "")
    terms_hash = _hash(terms) if terms else (current.terms_hash if current else b"\x00" * 32)
    if terms_uri is None:
        terms_uri = current.terms_uri if current and not terms else (f"urn:sha256:{terms_hash.hex()}" if terms else "")
    return OfferTerms(title if title is not None else current.title, content_id, card_uri, card_hash, terms_uri,
                      terms_hash), card


def _offer_options(fn):
    fn = click.option("--capacity", type=click.IntRange(min=1), help="How many grants it can serve.")(fn)
    fn = click.option("--min-tier", metavar="TIER",
                      help="The lowest tier that may request it, by name or number (Observer = 0).")(fn)
    fn = click.option("--terms-uri", metavar="URI", help="Where the access terms are published "
                      "[default: urn:sha256:<their hash>].")(fn)
    fn = click.option("--terms", metavar="FILE|TEXT|0xHASH", help="Access terms (hashed on chain).")(fn)
    fn = click.option("--card-uri", metavar="URI", help="Where the card is published "
                      "[default: urn:sha256:<its hash>].")(fn)
    fn = click.option("--card", "card_path", metavar="FILE",
                      help="Model or dataset card (Hugging Face format: YAML metadata with `license`); checked, "
                           "then hashed. Required for models and datasets.")(fn)
    fn = click.option("--content", metavar="FILE|ID|TEXT",
                      help="What is offered: a file (its SHA-256), a content id (sha256:<hex> or a SWHID for "
                           "source code), or for compute and expertise a description.")(fn)
    return fn


@command(share, "offer")
@key_options
@click.argument("kind")
@click.argument("title")
@_offer_options
def share_offer(ctx, key_name, dev_account, kind, title, content, card_path, card_uri, terms, terms_uri, min_tier,
                capacity):
    """Offer KIND (model, dataset, compute, tool, expertise) titled TITLE, as the member whose key signs.

    The card, content and terms are checked and hashed before anything is sent: an unknown SPDX
    licence, a card without one, or a content id that does not match the file is one line of
    error and no transaction.

    \b
    Examples:
      waico share offer model "Qwen 7B Instruct" --key NYSE:BABA --content weights.tar \\
          --card model.card.md --terms terms.md --min-tier Associate --capacity 5
      waico share offer compute "2,000 GPU-hours" --key HKG:0700 \\
          --content "H20 cluster, Shenzhen, Q1 2027" --min-tier Observer --capacity 4
    """
    from ledger.org import sharing

    k = _kind(kind)
    if not title.strip():
        from ledger.errors import InputError

        raise InputError("the offer needs a title")
    t, card = _terms(k, title, content, card_path, card_uri, terms, terms_uri)
    membership = ctx.contract("Membership")
    tier = _tier(membership, min_tier) if min_tier is not None else 1
    signer = _active_signer(ctx, key_name, dev_account, "offer")
    offer_id = sharing.offer(signer, ctx.contract("SharingPlatform"), k, t, tier, capacity or 1)
    tier_name = membership.functions.tierName(tier).call()
    ctx.emit({"offer": offer_id, "kind": k.name, "version": 1, "minTier": tier, "capacity": capacity or 1,
              "licence": card.license_label if card else None, **t.to_json()},
             f"offer {offer_id}: {k.name.lower()} {t.title!r} (version 1, {tier_name} and above may request, "
             f"capacity {capacity or 1})" + (f"; licence {card.license_label}" if card else "")
             + f"; content {t.content_id}")


@command(share, "update")
@key_options
@click.argument("offer_id", type=int)
@click.option("--title", help="A new title.")
@_offer_options
def share_update(ctx, key_name, dev_account, offer_id, title, content, card_path, card_uri, terms, terms_uri,
                 min_tier, capacity):
    """Publish a new version of OFFER_ID (yours): what you give changes, the rest carries over.

    Earlier versions stay on record (`waico share show OFFER_ID` lists them).

    \b
    Example:
      waico share update 1 --key NYSE:BABA --title "Qwen 7B Instruct v1.2" --content weights-1.2.tar
    """
    from ledger.org import sharing

    o = _board(ctx).offer(offer_id)
    t, _ = _terms(o.kind, title, content, card_path, card_uri, terms, terms_uri, current=o.terms)
    membership = ctx.contract("Membership")
    tier = _tier(membership, min_tier) if min_tier is not None else o.min_tier
    signer = _active_signer(ctx, key_name, dev_account, "update an offer")
    _own(o, signer.address, "update")
    cap = capacity or o.capacity
    if cap < o.granted:
        from ledger.errors import InputError

        raise InputError(f"offer {offer_id} has made {o.granted} grants: its capacity cannot go below that")
    sharing.update(signer, ctx.contract("SharingPlatform"), offer_id, t, tier, cap)
    ctx.emit({"offer": offer_id, "version": o.version + 1, **t.to_json()},
             f"offer {offer_id}: version {o.version + 1} published ({t.title!r}, capacity {cap})")


def _own(o, address: str, doing: str) -> None:
    from ledger.errors import InputError

    if o.offerer != address:
        raise InputError(f"offer {o.id} is not yours to {doing}: it is {o.offerer}'s")
    if o.withdrawn:
        raise InputError(f"offer {o.id} was withdrawn")


@command(share, "withdraw")
@key_options
@click.argument("offer_id", type=int)
def share_withdraw(ctx, key_name, dev_account, offer_id):
    """Withdraw OFFER_ID (yours): no more requests or grants; granted requests go on.

    Example: waico share withdraw 3 --key HKG:0700
    """
    from ledger.org import sharing

    o = _board(ctx).offer(offer_id)
    signer = _active_signer(ctx, key_name, dev_account, "withdraw an offer")
    _own(o, signer.address, "withdraw")
    sharing.withdraw(signer, ctx.contract("SharingPlatform"), offer_id)
    ctx.emit({"offer": offer_id, "withdrawn": True}, f"offer {offer_id} withdrawn")


@command(share, "request")
@key_options
@click.argument("kind")
@click.option("--description", required=True, metavar="FILE|TEXT|0xHASH",
              help="What you need and what for (hashed on chain).")
@click.option("--description-uri", metavar="URI",
              help="Where the description is published [default: urn:sha256:<its hash>].")
@click.option("--offer", "offer_id", type=int, default=0,
              help="The offer you ask for; without it, any offer of KIND may grant it (open demand).")
def share_request(ctx, key_name, dev_account, kind, description, description_uri, offer_id):
    """Request KIND (model, dataset, compute, tool, expertise), for one offer or any.

    \b
    Examples:
      waico share request model --key MYS --offer 1 --description "Malay public-service assistant"
      waico share request dataset --key ETH --description "Amharic speech for public services"
    """
    from ledger.errors import InputError
    from ledger.org import sharing
    from ledger.org.membership import Status

    k = _kind(kind)
    signer = _active_signer(ctx, key_name, dev_account, "request")
    if offer_id:
        o = _board(ctx).offer(offer_id)
        if o.withdrawn:
            raise InputError(f"offer {offer_id} was withdrawn")
        if o.kind != k:
            raise InputError(f"offer {offer_id} is a {o.kind.name.lower()}, not a {k.name.lower()}")
        if o.offerer == signer.address:
            raise InputError(f"offer {offer_id} is your own")
        membership = ctx.contract("Membership").functions
        _, tier = membership.standing(signer.address).call()
        if tier < o.min_tier:
            raise InputError(f"offer {offer_id} is for {membership.tierName(o.min_tier).call()} members and above; "
                             f"you are {membership.tierName(tier).call()}")
        status, _ = membership.standing(o.offerer).call()
        if status != Status.Active:
            raise InputError(f"offer {offer_id}'s offerer, {_name(o.offerer, _members(ctx))}, is "
                             f"{Status(status).name.lower()}: it cannot grant requests, so its offer takes none")
    h = _hash(description)
    rid = sharing.request(signer, ctx.contract("SharingPlatform"), k, description_uri or f"urn:sha256:{h.hex()}", h,
                          offer_id)
    ctx.emit({"request": rid, "kind": k.name, "offer": offer_id or None},
             f"request {rid}: {k.name.lower()}" + (f" from offer {offer_id}" if offer_id else " (any offer)"))


@command(share, "cancel")
@key_options
@click.argument("request_id", type=int)
def share_cancel(ctx, key_name, dev_account, request_id):
    """Cancel your open request REQUEST_ID. Example: waico share cancel 8 --key ETH"""
    from ledger.org import sharing

    r = _board(ctx).request(request_id)
    signer = _active_signer(ctx, key_name, dev_account, "cancel a request")
    _party(r, signer.address, "cancel", requester_only=True)
    _status(r, "Open", "cancelled")
    sharing.cancel(signer, ctx.contract("SharingPlatform"), request_id)
    ctx.emit({"request": request_id, "status": "Cancelled"}, f"request {request_id} cancelled")


def _status(r, wanted: str, doing: str) -> None:
    from ledger.errors import InputError

    if r.status.name != wanted:
        raise InputError(f"request {r.id} is {r.status.name.lower()}: only a{'n' if wanted[0] in 'AEIOU' else ''} "
                         f"{wanted.lower()} request can be {doing}")


def _party(r, address: str, doing: str, requester_only: bool, offerer: str | None = None) -> None:
    from ledger.errors import InputError

    if address == r.requester or (not requester_only and address == offerer):
        return
    who = "its requester" if requester_only else "its requester or the offerer that granted it"
    raise InputError(f"only {who} may {doing} request {r.id}")


@command(share, "grant")
@key_options
@click.argument("request_id", type=int)
@click.option("--offer", "offer_id", type=int, help="Your offer to grant it under [default: the one it asked for].")
@click.option("--terms", metavar="FILE|TEXT|0xHASH", help="The terms of this grant (hashed on chain).")
def share_grant(ctx, key_name, dev_account, request_id, offer_id, terms):
    """Grant REQUEST_ID under your offer, within the offer's capacity.

    \b
    Examples:
      waico share grant 1 --key NYSE:BABA
      waico share grant 8 --key KEN --offer 4 --terms grant-terms.md    # an open request
    """
    from ledger.errors import InputError
    from ledger.org import sharing

    board = _board(ctx)
    r = board.request(request_id)
    _status(r, "Open", "granted")
    offer_id = offer_id or r.offer_id
    if not offer_id:
        raise InputError(f"request {request_id} asks for any {r.kind.name.lower()}: say which of your offers "
                         "grants it with --offer N")
    if r.offer_id and offer_id != r.offer_id:
        raise InputError(f"request {request_id} asked for offer {r.offer_id}, not {offer_id}")
    o = board.offer(offer_id)
    signer = _active_signer(ctx, key_name, dev_account, "grant")
    _own(o, signer.address, "grant under")
    if o.kind != r.kind:
        raise InputError(f"request {request_id} asks for a {r.kind.name.lower()}; offer {offer_id} is a "
                         f"{o.kind.name.lower()}")
    if o.granted >= o.capacity:
        raise InputError(f"offer {offer_id} has made all {o.capacity} grants its capacity allows "
                         "(`waico share update` can raise it)")
    sharing.grant(signer, ctx.contract("SharingPlatform"), request_id, offer_id, _hash(terms) if terms else b"\0" * 32)
    members = _members(ctx)
    ctx.emit({"request": request_id, "offer": offer_id, "granted": o.granted + 1, "capacity": o.capacity},
             f"request {request_id} of {_name(r.requester, members)} granted under offer {offer_id} "
             f"({o.granted + 1} of {o.capacity})")


@command(share, "confirm")
@key_options
@click.argument("request_id", type=int)
@click.option("--outcome", required=True, metavar="FILE|TEXT|0xHASH",
              help="What was received and how it is used (hashed on chain).")
def share_confirm(ctx, key_name, dev_account, request_id, outcome):
    """Confirm, as its requester, that granted REQUEST_ID was delivered.

    It counts on the offerer's record of sharing (the membership pathway reads it).
    Example: waico share confirm 1 --key MYS --outcome "weights received; pilot running"
    """
    from ledger.org import sharing

    board = _board(ctx)
    r = board.request(request_id)
    signer = _active_signer(ctx, key_name, dev_account, "confirm a delivery")
    _party(r, signer.address, "confirm", requester_only=True)
    _status(r, "Granted", "confirmed")
    platform = ctx.contract("SharingPlatform")
    sharing.confirm(signer, platform, request_id, _hash(outcome))
    offerer = board.offer(r.granted_offer).offerer
    confirmed, distinct = sharing.sharing_record(platform, offerer)
    members = _members(ctx)
    ctx.emit({"request": request_id, "offerer": offerer, "confirmed": confirmed, "distinctRequesters": distinct},
             f"delivery of request {request_id} confirmed: {_name(offerer, members)} has {confirmed} confirmed "
             f"{'delivery' if confirmed == 1 else 'deliveries'} to {distinct} distinct "
             f"{'requester' if distinct == 1 else 'requesters'}")


@command(share, "dispute")
@key_options
@click.argument("request_id", type=int)
@click.option("--reason", required=True, metavar="FILE|TEXT|0xHASH", help="The statement of the dispute (hashed).")
def share_dispute(ctx, key_name, dev_account, request_id, reason):
    """Flag a dispute over granted REQUEST_ID, as its requester or the offerer that granted it.

    A disputed delivery does not count on the offerer's record.
    Example: waico share dispute 7 --key BGD --reason "files incomplete"
    """
    from ledger.org import sharing

    board = _board(ctx)
    r = board.request(request_id)
    signer = _active_signer(ctx, key_name, dev_account, "dispute")
    offerer = board.offer(r.granted_offer).offerer if r.granted_offer else None
    _party(r, signer.address, "dispute", requester_only=False, offerer=offerer)
    _status(r, "Granted", "disputed")
    sharing.dispute(signer, ctx.contract("SharingPlatform"), request_id, _hash(reason))
    ctx.emit({"request": request_id, "status": "Disputed"}, f"request {request_id} disputed")


@command(share, "list")
@click.option("--kind", help=f"Only this kind: {KINDS}.")
@click.option("--open", "only_open", is_flag=True,
              help="Only what is still open: offers not withdrawn with capacity left, and open requests.")
def share_list(ctx, kind, only_open):
    """List offers with their requests and grants, and the requests for any offer.

    \b
    Examples:
      waico share list
      waico share list --kind dataset --open      # open supply and demand for datasets
      waico share list --json | jq '.offers[] | {id, title, granted, capacity}'
    """
    from ledger.app.summary import cut
    from ledger.org.sharing import RequestStatus

    board = _board(ctx)
    members = _members(ctx)
    k = _kind(kind) if kind else None
    offers = [o for o in board.offers if k is None or o.kind == k]
    if only_open:
        offers = [o for o in offers if not o.withdrawn and o.granted < o.capacity]
    loose = [r for r in board.requests if not r.offer_id and not r.granted_offer and (k is None or r.kind == k)]
    if only_open:
        loose = [r for r in loose if r.status is RequestStatus.Open]

    def requests_of(o):
        rs = board.requests_for(o.id)
        return [r for r in rs if r.status is RequestStatus.Open] if only_open else rs

    tiers = ctx.contract("Membership").functions
    tier_names = {t: tiers.tierName(t).call() for t in range(tiers.tierCount().call())}
    lines = []
    for o in offers:
        state = "withdrawn" if o.withdrawn else f"{o.granted}/{o.capacity} granted"
        lines.append(f"offer {o.id:<3} {o.kind.name.lower():<9} {cut(o.terms.title, 40):<40} "
                     f"{cut(_name(o.offerer, members), 20):<20} v{o.version}  {tier_names[o.min_tier]}+  {state}")
        lines += [_request_line(r, members, indent=True) for r in requests_of(o)]
    if loose:
        lines += ["", "Requests for any offer:"] if lines else ["Requests for any offer:"]
        lines += [_request_line(r, members, indent=False) for r in loose]
    ctx.emit({"offers": [o.to_json(requests_of(o)) for o in offers], "requests": [r.to_json() for r in loose]},
             "\n".join(lines) or "nothing " + ("open" if only_open else "shared") + (f" of kind {k.name.lower()}"
                                                                                    if k else ""))


def _request_line(r, members: dict, indent: bool) -> str:
    lead = "    " if indent else ""
    return f"{lead}request {r.id:<3} {r.kind.name.lower():<9} {_name(r.requester, members):<24} {r.status.name}"


@command(share, "show")
@click.argument("offer_id", type=int)
def share_show(ctx, offer_id):
    """Show OFFER_ID: every version, its requests and grants.

    Example: waico share show 1
    """
    board = _board(ctx)
    o = board.offer(offer_id)
    members = _members(ctx)
    rs = board.requests_for(offer_id)
    lines = [f"offer {o.id}: {o.kind.name.lower()} {o.terms.title!r} by {_name(o.offerer, members)}",
             f"state           {'withdrawn' if o.withdrawn else 'open'}; {o.granted} of {o.capacity} granted",
             "versions:"]
    for v in o.versions:
        t = v.terms
        lines += [f"  v{v.version} (block {v.block}): {t.title!r}", f"      content  {t.content_id}",
                  f"      card     {t.card_uri or '-'} ({'0x' + t.card_hash.hex()})",
                  f"      terms    {t.terms_uri or '-'} ({'0x' + t.terms_hash.hex()})",
                  f"      lowest tier {v.min_tier}, capacity {v.capacity}"]
    lines += ["requests:"] + ([_request_line(r, members, indent=True) for r in rs] or ["    none"])
    ctx.emit(o.to_json(rs), "\n".join(lines))
