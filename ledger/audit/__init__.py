"""The observer's side: the audit of a mirror against the chain, and the checkpointed event log
(signed checkpoints of the mirror's finalized events, with inclusion and consistency proofs).
"""
