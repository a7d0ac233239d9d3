"""Fair cycles after GST: SCC refinement with strong fairness per process.

After GST a live process may have no allowed event at some configurations (no message for
it, and its timeout not allowed), so FLP's "every live process steps infinitely often" is too
strong. A post-GST run is admissible when every message to a live process is eventually
received, and every live process that has an allowed event infinitely often steps infinitely
often (strong fairness, per process). On a lasso: every message to a live process pending
somewhere in the cycle is received in it, and every live process with an allowed event at some
configuration of the cycle steps in it.

The search is :mod:`flpcheck.analysis.fairness`'s refinement with a Streett condition: strongly
connected components of the allowed subgraph; remove the configurations where some process has
an allowed event but the component has no step of it, and those holding a pending message to a
live process that no edge inside the component receives; recompute; repeat. What remains are
components in which a closed walk through every configuration and every needed edge is fair.
Each pass is a few vector operations over the edges.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from ..explorer.statespace import StateSpace
from .walks import covering_walk

__all__ = ["sources", "enabled_matrix", "pending_pairs", "fair_post_gst", "covering_cycle"]

Bools = npt.NDArray[np.bool_]


def sources(indptr: npt.NDArray[np.integer]) -> npt.NDArray[np.integer]:
    """The source configuration of every edge, in the narrowest of int32 and int64."""
    counts = np.diff(indptr)
    dtype = np.int32 if len(counts) < 2**31 else np.int64
    return np.repeat(np.arange(len(counts), dtype=dtype), counts)


def enabled_matrix(space: StateSpace, edge_ok: Bools,
                   src: npt.NDArray[np.integer] | None = None) -> Bools:
    """(configurations x processes): the process has an allowed event at the configuration."""
    out = np.zeros((len(space), space.n), dtype=bool)
    src = sources(space.indptr) if src is None else src
    out[src[edge_ok], space.edge_pid[edge_ok]] = True
    return out


def pending_pairs(space: StateSpace, configs: npt.NDArray[np.integer], live: frozenset[int]
                  ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every (configuration, distinct message id) with the message in transit in the
    configuration to a live process, for the configurations ``configs``."""
    n = space.n
    cs, ms = [], []
    configs = np.asarray(configs, dtype=np.int64)
    for q in sorted(live):
        col = space.rows[configs, n + q].astype(np.int64)
        uniq, inv = np.unique(col, return_inverse=True)
        distinct = [sorted(set(space.buffers[b])) for b in uniq.tolist()]
        lengths = np.array([len(d) for d in distinct], dtype=np.int64)
        per = lengths[inv.reshape(-1)]
        if not per.sum():
            continue
        flat = np.array([m for d in distinct for m in d], dtype=np.int64)
        starts = np.cumsum(lengths) - lengths
        offsets = np.repeat(starts[inv.reshape(-1)] - (np.cumsum(per) - per), per)
        cs.append(np.repeat(configs, per))
        ms.append(flat[np.arange(int(per.sum()), dtype=np.int64) + offsets])
    if not cs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(cs), np.concatenate(ms)


def fair_post_gst(space: StateSpace, nodes: Bools, edge_ok: Bools, crashed: frozenset[int],
                  enabled: Bools | None = None, src: npt.NDArray[np.integer] | None = None
                  ) -> tuple[npt.NDArray[np.int64], Bools]:
    """The fair components inside ``nodes`` of the graph of allowed edges (``edge_ok``, which
    excludes the events of ``crashed``).

    Returns ``(labels, inside)``: the component of every configuration (-1 where it is in
    none) and the allowed edges inside fair components. ``enabled`` is
    :func:`enabled_matrix` (computed when not given): enabledness counts every allowed edge,
    those leaving ``nodes`` included.
    """
    n = space.n
    live = frozenset(range(n)) - crashed
    indptr, dst = space.indptr, space.edge_dst
    if src is None:
        src = sources(indptr)
    if enabled is None:
        enabled = enabled_matrix(space, edge_ok, src)
    pid = space.edge_pid
    events = space.edge_event
    m_count = max(1, len(space.table.messages))
    cand = nodes.copy()
    pc, pm = pending_pairs(space, np.flatnonzero(cand), live)
    size = len(space)
    while True:
        if not cand.any():
            return np.full(size, -1, dtype=np.int64), np.zeros(len(dst), dtype=bool)
        ok = edge_ok & cand[src] & cand[dst]
        graph = scipy.sparse.csr_matrix((ok.astype(np.int8), dst, indptr), shape=(size, size),
                                        copy=True)
        graph.eliminate_zeros()
        _, found = connected_components(graph, directed=True, connection="strong")
        del graph
        labels = np.where(cand, found, -1).astype(np.int32)
        del found
        inside = ok & (labels[src] == labels[dst])
        del ok
        comps = int(labels.max()) + 1 if size and labels.max() >= 0 else 0
        comp_of_edge = labels[src[inside]].astype(np.int64)
        has_edge = np.bincount(comp_of_edge, minlength=max(comps, 1)) > 0
        stepped = np.zeros((max(comps, 1), n), dtype=bool)
        stepped[comp_of_edge, pid[inside]] = True
        bad = cand & ~has_edge[np.maximum(labels, 0)]
        starving = enabled & ~stepped[np.maximum(labels, 0)]
        bad |= cand & starving.any(axis=1)
        ev = events[inside].astype(np.int64)
        recv = np.unique(comp_of_edge[ev >= n] * m_count + (ev[ev >= n] - n))
        keep = cand[pc]
        pc, pm = pc[keep], pm[keep]
        missing = ~np.isin(labels[pc].astype(np.int64) * m_count + pm, recv)
        bad[pc[missing]] = True
        if not bad.any():
            return labels.astype(np.int64), inside
        cand &= ~bad


def covering_cycle(space: StateSpace, start: int, labels: npt.NDArray[np.int64], inside: Bools,
                   enabled: Bools, crashed: frozenset[int]) -> list[int]:
    """Edge ids of a closed walk from ``start`` inside its fair component that takes a step of
    every live process enabled somewhere in the component and receives every message to a live
    process pending somewhere in it (greedy: the nearest wanted edge first)."""
    n = space.n
    live = frozenset(range(n)) - crashed
    members = np.flatnonzero(labels == labels[start])
    need_p = set(np.flatnonzero(enabled[members].any(axis=0)).tolist())
    _, pm = pending_pairs(space, members, live)
    need_m = set(pm.tolist())
    if not need_p and not need_m:  # a component with an edge: take one turn through it
        need_p = {int(space.edge_pid[k]) for k in range(int(space.indptr[start]),
                                                         int(space.indptr[start + 1]))
                  if inside[k]} or set(live)

    return covering_walk(space, start, inside, need_p, need_m)
