"""Signed ballots: EIP-712 typed data, signing, offline verification, ballot files, relaying.

A ballot is the EIP-712 struct `MemberBallot(uint256 proposalId,uint8 support,address voter,
string reason)` in the domain ("WAICO Governor", "1", chainId, governor address). There is no
nonce: each member counts once per proposal, so a member's pending ballots for different
proposals never invalidate each other. A ballot file is JSON: `typedData` (the full
eth_signTypedData_v4 payload) and `signature` (0x-hex), so any EIP-712 wallet can make one.

Relayed batches travel packed (`castMemberBallots(bytes)`): runs of ballots for one proposal,
each run `proposalId` (32 bytes, big-endian), the number of ballots (2 bytes), then per ballot
`voter` (20 bytes), a meta byte (bits 0-6 the support, bit 7 set when a long signature
follows), the reason's UTF-8 length (2 bytes) and bytes, then the signature: 64 bytes (EIP-2098
compact form of a 65-byte ECDSA signature) or, with bit 7, its length (2 bytes) and its bytes
(a contract wallet's ERC-1271 signature). About 130 bytes for a ballot with a 40-character
reason, against ~420 ABI-encoded; what members sign is the same EIP-712 ballot.

Ballot files come from members and strangers: a file is read up to `MAX_FILE` bytes, parsed as
strict JSON (no NaN or Infinity; nesting too deep is refused, not a crash), and every field is
checked for its shape, type and range before use, so a crafted file is that file's one-line
`BallotInvalid`, never a run's traceback. A signature is judged as the governor judges it: a
65-byte ECDSA signature needs a low s and v of 27 or 28 (OpenZeppelin's ECDSA); anything else
the voter's key did not make is for a contract wallet to accept (ERC-1271), which only the
node can tell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from web3 import Web3

from ledger import files
from ledger.errors import BallotInvalid

# The largest ballot file read: a ballot with a 1,000-character reason is under 3 KB, a
# contract wallet's signature a few hundred bytes more.
MAX_FILE = 64 * 1024
DOMAIN_NAME = "WAICO Governor"
DOMAIN_VERSION = "1"
PRIMARY_TYPE = "MemberBallot"
BALLOT_FIELDS = [
    {"name": "proposalId", "type": "uint256"},
    {"name": "support", "type": "uint8"},
    {"name": "voter", "type": "address"},
    {"name": "reason", "type": "string"},
]
DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


class Support(IntEnum):
    Against = 0
    For = 1
    Abstain = 2

    @classmethod
    def parse(cls, text: str) -> "Support":
        try:
            return cls[text.strip().capitalize()]
        except KeyError:
            raise BallotInvalid(f"support must be for, against or abstain, not {text!r}") from None


@dataclass(frozen=True)
class Ballot:
    chain_id: int
    governor: str
    proposal_id: int
    support: Support
    voter: str
    reason: str = ""

    def typed_data(self) -> dict:
        """The full eth_signTypedData_v4 payload."""
        return {
            "types": {"EIP712Domain": [dict(f) for f in DOMAIN_FIELDS],
                      PRIMARY_TYPE: [dict(f) for f in BALLOT_FIELDS]},
            "primaryType": PRIMARY_TYPE,
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": self.chain_id,
                "verifyingContract": self.governor,
            },
            "message": {
                "proposalId": str(self.proposal_id),
                "support": int(self.support),
                "voter": self.voter,
                "reason": self.reason,
            },
        }

    def digest(self) -> bytes:
        signable = encode_typed_data(full_message=_for_eth_account(self.typed_data()))
        return keccak(b"\x19\x01" + signable.header + signable.body)

    @classmethod
    def from_typed_data(cls, data: Any) -> "Ballot":
        """Parse and check a typed-data payload: exactly our types, primary type and domain, and
        every value of its type and range."""
        data = _object(data, "the typed data")
        if data.get("primaryType") != PRIMARY_TYPE:
            raise BallotInvalid(f"not a ballot: primaryType is {_shown(data.get('primaryType'))}")
        types = _object(data.get("types"), "types")
        if types.get(PRIMARY_TYPE) != BALLOT_FIELDS or types.get("EIP712Domain") != DOMAIN_FIELDS:
            raise BallotInvalid("the typed data does not have the MemberBallot type of WAICO Governor")
        domain, message = _object(data.get("domain"), "domain"), _object(data.get("message"), "message")
        if domain.get("name") != DOMAIN_NAME or domain.get("version") != DOMAIN_VERSION:
            raise BallotInvalid(f"the ballot is for {_shown(domain.get('name'))} v{_shown(domain.get('version'))}, "
                                "not WAICO Governor")
        support = _uint(message.get("support"), "support", 8)
        if support not in (0, 1, 2):
            raise BallotInvalid(f"support must be 0, 1 or 2, not {support}")
        return cls(
            chain_id=_uint(domain.get("chainId"), "chainId", 256),
            governor=_address(domain.get("verifyingContract"), "verifyingContract"),
            proposal_id=_uint(message.get("proposalId"), "proposalId", 256),
            support=Support(support),
            voter=_address(message.get("voter"), "voter"),
            reason=_reason(message.get("reason", "")),
        )


def _shown(value: Any) -> str:
    """A value from a file, for a one-line message: quoted, escaped, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _object(value: Any, name: str) -> dict:
    if not isinstance(value, dict):
        raise BallotInvalid(f"malformed ballot: {name} must be a JSON object, not {type(value).__name__}")
    return value


def _uint(value: Any, name: str, bits: int) -> int:
    """An unsigned integer as wallets write it: a JSON integer, or a decimal or 0x-hex string."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and 0 < len(value) <= 80:
        try:
            number = int(value, 16) if value.lower().startswith("0x") else int(value, 10)
        except ValueError:
            number = None
    if number is None or not 0 <= number < 2**bits:
        raise BallotInvalid(f"malformed ballot: {name} must be a uint{bits}, not {_shown(value)}")
    return number


def _address(value: Any, name: str) -> str:
    if not (isinstance(value, str) and len(value) == 42 and value[:2] in ("0x", "0X")
            and all(c in "0123456789abcdefABCDEF" for c in value[2:])):
        raise BallotInvalid(f"malformed ballot: {name} must be a 0x address, not {_shown(value)}")
    return Web3.to_checksum_address(value)


def _reason(value: Any) -> str:
    if not isinstance(value, str):
        raise BallotInvalid("reason must be a string")
    try:
        size = len(value.encode())
    except UnicodeEncodeError:  # a lone surrogate (\ud800) in the JSON
        raise BallotInvalid("malformed ballot: the reason is not valid Unicode text") from None
    if size > 0xFFFF:
        raise BallotInvalid("malformed ballot: the reason is longer than 65,535 bytes")
    return value


def _for_eth_account(typed: dict) -> dict:
    """eth-account wants uint256 message values as ints, not decimal strings."""
    message = dict(typed["message"], proposalId=int(typed["message"]["proposalId"]))
    return dict(typed, message=message)


@dataclass(frozen=True)
class SignedBallot:
    ballot: Ballot
    signature: bytes

    def to_json(self) -> dict:
        return {"typedData": self.ballot.typed_data(), "signature": "0x" + self.signature.hex()}

    def save(self, path: Path, replace: bool = False) -> Path:
        """Write the ballot file: a new file (BallotInvalid if one is there, a symlink included),
        or with `replace` over the old one, atomically; never through a symlink."""
        text = json.dumps(self.to_json(), indent=1)
        if replace:
            return files.replace(path, text)
        try:
            return files.create(path, text)
        except FileExistsError:
            raise BallotInvalid(f"{path} exists already: not overwriting it (delete it to sign again, "
                                "or write elsewhere with --out)") from None

    def recovered_signer(self) -> str | None:
        """The EOA that made the signature (65-byte ECDSA, or its 64-byte EIP-2098 form), or
        None if it is no ECDSA signature. Whether the governor takes its form: `ecdsa_form`."""
        if len(self.signature) not in (64, 65):
            return None
        try:
            return Account._recover_hash(self.ballot.digest(), signature=expand_signature(self.signature))
        except Exception:  # eth-keys' errors for an unrecoverable signature share no base class
            return None

    def as_tuple(self) -> tuple:
        """The Solidity `SignedBallot` struct."""
        b = self.ballot
        return (b.proposal_id, int(b.support), b.voter, b.reason, self.signature)


SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
MAX_RUN = 0xFFFF


def compact_signature(signature: bytes) -> bytes | None:
    """The EIP-2098 64-byte form (r, yParity << 255 | s) of a 65-byte low-s ECDSA signature,
    or None when it has no such form (another length, a high s, an odd v)."""
    if len(signature) != 65:
        return None
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    if v in (0, 1):
        v += 27
    if v not in (27, 28) or s > SECP256K1_HALF_N:
        return None
    return r + ((v - 27) << 255 | s).to_bytes(32, "big")


def pack_ballot(signed: SignedBallot) -> bytes:
    """One ballot of a packed batch (without its run's header)."""
    b = signed.ballot
    reason = b.reason.encode()
    if len(reason) > 0xFFFF or len(signed.signature) > 0xFFFF:
        raise BallotInvalid(f"a ballot of {b.voter} is too long to relay")
    # the compact form is checked by ecrecover alone: only for the voter's own key's signature; a
    # contract wallet's (ERC-1271) goes whole, as the wallet expects it
    compact = compact_signature(signed.signature) if signed.recovered_signer() == b.voter else None
    meta = int(b.support) & 0x7F
    out = bytes.fromhex(b.voter[2:]) + bytes([meta | (0 if compact else 0x80)]) + len(reason).to_bytes(2, "big")
    out += reason
    if compact:
        return out + compact
    return out + len(signed.signature).to_bytes(2, "big") + signed.signature


def pack_batch(runs: list[tuple[int, list[SignedBallot]]]) -> bytes:
    """A packed batch from runs of (proposal id, its ballots), in the order given."""
    out = bytearray()
    for proposal_id, run in runs:
        for start in range(0, len(run), MAX_RUN):
            part = run[start:start + MAX_RUN]
            out += proposal_id.to_bytes(32, "big") + len(part).to_bytes(2, "big")
            for signed in part:
                out += pack_ballot(signed)
    return bytes(out)


def unpack_batch(data: bytes) -> list[tuple[int, int, str, str, bytes]]:
    """The ballots of a packed batch as (proposalId, support, voter, reason, signature), the
    signature as it was relayed (64 bytes compact or the long form's bytes)."""
    from eth_utils import to_checksum_address

    out, i = [], 0
    try:
        while i < len(data):
            pid, n = int.from_bytes(data[i:i + 32], "big"), int.from_bytes(data[i + 32:i + 34], "big")
            i += 34
            for _ in range(n):
                voter = to_checksum_address(data[i:i + 20])
                meta, length = data[i + 20], int.from_bytes(data[i + 21:i + 23], "big")
                i += 23
                reason = data[i:i + length].decode("utf-8", errors="replace")
                i += length
                if meta & 0x80:
                    sig_length = int.from_bytes(data[i:i + 2], "big")
                    signature = data[i + 2:i + 2 + sig_length]
                    i += 2 + sig_length
                else:
                    signature, i = data[i:i + 64], i + 64
                if i > len(data):
                    raise ValueError("truncated")
                out.append((pid, meta & 0x7F, voter, reason, bytes(signature)))
    except (ValueError, IndexError) as exc:
        raise BallotInvalid(f"not a packed batch of ballots ({exc})") from None
    return out


def expand_signature(signature: bytes) -> bytes:
    """A 64-byte EIP-2098 signature as the 65-byte (r, s, v) form; other lengths unchanged."""
    if len(signature) != 64:
        return signature
    vs = int.from_bytes(signature[32:], "big")
    return signature[:32] + (vs & ((1 << 255) - 1)).to_bytes(32, "big") + bytes([27 + (vs >> 255)])


def sign(ballot: Ballot, private_key: bytes | str) -> SignedBallot:
    signed = Account.sign_typed_data(private_key, full_message=_for_eth_account(ballot.typed_data()))
    return SignedBallot(ballot, bytes(signed.signature))


def parse(data: Any, source: str = "ballot") -> SignedBallot:
    """A ballot file's JSON, checked for shape (not yet for signature or domain)."""
    if not isinstance(data, dict) or "typedData" not in data or "signature" not in data:
        raise BallotInvalid(f"{source}: a ballot file needs `typedData` and `signature`")
    ballot = Ballot.from_typed_data(data["typedData"])
    sig = data["signature"]
    if not isinstance(sig, str) or len(sig) > 2 * MAX_FILE:
        raise BallotInvalid(f"{source}: the signature is not 0x-hex")
    try:
        signature = bytes.fromhex(sig.removeprefix("0x"))
    except ValueError:
        raise BallotInvalid(f"{source}: the signature is not 0x-hex") from None
    if not signature:
        raise BallotInvalid(f"{source}: the signature is empty")
    return SignedBallot(ballot, signature)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def read_json(raw: bytes, source: str) -> Any:
    """Strict JSON from a ballot file's bytes: no NaN or Infinity, no nesting that would exhaust
    the parser's stack; each failure a BallotInvalid naming the file."""
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise BallotInvalid(f"{source}: not a ballot file (JSON nested too deeply)") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise BallotInvalid(f"{source}: not JSON ({str(exc)[:120]})") from None


def load(path: Path) -> SignedBallot:
    """A ballot file, read up to `MAX_FILE` bytes and checked for shape (BallotInvalid, naming
    the file, for anything wrong with it)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE + 1)
    except FileNotFoundError:
        raise BallotInvalid(f"{path}: no such ballot file") from None
    except OSError as exc:
        raise BallotInvalid(f"{path}: cannot read it ({exc.strerror})") from None
    if len(raw) > MAX_FILE:
        raise BallotInvalid(f"{path}: larger than {MAX_FILE // 1024} KB: not a ballot file")
    data = read_json(raw, str(path))
    try:
        return parse(data, str(path))
    except BallotInvalid as exc:
        msg = str(exc)
        raise BallotInvalid(msg if msg.startswith(str(path)) else f"{path}: {msg}") from None


def check_domain(signed: SignedBallot, chain_id: int, governor: str, source: str = "ballot") -> None:
    b = signed.ballot
    if b.chain_id != chain_id:
        raise BallotInvalid(f"{source}: the ballot is for chain {b.chain_id}, this deployment is on chain {chain_id}")
    if b.governor != Web3.to_checksum_address(governor):
        raise BallotInvalid(f"{source}: the ballot is for governor {b.governor}, this deployment's is {governor}")


def ecdsa_form(signature: bytes) -> str | None:
    """Why the governor would refuse this ECDSA signature's form, or None: OpenZeppelin's ECDSA
    takes v of 27 or 28 only and s in the lower half of the curve order (the other, malleable
    form of the same signature is refused), as does the packed batch's compact form."""
    signature = expand_signature(signature)
    if len(signature) != 65:
        return None
    v, s = signature[64], int.from_bytes(signature[32:64], "big")
    if v not in (27, 28):
        return f"its v is {v}, and the governor takes 27 or 28 (a wallet that writes 0 or 1: add 27 to the last byte)"
    if s > SECP256K1_HALF_N:
        return "its s is in the upper half of the curve order (the malleable form), which the governor refuses"
    return None


def check_signature(signed: SignedBallot, w3: Web3 | None = None, source: str = "ballot") -> str:
    """Check the signature as the governor will: the voter's own key (offline), or for a voter
    with code a contract wallet's ERC-1271 answer, which only the node gives (`w3`).

    Returns how it was verified: "ecdsa" (checked here) or "erc1271" (the node's word: both the
    account's code and the wallet's answer come from it).
    """
    b = signed.ballot
    problem = None
    if signed.recovered_signer() == b.voter:
        problem = ecdsa_form(signed.signature)
        if problem is None:
            return "ecdsa"
    if w3 is not None and w3.eth.get_code(b.voter):  # the governor asks a wallet only if it has code
        wallet = w3.eth.contract(address=b.voter, abi=ERC1271_ABI)
        try:
            magic = wallet.functions.isValidSignature(signed.ballot.digest(), signed.signature).call()
        except Exception:  # a wallet that reverts, or answers garbage: it does not accept
            magic = b""
        if bytes(magic) == ERC1271_MAGIC:
            return "erc1271"
        raise BallotInvalid(f"{source}: the voter {b.voter} is a contract wallet (says the node) that does not "
                            "accept this signature: forged or tampered")
    if problem is not None:
        raise BallotInvalid(f"{source}: the voter's signature will not count: {problem}")
    if w3 is None:
        raise BallotInvalid(f"{source}: the signature is not the voter's key's ({b.voter}): forged or tampered, or "
                            "a contract wallet's, which only a node can check (verify without --offline)")
    raise BallotInvalid(f"{source}: the signature is not the voter's ({b.voter}): forged or tampered")


ERC1271_MAGIC = bytes.fromhex("1626ba7e")
ERC1271_ABI = [{
    "type": "function", "name": "isValidSignature", "stateMutability": "view",
    "inputs": [{"name": "hash", "type": "bytes32"}, {"name": "signature", "type": "bytes"}],
    "outputs": [{"name": "", "type": "bytes4"}],
}]


def file_name(number: int | str, key_stem: str) -> str:
    """A ballot file's default name, `p<number>-<key file's stem>.json` (`waico ballot sign`,
    `waico demo`), so that `ballots/p5-*.json` are proposal 5's (a key's stem is its label,
    percent-encoded: it names no other folder)."""
    return f"p{number}-{key_stem}.json"
