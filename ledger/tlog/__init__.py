"""The transparency log's formats, as pure functions: no chain, no database.

`leaves` (the canonical encoding of one event), `merkle` (RFC 6962 trees and proofs), `note`
(C2SP signed notes, Ed25519) and `checkpoint` (C2SP tlog-checkpoint). Anyone can re-implement
these from their module docstrings; the tests use the specifications' own vectors.
"""
