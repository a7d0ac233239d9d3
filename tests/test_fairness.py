"""Fair-cycle search against brute force, and metamorphic checks (renaming, restricting)."""

from __future__ import annotations

import itertools

import networkx as nx
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from flpcheck import Protocol, classify_valence, explore
from flpcheck.analysis import nondeciding_run
from flpcheck.analysis.runs import check_run
from flpcheck.model.loader import load_protocol

from .conftest import MODELS
from .test_explorer import TableProtocol, table_protocols


@st.composite
def tiny_protocols(draw):
    n = 2
    states = draw(st.integers(1, 3))
    payloads = draw(st.integers(0, 1))
    state = st.integers(0, states - 1)
    sends = st.lists(st.tuples(st.integers(0, n - 1), st.just(0)),
                     max_size=1 if payloads else 0).map(tuple)
    init = {(p, x): draw(state) for p in range(n) for x in (0, 1)}
    steps = {(p, s, m): (draw(state), draw(sends))
             for p in range(n) for s in range(states) for m in [None, *range(payloads)]}
    outputs = {(p, s): draw(st.sampled_from([None, None, None, 0, 1]))
               for p in range(n) for s in range(states)}
    return TableProtocol(n, init, steps, outputs)


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


class Renamed(Protocol):
    """The protocol with process i playing process perm[i] of the original."""

    def __init__(self, inner: Protocol, perm: tuple[int, ...]):
        super().__init__(inner.processes)
        self.inner, self.perm = inner, perm
        self.back = {v: i for i, v in enumerate(perm)}

    def init(self, pid, x):
        return self.inner.init(self.perm[pid], x)

    def step(self, pid, state, msg):
        new, sends = self.inner.step(self.perm[pid], state, msg)
        return new, [(self.back[d], m) for d, m in sends]

    def output(self, pid, state):
        return self.inner.output(self.perm[pid], state)


def test_renaming_the_processes_of_a_symmetric_protocol_keeps_valence_counts():
    for name in ("majority", "wait_for_all", "decide_own_input"):
        inner = load_protocol(str(MODELS / f"{name}.py"), 3)
        base = explore(inner)
        counts = classify_valence(base).counts()
        for perm in [(1, 2, 0), (2, 1, 0)]:
            renamed = explore(Renamed(inner, perm))
            assert len(renamed) == len(base) and renamed.num_events == base.num_events
            assert classify_valence(renamed).counts() == counts


@given(tiny_protocols(), st.sampled_from([0, 1]), st.sampled_from(["some", "all"]))
def test_verdicts_agree_with_the_reference_on_random_protocols(protocol, crashes, termination):
    """The verdict and whether a non-deciding run exists, against tests/reference.py, which
    decides both from the definitions with networkx and plain loops on its own explorer."""
    from flpcheck.analysis import blocking_run, verdict
    from flpcheck.analysis.fairness import fair_lasso

    from .reference import reference_explore, reference_liveness, reference_verdict

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

    from .reference import reference_explore, reference_liveness

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
