"""The site's tests: the demo's site (built by `waico demo` in the shared demo chain's folder)
opened in Debian's headless Chromium; tests that change a site copy it first."""

import shutil
from pathlib import Path

import pytest

from .browser import Browser, available


@pytest.fixture(scope="session")
def browser():
    if not available():
        pytest.fail("the site's tests need Debian's chromium and chromium-driver: run tools/browser "
                    "(make test-ledger does)")
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="session")
def demo_site(demo_chain) -> Path:
    """The site `waico demo` built (do not change it: copy it)."""
    site = demo_chain.workdir / "site"
    assert (site / "index.html").is_file()
    return site


@pytest.fixture
def site_copy(demo_site, tmp_path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(demo_site, copy)
    return copy


def pages_of(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def url(path: Path, fragment: str = "") -> str:
    return path.resolve().as_uri() + fragment
