"""The page on wait-for-all (N=3) in headless Chromium: the tour of the verdict's run (p0 dead
from the start, the others wait forever) and Lemma 2's chain."""

from __future__ import annotations

from ..paths import MODELS
from .page import PALETTE_RGB

SERVE = (str(MODELS / "wait_for_all.py"),)


def test_the_witness_tour_of_a_run_with_a_crash(page):
    p = page.open()
    assert p.tid("verdict").text == "not-crash-tolerant"
    w = p.s.api("/api/witness")
    assert (w["inputs"], w["crashed"], w["crash_at"], w["cycle_start"]) == ("000", [0], 0, 5)
    p.click("verdict")  # the verdict opens its run
    p.wait(lambda: p.tid("pane-witness").is_displayed() and len(p.tids("tour-next")) == 1)
    p.click("tour-start")
    p.wait_path([])
    assert p.tid("tour-pos").text == "step 0 of 7"
    assert "dead from the start" in p.tid("tour-sentence").text
    assert len(p.tids("msc-crash-0")) == 1  # the crash, marked on p0's line
    for i in range(1, 8):
        p.click("tour-next")
        p.wait_path(w["path"][:i])
        assert p.tid("tour-pos").text == f"step {i} of 7"
        assert p.tid("tour-sentence").text.startswith(w["sentences"][i - 1])
        assert "current" in p.tid(f"tour-step-{i}").get_attribute("class")
        assert all(e[0] != 0 for e in p.config()["events"])  # p0 never steps
        assert len(p.tids("msc-crash-0")) == 1
    sentence = p.tid("tour-sentence").text
    assert "No decision is reachable without p0's steps." in sentence
    assert "no process ever decides" in sentence  # the conclusion, after one turn of the cycle
    assert "dead" in p.tid("successor-0").get_attribute("class")  # p0's null step: crashed
    assert len(p.tids("msc-cycle")) == 1
    c = p.config()
    assert len(p.tids("msc-arrow")) == 4 and c["outputs"] == [None, None, None]
    assert p.colour("valence") == PALETTE_RGB["0-valent"]  # I(000) decides 0, if p0 ran
    p.check_layout()
    p.shot("wait_for_all_witness.png")
    # the cycle goes on: one more step is the cycle's first again
    p.click("tour-next")
    p.wait_path(w["path"] + [w["path"][5]])
    assert "cycle turn 2" in p.tid("tour-pos").text
    assert not p.errors()


def test_lemma2_the_adjacent_pair_and_the_run_with_p1_dead(page):
    p = page.open()
    p.click("tab-lemma2")
    p.wait(lambda: len(p.tids("lemma2-chain")) == 1)
    chain = [p.tid(f"chain-{k}") for k in range(4)]
    assert [c.get_attribute("data-valence") for c in chain] == \
        ["0-valent", "0-valent", "1-valent", "1-valent"]
    for k, c in enumerate(chain):
        assert p.colour(f"chain-{k}") == PALETTE_RGB[c.get_attribute("data-valence")]
    assert "p1" in p.tid("lemma2-detail").text
    p.click("l2run-next")  # Follow: to the run's start
    p.wait(lambda: p.config()["inputs"] == "100" and p.path() == [])
    p.click("l2run-next")
    p.wait(lambda: p.path() == [p.s.api("/api/lemma2")["run"]["path"][0]])
    assert len(p.tids("msc-crash-1")) == 1
    p.check_layout()
    p.shot("wait_for_all_lemma2.png")
    assert not p.errors()
