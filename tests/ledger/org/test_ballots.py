import json

import pytest
from eth_account import Account

from ledger.errors import BallotInvalid
from ledger.org import ballots
from ledger.org.ballots import Ballot, Support

GOVERNOR = "0x" + "ab" * 20


@pytest.fixture
def voter():
    return Account.create()


def make(voter, **kw):
    fields = dict(chain_id=31337, governor=ballots.Web3.to_checksum_address(GOVERNOR), proposal_id=2**255 + 7,
                  support=Support.For, voter=voter.address, reason="for the Global South")
    fields.update(kw)
    return Ballot(**fields)


def test_signed_ballot_round_trips_through_a_file(tmp_path, voter):
    signed = ballots.sign(make(voter), voter.key)
    path = signed.save(tmp_path / "b.json")
    loaded = ballots.load(path)
    assert loaded == signed
    assert ballots.check_signature(loaded) == "ecdsa"


def test_wallet_signature_of_printed_typed_data_is_accepted(voter):
    """What an EIP-712 wallet does with `waico ballot typed-data`: sign the JSON as printed."""
    printed = json.loads(json.dumps(make(voter).typed_data()))
    signature = Account.sign_typed_data(voter.key, full_message=printed).signature
    loaded = ballots.parse({"typedData": printed, "signature": "0x" + signature.hex()})
    assert ballots.check_signature(loaded) == "ecdsa"


@pytest.mark.parametrize("field,value", [("support", 0), ("proposalId", "8"), ("reason", "changed"),
                                         ("voter", "0x" + "12" * 20)])
def test_tampered_message_is_rejected(voter, field, value):
    data = ballots.sign(make(voter), voter.key).to_json()
    data["typedData"]["message"][field] = value
    with pytest.raises(BallotInvalid, match="forged or tampered"):
        ballots.check_signature(ballots.parse(data))


def test_ballot_for_another_chain_or_governor_is_rejected(voter):
    signed = ballots.sign(make(voter), voter.key)
    with pytest.raises(BallotInvalid, match="chain 31337.*chain 1$"):
        ballots.check_domain(signed, 1, GOVERNOR)
    with pytest.raises(BallotInvalid, match="governor"):
        ballots.check_domain(signed, 31337, "0x" + "cd" * 20)
    ballots.check_domain(signed, 31337, GOVERNOR)


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d.pop("signature"), "needs `typedData` and `signature`"),
    (lambda d: d.update(signature="zz"), "not 0x-hex"),
    (lambda d: d.update(signature="0x"), "empty"),
    (lambda d: d["typedData"].update(primaryType="Mail"), "not a ballot"),
    (lambda d: d["typedData"]["types"]["MemberBallot"].pop(), "does not have the MemberBallot type"),
    (lambda d: d["typedData"]["domain"].update(name="Other DAO"), "not WAICO Governor"),
    (lambda d: d["typedData"]["message"].update(support=3), "support must be 0, 1 or 2"),
    (lambda d: d["typedData"]["message"].pop("voter"), "malformed"),
    (lambda d: d["typedData"]["message"].update(proposalId="seven"), "malformed"),
])
def test_malformed_ballot_files_say_what_is_wrong(voter, mutate, message):
    data = ballots.sign(make(voter), voter.key).to_json()
    mutate(data)
    with pytest.raises(BallotInvalid, match=message):
        ballots.parse(data)


def test_unreadable_ballot_file_names_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(BallotInvalid, match="bad.json: not JSON"):
        ballots.load(bad)
    with pytest.raises(BallotInvalid, match="no such ballot file"):
        ballots.load(tmp_path / "missing.json")


def test_support_parses_words():
    assert Support.parse("FOR") is Support.For
    assert Support.parse("abstain") is Support.Abstain
    with pytest.raises(BallotInvalid):
        Support.parse("maybe")
