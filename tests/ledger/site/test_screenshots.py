"""Screenshots of the overview and a proposal page, from headless Chromium. They go to a
temporary folder, or to WAICO_SCREENSHOTS (the README's are made with WAICO_SCREENSHOTS=docs)."""

import os
from pathlib import Path
from urllib.parse import quote

from .conftest import url

ROOT = Path(__file__).resolve().parents[3]


def test_screenshots_of_the_overview_and_a_proposal(browser, demo_site, demo_chain, tmp_path):
    folder = Path(os.environ.get("WAICO_SCREENSHOTS") or tmp_path)
    folder = folder if folder.is_absolute() else ROOT / folder
    key = "#key=" + quote((demo_chain.workdir / "checkpoint.pub").read_text().strip(), safe="")
    for page, name in (("index.html", "site-overview.png"), ("proposals/3.html", "site-proposal.png")):
        browser.open(url(demo_site / page, key))
        assert browser.marks()["fail"] == []
        browser.screenshot(folder / name)
        png = (folder / name).read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 50_000
