"""`ballot verify` and `ballot submit` on files from strangers: each crafted file is one
"invalid" line (never the run's traceback), the valid ones are relayed with --skip-invalid,
and `verify` says "ok" only for signatures the governor will take. Ballot files written are
named by the full proposal id, and never overwritten nor written through a symlink."""

import json
from pathlib import Path

import pytest
from web3.exceptions import ContractLogicError

from ledger.app import keys
from ledger.app.demo import DEMO_PASSWORD
from ledger.org import ballots
from tests.ledger.org.test_ballot_files import N

from .conftest import waico


def signed_by(open_proposals, label: str, proposal: int, support=ballots.Support.For) -> ballots.SignedBallot:
    key = keys.find_key(open_proposals["workdir"] / "keys", label)
    ballot = ballots.Ballot(open_proposals["manifest"].chain_id, open_proposals["governor"].address, proposal,
                            support, key.address)
    return ballots.sign(ballot, keys.unlock(key, DEMO_PASSWORD))


def write(path, content) -> str:
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def crafted_files(open_proposals, tmp_path) -> list[str]:
    text = json.dumps(signed_by(open_proposals, "IDN", open_proposals["harmless"]).to_json())
    data = json.loads(text)
    data["typedData"]["types"] = ["MemberBallot"]
    return [
        write(tmp_path / "infinite-support.json", text.replace('"support": 1', '"support": Infinity')),
        write(tmp_path / "infinite-chain.json", text.replace(f'"chainId": {open_proposals["manifest"].chain_id}',
                                                             '"chainId": Infinity')),
        write(tmp_path / "types-list.json", data),
        write(tmp_path / "nested.json", "[" * 30_000 + "]" * 30_000),
        write(tmp_path / "brackets.json", "[" * 200_000 + "]" * 200_000),
    ]


def test_crafted_files_are_one_line_each_and_the_valid_ones_are_relayed(open_proposals, tmp_path):
    url = open_proposals["url"]
    valid = write(tmp_path / "ken.json", signed_by(open_proposals, "KEN", open_proposals["harmless"]).to_json())
    bad = crafted_files(open_proposals, tmp_path)

    verified = waico(open_proposals, url, "ballot", "verify", valid, *bad)
    assert verified.exit_code == 1 and isinstance(verified.exception, (SystemExit, type(None)))
    lines = verified.output.strip().splitlines()
    assert len(lines) == 1 + len(bad) and lines[0].startswith(f"ok   {valid}")
    assert sorted(line.split(":")[0] for line in lines[1:]) == sorted(f"FAIL {f}" for f in bad)

    refused = waico(open_proposals, url, "ballot", "submit", valid, *bad, "--dev-account", "2")
    assert refused.exit_code == 1 and "nothing was sent" in refused.output
    relayed = waico(open_proposals, url, "ballot", "submit", valid, *bad, "--dev-account", "2", "--skip-invalid",
                    "--json")
    assert relayed.exit_code == 1 and "Traceback" not in relayed.output  # 1: some files were invalid
    assert [(r["file"], r["counted"]) for r in json.loads(relayed.stdout)] == [(valid, True)]
    assert sorted(line.split(":")[1].strip() for line in relayed.stderr.splitlines()
                  if line.startswith("invalid:")) == sorted(bad)


def test_verify_says_ok_only_for_signature_forms_the_governor_takes(open_proposals, tmp_path):
    """A valid signature with v = 0/1, or in its high-s form: `verify` fails it, as the
    governor's own check of a ballot (castMemberBallot) does; the canonical form passes both."""
    signed = signed_by(open_proposals, "MYS", open_proposals["harmful"], ballots.Support.Against)
    sig = signed.signature
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    forms = {"v0": sig[:64] + bytes([v - 27]), "high-s": r + (N - s).to_bytes(32, "big") + bytes([55 - v])}
    governor, decoder = open_proposals["governor"], open_proposals["manifest"].error_decoder()
    for name, signature in forms.items():
        path = write(tmp_path / f"{name}.json", ballots.SignedBallot(signed.ballot, signature).to_json())
        result = waico(open_proposals, open_proposals["url"], "ballot", "verify", path)
        assert result.exit_code == 1 and result.output.startswith(f"FAIL {path}: the voter's signature will not count")
        with pytest.raises(ContractLogicError) as refused:
            governor.functions.castMemberBallot(*ballots.SignedBallot(signed.ballot, signature).as_tuple()).call()
        assert decoder.decode(refused.value.data).startswith("GovernorInvalidSignature(")
    path = write(tmp_path / "canonical.json", signed.to_json())
    assert waico(open_proposals, open_proposals["url"], "ballot", "verify", path).output.startswith(f"ok   {path}")
    governor.functions.castMemberBallot(*signed.as_tuple()).call()  # would count


def test_ballot_files_are_named_by_number_and_key_and_never_overwritten(open_proposals, tmp_path):
    workdir, url, pid = open_proposals["workdir"], open_proposals["url"], open_proposals["harmless"]
    arg = keys.find_key(workdir / "keys", "ARG").address
    first = waico(open_proposals, url, "ballot", "sign", str(pid), "--support", "for", "--key", "ARG", "--json")
    assert first.exit_code == 0, first.output
    signed = json.loads(first.stdout)
    path, number = Path(signed["file"]), signed["number"]
    assert path == workdir / "ballots" / f"p{number}-ARG.json" and signed["voter"] == arg
    assert signed["proposalId"] == str(pid)  # the file's name is the node's number; its ballot, the full id
    before = path.read_bytes()
    again = waico(open_proposals, url, "ballot", "sign", str(pid), "--support", "against", "--key", "ARG")
    assert again.exit_code == 1 and "exists already: not overwriting it" in again.output
    assert path.read_bytes() == before
    # a symlink planted where another member's ballot goes is not written through
    target = tmp_path / "planted.json"
    (workdir / "ballots" / f"p{number}-CHL.json").symlink_to(target)
    planted = waico(open_proposals, url, "ballot", "sign", str(pid), "--support", "for", "--key", "CHL")
    assert planted.exit_code == 1 and not target.exists()
