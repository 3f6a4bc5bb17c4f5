// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {ICorporateCapGuard} from "./interfaces/ICorporateCapGuard.sol";
import {IMembership} from "./interfaces/IMembership.sol";
import {ISharingRecord} from "./interfaces/ISharingRecord.sol";
import {VoteWeights, TIER_COUNT} from "./libraries/VoteWeights.sol";

/// @title Membership
/// @notice Tiered, checkpointed, non-transferable membership of member states and corporate
/// members, with the shared-standards pathway between tiers.
///
/// Weights are read as ERC-5805 votes (`getPastVotes`, `getPastTotalSupply`) on a block-number
/// ERC-6372 clock, so an OpenZeppelin Governor can use this contract as its token. What is
/// checkpointed is each member's voting *class* (kind and tier, or none), the number of members
/// per class, and the vote schedule with the corporate cap; the effective weights are computed
/// from those at any timepoint by {VoteWeights}. Nothing done after a timepoint changes a read
/// at that timepoint.
///
/// Governance (`DEFAULT_ADMIN_ROLE`, the timelock once deployed) admits, suspends, reinstates
/// and expels members, sets tiers, the vote schedule, the corporate cap, tier names, standards
/// and tier requirements. Verifiers (`VERIFIER_ROLE`) certify, reject or revoke members'
/// declarations of adoption. Anyone may trigger a promotion that a member has earned, up to the
/// member's tier ceiling: a tier set by governance is a ceiling until governance lifts it.
///
/// A cap guard (the governor) may refuse a corporate cap under which the capped corporate bloc
/// alone could reach one of its quorums; it is asked on every change of the cap.
contract Membership is AccessControl, IMembership {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Role of those who certify, reject and revoke declarations of adoption.
    bytes32 public constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");
    /// @notice {tierCeiling} of a member whose promotions no governance decision limits.
    uint8 public constant NO_TIER_CEILING = type(uint8).max;

    /// @notice Where a member's declaration of adoption of one standard stands.
    enum DeclarationStatus {
        None,
        Declared,
        Certified,
        Rejected,
        Revoked
    }

    /// @notice Why a member's tier changed.
    enum TierChange {
        Governance,
        Promotion,
        Demotion
    }

    /// @notice A shared standard registered by governance.
    struct Standard {
        string title;
        string uri;
        bytes32 contentHash;
    }

    /// @notice A member's declaration of adoption of one standard.
    struct Declaration {
        DeclarationStatus status;
        bytes32 evidenceHash;
        bytes32 adaptationHash;
        string adaptationURI;
    }

    /// @dev A member's record as stored: MemberInfo's fields plus its latest voting class and the
    /// timepoint it took effect, in the first slot beside the index, so that a seat at any
    /// timepoint since the last change costs one storage read (the checkpoints otherwise).
    struct Record {
        Kind kind;
        uint8 tier;
        Status status;
        uint32 index;
        uint8 class;
        uint48 classSince;
        uint256 certifications;
        string name;
        string identifier;
    }

    mapping(address account => Record) private _records;
    address[] private _accounts;
    mapping(bytes32 identifierKey => address) private _identifiers;

    mapping(address account => Checkpoints.Trace208) private _classes;
    Checkpoints.Trace208 private _census;
    Checkpoints.Trace208 private _schedule;

    string[TIER_COUNT] private _tierNames;
    Standard[] private _standards;
    uint256[TIER_COUNT] private _requirements;
    mapping(address account => mapping(uint8 standardId => Declaration)) private _declarations;
    // A governance-set tier ceiling plus one; 0 = no ceiling.
    mapping(address account => uint8) private _ceilings;
    ICorporateCapGuard private _capGuard;
    ISharingRecord private _sharing;
    uint32[TIER_COUNT] private _sharingRequirements;

    /// @notice An account was admitted.
    event MemberAdmitted(address indexed account, Kind kind, uint8 tier, string name, string identifier);
    /// @notice A member's tier changed.
    event MemberTierChanged(address indexed account, uint8 fromTier, uint8 toTier, TierChange reason);
    /// @notice A member was suspended: no weight from the next timepoint on.
    event MemberSuspended(address indexed account);
    /// @notice A suspended member was reinstated.
    event MemberReinstated(address indexed account);
    /// @notice A member was expelled, for good.
    event MemberExpelled(address indexed account);
    /// @notice The vote schedule changed.
    event VoteScheduleSet(uint32 basicVotes, uint32[3] tierVotes);
    /// @notice The cap on the corporate bloc's share changed.
    event CorporateCapSet(uint16 cap);
    /// @notice Governance set (or, with {NO_TIER_CEILING}, lifted) the tier `promote` may not pass.
    event TierCeilingSet(address indexed account, uint8 ceiling);
    /// @notice The contract asked before every change of the corporate cap changed.
    // slither-disable-next-line unindexed-event-address one address; the mirror decodes it as data
    event CapGuardSet(address guard);
    /// @notice A tier was (re)named.
    event TierNameSet(uint8 indexed tier, string name);
    /// @notice A shared standard was registered.
    event StandardRegistered(uint8 indexed standardId, string title, string uri, bytes32 contentHash);
    /// @notice The standards a tier requires changed (a bitmap of standard ids).
    event TierRequirementsSet(uint8 indexed tier, uint256 standards);
    /// @notice The record of sharing the pathway reads (the technology-sharing platform) changed.
    // slither-disable-next-line unindexed-event-address one address; the mirror decodes it as data
    event SharingRecordSet(address sharing);
    /// @notice The confirmed deliveries to distinct requesters that reaching a tier requires changed.
    event TierSharingRequirementSet(uint8 indexed tier, uint32 minimum);
    /// @notice A member declared adoption of a standard.
    event AdoptionDeclared(
        address indexed account,
        uint8 indexed standardId,
        bytes32 evidenceHash,
        bytes32 adaptationHash,
        string adaptationURI
    );
    /// @notice A verifier certified a member's declaration.
    event DeclarationCertified(address indexed account, uint8 indexed standardId, address indexed verifier);
    /// @notice A verifier rejected a member's declaration.
    event DeclarationRejected(
        address indexed account,
        uint8 indexed standardId,
        address indexed verifier,
        bytes32 reasonHash
    );
    /// @notice A verifier revoked a member's certification.
    event CertificationRevoked(
        address indexed account,
        uint8 indexed standardId,
        address indexed verifier,
        bytes32 reasonHash
    );

    /// @notice The account is already a member (or was, and was expelled).
    error MemberAlreadyAdmitted(address account);
    /// @notice The account is not a member.
    error MemberUnknown(address account);
    /// @notice The member is not active (suspended or expelled).
    error MemberNotActive(address account);
    /// @notice The member is not suspended.
    error MemberNotSuspended(address account);
    /// @notice The zero address cannot be a member.
    error MemberZeroAddress();
    /// @notice A member needs a non-empty name and identifier.
    error MemberProfileIncomplete();
    /// @notice Another member of the same kind holds this identifier.
    error MemberIdentifierTaken(string identifier);
    /// @notice There is no such tier.
    error TierUnknown(uint8 tier);
    /// @notice The member already has this tier.
    error TierUnchanged(address account, uint8 tier);
    /// @notice The corporate cap must be at most 10000 basis points.
    error CapOutOfRange(uint16 cap);
    /// @notice Tier 0 (Observer) has no requirements.
    error TierRequirementsNotAllowed(uint8 tier);
    /// @notice There is no such standard.
    error StandardUnknown(uint8 standardId);
    /// @notice All 256 standard ids are taken.
    error StandardLimitReached();
    /// @notice The declaration is not in the state this action needs.
    error DeclarationWrongStatus(address account, uint8 standardId, DeclarationStatus status);
    /// @notice The member is at the top tier.
    error PromotionBeyondTopTier(address account);
    /// @notice The next tier has no requirements, so it is reached only by a governance decision.
    error PromotionPathClosed(uint8 tier);
    /// @notice There is no member with this index.
    error MemberIndexOutOfRange(uint256 index);
    /// @notice Governance set the member's tier ceiling at or below its tier: no promotion.
    error PromotionAboveTierCeiling(address account, uint8 ceiling);
    /// @notice The member lacks the certifications the next tier requires (bitmap of the missing).
    error PromotionNotEarned(address account, uint256 missing);
    /// @notice The member has confirmed deliveries to fewer distinct requesters than the next
    /// tier requires.
    error PromotionNeedsSharing(address account, uint32 distinctRequesters, uint32 required);
    /// @notice A tier cannot require sharing while no record of sharing is set.
    error SharingRecordUnset();
    /// @notice Membership weight cannot be delegated or transferred.
    error MembershipNotDelegable();
    /// @notice A lookup at a timepoint that has not passed yet.
    error ERC5805FutureLookup(uint256 timepoint, uint48 clock);

    /// @param admin Governance admin (the deployer until the timelock exists, then the timelock).
    /// @param basicVotes Votes every voting member has.
    /// @param tierVotes_ Extra votes of tiers 1..3 (Associate, Partner, Full).
    /// @param cap Cap on the corporate bloc's share of the total weight, in basis points.
    constructor(address admin, uint32 basicVotes, uint32[3] memory tierVotes_, uint16 cap) {
        if (cap > VoteWeights.BPS) revert CapOutOfRange(cap);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _tierNames = ["Observer", "Associate", "Partner", "Full"];
        _setSchedule(basicVotes, tierVotes_, cap);
        emit VoteScheduleSet(basicVotes, tierVotes_);
        emit CorporateCapSet(cap);
    }

    // ------------------------------------------------------------------ ERC-6372 clock

    /// @notice The current timepoint: the block number.
    function clock() public view returns (uint48) {
        return Time.blockNumber();
    }

    /// @notice Machine-readable description of the clock (ERC-6372).
    // slither-disable-start naming-convention ERC-6372 names it
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=blocknumber&from=default";
    }
    // slither-disable-end naming-convention

    // ------------------------------------------------------------------ ERC-5805 reads

    /// @notice The member's current effective weight.
    function getVotes(address account) external view returns (uint256) {
        Scale memory s = VoteWeights.scale(_schedule.latest(), _census.latest());
        return VoteWeights.weight(_records[account].class, s);
    }

    /// @notice The member's effective weight at a past `timepoint`.
    function getPastVotes(address account, uint256 timepoint) external view returns (uint256) {
        uint48 key = _pastKey(timepoint);
        return VoteWeights.weight(_seatAt(account, key).class, _scaleAt(key));
    }

    /// @notice The effective total weight at a past `timepoint`: the sum of all members' weights.
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256) {
        uint48 key = _pastKey(timepoint);
        return VoteWeights.total(_census.upperLookupRecent(key), _scaleAt(key));
    }

    /// @notice Members vote with their own weight: every member is its own delegate.
    function delegates(address account) external view returns (address) {
        return _records[account].status == Status.None ? address(0) : account;
    }

    /// @notice Not supported: membership weight is not transferable.
    function delegate(address) external pure {
        revert MembershipNotDelegable();
    }

    /// @notice Not supported: membership weight is not transferable.
    function delegateBySig(address, uint256, uint256, uint8, bytes32, bytes32) external pure {
        revert MembershipNotDelegable();
    }

    // ------------------------------------------------------------------ reads for the Governor and the fund

    /// @inheritdoc IMembership
    function pastScale(uint256 timepoint) external view returns (Scale memory) {
        return _scaleAt(_pastKey(timepoint));
    }

    /// @inheritdoc IMembership
    function pastSeats(address[] calldata accounts, uint256 timepoint) external view returns (uint256[] memory seats) {
        uint48 key = _pastKey(timepoint);
        seats = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            Record storage r = _records[accounts[i]];
            uint256 class = r.classSince <= key ? r.class : _classes[accounts[i]].upperLookupRecent(key);
            seats[i] = (uint256(r.index) << 8) | class;
        }
    }

    /// @inheritdoc IMembership
    function pastSeat(address account, uint256 timepoint) external view returns (Seat memory) {
        return _seatAt(account, _pastKey(timepoint));
    }

    /// @inheritdoc IMembership
    function standing(address account) external view returns (Status, uint8) {
        Record storage r = _records[account];
        return (r.status, r.tier);
    }

    /// @notice The member's current record.
    function member(address account) external view returns (MemberInfo memory) {
        Record storage r = _records[account];
        return MemberInfo(r.kind, r.tier, r.status, r.index, r.certifications, r.name, r.identifier);
    }

    /// @inheritdoc IMembership
    function memberCount() external view returns (uint256) {
        return _accounts.length;
    }

    /// @inheritdoc IMembership
    function memberAt(uint256 index) external view returns (address) {
        if (index == 0 || index > _accounts.length) revert MemberIndexOutOfRange(index);
        return _accounts[index - 1];
    }

    /// @inheritdoc IMembership
    function isVoting(address account) external view returns (bool) {
        return _records[account].class != 0;
    }

    /// @notice The member's voting class at a past `timepoint` (0 = no vote).
    function pastClass(address account, uint256 timepoint) external view returns (uint8) {
        return _seatAt(account, _pastKey(timepoint)).class;
    }

    /// @inheritdoc IMembership
    function voteSchedule() public view returns (uint32 basicVotes, uint32[3] memory tierVotes_, uint16 cap) {
        uint256 schedule = _schedule.latest();
        basicVotes = VoteWeights.basicVotes(schedule);
        for (uint8 tier = 1; tier < VoteWeights.TIERS; ++tier) {
            tierVotes_[tier - 1] = VoteWeights.tierVotes(schedule, tier);
        }
        cap = VoteWeights.capBps(schedule);
    }

    /// @notice Number of voting members of `kind` at `tier` now.
    function votingCount(Kind kind, uint8 tier) external view returns (uint256) {
        uint8 class = VoteWeights.classOf(kind, tier);
        return class == 0 ? 0 : VoteWeights.count(_census.latest(), class);
    }

    /// @notice The display name of `tier`.
    function tierName(uint8 tier) external view returns (string memory) {
        _checkTier(tier);
        return _tierNames[tier];
    }

    /// @notice Number of tiers (tier 0 is the non-voting Observer tier).
    function tierCount() external pure returns (uint8) {
        return VoteWeights.TIERS;
    }

    /// @notice Number of registered standards (ids 0..standardCount-1).
    function standardCount() external view returns (uint256) {
        return _standards.length;
    }

    /// @notice A registered standard.
    function standard(uint8 standardId) external view returns (Standard memory) {
        _checkStandard(standardId);
        return _standards[standardId];
    }

    /// @notice The standards `tier` requires, as a bitmap of standard ids.
    function tierRequirements(uint8 tier) external view returns (uint256) {
        _checkTier(tier);
        return _requirements[tier];
    }

    /// @notice A member's declaration of adoption of a standard.
    function declaration(address account, uint8 standardId) external view returns (Declaration memory) {
        return _declarations[account][standardId];
    }

    /// @notice The tier `promote` may not pass for `account` ({NO_TIER_CEILING} if none).
    function tierCeiling(address account) public view returns (uint8) {
        uint8 stored = _ceilings[account];
        return stored == 0 ? NO_TIER_CEILING : stored - 1;
    }

    /// @notice The contract asked before every change of the corporate cap (zero if none).
    function capGuard() external view returns (ICorporateCapGuard) {
        return _capGuard;
    }

    /// @notice The minimum of confirmed deliveries to distinct requesters that reaching `tier` requires.
    function tierSharingRequirement(uint8 tier) external view returns (uint32) {
        _checkTier(tier);
        return _sharingRequirements[tier];
    }

    /// @notice The record of sharing the pathway reads (zero if none).
    function sharingRecord() external view returns (ISharingRecord) {
        return _sharing;
    }

    /// @notice Whether `account` may be promoted now, and the bitmap of certifications it lacks.
    /// The next tier may also require confirmed deliveries to distinct requesters ({sharingOf}).
    /// A tier without requirements is closed to promotion: only governance moves members into it;
    /// nor may a promotion pass the member's tier ceiling.
    function promotable(address account) public view returns (bool, uint256 missing) {
        Record storage r = _records[account];
        if (r.status != Status.Active || r.tier + 1 >= VoteWeights.TIERS || r.tier >= tierCeiling(account)) {
            return (false, 0);
        }
        uint256 required = _requirements[r.tier + 1];
        uint32 sharing = _sharingRequirements[r.tier + 1];
        missing = required & ~r.certifications;
        return ((required != 0 || sharing != 0) && missing == 0 && sharingOf(account) >= sharing, missing);
    }

    /// @notice The confirmed deliveries `account` made to distinct requesters, as the pathway counts them.
    function sharingOf(address account) public view returns (uint32 distinctRequesters) {
        if (address(_sharing) == address(0)) return 0;
        // slither-disable-next-line unused-return the pathway counts distinct requesters only, not the total of deliveries
        (, distinctRequesters) = _sharing.sharingRecord(account);
    }

    // ------------------------------------------------------------------ governance: members

    /// @notice Admits `account` (an EOA or a contract wallet) as a member of `kind` at `tier`.
    /// @param identifier ISO 3166 alpha-3 code for a state, a registry id for a corporate member;
    /// unique among members of the same kind.
    function admit(
        address account,
        Kind kind,
        uint8 tier,
        string calldata name,
        string calldata identifier
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (account == address(0)) revert MemberZeroAddress();
        if (_records[account].status != Status.None) revert MemberAlreadyAdmitted(account);
        if (bytes(name).length == 0 || bytes(identifier).length == 0) revert MemberProfileIncomplete();
        _checkTier(tier);
        bytes32 key = keccak256(abi.encode(kind, identifier));
        if (_identifiers[key] != address(0)) revert MemberIdentifierTaken(identifier);
        _identifiers[key] = account;

        _accounts.push(account);
        Record storage r = _records[account];
        r.kind = kind;
        r.tier = tier;
        r.status = Status.Active;
        r.index = uint32(_accounts.length);
        r.name = name;
        r.identifier = identifier;
        _updateClass(account);
        emit MemberAdmitted(account, kind, tier, name, identifier);
    }

    /// @notice Sets a member's tier by governance decision (constitutional). The tier is also the
    /// member's tier ceiling: `promote` cannot pass it until governance lifts it ({setTierCeiling}).
    function setTier(address account, uint8 tier) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkTier(tier);
        Record storage r = _existing(account);
        if (r.status == Status.Expelled) revert MemberNotActive(account);
        if (r.tier == tier) revert TierUnchanged(account, tier);
        _changeTier(account, r, tier, TierChange.Governance);
        _setCeiling(account, tier);
    }

    /// @notice Sets the tier `promote` may not pass for a member, or lifts it with
    /// {NO_TIER_CEILING} (constitutional).
    function setTierCeiling(address account, uint8 ceiling) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _existing(account);
        if (ceiling != NO_TIER_CEILING) _checkTier(ceiling);
        _setCeiling(account, ceiling);
    }

    /// @notice Suspends an active member: no weight from the next timepoint on.
    function suspend(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Record storage r = _existing(account);
        if (r.status != Status.Active) revert MemberNotActive(account);
        r.status = Status.Suspended;
        _updateClass(account);
        emit MemberSuspended(account);
    }

    /// @notice Reinstates a suspended member.
    function reinstate(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Record storage r = _existing(account);
        if (r.status != Status.Suspended) revert MemberNotSuspended(account);
        r.status = Status.Active;
        _updateClass(account);
        emit MemberReinstated(account);
    }

    /// @notice Expels a member for good: no weight from the next timepoint on, no re-admission.
    function expel(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Record storage r = _existing(account);
        if (r.status == Status.Expelled) revert MemberNotActive(account);
        r.status = Status.Expelled;
        _updateClass(account);
        emit MemberExpelled(account);
    }

    // ------------------------------------------------------------------ governance: weights and tiers

    /// @notice Sets the basic votes and the tier votes of tiers 1..3 (constitutional).
    function setVoteSchedule(uint32 basicVotes, uint32[3] calldata tierVotes_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        (, , uint16 cap) = voteSchedule();
        _setSchedule(basicVotes, tierVotes_, cap);
        emit VoteScheduleSet(basicVotes, tierVotes_);
    }

    /// @notice Sets the cap on the corporate bloc's share of the total weight (constitutional).
    /// The cap guard, if any, refuses a cap under which the capped bloc alone reaches a quorum.
    function setCorporateCap(uint16 cap) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (cap > VoteWeights.BPS) revert CapOutOfRange(cap);
        if (address(_capGuard) != address(0)) _capGuard.checkCorporateCap(cap);
        (uint32 basicVotes, uint32[3] memory tierVotes_, ) = voteSchedule();
        _setSchedule(basicVotes, tierVotes_, cap);
        emit CorporateCapSet(cap);
    }

    /// @notice Sets the contract asked before every change of the corporate cap (the governor);
    /// it must accept the cap in force (constitutional).
    function setCapGuard(ICorporateCapGuard guard) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(guard) != address(0)) {
            (, , uint16 cap) = voteSchedule();
            guard.checkCorporateCap(cap);
        }
        _capGuard = guard;
        emit CapGuardSet(address(guard));
    }

    /// @notice Renames a tier.
    function setTierName(uint8 tier, string calldata name) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkTier(tier);
        _tierNames[tier] = name;
        emit TierNameSet(tier, name);
    }

    // ------------------------------------------------------------------ the standards pathway

    /// @notice Registers a shared standard; returns its id (0..255).
    function registerStandard(
        string calldata title,
        string calldata uri,
        bytes32 contentHash
    ) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint8 standardId) {
        if (_standards.length > type(uint8).max) revert StandardLimitReached();
        standardId = uint8(_standards.length);
        _standards.push(Standard(title, uri, contentHash));
        emit StandardRegistered(standardId, title, uri, contentHash);
    }

    /// @notice Sets the standards that reaching `tier` (1..3) requires, as a bitmap of ids.
    function setTierRequirements(uint8 tier, uint256 standards) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkTier(tier);
        if (tier == 0) revert TierRequirementsNotAllowed(tier);
        uint256 registered = _standards.length;
        if (registered < 256 && standards >> registered != 0) {
            revert StandardUnknown(uint8(_highestBit(standards)));
        }
        _requirements[tier] = standards;
        emit TierRequirementsSet(tier, standards);
    }

    /// @notice Sets the record of sharing that promotions read: the technology-sharing platform
    /// (constitutional). Zero is refused while a tier requires sharing.
    function setSharingRecord(ISharingRecord sharing) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(sharing) == address(0)) {
            for (uint8 tier = 1; tier < VoteWeights.TIERS; ++tier) {
                if (_sharingRequirements[tier] != 0) revert SharingRecordUnset();
            }
        }
        _sharing = sharing;
        emit SharingRecordSet(address(sharing));
    }

    /// @notice Sets how many distinct requesters must have confirmed a delivery from a member for
    /// it to reach `tier` (1..3) by promotion (constitutional, like the standards a tier requires).
    function setTierSharingRequirement(uint8 tier, uint32 minimum) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkTier(tier);
        if (tier == 0) revert TierRequirementsNotAllowed(tier);
        if (minimum != 0 && address(_sharing) == address(0)) revert SharingRecordUnset();
        _sharingRequirements[tier] = minimum;
        emit TierSharingRequirementSet(tier, minimum);
    }

    /// @notice The caller, an active member, declares adoption of a standard.
    /// @param evidenceHash Hash of the evidence of adoption.
    /// @param adaptationHash Hash of the national adaptation note (zero if none).
    /// @param adaptationURI Where the national adaptation note is published (empty if none).
    function declareAdoption(
        uint8 standardId,
        bytes32 evidenceHash,
        bytes32 adaptationHash,
        string calldata adaptationURI
    ) external {
        Record storage r = _existing(msg.sender);
        if (r.status != Status.Active) revert MemberNotActive(msg.sender);
        _checkStandard(standardId);
        Declaration storage d = _declarations[msg.sender][standardId];
        if (d.status == DeclarationStatus.Declared || d.status == DeclarationStatus.Certified) {
            revert DeclarationWrongStatus(msg.sender, standardId, d.status);
        }
        d.status = DeclarationStatus.Declared;
        d.evidenceHash = evidenceHash;
        d.adaptationHash = adaptationHash;
        d.adaptationURI = adaptationURI;
        emit AdoptionDeclared(msg.sender, standardId, evidenceHash, adaptationHash, adaptationURI);
    }

    /// @notice A verifier certifies a pending declaration.
    function certify(address account, uint8 standardId) external onlyRole(VERIFIER_ROLE) {
        Declaration storage d = _pending(account, standardId, DeclarationStatus.Declared);
        d.status = DeclarationStatus.Certified;
        _records[account].certifications |= uint256(1) << standardId;
        emit DeclarationCertified(account, standardId, msg.sender);
    }

    /// @notice A verifier rejects a pending declaration.
    function reject(address account, uint8 standardId, bytes32 reasonHash) external onlyRole(VERIFIER_ROLE) {
        Declaration storage d = _pending(account, standardId, DeclarationStatus.Declared);
        d.status = DeclarationStatus.Rejected;
        emit DeclarationRejected(account, standardId, msg.sender, reasonHash);
    }

    /// @notice A verifier revokes a certification. If the member's tier requires that standard,
    /// the member is demoted to the highest lower tier whose requirements it still holds.
    function revoke(address account, uint8 standardId, bytes32 reasonHash) external onlyRole(VERIFIER_ROLE) {
        Declaration storage d = _pending(account, standardId, DeclarationStatus.Certified);
        d.status = DeclarationStatus.Revoked;
        Record storage r = _records[account];
        uint256 bit = uint256(1) << standardId;
        r.certifications &= ~bit;
        emit CertificationRevoked(account, standardId, msg.sender, reasonHash);

        if (r.status == Status.Expelled || _requirements[r.tier] & bit == 0) return;
        uint8 tier = r.tier;
        while (tier > 0 && _requirements[tier] & ~r.certifications != 0) --tier;
        _changeTier(account, r, tier, TierChange.Demotion);
    }

    /// @notice Promotes an active member one tier up when it holds every certification the next
    /// tier requires and has confirmed deliveries to as many distinct requesters as it requires.
    /// Anyone may call it. A tier without requirements is closed to promotion, and no promotion
    /// passes the member's tier ceiling.
    function promote(address account) external {
        Record storage r = _existing(account);
        if (r.status != Status.Active) revert MemberNotActive(account);
        if (r.tier + 1 >= VoteWeights.TIERS) revert PromotionBeyondTopTier(account);
        uint8 ceiling = tierCeiling(account);
        if (r.tier >= ceiling) revert PromotionAboveTierCeiling(account, ceiling);
        uint8 next = r.tier + 1;
        uint32 sharing = _sharingRequirements[next];
        if (_requirements[next] == 0 && sharing == 0) revert PromotionPathClosed(next);
        uint256 missing = _requirements[next] & ~r.certifications;
        if (missing != 0) revert PromotionNotEarned(account, missing);
        uint32 shared = sharingOf(account);
        if (shared < sharing) revert PromotionNeedsSharing(account, shared, sharing);
        _changeTier(account, r, r.tier + 1, TierChange.Promotion);
    }

    // ------------------------------------------------------------------ internals

    function _existing(address account) private view returns (Record storage r) {
        r = _records[account];
        if (r.status == Status.None) revert MemberUnknown(account);
    }

    function _pending(
        address account,
        uint8 standardId,
        DeclarationStatus expected
    ) private view returns (Declaration storage d) {
        d = _declarations[account][standardId];
        if (d.status != expected) revert DeclarationWrongStatus(account, standardId, d.status);
    }

    function _setCeiling(address account, uint8 ceiling) private {
        _ceilings[account] = ceiling == NO_TIER_CEILING ? 0 : ceiling + 1;
        emit TierCeilingSet(account, ceiling);
    }

    function _changeTier(address account, Record storage r, uint8 tier, TierChange reason) private {
        uint8 from = r.tier;
        r.tier = tier;
        _updateClass(account);
        emit MemberTierChanged(account, from, tier, reason);
    }

    /// @dev Re-derives the account's voting class from its record; checkpoints it and the census.
    function _updateClass(address account) private {
        Record storage r = _records[account];
        uint8 class = r.status == Status.Active ? VoteWeights.classOf(r.kind, r.tier) : 0;
        uint8 old = r.class;
        if (old == class) return;
        uint48 now_ = clock();
        r.class = class;
        r.classSince = now_;
        // slither-disable-next-line unused-return Checkpoints.push returns the previous and new values, not needed here
        _classes[account].push(now_, class);
        uint256 census = VoteWeights.adjust(VoteWeights.adjust(_census.latest(), old, false), class, true);
        // slither-disable-next-line unused-return Checkpoints.push returns the previous and new values, not needed here
        _census.push(now_, uint208(census));
    }

    /// @dev The account's seat at a past `key`: its latest class when that took effect by then,
    /// else the class its checkpoints hold for `key`.
    function _seatAt(address account, uint48 key) private view returns (Seat memory) {
        Record storage r = _records[account];
        uint8 class = r.classSince <= key ? r.class : uint8(_classes[account].upperLookupRecent(key));
        return Seat(r.index, class);
    }

    /// @dev `cap` is checked by the callers that take a new one.
    function _setSchedule(uint32 basicVotes, uint32[3] memory tierVotes_, uint16 cap) private {
        // slither-disable-next-line unused-return Checkpoints.push returns the previous and new values, not needed here
        _schedule.push(clock(), VoteWeights.packSchedule(basicVotes, tierVotes_, cap));
    }

    function _scaleAt(uint48 key) private view returns (Scale memory) {
        return VoteWeights.scale(_schedule.upperLookupRecent(key), _census.upperLookupRecent(key));
    }

    function _pastKey(uint256 timepoint) private view returns (uint48) {
        uint48 now_ = clock();
        if (timepoint >= now_) revert ERC5805FutureLookup(timepoint, now_);
        return uint48(timepoint);
    }

    function _checkTier(uint8 tier) private pure {
        if (tier >= VoteWeights.TIERS) revert TierUnknown(tier);
    }

    function _checkStandard(uint8 standardId) private view {
        if (standardId >= _standards.length) revert StandardUnknown(standardId);
    }

    function _highestBit(uint256 x) private pure returns (uint256 bit) {
        while (x > 1) {
            x >>= 1;
            ++bit;
        }
    }
}
