"""RFC 6962 Merkle trees against the transparency-dev/merkle (ex-Trillian, ex-certificate-transparency)
test vectors, exhaustively for small trees, and as properties for random ones."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import ProofInvalid
from ledger.tlog import merkle
from ledger.tlog.merkle import (
    ConsistencyProof,
    InclusionProof,
    consistency_path,
    inclusion_path,
    leaf_hash,
    root_of_hashes,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

h = bytes.fromhex

# transparency-dev/merkle testonly/constants.go: LeafInputs(), RootHashes(), NodeHashes().
LEAVES = [h(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                         "606162636465666768696a6b6c6d6e6f")]
ROOTS = [h(x) for x in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
LEAF_HASHES = [h(x) for x in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
)]

# transparency-dev/merkle proof/verify_test.go: inclusionProofs (leaf is 1-based there) and
# consistencyProofs.
INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]


def _flips(proof, every_bit=True):
    """Proofs with exactly one bit flipped: every bit, or (for speed) one bit in each byte."""
    for i, node in enumerate(proof):
        for bit in range(len(node) * 8) if every_bit else range(i % 8, len(node) * 8, 9):
            wrong = bytearray(node)
            wrong[bit // 8] ^= 1 << (bit % 8)
            yield proof[:i] + [bytes(wrong)] + proof[i + 1:]


def _tree(n):
    hashes = [leaf_hash(b"event %d" % i) for i in range(n)]
    return hashes, [root_of_hashes(hashes[:k]) for k in range(n + 1)]


def test_root_of_every_prefix_of_the_reference_tree_matches_the_vectors():
    assert [tree_root(LEAVES[:n]) for n in range(9)] == ROOTS


def test_leaf_hashes_match_the_vectors_and_the_empty_root_is_sha256_of_nothing():
    assert [leaf_hash(x) for x in LEAVES] == LEAF_HASHES
    assert merkle.EMPTY_ROOT == hashlib.sha256(b"").digest() == tree_root([])


@pytest.mark.parametrize("index,size,proof", INCLUSION_VECTORS)
def test_inclusion_proof_matches_vector_and_verifies(index, size, proof):
    proof = [h(p) for p in proof]
    assert inclusion_path(index, LEAF_HASHES[:size]) == proof
    verify_inclusion(LEAF_HASHES[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize("old,new,proof", CONSISTENCY_VECTORS)
def test_consistency_proof_matches_vector_and_verifies(old, new, proof):
    proof = [h(p) for p in proof]
    assert consistency_path(old, LEAF_HASHES[:new]) == proof
    verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


def test_every_inclusion_proof_up_to_40_leaves_verifies_and_bit_flips_are_rejected():
    """Every bit of every proof up to 12 leaves; beyond that a bit in each byte (runtime)."""
    hashes, roots = _tree(40)
    for size in range(1, 41):
        for index in range(size):
            proof = inclusion_path(index, hashes[:size])
            verify_inclusion(hashes[index], index, size, proof, roots[size])
            for wrong in _flips(proof, every_bit=size <= 12):
                with pytest.raises(ProofInvalid):
                    verify_inclusion(hashes[index], index, size, wrong, roots[size])


def test_every_consistency_proof_up_to_40_leaves_verifies_and_bit_flips_are_rejected():
    """Every bit of every proof up to 12 leaves; beyond that a bit in each byte (runtime)."""
    hashes, roots = _tree(40)
    for new in range(0, 41):
        for old in range(0, new + 1):
            proof = consistency_path(old, hashes[:new])
            verify_consistency(old, new, roots[old], roots[new], proof)
            for wrong in _flips(proof, every_bit=new <= 12):
                with pytest.raises(ProofInvalid):
                    verify_consistency(old, new, roots[old], roots[new], wrong)


def test_inclusion_rejects_wrong_index_size_leaf_root_and_padded_or_truncated_proofs():
    hashes, roots = _tree(13)
    some = h("abacaba000000000000000000000000000000000000000000060061e00123456")
    for index in range(13):
        proof = inclusion_path(index, hashes)
        good = (hashes[index], index, 13, proof, roots[13])
        bad = [
            (hashes[index], index - 1, 13, proof, roots[13]),
            (hashes[index], index + 1, 13, proof, roots[13]),
            (hashes[index], index ^ 2, 13, proof, roots[13]),
            (hashes[index], index, 26, proof, roots[13]),
            (hashes[index], index, 6, proof, roots[13]),
            (leaf_hash(b"WrongLeaf"), index, 13, proof, roots[13]),
            (hashes[index], index, 13, proof, merkle.EMPTY_ROOT),
            (hashes[index], index, 13, proof, some),
            (hashes[index], index, 13, proof + [roots[13]], roots[13]),
            (hashes[index], index, 13, [roots[13]] + proof, roots[13]),
            (hashes[index], index, 13, proof[:-1], roots[13]),
            (hashes[index], index, 13, proof + [b""], roots[13]),
            (hashes[index], index, 13, proof[:1] + [some] + proof[1:], roots[13]),
        ]
        verify_inclusion(*good)
        for args in bad:
            with pytest.raises(ProofInvalid):
                verify_inclusion(*args)


def test_consistency_rejects_wrong_sizes_swapped_roots_and_padded_or_truncated_proofs():
    hashes, roots = _tree(21)
    for old in range(1, 21):
        proof = consistency_path(old, hashes)
        r1, r2 = roots[old], roots[21]
        bad = [
            (old - 1, 21, r1, r2, proof), (old + 1, 21, r1, r2, proof),
            (old ^ 2, 21, r1, r2, proof), (old, 42, r1, r2, proof), (old, 10, r1, r2, proof),
            (old, 21, r2, r1, proof), (old, 21, r1, r1, proof), (old, 21, r2, r2, proof),
            (old, 21, r1, r2, []), (old, 21, r1, r2, proof + [r1]), (old, 21, r1, r2, proof + [r2]),
            (old, 21, r1, r2, [r1] + proof), (old, 21, r1, r2, [r2] + proof),
            (old, 21, r1, r2, proof[:1] + proof), (old, 21, r1, r2, proof[:-1]),
            (old, 21, r1, r2, proof + [b""]),
        ]
        for args in bad:
            with pytest.raises(ProofInvalid):
                verify_consistency(*args)


def test_consistency_edge_cases_follow_transparency_dev():
    r1, r2 = ROOTS[3], ROOTS[5]
    verify_consistency(0, 0, r1, r1, [])
    verify_consistency(0, 5, r1, r2, [])  # the empty tree is a prefix of anything
    verify_consistency(1, 1, r2, r2, [])
    for args in [(0, 0, r1, r2, []), (1, 1, r1, r2, []), (1, 0, r1, r2, []), (2, 1, r1, r2, []),
                 (1, 2, r1, r2, []), (0, 0, r1, r1, [r1]), (0, 1, r1, r1, [r1]),
                 (1, 1, r1, r1, [r1])]:
        with pytest.raises(ProofInvalid):
            verify_consistency(*args)


def test_hashes_of_the_wrong_length_are_rejected():
    verify_inclusion(LEAF_HASHES[0], 0, 1, [], ROOTS[1])
    for args in [(b"", 0, 1, [], ROOTS[1]), (LEAF_HASHES[0], 0, 1, [], b""), (b"", 0, 1, [], b"")]:
        with pytest.raises(ProofInvalid, match="32-byte"):
            verify_inclusion(*args)
    for index, size in [(0, 0), (1, 0), (2, 1)]:
        with pytest.raises(ProofInvalid):
            verify_inclusion(LEAF_HASHES[0], index, size, [], merkle.EMPTY_ROOT)


def test_proof_objects_round_trip_through_json_and_verify():
    hashes, roots = _tree(11)
    inc = InclusionProof.build(7, hashes)
    assert InclusionProof.from_json(inc.to_json()) == inc
    InclusionProof.from_json(inc.to_json()).verify(roots[11])
    con = ConsistencyProof.build(5, hashes)
    assert ConsistencyProof.from_json(con.to_json()) == con
    con.verify(roots[5], roots[11])
    with pytest.raises(ProofInvalid):
        con.verify(roots[6], roots[11])


def test_proof_json_with_extra_fields_bad_hex_or_bad_numbers_is_rejected():
    good = InclusionProof.build(1, LEAF_HASHES).to_dict()
    for patch in [{"extra": 1}, {"index": -1}, {"index": "1"}, {"size": True},
                  {"leaf_hash": "zz"}, {"leaf_hash": "00"}, {"hashes": "00"}, {"hashes": ["00" * 31]}]:
        with pytest.raises(ProofInvalid):
            InclusionProof.from_json({**good, **patch})
    with pytest.raises(ProofInvalid, match="not JSON"):
        ConsistencyProof.from_json("{")


def test_convenience_functions_hash_leaf_data_first():
    assert merkle.inclusion_proof(5, LEAVES).hashes == tuple(inclusion_path(5, LEAF_HASHES))
    assert merkle.consistency_proof(6, LEAVES).hashes == tuple(consistency_path(6, LEAF_HASHES))


def test_root_and_proofs_over_100k_leaves():
    leaves = [i.to_bytes(8, "big") for i in range(100_000)]
    root = tree_root(leaves)
    hashes = [leaf_hash(x) for x in leaves]
    InclusionProof.build(99_999, hashes).verify(root)
    ConsistencyProof.build(65_537, hashes).verify(root_of_hashes(hashes[:65_537]), root)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=8), min_size=1, max_size=70), st.data())
def test_property_inclusion_proof_verifies_only_for_its_own_leaf(leaves, data):
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = merkle.inclusion_proof(index, leaves)
    root = tree_root(leaves)
    proof.verify(root)
    other = data.draw(st.binary(max_size=8))
    if other != leaves[index]:
        with pytest.raises(ProofInvalid):
            verify_inclusion(leaf_hash(other), index, len(leaves), proof.hashes, root)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=70), st.data())
def test_property_consistency_proof_verifies_and_detects_a_rewritten_prefix(leaves, data):
    old = data.draw(st.integers(0, len(leaves)))
    proof = merkle.consistency_proof(old, leaves)
    proof.verify(tree_root(leaves[:old]), tree_root(leaves))
    if 0 < old < len(leaves):
        i = data.draw(st.integers(0, old - 1))
        forked = leaves[:i] + [leaves[i] + b"!"] + leaves[i + 1:]
        with pytest.raises(ProofInvalid):
            proof.verify(tree_root(leaves[:old]), tree_root(forked))
        with pytest.raises(ProofInvalid):
            proof.verify(tree_root(forked[:old]), tree_root(leaves))


def test_a_whole_tree_gives_the_same_paths_and_root_as_the_recursive_definition():
    for size in range(1, 70):
        hashes = [leaf_hash(i.to_bytes(2, "big")) for i in range(size)]
        tree = merkle.MerkleTree(hashes)
        assert tree.root == root_of_hashes(hashes)
        for index in range(size):
            assert tree.inclusion_path(index) == inclusion_path(index, hashes)
            tree.inclusion_proof(index).verify(tree.root)


def test_a_whole_tree_gives_the_same_paths_as_the_reference_for_a_large_log():
    """The kept tree's paths (what the site ships, thousands at a time: its speed is in
    scripts/bench/site_bench.py) equal the reference's, at the edges and between them."""
    hashes = [leaf_hash(i.to_bytes(4, "big")) for i in range(100_000)]
    tree = merkle.MerkleTree(hashes)
    for i in (0, 1, 65_535, 65_536, 99_998, 99_999, 12_345):
        assert tree.inclusion_path(i) == inclusion_path(i, hashes)
