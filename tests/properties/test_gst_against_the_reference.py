"""Liveness after GST on random protocols against the plain reference of tests/reference_gst.py:
the same answer (holds or not) and the same worst case (events after GST, or unbounded), with
and without --gst-by, every timing rule, a leader, and a failure detector."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flpcheck import explore
from flpcheck.analysis.gst import GSTRules
from flpcheck.analysis.liveness import check_liveness

from ..reference import reference_explore
from ..reference_gst import reference_gst
from ..strategies import TableProtocol, table_protocols, tiny_protocols


class Suspecting(TableProtocol):
    """A random table protocol whose null steps suspect random processes."""

    def __init__(self, base: TableProtocol, suspects: dict) -> None:
        super().__init__(base.processes, base.table_init, base.table_steps, base.table_out)
        self.table_suspects = suspects

    def suspects(self, pid, state):
        return self.table_suspects[pid, state]


@st.composite
def write_once_protocols(draw):
    """Random table protocols whose outputs are write-once (a decided state only moves to
    states with the same output) and whose initial states are undecided: runs that decide
    late, never, or after detours are common."""
    n = draw(st.integers(2, 3))
    states = draw(st.integers(2, 4))
    payloads = draw(st.integers(1, 2))
    outputs = {(p, s): (None if s < 2 else draw(st.sampled_from([None, 0, 1])))
               for p in range(n) for s in range(states)}
    send = st.tuples(st.integers(0, n - 1), st.integers(0, payloads - 1))
    sends = st.lists(send, max_size=2).map(tuple)
    steps = {}
    for p in range(n):
        for s in range(states):
            same = [t for t in range(states) if outputs[p, s] is None
                    or outputs[p, t] == outputs[p, s]]
            for m in [None, *range(payloads)]:
                steps[p, s, m] = (draw(st.sampled_from(same)), draw(sends))
    init = {(p, x): draw(st.integers(0, 1)) for p in range(n) for x in (0, 1)}
    return TableProtocol(n, init, steps, outputs)


@st.composite
def suspecting_protocols(draw):
    base = draw(st.one_of(tiny_protocols(), write_once_protocols()))
    states = {s for (_, s) in base.table_out}
    n = base.processes
    table = {(p, s): draw(st.frozensets(st.integers(0, n - 1), max_size=2))
             for p in range(n) for s in states}
    return Suspecting(base, table)


def _complete(protocol, limit=3):
    rs = reference_explore(protocol, max_buffer=limit)
    assume(len(rs.expanded) == len(rs.order))  # finite: nothing cut by the buffer bound
    return rs


def test_write_once_broken_is_not_established():
    """A process that decides 0 and then takes it back: whether a run decides is not defined,
    so liveness is not established (null), never a verdict."""
    class TakeBack(TableProtocol):
        pass
    p = TakeBack(2, {(q, x): 0 for q in range(2) for x in (0, 1)},
                 {(q, s, None): (1 - s, ()) for q in range(2) for s in range(2)},
                 {(q, s): (0 if s else None) for q in range(2) for s in range(2)})
    result = check_liveness(explore(p), 1)
    assert result.holds is None and "write-once" in result.detail


def _compare(protocol, rs, crashes, termination, rules, gst_by):
    space = explore(protocol, max_depth=gst_by)
    if rs.decision_changed:  # outputs that change once set: not established (tested below)
        return
    result = check_liveness(space, crashes, rules, termination, gst_by)
    holds, worst = reference_gst(protocol, crashes, termination, rules.timeouts,
                                 rules.leader, rules.detector, gst_by)
    assert result.holds is holds, (result.detail, result.run)
    if holds:
        assert result.worst_steps == worst, (result.worst_steps, worst, result.worst)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much,
                                                                  HealthCheck.too_slow])
@given(st.one_of(tiny_protocols(), table_protocols(), write_once_protocols()),
       st.sampled_from([0, 1]),
       st.sampled_from(["some", "all"]), st.sampled_from(["quiet", "local"]),
       st.sampled_from([None, 0, 1]), st.sampled_from([None, 0, 1, 2]))
def test_liveness_after_gst_agrees_with_the_reference(protocol, crashes, termination, timeouts,
                                                      leader, gst_by):
    rs = _complete(protocol)
    _compare(protocol, rs, crashes, termination, GSTRules(timeouts, leader), gst_by)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much,
                                                                  HealthCheck.too_slow])
@given(suspecting_protocols(), st.sampled_from([0, 1]), st.sampled_from(["some", "all"]),
       st.sampled_from([None, 0, 2]))
def test_detector_liveness_agrees_with_the_reference(protocol, crashes, termination, gst_by):
    rs = _complete(protocol)
    _compare(protocol, rs, crashes, termination, GSTRules(detector=True), gst_by)
