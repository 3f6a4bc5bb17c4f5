"""The verification material a page ships: the leaves behind its numbers and their inclusion
proofs, packed.

A pack is JSON (documented in docs/site-data.md):

    {"size": <tree size of the checkpoint>,
     "nodes": ["<base64 of a 32-byte hash>", ...],
     "events": [{"index": <leaf index>, "leaf": "<base64 of the leaf bytes>",
                 "proof": [<position in nodes>, ...]}, ...]}

Each event's proof is the RFC 9162 inclusion path of its leaf (leaf-most sibling first, as
`ledger.tlog.merkle`), written as positions in `nodes`: the events of a page share most of
their upper nodes, so each hash is written once. Events are in leaf order.
"""

from __future__ import annotations

import base64

from ledger.tlog.merkle import MerkleTree


class LeafCodec:
    """Base64 of each leaf and node, computed once for the whole site."""

    def __init__(self, leaves: list[bytes], tree: MerkleTree):
        self.leaves = leaves
        self.tree = tree
        self._leaf_b64: dict[int, str] = {}

    def leaf(self, index: int) -> str:
        text = self._leaf_b64.get(index)
        if text is None:
            text = self._leaf_b64[index] = base64.b64encode(self.leaves[index]).decode()
        return text


class ProofPack:
    """The set of leaves a page (or a shared data file) ships, and their proofs."""

    def __init__(self, codec: LeafCodec):
        self.codec = codec
        self.indices: set[int] = set()

    def add(self, index: int) -> int:
        self.indices.add(index)
        return index

    def add_all(self, indices) -> None:
        self.indices.update(indices)

    def __contains__(self, index: int) -> bool:
        return index in self.indices

    def to_json(self) -> dict:
        tree = self.codec.tree
        node_ids: dict[bytes, int] = {}
        events = []
        for index in sorted(self.indices):
            path = tree.inclusion_path(index)
            events.append({"index": index, "leaf": self.codec.leaf(index),
                           "proof": [node_ids.setdefault(node, len(node_ids)) for node in path]})
        nodes = [base64.b64encode(node).decode() for node in node_ids]
        return {"size": tree.size, "nodes": nodes, "events": events}
