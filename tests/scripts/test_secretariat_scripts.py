"""The secretariat's brownie scripts, run as a person runs them, against brownie's test chain.

`brownie run --network anvil` attaches to the chain this test process already runs (port 18545,
or 18545 + k in the suite's process k: WAICO_TEST_PORT tells brownie-config.yaml), so whatever
the scripts do is undone by the per-test snapshot afterwards.
"""

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from brownie import web3

from ledger.chain.manifest import Manifest
from ledger.chain.node import connect
from ledger.org.membership import read_members

ROOT = Path(__file__).resolve().parents[2]


def script_env(workdir: Path) -> dict[str, str]:
    """A script's environment: its workdir, its keystores' password, and this process's chain."""
    return dict(os.environ, WAICO_WORKDIR=str(workdir), WAICO_PASSWORD="pw",
                WAICO_TEST_PORT=str(urlsplit(web3.provider.endpoint_uri).port))


def run_script(name: str, workdir: Path, *args: str, roster: Path | None = None) -> str:
    env = script_env(workdir)
    if roster:
        env["WAICO_ROSTER"] = str(roster)
    result = subprocess.run([str(ROOT / "tools" / "env"), "brownie", "run", f"scripts/{name}", *args,
                             "--network", "anvil"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_deploy_onboard_and_propose_a_round(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("kind,identifier,name,tier,need_score,address\n"
                      "State,KEN,Kenya,Associate,80,\n"
                      "State,RWA,Rwanda,Partner,90,0x00000000000000000000000000000000000000a1\n"
                      "Corporate,BIDU,Baidu,Partner,0,\n")
    out = run_script("deploy.py", tmp_path)
    assert "The deployer is still admin" in out
    manifest = Manifest.load(tmp_path / "deployment.json")
    assert set(manifest.contracts) == {"Membership", "SharingPlatform", "TimelockController", "WaicoGovernor",
                                       "TestStablecoin", "EquityFund"}

    out = run_script("onboard.py", tmp_path, roster=roster)
    assert "admitted 3 members" in out and "handed every admin role to the timelock" in out
    w3 = connect(web3.provider.endpoint_uri)
    members = read_members(manifest.contract(w3, "Membership"))
    assert [m.identifier for m in members] == ["KEN", "RWA", "BIDU"]
    assert members[1].address == "0x00000000000000000000000000000000000000A1"
    # members without an address got a keystore in the workdir
    assert {p.stem for p in (tmp_path / "keys").glob("*.json")} == {"KEN", "BIDU"}
    timelock = manifest.contracts["TimelockController"].address
    for name in ("Membership", "EquityFund", "TimelockController"):  # the deployer renounced every admin role
        roles = manifest.contract(w3, name).functions
        assert roles.hasRole(b"\0" * 32, timelock).call(), name
        assert not roles.hasRole(b"\0" * 32, manifest.deployer).call(), name

    # nothing was paid into this fund: the budget is refused, unless forced
    refused = subprocess.run([str(ROOT / "tools" / "env"), "brownie", "run", "scripts/disburse.py", "main", "propose",
                              "1000", "--network", "anvil"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                             env=script_env(tmp_path))
    assert refused.returncode != 0 and "above the fund's available balance of 0 tUSD" in refused.stdout + refused.stderr
    out = run_script("disburse.py", tmp_path, "main", "propose", "1000", "force")
    assert "warning: the budget 1,000 tUSD is above the fund's available balance of 0 tUSD" in out
    assert "proposed the round as proposal 1 (id " in out
    listed = subprocess.run([str(ROOT / ".venv" / "bin" / "waico"), "proposal", "list", "--json",
                             "--workdir", str(tmp_path)], capture_output=True, text=True, check=True).stdout
    assert [p["title"] for p in json.loads(listed)] == ["Equity adjustment round: disburse 1,000 tUSD by need score"]
