"""The demo's technology sharing, from the announcement's actors.

Corporate members named as early contributors offer a model (Alibaba), a dataset (Baidu) and
compute hours (Tencent); Kenya offers a speech dataset under a national licence. Interested
states request them (Malaysia, Indonesia, the UAE; Myanmar as an Observer, allowed by the
compute offer), offerers grant within capacity, requesters confirm deliveries, Bangladesh
disputes one, and Ethiopia and Nigeria leave open requests: the demand side. Alibaba publishes
a second version of its model, and is then promoted Partner -> Full, which needs every
standard of the Full tier *and* confirmed deliveries to a distinct requester.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger.chain.manifest import Manifest
from ledger.chain.transactions import Signer
from ledger.org import pathway, sharing
from ledger.org.cards import read_card, text_content_id
from ledger.org.deploy import send_all
from ledger.org.membership import Tier, find_member
from ledger.org.sharing import Kind, OfferTerms

CARDS = Path(__file__).parents[1] / "data" / "sharing"
URI = "https://share.waico.example"


@dataclass(frozen=True)
class DemoOffer:
    offerer: str  # roster identifier
    kind: Kind
    title: str
    artifact: str  # what the content id hashes (the demo has no real artifact)
    card: str | None
    min_tier: Tier
    capacity: int


OFFERS = [
    DemoOffer("NYSE:BABA", Kind.Model, "Qwen 7B Instruct", "qwen-7b-instruct weights v1.0",
              "qwen-7b-instruct.card.md", Tier.Associate, 5),
    DemoOffer("NASDAQ:BIDU", Kind.Dataset, "Chinese-English parallel corpus", "zh-en parallel corpus 2026",
              "zh-en-parallel-corpus.card.md", Tier.Associate, 3),
    DemoOffer("HKG:0700", Kind.Compute, "20,000 GPU-hours for public-interest training",
              "Tencent Cloud, Shenzhen: 20,000 H20 GPU-hours, 2027", None, Tier.Observer, 4),
    DemoOffer("KEN", Kind.Dataset, "Kiswahili read speech", "kiswahili read speech v1",
              "swahili-speech.card.md", Tier.Associate, 2),
]
# (requester, offer number or None for an open request, kind, description, what happens)
REQUESTS = [
    ("MYS", 1, Kind.Model, "Bahasa Melayu public-service assistant", "confirm"),
    ("IDN", 1, Kind.Model, "Bahasa Indonesia tax helpdesk", "confirm"),
    ("IDN", 2, Kind.Dataset, "Indonesian-Chinese translation for trade offices", "confirm"),
    ("ARE", 3, Kind.Compute, "Arabic LLM fine-tuning run", "confirm"),
    ("MMR", 3, Kind.Compute, "Burmese OCR model training", "grant"),
    ("RWA", 4, Kind.Dataset, "Kinyarwanda-Kiswahili speech recognition", "confirm"),
    ("BGD", 2, Kind.Dataset, "Bangla-Chinese translation", "dispute"),
    ("ETH", None, Kind.Dataset, "Amharic speech and text for public services", "open"),
    ("NGA", None, Kind.Model, "Hausa and Yoruba language model", "open"),
]
PROMOTED = "NYSE:BABA"  # Partner -> Full once it has shared
# every member that acts here (its key signs)
ACTORS = sorted({o.offerer for o in OFFERS} | {r[0] for r in REQUESTS} | {PROMOTED})


@dataclass
class SharingSummary:
    offers: int = 0
    requests: int = 0
    grants: int = 0
    confirmed: int = 0
    disputed: int = 0
    open_requests: int = 0
    promoted: str | None = None  # "Alibaba: Partner -> Full"

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _hash(text: str) -> bytes:
    return bytes.fromhex(text_content_id(text).removeprefix("sha256:"))


def seed(w3, secretariat: Signer, manifest: Manifest, signers: dict[str, Signer]) -> SharingSummary:
    """Run the demo's sharing on the platform; `signers` by roster identifier."""
    platform = manifest.contract(w3, "SharingPlatform")
    membership = manifest.contract(w3, "Membership")
    out = SharingSummary()
    offer_ids, cards = [], {o.card: read_card(CARDS / o.card) for o in OFFERS if o.card}
    for o in OFFERS:
        terms = OfferTerms(o.title, text_content_id(o.artifact),
                           terms_uri=f"{URI}/terms/{o.offerer.lower().replace(':', '-')}",
                           terms_hash=_hash(f"access terms of {o.title}"))
        if o.card:
            card = cards[o.card]
            terms = OfferTerms(terms.title, terms.content_id, f"{URI}/cards/{o.card}", card.sha256,
                               terms.terms_uri, terms.terms_hash)
        offer_ids.append(sharing.offer(signers[o.offerer], platform, o.kind, terms, int(o.min_tier), o.capacity))
    out.offers = len(offer_ids)
    # a new version of the model: new weights, one more grant of capacity; version 1 stays on record
    first = OFFERS[0]
    card = cards[first.card]
    sharing.update(signers[first.offerer], platform, offer_ids[0],
                   OfferTerms(f"{first.title} v1.1", text_content_id("qwen-7b-instruct weights v1.1"),
                              f"{URI}/cards/{first.card}", card.sha256, f"{URI}/terms/nyse-baba",
                              _hash(f"access terms of {first.title}")), int(first.min_tier), first.capacity + 1)

    for requester, number, kind, description, fate in REQUESTS:
        offer_id = offer_ids[number - 1] if number else 0
        rid = sharing.request(signers[requester], platform, kind, f"{URI}/requests/{requester.lower()}",
                              _hash(description), offer_id)
        out.requests += 1
        if fate == "open":
            out.open_requests += 1
            continue
        offerer = OFFERS[number - 1].offerer
        sharing.grant(signers[offerer], platform, rid, offer_id, _hash(f"grant of request {rid}"))
        out.grants += 1
        if fate == "confirm":
            sharing.confirm(signers[requester], platform, rid, _hash(f"{description}: delivered and in use"))
            out.confirmed += 1
        elif fate == "dispute":
            sharing.dispute(signers[requester], platform, rid, _hash(f"{description}: files incomplete"))
            out.disputed += 1

    # the promotion that needed sharing: every Full standard certified, and deliveries confirmed
    member = signers[PROMOTED]
    required = membership.functions.tierRequirements(int(Tier.Full)).call()
    ids = [i for i in range(256) if required >> i & 1]
    send_all(member, [(membership.functions.declareAdoption(i, _hash(f"{PROMOTED} adoption of standard {i}"),
                                                            pathway.ZERO_HASH, ""), f"declaring standard {i}")
                      for i in ids])
    send_all(secretariat, [(membership.functions.certify(member.address, i), f"certifying standard {i}")
                           for i in ids])
    before = find_member(membership, member.address)
    pathway.promote(secretariat, membership, member.address)
    after = find_member(membership, member.address)
    out.promoted = f"{after.name}: {before.tier_name} -> {after.tier_name}"
    return out
