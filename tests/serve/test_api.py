"""The JSON API of flpcheck serve against its application (Starlette's TestClient): every
field, the valences and successors of every configuration against the explored graph, bad
requests, and the verdict's runs replayed with flpcheck.model.semantics."""

from __future__ import annotations

import json

import pytest

from flpcheck.analysis.valence import classify_valence
from flpcheck.output.json import event_to_json
from flpcheck.serve.walk import bits, events_to_path

from .served import make_served, reached


def test_status_once_explored(served):
    """Majority N=3: 2,542 configurations and 15,228 events (README's figures for N=3); the
    verdict is agreement-violated; every initial configuration has its valence."""
    s = served("majority.py")
    st = s.get("/api/status", "serve-status")
    assert (st["protocol"], st["processes"], st["crashes"], st["termination"]) == \
        ("Majority", 3, 1, "some")
    assert (st["phase"], st["complete"], st["on_demand"], st["exploring"]) == \
        ("done", True, False, False)
    assert (st["configurations"], st["expanded"], st["events"]) == (2542, 2542, 15228)
    assert st["verdict"] == "agreement-violated" and st["cut_reasons"] == []
    assert st["verdict_detail"] == "two processes decide differently: outputs (_, 0, 1)"
    assert st["inputs"] == ["000", "001", "010", "011", "100", "101", "110", "111"]
    # all-equal inputs are univalent; 011 and 110 are bivalent (the first two votes heard)
    valences = {i["inputs"]: i["valence"] for i in st["initial"]}
    assert valences["000"] == "0-valent" and valences["111"] == "1-valent"
    assert valences["011"] == valences["110"] == "bivalent"
    assert sum(st["valence_counts"].values()) == 2542
    assert st["nondeciding"] == {"exists": False, "detail": "every admissible run with at most 1 "
                                                            "crash(es) decides"}
    assert st["error"] is None and st["doc"].startswith("Broadcast the input")


def test_before_the_graph_is_there_everything_is_on_demand_and_unknown():
    """A session not started yet: the page still works, by replaying; nothing is claimed."""
    s = make_served("models/majority.py", start=False)
    st = s.get("/api/status", "serve-status")
    assert (st["phase"], st["complete"], st["on_demand"], st["verdict"]) == \
        ("exploring", False, True, None)
    assert {i["valence"] for i in st["initial"]} == {"unknown"}
    c = s.config("011", [0, 3])
    assert c["explored"] is False and c["id"] is None and c["valence"] == "unknown"
    assert {x["valence"] for x in c["successors"]} == {"unknown"}
    assert c["decisions"] == {"0": None, "1": None} and c["decisions_exact"] is False
    for url in ("/api/witness", "/api/lemma2", "/api/lemma3?inputs=011", "/api/adversary?"
                "inputs=011&event=0"):
        assert "poll /api/status" in s.get(url, status=503)["error"]


def test_config_every_field(served):
    """Majority, I(011) then p0's null step: p0 broadcasts its 0 (worked by hand)."""
    s = served("majority.py")
    c = s.config("011", [0])
    assert (c["inputs"], c["path"], c["depth"], c["explored"]) == ("011", [0], 1, True)
    assert c["id"] == s.session.space.find(reached(s.session.protocol, "011", [0]))
    assert (c["valence"], c["valence_bound"], c["initial_valence"]) == ("bivalent", None,
                                                                        "bivalent")
    assert c["outputs"] == [None, None, None] and c["decided"] == []
    assert c["agreement_violated"] is False and c["events"] == [[0, None]]
    assert [st["fields"] for st in c["states"]] == [
        {"x": 0, "sent": True, "zeros": 0, "ones": 0, "y": None},
        {"x": 1, "sent": False, "zeros": 0, "ones": 0, "y": None},
        {"x": 1, "sent": False, "zeros": 0, "ones": 0, "y": None}]
    assert [st["output"] for st in c["states"]] == [None, None, None]
    assert [(m["to"], m["payload"], m["count"], m["index"]) for m in c["buffer"]] == \
        [(0, 0, 1, 3), (1, 0, 1, 4), (2, 0, 1, 5)]
    assert c["buffer_text"] == "{0 → p0, 0 → p1, 0 → p2}"
    step = c["steps"][0]
    assert (step["index"], step["event"], step["text"], step["label"]) == \
        (0, [0, None], "p0 takes a null step", "p0:null")
    assert step["sends"] == [[0, 0], [1, 0], [2, 0]] and step["received_from"] is None
    assert step["valence"] == "bivalent" and step["id"] == c["id"]
    # the successors: null steps of p0..p2, then the messages by destination
    succ = c["successors"]
    assert [x["event"] for x in succ] == [[0, None], [1, None], [2, None], [0, 0], [1, 0], [2, 0]]
    assert [x["index"] for x in succ] == list(range(6))
    assert succ[0]["changes"] is False and succ[0]["sends"] == []  # p0 has sent already
    assert succ[1]["changes"] is True and succ[1]["sends"] == [[0, 1], [1, 1], [2, 1]]
    assert succ[3]["text"] == "p0 receives 0" and succ[3]["label"] == "p0:0"
    assert all(x["decided"] == [] and x["outputs"] == [None] * 3 for x in succ)
    assert [(f["event"], f["index"], f["sent_at"]) for f in c["fair_events"]] == \
        [([0, 0], 3, 0), ([1, 0], 4, 0), ([2, 0], 5, 0)]
    prev = c["previous"]
    assert prev["states"][0]["fields"]["sent"] is False and prev["buffer"] == []
    assert prev["buffer_text"] == "∅" and prev["outputs"] == [None] * 3
    assert s.config("011")["previous"] is None


def test_decisions_are_shortest_continuations_that_decide(served):
    """From I(011) after p0's broadcast: 0 in 2 events (p1's first step receives p0's 0 and
    broadcasts 1, then p1 hears its own 1: a tie, 0); 1 in 3 events (p1 broadcasts 1, p2's
    first step receives it and broadcasts 1, p2 hears its own 1). Nothing shorter exists: a
    decision needs two votes received by one process, and the second 1 must be sent first."""
    s = served("majority.py")
    c = s.config("011", [0])
    assert c["decisions_exact"] is True
    assert len(c["decisions"]["0"]) == 2 and len(c["decisions"]["1"]) == 3
    for v in ("0", "1"):
        end = reached(s.session.protocol, "011", [0, *c["decisions"][v]])
        assert int(v) in end.decisions(s.session.protocol)
    decided = s.config("011", [0, *c["decisions"]["0"]])
    assert decided["decisions"]["0"] == [] and decided["decided"] == [0]


def test_receipts_are_matched_first_in_first_out(served):
    """Wait for all: p1 and p2 broadcast 0; p1 receives 0 twice: the copy sent at step 0 (its
    own), then the one sent at step 1."""
    s = served("wait_for_all.py")
    c = s.config("000", [1, 2])
    k = next(x["index"] for x in c["successors"] if x["event"] == [1, 0])
    assert [b["count"] for b in c["buffer"] if b["to"] == 1] == [2]
    assert c["fair_events"][1]["sent_at"] == 0
    c2 = s.config("000", [1, 2, k])
    assert c2["steps"][2]["received_from"] == 0 and c2["fair_events"][1]["sent_at"] == 1
    c3 = s.config("000", [1, 2, k, k])
    assert c3["steps"][3]["received_from"] == 1


@pytest.mark.parametrize("model,processes,options", [
    ("flip_flop.py", None, {"crashes": 0}),
    ("leader_broadcast.py", 2, {}),
    ("chance/coin_flip_flop.py", None, {"crashes": 0}),
])
def test_every_configuration_matches_the_explored_graph(served, model, processes, options):
    """Walk the whole graph through the API, breadth-first from every initial configuration:
    every configuration is reached, with the graph's valence and the graph's successors."""
    s = served(model, processes, **options)
    space = s.session.space
    valence = classify_valence(space)
    seen: set[int] = set()
    queue = [(x, [], None) for x in s.get("/api/status")["inputs"]]
    while queue:
        inputs, path, _ = queue.pop(0)
        c = s.config(inputs, path)
        cid = c["id"]
        if cid in seen:  # two initial configurations can be one
            continue
        seen.add(cid)
        assert cid == space.find(reached(s.session.protocol, inputs, path))
        assert c["valence"] == valence.label(cid)
        want = {(json.dumps(event_to_json(e)), d) for e, d in space.successors(cid)}
        got = {(json.dumps(x["event"]), x["id"]) for x in c["successors"]}
        assert got == want
        for x in c["successors"]:
            assert x["valence"] == valence.label(x["id"])
            if x["id"] not in seen and all(q[2] != x["id"] for q in queue):
                queue.append((inputs, [*path, x["index"]], x["id"]))
    assert len(seen) == len(space)


@pytest.mark.parametrize("query,status,words", [
    ("inputs=0111", 400, "need 3 bits"),
    ("inputs=0a1", 400, "need 3 bits"),
    ("", 400, "missing parameter inputs"),
    ("inputs=011&path=x", 400, "successor indices"),
    ("inputs=011&path=0,-1", 400, "successor indices"),
    ("inputs=011&path=" + ",".join(["0"] * 5001), 400, "more than the 5000"),
    ("inputs=011&path=99", 404, "successor 99 does not exist"),
])
def test_bad_requests_are_clear_errors(served, query, status, words):
    s = served("majority.py")
    body = s.get("/api/config?" + query, status=status)
    assert words in body["error"]
    assert s.get("/api/status")["phase"] == "done"  # and the server lives on


def test_a_bad_path_says_how_far_it_is_valid(served):
    s = served("majority.py")
    body = s.get("/api/config?inputs=011&path=0,3,99", status=404)
    assert body["valid_depth"] == 2
    assert body["error"] == ("path step 3: successor 99 does not exist (the configuration at "
                             "depth 2 has 5 successors, 0..4)")
    assert s.get("/api/lemma3?inputs=011&path=0&event=7", status=404)["error"].startswith(
        "event=7")
    assert "event" in s.get("/api/adversary?inputs=011&path=0", status=400)["error"]
    assert "no such endpoint" in s.get("/api/nope", status=404)["error"]
    assert s.client.post("/api/status").status_code == 405


def test_inputs_not_explored_are_a_404():
    s = make_served("models/majority.py", inputs=[(0, 1, 1)], start=False)
    assert s.get("/api/status")["inputs"] == ["011"]
    assert "not one of the initial configurations" in s.get("/api/config?inputs=000",
                                                            status=404)["error"]


def test_the_models_own_failure_is_a_422_and_the_server_lives_on(served):
    """RaisingStep raises on a process's second step: the exploration fails (and says so),
    a path through that step is a 422, every other path is answered."""
    s = served("bad/raising_step.py")
    st = s.get("/api/status", "serve-status")
    assert st["phase"] == "failed" and "step two is not written yet" in st["error"]
    assert st["verdict"] is None
    bad = s.get("/api/config?inputs=00&path=0,0", status=422)
    assert bad["error"].startswith("path step 2 (p0 takes a null step): model error: ")
    assert "step two is not written yet" in bad["error"] and bad["valid_depth"] == 1
    c = s.config("00", [0, 1])  # both processes stepped once: every successor fails
    assert c["valence"] == "unknown" and c["explored"] is False
    assert [x["outputs"] for x in c["successors"]] == [None, None]
    assert all("step two is not written yet" in x["error"] for x in c["successors"])
    assert s.config("00", [0])["successors"][1]["error"] is None
    assert s.get("/api/witness", status=500)["error"] == st["error"]


def test_not_a_number_is_sent_as_text(served):
    """NaN is no JSON number: a NaN state field is sent as the string 'nan'."""
    c = served("edge/nan_state.py").config("01", [])
    assert c["states"][0]["value"] == [0, "nan"]


def test_a_cut_exploration_is_answered_on_demand(served):
    """Majority cut at 100 configurations: past the cut, configurations are computed when
    asked and their valence is unknown; inside it, an uncertain valence is unknown too, with
    the lower bound the graph does establish."""
    s = served("majority.py", max_configs=100)
    st = s.get("/api/status", "serve-status")
    assert st["complete"] is False and st["on_demand"] is True
    assert st["cut_reasons"] == ["max-configs"] and st["configurations"] <= 100
    space, valence = s.session.space, classify_valence(s.session.space)
    deep = s.config("011", [1, 2, 3, 4, 5, 6, 3, 3])
    assert deep["id"] is None and deep["valence"] == "unknown"
    # p0 decided 1 and p1 decided 0 there (Majority's agreement violation): both values have
    # the empty continuation, even past the cut
    assert deep["outputs"] == [1, 0, None] and deep["decided"] == [0, 1]
    assert deep["decisions"] == {"0": [], "1": []} and deep["decisions_exact"] is False
    uncertain = [c for c in range(len(space)) if not valence.is_certain(c)]
    cid = uncertain[0]
    sched = space.schedule_to(cid)
    path = events_to_path(s.session.protocol, sched.inputs, list(sched.events))
    c = s.config(bits(sched.inputs), path)
    assert c["id"] == cid and c["valence"] == "unknown"
    assert c["valence_bound"] == valence.describe(cid)
    w = s.get("/api/witness", "serve-witness")
    assert w["verdict"] == "none-found" and w["complete"] is False and w["inputs"] is None


def test_past_the_cut_a_value_decided_here_has_the_empty_continuation(served):
    """SlowStart at depth 2 (tests/fixtures/edge/slow_start.py): from I(10), p1's null step
    sends 0, then p0 receives it and decides min(1, 0) = 0 (depth 2, in the graph); one more
    null step of p0 (depth 3) is past the cut, not in the graph, and still decided 0 there:
    its decisions say "0": [] (decided here), "1": null (not known), not exact."""
    s = served("edge/slow_start.py", max_depth=2)

    def index(config: dict, event: list) -> int:
        return next(x["index"] for x in config["successors"] if x["event"] == event)

    null_p1 = index(s.config("10", []), [1, None])
    receive = index(s.config("10", [null_p1]), [0, 0])
    c = s.config("10", [null_p1, receive])
    assert c["id"] is not None and c["decided"] == [0]
    null_p0 = index(c, [0, None])
    past = s.config("10", [null_p1, receive, null_p0])
    assert past["id"] is None and past["decided"] == [0]
    assert past["decisions"] == {"0": [], "1": None} and past["decisions_exact"] is False
