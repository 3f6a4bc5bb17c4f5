"""WAICO Ledger: chain access, deployment, ballots, fund, SQL mirror, audit and checkpoints.

Imports web3.py, never brownie, so members can use the CLI without the contract toolchain.
"""

__version__ = "0.1.0"
