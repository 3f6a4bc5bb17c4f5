"""`Contract.fn(args)` is encoded exactly as written, typed by the ABI, or refused with a reason."""

import re

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector as selector

from ledger.chain.manifest import Deployed, Manifest
from ledger.errors import ConfigError
from ledger.org.actions import parse_call

ADDRESS = "0x" + "ab" * 20
CHECKSUMMED = "0x1A5F9352Af8aF974bFC03399e3767DF6370d82e4"
ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def fn(name, *types, names=None):
    inputs = []
    for n, t in enumerate(types):
        if isinstance(t, tuple):  # (tuple type string, components)
            inputs.append({"name": f"a{n}", "type": t[0], "components": [{"name": f"c{i}", "type": c} for i, c in enumerate(t[1])]})
        else:
            inputs.append({"name": (names or [])[n] if names else f"a{n}", "type": t})
    return {"type": "function", "name": name, "inputs": inputs, "outputs": [], "stateMutability": "nonpayable"}


ABI = [
    fn("text", "string"), fn("who", "address"), fn("digest", "bytes32"), fn("blob", "bytes"),
    fn("small", "uint8"), fn("big", "uint256"), fn("signed", "int16"), fn("flag", "bool"),
    fn("ids", "uint256[]"), fn("votes", "uint32[3]"), fn("accounts", "address[]"),
    fn("pair", ("tuple", ["uint8", "string"])), fn("pairs", ("tuple[]", ["address", "bool"])),
    fn("two", "uint8", "uint256"), fn("over", "uint8"), fn("over", "uint256", "bool"),
    fn("same", "uint8"), fn("same", "address"),
    fn("registerStandard", "string", "string", "bytes32", names=["title", "uri", "contentHash"]),
]


@pytest.fixture
def manifest():
    return Manifest(31337, {"Box": Deployed(ADDRESS, ABI, 1)})


def encoded(manifest, text):
    return parse_call(text, manifest).action.calldata


@pytest.mark.parametrize("text, signature, types, values", [
    ("Box.text('construe trueness')", "text(string)", ["string"], ["construe trueness"]),
    ("Box.text('see 0xabc')", "text(string)", ["string"], ["see 0xabc"]),
    ('Box.text("0x1234")', "text(string)", ["string"], ["0x1234"]),
    (r"Box.text('it\'s \"quoted\", a\\b \x41\u00e9\n')", "text(string)", ["string"], ["it's \"quoted\", a\\b Aé\n"]),
    ("Box.text('true, false; [1] (2)')", "text(string)", ["string"], ["true, false; [1] (2)"]),
    (f"Box.who({CHECKSUMMED})", "who(address)", ["address"], [CHECKSUMMED]),
    (f"Box.who({CHECKSUMMED.lower()})", "who(address)", ["address"], [CHECKSUMMED]),
    ("Box.digest(0x" + "07" * 32 + ")", "digest(bytes32)", ["bytes32"], [b"\x07" * 32]),
    ("Box.blob(0x)", "blob(bytes)", ["bytes"], [b""]),
    ("Box.blob(0xdeadbeef)", "blob(bytes)", ["bytes"], [bytes.fromhex("deadbeef")]),
    ("Box.small(255)", "small(uint8)", ["uint8"], [255]),
    ("Box.big(1_000_000)", "big(uint256)", ["uint256"], [1_000_000]),
    ("Box.big(0xff)", "big(uint256)", ["uint256"], [255]),
    ("Box.big(" + str(2**256 - 1) + ")", "big(uint256)", ["uint256"], [2**256 - 1]),
    ("Box.signed(-32768)", "signed(int16)", ["int16"], [-32768]),
    ("Box.flag(true)", "flag(bool)", ["bool"], [True]),
    ("Box.flag( false )", "flag(bool)", ["bool"], [False]),
    ("Box.ids([])", "ids(uint256[])", ["uint256[]"], [[]]),
    ("Box.ids([1, 2 ,3])", "ids(uint256[])", ["uint256[]"], [[1, 2, 3]]),
    ("Box.votes([100, 400, 1000])", "votes(uint32[3])", ["uint32[3]"], [[100, 400, 1000]]),
    (f"Box.accounts([{CHECKSUMMED}, {ALICE}])", "accounts(address[])", ["address[]"], [[CHECKSUMMED, ALICE]]),
    ("Box.pair((3, 'three'))", "pair((uint8,string))", ["(uint8,string)"], [(3, "three")]),
    (f"Box.pairs([({ALICE}, true), ({CHECKSUMMED}, false)])", "pairs((address,bool)[])", ["(address,bool)[]"],
     [[(ALICE, True), (CHECKSUMMED, False)]]),
    ("Box.two(1, 2)", "two(uint8,uint256)", ["uint8", "uint256"], [1, 2]),
    ("Box.over(7)", "over(uint8)", ["uint8"], [7]),
    ("Box.over(7, true)", "over(uint256,bool)", ["uint256", "bool"], [7, True]),
    ("Box.same(uint8)(7)", "same(uint8)", ["uint8"], [7]),
    (f"Box.same(address)({ALICE})", "same(address)", ["address"], [ALICE]),
])
def test_every_abi_type_is_encoded_exactly_as_written(manifest, text, signature, types, values):
    assert encoded(manifest, text) == selector(signature) + encode(types, values)


def test_the_readme_examples_encode_as_written(manifest):
    call = parse_call("Box.registerStandard('WAICO-S7 Model Cards', 'https://standards.waico.example/s7', 0x"
                      + "0" * 63 + "7)", manifest)
    assert call.action.target == ADDRESS and call.action.value == 0
    assert call.action.calldata == selector("registerStandard(string,string,bytes32)") + encode(
        ["string", "string", "bytes32"],
        ["WAICO-S7 Model Cards", "https://standards.waico.example/s7", (7).to_bytes(32, "big")])
    assert call.describe() == ("Box.registerStandard(title='WAICO-S7 Model Cards', uri='https://standards.waico."
                               "example/s7', contentHash=0x" + "0" * 63 + "7)")


@pytest.mark.parametrize("text, message", [
    ("Box.text(construe)", "'construe' is not a value"),
    ("Box.text(0x1234)", "expected a quoted string"),
    ("Box.text(12)", "expected a quoted string"),
    ("Box.text('open)", "a string is not closed"),
    (r"Box.text('\q')", r"unknown escape \q"),
    ("Box.who('0x" + "ab" * 20 + "')", "expected an address"),
    ("Box.who(0x" + "ab" * 19 + ")", "expected an address"),
    ("Box.who(0x1a5F9352Af8aF974bFC03399e3767DF6370d82e4)", "valid checksum"),
    ("Box.digest(0x07)", "exactly 32 bytes"),
    ("Box.blob(0xabc)", "even number of hex digits"),
    ("Box.small(256)", "from 0 to 255"),
    ("Box.small(-1)", "from 0 to 255"),
    ("Box.signed(32768)", "from -32768 to 32767"),
    ("Box.small('1')", "expected a number"),
    ("Box.flag(1)", "expected true or false"),
    ("Box.flag(True)", "'True' is not a value"),
    ("Box.votes([1, 2])", "3 elements"),
    ("Box.ids(1)", "a list"),
    ("Box.ids([1, 'two'])", "element 2"),
    ("Box.pair((3))", "a tuple of 2"),
    ("Box.two(1)", "takes 2 argument(s)"),
    ("Box.two(1, 2, 3)", "not 3"),
    ("Box.two(1 2)", "expected a comma"),
    ("Box.same(7)", "overloaded"),
    ("Box.same(bytes4)(0x12345678)", "has no same(bytes4)"),
    ("Box.nothing()", "has no function 'nothing'"),
    ("Vault.text('x')", "no contract 'Vault'"),
    ("text('x')", "write Contract.function"),
])
def test_what_cannot_be_encoded_as_written_is_refused_with_the_reason(manifest, text, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_call(text, manifest)
