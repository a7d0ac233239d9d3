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

from ..strategies import chance_protocols, table_protocols, tiny_protocols


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



def reference_fair_components(space, nodes, crashed: frozenset[int]) -> list[frozenset[int]]:
    """The fair components by the refinement of flpcheck.analysis.fairness, written plainly
    with networkx on the successor lists: strongly connected components of the allowed
    configurations without the crashed processes' events; drop a component lacking a step of
    some live process (a configuration alone with no self-loop included), drop the
    configurations holding a pending message to a live process that no event inside their
    component receives; repeat until nothing is dropped."""
    live = set(range(space.n)) - crashed
    cand = {c for c in range(len(space)) if nodes[c]}
    while True:
        g = nx.MultiDiGraph()
        g.add_nodes_from(cand)
        for c in cand:
            for e, d in space.successors(c):
                if d in cand and e.pid not in crashed:
                    g.add_edge(c, d, event=e)
        bad = set()
        comps = [frozenset(s) for s in nx.strongly_connected_components(g)]
        for comp in comps:
            inner = [e for a, b, e in g.subgraph(comp).edges(data="event")]
            if not live <= {e.pid for e in inner}:
                bad |= comp
                continue
            received = {space.event_id(e) - space.n for e in inner if e.msg is not None}
            for c in comp:
                pending = {m for m in space.pending_messages(c)
                           if space.table.messages[m][0] in live}
                if not pending <= received:
                    bad.add(c)
        if not bad:
            return sorted(comps, key=min)
        cand -= bad


@settings(max_examples=200 if _MANY else 30)
@given(table_protocols(), st.sampled_from([0, 1]), st.sampled_from(["all", "undecided", "drawn"]),
       st.lists(st.booleans(), min_size=300, max_size=300), st.booleans(),
       st.sampled_from([None, 1, 5]))
def test_fair_components_agree_with_a_plain_refinement(protocol, crashes, kind, drawn, scipy,
                                                       chunk):
    """fair_components (its one pass that settles the configurations on no cycle through an
    edge to a lower id, in one chunk of the graph or in chunks of 1 or 5 edges, and the
    refinement of the rest, with the Python Tarjan or with scipy) finds the components of the
    plain networkx refinement, and marks exactly the edges inside them; inside every
    configuration, the undecided ones, or any drawn set (cycles may then leave it and come
    back)."""
    import numpy as np

    import flpcheck.analysis.fairness as fairness

    space = explore(protocol, max_configs=300)
    nodes = {"all": np.ones(len(space), bool),
             "undecided": (space.decided_array == 0) & ~space.cut,
             "drawn": np.array(drawn[:len(space)], dtype=bool)}[kind]
    for crashed in itertools.combinations(range(space.n), crashes):
        f = frozenset(crashed)
        limit, edges = fairness.PYTHON_SCC_EDGES, fairness.SCAN_EDGES
        fairness.PYTHON_SCC_EDGES = -1 if scipy else limit
        fairness.SCAN_EDGES = chunk or edges
        try:
            labels, inside = fairness.fair_components(space, nodes, f)
        finally:
            fairness.PYTHON_SCC_EDGES, fairness.SCAN_EDGES = limit, edges
        found: dict[int, set[int]] = {}
        for c, label in enumerate(labels.tolist()):
            if label >= 0:
                found.setdefault(label, set()).add(c)
        assert sorted(map(frozenset, found.values()), key=min) == \
            reference_fair_components(space, nodes, f)
        expected = [labels[c] >= 0 and labels[c] == labels[d] and space.event_pid(e) not in f
                    for c in range(len(space))
                    for e, d in zip(space.edge_event[space.indptr[c]:space.indptr[c + 1]],
                                    space.edge_dst[space.indptr[c]:space.indptr[c + 1]],
                                    strict=True)]
        assert inside.tolist() == expected


@given(st.integers(1, 12).flatmap(lambda k: st.tuples(
    st.just(k), st.lists(st.tuples(st.integers(0, k - 1), st.integers(0, k - 1)), max_size=40))))
def test_the_python_tarjan_finds_the_strongly_connected_components(graph):
    from flpcheck.analysis.fairness import tarjan

    k, edges = graph
    edges = sorted(edges)
    indptr = [sum(1 for a, _ in edges if a < v) for v in range(k + 1)]
    labels = tarjan(k, indptr, [b for _, b in edges])
    g = nx.DiGraph()
    g.add_nodes_from(range(k))
    g.add_edges_from(edges)
    expected = sorted(sorted(c) for c in nx.strongly_connected_components(g))
    found: dict[int, list[int]] = {}
    for v, label in enumerate(labels):
        found.setdefault(label, []).append(v)
    assert sorted(found.values()) == expected


@settings(max_examples=1000 if _MANY else 40)
@given(chance_protocols(), st.sampled_from([0, 1]), st.sampled_from(["some", "all"]))
def test_verdicts_agree_with_the_reference_on_random_protocols_with_chance(protocol, crashes,
                                                                           termination):
    """Steps left to chance, each outcome a branch: the verdict and whether a non-deciding run
    exists, against the reference's definitions on its own explorer (which follows every
    outcome); the verdict's run replays with its outcomes (the verdict checks it)."""
    from flpcheck.analysis import verdict

    from ..reference import reference_explore, reference_verdict

    space = explore(protocol, max_configs=200)
    assume(space.complete)
    v = verdict(space, crashes, termination=termination)
    expected, exists = reference_verdict(protocol, reference_explore(protocol), crashes,
                                         termination)
    assert v.verdict == expected
    assert v.nondeciding is not None and v.nondeciding.exists == exists
