"""The partition engine in this process (no Ray): one partition builds the batch engine's
space, ids included; several build the same graph, numbered otherwise, with the same answers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flpcheck import classify_valence, explore
from flpcheck.analysis.properties import check_safety
from flpcheck.errors import FLPCheckError
from flpcheck.explorer import partition
from flpcheck.explorer.batch import BatchEngine
from flpcheck.explorer.fingerprint import fingerprint
from flpcheck.explorer.levels import PartitionEngine
from flpcheck.model.loader import load_protocol
from flpcheck.model.values import value_key

from ..explorer.test_engines import model_specs
from ..helpers import assert_same
from ..paths import FIXTURES, MODELS, ROOT
from ..strategies import table_protocols

BOUNDS = {"max_depth": 5}  # every model under 7,000 configurations


def answers(space) -> dict:
    """What must not depend on the engine or the number of partitions."""
    valence = classify_valence(space)
    safety = check_safety(space)
    return {
        "configurations": len(space), "events": space.num_events,
        "complete": space.complete, "cut_reasons": space.cut_reasons,
        "unexpanded": int(space.cut.sum()), "valence": valence.counts(),
        "lower_bounds": valence.uncertain_count(),
        "initial": [(x, valence.label(c), valence.is_certain(c)) for x, c in space.initial],
        "safety": [(r.name, r.holds, r.certain, None if r.schedule is None else len(r.schedule),
                    sorted((k, len(s)) for k, s in r.witnesses.items())) for r in safety],
        "depths": sorted(Counter(space.depth.tolist()).items()),
    }


def graph(space) -> tuple[Counter, Counter]:
    """The graph up to numbering: configurations and edges by value."""
    keys = [value_key(space.configuration(c)) for c in range(len(space))]
    edges = Counter()
    for c in range(len(space)):
        for e, d in space.successors(c):
            edges[(keys[c], e.pid, value_key(e.msg), keys[d])] += 1
    return Counter(keys), edges


@pytest.mark.parametrize("spec", model_specs(), ids=lambda s: s.rpartition("/")[2])
def test_one_partition_builds_the_batch_engines_space(spec):
    assert_same(explore(load_protocol(spec), engine=BatchEngine(thin_width=0), **BOUNDS),
                explore(load_protocol(spec), engine=PartitionEngine(1), **BOUNDS))


@pytest.mark.parametrize("spec", model_specs(), ids=lambda s: s.rpartition("/")[2])
def test_partitions_find_the_same_answers_for_every_model(spec):
    expected = answers(explore(load_protocol(spec), **BOUNDS))
    for k in (2, 3):
        space = explore(load_protocol(spec), engine=PartitionEngine(k, chunk=97), **BOUNDS)
        assert space.engine == "partition"
        assert answers(space) == expected, k


def test_partitions_build_the_same_graph_numbered_otherwise():
    path = str(MODELS / "paxos.py") + ":Paxos"
    one = explore(load_protocol(path), max_depth=7)
    three = explore(load_protocol(path), engine=PartitionEngine(3, chunk=500), max_depth=7)
    assert graph(one) == graph(three)
    assert not np.array_equal(one.rows, three.rows)  # really numbered otherwise


@settings(max_examples=60)
@given(table_protocols(), st.sampled_from([0, 1, 3]), st.sampled_from([None, 2, 5]),
       st.integers(2, 4), st.sampled_from([3, 1000]))
def test_partitions_agree_with_the_batch_engine_on_random_protocols(protocol, max_buffer,
                                                                   max_depth, k, chunk):
    bounds = {"max_buffer": max_buffer, "max_depth": max_depth}
    assert answers(explore(protocol, engine=PartitionEngine(k, chunk=chunk), **bounds)) == \
        answers(explore(protocol, **bounds))


@pytest.mark.parametrize("bounds", [{"max_depth": 4}, {"max_buffer": 2},
                                    {"max_buffer": 1, "max_depth": 6}])
def test_cut_marks_are_the_batch_engines(bounds):
    path = str(MODELS / "majority.py")
    a = explore(load_protocol(path, 3), **bounds)
    b = explore(load_protocol(path, 3), engine=PartitionEngine(2, chunk=50), **bounds)
    assert a.cut_reasons == b.cut_reasons and not b.complete
    assert answers(a) == answers(b)


def test_a_decision_change_is_found_by_the_partitions():
    path = str(FIXTURES / "bad" / "decision_changes.py")
    a = explore(load_protocol(path))
    b = explore(load_protocol(path), engine=PartitionEngine(2, chunk=2))
    assert b.decision_change_edge is not None
    assert answers(a) == answers(b)


def test_what_the_partitions_cannot_do_runs_on_the_batch_engine_and_says_so():
    """--workers with symmetry, partial-order reduction or max-configs explores in this
    process with the batch engine (Ray is not even started)."""
    path = str(MODELS / "majority.py")
    for options in ({"symmetry": True}, {"por": True}, {"max_configs": 100}):
        space = explore(load_protocol(path, 3), workers=2, **options)
        assert space.engine == "batch"
        assert "need" in space.engine_note and "2 workers" in space.engine_note
        assert answers(space) == answers(explore(load_protocol(path, 3), **options))


def test_a_model_error_in_a_partition_names_the_configuration_and_its_schedule():
    path = str(FIXTURES / "bad" / "raising_step.py")
    with pytest.raises(FLPCheckError) as batch_err:
        explore(load_protocol(path))
    with pytest.raises(FLPCheckError) as part_err:
        explore(load_protocol(path), engine=PartitionEngine(2, chunk=2))
    assert type(part_err.value) is type(batch_err.value)
    assert part_err.value.configuration is not None
    notes = "\n".join(getattr(part_err.value, "__notes__", []))
    assert "reached from inputs" in notes


def test_a_hash_collision_in_a_partition_falls_back_to_the_simple_engine(monkeypatch):
    path = str(MODELS / "majority.py")
    expected = answers(explore(load_protocol(path, 3)))
    monkeypatch.setattr(partition, "row_hash", lambda rows: (rows[:, 0] % 4).astype(np.uint64))

    def local(*args, **kwargs):  # the partitions in this process instead of Ray
        return PartitionEngine(2)

    monkeypatch.setattr("flpcheck.explorer.levels.PartitionEngine", local)
    space = explore(load_protocol(path, 3), workers=2)
    assert space.engine == "simple" and "64-bit hash" in space.engine_note
    assert answers(space) == expected


def test_fingerprints_follow_values_by_type_and_value():
    from typing import NamedTuple

    class Vote(NamedTuple):
        value: object
        ballot: int = 0

    assert fingerprint(0.0) == fingerprint(-0.0)
    assert fingerprint(float("nan")) == fingerprint(float("nan"))
    assert len({fingerprint(v) for v in (1, True, 1.0, "1", b"1", None)}) == 6
    assert fingerprint(frozenset({1, 2})) == fingerprint(frozenset({2, 1}))
    assert fingerprint(Vote(1)) == fingerprint(Vote(1)) != fingerprint((1, 0))
    assert fingerprint(Vote(frozenset({"a"}))) != fingerprint(Vote(frozenset({"b"})))


def test_the_partitions_do_not_depend_on_the_hash_seed():
    code = ("import json, sys; from flpcheck import explore; "
            "from flpcheck.model.loader import load_protocol; "
            "from flpcheck.explorer.levels import PartitionEngine; "
            "s = explore(load_protocol(sys.argv[1]), engine=PartitionEngine(3, chunk=64)); "
            "print(json.dumps([s.rows.tolist(), s.edge_dst.tolist(), s.edge_event.tolist(), "
            "s.initial]))")
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code, str(FIXTURES / "gossip_strings.py")],
                             env=env, capture_output=True, text=True, check=True, cwd=ROOT)
        outs.append(json.loads(out.stdout))
    assert outs[0] == outs[1]


# -- graphs left on their partitions ------------------------------------------------------------


def partitioned(path, n=None, k=3, **bounds):
    """A space left on k partitions in this process (as past 2,000,000 configurations)."""
    engine = PartitionEngine(k, chunk=64, gather_up_to=0)
    return explore(load_protocol(path, n), engine=engine, **bounds)


def report(space, monkeypatch):
    """explore's JSON report, without the non-deciding search (skipped past 2,000,000
    configurations: here made to skip), schedules by length."""
    from flpcheck.analysis import summary
    from flpcheck.output.json import exploration_to_json

    monkeypatch.setattr(summary, "LIVENESS_LIMIT", 0)
    out = exploration_to_json(summary.summarize("P", space))
    for name in ("agreement", "validity", "nontriviality"):
        prop = out[name]
        prop["schedule"] = prop["schedule"] and len(prop["schedule"]["events"])
        prop["witnesses"] = {v: len(s["events"]) for v, s in prop.get("witnesses", {}).items()}
        # which of several shallowest violations is shown depends on the numbering
        prop["detail"] = re.sub(r"\d", "#", prop["detail"][:20])
    del out["seconds"]
    return out


@pytest.mark.parametrize("spec", ["majority.py:3", "paxos.py:Paxos:3", "wait_for_all.py:3"])
def test_explore_reports_from_the_partitions_what_one_process_reports(spec, monkeypatch):
    path, _, n = spec.rpartition(":")
    one = explore(load_protocol(str(MODELS / path), int(n)))
    space = partitioned(str(MODELS / path), int(n))
    assert type(space).__name__ == "PartitionedSpace"
    require_lemma1 = __import__("flpcheck.analysis.lemma1", fromlist=["x"]).require_lemma1
    # on the partitions each diamond is replayed whole; here each pair of transitions once
    # (covering every diamond that shares it): the same verdict, the same 8,000 calls
    on_parts, here = require_lemma1(space), require_lemma1(one)
    assert (on_parts.holds, on_parts.calls) == (here.holds, here.calls) == (True, 8000)
    assert here.checked >= on_parts.checked
    assert report(space, monkeypatch) == report(one, monkeypatch)
    assert type(space).__name__ == "PartitionedSpace"  # nothing needed the whole graph


def test_violations_found_on_the_partitions_come_with_shortest_schedules(monkeypatch):
    path = str(FIXTURES / "bad" / "decision_changes.py")  # agreement and validity violated
    one = explore(load_protocol(path))
    space = partitioned(path, k=2)
    assert report(space, monkeypatch) == report(one, monkeypatch)
    from rich.console import Console

    from flpcheck.analysis.summary import summarize
    from flpcheck.output.report import print_exploration

    console = Console(record=True, width=200)
    print_exploration(console, summarize("P", space))  # replays every schedule shown
    assert "VIOLATED" in console.export_text()


@pytest.mark.parametrize("bounds", [{"max_depth": 5}, {"max_buffer": 1}])
def test_cut_graphs_on_the_partitions(bounds, monkeypatch):
    path = str(MODELS / "majority.py")
    assert report(partitioned(path, 3, **bounds), monkeypatch) == \
        report(explore(load_protocol(path, 3), **bounds), monkeypatch)


def test_what_needs_the_whole_graph_gathers_it_or_names_the_limit():
    from flpcheck.analysis.verdict import verdict
    from flpcheck.errors import UsageError

    path = str(MODELS / "majority.py")
    one = explore(load_protocol(path, 3))
    space = partitioned(path, 3)
    assert verdict(space).verdict == verdict(one).verdict  # gathered on first need
    assert type(space).__name__ == "StateSpace"
    small = PartitionEngine(2, gather_up_to=0, gather_limit=1000)
    space = explore(load_protocol(path, 3), engine=small)
    with pytest.raises(UsageError, match="needs the whole graph in one process.*--max-memory"):
        verdict(space)


@pytest.mark.parametrize("spec", ["paxos.py:Paxos2", "paxos_unbounded.py:PaxosUnbounded",
                                  "majority.py:Majority", "flip_flop.py:FlipFlop"])
def test_the_valence_fixpoint_on_the_partitions_is_the_one_process_fixpoint(spec):
    """Every configuration's bits, with edges within a level across partitions and edges to
    shallower levels (Paxos), on a cut graph (the cut bit rides along)."""
    from flpcheck.analysis.graph import reach_bits

    space = partitioned(str(MODELS / spec.split(":")[0]) + ":" + spec.split(":")[1], k=3,
                        max_depth=6)
    bits = space.valence_bits()
    space.require_full("the comparison")
    start = space.decided_array & 3 | (space.cut.astype(np.uint8) << 2)
    assert np.array_equal(bits, reach_bits(space.arrays, start))


# -- found by review: the fixpoint across sweeps, model errors at the start, adversary runs ----


def left_answers(space) -> dict:
    """What explore reports from a graph left on its partitions (and from one process)."""
    valence = classify_valence(space)
    return {"configurations": len(space), "events": space.num_events,
            "valence": valence.counts(),
            "initial": [(x, valence.label(c)) for x, c in space.initial],
            "safety": [(r.name, r.holds, None if r.schedule is None else len(r.schedule))
                       for r in check_safety(space)]}


@pytest.mark.parametrize("k", [2, 3, 4])
def test_the_fixpoint_carries_a_level_across_sweeps(k):
    """BackToStart by hand: p0 with input 1 steps (1,0) -> (1,1) -> (0,0), the initial state
    of input 0, then to (0,'d') where it decides 0; p1 only idles. The four configurations
    are all 0-valent (each reaches the decision). The edge into the initial configuration of
    inputs 00 goes back to level 0, so the fixpoint needs a second sweep, which must see
    level 0's final bits (the bug: it re-read their starting bits, leaving two 'none')."""
    path = str(FIXTURES / "back_to_start.py")
    one = explore(load_protocol(path))
    assert classify_valence(one).counts() == {"0-valent": 4, "1-valent": 0, "bivalent": 0,
                                              "none": 0}
    left = explore(load_protocol(path), engine=PartitionEngine(k, chunk=1, gather_up_to=0))
    assert type(left).__name__ == "PartitionedSpace"
    assert left_answers(left) == left_answers(one)


@settings(max_examples=60)
@given(table_protocols(), st.sampled_from([0, 1, 3]), st.integers(2, 4))
def test_graphs_left_on_the_partitions_agree_on_random_protocols(protocol, max_buffer, k):
    expected = left_answers(explore(protocol, max_buffer=max_buffer))
    left = explore(protocol, max_buffer=max_buffer,
                   engine=PartitionEngine(k, chunk=3, gather_up_to=0))
    assert left_answers(left) == expected


@pytest.mark.parametrize("fixture", ["bad_output.py", "mutable_state.py", "unhashable_init.py"])
def test_a_model_error_in_the_initial_configurations_is_the_model_error(fixture):
    """An error raised while the partitions add the initial configurations (before any
    level exists) is the single process's error, not an internal one."""
    path = str(FIXTURES / "bad" / fixture)
    with pytest.raises(FLPCheckError) as one:
        explore(load_protocol(path))
    with pytest.raises(FLPCheckError) as part:
        explore(load_protocol(path), engine=PartitionEngine(2))
    assert type(part.value) is type(one.value)
    first = [re.sub(r"0x[0-9a-f]+", "0x?", str(e.value).splitlines()[0]) for e in (one, part)]
    assert first[0] == first[1]


def test_the_adversary_runs_on_a_graph_gathered_from_the_partitions():
    """flip-flop with --crashes 0: the verdict's forever-bivalent run is built by the
    adversary from the local transitions, which a gathered graph computes on demand."""
    from flpcheck.analysis.verdict import verdict

    path = str(MODELS / "flip_flop.py")
    one = verdict(explore(load_protocol(path)), crashes=0)
    two = verdict(explore(load_protocol(path), engine=PartitionEngine(2)), crashes=0)
    assert one.verdict == two.verdict == "forever-bivalent"
    assert len(one.run.stem) == len(two.run.stem) and len(one.run.cycle) == len(two.run.cycle)


def test_an_enum_flag_without_a_name_has_a_fingerprint():
    """Seen(0) of an enum.Flag has no name (None): its value identifies it."""
    path = str(FIXTURES / "flag_votes.py")
    one = explore(load_protocol(path))
    assert left_answers(explore(load_protocol(path), engine=PartitionEngine(2))) == \
        left_answers(one)


def test_a_graph_left_on_the_workers_by_max_memory_is_not_searched_for_a_nondeciding_run():
    """Under 2,000,000 configurations but past --max-memory: explore's report says the
    non-deciding run was not searched (None, with the reason) instead of failing."""
    from flpcheck.analysis.summary import summarize

    path = str(MODELS / "majority.py")
    engine = PartitionEngine(2, gather_limit=1000)
    space = explore(load_protocol(path, 3), engine=engine)
    assert type(space).__name__ == "PartitionedSpace"
    result = summarize("Majority", space)
    assert result.nondeciding is None
    assert "not searched" in result.not_searched and "--max-memory" in result.not_searched
