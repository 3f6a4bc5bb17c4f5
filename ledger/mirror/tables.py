"""The mirror's tables: blocks, raw events, and where each sync stopped.

Every row keeps its chain id and position (block number and hash, transaction hash, log
index), so an auditor can point at the log on the chain it came from. Typed tables for
specific events live next to these; they are filled by row mappers (`ledger.mirror.rows`)
and must carry `chain_id`, `block_number` and `block_hash` so a reorg can remove them too.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Block(SQLModel, table=True):
    """The header of a block with mirrored events (its time, and its hash for reorg checks)."""

    __tablename__ = "block"

    chain_id: int = Field(sa_type=BigInteger, primary_key=True)
    number: int = Field(sa_type=BigInteger, primary_key=True)
    hash: str
    parent_hash: str
    timestamp: int = Field(sa_type=BigInteger)


class RawEvent(SQLModel, table=True):
    """One log of a manifest contract, exactly as the chain has it, with its decoded arguments.

    `event` and `args` are null for a log whose topic0 no manifest ABI knows. `args` is
    canonical JSON (sorted keys, no spaces); integers of ABI types wider than 63 bits
    (uint64 and up, int72 and up) are decimal strings, so every database reads them exactly.
    """

    __tablename__ = "raw_event"
    __table_args__ = (
        UniqueConstraint("chain_id", "block_hash", "log_index", name="raw_event_position"),
        Index("raw_event_block", "chain_id", "block_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chain_id: int = Field(sa_type=BigInteger)
    block_number: int = Field(sa_type=BigInteger)
    block_hash: str
    tx_hash: str
    tx_index: int
    log_index: int
    address: str
    contract: str | None = None
    event: str | None = None
    topics: str = Field(sa_column=Column(Text, nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))
    args: str | None = Field(default=None, sa_column=Column(Text))


class Cursor(SQLModel, table=True):
    """How far the mirror of one contract set on one chain is complete (inclusive)."""

    __tablename__ = "mirror_cursor"

    chain_id: int = Field(sa_type=BigInteger, primary_key=True)
    contracts: str = Field(primary_key=True)  # sha256 of the sorted contract addresses
    last_block: int = Field(sa_type=BigInteger)
    last_hash: str


# Column order of the bulk inserts (the id is left to the database).
RAW_EVENT_COLUMNS = (
    "chain_id", "block_number", "block_hash", "tx_hash", "tx_index", "log_index",
    "address", "contract", "event", "topics", "data", "args",
)
BLOCK_COLUMNS = ("chain_id", "number", "hash", "parent_hash", "timestamp")
