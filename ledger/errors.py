"""The one exception family of the ledger package.

The CLI maps each to a one-line message and an exit code; a traceback means a bug.
"""


class LedgerError(Exception):
    """Something the user can fix: bad input, a wrong password, an unreachable node."""

    exit_code = 1


class InputError(LedgerError):
    """A file or value given on the command line that cannot be used (a card without a licence,
    a content id that does not match its file): said in one line, nothing sent."""


class ConfigError(LedgerError):
    """Missing or inconsistent configuration (no manifest, no RPC URL, unknown key)."""

    exit_code = 2


class ChainUnavailable(LedgerError):
    """The RPC endpoint cannot be reached or answers wrongly."""

    exit_code = 3


class TransactionReverted(LedgerError):
    """A transaction (or its simulation) reverted; `error` is the decoded custom error, if any."""

    def __init__(self, what: str, error: str | None = None, tx_hash: str | None = None):
        self.what = what
        self.error = error
        self.tx_hash = tx_hash
        detail = error or "no reason given"
        super().__init__(f"{what} reverted: {detail}" + (f" (tx {tx_hash})" if tx_hash else ""))


class KeystoreError(LedgerError):
    """A keystore that cannot be opened: wrong password, missing or malformed file."""


class BallotInvalid(LedgerError):
    """A ballot file that is malformed, tampered with, or meant for another chain or governor."""


class NotAMember(LedgerError):
    """The account holds no vote where one is needed."""


class ProposalClosed(LedgerError):
    """The proposal is not in a state that allows the action (e.g. voting has ended)."""


class CheckpointInvalid(LedgerError):
    """A signed note or checkpoint that is malformed, unsigned by a trusted key, or for another log."""


class ProofInvalid(LedgerError):
    """A Merkle inclusion or consistency proof that does not verify against the given roots."""


class MirrorUnavailable(LedgerError):
    """No mirror to read: each subclass's message says what to do. (Mismatches the audit finds
    are findings in its report, not this error: they exit with 1, this with 2.)"""

    exit_code = 2


class MirrorMissing(MirrorUnavailable):
    """No database, or a database with no mirror in it: run `waico index`."""


class DatabaseUnavailable(MirrorUnavailable):
    """A database that cannot be opened or reached (a folder that does not exist, a server that
    does not answer, a wrong password, a URL SQLAlchemy does not know): check --db."""


class MirrorNotSynced(MirrorUnavailable):
    """A mirror that never synced this deployment (its chain and contract set): run `waico index`."""


class MirrorSchemaMismatch(MirrorUnavailable):
    """A mirror written with another schema version: re-index into a new database."""


class NodeFailing(ChainUnavailable):
    """The node keeps failing (dropped connections, HTTP errors, garbled or error answers) past
    the retry policy, or refuses even the smallest request."""


class MirrorError(ChainUnavailable):
    """The SQL mirror cannot follow the chain: the node keeps failing, or refuses every range size."""
