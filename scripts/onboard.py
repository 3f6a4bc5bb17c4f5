"""Admit the members of a roster CSV (WAICO_ROSTER, default the shipped roster) and set their
need scores; then hand every admin role to the timelock. After hand-over it proposes instead.

    WAICO_ROSTER=members.csv tools/env brownie run scripts/onboard.py --network anvil
"""

import os
from pathlib import Path

from brownie import web3

from ledger.app import secretariat
from ledger.org.membership import DEFAULT_ROSTER


def main():
    secretariat.onboard(web3.provider.endpoint_uri, Path(os.environ.get("WAICO_ROSTER", DEFAULT_ROSTER)))
