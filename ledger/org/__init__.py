"""The organization, as its contracts define it: membership and the standards pathway, proposals
and signed ballots, the equity fund and its formula, deployment and onboarding.

Each module reads and drives one part of the contracts through `ledger.chain`; nothing here
knows the SQL mirror.
"""
