"""A throwaway PostgreSQL 15 cluster, for the mirror's tests and its benchmark (both import
it; it lives here, with the benchmark, because a benchmark does not import the tests).

initdb into a temporary directory, start the server listening on a Unix socket in that
directory only (no TCP port: nothing to race another process for), stop and delete it
afterwards. One role, `postgres`, with a random password (scram-sha-256): no other local
user gets in. As root the server runs as the `postgres` system user (PostgreSQL refuses
root).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

PG_BIN = Path(os.environ.get("WAICO_PG_BIN", "/usr/lib/postgresql/15/bin"))


class ClusterError(Exception):
    """PostgreSQL could not be set up or started."""


def _as_postgres(argv: list) -> list:
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + [str(a) for a in argv]


@contextlib.contextmanager
def cluster(durable: bool = False) -> Iterator[str]:
    """Yields the server's SQLAlchemy URL (with a database name to fill in: see `database`).
    `durable=False` turns fsync and full-page writes off (tests); True keeps PostgreSQL's
    defaults (benchmarks)."""
    root = Path(tempfile.mkdtemp(prefix="mirror-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, password = root / "data", secrets.token_urlsafe(24)
    pwfile = root / "password"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(pwfile, "postgres", "postgres")
    pwfile.chmod(0o600)
    run = lambda argv: subprocess.run(_as_postgres(argv), check=True, capture_output=True, text=True)  # noqa: E731
    options = f"-c listen_addresses='' -k {root}" + ("" if durable else " -c fsync=off -c full_page_writes=off")
    try:
        run([PG_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=scram-sha-256", f"--pwfile={pwfile}",
             "--no-sync"])
        pwfile.unlink()
        run([PG_BIN / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "-t", "30", "-o", options, "start"])
    except (subprocess.CalledProcessError, OSError) as exc:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise ClusterError(f"PostgreSQL did not start: {exc} {getattr(exc, 'stderr', '')} {log[-1000:]}") from None
    try:
        yield f"postgresql+psycopg://postgres:{quote(password)}@/{{database}}?host={quote(str(root))}"
    finally:
        subprocess.run(_as_postgres([PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def database(server: str, name: str) -> str:
    """The SQLAlchemy URL of database `name` on `server`."""
    return server.replace("{database}", name)


def create_database(server: str, name: str) -> str:
    """CREATE DATABASE `name` on `server`; its SQLAlchemy URL."""
    import psycopg

    url = database(server, "postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return database(server, name)
