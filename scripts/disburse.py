"""A disbursement round through governance: preview and propose it, then (after the vote) queue
and execute it.

    tools/env brownie run scripts/disburse.py main propose 500000 --network anvil
    tools/env brownie run scripts/disburse.py main enact --network anvil    # queues what passed
    tools/env brownie run scripts/disburse.py main enact --network anvil    # after the timelock delay: executes

`propose` refuses a budget above the fund's available balance (pay into the fund first: `waico
fund contribute AMOUNT --key NAME`); `propose 500000 force` proposes it anyway, with a warning.
`enact` names each round's proposal by number and says why it is not ready (still voting,
defeated and why, queued until when).
"""

from brownie import web3

from ledger.app import secretariat


def main(step="propose", budget=None, force=None):
    if force not in (None, "force"):
        raise SystemExit(f"the third argument is `force` or nothing, not {force!r}")
    secretariat.disburse(web3.provider.endpoint_uri, step, None if budget is None else str(budget), force == "force")
