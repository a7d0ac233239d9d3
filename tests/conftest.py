"""Test options: --runslow for the slow tests, --hypothesis-long for many more examples."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="run tests marked slow")
    parser.addoption("--hypothesis-long", action="store_true",
                     help="run the property tests with many more examples")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import settings

    # the default run draws the same examples every time (a CI run cannot hit a slow example
    # by chance); --hypothesis-long draws new ones
    settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True)
    settings.register_profile("long", max_examples=2000, deadline=None)
    settings.load_profile("long" if config.getoption("--hypothesis-long") else "ci")
