"""A throwaway PostgreSQL cluster for the mirror's tests and benchmark: initdb into a temp
directory, start it on a free port (trust auth, socket in its directory), stop and delete it
afterwards. As root it runs as the `postgres` user (PostgreSQL refuses root)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

from ledger.chain.anvil import free_port

PG_BIN = Path(os.environ.get("WAICO_PG_BIN", "/usr/lib/postgresql/15/bin"))


class ClusterError(Exception):
    """PostgreSQL could not be set up or started."""


def _as_postgres(argv: list) -> list:
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + [str(a) for a in argv]


@contextlib.contextmanager
def cluster(durable: bool = False) -> Iterator[str]:
    """Yields the server's SQLAlchemy URL (no database name). `durable=False` turns fsync and
    full-page writes off (tests); True keeps PostgreSQL's defaults (benchmarks)."""
    root = Path(tempfile.mkdtemp(prefix="mirror-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    run = lambda argv: subprocess.run(_as_postgres(argv), check=True, capture_output=True, text=True)  # noqa: E731
    options = f"-p {port} -h 127.0.0.1 -k {root}" + ("" if durable else " -c fsync=off -c full_page_writes=off")
    try:
        run([PG_BIN / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
        run([PG_BIN / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "-t", "30", "-o", options, "start"])
    except (subprocess.CalledProcessError, OSError) as exc:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise ClusterError(f"PostgreSQL did not start: {exc} {getattr(exc, 'stderr', '')} {log[-1000:]}") from None
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def create_database(server: str, name: str) -> str:
    """CREATE DATABASE `name` on `server`; its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"
