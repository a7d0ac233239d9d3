"""Fair cycles by SCC refinement (Emerson–Lei / Streett style), and lassos built on them.

A cycle is *fair* for a crash set F when every process outside F steps in it, no process in F
does, and every message to a process outside F that is pending in some configuration of the
cycle is received by some event of the cycle (FLP 1985's admissible runs). The search: strongly connected
components of the allowed subgraph without F's events; drop a component lacking a step of
some live process; remove configurations holding a pending message to a live process that no
edge inside the component delivers; recompute; repeat. Each pass is linear in the graph.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from ..explorer.statespace import StateSpace
from .graph import bfs, edge_sources
from .runs import Run

__all__ = ["fair_components", "fair_lasso"]


def _pending_live(space: StateSpace, cid: int, live: frozenset[int]) -> set[int]:
    """Distinct message ids pending in ``cid`` whose destination is live."""
    msgs = space.table.messages
    return {m for m in space.pending_messages(cid) if msgs[m][0] in live}


def _pending_pairs(space: StateSpace, configs: np.ndarray,
                   live: frozenset[int]) -> tuple[np.ndarray, np.ndarray]:
    """Every (configuration, distinct message id) with the message pending in the
    configuration and addressed to a live process, for the configurations ``configs``."""
    n = space.n
    cs, ms = [], []
    for q in sorted(live):
        col = space.rows[configs, n + q].astype(np.int64)
        uniq, inv = np.unique(col, return_inverse=True)
        distinct = [sorted(set(space.buffers[b])) for b in uniq.tolist()]
        lengths = np.array([len(d) for d in distinct], dtype=np.int64)
        flat = np.array([m for d in distinct for m in d], dtype=np.int64)
        starts = np.cumsum(lengths) - lengths
        per = lengths[inv.reshape(-1)]
        total = int(per.sum())
        if total == 0:
            continue
        offsets = np.repeat(starts[inv.reshape(-1)] - (np.cumsum(per) - per), per)
        cs.append(np.repeat(configs, per))
        ms.append(flat[np.arange(total, dtype=np.int64) + offsets])
    if not cs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(cs), np.concatenate(ms)


def fair_components(
    space: StateSpace, nodes: np.ndarray, crashed: frozenset[int] = frozenset()
) -> tuple[np.ndarray, np.ndarray]:
    """The fair SCCs inside ``nodes`` for crash set ``crashed``.

    Returns ``(labels, edge_mask)``: ``labels[c]`` is the component of configuration c (-1
    where c is in no fair component), ``edge_mask`` marks the edges inside fair components.
    Every pass is a handful of vector operations over the edges (no Python loop per
    configuration or edge).
    """
    n = space.n
    live = frozenset(range(n)) - crashed
    g = space.arrays
    indptr = g.indptr
    dst = g.indices
    counts = np.diff(indptr)
    pid = space.edge_pid
    events = space.events_array
    m_count = max(1, len(space.table.messages))
    base_ok = ~np.isin(pid, sorted(crashed)) if crashed else np.ones(len(dst), dtype=bool)
    cand = nodes.copy()
    pc, pm = _pending_pairs(space, np.flatnonzero(cand), live)
    while True:
        ok = base_ok & np.repeat(cand, counts) & cand[dst]
        graph = scipy.sparse.csr_matrix((ok.astype(np.int8), dst, indptr),
                                        shape=(len(space),) * 2, copy=True)
        graph.eliminate_zeros()  # in place: hence the copy, which keeps the space's arrays
        _, found = connected_components(graph, directed=True, connection="strong")
        del graph
        labels = np.where(cand, found, -1).astype(np.int32)
        del found
        inside = ok & (np.repeat(labels, counts) == labels[dst])
        del ok
        comp = np.repeat(labels, counts)[inside].astype(np.int64)
        # components in which every live process steps
        steps = np.unique(comp * n + pid[inside])
        steps = steps[np.isin(steps % n, sorted(live))]
        size = int(labels.max()) + 1 if labels.size else 1
        good = np.bincount(steps // n, minlength=max(size, 1)) == len(live)
        # messages received inside each component
        ev = events[inside].astype(np.int64)
        recv = np.unique(comp[ev >= n] * m_count + (ev[ev >= n] - n))
        bad = cand & ~good[np.maximum(labels, 0)]
        keep = cand[pc]
        pc, pm = pc[keep], pm[keep]
        missing = ~np.isin(labels[pc] * m_count + pm, recv)
        bad[pc[missing]] = True
        if not bad.any():
            return np.where(cand, labels, -1).astype(np.int64), inside & np.repeat(cand, counts)
        cand &= ~bad


def fair_lasso(
    space: StateSpace,
    nodes: np.ndarray,
    crashed: frozenset[int] = frozenset(),
    stem_nodes: np.ndarray | None = None,
    sources: list[int] | None = None,
    stem_crashed: bool = False,
) -> Run | None:
    """A lasso: the shortest stem (inside ``stem_nodes``) from ``sources`` to a fair SCC of
    ``nodes``, then a cycle in that SCC covering a step of every live process and a receipt of
    every message pending in it. None if no fair SCC is reachable. Where a source is not an
    initial configuration, the stem starts with the shortest schedule to it; with
    ``stem_crashed`` the crashed processes take no step after the source (they crash there)."""
    labels, inside = fair_components(space, nodes, crashed)
    if not (labels >= 0).any():
        return None
    starts = [c for _, c in space.initial] if sources is None else sources
    stem_ok = None
    if stem_nodes is not None:
        src = edge_sources(space.arrays.indptr)
        stem_ok = stem_nodes[src] & stem_nodes[space.arrays.indices]
    if stem_crashed and crashed:
        no_crash = ~np.isin(space.edge_pid, sorted(crashed))
        stem_ok = no_crash if stem_ok is None else stem_ok & no_crash
    dist, parent = bfs(space.arrays, np.array(sorted(set(starts)), dtype=np.int64), stem_ok)
    reachable = np.flatnonzero((labels >= 0) & (dist >= 0))
    if reachable.size == 0:
        return None
    entry = int(reachable[np.argmin(dist[reachable])])
    stem_edges = []
    c = entry
    while parent[c] >= 0:
        stem_edges.append(int(parent[c]))
        c = space.edge_source(stem_edges[-1])
    origin, prefix = space.path_to(c)
    stem_edges += prefix[::-1]
    inputs = space.inputs_of(origin)
    cycle_edges = _covering_cycle(space, entry, labels, inside, crashed)
    path = [origin] + [int(space.edge_dst[k]) for k in reversed(stem_edges)]
    path += [int(space.edge_dst[k]) for k in cycle_edges]
    return Run(
        inputs,
        tuple(space.event_of_edge(k) for k in reversed(stem_edges)),
        tuple(space.event_of_edge(k) for k in cycle_edges),
        crashed,
        tuple(path),
    )


def _covering_cycle(space: StateSpace, start: int, labels: np.ndarray, inside: np.ndarray,
                    crashed: frozenset[int]) -> list[int]:
    """A closed walk from ``start`` inside its component that takes a step of every live process
    and receives every message pending somewhere in the component (greedy: nearest first)."""
    n = space.n
    comp = labels[start]
    members = np.flatnonzero(labels == comp)
    live = frozenset(range(n)) - crashed
    need_p = set(live)
    need_m: set[int] = set()
    for c in members:
        need_m |= _pending_live(space, int(c), live)
    walk: list[int] = []
    here = start

    def satisfied(edge: int) -> None:
        eid = space.edge_event[edge]
        need_p.discard(space.event_pid(eid))
        if eid >= n:
            need_m.discard(eid - n)

    def wanted(edge: int) -> bool:
        eid = space.edge_event[edge]
        return space.event_pid(eid) in need_p or (eid >= n and eid - n in need_m)

    while need_p or need_m:
        path = _bfs_inside(space, here, inside, lambda k: wanted(k))
        for k in path:
            satisfied(k)
        walk += path
        here = int(space.edge_dst[path[-1]])
        # messages pending along the walk so far are in the component: already in need_m
    if here != start:
        back = _bfs_inside(space, here, inside, lambda k: int(space.edge_dst[k]) == start)
        walk += back
    return walk


def _bfs_inside(space: StateSpace, start: int, inside: np.ndarray, goal) -> list[int]:
    """Edge ids of a shortest walk from ``start`` along ``inside`` edges ending with an edge
    for which ``goal(edge)`` holds."""
    prev: dict[int, int] = {start: -1}
    queue = deque([start])
    while queue:
        c = queue.popleft()
        for k in range(space.indptr[c], space.indptr[c + 1]):
            if not inside[k]:
                continue
            if goal(k):
                edges = [k]
                while c != start:
                    e = prev[c]
                    edges.append(e)
                    c = space.edge_source(e)
                return edges[::-1]
            d = int(space.edge_dst[k])
            if d not in prev:
                prev[d] = k
                queue.append(d)
    raise AssertionError("a strongly connected component must contain the wanted edge")

