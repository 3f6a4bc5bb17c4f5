// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMembership} from "./interfaces/IMembership.sol";
import {ISharingRecord} from "./interfaces/ISharingRecord.sol";

/// @title SharingPlatform
/// @notice The technology-sharing platform: members offer models, datasets, compute, tools and
/// expertise; members request them; an offerer grants requests within its offer's capacity; the
/// requester confirms the delivery (or either side flags a dispute). Artifacts stay off chain:
/// the ledger keeps identifiers, hashes and state changes, and every change is an event.
///
/// Only active members act (suspended and expelled members cannot). A request for an offer, and
/// a grant, need the requester's tier to be at least the offer's lowest tier, so an Observer can
/// request what its tier is allowed. Offers keep every version: an update adds one (its digest is
/// kept on chain, its fields are in the event), it never rewrites an earlier one.
///
/// Each member's record of confirmed deliveries to distinct requesters is what the membership
/// pathway reads ({ISharingRecord}); it only grows. The platform has no admin: nobody can edit,
/// grant or confirm for a member.
contract SharingPlatform is ISharingRecord {
    /// @notice What is shared.
    enum Kind {
        Model,
        Dataset,
        Compute,
        Tool,
        Expertise
    }

    /// @notice Where a request stands.
    enum RequestStatus {
        None,
        Open,
        Granted,
        Confirmed,
        Disputed,
        Cancelled
    }

    /// @notice The published fields of one version of an offer.
    /// @param title Short human title.
    /// @param contentId `sha256:<hex>` of the artifact, a SWHID (`swh:1:...`) for source code, or
    /// for compute and expertise the `sha256:` of its description.
    /// @param cardURI Where the card (Hugging Face card format for models and datasets) is published.
    /// @param cardHash SHA-256 of the card file.
    /// @param termsURI Where the access terms are published.
    /// @param termsHash SHA-256 of the access terms.
    struct OfferTerms {
        string title;
        string contentId;
        string cardURI;
        bytes32 cardHash;
        string termsURI;
        bytes32 termsHash;
    }

    /// @notice An offer's state.
    struct Offer {
        address offerer;
        Kind kind;
        uint8 minTier;
        bool withdrawn;
        uint32 capacity;
        uint32 granted;
        uint32 version;
    }

    /// @notice A request's state. `offerId` is the offer asked for (0: any offer of `kind`);
    /// `grantedOffer` the offer it was granted under (0 until granted).
    struct Request {
        address requester;
        Kind kind;
        RequestStatus status;
        uint256 offerId;
        uint256 grantedOffer;
    }

    /// @notice A member's record of sharing: confirmed deliveries, and to how many requesters.
    struct Record {
        uint32 confirmed;
        uint32 distinctRequesters;
    }

    /// @notice The membership whose active members may act, and whose tiers gate requests.
    IMembership public immutable membership;

    Offer[] private _offers; // offer id = index + 1
    mapping(uint256 offerId => bytes32[] digests) private _versions;
    Request[] private _requests; // request id = index + 1
    mapping(address account => Record) private _records;
    mapping(address offerer => mapping(address requester => bool)) private _served;

    /// @notice An offer was published (`version` 1) or updated (a new version).
    event OfferPublished(
        uint256 indexed offerId,
        address indexed offerer,
        uint32 version,
        Kind kind,
        uint8 minTier,
        uint32 capacity,
        string title,
        string contentId,
        string cardURI,
        bytes32 cardHash,
        string termsURI,
        bytes32 termsHash
    );
    /// @notice An offer was withdrawn: no more grants under it (granted requests go on).
    event OfferWithdrawn(uint256 indexed offerId, address indexed offerer);
    /// @notice A member posted a request, for one offer or (`offerId` 0) for any offer of `kind`.
    event RequestPosted(
        uint256 indexed requestId,
        address indexed requester,
        uint256 indexed offerId,
        Kind kind,
        string descriptionURI,
        bytes32 descriptionHash
    );
    /// @notice The requester cancelled its open request.
    event RequestCancelled(uint256 indexed requestId, address indexed requester);
    /// @notice An offerer granted a request under one of its offers; `granted` of `capacity` used.
    event RequestGranted(
        uint256 indexed requestId,
        uint256 indexed offerId,
        address indexed offerer,
        address requester,
        bytes32 termsHash,
        uint32 granted,
        uint32 capacity
    );
    /// @notice The requester confirmed the delivery; the offerer's record after it.
    event DeliveryConfirmed(
        uint256 indexed requestId,
        address indexed requester,
        address indexed offerer,
        uint256 offerId,
        bytes32 outcomeHash,
        uint32 confirmed,
        uint32 distinctRequesters
    );
    /// @notice The requester or the offerer flagged a dispute over a granted request.
    event DeliveryDisputed(uint256 indexed requestId, address indexed by, bytes32 reasonHash);

    /// @notice The caller is not an active member.
    error SharingNotActiveMember(address account);
    /// @notice There is no offer with this id.
    error OfferUnknown(uint256 offerId);
    /// @notice Only the offer's offerer may do this.
    error OfferNotOfferer(uint256 offerId, address caller);
    /// @notice The offer has no such version (versions count from 1 to the offer's `version`).
    error OfferVersionUnknown(uint256 offerId, uint32 version);
    /// @notice The offer was withdrawn.
    error OfferWithdrawnAlready(uint256 offerId);
    /// @notice An offer needs a title and a content identifier.
    error OfferIncomplete();
    /// @notice The lowest tier that may request must be a tier of the membership.
    error OfferTierUnknown(uint8 tier);
    /// @notice A capacity below what was already granted (or zero) is not allowed.
    error OfferCapacityTooLow(uint32 capacity, uint32 granted);
    /// @notice Every grant the offer's capacity allows was made.
    error OfferCapacityReached(uint256 offerId, uint32 capacity);
    /// @notice The request's kind is not the offer's.
    error OfferKindMismatch(uint256 offerId, Kind offerKind, Kind requestKind);
    /// @notice The requester's tier is below the offer's lowest tier.
    error OfferTierTooLow(uint256 offerId, uint8 minTier, uint8 tier);
    /// @notice A member cannot request or be granted its own offer.
    error OfferOwnRequest(uint256 offerId);
    /// @notice The offer's offerer is suspended or expelled: it could not grant a request for it.
    error OfferOffererNotActive(uint256 offerId, address offerer);
    /// @notice There is no request with this id.
    error RequestUnknown(uint256 requestId);
    /// @notice The request is not in the state this action needs.
    error RequestWrongStatus(uint256 requestId, RequestStatus status);
    /// @notice Only the requester may do this.
    error RequestNotRequester(uint256 requestId, address caller);
    /// @notice The request asked for another offer.
    error RequestForOtherOffer(uint256 requestId, uint256 offerId);
    /// @notice Only the requester or the offerer that granted the request may flag a dispute.
    error RequestNotParty(uint256 requestId, address caller);

    /// @param membership_ The membership whose members share.
    constructor(IMembership membership_) {
        membership = membership_;
    }

    // ------------------------------------------------------------------ offers

    /// @notice The caller, an active member, publishes an offer; returns its id (from 1).
    /// @param kind What is offered.
    /// @param terms Title, content identifier, card and access terms (see {OfferTerms}).
    /// @param minTier The lowest tier that may request it (0: Observers too).
    /// @param capacity How many grants it can serve (at least 1).
    function offer(
        Kind kind,
        OfferTerms calldata terms,
        uint8 minTier,
        uint32 capacity
    ) external returns (uint256 offerId) {
        _activeTier(msg.sender);
        if (capacity == 0) revert OfferCapacityTooLow(capacity, 0);
        _offers.push(Offer(msg.sender, kind, minTier, false, capacity, 0, 0));
        offerId = _offers.length;
        _publish(offerId, _offers[offerId - 1], terms, minTier, capacity);
    }

    /// @notice The offerer publishes a new version of its offer: new terms (a new content id, say),
    /// lowest tier and capacity (not below the grants made). Earlier versions stay on record.
    function updateOffer(uint256 offerId, OfferTerms calldata terms, uint8 minTier, uint32 capacity) external {
        Offer storage o = _ownOpenOffer(offerId);
        if (capacity == 0 || capacity < o.granted) revert OfferCapacityTooLow(capacity, o.granted);
        _publish(offerId, o, terms, minTier, capacity);
    }

    /// @notice The offerer withdraws its offer: no more requests for it or grants under it.
    /// Requests already granted go on to confirmation or dispute.
    function withdrawOffer(uint256 offerId) external {
        Offer storage o = _ownOpenOffer(offerId);
        o.withdrawn = true;
        emit OfferWithdrawn(offerId, msg.sender);
    }

    // ------------------------------------------------------------------ requests

    /// @notice The caller, an active member, posts a request; returns its id (from 1).
    /// @param kind What is asked for.
    /// @param descriptionURI Where the request's description is published.
    /// @param descriptionHash SHA-256 of the description.
    /// @param offerId The offer asked for, or 0 for any offer of `kind`. An offer asked for must be
    /// open, of `kind`, not the caller's, allow the caller's tier, and have an active offerer.
    function request(
        Kind kind,
        string calldata descriptionURI,
        bytes32 descriptionHash,
        uint256 offerId
    ) external returns (uint256 requestId) {
        uint8 tier = _activeTier(msg.sender);
        if (offerId != 0) {
            Offer storage o = _openOffer(offerId);
            _checkEligible(offerId, o, msg.sender, kind, tier);
            // slither-disable-next-line unused-return the offerer's standing only: its tier does not matter here
            (IMembership.Status status, ) = membership.standing(o.offerer);
            if (status != IMembership.Status.Active) revert OfferOffererNotActive(offerId, o.offerer);
        }
        _requests.push(Request(msg.sender, kind, RequestStatus.Open, offerId, 0));
        requestId = _requests.length;
        emit RequestPosted(requestId, msg.sender, offerId, kind, descriptionURI, descriptionHash);
    }

    /// @notice The requester cancels its open request.
    function cancelRequest(uint256 requestId) external {
        Request storage r = _request(requestId, RequestStatus.Open);
        if (r.requester != msg.sender) revert RequestNotRequester(requestId, msg.sender);
        _activeTier(msg.sender);
        r.status = RequestStatus.Cancelled;
        emit RequestCancelled(requestId, msg.sender);
    }

    /// @notice The offerer grants an open request under its offer `offerId`, within the offer's
    /// capacity. The request must ask for this offer or for any offer of its kind, and the
    /// requester must still be an active member of a tier the offer allows.
    /// @param termsHash SHA-256 of the terms of this grant (a licence signed, an allocation).
    function grant(uint256 requestId, uint256 offerId, bytes32 termsHash) external {
        Offer storage o = _ownOpenOffer(offerId);
        Request storage r = _request(requestId, RequestStatus.Open);
        if (r.offerId != 0 && r.offerId != offerId) revert RequestForOtherOffer(requestId, r.offerId);
        _checkEligible(offerId, o, r.requester, r.kind, _activeTier(r.requester));
        if (o.granted >= o.capacity) revert OfferCapacityReached(offerId, o.capacity);
        uint32 granted = ++o.granted;
        r.status = RequestStatus.Granted;
        r.grantedOffer = offerId;
        emit RequestGranted(requestId, offerId, msg.sender, r.requester, termsHash, granted, o.capacity);
    }

    /// @notice The requester confirms that the granted request was delivered. It counts on the
    /// offerer's record of sharing.
    /// @param outcomeHash SHA-256 of what was received and how it was used.
    function confirmDelivery(uint256 requestId, bytes32 outcomeHash) external {
        Request storage r = _request(requestId, RequestStatus.Granted);
        if (r.requester != msg.sender) revert RequestNotRequester(requestId, msg.sender);
        _activeTier(msg.sender);
        r.status = RequestStatus.Confirmed;
        address offerer = _offers[r.grantedOffer - 1].offerer;
        Record storage rec = _records[offerer];
        ++rec.confirmed;
        if (!_served[offerer][msg.sender]) {
            _served[offerer][msg.sender] = true;
            ++rec.distinctRequesters;
        }
        emit DeliveryConfirmed(
            requestId, msg.sender, offerer, r.grantedOffer, outcomeHash, rec.confirmed, rec.distinctRequesters
        );
    }

    /// @notice The requester or the offerer flags a dispute over a granted request instead of a
    /// confirmation; it does not count on the offerer's record.
    /// @param reasonHash SHA-256 of the statement of the dispute.
    function dispute(uint256 requestId, bytes32 reasonHash) external {
        Request storage r = _request(requestId, RequestStatus.Granted);
        if (msg.sender != r.requester && msg.sender != _offers[r.grantedOffer - 1].offerer) {
            revert RequestNotParty(requestId, msg.sender);
        }
        _activeTier(msg.sender);
        r.status = RequestStatus.Disputed;
        emit DeliveryDisputed(requestId, msg.sender, reasonHash);
    }

    // ------------------------------------------------------------------ reads

    /// @notice Number of offers published (ids 1..offerCount).
    function offerCount() external view returns (uint256) {
        return _offers.length;
    }

    /// @notice The offer's current state.
    function getOffer(uint256 offerId) external view returns (Offer memory) {
        return _offerAt(offerId);
    }

    /// @notice The digest of version `version` (from 1) of the offer: keccak256 of the ABI
    /// encoding of (kind, minTier, capacity, terms) as published.
    function offerVersion(uint256 offerId, uint32 version) external view returns (bytes32) {
        if (version == 0 || version > _offerAt(offerId).version) revert OfferVersionUnknown(offerId, version);
        return _versions[offerId][version - 1];
    }

    /// @notice Number of requests posted (ids 1..requestCount).
    function requestCount() external view returns (uint256) {
        return _requests.length;
    }

    /// @notice The request's current state.
    function getRequest(uint256 requestId) external view returns (Request memory) {
        if (requestId == 0 || requestId > _requests.length) revert RequestUnknown(requestId);
        return _requests[requestId - 1];
    }

    /// @inheritdoc ISharingRecord
    function sharingRecord(address account) external view returns (uint32 confirmed, uint32 distinctRequesters) {
        Record storage rec = _records[account];
        return (rec.confirmed, rec.distinctRequesters);
    }

    /// @notice Whether `requester` confirmed a delivery from `offerer`.
    function hasServed(address offerer, address requester) external view returns (bool) {
        return _served[offerer][requester];
    }

    // ------------------------------------------------------------------ internals

    function _publish(
        uint256 offerId,
        Offer storage o,
        OfferTerms calldata terms,
        uint8 minTier,
        uint32 capacity
    ) private {
        if (bytes(terms.title).length == 0 || bytes(terms.contentId).length == 0) revert OfferIncomplete();
        if (minTier >= membership.tierCount()) revert OfferTierUnknown(minTier);
        o.minTier = minTier;
        o.capacity = capacity;
        ++o.version;
        _versions[offerId].push(keccak256(abi.encode(o.kind, minTier, capacity, terms)));
        _emitPublished(offerId, o, terms);
    }

    function _emitPublished(uint256 offerId, Offer storage o, OfferTerms memory t) private {
        emit OfferPublished(
            offerId,
            o.offerer,
            o.version,
            o.kind,
            o.minTier,
            o.capacity,
            t.title,
            t.contentId,
            t.cardURI,
            t.cardHash,
            t.termsURI,
            t.termsHash
        );
    }

    /// @dev The account's tier; reverts unless it is an active member.
    function _activeTier(address account) private view returns (uint8) {
        (IMembership.Status status, uint8 tier) = membership.standing(account);
        if (status != IMembership.Status.Active) revert SharingNotActiveMember(account);
        return tier;
    }

    function _offerAt(uint256 offerId) private view returns (Offer storage) {
        if (offerId == 0 || offerId > _offers.length) revert OfferUnknown(offerId);
        return _offers[offerId - 1];
    }

    function _openOffer(uint256 offerId) private view returns (Offer storage o) {
        o = _offerAt(offerId);
        if (o.withdrawn) revert OfferWithdrawnAlready(offerId);
    }

    /// @dev The caller's own, not withdrawn offer; the caller must be an active member.
    function _ownOpenOffer(uint256 offerId) private view returns (Offer storage o) {
        o = _openOffer(offerId);
        if (o.offerer != msg.sender) revert OfferNotOfferer(offerId, msg.sender);
        _activeTier(msg.sender);
    }

    function _request(uint256 requestId, RequestStatus expected) private view returns (Request storage r) {
        if (requestId == 0 || requestId > _requests.length) revert RequestUnknown(requestId);
        r = _requests[requestId - 1];
        if (r.status != expected) revert RequestWrongStatus(requestId, r.status);
    }

    function _checkEligible(uint256 offerId, Offer storage o, address requester, Kind kind, uint8 tier) private view {
        if (o.offerer == requester) revert OfferOwnRequest(offerId);
        if (o.kind != kind) revert OfferKindMismatch(offerId, o.kind, kind);
        if (tier < o.minTier) revert OfferTierTooLow(offerId, o.minTier, tier);
    }
}
