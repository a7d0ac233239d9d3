"""Non-deciding runs, verdicts and the liveness searches against brute force and against the
networkx reference of tests/reference.py, on random protocols."""

from __future__ import annotations

import itertools

import networkx as nx
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from flpcheck import classify_valence, explore
from flpcheck.analysis import nondeciding_run
from flpcheck.analysis.lasso import check_run

from ..strategies import table_protocols, tiny_protocols


def brute_force_fair_set_exists(space, crashed: frozenset[int]) -> bool:
    """Is there a set S of undecided configurations, reachable from an initial one through
    undecided configurations, whose subgraph of non-crashed events is strongly connected with
    an edge, contains a step of every live process, and delivers every message to a live
    process pending in S? Tries every subset (the graphs here are tiny)."""
    live = set(range(space.n)) - crashed
    undecided = [c for c in range(len(space)) if not space.decisions(c) and not space.cut[c]]
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(len(space)))
    for c in range(len(space)):
        for e, d in space.successors(c):
            g.add_edge(c, d, event=e)
    und = set(undecided)
    reach_und = set()
    for _, c in space.initial:
        if c in und:
            reach_und |= {c} | (nx.descendants(g.subgraph(und), c))
    for k in range(1, len(undecided) + 1):
        for subset in itertools.combinations(sorted(reach_und), k):
            s = set(subset)
            edges = [(a, b, d["event"]) for a, b, d in g.subgraph(s).edges(data=True)
                     if d["event"].pid not in crashed]
            if not edges:
                continue
            h = nx.DiGraph()
            h.add_nodes_from(s)
            h.add_edges_from((a, b) for a, b, _ in edges)
            if not nx.is_strongly_connected(h):
                continue
            if {e.pid for _, _, e in edges} < live:
                continue
            delivered = {(e.pid, e.msg) for _, _, e in edges if e.msg is not None}
            pending = {m for c in s for m in space.configuration(c).buffer if m[0] in live}
            if pending <= delivered:
                return True
    return False


@given(tiny_protocols(), st.sampled_from([0, 1]))
def test_nondeciding_runs_agree_with_brute_force_on_tiny_protocols(protocol, max_buffer):
    space = explore(protocol, max_buffer=max_buffer)
    undecided = sum(1 for c in range(len(space)) if not space.decisions(c))
    assume(undecided <= 10)
    for crashes in (0, 1):
        run = nondeciding_run(space, crashes)
        expected = any(brute_force_fair_set_exists(space, frozenset(f))
                       for k in range(crashes + 1) for f in itertools.combinations(range(2), k))
        assert (run is not None) == expected
        if run is not None:
            check_run(protocol, run, crashes)  # raises if the run is not admissible


@given(tiny_protocols(), st.sampled_from([0, 1]), st.sampled_from(["some", "all"]))
def test_verdicts_agree_with_the_reference_on_random_protocols(protocol, crashes, termination):
    """The verdict and whether a non-deciding run exists, against tests/reference.py, which
    decides both from the definitions with networkx and plain loops on its own explorer."""
    from flpcheck.analysis import blocking_run, verdict
    from flpcheck.analysis.fairness import fair_lasso

    from ..reference import reference_explore, reference_liveness, reference_verdict

    space = explore(protocol, max_configs=200)
    assume(space.complete)
    ref = reference_explore(protocol)
    v = verdict(space, crashes, termination=termination)
    expected, exists = reference_verdict(protocol, ref, crashes, termination)
    assert v.verdict == expected
    assert v.nondeciding is not None and v.nondeciding.exists == exists
    # the liveness searches themselves, whatever the safety verdict
    live = reference_liveness(protocol, ref, crashes, termination)
    biv = classify_valence(space).mask("bivalent") & (space.decided_array == 0)
    assert (blocking_run(space, termination) is not None) == live["blocks"]
    assert (nondeciding_run(space, crashes, termination, min_crashes=1) is not None) == live["crash"]
    assert (fair_lasso(space, biv, frozenset(), stem_nodes=biv) is not None) == live["bivalent"]


_MANY = settings.default.max_examples > 150  # --hypothesis-long


@settings(max_examples=1000 if _MANY else 40)
@given(table_protocols(), st.sampled_from([0, 1, 2]), st.sampled_from(["some", "all"]))
def test_liveness_searches_agree_with_the_reference_on_random_protocols(protocol, crashes,
                                                                        termination):
    """With N = 2 or 3: the blocking run, runs with 1..t crashes, fair bivalent cycles and any
    non-deciding run exist exactly when the reference finds them (safety aside: unsafe
    protocols are compared too)."""
    from flpcheck.analysis import blocking_run
    from flpcheck.analysis.fairness import fair_lasso

    from ..reference import reference_explore, reference_liveness

    space = explore(protocol, max_configs=300)
    assume(space.complete)
    live = reference_liveness(protocol, reference_explore(protocol), crashes, termination)
    biv = classify_valence(space).mask("bivalent") & (space.decided_array == 0)
    assert {
        "blocks": blocking_run(space, termination) is not None,
        "crash": nondeciding_run(space, crashes, termination, min_crashes=1) is not None,
        "bivalent": fair_lasso(space, biv, frozenset(), stem_nodes=biv) is not None,
        "any": nondeciding_run(space, crashes, termination) is not None,
    } == live

