"""Headless Chromium from Debian's packages, driven by Selenium through Debian's chromedriver
(pointed at explicitly, so Selenium Manager downloads nothing). `tools/browser` installs both."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000"]


def available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


class Browser:
    """One Chromium with a fresh profile; `open(url)` then read the page."""

    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="waico-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)

    def open(self, url: str, wait_verified: bool = True, timeout: float = 60) -> None:
        self.driver.get("about:blank")  # a new fragment alone would not load the page again
        self.driver.get(url)
        if wait_verified:
            self.wait_done(timeout)

    def wait_done(self, timeout: float = 60) -> None:
        """Until the page's verifier finished (or gave up on the checkpoint)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.driver.execute_script(
                "const s = document.getElementById('checkpoint-status');"
                "return document.documentElement.hasAttribute('data-verified') || "
                "(s && s.getAttribute('data-verify') === 'fail');")
            if done:
                return
            time.sleep(0.05)
        raise TimeoutError("the page's verification did not finish")

    def marks(self) -> dict[str, list[dict]]:
        """Every element with data-verify, by state: [{tag, id, check, title, text}]."""
        found = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('[data-verify]')).map(e => ({"
            "state: e.getAttribute('data-verify'), tag: e.tagName.toLowerCase(), id: e.id,"
            "check: e.getAttribute('data-check'), leaf: e.getAttribute('data-leaf'),"
            "title: e.getAttribute('title'), text: e.textContent.slice(0, 120),"
            "legend: e.classList.contains('legend')}))")
        out: dict[str, list[dict]] = {"ok": [], "fail": [], "pending": []}
        for m in found:
            if not m["legend"]:
                out.setdefault(m["state"], []).append(m)
        return out

    def console_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def screenshot(self, path: Path, full: bool = True) -> None:
        if full:
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(1280, min(max(height, 800), 4000))
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(1280, 1000)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


def summary(marks: dict) -> str:
    return json.dumps({k: len(v) for k, v in marks.items()})
