"""The page on a protocol with steps left to chance (tests/fixtures/chance/coin_flip_flop.py,
no crash allowed) in headless Chromium: each outcome of a coin is a successor of its own, with
its probability shown, and taking one walks that outcome."""

from __future__ import annotations

from ..paths import FIXTURES

SERVE = (str(FIXTURES / "chance" / "coin_flip_flop.py"), "--crashes", "0")


def test_the_outcomes_of_a_coin_are_successors_with_their_probability(page):
    """At I(01) after both first null steps: successors 2, 3 are p0 receiving 1 with outcomes
    0 and 1 (keep 0, adopt 1), 4, 5 p1 receiving 0 likewise, each 1/2 (tests/serve counts
    them by hand); the null steps show no probability."""
    p = page.open("#inputs=01&path=0,1")
    p.wait_path([0, 1])
    assert [t.text for t in (p.tid(f"chance-{k}") for k in range(2, 6))] == ["1/2"] * 4
    assert p.tids("chance-0") == [] and p.tids("chance-1") == []
    assert "(outcome 1)" in p.tid("successor-3").text
    p.click("successor-3")
    p.wait_path([0, 1, 3])
    c = p.config()
    assert c["steps"][-1]["event"] == [0, 1, 1] and c["states"][0]["value"] == [1, True, None]
    p.check_layout()
    p.shot("coin_flip_flop_outcomes.png")
    assert not p.errors()
