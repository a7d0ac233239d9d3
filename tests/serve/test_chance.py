"""The JSON API on a protocol with steps left to chance: an event left to chance is one
successor per outcome, with its exact probability; paths, runs and Lemma 3 name outcomes.

The fixture is tests/fixtures/chance/coin_flip_flop.py: flip-flop, except that on hearing a
different preference a process flips a fair coin, keeping its own (outcome 0) or adopting the
other's (outcome 1), and sends the result.
"""

from __future__ import annotations

from flpcheck.output.json import event_to_json

from .served import events_of, reached

MODEL = "chance/coin_flip_flop.py"


def test_an_event_left_to_chance_is_one_successor_per_outcome(served):
    """I(01), p0's then p1's first null step (each sends its preference): the buffer holds 1
    for p0 and 0 for p1. Successors, worked out by hand: the two null steps (no outcome), then
    p0 receiving 1 (it prefers 0: a coin), outcomes 0 and 1, then p1 receiving 0, outcomes 0
    and 1, each with probability 1/2; the buffer's messages are delivered by the first outcome
    of each."""
    s = served(MODEL, crashes=0)
    c = s.config("01", [0, 1])
    assert [x["event"] for x in c["successors"]] == [
        [0, None], [1, None], [0, 1, 0], [0, 1, 1], [1, 0, 0], [1, 0, 1]]
    assert [x.get("probability") for x in c["successors"]] == [None, None] + ["1/2"] * 4
    assert [x["text"] for x in c["successors"]][2:4] == [
        "p0 receives 1 (outcome 0)", "p0 receives 1 (outcome 1)"]
    assert [(m["to"], m["payload"], m["index"]) for m in c["buffer"]] == [(0, 1, 2), (1, 0, 4)]
    # outcome 0 keeps p0's 0 and sends it; outcome 1 adopts 1 and sends that
    assert [x["sends"] for x in c["successors"][2:4]] == [[[1, 0]], [[1, 1]]]
    assert [x["index"] for x in c["fair_events"]] == [2, 4]


def test_a_path_through_an_outcome_replays_it(served):
    s = served(MODEL, crashes=0)
    c = s.config("01", [0, 1, 3])
    last = c["steps"][-1]
    assert last["event"] == [0, 1, 1] and last["probability"] == "1/2"
    assert "probability" not in c["steps"][0]  # a deterministic step says nothing more
    assert c["states"][0]["value"] == [1, True, None]  # p0 adopted 1
    space = s.session.space
    assert c["id"] == space.find(reached(s.session.protocol, "01", [0, 1, 3]))
    assert [event_to_json(e) for e in events_of(s.session.protocol, "01", [0, 1, 3])] == \
        c["events"]


def test_the_forever_bivalent_run_names_its_outcomes_and_their_probabilities(served):
    s = served(MODEL, crashes=0)
    w = s.get("/api/witness", "serve-witness")
    assert w["verdict"] == "forever-bivalent"
    chance = [i for i, e in enumerate(w["events"]) if len(e) == 3]
    assert chance, "the cycle receives a different preference: a coin"
    assert [w["probabilities"][i] for i in chance] == ["1/2"] * len(chance)
    assert all(w["probabilities"][i] == "1" for i in range(len(w["events"])) if i not in chance)
    assert all(s.config(w["inputs"], w["path"][:i + 1])["valence"] == "bivalent"
               for i in range(len(w["path"])))


def test_a_protocol_without_chance_answers_as_before(served):
    """Majority, complete and without chance: no probability anywhere, and the API numbers
    successors without calling steps to count outcomes."""
    s = served("majority.py")
    assert s.session.chance() is False
    c = s.config("011", [0, 3])
    assert all("probability" not in x for x in c["successors"] + c["steps"])
    assert all(len(x["event"]) == 2 for x in c["successors"])
    assert "probabilities" not in s.get("/api/witness", "serve-witness")
