"""A disbursement round through governance: preview and propose it, then (after the vote) queue
and execute it.

    tools/env brownie run scripts/disburse.py main propose 500000 --network anvil
    tools/env brownie run scripts/disburse.py main enact --network anvil
"""

from brownie import web3

from ledger.app import secretariat


def main(step="propose", budget=None):
    secretariat.disburse(web3.provider.endpoint_uri, step, None if budget is None else str(budget))
