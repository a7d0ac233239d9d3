"""Fixtures of the browser tests: per test module one ``flpcheck serve`` (the module's
``SERVE`` arguments) and one headless Chromium; skipped, saying why, where Chromium or
chromedriver is missing, except on CI (which installs Debian's chromium and chromium-driver).

Screenshots go to a temporary directory, or to ``$FLPCHECK_SCREENSHOTS`` when set (to look
at them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .page import Page, Server, missing, start_browser

WHY = missing()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every browser test, saying why, where Chromium cannot be driven; never on CI
    (``CI=true``), which installs Chromium: there a missing browser fails the tests."""
    if WHY and os.environ.get("CI") != "true":
        skip = pytest.mark.skip(reason=f"browser tests need Chromium: {WHY}")
        for item in items:
            if "tests/browser/" in str(item.path).replace(os.sep, "/"):
                item.add_marker(skip)


@pytest.fixture(scope="module")
def server(request):
    model, *args = request.module.SERVE
    s = Server(model, *args)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    wanted = os.environ.get("FLPCHECK_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        return Path(wanted)
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def page(server, shots, tmp_path_factory) -> Page:
    driver = start_browser(tmp_path_factory.mktemp("chromium-profile"))
    server.wait_done()
    yield Page(driver, server, shots)
    driver.quit()
