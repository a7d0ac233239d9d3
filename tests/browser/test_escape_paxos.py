"""The GST switch and the liveness tour on bounded Paxos (models/paxos.py:Paxos, one crash) in
headless Chromium: after GST the events the rules forbid are greyed with the reason the server
gives (tests/serve/test_escape.py works the rules out by hand at the same configuration)."""

from __future__ import annotations

from ..paths import MODELS

SERVE = (str(MODELS / "paxos.py") + ":Paxos", "--crashes", "1")


def test_the_gst_switch_greys_forbidden_events_with_the_reason(page):
    """I(001) after p0's null step: prepare(0) is in transit to p1. Switched on (quiet
    timeouts) the three null steps are greyed, each saying a message to p1 is in transit; the
    receipt is not. With leader p0 and local timeouts only p1's and p2's null steps are."""
    p = page.open("#inputs=001&path=0")
    p.wait_path([0])
    assert not p.css(".succ.forbidden")
    p.click("gst-switch")
    p.wait(lambda: len(p.css(".succ.forbidden")) == 3, what="three greyed null steps")
    assert [text(p, f"gst-why-{k}") for k in range(3)] == [
        "a message to p1 is in transit: timeouts outlast every message delay"] * 3
    assert not p.tids("gst-why-3")
    assert "no message is in transit to a live process" in text(p, "gst-rule")
    p.check_layout()
    p.shot("paxos_gst_quiet.png")
    p.js("window.flp.escape.set({timeouts: 'local', leader: '0'})")
    p.wait(lambda: [b.get_attribute("data-index") for b in p.css(".succ.forbidden")]
           == ["1", "2"], what="p1's and p2's null steps greyed")
    assert text(p, "gst-why-1") == "only the leader p0 times out after GST"
    p.shot("paxos_gst_leader.png")
    p.js("window.flp.escape.set({on: false, timeouts: 'quiet', leader: ''})")
    p.wait(lambda: not p.css(".succ.forbidden"), what="nothing greyed once off")
    assert not p.errors()


def test_the_liveness_tour_follows_the_burned_ballot_run(page):
    """Leader p0, one crash: liveness fails (the serve tests compare with the CLI); following
    its run greys what the rules forbid with p1 crashed."""
    p = page.open("#inputs=000")
    p.wait_path([])
    p.click("tab-escape")
    p.js("window.flp.escape.set({leader: '0'}); window.flp.escape.crashes = 1;")
    p.click("liveness-check")
    said = p.wait(lambda: text(p, "liveness-answer"), what="the liveness answer")
    assert said.startswith("Liveness fails")
    p.click("liveness-follow")
    p.wait(lambda: p.tids("gst-pos") and p.tid("gst-pos").text.startswith("step 0"),
           what="the start of the run")
    p.click("gst-next")
    p.wait(lambda: p.tid("gst-pos").text.startswith("step 1"), what="step 1")
    p.wait(lambda: p.css(".succ.forbidden"), what="greyed events after GST")
    reasons = p.js("return [...document.querySelectorAll('.gstwhy')].map((e) => e.textContent)")
    assert "p1 has crashed: it takes no more steps" in reasons
    p.check_layout()
    p.shot("paxos_liveness_tour.png")
    assert not p.errors()


def test_labels_of_messages_in_transit_to_one_process_are_stacked(page):
    """I(000), p0 starts ballot 0 (prepare(0) to p1), p1 promises it (promise to p0), p2 starts
    ballot 2 (prepare(2) to p0): two messages in transit to p0. Their labels under the chart
    are one per line, none overlapping another."""
    p = page.open("#inputs=000&path=0,3,2")
    p.wait_path([0, 3, 2])
    c = p.config()
    assert sorted(m["to"] for m in c["buffer"]) == [0, 0], c["buffer_text"]
    boxes = p.js("""return [...document.querySelectorAll('[data-testid=msc-pending-label]')]
        .map((t) => { const b = t.getBBox(); return [b.x, b.y, b.width, b.height]; });""")
    assert len(boxes) == 2
    (x0, y0, w0, h0), (x1, y1, w1, h1) = boxes
    apart = x0 + w0 <= x1 or x1 + w1 <= x0 or y0 + h0 <= y1 or y1 + h1 <= y0
    assert apart, boxes
    svg_h = float(p.tid("msc").get_attribute("height"))
    assert max(y0 + h0, y1 + h1) <= svg_h  # inside the chart
    caption = p.js("const b = document.querySelector('#msc .msc-transit').getBBox(); "
                   "return b.x + b.width;")
    assert min(x0, x1) >= caption  # right of the "in transit" caption
    p.shot("paxos_pending_stacked.png")
    assert not p.errors()


def text(p, testid: str) -> str:
    """The text of an element read in one call (the page redraws often: no stale handle)."""
    return p.js("const e = document.querySelector(`[data-testid='${arguments[0]}']`); "
                "return e ? e.textContent : null;", testid)
