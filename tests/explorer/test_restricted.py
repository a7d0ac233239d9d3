"""explore_from: exploration from given configurations with an event filter."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from flpcheck import explore
from flpcheck.explorer.restricted import Interning, explore_from
from flpcheck.model.loader import load_protocol

from ..paths import MODELS
from ..strategies import table_protocols


def _all(rows, eids):
    return np.ones(len(eids), dtype=bool)


def _none(rows):
    return np.zeros(len(rows), dtype=bool)


@settings(max_examples=60, deadline=None)
@given(table_protocols())
def test_from_the_initial_configurations_with_every_event_it_is_explore(protocol):
    """Same configurations, ids, edges and BFS tree as the batch engine."""
    space = explore(protocol, max_buffer=2)
    if not space.complete:
        return
    seeds = space.rows[[c for _, c in space.initial]]
    got = explore_from(Interning(space), seeds, _all, _none)
    assert got.complete and len(got) == len(space)
    assert np.array_equal(got.rows.astype(np.int64), space.rows.astype(np.int64))
    assert np.array_equal(got.edge_dst, space.edge_dst)
    assert np.array_equal(got.edge_event.astype(np.int64), space.edge_event.astype(np.int64))
    assert np.array_equal(got.parent_edge, space.parent_edge)
    assert got.seeds.tolist() == [c for _, c in space.initial]


def test_only_allowed_events_and_terminal_configurations_are_not_expanded():
    """Null events only (ids below N), and configurations where p0 sent are terminal: every
    edge is a null step, and exactly the terminal configurations are left unexpanded."""
    protocol = load_protocol(str(MODELS / "majority.py"))
    space = explore(protocol, max_depth=0)
    n = protocol.processes
    interning = Interning(space)

    def terminal(rows):
        sent = np.array([s.sent for s in space.table.states], dtype=bool)
        return sent[rows[:, 0]]

    got = explore_from(interning, space.rows, lambda rows, e: e < n, terminal)
    assert (got.edge_event < n).all()
    assert got.complete and np.array_equal(~got.expanded, got.terminal)
    assert got.terminal.any() and got.expanded.any()
    # the seeds are the initial configurations, one id each, in order
    assert got.seeds.tolist() == list(range(len(space)))


def test_a_bound_cuts_and_says_so():
    protocol = load_protocol(str(MODELS / "paxos_unbounded.py"))
    space = explore(protocol, max_depth=1)
    got = explore_from(Interning(space), space.rows, _all, _none, max_configs=500)
    assert got.cut_reasons == ["max-configs"] and len(got) <= 500 and got.cut.any()
    dup = np.concatenate([space.rows, space.rows])
    again = explore_from(Interning(space), dup, _all, _none, max_depth=0)
    assert len(again) == len(space) and again.seeds.tolist() == 2 * list(range(len(space)))
    assert again.cut_reasons == ["max-depth"]
