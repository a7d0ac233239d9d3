"""Searches on the post-GST graphs (:mod:`flpcheck.analysis.post_gst`).

- :func:`failing_run`: a run that never decides although GST came: a path to a configuration
  with no allowed event (``stuck``), or to a fair cycle after GST (``cycle``;
  :mod:`flpcheck.analysis.gst_fair`). Fewest crashes first; GST as early as the run allows
  (the configuration at GST is the shallowest one from which the post-GST rules still lead
  there), and crashes at GST rather than later where that is enough.
- :func:`longest_after_gst`: for every configuration, the most events (self-loops excluded: a
  step that changes nothing is stuttering) any run after GST can take before it decides, crashes
  after GST included (they are free); unbounded where an unfair cycle can be repeated. Longest
  paths by peeling the graph from its decided end (Kahn's order), one vector pass per level.
- :func:`worst_path` and :func:`unbounded_loop` turn those values into the run that shows them.

Every run returned is a :class:`~flpcheck.analysis.gst_runs.GSTRun`; the caller replays it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..explorer.csr import CSR, reverse
from ..explorer.statespace import StateSpace
from ..model.semantics import Event
from .graph import bfs, reach
from .gst_fair import covering_cycle, enabled_matrix, fair_post_gst, sources
from .gst_runs import GSTRun
from .post_gst import PostGraph

__all__ = ["UNBOUNDED", "Targets", "nondeciding_targets", "failing_run", "longest_after_gst",
           "worst_path", "unbounded_loop"]

UNBOUNDED = np.iinfo(np.int64).max // 4
"""The value of a configuration from which the number of events to a decision is unbounded."""


class _Graphs:
    """Per-space data computed once (edge sources, the reversed graph)."""

    def __init__(self) -> None:
        self._src: dict[int, npt.NDArray[np.integer]] = {}
        self._rev: dict[int, CSR] = {}

    def src(self, space: StateSpace) -> npt.NDArray[np.integer]:
        key = id(space)
        if key not in self._src:
            self._src[key] = sources(space.indptr)
        return self._src[key]

    def rev(self, space: StateSpace) -> CSR:
        key = id(space)
        if key not in self._rev:
            self._rev[key] = reverse(space.arrays)
        return self._rev[key]


@dataclass
class Targets:
    """The non-deciding ends in one post-GST graph: configurations with no allowed event, and
    fair components (labels >= 0)."""

    stuck: npt.NDArray[np.bool_]
    labels: npt.NDArray[np.int64]
    inside: npt.NDArray[np.bool_]
    enabled: npt.NDArray[np.bool_]

    @property
    def any(self) -> npt.NDArray[np.bool_]:
        return self.stuck | (self.labels >= 0)


def nondeciding_targets(g: PostGraph, src: npt.NDArray[np.integer] | None = None) -> Targets:
    """Where a run after GST can stay undecided forever in ``g``."""
    enabled = enabled_matrix(g.space, g.edge_ok, src)
    stuck = g.live & ~enabled.any(axis=1)
    labels, inside = fair_post_gst(g.space, g.live, g.edge_ok, g.crashed, enabled, src)
    return Targets(stuck, labels, inside, enabled)


@dataclass
class _Path:
    """A schedule under construction: from I(inputs), ``events`` (GST after ``gst_at``), the
    crashes so far (pid, position), ending at configuration ``node`` of the current graph."""

    inputs: tuple[int, ...]
    events: list[Event]
    gst_at: int
    node: int
    crashes: list[tuple[int, int]] = field(default_factory=list)


def _start(pre: StateSpace, g: PostGraph, among: npt.NDArray[np.bool_]) -> _Path | None:
    """The path to the shallowest configuration of ``among`` that may be the one at GST."""
    starts = np.flatnonzero(among & (g.pre_id >= 0))
    if not starts.size:
        return None
    ids = g.pre_id[starts]
    best = int(np.lexsort((ids, pre.depth[ids]))[0])
    schedule = pre.schedule_to(int(ids[best]))
    return _Path(schedule.inputs, list(schedule.events), len(schedule.events), int(starts[best]))


def _path_to(pre: StateSpace, g: PostGraph, targets: npt.NDArray[np.bool_],
             graphs: _Graphs) -> _Path:
    """A run to a configuration of ``targets`` in ``g``: GST at the shallowest configuration
    from which the allowed events lead there (crashing at GST), else through a crash after GST
    from a graph of fewer crashes; then a shortest allowed path."""
    space = g.space
    ok = g.edge_ok & g.live[graphs.src(space)]
    back = reach(graphs.rev(space), targets, ok)
    path = _start(pre, g, back & (g.live | targets))
    if path is None:
        for p, parent in g.parents:
            ids = np.flatnonzero(parent.live)
            here = g.locate(parent.space.rows[ids])
            hit = here >= 0
            hit[hit] = back[here[hit]]
            if hit.any():
                mask = np.zeros(len(parent.space), dtype=bool)
                mask[ids[hit]] = True
                path = _path_to(pre, parent, mask, graphs)
                path.crashes.append((p, len(path.events)))
                path.node = int(g.locate(parent.space.rows[[path.node]])[0])
                break
        else:
            raise AssertionError("a reachable target has no way in from GST")
    dist, parent_edge = bfs(space.arrays, np.array([path.node]), ok)
    hits = np.flatnonzero(targets & (dist >= 0))
    end = int(hits[np.argmin(dist[hits])])
    edges = []
    c = end
    while c != path.node:
        k = int(parent_edge[c])
        edges.append(k)
        c = space.edge_source(k)
    path.events += [space.event(int(space.edge_event[k])) for k in reversed(edges)]
    path.node = end
    return path


def failing_run(pre: StateSpace, scenarios: dict[int | None, list[PostGraph]]
                ) -> GSTRun | None:
    """A run that never decides although GST came, in any scenario; None if there is none in
    the explored graphs. Fewest crashes first, then the lowest trusted process."""
    graphs = _Graphs()
    order = sorted(((len(g.crashed), -1 if t is None else t, sorted(g.crashed), i, g)
                    for t, gs in scenarios.items() for i, g in enumerate(gs)),
                   key=lambda x: x[:4])
    for *_, g in order:
        found = nondeciding_targets(g, graphs.src(g.space))
        targets = found.any
        if not targets.any():
            continue
        path = _path_to(pre, g, targets, graphs)
        cycle: tuple[Event, ...] = ()
        if found.labels[path.node] >= 0:
            walk = covering_cycle(g.space, path.node, found.labels, found.inside,
                                  found.enabled, g.crashed)
            cycle = tuple(g.space.event(int(g.space.edge_event[k])) for k in walk)
        crash_at = tuple(sorted(_all_crashes(path, g), key=lambda x: (x[1], x[0])))
        return GSTRun("cycle" if cycle else "stuck", path.inputs, tuple(path.events),
                      path.gst_at, cycle, crash_at, g.trusted)
    return None


def _all_crashes(path: _Path, g: PostGraph) -> list[tuple[int, int]]:
    """The crashes of a run ending in ``g``: those after GST on the path, the others at GST."""
    later = {p for p, _ in path.crashes}
    return list(path.crashes) + [(p, path.gst_at) for p in sorted(g.crashed - later)]


def _children(g: PostGraph, graphs: list[PostGraph]) -> list[tuple[int, PostGraph]]:
    return [(p, h) for h in graphs for p, parent in h.parents if parent is g]


def longest_after_gst(scenarios: dict[int | None, list[PostGraph]]
                      ) -> dict[int, npt.NDArray[np.int64]]:
    """For every graph (by ``id``), the most events a run after GST can take from each
    configuration before it decides (0 where it counts as decided, :data:`UNBOUNDED` where an
    unfair cycle can be repeated, -1 where a bound cut the graph). Needs no non-deciding run."""
    graphs = _Graphs()
    values: dict[int, npt.NDArray[np.int64]] = {}
    for gs in scenarios.values():
        for g in sorted(gs, key=lambda h: -len(h.crashed)):
            base = np.zeros(len(g.space), dtype=np.int64)
            live = np.flatnonzero(g.live)
            for _, h in _children(g, gs):
                here = live if h.space is g.space else h.locate(g.space.rows[live])
                known = values[id(h)]
                v = (np.where(here >= 0, known[np.maximum(here, 0)], 0) if len(known)
                     else np.zeros(len(live), dtype=np.int64))
                base[live] = np.maximum(base[live], v)
            values[id(g)] = _longest(g, base, graphs)
    return values


def _longest(g: PostGraph, base: npt.NDArray[np.int64], graphs: _Graphs
             ) -> npt.NDArray[np.int64]:
    space = g.space
    size = len(space)
    src, dst = graphs.src(space), space.edge_dst
    step = g.edge_ok & g.live[src] & (dst != src)
    to_live, to_end = step & g.live[dst], step & g.terminal[dst]
    acc = base.copy()
    np.maximum.at(acc, src[to_end], 1)
    outdeg = np.bincount(src[to_live], minlength=size)
    val = np.full(size, -1, dtype=np.int64)
    val[g.terminal] = 0
    rev = graphs.rev(space)
    assert rev.edge_ids is not None  # the reversed graph keeps the forward edge ids
    ready = np.flatnonzero(g.live & (outdeg == 0))
    while ready.size:
        val[ready] = acc[ready]
        starts = rev.indptr[ready].astype(np.int64)
        counts = rev.indptr[ready + 1].astype(np.int64) - starts
        total = int(counts.sum())
        if not total:
            break
        pos = np.arange(total, dtype=np.int64) + np.repeat(starts - (np.cumsum(counts) - counts),
                                                           counts)
        fwd = rev.edge_ids[pos].astype(np.int64)
        fwd = fwd[to_live[fwd]]
        preds = src[fwd]
        np.maximum.at(acc, preds, np.minimum(val[dst[fwd]] + 1, UNBOUNDED))
        del fwd
        dec = np.bincount(preds, minlength=size)
        outdeg -= dec
        ready = np.flatnonzero((dec > 0) & (outdeg == 0))
    val[g.live & (val < 0)] = UNBOUNDED
    return val


def _next(g: PostGraph, node: int, want: int, values: dict[int, npt.NDArray[np.int64]],
          gs: list[PostGraph], exact: bool) -> tuple[int | None, PostGraph, int]:
    """One step of a path that keeps the value ``want``: (edge id or None for a crash, the
    graph, the configuration reached). ``exact``: the value drops by one along an edge."""
    space, val = g.space, values[id(g)]
    for k in range(int(space.indptr[node]), int(space.indptr[node + 1])):
        d = int(space.edge_dst[k])
        if not g.edge_ok[k] or d == node:
            continue
        if exact and ((g.terminal[d] and want == 1) or (g.live[d] and val[d] + 1 == want)):
            return k, g, d
        if not exact and g.live[d] and val[d] >= UNBOUNDED:
            return k, g, d
    for _, h in _children(g, gs):
        here = node if h.space is g.space else int(h.locate(space.rows[[node]])[0])
        v = values[id(h)][here] if here >= 0 else 0
        if v == want or (not exact and v >= UNBOUNDED):
            return None, h, here
    raise AssertionError("a value without a successor that gives it")


def _walk_from(pre: StateSpace, g: PostGraph, node: int) -> _Path:
    schedule = pre.schedule_to(int(g.pre_id[node]))
    return _Path(schedule.inputs, list(schedule.events), len(schedule.events), node)


def worst_path(pre: StateSpace, g: PostGraph, node: int, gs: list[PostGraph],
               values: dict[int, npt.NDArray[np.int64]]) -> GSTRun:
    """The path that takes the most events after GST from ``node`` of ``g`` (the graph
    without crashes) to a decision, GST at ``node``."""
    path = _walk_from(pre, g, node)
    while not g.terminal[node]:
        want = int(values[id(g)][node])
        k, h, d = _next(g, node, want, values, gs, exact=True)
        if k is None:
            path.crashes.append((next(p for p, x in _children(g, gs) if x is h),
                                 len(path.events)))
        else:
            path.events.append(g.space.event(int(g.space.edge_event[k])))
        g, node = h, d
    crash_at = tuple(sorted(path.crashes, key=lambda x: (x[1], x[0])))
    return GSTRun("decides", path.inputs, tuple(path.events), path.gst_at, (), crash_at,
                  g.trusted)


def unbounded_loop(pre: StateSpace, g: PostGraph, node: int, gs: list[PostGraph],
                   values: dict[int, npt.NDArray[np.int64]]) -> GSTRun:
    """From ``node`` (unbounded), a path to a cycle of configurations that are all unbounded:
    an unfair cycle the adversary may repeat any number of times."""
    path = _walk_from(pre, g, node)
    seen: dict[tuple[int, int], int] = {}
    while (id(g), node) not in seen:
        seen[(id(g), node)] = len(path.events)
        k, h, d = _next(g, node, int(UNBOUNDED), values, gs, exact=False)
        if k is None:
            path.crashes.append((next(p for p, x in _children(g, gs) if x is h),
                                 len(path.events)))
        else:
            path.events.append(g.space.event(int(g.space.edge_event[k])))
        g, node = h, d
    at = seen[(id(g), node)]
    crash_at = tuple(sorted(path.crashes, key=lambda x: (x[1], x[0])))
    return GSTRun("loop", path.inputs, tuple(path.events[:at]), path.gst_at,
                  tuple(path.events[at:]), crash_at, g.trusted)
