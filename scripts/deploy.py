"""Deploy and wire every contract, write the manifest (WAICO_WORKDIR, default ./.waico).

    tools/env brownie run scripts/deploy.py --network anvil
"""

from brownie import web3

from ledger.app import secretariat


def main():
    secretariat.deploy(web3.provider.endpoint_uri)
