"""A lying RPC endpoint (tests/ledger/lyingproxy.py: a real HTTP server in front of the demo's
node that rewrites chosen answers) must not choose what a member signs, nor what or where a
transaction is signed for, nor vouch for a ballot on its own word."""

import json

from eth_abi import decode, encode

from ledger.chain import abi
from tests.ledger.lyingproxy import LyingProxy

from .conftest import HARMFUL, HARMLESS, waico

def created_topic(open_proposals) -> str:
    item = next(i for i in abi.items(open_proposals["governor"].abi, "event") if i["name"] == "ProposalCreated")
    return "0x" + abi.topic(item).hex(), item


def only_created(open_proposals, rewrite):
    """A lie about eth_getLogs that rewrites the ProposalCreated logs only."""
    topic, _ = created_topic(open_proposals)

    def lie(params, result):
        created = [log for log in result if log["topics"][0] == topic]
        if not created:
            return result
        return [log for log in result if log["topics"][0] != topic] + rewrite(created)

    return lie


def test_a_node_that_renumbers_proposals_cannot_hide_what_ballot_sign_signs(open_proposals):
    """The node swaps the two new proposals' places in the chain (block, log index, hashes), so
    that number 5 names the harmful one. Numbers are the node's to give; but `ballot sign`
    shows the title and the full id of what it signs, and they are the ballot's."""
    position = ("blockNumber", "blockHash", "transactionHash", "transactionIndex", "logIndex")

    def swap_places(logs):
        *rest, harmless, harmful = logs
        return [*rest, {**harmless, **{k: harmful[k] for k in position}},
                {**harmful, **{k: harmless[k] for k in position}}]

    with LyingProxy(open_proposals["url"]) as proxy:
        proxy.lie("eth_getLogs", only_created(open_proposals, swap_places))
        result = waico(open_proposals, proxy.url, "ballot", "sign", "5", "--support", "for", "--key", "KEN", "--json")
        assert result.exit_code == 0, result.output
        signed = json.loads(result.stdout)
        assert (signed["proposalId"], signed["title"]) == (str(open_proposals["harmful"]), HARMFUL[2:])
        text = waico(open_proposals, proxy.url, "ballot", "sign", "5", "--support", "for", "--key", "KEN",
                     "--out", str(open_proposals["workdir"] / "again.json"))
        assert text.exit_code == 0, text.output
        assert f"on proposal “{HARMFUL[2:]}” (id {open_proposals['harmful']})" in text.stdout
        typed = waico(open_proposals, proxy.url, "ballot", "typed-data", "5", "--support", "for", "--voter", "KEN")
        assert json.loads(typed.stdout)["message"]["proposalId"] == str(open_proposals["harmful"])
        assert f"“{HARMFUL[2:]}” (id {open_proposals['harmful']})" in typed.stderr


def test_a_harmless_title_on_another_proposals_actions_is_refused(open_proposals):
    """The node gives the harmful proposal the harmless one's description (and the other way
    round): the logs no longer hash to their ids, and the CLI refuses to read them."""
    _, item = created_topic(open_proposals)
    types = [abi.canonical_type(i).replace("string", "bytes") for i in item["inputs"]]

    def swap(logs):
        decoded = [list(decode(types, bytes.fromhex(log["data"][2:]))) for log in logs]
        decoded[-1][-1], decoded[-2][-1] = decoded[-2][-1], decoded[-1][-1]
        return [{**log, "data": "0x" + encode(types, values).hex()} for log, values in zip(logs, decoded)]

    with LyingProxy(open_proposals["url"]) as proxy:
        proxy.lie("eth_getLogs", only_created(open_proposals, swap))
        for command in (["proposal", "list"], ["proposal", "show", "5"],
                        ["ballot", "sign", "5", "--support", "for", "--key", "KEN", "--out", "x.json"],
                        ["ballot", "typed-data", "5", "--support", "for", "--voter", "KEN"]):
            result = waico(open_proposals, proxy.url, *command)
            assert result.exit_code == 3, result.output
            assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1
            assert "does not hash to that id" in result.output
