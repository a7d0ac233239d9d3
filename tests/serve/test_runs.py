"""The verdict's run, Lemma 2 and Lemma 3 through the API: each replayed with
flpcheck.model.semantics, each against what the analyses say."""

from __future__ import annotations

from flpcheck.analysis.lasso import Run, check_run
from flpcheck.model.semantics import replay
from flpcheck.serve.walk import bits, events_to_path, successor_events, walk

from .served import events_of, reached


def test_the_agreement_violation_replays_to_two_decisions(served):
    """Majority N=3: the shortest agreement violation is 5 events from I(011) (p0 broadcasts
    0; p1's first step hears it and p1 hears its own 1: a tie, 0; p2 hears two 1s: 1)."""
    s = served("majority.py")
    w = s.get("/api/witness", "serve-witness")
    assert (w["verdict"], w["property"], w["inputs"], w["cycle_start"], w["crashed"]) == \
        ("agreement-violated", "agreement", "011", None, [])
    assert len(w["path"]) == len(w["events"]) == len(w["sentences"]) == len(w["texts"]) == 5
    steps = replay(s.session.protocol, (0, 1, 1), events_of(s.session.protocol, "011", w["path"]))
    assert steps[-1].config.decisions(s.session.protocol) == {0, 1}
    assert len(w["valences"]) == 6 and w["conclusion"] == "Outputs (_, 0, 1): agreement is violated."
    assert "p1 decides 0" in w["sentences"][2] and "p2 decides 1" in w["sentences"][4]
    assert s.config("011", w["path"])["agreement_violated"] is True


def test_the_crash_run_replays_as_an_admissible_run_that_never_decides(served):
    """Wait for all: p0 dead from I(000); p1 and p2 broadcast 0 and hear the two votes; then
    they take null steps forever (the model's docstring: nobody ever has N votes)."""
    s = served("wait_for_all.py")
    w = s.get("/api/witness", "serve-witness")
    assert (w["verdict"], w["inputs"], w["crashed"], w["crash_at"]) == \
        ("not-crash-tolerant", "000", [0], 0)
    assert w["path"] == [1, 4, 4, 4, 4, 1, 2] and w["cycle_start"] == 5
    events = events_of(s.session.protocol, "000", w["path"])
    assert all(e.pid != 0 for e in events)
    run = Run((0, 0, 0), tuple(events[:5]), tuple(events[5:]), frozenset({0}))
    configs = check_run(s.session.protocol, run, crashes=1)  # raises unless admissible
    assert configs[5] == configs[-1]
    assert w["sentences"][0].startswith("p0 is dead from the start: it never takes another step.")
    assert all(x.endswith("No decision is reachable without p0's steps.") for x in w["sentences"])
    assert w["conclusion"].endswith("and no process ever decides.")


def test_the_forever_bivalent_lasso_replays_and_stays_bivalent(served):
    """Flip-flop, no crash allowed: from I(01) p0 and p1 send, p1 adopts 0; then the cycle
    p0:1, p1:1, p0:0, p1:0 (the model's docstring), every configuration bivalent."""
    s = served("flip_flop.py", crashes=0)
    w = s.get("/api/witness", "serve-witness")
    assert (w["verdict"], w["inputs"], w["cycle_start"], w["crashed"]) == \
        ("forever-bivalent", "01", 3, [])
    assert w["events"] == [[0, None], [1, None], [1, 0], [0, 1], [1, 1], [0, 0], [1, 0]]
    assert w["path"] == [0, 1, 3, 3, 3, 2, 3]
    assert set(w["valences"]) == {"bivalent"}
    events = events_of(s.session.protocol, "01", w["path"])
    configs = check_run(s.session.protocol, Run((0, 1), tuple(events[:3]), tuple(events[3:])), 0)
    assert configs[3] == configs[-1]
    assert [st["start"] for st in w["stages"]] == [0, 1, 3, 4, 5, 6]
    assert w["sentences"][1].startswith("Stage 1: p1 heads the round-robin queue (p1 → p0)")
    a, b = s.config("01", w["path"][:3]), s.config("01", w["path"])
    assert a["id"] == b["id"] and a["states"] == b["states"]


def test_lemma2_the_bivalent_initial_configuration_or_the_pair(served):
    l2 = served("majority.py").get("/api/lemma2", "serve-lemma2")
    assert [c["inputs"] for c in l2["chain"]] == ["000", "100", "110", "111"]
    assert [c["flip"] for c in l2["chain"]] == [None, 0, 1, 2]
    assert l2["bivalent"] == "110" and l2["pair"] is None and l2["run"] is None
    s = served("wait_for_all.py")
    l2 = s.get("/api/lemma2", "serve-lemma2")
    assert [c["valence"] for c in l2["chain"]] == ["0-valent", "0-valent", "1-valent", "1-valent"]
    assert (l2["bivalent"], l2["pair"], l2["process"]) == (None, ["100", "110"], 1)
    run = l2["run"]
    assert run["inputs"] == "100" and run["crashed"] == [1] and run["crash_at"] == 0
    assert all(e.pid != 1 for e in events_of(s.session.protocol, "100", run["path"]))
    assert len(run["sentences"]) == len(run["path"]) == len(run["valences"]) - 1


def test_lemma3_sigma_avoids_e_and_lands_bivalent(served):
    """Flip-flop at I(01) after both null steps (both sent): e = p0 receives 1 (index 2)."""
    s = served("flip_flop.py", crashes=0)
    l3 = s.get("/api/lemma3?inputs=01&path=0,1&event=2", "serve-lemma3")
    assert (l3["event"], l3["event_label"], l3["c_valence"]) == ([0, 1], "p0:1", "bivalent")
    assert l3["D"]["size"] == sum(l3["D"]["valence"].values())
    assert l3["calC"]["size"] == sum(l3["calC"]["valence"].values())
    assert l3["D"]["valence"]["bivalent"] >= 1  # Lemma 3
    sigma = l3["sigma"]
    assert sigma[-1] == 2 and l3["reached_valence"] == "bivalent"
    events = events_of(s.session.protocol, "01", [0, 1, *sigma])
    assert (events[-1].pid, events[-1].msg) == (0, 1)
    assert all(e.key != events[-1].key for e in events[2:-1])  # σ avoids e
    end = reached(s.session.protocol, "01", [0, 1, *sigma])
    assert s.config("01", [0, 1, *sigma])["valence"] == "bivalent"
    assert not end.decisions(s.session.protocol)
    adv = s.get("/api/adversary?inputs=01&path=0,1&event=2", "serve-adversary")
    assert adv["answer"] == sigma and adv["result_path"] == [0, 1, *sigma]
    assert adv["valence"] == "bivalent"
    # the default e is p0's fair event: its oldest pending message (1, sent at step 1)
    assert s.get("/api/lemma3?inputs=01&path=0,1", "serve-lemma3")["event_index"] == 2


def test_lemma3_from_a_univalent_configuration_has_no_sigma(served):
    s = served("flip_flop.py", crashes=0)
    u = s.get("/api/lemma3?inputs=00&event=0", "serve-lemma3")
    assert u["c_valence"] == "0-valent" and u["sigma"] is None and u["neighbours"] is None
    assert u["explanation"].startswith("C is 0-valent, not bivalent")
    adv = s.get("/api/adversary?inputs=00&event=0", "serve-adversary")
    assert adv["answer"] is None and adv["result_path"] is None


def test_where_lemma3_fails_the_neighbours_are_shown(served):
    """Bounded Paxos, N=3, no crash: the adversary's failing stage (see
    tests/analysis/test_witness.py) has no σ, and FLP's neighbours C0 and C1 = e'(C0) with
    e(C0) and e(C1) univalent for different values; e' and e are both steps of p0 (case 2)."""
    s = served("paxos.py:Paxos", 3, crashes=0)
    space = s.session.space
    failed = s.session.verdict.adversary.failed
    sched = space.schedule_to(failed.start)
    path = events_to_path(s.session.protocol, sched.inputs, list(sched.events))
    inputs = bits(sched.inputs)
    keys = [e.key for e in successor_events(walk(s.session.protocol, sched.inputs, path).last, 3)]
    k = keys.index(failed.event.key)
    l3 = s.get(f"/api/lemma3?inputs={inputs}&path={','.join(map(str, path))}&event={k}",
               "serve-lemma3")
    assert l3["c_valence"] == "bivalent" and l3["sigma"] is None
    assert l3["D"]["valence"]["bivalent"] == 0
    nb = l3["neighbours"]
    assert nb["same_process"] is True and nb["e_prime"][0] == l3["event"][0] == 0
    assert {nb["e_c0_valence"], nb["e_c1_valence"]} == {"0-valent", "1-valent"}
    assert "case 2" in l3["explanation"]
    c0 = s.config(inputs, path + nb["c0_path"])
    c1 = s.config(inputs, path + nb["c0_path"] + [nb["e_prime_index"]])
    assert c1["events"][-1] == nb["e_prime"]
    for c, want in ((c0, nb["e_c0_valence"]), (c1, nb["e_c1_valence"])):
        assert next(x["valence"] for x in c["successors"] if x["event"] == l3["event"]) == want
