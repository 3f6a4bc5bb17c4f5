"""Fixtures for the SharingPlatform tests: the platform deployed against the shared Membership
and made its record of sharing, members that hold keys (they act themselves), and the values
an offer, a request and an offer version's digest are made of."""

import hashlib

import pytest
from brownie import SharingPlatform, accounts, web3
from eth_abi import encode

from tests.contracts.conftest import FULL, STATE, fresh_key
from tests.contracts.membership.conftest import event, plain  # noqa: F401 (the sharing tests import them from here)
from tests.contracts.membership.conftest import standards  # noqa: F401 (a fixture: three registered standards)

# SharingPlatform.Kind and SharingPlatform.RequestStatus
MODEL, DATASET, COMPUTE, TOOL, EXPERTISE = range(5)
KINDS = (MODEL, DATASET, COMPUTE, TOOL, EXPERTISE)
NONE, OPEN, GRANTED, CONFIRMED, DISPUTED, CANCELLED = range(6)
# Membership.Status
ACTIVE, SUSPENDED, EXPELLED = 1, 2, 3

TERMS_TYPE = "(string,string,string,bytes32,string,bytes32)"
ZERO32 = "0x" + "00" * 32


def sha(text: str) -> str:
    """SHA-256 of `text`, as a 0x-prefixed bytes32."""
    return "0x" + hashlib.sha256(text.encode()).hexdigest()


def terms(n: int = 1, title: str | None = None, content_id: str | None = None) -> tuple:
    """An OfferTerms tuple: (title, contentId, cardURI, cardHash, termsURI, termsHash)."""
    return (
        f"Offer {n}" if title is None else title,
        "sha256:" + sha(f"artifact {n}")[2:] if content_id is None else content_id,
        f"ipfs://card-{n}",
        sha(f"card {n}"),
        f"ipfs://terms-{n}",
        sha(f"terms {n}"),
    )


def version_digest(kind: int, min_tier: int, capacity: int, offer_terms: tuple) -> str:
    """What `offerVersion` keeps: keccak256(abi.encode(kind, minTier, capacity, terms))."""
    title, content_id, card_uri, card_hash, terms_uri, terms_hash = offer_terms
    encoded = encode(
        ["uint8", "uint8", "uint32", TERMS_TYPE],
        [kind, min_tier, capacity,
         (title, content_id, card_uri, bytes.fromhex(card_hash[2:]), terms_uri, bytes.fromhex(terms_hash[2:]))],
    )
    return "0x" + bytes(web3.keccak(encoded)).hex()


@pytest.fixture(scope="module")
def sharing(membership, admin):
    """The platform, made the pathway's record of sharing (as the deployment wires it)."""
    platform = SharingPlatform.deploy(membership, {"from": admin})
    membership.setSharingRecord(platform, {"from": admin})
    return platform


@pytest.fixture(scope="module")
def member(admit):
    """Admit a member that holds a key; returns its account."""

    def _member(tier=FULL, kind=STATE):
        account = accounts.add(fresh_key())
        admit(kind, tier, account=account.address)
        return account

    return _member


class Share:
    """The platform's actions with default arguments, so that a test names only what it is about."""

    def __init__(self, sharing):
        self.sharing = sharing
        self.n = 0

    def offer(self, who, kind=MODEL, min_tier=0, capacity=2, offer_terms=None):
        self.n += 1
        tx = self.sharing.offer(kind, offer_terms or terms(self.n), min_tier, capacity, {"from": who})
        return tx.return_value

    def request(self, who, kind=MODEL, offer_id=0, n=1):
        tx = self.sharing.request(kind, f"ipfs://request-{n}", sha(f"request {n}"), offer_id, {"from": who})
        return tx.return_value

    def grant(self, who, request_id, offer_id, n=1):
        return self.sharing.grant(request_id, offer_id, sha(f"grant {n}"), {"from": who})

    def confirm(self, who, request_id, n=1):
        return self.sharing.confirmDelivery(request_id, sha(f"outcome {n}"), {"from": who})

    def delivered(self, offerer, requester, offer_id=None, kind=MODEL):
        """One delivery from `offerer` to `requester`, confirmed; returns the request id."""
        offer_id = offer_id or self.offer(offerer, kind)
        request_id = self.request(requester, kind, offer_id)
        self.grant(offerer, request_id, offer_id)
        self.confirm(requester, request_id)
        return request_id


@pytest.fixture(scope="module")
def share(sharing):
    return Share(sharing)


def offer_state(sharing, offer_id) -> tuple:
    """getOffer as (offerer, kind, minTier, withdrawn, capacity, granted, version)."""
    return plain(sharing.getOffer(offer_id))


def record(sharing, account) -> tuple:
    """sharingRecord as (confirmed, distinctRequesters)."""
    return plain(sharing.sharingRecord(account))


def request_state(sharing, request_id) -> tuple:
    """getRequest as (requester, kind, status, offerId, grantedOffer)."""
    return plain(sharing.getRequest(request_id))
