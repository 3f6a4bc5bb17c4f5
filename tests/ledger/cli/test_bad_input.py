"""Bad input: each case is one line on stderr, the exit code of its error (ledger/errors.py:
1 bad input, 2 configuration, 3 the node), and nothing half-done on chain or on disk."""

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import ledger.app.demo
from ledger.app.demo import DEMO_PASSWORD
from ledger.chain.anvil import Anvil, dev_private_key, free_port
from ledger.chain.transactions import Signer
from ledger.cli import main
from ledger.errors import LedgerError
from ledger.org.fund import ERC20_ABI, Token, token_of
from ledger.org.membership import read_members

WAICO = str(Path(__file__).resolve().parents[3] / ".venv" / "bin" / "waico")


def one_error(result, code: int) -> str:
    """The one line a failed command printed (stderr; click's runner mixes it into output)."""
    assert result.exit_code == code, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0].removeprefix("error: ")


@pytest.fixture
def wd(demo_chain, tmp_path):
    """A working folder with the demo's deployment and member keys (nothing else)."""
    workdir = tmp_path / "wd"
    workdir.mkdir()
    shutil.copy(demo_chain.workdir / "deployment.json", workdir)
    shutil.copytree(demo_chain.workdir / "keys", workdir / "keys")
    return workdir


def waico(workdir, url, *args, env=None):
    return CliRunner().invoke(main, [*args, "--workdir", str(workdir), "--rpc", url],
                              env={"WAICO_PASSWORD": DEMO_PASSWORD, "WAICO_PASSWORD_FILE": None, **(env or {})})


def files_in(folder: Path) -> set:
    return {p.relative_to(folder) for p in folder.rglob("*")}


# --- the mirror's database ------------------------------------------------------------------

def test_index_into_a_database_that_cannot_be_opened_is_one_line(demo_chain, wd):
    before = files_in(wd)
    missing = one_error(waico(wd, demo_chain.url, "index", "--db", "sqlite:////nonexistent/x.db"), 2)
    assert missing == "cannot open the database /nonexistent/x.db (unable to open database file): check --db"
    assert not Path("/nonexistent").exists()

    port = free_port()
    url = f"postgresql+psycopg://u:secret@127.0.0.1:{port}/x"
    refused = one_error(waico(wd, demo_chain.url, "index", "--db", url), 2)
    assert refused.startswith(f"cannot open the database postgresql+psycopg://u:***@127.0.0.1:{port}/x (connection")
    assert refused.endswith("Connection refused): check --db") and "secret" not in refused
    assert files_in(wd) == before


@pytest.mark.parametrize("db, shown", [("notaurl", " 'notaurl'"), ("mirror.db", " 'mirror.db'"),
                                       ("sub/x.db", " 'sub/x.db'"),
                                       ("postgres//u:pw@h/x", "")])  # it may hold a password: not shown
def test_a_db_that_is_not_a_url_is_refused_and_nothing_is_created(demo_chain, wd, tmp_path, monkeypatch, db, shown):
    monkeypatch.chdir(tmp_path)
    before, here = files_in(wd), files_in(tmp_path)
    message = one_error(waico(wd, demo_chain.url, "index", "--db", db), 2)
    assert message == (f"--db{shown} is not a database URL: give one such as sqlite:///mirror.db (a relative path), "
                       "sqlite:////var/waico/mirror.db (absolute) or postgresql+psycopg://user@host/dbname")
    assert files_in(wd) == before and files_in(tmp_path) == here


# --- paying into the fund ---------------------------------------------------------------------

@pytest.fixture
def chn(demo_snapshot, wd):
    """The demo chain (reverted afterwards) seen from CHN's key: its address, the token, and a
    reading of what a contribution would change."""
    w3, manifest = demo_snapshot.w3, demo_snapshot.manifest
    fund = manifest.contract(w3, "EquityFund")
    token = token_of(w3, fund)
    erc20 = w3.eth.contract(address=token.address, abi=ERC20_ABI)
    address = next(m.address for m in read_members(manifest.contract(w3, "Membership")) if m.identifier == "CHN")

    def state():
        return {"nonce": w3.eth.get_transaction_count(address),
                "allowance": erc20.functions.allowance(address, fund.address).call(),
                "balance": erc20.functions.balanceOf(address).call(),
                "fund": erc20.functions.balanceOf(fund.address).call()}

    return {"address": address, "token": token, "state": state, "w3": w3, "manifest": manifest,
            "url": demo_snapshot.url}


def test_contributing_more_than_the_balance_sends_nothing(chn, wd):
    before = chn["state"]()
    message = one_error(waico(wd, chn["url"], "fund", "contribute", "99999999999", "--key", "CHN"), 1)
    assert message == f"CHN has {chn['token'].show(before['balance'])}, cannot contribute 99,999,999,999 tUSD"
    assert chn["state"]() == before  # no approval, no transaction


def test_a_contribution_the_token_would_refuse_sends_nothing(chn, wd):
    w3, manifest = chn["w3"], chn["manifest"]
    owner = Signer(w3, dev_private_key(0), manifest.error_decoder())
    owner.send(manifest.contract(w3, "TestStablecoin").functions.setBlocked(chn["address"], True), "blocking CHN")
    before = chn["state"]()
    message = one_error(waico(wd, chn["url"], "fund", "contribute", "10", "--key", "CHN"), 1)
    assert message == (f"CHN cannot contribute 10 tUSD: the token refuses the transfer to the fund "
                       f"(TestStablecoinBlocked({chn['address']}))")
    assert chn["state"]() == before


@pytest.mark.parametrize("amount, said", [
    ("-5", "the amount must be positive, not -5"),
    ("0", "the amount must be positive, not 0"),
    ("-0.0", "the amount must be positive, not -0.0"),
    ("1.0000001", "1.0000001 has more decimals than tUSD's 6"),
    ("1,25", "not an amount: '1,25' (write e.g. 1000, 1,250,000 or 0.5; commas only between thousands)"),
])
def test_a_bad_amount_is_refused_before_anything_is_sent(chn, wd, amount, said):
    before = chn["state"]()
    assert one_error(waico(wd, chn["url"], "fund", "contribute", amount, "--key", "CHN"), 1) == said
    assert chn["state"]() == before


TUSD = Token("0x" + "00" * 20, "tUSD", 6)


@pytest.mark.parametrize("text, units", [
    ("1000", 1_000_000_000), ("1,250,000", 1_250_000 * 10**6), ("1_250_000", 1_250_000 * 10**6),
    ("0.5", 500_000), ("1,250.5", 1_250_500_000), ("0.000001", 1), ("1.500000000", 1_500_000), (" 7 ", 7_000_000),
    ("123456789012345678901234567890.123456", 123456789012345678901234567890123456),  # beyond float and 28 digits
])
def test_amounts_parse_to_exact_base_units(text, units):
    assert TUSD.parse(text) == units


@pytest.mark.parametrize("text, said", [
    ("0.0000001", "0.0000001 has more decimals than tUSD's 6"),
    ("-1", "the amount must be positive, not -1"), ("0.000", "the amount must be positive, not 0.000"),
    ("1,25", None), ("12,34,567", None), ("1,0000", None), (",100", None), ("1e3", None), ("NaN", None),
    ("Infinity", None), ("0x10", None), ("", None), ("1.", None), (".5", None), ("1__0", None), ("+5", None),
    ("--5", None), ("five", None),
    (str(2**256), f"{2**256} tUSD is more than any balance can hold"),
])
def test_amounts_that_are_not_exactly_one_number_of_units_are_refused(text, said):
    with pytest.raises(LedgerError) as refused:
        TUSD.parse(text)
    assert str(refused.value) == (said or f"not an amount: {text.strip()!r} (write e.g. 1000, 1,250,000 or 0.5; "
                                            "commas only between thousands)")


def test_preview_takes_a_negative_budget_as_an_amount_and_refuses_it(demo_chain, wd):
    assert one_error(waico(wd, demo_chain.url, "fund", "preview", "-5"), 1) == "the amount must be positive, not -5"


# --- configuration --------------------------------------------------------------------------

def _commands(group: click.Group, path=()):
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


def _with_required_values(path, cmd) -> list[str]:
    """The command with a value for each required argument and option (the deployment is
    looked for before any of them is used)."""
    args = list(path)
    for param in cmd.params:
        if param.required:
            value = param.type.choices[0] if isinstance(param.type, click.Choice) else "1"
            args += ([] if isinstance(param, click.Argument) else [param.opts[0]]) + [value]
    return args


NEEDING = [_with_required_values(path, cmd) for path, cmd in _commands(main) if getattr(cmd, "needs_deployment", False)]


def test_only_commands_that_make_a_deployment_or_manage_keys_go_without_one():
    without = {" ".join(path) for path, cmd in _commands(main) if not getattr(cmd, "needs_deployment", False)}
    # `waico dev` moves a local chain along, deployed or not (command()'s rule for the group)
    assert {c for c in without if not c.startswith("dev ")} == {
        "account import", "account list", "account new", "checkpoint verify", "demo", "deploy", "site serve"}
    assert {"dev advance-time", "dev mine"} <= without


@pytest.mark.parametrize("args", NEEDING, ids=" ".join)
def test_a_folder_without_a_deployment_says_so_not_that_the_node_is_unreachable(tmp_path, args):
    result = CliRunner().invoke(main, [*args, "--workdir", str(tmp_path), "--rpc", f"http://127.0.0.1:{free_port()}"],
                                env={"WAICO_PASSWORD": None, "WAICO_PASSWORD_FILE": None, "WAICO_DEPLOYMENT": None})
    assert one_error(result, 2) == (f"no deployment manifest at {tmp_path / 'deployment.json'}: run `waico deploy` or "
                                    "`waico demo`, or pass --deployment / set WAICO_DEPLOYMENT")
    assert list(tmp_path.iterdir()) == []


def test_prove_without_the_verifier_key_says_where_it_looked(demo_chain, wd):
    shutil.copy(demo_chain.workdir / "checkpoint.txt", wd)
    message = one_error(waico(wd, demo_chain.url, "checkpoint", "prove", "--event", "0xab:1"), 2)
    assert message == (f"no verifier key file at {wd / 'checkpoint.pub'}: `waico checkpoint sign` writes it, or give "
                       "the log's key (name+id+key) or its file with --key")
    other = one_error(waico(wd, demo_chain.url, "checkpoint", "prove", "--event", "0xab:1", "--key", "keys.pub"), 2)
    assert other.startswith("no verifier key file at keys.pub:")


@pytest.mark.parametrize("rpc, said", [
    ("nonsense", "the RPC URL is not an http:// or https:// URL, e.g. http://127.0.0.1:8545"),
    ("127.0.0.1:8545", "the RPC URL is not an http:// or https:// URL, e.g. http://127.0.0.1:8545"),
    ("ws://127.0.0.1:8546", "the RPC URL ws://127.0.0.1:8546 is not an http:// or https:// URL (WebSocket endpoints "
                            "are not supported: give the node's HTTP endpoint), e.g. http://127.0.0.1:8545"),
    ("ftp://u:key@host/x", "the RPC URL ftp://host/… is not an http:// or https:// URL, e.g. http://127.0.0.1:8545"),
])
def test_an_rpc_that_is_not_an_http_url_is_said_so(wd, rpc, said):
    assert one_error(waico(wd, rpc, "member", "list"), 2) == said


def test_no_terminal_to_ask_a_password_on_names_both_variables(chn, wd):
    before = chn["state"]()
    result = waico(wd, chn["url"], "fund", "contribute", "1", "--key", "CHN", env={"WAICO_PASSWORD": None})
    assert one_error(result, 2) == (f"no terminal to ask the password for CHN ({chn['address']}) on: "
                                    "set WAICO_PASSWORD, or WAICO_PASSWORD_FILE (a file only you may read)")
    assert chn["state"]() == before
    new = waico(wd, chn["url"], "account", "new", "alice", env={"WAICO_PASSWORD": None})
    assert "no terminal to ask the password for the new key alice on" in one_error(new, 2)
    assert not (wd / "keys" / "alice.json").exists()


def test_the_secretariats_scripts_without_a_terminal_name_both_variables_too(anvil, tmp_path, monkeypatch):
    import io

    from ledger.app import keys, secretariat
    from ledger.errors import ConfigError

    key = keys.new_key(tmp_path / "keys", "sec", "pw")
    for name in ("WAICO_PASSWORD", "WAICO_PASSWORD_FILE", "WAICO_RPC_URL", "WAICO_DEPLOYMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WAICO_WORKDIR", str(tmp_path))
    monkeypatch.setenv("WAICO_KEY", "sec")
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))  # not a terminal: not read as a password
    with pytest.raises(ConfigError) as refused:
        secretariat.session(anvil.url)
    assert str(refused.value) == (f"no terminal to ask the password for sec ({key.address}) on: set WAICO_PASSWORD, "
                                  "or WAICO_PASSWORD_FILE (a file only you may read)")


# --- the demo's chain -------------------------------------------------------------------------

def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_failed_demo_stops_the_anvil_it_started_even_with_keep_chain(tmp_path, monkeypatch):
    started = []

    class Recorded(Anvil):
        def start(self, *a, **kw):
            chain = super().start(*a, **kw)
            started.append(chain.process.pid)
            return chain

    def failing_deploy(*_a, **_kw):
        assert alive(started[0])
        raise LedgerError("deploying failed: out of luck")

    monkeypatch.setattr(ledger.app.demo, "Anvil", Recorded)
    monkeypatch.setattr(ledger.app.demo, "deploy", failing_deploy)
    result = CliRunner().invoke(main, ["demo", "--keep-chain", "--workdir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "error: deploying failed: out of luck"
    assert len(started) == 1 and not alive(started[0])


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "kill"])
def test_interrupting_the_demo_stops_its_anvil(tmp_path, sent):
    demo = subprocess.Popen([WAICO, "demo", "--keep-chain", "--workdir", str(tmp_path)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    anvils = []
    try:
        for line in demo.stderr:
            if "started anvil at" in line:
                break
        anvils += _children(demo.pid)
        assert len(anvils) == 1 and alive(anvils[0])
        demo.send_signal(sent)  # SIGINT: what Ctrl-C sends the foreground process
        demo.communicate(timeout=60)
        assert demo.returncode != 0
        assert not alive(anvils[0])
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        for pid in anvils:  # a failing test leaves no chain behind either
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


# --- text from the chain ------------------------------------------------------------------------

def test_names_from_the_chain_are_shown_with_control_characters_escaped(anvil, manifest, secretariat, membership,
                                                                         snapshot, tmp_path):
    from eth_account import Account

    manifest.save(tmp_path / "deployment.json")
    secretariat.send(membership.functions.admit(Account.create().address, 0, 1, "Esc\x1b[2J\x1b]0;pwned\x07ape\u202e",
                                                "ESC"), "admit")
    for args in (["member", "list"], ["member", "show", "ESC"]):
        result = CliRunner().invoke(main, [*args, "--workdir", str(tmp_path), "--rpc", anvil.url])
        assert result.exit_code == 0, result.output
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", result.output)
        assert "Esc\\x1b[2J\\x1b]0;pwned\\x07ape\\u202e" in result.output


# --- set-up in a folder brownie refuses ------------------------------------------------------

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("folder", ["1clone", "_clone", "waico-1", "Ünïcode"])
def test_brownie_is_refused_at_once_in_a_folder_whose_name_does_not_start_with_a_letter(tmp_path, folder):
    """tools/env, in a checkout named `folder`, with a stand-in brownie that says it ran."""
    checkout = tmp_path / folder
    (checkout / "tools").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "env", checkout / "tools" / "env")
    (checkout / "node_modules" / "@foundry-rs" / "anvil-test" / "bin").mkdir(parents=True)
    (checkout / ".venv" / "bin").mkdir(parents=True)
    stand_in = checkout / ".venv" / "bin" / "brownie"
    stand_in.write_text("#!/bin/sh\necho brownie ran\n")
    stand_in.chmod(0o755)
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    ran = subprocess.run([str(checkout / "tools" / "env"), "brownie", "test"], capture_output=True, text=True, env=env)
    other = subprocess.run([str(checkout / "tools" / "env"), "echo", "other commands run"], capture_output=True,
                           text=True, env=env)
    assert other.returncode == 0 and other.stdout == "other commands run\n"
    if folder[0].isalpha():  # brownie's own rule (brownie.project.main.load)
        assert ran.returncode == 0 and ran.stdout == "brownie ran\n", ran.stderr
    else:
        assert ran.returncode == 2 and ran.stdout == ""
        assert ran.stderr == (f"tools/env: brownie names its project after this checkout's folder, '{folder}', and "
                              "refuses a name that does not start with a letter: rename the folder or clone into one "
                              f"that does (e.g. waico-{folder})\n")


def test_a_ballot_files_name_is_shown_escaped_among_the_invalid_ones(demo_chain, wd):
    hostile = wd / "b\x1b[2J\x1b]0;pwned\x07.json"
    hostile.write_text("not json")
    result = waico(wd, demo_chain.url, "ballot", "submit", str(hostile), "--dev-account", "1")
    assert result.exit_code == 1 and "\x1b" not in result.output
    assert f"invalid: {wd}/b\\x1b[2J\\x1b]0;pwned\\x07.json" in result.output
