import json
import stat

import pytest
from eth_account import Account

from ledger.app import keys
from ledger.errors import ConfigError, KeystoreError


def test_new_key_is_a_private_keystore_v3_file(tmp_path):
    key = keys.new_key(tmp_path, "mys", "pw")
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    data = json.loads(key.path.read_text())
    assert data["version"] == 3 and data["crypto"]["kdf"] == "scrypt"
    assert Account.from_key(keys.unlock(key, "pw")).address == key.address


def test_wrong_password_is_a_clear_error(tmp_path):
    key = keys.new_key(tmp_path, "mys", "pw")
    with pytest.raises(KeystoreError, match="wrong password for key mys"):
        keys.unlock(key, "nope")


def test_keystore_from_another_tool_is_found_by_label_or_address(tmp_path):
    acct = Account.create()
    (tmp_path / "geth-export.json").write_text(json.dumps(Account.encrypt(acct.key, "pw", iterations=2**10)))
    assert keys.find_key(tmp_path, "geth-export").address == acct.address
    assert keys.find_key(tmp_path, acct.address.lower()).label == "geth-export"
    with pytest.raises(ConfigError, match="no key 'nobody'"):
        keys.find_key(tmp_path, "nobody")


def test_existing_label_is_not_overwritten(tmp_path):
    keys.new_key(tmp_path, "mys", "pw")
    with pytest.raises(ConfigError, match="already exists"):
        keys.new_key(tmp_path, "mys", "pw")


def test_password_comes_from_env_or_file(tmp_path, monkeypatch):
    monkeypatch.delenv("WAICO_PASSWORD", raising=False)
    monkeypatch.delenv("WAICO_PASSWORD_FILE", raising=False)
    assert keys.password_from_env() is None
    (tmp_path / "pw").write_text("secret\n")
    (tmp_path / "pw").chmod(0o600)  # a password file others may read is refused (test_files_and_credentials)
    monkeypatch.setenv("WAICO_PASSWORD_FILE", str(tmp_path / "pw"))
    assert keys.password_from_env() == "secret"
    monkeypatch.setenv("WAICO_PASSWORD", "direct")
    assert keys.password_from_env() == "direct"


def test_new_keys_get_the_standard_scrypt_cost_and_demo_keys_the_light_one(tmp_path):
    """`waico account new` keys guard real votes: scrypt at the standard cost (n = 2**18), not the
    demo's light one (issue "Governance hardening", finding 9)."""
    new = json.loads(keys.new_key(tmp_path, "delegate", "pw").path.read_text())
    assert new["crypto"]["kdfparams"]["n"] == keys.STANDARD_SCRYPT_N == 2**18
    demo = json.loads(keys.ensure_key(tmp_path, "MYS", "pw").path.read_text())
    assert demo["crypto"]["kdfparams"]["n"] == keys.LIGHT_SCRYPT_N
