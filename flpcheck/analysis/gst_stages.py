"""Fair stages after GST: evidence for a run that may never decide, where a bound cut the graph.

When the graph after GST is infinite (unbounded Paxos with ``--timeouts local``: every period
repeats the last with every ballot higher), no lasso shows a non-deciding run and liveness is
not established. What can be shown is a prefix of such a run built stage by stage. A *stage*
is a schedule of allowed events through undecided configurations in which

- every message to a live process in transit at the stage's start is received, and
- every live process that has an allowed event at some configuration of the stage steps in it.

Infinitely many such stages make an admissible run after GST (every message is received in the
stage after it is sent; a process with an allowed event infinitely often steps in infinitely
many stages), so a long sequence of them that never decides is evidence, not proof, that the
protocol may never decide. The stages are searched only among configurations from which the
frontier of the explored part can still be reached without deciding: a run that cannot reach
it decides (liveness found no run that avoids it there).

:func:`fair_stages` builds them greedily (the nearest wanted event first);
:func:`~flpcheck.analysis.gst_runs.check_gst_run` replays the result and checks every stage.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..explorer.statespace import StateSpace
from .graph import reach
from .gst_fair import enabled_matrix, pending_pairs
from .gst_runs import GSTRun
from .gst_search import _Graphs, _start
from .post_gst import PostGraph
from .walks import shortest_walk

__all__ = ["MAX_STAGES", "fair_stages"]

MAX_STAGES = 6
"""Stages built at most."""
STAGE_STEPS = 400
"""Events one stage may take at most."""


def fair_stages(pre: StateSpace, scenarios: dict[int | None, list[PostGraph]],
                max_stages: int = MAX_STAGES) -> GSTRun | None:
    """The longest sequence of fair stages (up to ``max_stages``) found after GST in a graph
    that a bound cut, fewest crashes first; None when no stage can be built."""
    graphs = _Graphs()
    best: GSTRun | None = None
    order = sorted(((len(g.crashed), -1 if t is None else t, sorted(g.crashed), i, g)
                    for t, gs in scenarios.items() for i, g in enumerate(gs)
                    if g.cut.any()), key=lambda x: x[:4])
    for *_, g in order:
        run = _stages(pre, g, graphs, max_stages)
        if run is not None and (best is None or len(run.stage_ends) > len(best.stage_ends)):
            best = run
        if best is not None and len(best.stage_ends) >= max_stages:
            break
    return best


def _stages(pre: StateSpace, g: PostGraph, graphs: _Graphs, max_stages: int) -> GSTRun | None:
    space = g.space
    src = graphs.src(space)
    ok = g.edge_ok & g.live[src]
    # configurations from which the frontier can be reached without deciding
    open_ = reach(graphs.rev(space), g.cut, ok) & (g.live | g.cut)
    path = _start(pre, g, open_ & g.live)
    if path is None:
        return None
    enabled = enabled_matrix(space, g.edge_ok)
    live = frozenset(range(space.n)) - g.crashed
    walk_ok = ok & open_[space.edge_dst]
    here = path.node
    ends: list[int] = []
    events = list(path.events)
    while len(ends) < max_stages and g.live[here]:
        stage = _one_stage(space, here, walk_ok, enabled, live)
        if not stage:
            break
        events += [space.event_of_edge(k) for k in stage]
        here = int(space.edge_dst[stage[-1]])
        ends.append(len(events))
    if not ends:
        return None
    crash_at = tuple((p, path.gst_at) for p in sorted(g.crashed))
    return GSTRun("stages", path.inputs, tuple(events[: ends[-1]]), path.gst_at, (), crash_at,
                  g.trusted, tuple(ends))


def _one_stage(space: StateSpace, start: int, walk_ok: npt.NDArray[np.bool_],
               enabled: npt.NDArray[np.bool_], live: frozenset[int]) -> list[int] | None:
    """Edge ids of one stage from ``start``: greedily the nearest edge that discharges an
    obligation, through ``walk_ok`` edges; None if the stage cannot be completed."""
    n = space.n
    _, msgs = pending_pairs(space, np.array([start]), live)
    need_m = set(msgs.tolist())
    need_p: set[int] = set()
    stepped: set[int] = set()
    walk: list[int] = []
    here = start
    while True:
        need_p |= {p for p in np.flatnonzero(enabled[here]).tolist() if p not in stepped}
        if not need_m and not need_p:
            return walk
        if len(walk) >= STAGE_STEPS:
            return None
        path = _nearest(space, here, walk_ok, need_p, need_m)
        if path is None:
            return None
        for k in path:
            u = space.edge_source(k)
            need_p |= {p for p in np.flatnonzero(enabled[u]).tolist() if p not in stepped}
            p = int(space.edge_pid[k])
            stepped.add(p)
            need_p.discard(p)
            eid = int(space.edge_event[k])
            if eid >= n:
                need_m.discard(eid - n)
        walk += path
        here = int(space.edge_dst[path[-1]])


def _nearest(space: StateSpace, start: int, walk_ok: npt.NDArray[np.bool_], need_p: set[int],
             need_m: set[int]) -> list[int] | None:
    """A shortest walk along ``walk_ok`` edges ending with an edge of a process in
    ``need_p`` or receiving a message in ``need_m``."""
    n = space.n

    def wanted(k: int) -> bool:
        eid = int(space.edge_event[k])
        return int(space.edge_pid[k]) in need_p or (eid >= n and eid - n in need_m)

    return shortest_walk(space, start, walk_ok, wanted)
