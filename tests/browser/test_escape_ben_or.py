"""Ben-Or (models/ben_or.py, from I(001), no crash) in headless Chromium: probabilistic valence
beside the valence, the coins tour and the termination curve drawn from the server's numbers."""

from __future__ import annotations

import pytest

from ..paths import MODELS

SERVE = (str(MODELS / "ben_or.py"), "--inputs", "001", "--crashes", "0")


def test_probabilistic_valence_beside_the_valence(page):
    """At I(001) each value's figures are shown as [min, max] exact fractions, those of
    /api/chance (tests/serve/test_escape.py checks them by hand on a smaller model); 0 can be
    forced (every process first hears two reports 0), so P(0) reaches 1."""
    p = page.open("#inputs=001")
    p.wait_path([])
    chips = p.wait(lambda: p.tids("chance-valence-0") and p.tids("chance-valence-1"),
                   what="probabilistic valence")
    answer = p.s.api("/api/chance?inputs=001")["figures"]
    for v in "01":
        f = answer[v]
        assert text(p, f"chance-valence-{v}") == f"P({v}) ∈ [{f['min']['text']}, " \
                                                     f"{f['max']['text']}]"
    assert answer["0"]["max"]["text"] == "1"
    assert chips
    p.check_layout()
    p.shot("ben_or_chance_valence.png")
    assert not p.errors()


@pytest.mark.slow
def test_the_termination_curve_in_the_coins_tour(page):
    """The curve of Ben-Or from I(001) against the fair adversary: 0, 1/8, 3/16 within 1, 2, 3
    rounds (the model's docstring: two independent builds and Storm agree)."""
    p = page.open("#inputs=001")
    p.wait_path([])
    p.click("tab-escape")
    p.click("coin-tour-curve")
    p.wait(lambda: p.tids("curve"), timeout=120, what="the curve")
    assert [e.text for e in p.tids("curve-adversary")] == [
        "I(001): 0 within 1 round, 1/8 within 2 rounds, 3/16 within 3 rounds"]
    assert len(p.css("[data-testid=curve] path")) == 2
    # the uniform scheduler's figure as the CLI prints it (an exact fraction of 47 digits over
    # 47 as ≈ and four digits), and the floating-point curve said to be one
    uniform = p.js("return fetch('/api/curve').then((r) => r.json())")["uniform"]["series"]
    assert p.tid("curve-uniform").text == (
        "Under the uniform scheduler, eventually: "
        + ", ".join(s["eventually"]["shown"] for s in uniform)
        + " (the curve drawn is in floating point).")
    p.check_layout()
    p.js("document.querySelector('[data-testid=curve]').scrollIntoView()")
    p.shot("ben_or_curve.png")
    assert not p.errors()


def text(p, testid: str) -> str:
    """The text of an element read in one call (the page redraws often: no stale handle)."""
    return p.js("const e = document.querySelector(`[data-testid='${arguments[0]}']`); "
                "return e ? e.textContent : null;", testid)
