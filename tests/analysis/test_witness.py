"""Verdicts, non-deciding runs, the replay checker, and Lemmas 1 and 2 on the model library."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from flpcheck import Event, classify_valence, explore
from flpcheck.analysis import lemma2, nondeciding_run, verdict
from flpcheck.analysis.lasso import Run, check_run
from flpcheck.analysis.lemma1 import check_lemma1, count_diamonds
from flpcheck.analysis.properties import check_nontriviality
from flpcheck.cli import main
from flpcheck.errors import ReplayError
from flpcheck.model.loader import load_protocol

from ..paths import FIXTURES, MODELS


def space_of(name: str, n: int):
    spec = name if ".py" in name else f"{name}.py"
    return explore(load_protocol(str(MODELS / spec), n))


@pytest.mark.parametrize(("name", "n", "expected"), [
    ("majority", 3, "agreement-violated"),
    ("decide_own_input", 2, "agreement-violated"),
    ("always_zero", 2, "validity-violated"),
    ("leader_broadcast", 3, "not-crash-tolerant"),
    ("wait_for_all", 3, "not-crash-tolerant"),
    ("flip_flop", 2, "not-crash-tolerant"),
    ("paxos.py:Paxos", 3, "not-crash-tolerant"),
    ("paxos_buggy.py:PaxosNoReport", 3, "agreement-violated"),
    ("paxos_buggy.py:PaxosQuorumOfOne", 3, "agreement-violated"),
    ("two_phase_commit", 3, "not-crash-tolerant"),
])
def test_each_model_gets_its_documented_verdict(name, n, expected):
    assert verdict(space_of(name, n)).verdict == expected


def test_leader_broadcast_is_defeated_by_the_leader_dead_from_the_start():
    """From I(000) with p0 crashed before its first step nobody sends anything: p1 and p2 take
    null steps forever, the buffer stays empty, nobody decides. The stem is empty and the
    cycle is one null step of each live process."""
    v = verdict(space_of("leader_broadcast", 3))
    assert v.run == Run((0, 0, 0), (), (Event(1), Event(2)), frozenset({0}))
    assert v.run.crash_point == 0


def test_wait_for_all_crashes_p0_at_the_start_and_delivers_every_pending_vote():
    """With p0 dead from the start, p1 and p2 can hear at most 2 of the 3 votes. The run must
    still deliver the votes p1 and p2 sent each other (fairness), so its stem is p1's
    broadcast, p2's, and the four deliveries (5 events: p2's first step is a receipt), then
    null steps of p1 and p2 forever."""
    v = verdict(space_of("wait_for_all", 3))
    run = v.run
    assert run.crashed == frozenset({0}) and run.crash_point == 0 and run.inputs == (0, 0, 0)
    assert len(run.stem) == 5 and all(e.pid in (1, 2) for e in run.stem)
    assert sorted(e.pid for e in run.cycle) == [1, 2]
    configs = check_run(load_protocol(str(MODELS / "wait_for_all.py"), 3), run, crashes=1)
    assert configs[-1].buffer == tuple(m for m in configs[-1].buffer if m[0] == 0)


def test_wait_for_all_has_no_crash_free_nondeciding_run():
    """Without a crash every process steps, so every vote is sent and, by fairness, received:
    everyone hears all N votes and decides. With one crash the search finds a run."""
    space = space_of("wait_for_all", 3)
    assert nondeciding_run(space, crashes=0) is None
    run = nondeciding_run(space, crashes=1)
    assert run is not None and len(run.crashed) == 1


def test_lemma2_on_leader_broadcast_finds_the_adjacent_pair_differing_in_p0():
    """I(000) is 0-valent and I(100) is 1-valent: they differ in p0's input; with p0 dead
    from the start nothing is ever decided."""
    l2 = lemma2(space_of("leader_broadcast", 3))
    assert l2.bivalent is None and l2.pair == ((0, 0, 0), (1, 0, 0)) and l2.process == 0
    assert [label for _, label in l2.chain] == ["0-valent", "1-valent", "1-valent", "1-valent"]
    assert l2.run is not None and l2.run.crashed == frozenset({0})


def test_lemma2_reports_a_bivalent_initial_configuration_when_there_is_one():
    """Majority of N-1 with inputs 110: p2 may hear (1, 1) first or (1, 0): I(110) is bivalent."""
    l2 = lemma2(space_of("majority", 3))
    assert l2.bivalent == (1, 1, 0)


# -- the replay checker rejects tampered runs -------------------------------------------------


@pytest.fixture(scope="module")
def wfa():
    space = space_of("wait_for_all", 3)
    return space.protocol, verdict(space).run


def test_the_replay_checker_accepts_the_run_found(wfa):
    protocol, run = wfa
    assert len(check_run(protocol, run, crashes=1)) == len(run.stem) + len(run.cycle) + 1


def test_the_replay_checker_rejects_a_dropped_event(wfa):
    protocol, run = wfa
    with pytest.raises(ReplayError, match="not applicable|does not return|pending forever"):
        check_run(protocol, replace(run, stem=run.stem[1:]), crashes=1)


def test_the_replay_checker_rejects_a_swapped_payload(wfa):
    protocol, run = wfa
    stem = list(run.stem)
    i = next(i for i, e in enumerate(stem) if e.msg is not None)
    stem[i] = Event(stem[i].pid, 1 - stem[i].msg)
    with pytest.raises(ReplayError, match="not applicable"):
        check_run(protocol, replace(run, stem=tuple(stem)), crashes=1)


def test_the_replay_checker_rejects_a_cycle_where_a_live_process_never_steps(wfa):
    protocol, run = wfa
    cycle = tuple(e for e in run.cycle if e.pid != 2)
    with pytest.raises(ReplayError, match="live process p2 never steps"):
        check_run(protocol, replace(run, cycle=cycle), crashes=1)


def test_the_replay_checker_rejects_a_cycle_that_leaves_a_message_pending_forever(wfa):
    protocol, run = wfa
    with pytest.raises(ReplayError, match="stays pending forever"):
        check_run(protocol, replace(run, stem=run.stem[:3]), crashes=1)


def test_the_replay_checker_rejects_a_crashed_process_stepping_and_a_crash_over_budget(wfa):
    protocol, run = wfa
    with pytest.raises(ReplayError, match="crashed process p0 takes a step"):
        check_run(protocol, replace(run, cycle=run.cycle + (Event(0),)), crashes=1)
    with pytest.raises(ReplayError, match="more than the budget 0"):
        check_run(protocol, run, crashes=0)


def test_the_replay_checker_rejects_a_run_that_decides():
    protocol = load_protocol(str(MODELS / "leader_broadcast.py"), 3)
    run = Run((0, 0, 0), (Event(0),), (Event(0, 0), Event(1, 0), Event(2, 0)), frozenset())
    with pytest.raises(ReplayError, match="decided"):
        check_run(protocol, run)


# -- Lemma 1 -----------------------------------------------------------------------------------


def test_lemma1_fails_on_processes_sharing_a_mutable_object():
    space = explore(load_protocol(str(FIXTURES / "leaky_board.py")))
    result = check_lemma1(space)
    assert not result.holds and "do not commute" in result.detail


def test_lemma1_fails_when_one_process_reads_what_another_wrote():
    space = explore(load_protocol(str(FIXTURES / "one_way_board.py")))
    result = check_lemma1(space)
    assert not result.holds and "share state" in result.detail


def test_lemma1_compares_whole_distributions_of_steps_left_to_chance():
    """LeakyCoin's two outcomes carry what the other process wrote last: each call repeats
    itself, but p1's outcomes after p0's step differ from those the graph was built from."""
    space = explore(load_protocol(str(FIXTURES / "chance" / "leaky_coin.py")))
    assert space.edge_outcome is not None
    result = check_lemma1(space)
    assert not result.holds and "share state" in result.detail


def test_lemma1_holds_on_a_protocol_with_chance_and_counts_its_diamonds():
    """coin_pair has no shared state: every pair of transitions replays to the outcomes the
    graph was built from, and the sample covers the diamonds it counts."""
    space = explore(load_protocol(str(FIXTURES / "chance" / "coin_pair.py")))
    result = check_lemma1(space)
    assert result.holds and result.checked == result.total > 0


def test_lemma1_replays_each_pair_of_local_transitions_once_and_covers_every_diamond():
    """The sample's calls are four per distinct pair of local transitions (p, s_p, m1),
    (q, s_q, m2) of the diamonds, counted here from the successor lists; with a budget
    above that count every diamond is covered."""
    space = space_of("majority", 3)
    pairs = set()
    diamonds = 0
    for cid in range(len(space)):
        row = space.row(cid)
        moves = [(e.pid, row[e.pid], e.msg) for e, _ in space.successors(cid)]
        for a in moves:
            for b in moves:
                if a[0] < b[0]:
                    diamonds += 1
                    pairs.add((a, b))
    result = check_lemma1(space, budget=len(pairs))
    assert result.holds and result.calls == 4 * len(pairs)
    assert result.checked == result.total == diamonds
    small = check_lemma1(space, budget=10)
    assert small.calls == 40 and 10 <= small.checked < diamonds and small.total == diamonds


@pytest.mark.parametrize("name", ["leader_broadcast", "wait_for_all", "majority",
                                  "decide_own_input", "always_zero"])
def test_lemma1_holds_on_every_model(name):
    result = check_lemma1(space_of(name, 3), budget=5000)
    assert result.holds and result.checked > 0


@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])
def test_the_diamond_count_is_the_pairs_of_events_of_different_processes(chunk):
    """Counted by hand from the edge list: at each expanded configuration, every pair of its
    events taken by different processes, whatever the chunk of configurations counted at once."""
    space = space_of("majority", 3)
    expected = 0
    for cid in range(len(space)):
        pids = [e.pid for e, _ in space.successors(cid)]
        expected += sum(1 for i in range(len(pids)) for j in range(i) if pids[i] != pids[j])
    assert expected > 0
    assert count_diamonds(space, chunk) == expected


# -- CLI ---------------------------------------------------------------------------------------


def test_witness_json_has_the_documented_keys():
    result = CliRunner().invoke(main, ["witness", str(MODELS / "leader_broadcast.py"), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["verdict"] == "not-crash-tolerant" and data["complete"] is True
    run = {"inputs": [0, 0, 0], "stem": [], "cycle": [[1, None], [2, None]], "crashed": [0],
           "crash_point": 0}
    assert data["run"] == run
    assert data["nondeciding"] == {"crashes": 1, "exists": True, "reason": None, "run": run}
    assert data["termination"] == "some" and data["evidence"] is None


def test_lemmas_command_walks_through_the_three_lemmas():
    result = CliRunner().invoke(main, ["lemmas", str(MODELS / "leader_broadcast.py")])
    assert result.exit_code == 0, result.output
    assert "Lemma 1" in result.output and "all commute" in result.output
    assert "I(100): 1-valent" in result.output and "Lemma 3" in result.output


def test_a_failed_adversary_stage_is_classified_as_the_proof_does():
    """Bounded Paxos without crashes: the adversary runs out of ballots. The failing stage
    still has FLP's neighbours C0, C1 = e'(C0) with e(C0) 0-valent and e(C1) 1-valent; e' and
    e are both steps of p0, which is the proof's case 2 (p0 crashing blocks the others), and
    indeed with one crash allowed the verdict is not-crash-tolerant."""
    space = space_of("paxos.py:Paxos", 3)
    v = verdict(space, crashes=0)
    assert v.verdict == "none-found"
    adv = v.adversary
    assert adv.neighbours is not None and "case 2 applies" in adv.failure
    c0, edge, c1, outcome = adv.neighbours
    assert outcome is None  # no step of Paxos is left to chance
    e = adv.failed.event
    assert space.event(int(space.edge_event[edge])).pid == e.pid == 0
    valence = classify_valence(space)
    labels = {valence.label(space.successor(c0, e)), valence.label(space.successor(c1, e))}
    assert labels == {"0-valent", "1-valent"}


def test_inputs_left_out_leave_nontriviality_and_lemma2_not_established():
    """WaitForAll (N=3) decides the majority of the three inputs: from 001 only 0, yet from 111
    it decides 1, so it is non-trivial. Explored from 001 alone, "1 is never decided" speaks
    only for that input: non-triviality is not established (None, not violated), the verdict
    goes on to what the explored part does show (p0 dead from the start: nobody decides), and
    Lemma 2's chain (000, 100, 110, 111: none explored) says it was not checked. From every
    input vector non-triviality holds."""
    p = load_protocol(str(MODELS / "wait_for_all.py"))
    space = explore(p, [(0, 0, 1)])
    nontriv = check_nontriviality(space)
    assert space.complete and nontriv.holds is None and not nontriv.certain
    assert "not explored (--inputs)" in nontriv.detail
    assert verdict(space).verdict == "not-crash-tolerant"
    assert lemma2(space).detail.startswith("not established: the chain's I(000), I(100), "
                                           "I(110), I(111) were not explored")
    assert check_nontriviality(explore(p)).holds is True


def test_a_cut_graph_says_what_forever_bivalent_leaves_open():
    """TokenPass (tests/fixtures/token_pass.py): on the whole graph the crash-free verdict is
    blocks-without-crash, the token passed forever from 00 (0-valent). Cut at depth 8, the
    configurations of that cycle reach the cut, so their valence is only "at least 0-valent":
    the verdict is the certain forever-bivalent cycle from 01, and it names the cycle from 00
    as what exploring further would settle. The adversary's failure names the bound (a
    bivalent initial configuration exists: 01), not "no bivalent initial configuration"."""
    p = load_protocol(str(FIXTURES / "token_pass.py"))
    whole = verdict(explore(p), 0)
    assert whole.verdict == "blocks-without-crash" and whole.run.inputs == (0, 0)
    cut = verdict(explore(p, max_depth=8), 0)
    assert cut.verdict == "forever-bivalent" and cut.run.inputs == (0, 1)
    assert "no bivalent initial configuration" not in cut.detail
    assert "reaches what a bound left unexplored" in cut.detail
    assert ("a fair run without crash from inputs 00 also never decides, in a cycle whose "
            "valence the bound leaves unknown (at least 0-valent)") in cut.detail


def test_lemma2_on_a_cut_chain_is_not_established():
    """Majority (N=3) has bivalent initial configurations (from 100, whichever votes a process
    hears first decide). Cut at 300 configurations, no member of the chain 000, 100, 110, 111
    has a settled valence (each reaches the cut), so Lemma 2 is not established, not "the
    protocol is trivial or some initial configuration is none-valent"."""
    space = explore(load_protocol(str(MODELS / "majority.py")), max_configs=300)
    l2 = lemma2(space)
    assert l2.bivalent is None and l2.pair is None
    assert l2.detail.startswith("not established: a bound cut the exploration before the "
                                "valence of I(000), I(100), I(110), I(111) was settled")
    assert lemma2(space_of("majority", 3)).bivalent is not None
