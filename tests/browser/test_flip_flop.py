"""The page on flip-flop (N=2, no crash allowed) in headless Chromium: the forever-bivalent
lasso, Lemma 3 at a configuration, and both games against the FLP adversary."""

from __future__ import annotations

from ..paths import MODELS
from .page import PALETTE_RGB, VERMILLION, rgb

SERVE = (str(MODELS / "flip_flop.py"), "--crashes", "0")


def test_the_forever_bivalent_lasso(page):
    p = page.open()
    assert p.tid("verdict").text == "forever-bivalent"
    assert p.colour("verdict") == PALETTE_RGB["bivalent"]
    w = p.s.api("/api/witness")
    p.click("tab-witness")
    p.click("tour-start")
    p.wait_path([])
    turned = w["path"] + w["path"][w["cycle_start"]:]  # the cycle, a second time
    for i in range(1, 10):
        p.keys("n")
        p.wait_path(turned[:i])
        assert p.valence() == "bivalent" and p.colour("valence") == PALETTE_RGB["bivalent"]
        rows = p.js("return [...document.querySelectorAll('#msc .msc-valence')]"
                    ".map((r) => r.dataset.valence)")
        assert rows == ["bivalent"] * (i + 1)  # the chart's left column: one per configuration
    assert "cycle turn 2" in p.tid("tour-pos").text
    # the cycle bracketed: one full turn and the part of the second shown
    assert len(p.css('[data-testid="msc-cycle"] path')) == 2
    c = p.config()
    assert len(p.tids("msc-arrow")) == 7 == sum(1 for e in c["events"] if e[1] is not None)
    assert len(p.tids("msc-pending")) == sum(m["count"] for m in c["buffer"])
    # after a turn of the cycle the configuration is the one the cycle started from
    ids = [p.s.api(f"/api/config?inputs=01&path={','.join(map(str, turned[:k]))}")["id"]
           for k in (3, 7, 9)]
    assert ids[0] == ids[1] and ids[2] == c["id"]
    p.check_layout()
    p.shot("flip_flop_lasso.png")
    assert not p.errors()


def test_lemma3_at_a_configuration(page):
    """At I(01) after both null steps, e = p0's oldest pending message (1, index 2)."""
    p = page.open("#inputs=01&path=0,1")
    p.click("tab-lemma3")
    p.wait(lambda: len(p.tids("lemma3-figure")) == 1)
    p.click("lemma3-fair-0")
    p.wait(lambda: p.js("return window.flp.tours.l3 && window.flp.tours.l3.event_index") == 2
           and len(p.tids("lemma3-figure")) == 1)
    e = p.tid("successor-2")
    assert "e" in e.get_attribute("class").split()
    assert VERMILLION == rgb(e.value_of_css_property("box-shadow"))
    for seg in p.css('[data-testid="lemma3-D-bar"] .seg'):
        assert rgb(seg.value_of_css_property("background-color")) == \
            PALETTE_RGB[seg.get_attribute("data-valence")]
    assert "D = e(𝒞)" in p.tid("lemma3-explanation").text
    p.check_layout()
    p.shot("flip_flop_lemma3.png")
    sigma = p.js("return window.flp.tours.l3.sigma")
    p.click("lemma3-play")
    p.wait_path([0, 1, *sigma])
    assert p.valence() == "bivalent" and p.config()["events"][-1] == [0, 1]


def test_the_game_the_adversary_keeps_it_bivalent(page):
    """The student picks events, the adversary answers with σ then that event: three rounds,
    every one ends bivalent and undecided."""
    p = page.open("#inputs=01")
    p.click("tab-game")
    p.click("game-mode-force")
    p.click("game-start")
    p.wait(lambda: "Round 1" in p.tid("game-status").text)
    for round_ in range(1, 4):
        before = p.path()
        successors = p.config()["successors"]
        # aim for a decision: an event that leads to a univalent configuration, if any
        pick = next((s["index"] for s in successors if s["valence"] != "bivalent"),
                    successors[-1]["index"])
        p.click(f"successor-{pick}")
        p.wait(lambda r=round_: f"Round {r + 1}" in p.tid("game-status").text,
               what="the adversary's answer")
        c = p.config()
        assert c["path"][:len(before)] == before and len(c["path"]) > len(before)
        assert c["valence"] == "bivalent" and c["decided"] == []
    assert len(p.css('[data-testid="game-log"] li')) == 3
    p.check_layout()
    p.shot("flip_flop_game_force.png")
    p.click("game-stop")
    assert not p.errors()


def test_the_reverse_game_the_student_is_the_adversary(page):
    p = page.open("#inputs=01")
    p.click("tab-game")
    p.click("game-mode-adversary")
    p.click("game-start")
    p.wait(lambda: len(p.tids("game-demand")) == 1)
    assert p.tid("game-demand").text == "p0 takes a null step"
    marked = p.css("#successors .succ.e")
    assert [m.get_attribute("data-event") for m in marked] == ["p0:null"]
    p.click("successor-0")  # e(C) is bivalent: e at once
    p.wait(lambda: "Stage 1" in p.tid("game-status").text)
    assert p.tid("game-demand").text == "p1 receives 0"
    p.click("game-solve")  # the adversary's σ for this stage, played for the student
    p.wait(lambda: len(p.tids("game-hint-text")) == 1 and len(p.path()) > 1)
    k = int(p.css("#successors .succ.e")[0].get_attribute("data-index"))
    p.click(f"successor-{k}")
    p.wait(lambda: "Stage 2" in p.tid("game-status").text)
    assert p.valence() == "bivalent"
    assert len(p.css('[data-testid="game-log"] li')) == 2
    p.check_layout()
    p.shot("flip_flop_game_adversary.png")
    p.click("game-stop")
    assert not p.errors()
