"""The page on majority (N=3) in headless Chromium: a walk by clicks to an agreement violation,
the colours, the sequence chart, the keyboard, the history and a bookmark."""

from __future__ import annotations

from ..paths import MODELS
from .page import PALETTE_RGB, rgb

SERVE = (str(MODELS / "majority.py"),)


def test_a_walk_by_clicks_to_an_agreement_violation(page):
    """From I(011): p0 broadcasts 0 and hears it; p1 broadcasts 1; p0 hears that 1: a tie, p0
    decides 0. p1 hears its own 1, p2 broadcasts, p1 hears p2's 1: p1 decides 1."""
    p = page.open()
    # the page opens on the first bivalent initial configuration
    assert p.config()["inputs"] == "011" and p.path() == []
    assert "inputs=011" in p.d.current_url
    assert p.tid("protocol").text == "Majority" and p.tid("verdict").text == "agreement-violated"
    assert "complete" in p.tid("progress").text
    assert p.colour("initial-000", "border-bottom-color") == PALETTE_RGB["0-valent"]
    assert p.colour("initial-011", "border-bottom-color") == PALETTE_RGB["bivalent"]
    for label in ("p0:null", "p0:0", "p1:null", "p0:1"):
        p.take(label)
    assert p.tid("output-0").text == "0"
    assert p.colour("output-0") == PALETTE_RGB["0-valent"]
    # the cells the last step changed are highlighted, the others are not
    assert "chg" in p.tid("cell-0-ones").get_attribute("class")
    assert "chg" in p.tid("cell-0-y").get_attribute("class")
    assert "chg" not in p.tid("cell-0-x").get_attribute("class")
    assert "chg" not in p.tid("cell-1-ones").get_attribute("class")
    for label in ("p1:1", "p2:null"):
        p.take(label)
    button = p.css('#successors [data-event="p1:1"]')[0]
    assert "p1 decides 1" in button.text
    p.take("p1:1")
    assert p.tid("agreement-violated").is_displayed()
    assert p.tid("output-1").text == "1" and p.colour("output-1") == PALETTE_RGB["1-valent"]
    assert p.tid("depth").text == "depth 7"
    # every colour is its valence's, the valence badge included
    for b in p.css("#successors .succ"):
        assert rgb(b.value_of_css_property("border-left-color")) == \
            PALETTE_RGB[b.get_attribute("data-valence")]
    assert p.colour("valence") == PALETTE_RGB[p.valence()]
    # the configuration shown is the server's: states by field, the buffer by message
    c = p.config()
    assert c["states"][1]["fields"] == {"x": 1, "sent": True, "zeros": 0, "ones": 2, "y": 1}
    # ... each value printed as the CLI prints it (repr: True, None), not as JSON (true, null)
    assert c["states"][2]["text"] == "State(x=1, sent=True, zeros=0, ones=0, y=None)"
    assert p.tid("cell-1-sent").text == "True" and p.tid("cell-2-y").text == "None"
    # the chart: one arrow per receipt (4 of the 9 messages sent), the other 5 in transit
    receipts = sum(1 for e in c["events"] if e[1] is not None)
    sent = sum(len(s["sends"]) for s in c["steps"])
    assert (receipts, sent) == (4, 9)
    assert len(p.tids("msc-arrow")) == 4
    assert len(p.tids("msc-pending")) == 5 == sum(m["count"] for m in c["buffer"])
    assert len(p.tids("msc-decide")) == 2
    assert len(p.css('[data-testid="msc"] .msc-event.null')) == 3
    for i in range(8):
        square = p.tid(f"msc-valence-{i}")
        assert rgb(square.value_of_css_property("fill")) == \
            PALETTE_RGB[square.get_attribute("data-valence")]
    p.check_layout()
    p.shot("majority_agreement_violation.png")
    # bookmarkable: the URL alone brings the same configuration back
    url = p.d.current_url
    assert "path=" + ",".join(map(str, c["path"])) in url
    p.d.get("about:blank")
    p.d.get(url)
    p.wait_path(c["path"])
    assert p.tid("agreement-violated").is_displayed()
    assert not p.errors()


def test_keyboard_history_and_bad_paths(page):
    from selenium.webdriver.common.keys import Keys

    p = page.open("#inputs=011")
    p.keys("0")
    p.wait_path([0])
    p.keys("j", "j")
    assert "selected" in p.tid("successor-2").get_attribute("class")
    p.keys(Keys.ENTER)
    p.wait_path([0, 2])
    p.keys("5")
    p.wait_path([0, 2, 5])
    p.keys(Keys.BACKSPACE)
    p.wait_path([0, 2])
    p.d.back()
    p.wait_path([0])
    p.d.forward()
    p.wait_path([0, 2])
    # a message of the buffer delivers it; the neighbourhood's nodes and the chart's rows move
    msg = p.css('[data-testid="buffer"] button.msg')[0]
    k = int(msg.get_attribute("data-testid").split("-")[1])
    msg.click()
    p.wait_path([0, 2, k])
    p.click("nb-succ-1")
    p.wait_path([0, 2, k, 1])
    p.click("nb-parent")
    p.wait_path([0, 2, k])
    p.click("msc-row-1")
    p.wait_path([0])
    p.click("decide-1")
    p.wait(lambda: 1 in p.config()["decided"])
    # a bad path says so, and offers its valid part
    p.d.get(p.s.url + "/#inputs=011&path=0,99")
    p.wait(lambda: len(p.tids("config-error")) == 1)
    assert "successor 99 does not exist" in p.tid("config-error").text
    p.click("error-prefix")
    p.wait_path([0])
    p.errors()  # the failed fetch of the bad path is logged by the browser: expected
