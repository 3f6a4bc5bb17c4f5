"""The audit's checks, one module per check, each a `check(...)` that returns a `CheckResult`:

- `raw_events` (mirror = chain): every raw_event row and stored block header against the chain;
- `typed_tables`: every row of every typed table re-derived from the chain's logs, and the views;
- `tallies`: every proposal re-counted from the mirrored votes against the governor;
- `signatures`: the ballot or the sender behind every mirrored vote;
- `payouts`: every fund round re-computed with the formula;
- `fund`: the fund's balance and claimable total against its mirrored flows;
- `views`: the observer's labelled views re-derived from the typed tables, and the token's decimals;
- `sharing`: the sharing platform's grants, confirmations and records replayed under its rules
  (capacity, offerer, requester), held against the platform's state, and every promotion against
  the sharing requirement in force.

The first two compare the mirror with the chain; the others check what the mirror says
(its typed tables, as observers query them) against the chain's own rules and state.
"""
