"""decode: the hand readers agree with eth-abi; unknown logs stay raw."""

from __future__ import annotations

import json
import random

from eth_abi import decode as abi_decode
from eth_abi import encode

from ledger.mirror.decode import Decoder, EventDecoder, topic0

ADDRESS = "0x" + "11" * 20
OTHER = "0x" + "22" * 20

EVENT = {
    "type": "event", "name": "Everything", "anonymous": False, "inputs": [
        {"name": "who", "type": "address", "indexed": True},
        {"name": "delta", "type": "int64", "indexed": True},
        {"name": "label", "type": "string", "indexed": True},
        {"name": "small", "type": "uint8", "indexed": False},
        {"name": "wide", "type": "uint256", "indexed": False},
        {"name": "negative", "type": "int256", "indexed": False},
        {"name": "flag", "type": "bool", "indexed": False},
        {"name": "digest", "type": "bytes32", "indexed": False},
        {"name": "short", "type": "bytes4", "indexed": False},
        {"name": "text", "type": "string", "indexed": False},
        {"name": "blob", "type": "bytes", "indexed": False},
        {"name": "triple", "type": "uint32[3]", "indexed": False},
        {"name": "owner", "type": "address", "indexed": False},
    ],
}
DATA_TYPES = ["uint8", "uint256", "int256", "bool", "bytes32", "bytes4", "string", "bytes", "uint32[3]", "address"]


def log(address: str, topics: list[str], data: bytes, index: int = 0) -> dict:
    return {"address": address, "topics": topics, "data": "0x" + data.hex(), "blockNumber": "0x5",
            "blockHash": "0x" + "ab" * 32, "transactionHash": "0x" + "cd" * 32, "transactionIndex": "0x1",
            "logIndex": hex(index), "removed": False}


def reference(values: list) -> list:
    """eth-abi's decoding, in the mirror's value conventions."""
    out = []
    for v in abi_decode(DATA_TYPES, encode(DATA_TYPES, values)):
        if isinstance(v, bytes):
            v = "0x" + v.hex()
        elif isinstance(v, tuple):
            v = list(v)
        out.append(v)
    return out


def random_values(rng: random.Random) -> list:
    text = "".join(rng.choice("aé\"\\\n✓ z\u2028") for _ in range(rng.randrange(0, 40)))
    return [
        rng.randrange(256), rng.randrange(2**256), rng.randrange(-2**255, 2**255), rng.random() < 0.5,
        rng.randbytes(32), rng.randbytes(4), text, rng.randbytes(rng.randrange(0, 70)),
        [rng.randrange(2**32) for _ in range(3)], "0x" + rng.randbytes(20).hex(),
    ]


def test_fast_path_agrees_with_eth_abi_and_json_is_canonical():
    decoder = EventDecoder.from_abi("C", EVENT)
    assert decoder.readers is not None
    rng = random.Random(5)
    for _ in range(300):
        values = random_values(rng)
        delta = rng.randrange(-2**63, 2**63)
        topics = [topic0(EVENT), "0x" + "00" * 12 + "ab" * 20, "0x" + (delta % 2**256).to_bytes(32, "big").hex(),
                  "0x" + "77" * 32]
        args = decoder.args(topics, encode(DATA_TYPES, values))
        names = [i["name"] for i in EVENT["inputs"][3:]]
        assert [args[n] for n in names] == reference(values)
        assert (args["who"], args["delta"], args["label"]) == ("0x" + "ab" * 20, delta, "0x" + "77" * 32)
        as_json = {**args, "wide": str(args["wide"]), "negative": str(args["negative"])}
        assert decoder.to_json(args) == json.dumps(as_json, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_shapes_without_a_fast_path_go_through_eth_abi():
    item = {"type": "event", "name": "Nested", "inputs": [
        {"name": "items", "type": "uint256[]", "indexed": False},
        {"name": "pair", "type": "tuple", "indexed": False,
         "components": [{"name": "a", "type": "address"}, {"name": "b", "type": "bytes"}]},
    ]}
    decoder = EventDecoder.from_abi("C", item)
    assert decoder.readers is None
    data = encode(["uint256[]", "(address,bytes)"], [[1, 2**70], ("0x" + "33" * 20, b"\x01")])
    args = decoder.args([topic0(item)], data)
    assert args == {"items": [1, 2**70], "pair": ["0x" + "33" * 20, "0x01"]}
    assert decoder.to_json(args) == '{"items":["1","1180591620717411303424"],"pair":["0x' + "33" * 20 + '","0x01"]}'


def test_text_that_is_not_utf8_is_decoded_with_replacements_and_marked_on_both_paths():
    """Anyone's bytes: a string argument that is not UTF-8 still gives every argument, its text
    with U+FFFD, and `@notUtf8` names it, on the hand readers' path and on eth-abi's (nested)."""
    flat = EventDecoder.from_abi("C", EVENT)
    values = [1, 2, -3, True, b"\x00" * 32, b"\x01" * 4, b"\xff\xfe bad", b"", [1, 2, 3], "0x" + "33" * 20]
    topics = [topic0(EVENT), "0x" + "00" * 12 + "ab" * 20, "0x" + "00" * 32, "0x" + "77" * 32]
    args, text = flat.args_and_json(topics, encode([t.replace("string", "bytes") for t in DATA_TYPES], values))
    assert args["text"] == "\ufffd\ufffd bad" and args["@notUtf8"] == ["text"] and args["owner"] == "0x" + "33" * 20
    assert text == flat.to_json(args) == json.dumps({**args, "wide": "2", "negative": "-3"}, sort_keys=True,
                                                     separators=(",", ":"), ensure_ascii=False)

    nested = {"type": "event", "name": "Nested", "inputs": [
        {"name": "id", "type": "uint256", "indexed": False},
        {"name": "names", "type": "string[]", "indexed": False},
        {"name": "description", "type": "string", "indexed": False}]}
    decoder = EventDecoder.from_abi("C", nested)
    assert decoder.readers is None
    data = encode(["uint256", "bytes[]", "bytes"], [7, [b"ok", b"\xc3"], "fine ✓".encode()])
    args, text = decoder.args_and_json([topic0(nested)], data)
    assert args == {"id": 7, "names": ["ok", "\ufffd"], "description": "fine ✓", "@notUtf8": ["names"]}
    assert text == '{"@notUtf8":["names"],"description":"fine ✓","id":"7","names":["ok","\ufffd"]}'
    clean = decoder.args([topic0(nested)], encode(["uint256", "string[]", "string"], [7, ["a"], "b"]))
    assert "@notUtf8" not in clean


def test_unknown_topics_and_misfit_logs_are_kept_raw():
    decoder = Decoder(1, [("C", ADDRESS, [EVENT])])
    unknown = decoder.decode(log(ADDRESS, ["0x" + "99" * 32], b"\x01" * 32))
    assert (unknown.contract, unknown.event, unknown.args, unknown.args_json) == ("C", None, None, None)
    assert unknown.data == "0x" + "01" * 32 and unknown.topics == ["0x" + "99" * 32]
    misfit = decoder.decode(log(ADDRESS, [topic0(EVENT)], b""))  # topics missing
    assert misfit.event is None and misfit.args is None
    anonymous = decoder.decode(log(ADDRESS, [], b""))
    assert anonymous.event is None


def test_same_event_signature_is_decoded_per_contract():
    indexed = {"type": "event", "name": "Transfer", "inputs": [
        {"name": "from", "type": "address", "indexed": True}, {"name": "to", "type": "address", "indexed": True},
        {"name": "value", "type": "uint256", "indexed": False}]}
    all_indexed = {"type": "event", "name": "Transfer", "inputs": [
        {"name": "from", "type": "address", "indexed": True}, {"name": "to", "type": "address", "indexed": True},
        {"name": "tokenId", "type": "uint256", "indexed": True}]}
    assert topic0(indexed) == topic0(all_indexed)
    decoder = Decoder(1, [("Token", ADDRESS, [indexed]), ("Deed", OTHER, [all_indexed])])
    a, b = "0x" + "00" * 12 + "aa" * 20, "0x" + "00" * 12 + "bb" * 20
    token = decoder.decode(log(ADDRESS, [topic0(indexed), a, b], encode(["uint256"], [7])))
    deed = decoder.decode(log(OTHER, [topic0(indexed), a, b, "0x" + (9).to_bytes(32, "big").hex()], b""))
    assert token.args == {"from": "0x" + "aa" * 20, "to": "0x" + "bb" * 20, "value": 7}
    assert deed.args == {"from": "0x" + "aa" * 20, "to": "0x" + "bb" * 20, "tokenId": 9}
    assert (token.contract, deed.contract) == ("Token", "Deed")
