"""Access to an EVM chain: the node connection, transactions, revert decoding, the contracts'
build artifacts and the deployment manifest, and a local anvil for development.

Knows JSON-RPC and ABIs, nothing of the organization's rules and nothing of SQL.
"""
