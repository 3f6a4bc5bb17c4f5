"""The technology-sharing platform: offers (with versions), requests, grants, confirmed deliveries.

What is on chain is the contract's state (`SharingPlatform`: who offered what, capacities,
request states, each member's record of confirmed deliveries) and its events (the published
fields of every offer version, descriptions, terms and outcomes as hashes). `read_board`
puts both together for the CLI; the mirror keeps the events in its own tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from ledger.chain.transactions import Signer

ZERO_HASH = b"\x00" * 32


class Kind(IntEnum):
    """What is shared (SharingPlatform.Kind)."""

    Model = 0
    Dataset = 1
    Compute = 2
    Tool = 3
    Expertise = 4

    @classmethod
    def parse(cls, value: str) -> "Kind":
        from ledger.errors import InputError

        for k in cls:
            if k.name.lower() == value.strip().lower():
                return k
        raise InputError(f"no kind {value!r}: one of {', '.join(k.name.lower() for k in cls)}")


class RequestStatus(IntEnum):
    """Where a request stands (SharingPlatform.RequestStatus)."""

    Unknown = 0
    Open = 1
    Granted = 2
    Confirmed = 3
    Disputed = 4
    Cancelled = 5


# Kinds whose offers are files with a Hugging Face card (the card is required for them)
CARD_KINDS = (Kind.Model, Kind.Dataset)


@dataclass(frozen=True)
class OfferTerms:
    """The published fields of one version of an offer (SharingPlatform.OfferTerms)."""

    title: str
    content_id: str
    card_uri: str = ""
    card_hash: bytes = ZERO_HASH
    terms_uri: str = ""
    terms_hash: bytes = ZERO_HASH

    def as_tuple(self) -> tuple:
        return (self.title, self.content_id, self.card_uri, self.card_hash, self.terms_uri, self.terms_hash)

    def to_json(self) -> dict:
        return {"title": self.title, "contentId": self.content_id, "cardURI": self.card_uri,
                "cardHash": "0x" + self.card_hash.hex(), "termsURI": self.terms_uri,
                "termsHash": "0x" + self.terms_hash.hex()}


@dataclass(frozen=True)
class OfferVersion:
    version: int
    block: int
    min_tier: int
    capacity: int
    terms: OfferTerms

    def to_json(self) -> dict:
        return {"version": self.version, "block": self.block, "minTier": self.min_tier, "capacity": self.capacity,
                **self.terms.to_json()}


@dataclass
class Request:
    id: int
    requester: str
    kind: Kind
    status: RequestStatus
    offer_id: int  # the offer asked for; 0: any offer of its kind
    granted_offer: int  # 0 until granted
    description_uri: str = ""
    description_hash: bytes = ZERO_HASH
    grant_terms_hash: bytes | None = None
    outcome_hash: bytes | None = None
    disputed_by: str | None = None

    def to_json(self) -> dict:
        def h(b):
            return None if b is None else "0x" + b.hex()
        return {"id": self.id, "requester": self.requester, "kind": self.kind.name, "status": self.status.name,
                "offer": self.offer_id or None, "grantedOffer": self.granted_offer or None,
                "descriptionURI": self.description_uri, "descriptionHash": h(self.description_hash),
                "grantTermsHash": h(self.grant_terms_hash), "outcomeHash": h(self.outcome_hash),
                "disputedBy": self.disputed_by}


@dataclass
class Offer:
    id: int
    offerer: str
    kind: Kind
    min_tier: int
    withdrawn: bool
    capacity: int
    granted: int
    versions: list[OfferVersion] = field(default_factory=list)

    @property
    def terms(self) -> OfferTerms:
        return self.versions[-1].terms

    @property
    def version(self) -> int:
        return len(self.versions)

    def to_json(self, requests: list[Request] = ()) -> dict:
        return {"id": self.id, "offerer": self.offerer, "kind": self.kind.name, "minTier": self.min_tier,
                "withdrawn": self.withdrawn, "capacity": self.capacity, "granted": self.granted,
                "version": self.version, **self.terms.to_json(),
                "versions": [v.to_json() for v in self.versions],
                "requests": [r.to_json() for r in requests]}


@dataclass
class Board:
    """Every offer and request on the platform, as of one read."""

    offers: list[Offer]
    requests: list[Request]

    def offer(self, offer_id: int) -> Offer:
        from ledger.errors import InputError

        if not 1 <= offer_id <= len(self.offers):
            raise InputError(f"no offer {offer_id} (there are {len(self.offers)})")
        return self.offers[offer_id - 1]

    def request(self, request_id: int) -> Request:
        from ledger.errors import InputError

        if not 1 <= request_id <= len(self.requests):
            raise InputError(f"no request {request_id} (there are {len(self.requests)})")
        return self.requests[request_id - 1]

    def requests_for(self, offer_id: int) -> list[Request]:
        """The requests that asked for this offer or were granted under it."""
        return [r for r in self.requests if offer_id in (r.offer_id, r.granted_offer)]


def read_board(platform, from_block: int) -> Board:
    """Read every offer and request: state from the contract's views, the published fields
    (offer versions, descriptions, grant terms, outcomes) from its events since `from_block`."""
    f = platform.functions
    offers, versions = [], []
    for i in range(1, f.offerCount().call() + 1):
        offerer, kind, min_tier, withdrawn, capacity, granted, version = f.getOffer(i).call()
        offers.append(Offer(i, offerer, Kind(kind), min_tier, withdrawn, capacity, granted))
        versions.append(version)
    requests = []
    for i in range(1, f.requestCount().call() + 1):
        requester, kind, status, offer_id, granted_offer = f.getRequest(i).call()
        requests.append(Request(i, requester, Kind(kind), RequestStatus(status), offer_id, granted_offer))
    for name, e in _events(platform, from_block):
        a = e["args"]
        if name == "OfferPublished" and 1 <= a["offerId"] <= len(offers):
            terms = OfferTerms(a["title"], a["contentId"], a["cardURI"], bytes(a["cardHash"]), a["termsURI"],
                               bytes(a["termsHash"]))
            offers[a["offerId"] - 1].versions.append(
                OfferVersion(a["version"], e["blockNumber"], a["minTier"], a["capacity"], terms))
        elif name in ("RequestPosted", "RequestGranted", "DeliveryConfirmed", "DeliveryDisputed") \
                and 1 <= a["requestId"] <= len(requests):
            r = requests[a["requestId"] - 1]
            if name == "RequestPosted":
                r.description_uri, r.description_hash = a["descriptionURI"], bytes(a["descriptionHash"])
            elif name == "RequestGranted":
                r.grant_terms_hash = bytes(a["termsHash"])
            elif name == "DeliveryConfirmed":
                r.outcome_hash = bytes(a["outcomeHash"])
            else:
                r.disputed_by = a["by"]
    for o, version in zip(offers, versions):
        if [v.version for v in o.versions] != list(range(1, version + 1)):
            from ledger.errors import ChainUnavailable

            raise ChainUnavailable(f"the node's logs do not hold the {version} versions of offer {o.id} that the "
                                   "contract counts: its answers are incomplete")
    return Board(offers, requests)


def _events(platform, from_block: int) -> list[tuple[str, dict]]:
    """(event name, decoded log) of every platform event since `from_block`, in chain order,
    read with the adaptive `eth_getLogs` loop (nodes that cap ranges or results are served)."""
    from eth_utils import event_abi_to_log_topic
    from hexbytes import HexBytes

    from ledger.chain.logs import get_logs
    from ledger.chain.rpc import Rpc, raw_web3

    names = {event_abi_to_log_topic(a): a["name"] for a in platform.abi if a["type"] == "event"}
    w3 = platform.w3
    out = []
    for log in get_logs(Rpc(raw_web3(w3)), [platform.address], from_block, w3.eth.block_number):
        topics = [HexBytes(t) for t in log["topics"]]
        name = names.get(bytes(topics[0])) if topics else None
        if name is None:
            continue
        entry = {"address": platform.address, "topics": topics, "data": HexBytes(log["data"]),
                 "blockNumber": int(log["blockNumber"], 16), "logIndex": int(log["logIndex"], 16),
                 "transactionIndex": int(log["transactionIndex"], 16),
                 "transactionHash": HexBytes(log["transactionHash"]), "blockHash": HexBytes(log["blockHash"])}
        out.append((name, getattr(platform.events, name)().process_log(entry)))
    return out


def sharing_record(platform, account: str) -> tuple[int, int]:
    """(confirmed deliveries, distinct requesters) of `account`."""
    confirmed, distinct = platform.functions.sharingRecord(account).call()
    return confirmed, distinct


def _new_id(platform, receipt, event: str, key: str) -> int:
    from web3.logs import DISCARD

    logs = getattr(platform.events, event)().process_receipt(receipt, errors=DISCARD)
    return logs[0]["args"][key]


# ---------------------------------------------------------------------------- actions

def offer(signer: Signer, platform, kind: Kind, terms: OfferTerms, min_tier: int, capacity: int) -> int:
    """Publish an offer; returns its id."""
    receipt = signer.send(platform.functions.offer(int(kind), terms.as_tuple(), min_tier, capacity),
                          f"offering {kind.name.lower()} {terms.title!r}")
    return _new_id(platform, receipt, "OfferPublished", "offerId")


def update(signer: Signer, platform, offer_id: int, terms: OfferTerms, min_tier: int, capacity: int):
    return signer.send(platform.functions.updateOffer(offer_id, terms.as_tuple(), min_tier, capacity),
                       f"updating offer {offer_id}")


def withdraw(signer: Signer, platform, offer_id: int):
    return signer.send(platform.functions.withdrawOffer(offer_id), f"withdrawing offer {offer_id}")


def request(signer: Signer, platform, kind: Kind, description_uri: str, description_hash: bytes,
            offer_id: int = 0) -> int:
    """Post a request (for one offer, or for any offer of `kind` with `offer_id` 0); returns its id."""
    what = f"requesting offer {offer_id}" if offer_id else f"requesting a {kind.name.lower()}"
    receipt = signer.send(platform.functions.request(int(kind), description_uri, description_hash, offer_id), what)
    return _new_id(platform, receipt, "RequestPosted", "requestId")


def cancel(signer: Signer, platform, request_id: int):
    return signer.send(platform.functions.cancelRequest(request_id), f"cancelling request {request_id}")


def grant(signer: Signer, platform, request_id: int, offer_id: int, terms_hash: bytes = ZERO_HASH):
    return signer.send(platform.functions.grant(request_id, offer_id, terms_hash),
                       f"granting request {request_id} under offer {offer_id}")


def confirm(signer: Signer, platform, request_id: int, outcome_hash: bytes):
    return signer.send(platform.functions.confirmDelivery(request_id, outcome_hash),
                       f"confirming delivery of request {request_id}")


def dispute(signer: Signer, platform, request_id: int, reason_hash: bytes):
    return signer.send(platform.functions.dispute(request_id, reason_hash), f"disputing request {request_id}")
