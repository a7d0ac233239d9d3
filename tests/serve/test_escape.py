"""The escape routes on the page: the rules after GST (``/api/gst``), liveness after GST
(``/api/liveness``), probabilistic valence (``/api/chance``) and the termination curve
(``/api/curve``). Each expected answer is worked out by hand in the docstring, or compared with
what ``flpcheck liveness`` answers on the same model."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
from click.testing import CliRunner

from flpcheck.cli.main import main

from ..paths import MODELS
from .served import events_of

PAXOS = "paxos.py:Paxos"
COIN_PAIR = "chance/coin_pair.py"


def _rules(answer):
    return [(s["allowed"], s["reason"]) for s in answer["successors"]]


def test_gst_greys_timeouts_while_a_message_is_in_transit(served):
    """Bounded Paxos, I(001), after p0's null step (path 0): p0 has started ballot 0 and sent
    prepare(0) to p1 (its ballot goes to the majority {p0, p1}: its own promise is local), so
    one message is in transit, to p1. Successors: the three null steps, then p1 receiving it.
    Quiet timeouts: no null step while anything is in transit to a live process, so all three
    are forbidden, naming p1; the receipt is allowed. Local timeouts with leader p0: p0's null
    step is allowed (nothing is in transit to p0), p1's and p2's are not the leader's. With p1
    crashed (quiet): the message to p1 no longer holds anyone back (p1 is not live), so p0's and
    p2's null steps are allowed, and p1 takes no step at all."""
    s = served(PAXOS)
    c = s.config("001", [0])
    assert c["buffer_text"] == "{prepare(0) → p1}"
    quiet = s.get("/api/gst?inputs=001&path=0", "serve-gst")
    busy = "a message to p1 is in transit: timeouts outlast every message delay"
    assert _rules(quiet) == [(False, busy)] * 3 + [
        (True, "a message to a live process is always received")]
    assert [x["text"] for x in quiet["successors"]] == [x["text"] for x in c["successors"]]
    assert quiet["allowed"] == 1 and quiet["stuck"] is False and quiet["timeouts"] == "quiet"
    local = s.get("/api/gst?inputs=001&path=0&timeouts=local&leader=0", "serve-gst")
    leader = "only the leader p0 times out after GST"
    assert _rules(local) == [(True, "a timeout: nothing is in transit to p0"), (False, leader),
                             (False, leader), (True, "a message to a live process is always "
                                                     "received")]
    crashed = s.get("/api/gst?inputs=001&path=0&crashed=1", "serve-gst")
    dead = "p1 has crashed: it takes no more steps"
    quiet_ok = "a timeout: nothing is in transit to a live process"
    assert _rules(crashed) == [(True, quiet_ok), (False, dead), (True, quiet_ok), (False, dead)]


def test_gst_parameters_are_checked(served):
    s = served(PAXOS)
    for query in ("timeouts=soon", "leader=7", "leader=x", "crashed=0,1,2", "leader=0&crashed=0"):
        body = s.get(f"/api/gst?inputs=001&{query}", status=400)
        assert body["error"].startswith(query.split("&")[-1].split("=")[0])


def _cli_liveness(*args: str) -> dict:
    result = CliRunner().invoke(main, ["liveness", str(MODELS / "paxos.py") + ":Paxos",
                                       "--json", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


@pytest.mark.parametrize("query,args", [
    ("crashes=1&leader=0", ["--crashes", "1", "--leader", "0"]),
    ("crashes=0&leader=0&timeouts=local", ["--crashes", "0", "--leader", "0", "--timeouts",
                                           "local"]),
])
def test_liveness_answers_as_the_cli_does(served, query, args):
    """The page's liveness check is ``flpcheck liveness`` on the same graph: the same verdict,
    worst case and run; the run's path replays (by the documented successor order) to the run's
    events."""
    s = served(PAXOS)
    page = s.get("/api/liveness?" + query, "serve-liveness")
    cli = _cli_liveness(*args)
    assert page["holds"] == cli["holds"]
    assert page["worst_steps"] == cli["worst_steps_after_gst"]
    want = cli["run"] if cli["run"] is not None else None
    run = page["run"]
    if want is not None:
        assert run["kind"] == "fails"
        assert run["events"] == want["stem"] + want["cycle"]
        assert run["gst_at"] == want["gst_at"] and run["crashed"] == want["crashed"]
    else:
        assert run["kind"] == "worst"
        assert run["events"][:run["gst_at"]] == cli["worst_from"]["schedule"]
        assert len(run["events"]) - run["gst_at"] >= page["worst_steps"]  # stutters uncounted
        assert "decides" in run["sentences"][-1]
    protocol = s.session.protocol
    assert [list(e[:2]) for e in map(tuple, run["events"])] == \
        [[e.pid, e.msg] if not isinstance(e.msg, tuple) else [e.pid, list(e.msg)]
         for e in events_of(protocol, run["inputs"], run["path"])]


def test_bounded_paxos_with_a_leader_and_one_crash_fails(served):
    """Bounded Paxos, leader p0, one crash: p0's only ballot goes to the majority {p0, p1}
    (ballot 0: p0 and the next process in ring order); with p1 crashed it never gathers a
    promise, and after GST only p0 may time out, which changes nothing: no decision."""
    s = served(PAXOS)
    page = s.get("/api/liveness?crashes=1&leader=0", "serve-liveness")
    assert page["holds"] is False and page["run"]["crashed"] == [1]
    assert page["run"]["valences"][-1] != "none"  # a decision stays reachable: only not taken


def test_probabilistic_valence_of_the_coin_pair(served):
    """CoinPair (tests/fixtures/chance/coin_pair.py), worked out by hand in
    tests/analysis/test_chance_by_hand.py: from (u, u) each value is decided with probability
    at most 1/4 (both coins must show it) and at least 0 (a fair adversary can keep p1 from
    tossing); after p0 tossed 0 (successor 0: p0's null step, outcome 0) deciding 1 is
    impossible and deciding 0 has probability at most 1/2."""
    s = served(COIN_PAIR, crashes=0)
    start = s.get("/api/chance?inputs=00", "serve-chance")
    assert start["available"] is True
    figures = {f"{k}{v}": F(start["figures"][v][k]["text"]) for v in "01" for k in ("min", "max")}
    assert figures == {"min0": 0, "max0": F(1, 4), "min1": 0, "max1": F(1, 4)}
    assert start["figures"]["0"]["max"] == {"text": "1/4", "value": 0.25, "exact": True,
                                            "shown": "1/4"}
    after = s.get("/api/chance?inputs=00&path=0", "serve-chance")
    assert [after["figures"][v]["max"]["text"] for v in "01"] == ["1/2", "0"]


def test_probabilistic_valence_needs_coins(served):
    body = served(PAXOS).get("/api/chance?inputs=001", "serve-chance")
    assert body["available"] is False and "left to chance" in body["reason"]


def test_the_termination_curve_of_the_coin_pair(served):
    """CoinPair from 00, termination all (by hand, tests/analysis/test_chance_by_hand.py): under
    the uniform scheduler 0 within 3 events, 1/36 within 4, 1/2 eventually; against the fair
    adversary 0 within every K (it stalls with null steps) and 0 eventually."""
    s = served(COIN_PAIR, crashes=0)
    curve = s.get("/api/curve", "serve-curve")
    assert curve["termination"] == "all" and curve["chance"] is True
    (uniform,) = curve["uniform"]["series"]
    assert uniform["inputs"] == ["00", "01", "10", "11"] or uniform["inputs"] == ["00"]
    assert uniform["values"][:4] == [0.0, 0.0, 0.0, 0.0]
    assert uniform["values"][4] == pytest.approx(1 / 36)
    assert uniform["eventually"]["text"] == "1/2"
    (adversary,) = curve["adversary"]["series"]
    assert curve["adversary"]["axis"] == "events"
    assert max(adversary["values"]) == 0.0 and adversary["eventually"]["text"] == "0"


def test_a_graph_cut_by_depth_is_the_part_before_gst(served):
    """Unbounded Paxos served with --max-depth 2 is ``flpcheck liveness --gst-by 2``: GST within
    2 events, every run after it explored from there. The CLI's answer on the same model and
    rules is the page's: liveness holds, with the same worst case."""
    s = served("paxos_unbounded.py", crashes=0, max_depth=2)
    page = s.get("/api/liveness", "serve-liveness")
    result = CliRunner().invoke(main, ["liveness", str(MODELS / "paxos_unbounded.py"),
                                       "--gst-by", "2", "--crashes", "0", "--json"])
    cli = json.loads(result.output)
    assert page["gst_by"] == 2 and page["holds"] is True and cli["holds"] is True
    assert page["worst_steps"] == cli["worst_steps_after_gst"]
    run = page["run"]
    assert run["events"][:run["gst_at"]] == cli["worst_from"]["schedule"]
    assert run["events"][run["gst_at"]:][-len(cli["worst_from"]["after_gst"]):] == \
        cli["worst_from"]["after_gst"]


def _null_steps_while_busy(protocol, inputs, events, crashed):
    """The plain reference of the quiet rule: the 0-based steps that are null steps taken
    while a message is in transit to a live process (crashed processes dead from the start)."""
    from flpcheck.model.semantics import apply_event, initial_configuration

    config = initial_configuration(protocol, tuple(map(int, inputs)))
    out = []
    for i, e in enumerate(events):
        live = set(range(protocol.processes)) - set(crashed)
        if e.msg is None and any(dst in live for dst, _ in config.buffer):
            out.append(i)
        config = apply_event(protocol, config, e).config
    return out


def test_flp_run_stops_where_the_rules_forbid_it(served):
    """Unbounded Paxos (--max-depth 2): no verdict run in the cut graph, so the run is Lemma 3's
    adversary's, built on demand (the dueling proposers of notebook 3); the steps listed as
    forbidden after GST (quiet timeouts) are exactly its null steps taken while a message is in
    transit to a live process, by a plain reading of the rule. Bounded Paxos: the verdict's run
    (p2 dead from the start) has none: with p2 crashed its null steps come when nothing is in
    transit to p0 or p1, so that run survives GST (liveness with one crash fails)."""
    s = served("paxos_unbounded.py", crashes=0, max_depth=2)
    a = s.get("/api/flprun", "serve-flprun")
    assert a["source"] == "adversary" and a["forbidden"]
    protocol = s.session.protocol
    events = events_of(protocol, a["run"]["inputs"], a["run"]["path"])
    assert [f["step"] for f in a["forbidden"]] == \
        _null_steps_while_busy(protocol, a["run"]["inputs"], events, [])
    assert all(f["reason"].endswith("timeouts outlast every message delay")
               for f in a["forbidden"])
    b = served(PAXOS).get("/api/flprun", "serve-flprun")
    assert b["source"] == "verdict" and b["run"]["crashed"] == [2]
    events = events_of(served(PAXOS).session.protocol, b["run"]["inputs"], b["run"]["path"])
    assert _null_steps_while_busy(served(PAXOS).session.protocol, b["run"]["inputs"], events,
                                  [2]) == [] == b["forbidden"]
