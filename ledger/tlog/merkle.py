"""RFC 6962 Merkle trees: root hashes, inclusion and consistency proofs, and their verification.

Hashing (RFC 6962 §2.1, unchanged in RFC 9162 §2.1.1):

    empty tree  = SHA-256("")
    leaf hash   = SHA-256(0x00 || leaf data)
    node hash   = SHA-256(0x01 || left || right)

A tree of n > 1 leaves splits at k, the largest power of two below n: its root is
node(root(leaves[:k]), root(leaves[k:])). Proofs are generated as RFC 9162 §2.1.3.1 (PATH)
and §2.1.4.1 (PROOF/SUBPROOF) define them and checked with the verification algorithms of
§2.1.3.2 and §2.1.4.2. Verification raises ProofInvalid; it never returns a boolean to forget.

Generation works on leaf hashes; the `leaves` arguments take leaf data and hash it first.
Subtree roots are folded iteratively (no recursion over leaves), so a 100k-leaf root costs
100k + 100k SHA-256 calls; recursion happens only over tree levels (depth ≤ 64).

Proofs travel as JSON objects with lowercase hex hashes:

    {"index": 5, "size": 8, "leaf_hash": "<hex>", "hashes": ["<hex>", ...]}
    {"old_size": 6, "new_size": 8, "hashes": ["<hex>", ...]}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Sequence

from ledger.errors import ProofInvalid

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


# --- roots -----------------------------------------------------------------------------------


def _fold(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    """Root of the subtree over hashes[lo:hi], built bottom-up with a stack of perfect subtrees."""
    if lo == hi:
        return EMPTY_ROOT
    stack: list[tuple[bytes, int]] = []  # (subtree root, number of leaves under it)
    for i in range(lo, hi):
        node, width = hashes[i], 1
        while stack and stack[-1][1] == width:
            left, _ = stack.pop()
            node, width = node_hash(left, node), width * 2
        stack.append((node, width))
    # The stack holds perfect subtrees of strictly decreasing size: RFC 6962's split merges
    # the right-most ones first.
    node = stack.pop()[0]
    while stack:
        node = node_hash(stack.pop()[0], node)
    return node


def root_of_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash over leaves given by their leaf hashes."""
    return _fold(leaf_hashes, 0, len(leaf_hashes))


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (MTH) over leaf data."""
    return root_of_hashes([leaf_hash(leaf) for leaf in leaves])


def _split(n: int) -> int:
    """The largest power of two strictly below n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- proof generation ------------------------------------------------------------------------


def _path(m: int, hashes: Sequence[bytes], lo: int, hi: int) -> list[bytes]:
    """RFC 9162 PATH(m, D[lo:hi]), leaf-most sibling first."""
    if hi - lo == 1:
        return []
    k = _split(hi - lo)
    if m < k:
        return _path(m, hashes, lo, lo + k) + [_fold(hashes, lo + k, hi)]
    return _path(m - k, hashes, lo + k, hi) + [_fold(hashes, lo, lo + k)]


def _subproof(m: int, hashes: Sequence[bytes], lo: int, hi: int, complete: bool) -> list[bytes]:
    """RFC 9162 SUBPROOF(m, D[lo:hi], b)."""
    n = hi - lo
    if m == n:
        return [] if complete else [_fold(hashes, lo, hi)]
    k = _split(n)
    if m <= k:
        return _subproof(m, hashes, lo, lo + k, complete) + [_fold(hashes, lo + k, hi)]
    return _subproof(m - k, hashes, lo + k, hi, False) + [_fold(hashes, lo, lo + k)]


def inclusion_path(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf `index` in the tree of all of `leaf_hashes`."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"leaf index {index} outside a tree of size {len(leaf_hashes)}")
    return _path(index, leaf_hashes, 0, len(leaf_hashes))


def consistency_path(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The consistency proof from the first `old_size` leaves to all of `leaf_hashes`."""
    if not 0 <= old_size <= len(leaf_hashes):
        raise ValueError(f"old size {old_size} outside 0..{len(leaf_hashes)}")
    if old_size in (0, len(leaf_hashes)):
        return []
    return _subproof(old_size, leaf_hashes, 0, len(leaf_hashes), True)


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -------------------------------------------


def _check_hash(what: str, value: bytes) -> None:
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        raise ProofInvalid(f"{what} is not a {HASH_SIZE}-byte hash")


def root_from_inclusion(leaf_hash_: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` implies for leaf `index` of a tree of `size` leaves."""
    _check_hash("leaf hash", leaf_hash_)
    for i, p in enumerate(proof):
        _check_hash(f"proof[{i}]", p)
    if not 0 <= index < size:
        raise ProofInvalid(f"leaf index {index} outside a tree of size {size}")
    fn, sn, r = index, size - 1, bytes(leaf_hash_)
    for p in proof:
        if sn == 0:
            raise ProofInvalid("inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofInvalid("inclusion proof is too short")
    return r


def verify_inclusion(leaf_hash_: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that the leaf with hash `leaf_hash_` is leaf `index` of the tree (`size`, `root`)."""
    _check_hash("root", root)
    if root_from_inclusion(leaf_hash_, index, size, proof) != root:
        raise ProofInvalid(f"leaf {index} is not in the tree of size {size} with this root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Check that the tree (`new_size`, `new_root`) extends the tree (`old_size`, `old_root`)."""
    _check_hash("old root", old_root)
    _check_hash("new root", new_root)
    for i, p in enumerate(proof):
        _check_hash(f"proof[{i}]", p)
    if not 0 <= old_size <= new_size:
        raise ProofInvalid(f"old size {old_size} is not between 0 and the new size {new_size}")
    if old_size == new_size:
        if proof:
            raise ProofInvalid("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofInvalid(f"two different roots for the same size {old_size}")
        return
    if old_size == 0:
        # The empty tree is a prefix of every tree; RFC 9162 defines no proof for it.
        if proof:
            raise ProofInvalid("a proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofInvalid("consistency proof is empty")

    path = list(proof)
    if old_size & (old_size - 1) == 0:  # old tree is a complete subtree: its root starts the path
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofInvalid("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofInvalid("consistency proof is too short")
    if fr != old_root:
        raise ProofInvalid(f"proof does not lead to the old root at size {old_size}")
    if sr != new_root:
        raise ProofInvalid(f"proof does not lead to the new root at size {new_size}")


# --- proof objects ---------------------------------------------------------------------------


def _hex_hash(what: str, value: object) -> bytes:
    if not isinstance(value, str):
        raise ProofInvalid(f"{what} is not a hex string")
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise ProofInvalid(f"{what} is not a hex string") from None
    _check_hash(what, raw)
    return raw


def _uint(what: str, value: object) -> int:
    if type(value) is not int or value < 0:
        raise ProofInvalid(f"{what} is not a non-negative integer")
    return value


def _load(text: str | bytes | dict, fields: set[str]) -> dict:
    if isinstance(text, dict):
        data = text
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ProofInvalid(f"proof is not JSON: {exc}") from None
    if not isinstance(data, dict) or set(data) != fields:
        raise ProofInvalid(f"proof must be an object with exactly the fields {sorted(fields)}")
    if not isinstance(data["hashes"], list):
        raise ProofInvalid("proof hashes must be a list")
    return data


@dataclass(frozen=True)
class InclusionProof:
    """Leaf `index` (with hash `leaf_hash`) is in the tree of `size` leaves."""

    index: int
    size: int
    leaf_hash: bytes
    hashes: tuple[bytes, ...]

    @classmethod
    def build(cls, index: int, leaf_hashes: Sequence[bytes]) -> InclusionProof:
        return cls(index, len(leaf_hashes), bytes(leaf_hashes[index]),
                   tuple(inclusion_path(index, leaf_hashes)))

    def verify(self, root: bytes) -> None:
        verify_inclusion(self.leaf_hash, self.index, self.size, self.hashes, root)

    def to_dict(self) -> dict:
        return {"index": self.index, "size": self.size, "leaf_hash": self.leaf_hash.hex(),
                "hashes": [h.hex() for h in self.hashes]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes | dict) -> InclusionProof:
        data = _load(text, {"index", "size", "leaf_hash", "hashes"})
        return cls(_uint("index", data["index"]), _uint("size", data["size"]),
                   _hex_hash("leaf_hash", data["leaf_hash"]),
                   tuple(_hex_hash(f"hashes[{i}]", h) for i, h in enumerate(data["hashes"])))


@dataclass(frozen=True)
class ConsistencyProof:
    """The tree of `new_size` leaves starts with the tree of `old_size` leaves."""

    old_size: int
    new_size: int
    hashes: tuple[bytes, ...]

    @classmethod
    def build(cls, old_size: int, leaf_hashes: Sequence[bytes]) -> ConsistencyProof:
        return cls(old_size, len(leaf_hashes), tuple(consistency_path(old_size, leaf_hashes)))

    def verify(self, old_root: bytes, new_root: bytes) -> None:
        verify_consistency(self.old_size, self.new_size, old_root, new_root, self.hashes)

    def to_dict(self) -> dict:
        return {"old_size": self.old_size, "new_size": self.new_size,
                "hashes": [h.hex() for h in self.hashes]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes | dict) -> ConsistencyProof:
        data = _load(text, {"old_size", "new_size", "hashes"})
        return cls(_uint("old_size", data["old_size"]), _uint("new_size", data["new_size"]),
                   tuple(_hex_hash(f"hashes[{i}]", h) for i, h in enumerate(data["hashes"])))


# --- many proofs from one tree ---------------------------------------------------------------


class MerkleTree:
    """A tree kept whole, for many inclusion proofs: each costs O(log n), not O(n).

    `levels[l][i]` is the root of the perfect subtree over leaves [i * 2**l, (i + 1) * 2**l);
    `border[l]` is the root of the one imperfect subtree at level l, over the last
    `size % 2**l` leaves, when there is one. An RFC 9162 PATH is then, leaf-most first, the
    sibling of the leaf's ancestor at each level where that sibling has leaves: a perfect
    subtree, or the border (a right sibling can be imperfect; a left one never is). The paths
    are the same as `inclusion_path`'s (the tests check it exhaustively on small trees).
    """

    def __init__(self, leaf_hashes: Sequence[bytes]):
        self.size = len(leaf_hashes)
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
        self.border: dict[int, bytes] = {}
        for level in range(1, len(self.levels) + 1):
            start = (self.size >> level) << level
            if start < self.size and self.size - start < 1 << level:
                self.border[level] = self._range_root(start, level)
        self.root = self._range_root(0, (self.size - 1).bit_length()) if self.size else EMPTY_ROOT

    def _range_root(self, start: int, level: int) -> bytes:
        """The root over leaves [start, size), at most 2**level of them, start aligned to 2**level:
        its perfect subtrees from the left, largest first, folded from the right."""
        if self.size - start == 1 << level:
            return self.levels[level][start >> level]
        parts, at = [], start
        for l in range(level - 1, -1, -1):
            if at + (1 << l) <= self.size:
                parts.append(self.levels[l][at >> l])
                at += 1 << l
        node = parts.pop()
        while parts:
            node = node_hash(parts.pop(), node)
        return node

    def inclusion_path(self, index: int) -> list[bytes]:
        if not 0 <= index < self.size:
            raise ValueError(f"leaf index {index} outside a tree of size {self.size}")
        path = []
        for level in range((self.size - 1).bit_length()):
            sibling = (index >> level) ^ 1
            start = sibling << level
            if start >= self.size:
                continue  # no leaves there: the ancestor moves up unpaired
            if start + (1 << level) <= self.size:
                path.append(self.levels[level][sibling])
            else:
                path.append(self.border[level])
        return path

    def inclusion_proof(self, index: int) -> InclusionProof:
        return InclusionProof(index, self.size, self.levels[0][index], tuple(self.inclusion_path(index)))


# --- convenience over leaf data ----------------------------------------------------------------


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> InclusionProof:
    """The inclusion proof of leaf `index` in the tree over all of `leaves` (leaf data)."""
    return InclusionProof.build(index, [leaf_hash(leaf) for leaf in leaves])


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> ConsistencyProof:
    """The consistency proof from the first `old_size` of `leaves` (leaf data) to all of them."""
    return ConsistencyProof.build(old_size, [leaf_hash(leaf) for leaf in leaves])
