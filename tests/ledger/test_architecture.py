"""The package's boundaries that import-linter cannot see: what a member's install pulls in."""

from importlib.metadata import requires


def test_a_plain_install_does_not_pull_in_the_contract_toolchain():
    plain = [r for r in requires("waico-ledger") if "extra ==" not in r]
    assert plain and not [r for r in plain if r.lower().startswith("eth-brownie")]
    secretariat = [r for r in requires("waico-ledger") if 'extra == "secretariat"' in r]
    assert any(r.lower().startswith("eth-brownie") for r in secretariat)
