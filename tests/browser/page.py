"""What the browser tests share: the served page in headless Chromium, driven by test ids."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from flpcheck.output.render.style import EVENT_COLOUR, PALETTE

__all__ = ["CHROMIUM", "CHROMEDRIVER", "missing", "Server", "start_browser", "Page", "rgb",
           "PALETTE_RGB", "VERMILLION"]

CHROMIUM = os.environ.get("FLPCHECK_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FLPCHECK_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--window-size=1480,940", "--force-device-scale-factor=1",
         "--hide-scrollbars")


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


PALETTE_RGB = {label: _hex(colour) for label, colour in PALETTE.items()}
"""The rendered images' valence colours (flpcheck.output.render.style.PALETTE) as RGB."""
VERMILLION = _hex(EVENT_COLOUR)


def missing() -> str:
    """Why the browser tests cannot run here ('' when they can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (Path(path).exists() or shutil.which(path)):
            return f"{path} is missing (apt-get install {package})"
    return ""


def rgb(css: str) -> tuple[int, int, int]:
    """``rgb(1, 2, 3)`` or ``rgba(...)`` as a triple."""
    inner = css[css.index("(") + 1:css.index(")")]
    return tuple(int(float(v)) for v in inner.split(",")[:3])  # type: ignore[return-value]


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


class Server:
    """``flpcheck serve MODEL ARGS --port 0 --no-browser`` in a subprocess (started at once;
    :attr:`url` waits for it to print its URL, so a browser can start meanwhile)."""

    def __init__(self, model: str, *args: str) -> None:
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flpcheck", "serve", model, *args, "--port", "0",
             "--no-browser"], stdout=subprocess.PIPE, stderr=self.log, text=True)
        self._url = ""

    @property
    def url(self) -> str:
        """The server's URL (without the final /), once it printed it."""
        if self._url:
            return self._url
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if " on http://" not in line:
            self.proc.kill()
            self.proc.wait(10)
            self.log.seek(0)
            why = self.log.read()
            self.stop()
            raise RuntimeError(f"flpcheck serve did not start: {line!r} {why!r}")
        self._url = line.split(" on ")[1].split()[0].rstrip("/")
        return self._url

    def api(self, path: str) -> Any:
        return get_json(self.url + path)

    def wait_done(self, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.api("/api/status")
            if status["phase"] in ("done", "failed"):
                return status
            time.sleep(0.05)
        raise TimeoutError("the exploration did not end")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout:
            self.proc.stdout.close()
        self.log.close()


def start_browser(profile: Path) -> Any:
    """Headless Chromium (Debian's chromium and chromedriver) with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1480, 940)
    return driver


class Page:
    """The page of one server in one browser, driven by its ``data-testid`` attributes."""

    def __init__(self, driver: Any, server: Server, shots: Path) -> None:
        self.d, self.s, self.shots = driver, server, shots

    def open(self, fragment: str = "") -> Page:
        self.d.get(self.s.url + "/" + fragment)
        self.wait(lambda: self.js("return !!(window.flp && window.flp.state.config)"),
                  what="the first configuration")
        return self

    def js(self, code: str, *args: Any) -> Any:
        return self.d.execute_script(code, *args)

    def wait(self, cond: Any, timeout: float = 20, what: str = "") -> Any:
        from selenium.common.exceptions import (
            NoSuchElementException,
            StaleElementReferenceException,
        )
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.d, timeout, poll_frequency=0.05, ignored_exceptions=(
            StaleElementReferenceException, NoSuchElementException)).until(lambda _: cond(), what)

    def tid(self, testid: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.d.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def tids(self, testid: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return self.d.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def css(self, selector: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return self.d.find_elements(By.CSS_SELECTOR, selector)

    def click(self, testid: str) -> None:
        """Click by test id, again if a re-render replaced the element meanwhile."""
        from selenium.common.exceptions import StaleElementReferenceException

        for _ in range(40):
            try:
                self.tid(testid).click()
                return
            except StaleElementReferenceException:
                time.sleep(0.05)
        raise AssertionError(f"could not click {testid}")

    def keys(self, *keys: str) -> None:
        from selenium.webdriver.common.by import By

        self.d.find_element(By.TAG_NAME, "body").send_keys(*keys)

    def config(self) -> Any:
        return self.js("return window.flp.state.config")

    def path(self) -> list[int] | None:
        """The path of the configuration shown (None while there is none)."""
        return self.js("const c = window.flp && window.flp.state.config; "
                       "return c ? c.path : null")

    def wait_path(self, path: list[int]) -> None:
        """Wait until the page shows the configuration at ``path``, loaded and drawn."""
        self.wait(lambda: self.js(
            "const c = window.flp && window.flp.state.config;"
            "return !!c && c.path.join(',') === arguments[0] && "
            "!document.querySelector('#config-card').classList.contains('loading')",
            ",".join(map(str, path))), what=f"path {path}")

    def take(self, label: str) -> None:
        """Click the successor whose event label is ``label`` (``p0:null``, ``p1:0``)."""
        before = self.path() or []
        k = self.js("return window.flp.state.config.successors"
                    ".find((s) => s.label === arguments[0]).index", label)
        self.click(f"successor-{k}")
        self.wait_path([*before, k])

    def valence(self) -> str:
        return self.tid("valence").get_attribute("data-valence")

    def colour(self, testid: str, prop: str = "background-color") -> tuple[int, int, int]:
        return rgb(self.tid(testid).value_of_css_property(prop))

    def shot(self, name: str) -> Path:
        path = self.shots / name
        self.d.save_screenshot(str(path))
        return path

    def check_layout(self) -> None:
        """Nothing overflows the window horizontally, and no card overflows itself."""
        over = self.js("""
            const out = [];
            const de = document.documentElement;
            if (de.scrollWidth > de.clientWidth + 1) out.push('page ' + de.scrollWidth);
            for (const c of document.querySelectorAll('.card')) {
              if (c.scrollWidth > c.clientWidth + 1) out.push(c.id || c.className);
            }
            return out;""")
        assert not over, over

    def errors(self) -> list[str]:
        """The browser console's errors since the last call."""
        return [e["message"] for e in self.d.get_log("browser") if e["level"] == "SEVERE"]
