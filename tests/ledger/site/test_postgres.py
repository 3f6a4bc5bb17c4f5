"""The site from a PostgreSQL mirror is the site from SQLite: the same data files, the same pages."""

import re

import pytest

from ledger.mirror import sync
from ledger.site import Token, build
from ledger.tlog.note import NoteVerifier
from scripts.bench import pgcluster


@pytest.fixture(scope="module")
def postgres_mirror(demo_chain):
    try:
        server = pgcluster.cluster()
        url = server.__enter__()
    except pgcluster.ClusterError as exc:
        pytest.fail(str(exc))
    try:
        db = pgcluster.create_database(url, "sitemirror")
        sync(demo_chain.w3, demo_chain.manifest, db)
        yield db
    finally:
        server.__exit__(None, None, None)


def test_a_postgresql_mirror_gives_the_same_site(demo_chain, postgres_mirror, tmp_path):
    note = (demo_chain.workdir / "checkpoint.txt").read_text()
    key = NoteVerifier.parse((demo_chain.workdir / "checkpoint.pub").read_text())
    sites = {}
    for name, db in (("sqlite", str(demo_chain.mirror)), ("postgresql", postgres_mirror)):
        sites[name] = build(tmp_path / name, demo_chain.manifest, db, note, key, token=Token("tUSD", 6)).out
    files = sorted(p.relative_to(sites["sqlite"]) for p in sites["sqlite"].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(sites["postgresql"]) for p in sites["postgresql"].rglob("*") if p.is_file())
    built = re.compile(rb"Built [^<]* from the mirror")
    for rel in files:
        a, b = ((sites[n] / rel).read_bytes() for n in ("sqlite", "postgresql"))
        assert built.sub(b"", a) == built.sub(b"", b), rel
