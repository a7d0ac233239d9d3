"""The tour "PaxosUnbounded after GST" in headless Chromium (models/paxos_unbounded.py served
with --max-depth 2, no crash): FLP's run (the dueling proposers, built by Lemma 3's adversary)
stops at the first step the rules after GST forbid, and after GST every run decides."""

from __future__ import annotations

from ..paths import MODELS

SERVE = (str(MODELS / "paxos_unbounded.py"), "--max-depth", "2", "--crashes", "0")


def test_after_gst_the_dueling_proposers_cannot_continue_and_every_run_decides(page):
    """The adversary's run starts from I(100) (its first initial configuration certified
    bivalent): p0 starts ballot 0, p1 promises it, and p2 then starts ballot 2 while p1's promise
    to p0 is in transit: under quiet timeouts that null step is forbidden after GST ('a message
    to p0 is in transit'). Placed there, GST stops the run; the page greys that step. Then
    liveness after GST (GST within 2 events, as ``liveness --gst-by 2 --crashes 0``, which the
    serve tests compare) holds."""
    p = page.open("#inputs=100")
    p.wait_path([])
    p.click("tab-escape")
    p.click("gst-tour-flp")
    sentence = p.wait(lambda: "is forbidden after GST" in (text(p, "gst-tour-sentence") or "")
                      and text(p, "gst-tour-sentence"), timeout=60, what="the GST stop")
    assert "p2 takes a null step" in sentence and "a message to p0 is in transit" in sentence
    c = p.config()
    flp = p.s.api("/api/flprun")
    stop = flp["forbidden"][0]
    assert c["path"] == flp["run"]["path"][:stop["step"]]
    k = flp["run"]["path"][stop["step"]]
    why = p.wait(lambda: text(p, f"gst-why-{k}"), what="the run's next step greyed")
    assert why == stop["reason"]
    p.check_layout()
    p.shot("unbounded_paxos_gst_stop.png")
    p.click("gst-tour-check")
    said = p.wait(lambda: text(p, "liveness-answer"), timeout=60, what="liveness")
    assert said.startswith("Liveness holds")
    assert "Worst case: 8 events from GST to a decision" in said
    p.wait(lambda: p.tids("gst-pos") and p.tid("gst-pos").text.startswith("step 0"),
           what="the worst case's start")
    p.js("window.flp.tours.jump('gst', window.flp.escape.run.path.length)")
    p.wait(lambda: p.config()["decided"], what="a decision at the end of the worst case")
    p.shot("unbounded_paxos_worst_case.png")
    assert not p.errors()


def text(p, testid: str) -> str:
    """The text of an element read in one call (the page redraws often: no stale handle)."""
    return p.js("const e = document.querySelector(`[data-testid='${arguments[0]}']`); "
                "return e ? e.textContent : null;", testid)
