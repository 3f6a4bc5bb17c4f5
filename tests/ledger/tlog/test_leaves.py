"""The canonical leaf encoding of events: a known answer spelled out field by field, and round trips."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.tlog import merkle
from ledger.tlog.leaves import MAGIC, LogEvent, canonical_event

EXAMPLE = dict(chain_id=31337, block_number=7, block_hash=b"\x11" * 32, tx_hash=b"\x22" * 32,
               log_index=3, address=b"\x33" * 20, topics=[b"\x44" * 32, b"\x55" * 32],
               data=bytes.fromhex("deadbeef"))


def test_example_event_encodes_exactly_as_the_documented_layout():
    expected = bytes.fromhex(
        "776169636f2d6576656e742f310a"  # "waico-event/1\n"
        "0000000000007a69"  # chain id 31337, uint64
        "0000000000000007"  # block number 7, uint64
        + "11" * 32  # block hash
        + "22" * 32  # tx hash
        + "00000003"  # log index, uint32
        + "33" * 20  # address
        + "02"  # topic count, uint8
        + "44" * 32 + "55" * 32  # topics
        + "00000004"  # data length, uint32
        + "deadbeef"  # data
    )
    leaf = canonical_event(**EXAMPLE)
    assert leaf == expected and len(leaf) == 191
    # A pinned leaf hash for re-implementers.
    assert merkle.leaf_hash(leaf).hex() == "1f6a68f6a089d176f50c5ce604e0d0d5676a729ed03792b865304be3ef61a521"


def test_magic_names_the_format():
    assert MAGIC == b"waico-event/1\n"


@pytest.mark.parametrize("field,value", [
    ("chain_id", -1), ("chain_id", 2**64), ("block_number", 2**64), ("log_index", 2**32),
    ("block_hash", b"\x11" * 31), ("tx_hash", b"\x22" * 33), ("address", b"\x33" * 32),
    ("topics", [b"\x44" * 32] * 5), ("topics", [b"\x44" * 31]), ("data", "deadbeef"),
    ("chain_id", True),
])
def test_out_of_range_fields_are_refused(field, value):
    with pytest.raises(ValueError):
        canonical_event(**{**EXAMPLE, field: value})


def test_leaves_sort_by_block_then_log_index():
    events = [LogEvent(1, b, b"\0" * 32, b"\0" * 32, i, b"\0" * 20, (), b"") for b, i in
              [(5, 0), (4, 9), (5, 1), (4, 0)]]
    assert [e.order for e in sorted(events, key=lambda e: e.order)] == [(4, 0), (4, 9), (5, 0), (5, 1)]


def test_truncated_or_padded_leaves_do_not_decode():
    leaf = canonical_event(**EXAMPLE)
    for bad in [leaf[:-1], leaf + b"\0", b"x" + leaf[1:], leaf[:20]]:
        with pytest.raises(ValueError):
            LogEvent.decode(bad)


events = st.builds(
    LogEvent,
    chain_id=st.integers(0, 2**64 - 1), block_number=st.integers(0, 2**64 - 1),
    block_hash=st.binary(min_size=32, max_size=32), tx_hash=st.binary(min_size=32, max_size=32),
    log_index=st.integers(0, 2**32 - 1), address=st.binary(min_size=20, max_size=20),
    topics=st.lists(st.binary(min_size=32, max_size=32), max_size=4).map(tuple),
    data=st.binary(max_size=200),
)


@settings(max_examples=300, deadline=None)
@given(events, events)
def test_property_encoding_is_injective_and_decodes_back(a, b):
    assert LogEvent.decode(a.encode()) == a
    assert (a.encode() == b.encode()) == (a == b)
