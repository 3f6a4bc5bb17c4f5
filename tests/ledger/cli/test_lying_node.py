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
        assert f"on proposal 5 “{HARMFUL[2:]}” (id {open_proposals['harmful']})" in text.stdout
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


def signed_transactions(proxy) -> list[dict]:
    """The transactions the CLI sent through the proxy, decoded (chain id, fees, gas)."""
    from hexbytes import HexBytes
    from eth_account.typed_transactions import TypedTransaction
    import rlp

    out = []
    for method, params in proxy.calls:
        if method != "eth_sendRawTransaction":
            continue
        raw = bytes.fromhex(params[0][2:])
        if raw[0] <= 0x7F:
            out.append(TypedTransaction.from_bytes(HexBytes(raw)).as_dict())
        else:  # legacy: chain id from v (EIP-155)
            nonce, price, gas, *_, v, _, _ = rlp.decode(raw)
            out.append({"chainId": (int.from_bytes(v, "big") - 35) // 2, "gasPrice": int.from_bytes(price, "big"),
                        "gas": int.from_bytes(gas, "big")})
    return out


def create(open_proposals, url, description, env=None):
    return waico(open_proposals, url, "proposal", "create", "--dev-account", "3", "--call",
                 "Membership.registerStandard('WAICO-S10', 'https://standards.waico.example/s10', 0x"
                 + "10" * 32 + ")", "--description", description, env=env)


def test_a_node_that_turns_into_chain_1_does_not_get_a_transaction_for_chain_1(open_proposals):
    """The node answers the right chain id twice, then 1: the transaction is signed for the
    deployment's chain all the same (and so it counts there, and nowhere else)."""
    answers = []

    def turncoat(params, result):
        answers.append(result)
        return result if len(answers) <= 2 else "0x1"

    with LyingProxy(open_proposals["url"]) as proxy:
        proxy.lie("eth_chainId", turncoat)
        result = create(open_proposals, proxy.url, "# Chain ids are the manifest's")
        assert result.exit_code == 0, result.output
        assert [tx["chainId"] for tx in signed_transactions(proxy)] == [open_proposals["manifest"].chain_id]


def test_fee_caps_bound_what_a_lying_node_can_make_a_transaction_bid(open_proposals):
    """The node asks a tip and a gas price of 10^15 wei (115 ETH of fee cap on the issue's
    transaction): the transaction bids EIP-1559 caps within the default maximum, 100 gwei."""
    with LyingProxy(open_proposals["url"]) as proxy:
        for method in ("eth_gasPrice", "eth_maxPriorityFeePerGas"):
            proxy.lie(method, lambda params, result: hex(10**15))
        result = create(open_proposals, proxy.url, "# Fees within the cap")
        assert result.exit_code == 0, result.output
        (tx,) = signed_transactions(proxy)
        assert (tx.get("gasPrice"), tx.get("type")) == (None, 2)  # no legacy price of 10^15 wei
        assert tx["maxPriorityFeePerGas"] <= tx["maxFeePerGas"] <= 100 * 10**9


def test_a_base_fee_above_the_maximum_is_refused_unless_the_user_raises_it(open_proposals):
    def expensive(params, result):
        return {**result, "baseFeePerGas": hex(1_000 * 10**9)} if isinstance(result, dict) else result

    with LyingProxy(open_proposals["url"]) as proxy:
        proxy.lie("eth_getBlockByNumber", expensive)
        refused = create(open_proposals, proxy.url, "# A base fee of 1,000 gwei")
        assert refused.exit_code == 1 and refused.output.strip().splitlines()[-1].startswith("error: ")
        assert "base fee is 1,000 gwei, above the most this key bids (100 gwei; set WAICO_MAX_FEE_GWEI" \
            in refused.output
        assert signed_transactions(proxy) == []
        allowed = create(open_proposals, proxy.url, "# A base fee of 1,000 gwei", env={"WAICO_MAX_FEE_GWEI": "2500"})
        assert allowed.exit_code == 0, allowed.output
        (tx,) = signed_transactions(proxy)
        assert 1_000 * 10**9 <= tx["maxFeePerGas"] <= 2_500 * 10**9


def test_a_gas_estimate_beyond_the_per_transaction_cap_is_refused(open_proposals):
    with LyingProxy(open_proposals["url"]) as proxy:
        proxy.lie("eth_estimateGas", lambda params, result: hex(30_000_000))
        result = create(open_proposals, proxy.url, "# Thirty million gas")
        assert result.exit_code == 1, result.output
        assert "estimates 30,000,000 gas, beyond the per-transaction cap of 16,777,216" in result.output
        assert signed_transactions(proxy) == []


def test_verify_says_a_contract_wallets_verdict_is_the_nodes_word(open_proposals, tmp_path):
    """The node claims that KEN's account is an ERC-1271 wallet that accepts any signature: a
    random signature then verifies only on the node's word, and `ballot verify` says so."""
    from ledger.app import keys
    from ledger.org import ballots

    ken = keys.find_key(open_proposals["workdir"] / "keys", "KEN").address
    ballot = ballots.Ballot(open_proposals["manifest"].chain_id, open_proposals["governor"].address,
                            open_proposals["harmless"], ballots.Support.For, ken)
    forged = ballots.SignedBallot(ballot, bytes(range(65)))
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged.to_json()))
    with LyingProxy(open_proposals["url"]) as proxy:
        proxy.lie("eth_getCode", lambda params, result: "0x6001" if params[0].lower() == ken.lower() else result)
        proxy.lie("eth_call", lambda params, result: "0x1626ba7e" + "00" * 28
                  if params[0]["data"].startswith("0x1626ba7e") else result)
        result = waico(open_proposals, proxy.url, "ballot", "verify", str(path))
        assert result.exit_code == 0, result.output
        assert "contract wallet: its signature accepted on the node's word" in result.output
        report = json.loads(waico(open_proposals, proxy.url, "ballot", "verify", str(path), "--json").stdout)
        assert (report[0]["signature"], report[0]["signatureDependsOnNode"]) == ("erc1271", True)
    honest = waico(open_proposals, open_proposals["url"], "ballot", "verify", str(path))
    assert honest.exit_code == 1 and "not the voter's" in honest.output
