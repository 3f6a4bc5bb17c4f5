"""Ballot files come from members and strangers: every crafted file is a BallotInvalid naming
it (never another exception), a huge one is not read whole, and a signature is judged in the
form the governor takes."""

import json
import tracemalloc

import pytest
from eth_account import Account

from ledger.errors import BallotInvalid
from ledger.org import ballots
from ledger.org.ballots import SECP256K1_HALF_N, Ballot, Support

GOVERNOR = ballots.Web3.to_checksum_address("0x" + "ab" * 20)
MAX_FILE = 64 * 1024  # the cap the issue asks for
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141  # secp256k1's order


@pytest.fixture
def voter():
    return Account.create()


def good(voter) -> dict:
    return ballots.sign(Ballot(31337, GOVERNOR, 2**255 + 7, Support.For, voter.address, "yes"), voter.key).to_json()


def crafted(voter) -> dict[str, str]:
    """File contents that broke `verify`/`submit` with a traceback, or could, by name."""
    text = json.dumps(good(voter))
    message = good(voter)["typedData"]["message"]

    def with_message(**values):
        data = good(voter)
        data["typedData"]["message"].update(values)
        return json.dumps(data)

    def with_typed(**values):
        data = good(voter)
        data["typedData"].update(values)
        return json.dumps(data)

    return {
        "support Infinity": text.replace('"support": 1', '"support": Infinity'),
        "chainId Infinity": text.replace('"chainId": 31337', '"chainId": Infinity'),
        "chainId -Infinity": text.replace('"chainId": 31337', '"chainId": -Infinity'),
        "proposalId NaN": text.replace(f'"proposalId": "{message["proposalId"]}"', '"proposalId": NaN'),
        "support a float": with_message(support=1.0),
        "support a bool": with_message(support=True),
        "proposalId above uint256": with_message(proposalId=str(2**256)),
        "proposalId negative": with_message(proposalId=-1),
        "proposalId a huge string": with_message(proposalId="9" * 5000),
        "voter a number": with_message(voter=7),
        "voter not hex": with_message(voter="0x" + "zz" * 20),
        "reason a lone surrogate": with_message(reason="\ud800"),
        "reason a list": with_message(reason=["x"]),
        "types a list": with_typed(types=[1, 2]),
        "domain a string": with_typed(domain="WAICO Governor"),
        "message null": with_typed(message=None),
        "typedData a list": json.dumps({"typedData": [], "signature": "0x00"}),
        "signature a number": json.dumps({**good(voter), "signature": 12}),
        "nested 30,000 deep": "[" * 30_000 + "]" * 30_000,
        "a list": "[1, 2]",
        "not UTF-8": "\udcff",
    }


def test_every_crafted_file_is_that_files_ballot_invalid(voter, tmp_path):
    for name, content in crafted(voter).items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(content.encode("utf-8", "surrogateescape"))
        with pytest.raises(BallotInvalid) as info:
            ballots.load(path)
        message = str(info.value)
        assert message.startswith(str(path)) and "\n" not in message, (name, message)


def test_nan_and_infinity_are_refused_as_json(voter, tmp_path):
    path = tmp_path / "b.json"
    path.write_text(crafted(voter)["support Infinity"])
    with pytest.raises(BallotInvalid, match="Infinity is not a JSON number"):
        ballots.load(path)


def test_a_huge_file_is_refused_without_reading_it_whole(tmp_path):
    assert ballots.MAX_FILE == MAX_FILE
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(100 * 2**20)  # 100 MB (sparse)
    tracemalloc.start()
    try:
        with pytest.raises(BallotInvalid, match="larger than 64 KB"):
            ballots.load(path)
        assert tracemalloc.get_traced_memory()[1] < 4 * MAX_FILE
    finally:
        tracemalloc.stop()
    bracket = tmp_path / "brackets.json"
    bracket.write_text("[" * 200_000 + "]" * 200_000)  # the 200k nested brackets
    with pytest.raises(BallotInvalid, match="larger than 64 KB"):
        ballots.load(bracket)


def test_numbers_may_be_json_integers_or_decimal_or_hex_strings(voter):
    data = good(voter)
    data["typedData"]["domain"]["chainId"] = "0x7a69"
    data["typedData"]["message"]["support"] = "1"
    signed = ballots.parse(data)
    assert (signed.ballot.chain_id, signed.ballot.support) == (31337, Support.For)
    assert ballots.check_signature(signed) == "ecdsa"


def forms(voter) -> dict[str, bytes]:
    """One ballot's signature in the forms a wallet may write it."""
    signed = ballots.sign(Ballot(31337, GOVERNOR, 5, Support.For, voter.address), voter.key)
    sig = signed.signature
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    assert s <= SECP256K1_HALF_N and v in (27, 28)
    return {"canonical": sig, "v as 0 or 1": sig[:64] + bytes([v - 27]),
            "high s": r + (N - s).to_bytes(32, "big") + bytes([55 - v]),
            "compact (EIP-2098)": ballots.compact_signature(sig)}


def test_signature_forms_the_governor_refuses_are_refused(voter):
    """Each form recovers to the voter's key, but the governor (OpenZeppelin's ECDSA) takes only
    v of 27 or 28 and a low s: `verify` says ok for the forms that will count only."""
    ballot = Ballot(31337, GOVERNOR, 5, Support.For, voter.address)
    verdicts = {}
    for name, signature in forms(voter).items():
        signed = ballots.SignedBallot(ballot, signature)
        assert signed.recovered_signer() == voter.address
        try:
            verdicts[name] = ballots.check_signature(signed)
        except BallotInvalid as exc:
            verdicts[name] = str(exc)
    assert verdicts["canonical"] == verdicts["compact (EIP-2098)"] == "ecdsa"
    assert "will not count: its v is 0" in verdicts["v as 0 or 1"] or "its v is 1" in verdicts["v as 0 or 1"]
    assert "will not count: its s is in the upper half" in verdicts["high s"]


def test_offline_a_signature_not_the_voters_key_may_be_a_wallets(voter):
    ballot = Ballot(31337, GOVERNOR, 5, Support.For, voter.address)
    with pytest.raises(BallotInvalid, match="forged or tampered, or a contract wallet's, which only a node can check"):
        ballots.check_signature(ballots.SignedBallot(ballot, b"\x01" * 120))
