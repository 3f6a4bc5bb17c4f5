"""The canonical encoding of a finalized contract event: one leaf of the checkpointed log.

Auditors re-implement this, so here it is in full. A leaf is the concatenation of, in order
(integers unsigned big-endian, byte strings raw, nothing else in between or after):

    field         size (bytes)   content
    magic         14             the ASCII bytes "waico-event/1\\n" (77 61 69 63 6f 2d 65 76
                                 65 6e 74 2f 31 0a): names the format and its version
    chain_id      8              EIP-155 chain ID
    block_number  8              number of the block holding the log
    block_hash    32             hash of that block
    tx_hash       32             hash of the transaction that emitted the log
    log_index     4              the log's index within the block (the JSON-RPC `logIndex`)
    address       20             the emitting contract
    topic_count   1              number of topics, 0 to 4
    topics        32 each        topic_count topics in log order (topic 0 is the event selector
                                 for non-anonymous events)
    data_length   4              length of data in bytes
    data          data_length    the log's ABI-encoded data, unchanged

Every field is fixed-size or length-prefixed, so a leaf decodes in exactly one way (see
`LogEvent.decode`). The Merkle leaf hash is RFC 6962's SHA-256(0x00 || leaf).

The log's leaves are the finalized events of the deployment's contracts ordered by
(block_number, log_index): chain order, the order `eth_getLogs` returns. Leaf i of the tree
is the i-th event in that order, counting from 0.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Sequence

MAGIC = b"waico-event/1\n"
MAX_TOPICS = 4
_HEAD = struct.Struct(">QQ32s32sI20sB")  # chain_id .. topic_count


def _bytes(name: str, value: bytes, size: int) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != size:
        raise ValueError(f"{name} must be {size} bytes")
    return bytes(value)


def _uint(name: str, value: int, bits: int) -> int:
    if type(value) is not int or not 0 <= value < 1 << bits:
        raise ValueError(f"{name} must be an integer in 0..2**{bits}-1")
    return value


@dataclass(frozen=True)
class LogEvent:
    """A contract event as the log records it: where it happened and what it said."""

    chain_id: int
    block_number: int
    block_hash: bytes
    tx_hash: bytes
    log_index: int
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes

    def __post_init__(self):
        _uint("chain_id", self.chain_id, 64)
        _uint("block_number", self.block_number, 64)
        _bytes("block_hash", self.block_hash, 32)
        _bytes("tx_hash", self.tx_hash, 32)
        _uint("log_index", self.log_index, 32)
        _bytes("address", self.address, 20)
        if len(self.topics) > MAX_TOPICS:
            raise ValueError(f"an EVM log has at most {MAX_TOPICS} topics")
        for i, topic in enumerate(self.topics):
            _bytes(f"topics[{i}]", topic, 32)
        if not isinstance(self.data, (bytes, bytearray)) or len(self.data) >= 1 << 32:
            raise ValueError("data must be bytes shorter than 2**32")

    @property
    def order(self) -> tuple[int, int]:
        """The key that orders the log's leaves."""
        return (self.block_number, self.log_index)

    def encode(self) -> bytes:
        head = _HEAD.pack(self.chain_id, self.block_number, bytes(self.block_hash),
                          bytes(self.tx_hash), self.log_index, bytes(self.address), len(self.topics))
        return (MAGIC + head + b"".join(bytes(t) for t in self.topics)
                + struct.pack(">I", len(self.data)) + bytes(self.data))

    @classmethod
    def decode(cls, leaf: bytes) -> LogEvent:
        if not leaf.startswith(MAGIC):
            raise ValueError("not a waico-event/1 leaf")
        at = len(MAGIC)
        if len(leaf) < at + _HEAD.size:
            raise ValueError("leaf is truncated")
        chain_id, block, block_hash, tx_hash, log_index, address, count = _HEAD.unpack_from(leaf, at)
        at += _HEAD.size
        if count > MAX_TOPICS or len(leaf) < at + 32 * count + 4:
            raise ValueError("leaf has too many topics or is truncated")
        topics = tuple(leaf[at + 32 * i: at + 32 * (i + 1)] for i in range(count))
        at += 32 * count
        (length,) = struct.unpack_from(">I", leaf, at)
        at += 4
        if len(leaf) != at + length:
            raise ValueError("leaf data length does not match")
        return cls(chain_id, block, block_hash, tx_hash, log_index, address, topics, leaf[at:])


def canonical_event(chain_id: int, block_number: int, block_hash: bytes, tx_hash: bytes,
                    log_index: int, address: bytes, topics: Sequence[bytes], data: bytes) -> bytes:
    """The leaf bytes of one event (the layout is in this module's docstring)."""
    return LogEvent(chain_id, block_number, block_hash, tx_hash, log_index, address,
                    tuple(topics), data).encode()
