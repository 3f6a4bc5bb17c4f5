"""`waico share`: the technology-sharing platform through the CLI, on a real chain.

Members of a fresh deployment (the deployer still admin, so it can suspend) offer, request,
grant, confirm and dispute; every bad card and every refused action is one line of error with
nothing sent (the deployment's counters and the signer's nonce unchanged).
"""

import json

import pytest
from click.testing import CliRunner

from ledger.app import keys
from ledger.cli import main
from ledger.org.membership import Kind, Tier

PW = {"WAICO_PASSWORD": "pw"}
MEMBERS = {"MYS": (Kind.State, Tier.Partner, "Malaysia"), "IDN": (Kind.State, Tier.Associate, "Indonesia"),
           "MMR": (Kind.State, Tier.Observer, "Myanmar"), "BABA": (Kind.Corporate, Tier.Partner, "Alibaba")}

CARD = """---
license: {license}
language: [ms]
{extra}---
# Malay read speech
"""


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory):
    """The members' keystores (light scrypt: made once for the module)."""
    directory = tmp_path_factory.mktemp("share-keys") / "keys"
    return directory, {label: keys.ensure_key(directory, label, "pw") for label in MEMBERS}


@pytest.fixture
def share(anvil, manifest, tmp_path, key_dir, secretariat, snapshot):
    """`waico share ...` in a workdir with the deployment and the members' keys; the members
    admitted (with gas money) on the snapshotted general chain."""
    import shutil

    manifest.save(tmp_path / "deployment.json")
    shutil.copytree(key_dir[0], tmp_path / "keys")
    membership = manifest.contract(secretariat.w3, "Membership")
    for label, (kind, tier, name) in MEMBERS.items():
        address = key_dir[1][label].address
        secretariat.pay(address, 10**18, "gas money")
        secretariat.send(membership.functions.admit(address, int(kind), int(tier), name, label), "admit")

    def run(*args, ok=True):
        result = CliRunner().invoke(main, [*args, "--workdir", str(tmp_path), "--rpc", anvil.url], env=PW)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run.workdir = tmp_path
    run.address = {label: key_dir[1][label].address for label in MEMBERS}
    run.platform = manifest.contract(secretariat.w3, "SharingPlatform")
    run.membership = membership
    run.w3 = secretariat.w3
    return run


def _files(share, license="cc-by-sa-4.0", extra=""):
    card = share.workdir / "speech.card.md"
    card.write_text(CARD.format(license=license, extra=extra))
    artifact = share.workdir / "speech.tar"
    artifact.write_bytes(b"stand-in for the corpus archive\n")
    return str(card), str(artifact)


def _offer(share, *extra, kind="dataset", title="Malay read speech", key="MYS"):
    card, artifact = _files(share)
    return share("share", "offer", kind, title, "--key", key, "--content", artifact, "--card", card, *extra)


def _state(share):
    """What a refused command must leave unchanged: the platform's counters and every nonce."""
    f = share.platform.functions
    return (f.offerCount().call(), f.requestCount().call(),
            {k: share.w3.eth.get_transaction_count(a) for k, a in share.address.items()})


def test_round_trip_offer_request_grant_confirm_counts_on_the_offerers_record(share):
    out = _offer(share, "--capacity", "2", "--min-tier", "Associate", "--terms", "use for public services").output
    assert out.startswith("offer 1: dataset 'Malay read speech' (version 1, Associate and above may request, "
                          "capacity 2); licence CC-BY-SA-4.0; content sha256:")
    assert share("share", "request", "dataset", "--key", "IDN", "--offer", "1",
                 "--description", "speech recognition for Bahasa Indonesia").output.strip() == \
        "request 1: dataset from offer 1"
    assert "request 1 of Indonesia granted under offer 1 (1 of 2)" in share("share", "grant", "1", "--key", "MYS").output
    confirmed = share("share", "confirm", "1", "--key", "IDN", "--outcome", "received; training started").output
    assert "Malaysia has 1 confirmed delivery to 1 distinct requester" in confirmed
    assert share.platform.functions.sharingRecord(share.address["MYS"]).call() == [1, 1]

    listed = json.loads(share("share", "list", "--json").stdout)
    [offer] = listed["offers"]
    assert (offer["id"], offer["kind"], offer["granted"], offer["capacity"], offer["version"]) == (1, "Dataset", 1, 2, 1)
    assert [(r["id"], r["status"], r["requester"]) for r in offer["requests"]] == \
        [(1, "Confirmed", share.address["IDN"])]
    assert offer["requests"][0]["outcomeHash"].startswith("0x") and listed["requests"] == []
    shown = json.loads(share("member", "show", "MYS", "--json").stdout)["sharing"]
    assert shown == {"confirmed": 1, "distinctRequesters": 1, "nextTier": "Full", "requiredForNextTier": 1}


def test_update_keeps_every_version_and_carries_what_is_not_given(share):
    _offer(share)
    share("share", "update", "1", "--key", "MYS", "--title", "Malay read speech v2", "--content",
          "sha256:" + "ab" * 32, "--capacity", "4")
    shown = json.loads(share("share", "show", "1", "--json").stdout)
    v1, v2 = shown["versions"]
    assert (v1["title"], v2["title"]) == ("Malay read speech", "Malay read speech v2")
    assert v2["contentId"] == "sha256:" + "ab" * 32 and v1["contentId"] != v2["contentId"]
    assert v2["cardHash"] == v1["cardHash"] and v2["cardURI"] == v1["cardURI"]  # carried over
    assert (v1["capacity"], v2["capacity"], shown["version"]) == (1, 4, 2)
    text = share("share", "show", "1").output
    assert "v1 (block" in text and "v2 (block" in text


def test_open_demand_and_kind_filter(share):
    _offer(share)
    share("share", "offer", "compute", "2,000 GPU-hours", "--key", "BABA", "--content", "H20 cluster, 2027",
          "--min-tier", "Observer", "--capacity", "3")
    share("share", "request", "dataset", "--key", "IDN", "--description", "Javanese speech")
    share("share", "request", "compute", "--key", "MMR", "--offer", "2", "--description", "OCR training")
    opened = json.loads(share("share", "list", "--kind", "dataset", "--open", "--json").stdout)
    assert [o["id"] for o in opened["offers"]] == [1]
    assert [(r["id"], r["kind"], r["status"]) for r in opened["requests"]] == [(1, "Dataset", "Open")]
    text = share("share", "list", "--kind", "compute").output
    assert "2,000 GPU-hours" in text and "Myanmar" in text and "Malay" not in text
    # the Observer's request for an Observer+ offer is granted; its open request for any dataset too
    share("share", "grant", "2", "--key", "BABA")
    share("share", "grant", "1", "--key", "MYS", "--offer", "1")
    closed = json.loads(share("share", "list", "--open", "--json").stdout)
    assert closed["requests"] == [] and [o["id"] for o in closed["offers"]] == [2]  # offer 1's capacity is used


BAD_CARDS = [
    ("no metadata", "# just a title\n", "has no metadata block"),
    ("bad yaml", "---\nlicense: [unclosed\n---\n", "its metadata is not valid YAML"),
    ("no licence", "---\nlanguage: [ms]\n---\n", "has no license: add 'license: <SPDX id>'"),
    ("unknown spdx", CARD.format(license="apache-9.9", extra=""), "license 'apache-9.9' is not an SPDX identifier"),
    ("other without link", CARD.format(license="other", extra="license_name: Local Licence\n"),
     "'license: other' needs license_name and license_link"),
    ("list licence", CARD.format(license="[mit, apache-2.0]", extra=""), "license must be one SPDX identifier"),
    ("not a mapping", "---\n- a list\n---\n", "its metadata must be a YAML mapping"),
    ("content id mismatch", CARD.format(license="mit", extra="content_id: sha256:" + "00" * 32 + "\n"),
     "gives content_id sha256:" + "00" * 32 + ", but"),
    ("bad content id", CARD.format(license="mit", extra="content_id: md5:1234\n"),
     "is neither sha256:<64 hex digits> nor a SWHID"),
]


@pytest.mark.parametrize("text, error", [(t, e) for _, t, e in BAD_CARDS], ids=[n for n, _, _ in BAD_CARDS])
def test_every_bad_card_is_one_line_and_sends_nothing(share, text, error):
    _, artifact = _files(share)
    card = share.workdir / "bad.card.md"
    card.write_text(text)
    before = _state(share)
    result = share("share", "offer", "dataset", "X", "--key", "MYS", "--content", artifact, "--card", str(card),
                   ok=False)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("error: "), result.output
    assert error in result.output
    assert _state(share) == before


@pytest.mark.parametrize("args, error", [
    (["model", "X", "--content", "sha256:" + "11" * 32], "a model offer needs --card FILE"),
    (["dataset", "X", "--content", "missing.tar", "--card", "{card}"], "--content 'missing.tar' is neither a file"),
    (["dataset", "X", "--content", "sha256:12", "--card", "{card}"], "neither sha256:<64 hex digits> nor a SWHID"),
    (["dataset", "X", "--content", "{artifact}", "--card", "missing.card.md"], "cannot read card missing.card.md"),
    (["tool", "X"], "say what is offered: --content FILE"),
    (["weights", "X"], "no kind 'weights': one of model, dataset, compute, tool, expertise"),
    (["dataset", "X", "--content", "{artifact}", "--card", "{card}", "--min-tier", "Emperor"], "no tier 'Emperor'"),
    (["dataset", "  ", "--content", "{artifact}", "--card", "{card}"], "the offer needs a title"),
])
def test_bad_offer_input_is_one_line_and_sends_nothing(share, args, error):
    card, artifact = _files(share)
    before = _state(share)
    args = [a.format(card=card, artifact=artifact) for a in args]
    result = share("share", "offer", *args, "--key", "MYS", ok=False)
    assert result.exit_code != 0 and error in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _state(share) == before


def test_a_swhid_is_a_content_id_for_source_code(share):
    out = share("share", "offer", "tool", "Tokenizer toolkit", "--key", "BABA", "--content",
                "swh:1:dir:" + "d1" * 20).output
    assert out.strip().endswith("content swh:1:dir:" + "d1" * 20)


def test_refusals_name_the_rule_and_send_nothing(share):
    _offer(share, "--min-tier", "Associate")
    share("share", "request", "dataset", "--key", "IDN", "--offer", "1", "--description", "ASR")
    cases = [
        (["share", "request", "dataset", "--key", "MMR", "--offer", "1", "--description", "x"],
         "offer 1 is for Associate members and above; you are Observer"),
        (["share", "request", "model", "--key", "IDN", "--offer", "1", "--description", "x"],
         "offer 1 is a dataset, not a model"),
        (["share", "request", "dataset", "--key", "MYS", "--offer", "1", "--description", "x"], "offer 1 is your own"),
        (["share", "grant", "1", "--key", "BABA"], "offer 1 is not yours to grant under"),
        (["share", "confirm", "1", "--key", "IDN", "--outcome", "x"], "only a granted request can be confirmed"),
        (["share", "update", "1", "--key", "IDN", "--title", "mine now"], "offer 1 is not yours to update"),
        (["share", "withdraw", "7", "--key", "MYS"], "no offer 7 (there are 1)"),
        (["share", "grant", "5", "--key", "MYS"], "no request 5 (there are 1)"),
        (["share", "request", "dataset", "--dev-account", "3", "--description", "x"],
         "cannot request: only active members share, and it is not a member"),
    ]
    for args, error in cases:
        before = _state(share)
        result = share(*args, ok=False)
        assert result.exit_code != 0 and error in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert _state(share) == before
    share("share", "grant", "1", "--key", "MYS")
    for args, error in [
        (["share", "confirm", "1", "--key", "BABA", "--outcome", "x"], "only its requester may confirm request 1"),
        (["share", "dispute", "1", "--key", "BABA", "--reason", "x"],
         "only its requester or the offerer that granted it may dispute request 1"),
        (["share", "grant", "1", "--key", "MYS"], "request 1 is granted: only an open request can be granted"),
    ]:
        result = share(*args, ok=False)
        assert error in result.output, result.output
    share("share", "dispute", "1", "--key", "MYS", "--reason", "requester unreachable")
    assert share.platform.functions.sharingRecord(share.address["MYS"]).call() == [0, 0]  # disputes don't count


def test_capacity_is_held_before_sending(share):
    _offer(share, "--capacity", "1")
    for key in ("IDN", "BABA"):
        share("share", "request", "dataset", "--key", key, "--offer", "1", "--description", f"for {key}")
    share("share", "grant", "1", "--key", "MYS")
    before = _state(share)
    result = share("share", "grant", "2", "--key", "MYS", ok=False)
    assert "offer 1 has made all 1 grants its capacity allows" in result.output
    assert _state(share) == before
    share("share", "update", "1", "--key", "MYS", "--capacity", "2")
    share("share", "grant", "2", "--key", "MYS")
    assert share.platform.functions.getOffer(1).call()[5] == 2


def test_a_suspended_member_cannot_share(share, secretariat):
    _offer(share)
    secretariat.send(share.membership.functions.suspend(share.address["MYS"]), "suspend")
    before = _state(share)
    result = share("share", "withdraw", "1", "--key", "MYS", ok=False)
    assert "cannot withdraw an offer: only active members share, and it is suspended" in result.output
    assert _state(share) == before


def test_an_offer_of_a_suspended_member_takes_no_request(share, secretariat):
    _offer(share)
    secretariat.send(share.membership.functions.suspend(share.address["MYS"]), "suspend")
    before = _state(share)
    result = share("share", "request", "dataset", "--key", "IDN", "--offer", "1", "--description", "x", ok=False)
    assert "offer 1's offerer, Malaysia, is suspended: it cannot grant requests, so its offer takes none" \
        in result.output
    assert _state(share) == before
    share("share", "request", "dataset", "--key", "IDN", "--description", "any dataset")  # open demand is taken


def test_promotion_to_full_needs_a_confirmed_delivery(share, secretariat):
    membership = share.membership
    mys = share.address["MYS"]
    for sid in range(membership.functions.standardCount().call()):
        share("standard", "declare", str(sid), "--key", "MYS", "--evidence", f"report {sid}")
        share("standard", "certify", "MYS", str(sid), "--dev-account", "0")
    refused = share("standard", "promote", "MYS", "--dev-account", "2", ok=False)
    assert "Full requires confirmed deliveries to 1 distinct requester, and Malaysia has 0 (waico share)" \
        in refused.output
    _offer(share)
    share("share", "request", "dataset", "--key", "IDN", "--offer", "1", "--description", "ASR")
    share("share", "grant", "1", "--key", "MYS")
    share("share", "confirm", "1", "--key", "IDN", "--outcome", "in use")
    assert share("standard", "promote", "MYS", "--dev-account", "2").output.strip() == "Malaysia: Partner -> Full"
    assert membership.functions.member(mys).call()[1] == int(Tier.Full)


def test_a_node_that_hides_an_offer_version_is_caught(share, anvil):
    """The contract counts each offer's versions; logs that lack one are refused, not shown as
    an offer with fewer versions."""
    from eth_utils import event_abi_to_log_topic

    from tests.ledger.lyingproxy import LyingProxy

    _offer(share)
    share("share", "update", "1", "--key", "MYS", "--title", "v2")
    published = "0x" + event_abi_to_log_topic(
        next(a for a in share.platform.abi if a.get("name") == "OfferPublished")).hex()

    def drop_version_2(params, result):
        return [log for log in result if not (log["topics"][0] == published and int(log["data"][2:66], 16) == 2)]

    with LyingProxy(anvil.url) as proxy:
        proxy.lie("eth_getLogs", drop_version_2)
        result = CliRunner().invoke(main, ["share", "show", "1", "--workdir", str(share.workdir), "--rpc", proxy.url],
                                    env=PW)
    assert result.exit_code == 3, result.output
    assert "the node's logs do not hold the 2 versions of offer 1 that the contract counts" in result.output
