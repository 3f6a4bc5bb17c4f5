"""Property tests: random sequences of sharing by random members keep the platform's rules.

The state machine lets four members, one of each tier, and one non-member offer, update,
withdraw, request, cancel, grant, confirm and dispute, each mostly as the party whose turn it is
and otherwise as another party or anyone, while governance suspends and reinstates them. A
Python model of the platform predicts every call: either it succeeds, or it reverts with the
exact custom error (and arguments) the model names, which pins the order of the checks. So, in
every run:
- a grant succeeds only by the offer's offerer, within capacity (granted never exceeds it), for
  an open request that asked for that offer or any of its kind, to an active requester whose tier
  the offer allows;
- a confirmation succeeds only by the requester, a dispute only by the requester or the offerer;
- a suspended member's every action reverts (SharingNotActiveMember), and so do a grant to it and a
  request for its offer (OfferOffererNotActive);
- an update adds a version and leaves every earlier version's digest as it was;
- each member's record of sharing is the model's: confirmed deliveries, and distinct requesters.
After the steps, every offer, request, version digest and record, and `hasServed` for every
pair a grant joined, is read back and compared with the model.

One rule draws the action among all of them: hypothesis's swarm testing switches rules off for a
whole run, and with a rule per action most runs had no grant or no confirmation at all. Only the
explicit, reuse and generate phases run: with no target to optimise, the `target` phase only
re-ran shortened copies of earlier runs (doubling the time), and shrinking a failing run on chain
took minutes (a broken capacity check, planted to try the test, was found in every run, and
reported as found: about twenty steps, printed in full).

Two more: deliveries among three members (repeats and disputes included) hold every record to
the model, so that confirmations to a requester already served never count twice towards
distinct requesters (a bug planted there is found in the first example); and `promotable`
agrees with `promote` whatever the next tier's standards and sharing minimum, the certifications
and deliveries held, the tier and the standing.
"""

import pytest
from brownie import accounts
from brownie.exceptions import VirtualMachineError
from brownie.test import given, strategy
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tests.contracts.conftest import ASSOCIATE, CORPORATE, FULL, OBSERVER, PARTNER, STATE, fresh_key
from tests.contracts.membership.test_pathway import certified
from tests.contracts.reverts import assert_reverts_with
from tests.contracts.sharing.conftest import (
    ACTIVE, CANCELLED, CONFIRMED, DISPUTED, GRANTED, OPEN, SUSPENDED, offer_state, plain, record, request_state,
    sha, terms, version_digest,
)
from tests.contracts.stateful import state_machine

TIERS = 4
POPULATION = [(STATE, OBSERVER), (STATE, ASSOCIATE), (CORPORATE, PARTNER), (STATE, FULL)]


class Offer:
    def __init__(self, offerer, kind, min_tier, capacity, digest):
        self.offerer, self.kind, self.min_tier, self.capacity = offerer, kind, min_tier, capacity
        self.withdrawn, self.granted, self.versions = False, 0, [digest]

    def state(self):
        return (self.offerer, self.kind, self.min_tier, self.withdrawn, self.capacity, self.granted,
                len(self.versions))


class Request:
    def __init__(self, requester, kind, offer_id):
        self.requester, self.kind, self.offer_id = requester, kind, offer_id
        self.status, self.granted_offer = OPEN, 0

    def state(self):
        return (self.requester, self.kind, self.status, self.offer_id, self.granted_offer)


class SharingMachine:
    # who: 0..9 over four members and the non-member; pick/other: an offer or request (mostly
    # one that exists); honest: the party whose turn it is (else, by `side`, another party or anyone)
    st_who = st.integers(0, 9)
    st_pick = st.integers(0, 63)
    st_kind = st.integers(0, 4)
    st_tier = st.sampled_from([0, 0, 1, 2, 3, 4])  # 4: not a tier
    st_capacity = st.sampled_from([0, 1, 1, 1, 2])  # 0: refused
    st_honest = st.sampled_from([True, True, False])  # mostly the party whose turn it is
    st_side = st.integers(0, 2)
    st_action = st.sampled_from(["offer", "offer", "update", "withdraw", "request", "request", "request", "cancel",
                                 "grant", "grant", "grant", "grant", "confirm", "confirm", "confirm", "dispute",
                                 "suspend", "reinstate"])
    # (offerer 0..3, kind, lowest tier, capacity) of the first offers, each valid, and for each
    # requests by two members (4: none)
    st_seed = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4), st.integers(0, 2), st.integers(1, 2),
                                 st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=3)

    def __init__(cls, sharing, membership, admin, people, tiers):
        cls.sharing, cls.membership, cls.admin = sharing, membership, admin
        cls.people = people  # the members, then a non-member
        cls.tiers = tiers  # address -> tier (no rule changes tiers)
        cls.by_address = {p.address: p for p in people}

    def setup(self):
        self.status = {p.address: ACTIVE for p in self.people[:-1]}
        self.offers: list[Offer] = []
        self.requests: list[Request] = []
        self.records = {p.address: [0, 0] for p in self.people}
        self.served = set()  # (offerer, requester)
        self.n = 0

    # -------------------------------------------------------------- model

    def account(self, address):
        return self.by_address[address]

    def _who(self, who):
        return self.people[who % len(self.people)]

    def _active(self, address):
        return self.status.get(address) == ACTIVE

    def _offer_id(self, pick):
        """An offer id: mostly one that exists, sometimes one that does not (0 or past the last)."""
        if not self.offers or pick % 8 == 0:
            return 0 if pick % 16 == 0 else len(self.offers) + 1
        return 1 + pick % len(self.offers)

    def _request_id(self, pick):
        if not self.requests or pick % 8 == 0:
            return 0 if pick % 16 == 0 else len(self.requests) + 1
        return 1 + pick % len(self.requests)

    def _granted(self, pick):
        """Mostly a granted request, if there is one; else any id (unknown ones too)."""
        granted = [i for i, r in enumerate(self.requests, start=1) if r.status == GRANTED]
        return granted[pick % len(granted)] if granted and pick % 8 else self._request_id(pick)

    def _open_offer(self, offer_id):
        if offer_id == 0 or offer_id > len(self.offers):
            return ("OfferUnknown", (offer_id,))
        if self.offers[offer_id - 1].withdrawn:
            return ("OfferWithdrawnAlready", (offer_id,))
        return None

    def _own_open_offer(self, offer_id, caller):
        error = self._open_offer(offer_id)
        if error:
            return error
        if self.offers[offer_id - 1].offerer != caller:
            return ("OfferNotOfferer", (offer_id, caller))
        if not self._active(caller):
            return ("SharingNotActiveMember", (caller,))
        return None

    def _eligible(self, offer_id, requester, kind):
        o = self.offers[offer_id - 1]
        if o.offerer == requester:
            return ("OfferOwnRequest", (offer_id,))
        if o.kind != kind:
            return ("OfferKindMismatch", (offer_id, o.kind, kind))
        if self.tiers[requester] < o.min_tier:
            return ("OfferTierTooLow", (offer_id, o.min_tier, self.tiers[requester]))
        return None

    def _request(self, request_id, expected):
        if request_id == 0 or request_id > len(self.requests):
            return ("RequestUnknown", (request_id,))
        status = self.requests[request_id - 1].status
        if status != expected:
            return ("RequestWrongStatus", (request_id, status))
        return None

    def _call(self, error, fn, *args, caller):
        """Refused with `error` (name, arguments) if there is one; else sent and returned."""
        if error:
            assert_reverts_with(error[0], fn, *args, {"from": caller}, error_args=error[1])
            return None
        return fn(*args, {"from": caller})

    def _check_offer(self, offer_id):
        o = self.offers[offer_id - 1]
        assert offer_state(self.sharing, offer_id) == o.state()
        assert o.granted <= o.capacity

    # -------------------------------------------------------------- rules

    def initialize_offers(self, seed="st_seed"):
        """Every run starts with an offer or more by active members, and requests for them, so
        that grants, confirmations and full capacities can happen early."""
        for who, kind, min_tier, capacity, *requesters in seed:
            self._offer(who, kind, min_tier, capacity)
            for requester in requesters:
                if requester < len(POPULATION):
                    self._post(self.people[requester], kind, len(self.offers))

    def rule_act(self, action="st_action", who="st_who", pick="st_pick", other="st_pick", kind="st_kind",
                 min_tier="st_tier", capacity="st_capacity", honest="st_honest", side="st_side"):
        """One action, drawn with the arguments it may use (a single rule: see the module's notes)."""
        if action == "offer":
            self._offer(who, kind, min_tier, capacity)
        elif action == "update":
            self._update(pick, honest, who, min_tier, capacity)
        elif action == "withdraw":
            self._withdraw(pick, honest, who)
        elif action == "request":
            self._ask(who, kind, pick, other % 4 != 0, honest)
        elif action == "cancel":
            self._cancel(pick, honest, who)
        elif action == "grant":
            self._grant(pick, other, honest, who, side)
        elif action == "confirm":
            self._confirm(pick, honest, who, side)
        elif action == "dispute":
            self._dispute(pick, side, who)
        elif action == "suspend":
            self._suspend(who)
        else:
            self._reinstate(who)

    def _offer(self, who, kind, min_tier, capacity):
        caller = self._who(who)
        self.n += 1
        t = terms(self.n)
        error = None
        if not self._active(caller.address):
            error = ("SharingNotActiveMember", (caller.address,))
        elif capacity == 0:
            error = ("OfferCapacityTooLow", (0, 0))
        elif min_tier >= TIERS:
            error = ("OfferTierUnknown", (min_tier,))
        tx = self._call(error, self.sharing.offer, kind, t, min_tier, capacity, caller=caller)
        if tx:
            self.offers.append(Offer(caller.address, kind, min_tier, capacity,
                                     version_digest(kind, min_tier, capacity, t)))
            assert tx.return_value == len(self.offers)
            assert self.sharing.offerVersion(len(self.offers), 1) == self.offers[-1].versions[0]
            self._check_offer(len(self.offers))

    def _update(self, pick, honest, who, min_tier, capacity):
        offer_id = self._offer_id(pick)
        known = 0 < offer_id <= len(self.offers)
        caller = self._who(who)
        if honest and known:
            caller = self.account(self.offers[offer_id - 1].offerer)
        self.n += 1
        t = terms(self.n)
        error = self._own_open_offer(offer_id, caller.address)
        if not error:
            o = self.offers[offer_id - 1]
            if capacity == 0 or capacity < o.granted:
                error = ("OfferCapacityTooLow", (capacity, o.granted))
            elif min_tier >= TIERS:
                error = ("OfferTierUnknown", (min_tier,))
        if self._call(error, self.sharing.updateOffer, offer_id, t, min_tier, capacity, caller=caller):
            o.min_tier, o.capacity = min_tier, capacity
            o.versions.append(version_digest(o.kind, min_tier, capacity, t))
            for version, digest in enumerate(o.versions, start=1):  # the earlier ones too
                assert self.sharing.offerVersion(offer_id, version) == digest
            self._check_offer(offer_id)

    def _withdraw(self, pick, honest, who):
        offer_id = self._offer_id(pick)
        caller = self._who(who)
        if honest and 0 < offer_id <= len(self.offers):
            caller = self.account(self.offers[offer_id - 1].offerer)
        error = self._own_open_offer(offer_id, caller.address)
        if self._call(error, self.sharing.withdrawOffer, offer_id, caller=caller):
            self.offers[offer_id - 1].withdrawn = True
            self._check_offer(offer_id)

    def _ask(self, who, kind, pick, for_offer, honest):
        """Honest: an active member asks for an open offer its tier allows (or, `for_offer` false,
        for any offer of a kind on offer). Otherwise anyone asks for any offer id, of any kind."""
        caller = self._who(who)
        offer_id = self._offer_id(pick) if for_offer else 0
        if honest:
            fits = [(m, i) for m in self.people[:-1] for i, o in enumerate(self.offers, start=1)
                    if self._active(m.address) and not self._open_offer(i) and self._active(o.offerer)
                    and not self._eligible(i, m.address, o.kind)]
            if fits:
                caller, offer_id = fits[(who * 64 + pick) % len(fits)]
                kind = self.offers[offer_id - 1].kind
                offer_id = offer_id if for_offer else 0
        self._post(caller, kind, offer_id)

    def _post(self, caller, kind, offer_id):
        error = None
        if not self._active(caller.address):
            error = ("SharingNotActiveMember", (caller.address,))
        elif offer_id:
            error = self._open_offer(offer_id) or self._eligible(offer_id, caller.address, kind)
            offerer = None if error else self.offers[offer_id - 1].offerer
            if offerer and not self._active(offerer):
                error = ("OfferOffererNotActive", (offer_id, offerer))
        self.n += 1
        tx = self._call(error, self.sharing.request, kind, f"ipfs://r{self.n}", sha(f"r{self.n}"), offer_id,
                        caller=caller)
        if tx:
            self.requests.append(Request(caller.address, kind, offer_id))
            assert tx.return_value == len(self.requests)

    def _cancel(self, pick, honest, who):
        request_id = self._request_id(pick)
        caller = self._who(who)
        if honest and 0 < request_id <= len(self.requests):
            caller = self.account(self.requests[request_id - 1].requester)
        error = self._request(request_id, OPEN)
        if not error and self.requests[request_id - 1].requester != caller.address:
            error = ("RequestNotRequester", (request_id, caller.address))
        if not error and not self._active(caller.address):
            error = ("SharingNotActiveMember", (caller.address,))
        if self._call(error, self.sharing.cancelRequest, request_id, caller=caller):
            self.requests[request_id - 1].status = CANCELLED

    def _grant(self, request_pick, offer_pick, honest, who, side):
        """Honest: an open request of an active member, under an open offer of an active offerer
        that it may be granted (capacity aside: that is for the contract to refuse), by that
        offerer. Otherwise any request under any offer, by (`side`) the offer's offerer, the
        requester, or anyone."""
        request_id = self._request_id(request_pick)
        offer_id = self._offer_id(offer_pick)
        caller = self._who(who)
        if honest:
            fits = [(j, i) for j, r in enumerate(self.requests, start=1) if r.status == OPEN
                    and self._active(r.requester)
                    for i, o in enumerate(self.offers, start=1) if r.offer_id in (0, i)
                    and not self._open_offer(i) and self._active(o.offerer)
                    and not self._eligible(i, r.requester, r.kind)]
            if fits:
                request_id, offer_id = fits[(request_pick * 64 + offer_pick) % len(fits)]
            side = 0
        if side == 0 and 0 < offer_id <= len(self.offers):
            caller = self.account(self.offers[offer_id - 1].offerer)
        elif side == 1 and 0 < request_id <= len(self.requests):
            caller = self.account(self.requests[request_id - 1].requester)
        error = self._own_open_offer(offer_id, caller.address) or self._request(request_id, OPEN)
        if not error:
            r, o = self.requests[request_id - 1], self.offers[offer_id - 1]
            if r.offer_id not in (0, offer_id):
                error = ("RequestForOtherOffer", (request_id, r.offer_id))
            elif not self._active(r.requester):
                error = ("SharingNotActiveMember", (r.requester,))
            else:
                error = self._eligible(offer_id, r.requester, r.kind)
            if not error and o.granted >= o.capacity:
                error = ("OfferCapacityReached", (offer_id, o.capacity))
        tx = self._call(error, self.sharing.grant, request_id, offer_id, sha(f"grant {request_id}"), caller=caller)
        if tx:
            o.granted += 1
            r.status, r.granted_offer = GRANTED, offer_id
            assert plain(tx.events["RequestGranted"][0])["granted"] == o.granted
            self._check_offer(offer_id)
            assert request_state(self.sharing, request_id) == r.state()

    def _confirm(self, pick, honest, who, side):
        """A granted request (mostly), confirmed by its requester (honest) or by (`side`) the
        offerer that granted it, or anyone."""
        request_id = self._granted(pick)
        caller = self._who(who)
        if 0 < request_id <= len(self.requests):
            r = self.requests[request_id - 1]
            if honest:
                caller = self.account(r.requester)
            elif side == 0 and r.granted_offer:
                caller = self.account(self.offers[r.granted_offer - 1].offerer)
        error = self._request(request_id, GRANTED)
        if not error and self.requests[request_id - 1].requester != caller.address:
            error = ("RequestNotRequester", (request_id, caller.address))
        if not error and not self._active(caller.address):
            error = ("SharingNotActiveMember", (caller.address,))
        tx = self._call(error, self.sharing.confirmDelivery, request_id, sha(f"outcome {request_id}"), caller=caller)
        if tx:
            r.status = CONFIRMED
            offerer = self.offers[r.granted_offer - 1].offerer
            rec = self.records[offerer]
            rec[0] += 1
            if (offerer, r.requester) not in self.served:
                self.served.add((offerer, r.requester))
                rec[1] += 1
            assert record(self.sharing, offerer) == tuple(rec)
            assert self.membership.sharingOf(offerer) == rec[1]

    def _dispute(self, pick, side, who):
        """A granted request (mostly), disputed by (`side`) its requester, the offerer that
        granted it, or anyone."""
        request_id = self._granted(pick)
        caller = self._who(who)
        error = self._request(request_id, GRANTED)
        if not error:
            r = self.requests[request_id - 1]
            offerer = self.offers[r.granted_offer - 1].offerer
            caller = [self.account(r.requester), self.account(offerer), caller][side]
            if caller.address not in (r.requester, offerer):
                error = ("RequestNotParty", (request_id, caller.address))
            elif not self._active(caller.address):
                error = ("SharingNotActiveMember", (caller.address,))
        if self._call(error, self.sharing.dispute, request_id, sha(f"dispute {request_id}"), caller=caller):
            self.requests[request_id - 1].status = DISPUTED

    def _suspend(self, who):
        member = self.people[who % (len(self.people) - 1)].address
        if self.status[member] != ACTIVE:
            assert_reverts_with("MemberNotActive", self.membership.suspend, member, {"from": self.admin})
            return
        self.membership.suspend(member, {"from": self.admin})
        self.status[member] = SUSPENDED

    def _reinstate(self, who):
        member = self.people[who % (len(self.people) - 1)].address
        if self.status[member] != SUSPENDED:
            assert_reverts_with("MemberNotSuspended", self.membership.reinstate, member, {"from": self.admin})
            return
        self.membership.reinstate(member, {"from": self.admin})
        self.status[member] = ACTIVE

    # -------------------------------------------------------------- the whole state, read back

    def teardown(self):
        sharing = self.sharing
        assert sharing.offerCount() == len(self.offers)
        assert sharing.requestCount() == len(self.requests)
        for offer_id, o in enumerate(self.offers, start=1):
            self._check_offer(offer_id)
            for version, digest in enumerate(o.versions, start=1):
                assert sharing.offerVersion(offer_id, version) == digest
        for request_id, r in enumerate(self.requests, start=1):
            assert request_state(sharing, request_id) == r.state()
        grants = [r for r in self.requests if r.granted_offer]
        for offer_id, o in enumerate(self.offers, start=1):  # each grant counted on its own offer
            assert o.granted == sum(1 for r in grants if r.granted_offer == offer_id)
        for p in self.people:
            assert record(sharing, p.address) == tuple(self.records[p.address])
        # every pair a grant joined (served or not), and a pair none did
        pairs = {(self.offers[r.granted_offer - 1].offerer, r.requester) for r in grants}
        pairs.add((self.people[0].address, self.people[1].address))
        for offerer, requester in pairs:
            assert sharing.hasServed(offerer, requester) == ((offerer, requester) in self.served)


def test_sharing_keeps_its_rules_under_random_actions(sharing, membership, admin, admit, outsider):
    people, tiers = [], {}
    for kind, tier in POPULATION:
        account = accounts.add(fresh_key())
        admit(kind, tier, account=account.address)
        people.append(account)
        tiers[account.address] = tier
    people.append(outsider)
    tiers[outsider.address] = 0
    # hypothesis's first runs stop after few steps, if any (tests/contracts/stateful.py); the rest
    # are runs of up to 40 steps
    state_machine(
        SharingMachine, sharing, membership, admin, people, tiers,
        settings={"max_examples": 24, "stateful_step_count": 40,
                  "phases": [Phase.explicit, Phase.reuse, Phase.generate]},
        min_steps=150,  # fresh here: 514 and 517 in one round (with 14 examples: 24 to 141)
    )



@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(deliveries=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from(["confirm", "dispute"])),
                           min_size=3, max_size=6))
def test_records_count_confirmations_and_distinct_requesters(sharing, membership, member, share, deliveries):
    """Deliveries among three members, each confirmed or disputed: every member's record is
    (confirmed deliveries it made, distinct requesters that confirmed them), whatever the order,
    the repeats and the disputes."""
    people = [member(tier) for tier in (OBSERVER, PARTNER, FULL)]
    expected = {p.address: [0, 0] for p in people}
    served = set()
    for offerer, requester, outcome in deliveries:
        if offerer == requester:
            requester = (requester + 1) % 3
        a, b = people[offerer], people[requester]
        offer_id = share.offer(a)  # minTier 0: the Observer may ask too
        request_id = share.request(b, offer_id=offer_id)
        share.grant(a, request_id, offer_id)
        if outcome == "dispute":
            sharing.dispute(request_id, sha("dispute"), {"from": b})
            continue
        share.confirm(b, request_id)
        expected[a.address][0] += 1
        if (a.address, b.address) not in served:
            served.add((a.address, b.address))
            expected[a.address][1] += 1
    for p in people:
        assert record(sharing, p) == tuple(expected[p.address])
        assert membership.sharingOf(p) == expected[p.address][1]
    for a in people:
        for b in people:
            assert sharing.hasServed(a, b) == ((a.address, b.address) in served)


# ------------------------------------------------------------------ promotable agrees with promote


@settings(max_examples=16, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    tier=strategy("uint8", max_value=3),
    required=strategy("uint8", max_value=3),  # a bitmap of standards 0 and 1
    held=strategy("uint8", max_value=3),
    sharing_required=strategy("uint8", max_value=2),
    delivered=strategy("uint8", max_value=2),
    suspended=strategy("bool"),
)
def test_promotable_agrees_with_promote(membership, admin, verifier, sharing, share, standards, member,
                                        outsider, tier, required, held, sharing_required, delivered,
                                        suspended):
    account = member(tier)
    next_tier = min(tier + 1, FULL)
    if tier < FULL:
        membership.setTierRequirements(next_tier, required, {"from": admin})
        membership.setTierSharingRequirement(next_tier, sharing_required, {"from": admin})
    certified(membership, verifier, account, *(i for i in (0, 1) if held >> i & 1))
    for _ in range(delivered):
        share.delivered(account, member())
    if suspended:
        membership.suspend(account, {"from": admin})
    earned = plain(membership.promotable(account))
    expected = (not suspended and tier < FULL and (required or sharing_required)
                and required & ~held == 0 and delivered >= sharing_required)
    assert earned[0] == bool(expected)
    if earned[0]:
        membership.promote(account, {"from": outsider})
        assert membership.member(account)[1] == tier + 1
    else:
        with pytest.raises(VirtualMachineError):
            membership.promote(account, {"from": outsider})
        assert membership.member(account)[1] == tier
