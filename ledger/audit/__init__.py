"""The observer's side: the audit of a mirror against the chain, and the checkpointed event log
(signed checkpoints of the mirror's finalized events, with inclusion and consistency proofs).

    run         audit(w3, manifest, db) -> AuditReport: reads, runs every check, reports
    report      the report: findings, checks, notices (its JSON shape)
    chain       the audit's chain reads: batched eth_calls at the mirror's block, transactions,
                headers, logs (through ledger.chain.rpc and ledger.chain.logs)
    events      the audit's own decoding of logs (plain eth_abi, apart from the mirror's decoders)
    compare     row sets compared: missing, extra, changed fields
    checks/     one module per check: raw_events (mirror = chain), typed_tables, tallies,
                signatures, payouts, fund, views
    eventlog    the checkpointed event log: leaves from the mirror, signing, proofs

The mirror is read only through `ledger.mirror.read` (one snapshot, in its tables' own types).
"""
