"""Fair cycles by SCC refinement (Emerson–Lei / Streett style), and lassos built on them.

A cycle is *fair* for a crash set F when every process outside F steps in it, no process in F
does, and every message to a process outside F that is pending in some configuration of the
cycle is received by some event of the cycle (FLP 1985's admissible runs). The search: strongly connected
components of the allowed subgraph without F's events; drop a component lacking a step of
some live process; remove configurations holding a pending message to a live process that no
edge inside the component delivers; recompute; repeat. Each pass is linear in the graph.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

from ..explorer.engine import StopCheck
from ..explorer.limits import check_stop
from ..explorer.statespace import StateSpace
from .graph import bfs, chunk_edges, node_chunks, reach, reach_bits
from .lasso import Run
from .walks import covering_walk

__all__ = ["fair_components", "fair_lasso", "strong_components", "tarjan"]


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
        uniq = np.flatnonzero(np.bincount(col))  # the sub-buffers used (ids are small)
        dense = np.zeros(int(uniq[-1]) + 1 if len(uniq) else 1, dtype=np.int64)
        dense[uniq] = np.arange(len(uniq))
        inv = dense[col]
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
    space: StateSpace, nodes: np.ndarray, crashed: frozenset[int] = frozenset(),
    stop: StopCheck | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The fair SCCs inside ``nodes`` for crash set ``crashed``.

    Returns ``(labels, edge_mask)``: ``labels[c]`` is the component of configuration c (-1
    where c is in no fair component; int32), ``edge_mask`` marks the edges inside fair
    components.

    The allowed subgraph (the configurations of ``nodes``, the edges among them of live
    processes) is not copied: a byte an edge marks its edges in the stored graph. Configuration
    ids are breadth-first, so every cycle through two or more configurations has an edge to a
    lower id (the one leaving its highest): a configuration on no such cycle is a component of
    its own, fair when its self-loops take a step of every live process and receive every
    message pending to one. Only the part that is reachable from a back edge's target and
    reaches a back edge's source (a forward fixpoint sweep and a breadth-first pass: no
    reversed graph) is gathered, and gets the SCC refinement (Tarjan's or scipy's components
    on that part alone, then the passes of the module's docstring). ``stop()`` returning a
    reason between passes raises :class:`~flpcheck.explorer.limits.AnalysisStopped`.
    """
    n = space.n
    live = frozenset(range(n)) - crashed
    size = len(space)
    nodes = np.asarray(nodes, dtype=bool)
    labels = np.full(size, -1, dtype=np.int32)
    inside = np.zeros(space.num_events, dtype=bool)
    if not nodes.any():
        return labels, inside
    graph = space.arrays
    ok = np.zeros(space.num_events, dtype=bool)  # the edges of the allowed subgraph
    back_to = np.zeros(size, dtype=bool)
    back_from = np.zeros(size, dtype=np.uint8)
    single = np.zeros(size, dtype=bool)
    scan = _Scan(space, nodes, crashed)
    for chunk in _node_chunks(graph.indptr):  # temporaries of a chunk's edges only
        check_stop(stop)
        scan.chunk(chunk, ok, back_to, back_from, single)
    core = np.zeros(size, dtype=bool)
    if back_to.any():  # on a cycle: reachable from a back edge's target, reaching its source
        check_stop(stop)
        returns = reach_bits(graph, back_from, edge_ok=ok, stop=stop)
        if returns is not None:
            back_to &= returns.view(bool)
        core = reach(graph, back_to, ok, stop=stop)
        if returns is not None:
            core &= returns.view(bool)
        del returns
    del back_to, back_from
    single &= ~core
    found = np.flatnonzero(single)
    labels[found] = np.arange(len(found), dtype=np.int32)
    if found.size:  # the self-loops of the configurations fair alone
        for a, b, lo, hi in _node_chunks(graph.indptr):
            src = np.repeat(np.arange(a, b, dtype=np.int32), np.diff(graph.indptr[a:b + 1]))
            mine = (graph.indices[lo:hi] == src) & single[src] & ok[lo:hi]
            inside[lo + np.flatnonzero(mine)] = True
    del single
    if core.any():
        _refine(space, ok, np.flatnonzero(core), live, labels, inside, len(found), stop)
    return labels, inside


class _Scan:
    """The pass over the stored graph, a chunk of nodes at a time: marks the allowed edges,
    the targets and sources of back edges among them, and the nodes whose self-loops alone
    are fair (a step of every live process, a receipt of every message pending to one)."""

    def __init__(self, space: StateSpace, nodes: np.ndarray, crashed: frozenset[int]) -> None:
        self.space, self.nodes = space, nodes
        self.live = frozenset(range(space.n)) - crashed
        self.pid_of = _event_pids(space)
        dead = np.zeros(space.n, dtype=bool)
        dead[sorted(crashed)] = True
        self.dead_event = dead[self.pid_of]
        #: distinct messages of every sub-buffer
        self.distinct = np.array([len(set(b)) for b in space.buffers] or [0], dtype=np.int32)

    def chunk(self, chunk: tuple[int, int, int, int], ok: np.ndarray, back_to: np.ndarray,
              back_from: np.ndarray, single: np.ndarray) -> None:
        """Nodes ``a..b``, edges ``lo..hi``; its temporaries end with the call."""
        space, n, nodes = self.space, self.space.n, self.nodes
        a, b, lo, hi = chunk
        graph = space.arrays
        src = np.repeat(np.arange(a, b, dtype=np.int32), np.diff(graph.indptr[a:b + 1]))
        d = graph.indices[lo:hi]
        events = space.events_array[lo:hi]
        keep = nodes[src]
        keep &= nodes[d]
        keep &= ~self.dead_event[events]
        ok[lo:hi] = keep
        back = keep & (d < src)
        back_to[d[back]] = True
        back_from[src[back]] = 1
        loop = np.flatnonzero(keep & (d == src))
        at = src[loop] - a
        events = events[loop]
        pending = np.zeros(b - a, dtype=np.int32)
        for q in sorted(self.live):
            pending += self.distinct[space.rows[a:b, n + q]]
        fair = np.bincount(at[events >= n], minlength=b - a) == pending
        lp = self.pid_of[events]
        for q in sorted(self.live):  # a self-loop of every live process
            steps = np.zeros(b - a, dtype=bool)
            steps[at[lp == q]] = True
            fair &= steps
        single[a:b] = fair & nodes[a:b]


SCAN_EDGES: int | None = None
"""Edges per chunk of the passes over the stored graph (their temporaries: a few bytes an
edge of one chunk); None: :func:`~flpcheck.analysis.graph.chunk_edges` of the graph."""


def _node_chunks(indptr: np.ndarray):
    """:func:`~flpcheck.analysis.graph.node_chunks` of about :data:`SCAN_EDGES` edges."""
    edges = chunk_edges(int(indptr[-1])) if SCAN_EDGES is None else SCAN_EDGES
    return node_chunks(indptr, edges)


def _event_pids(space: StateSpace) -> np.ndarray:
    """The process of every event id (a small table: the per-edge array is not built)."""
    return np.array(space.table.event_pids(), dtype=np.int8 if space.n < 128 else np.int16)


PYTHON_SCC_EDGES = 1 << 18
"""Graphs with at most this many edges get their strongly connected components from
:func:`tarjan` in Python; larger ones from scipy (whose import costs a few tenths of a
second: most explorations never need it)."""


def strong_components(k: int, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The strongly connected component of every node of a graph on nodes 0..k-1 in CSR form
    (labels: equal within a component, otherwise arbitrary)."""
    if len(indices) <= PYTHON_SCC_EDGES:  # arrays of machine ints: 4-8 bytes an entry
        ptr = array("q", np.asarray(indptr, dtype=np.int64).tobytes())
        ind = array("i", np.asarray(indices, dtype=np.int32).tobytes())
        return np.array(tarjan(k, ptr, ind), dtype=np.int32)
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    graph = csr_matrix((np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(k, k))
    return connected_components(graph, directed=True, connection="strong")[1]


def tarjan(k: int, indptr: Sequence[int], indices: Sequence[int]) -> list[int]:
    """Tarjan's strongly connected components, iterative (no recursion limit): the component
    of every node, numbered in the order they complete.

    >>> tarjan(4, [0, 1, 2, 3, 3], [1, 0, 3])  # 0 <-> 1, 2 -> 3
    [0, 0, 2, 1]
    """
    index = [-1] * k
    low = [0] * k
    on_stack = [False] * k
    label = [-1] * k
    stack: list[int] = []
    counter = components = 0
    for root in range(k):
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        calls = [(root, indptr[root])]
        while calls:
            v, i = calls[-1]
            end = indptr[v + 1]
            while i < end:
                w = indices[i]
                i += 1
                if index[w] < 0:  # descend into w, resume v at edge i afterwards
                    calls[-1] = (v, i)
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    calls.append((w, indptr[w]))
                    break
                if on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
            else:  # every edge of v done
                calls.pop()
                if calls:
                    u = calls[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == index[v]:
                    while True:
                        w = stack.pop()
                        on_stack[w] = False
                        label[w] = components
                        if w == v:
                            break
                    components += 1
    return label


def _member(query: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Which entries of ``query`` are in ``pool`` (sorted)."""
    if not len(pool):
        return np.zeros(len(query), dtype=bool)
    pos = np.minimum(np.searchsorted(pool, query), len(pool) - 1)
    return pool[pos] == query


def _refine(space: StateSpace, ok: np.ndarray, configs: np.ndarray, live: frozenset[int],
            labels: np.ndarray, inside: np.ndarray, offset: int,
            stop: StopCheck | None) -> None:
    """The SCC refinement on the configurations ``configs`` (sorted) and the allowed edges
    (``ok``) among them, gathered from the stored graph; writes the fair components' labels
    (from ``offset``) and inside edges in place."""
    n = space.n
    graph = space.arrays
    k = len(configs)
    starts = graph.indptr[configs].astype(np.int64)
    many = graph.indptr[configs + 1].astype(np.int64) - starts
    pos = (np.arange(int(many.sum()), dtype=np.int64)
           + np.repeat(starts - (np.cumsum(many) - many), many))
    allowed = ok[pos]
    s_src = np.repeat(np.arange(k, dtype=np.int32), many)[allowed]
    pos = pos[allowed]
    dst = graph.indices[pos]
    s_dst = np.minimum(np.searchsorted(configs, dst), k - 1).astype(np.int32)
    keep = configs[s_dst] == dst
    s_src, s_dst, positions = s_src[keep], s_dst[keep], pos[keep]
    del pos, keep, dst, allowed
    s_ev = space.events_array[positions]
    s_pid = _event_pids(space)[s_ev]
    cand = np.ones(k, dtype=bool)
    m_count = max(1, len(space.table.messages))
    pc, pm = _pending_pairs(space, configs, live)
    pc = np.searchsorted(configs, pc)
    while True:
        check_stop(stop)
        edge_ok = cand[s_src] & cand[s_dst]
        kept = s_dst[edge_ok]  # a copy: the sub-graph's own arrays stay as they are
        ptr = np.zeros(k + 1, dtype=np.int64)
        np.cumsum(np.bincount(s_src[edge_ok], minlength=k), out=ptr[1:])
        found = strong_components(k, ptr, kept)
        comps = np.where(cand, found, -1).astype(np.int32)
        inner = edge_ok & (comps[s_src] == comps[s_dst])
        comp = comps[s_src[inner]]
        ip = s_pid[inner]
        good = np.ones(max(int(comps.max()) + 1, 1), dtype=bool)
        for q in sorted(live):  # components in which every live process steps
            steps = np.zeros(len(good), dtype=bool)
            steps[comp[ip == q]] = True
            good &= steps
        ev = s_ev[inner]
        got = ev >= n
        recv = np.sort(comp[got].astype(np.int64) * m_count + (ev[got].astype(np.int64) - n))
        bad = cand & ~good[np.maximum(comps, 0)]
        still = cand[pc]
        pc, pm = pc[still], pm[still]
        missing = ~_member(comps[pc].astype(np.int64) * m_count + pm, recv)
        bad[pc[missing]] = True
        if not bad.any():
            break
        cand &= ~bad
    fair = np.flatnonzero(cand)
    if fair.size:
        _, dense = np.unique(comps[fair], return_inverse=True)
        labels[configs[fair]] = offset + dense.astype(np.int32)
        inside[positions[inner]] = True


def fair_lasso(
    space: StateSpace,
    nodes: np.ndarray,
    crashed: frozenset[int] = frozenset(),
    stem_nodes: np.ndarray | None = None,
    sources: list[int] | None = None,
    stem_crashed: bool = False,
    stop: StopCheck | None = None,
) -> Run | None:
    """A lasso: the shortest stem (inside ``stem_nodes``) from ``sources`` to a fair SCC of
    ``nodes``, then a cycle in that SCC covering a step of every live process and a receipt of
    every message pending in it. None if no fair SCC is reachable. Where a source is not an
    initial configuration, the stem starts with the shortest schedule to it; with
    ``stem_crashed`` the crashed processes take no step after the source (they crash there)."""
    labels, inside = fair_components(space, nodes, crashed, stop)
    if not (labels >= 0).any():
        return None
    check_stop(stop)
    starts = [c for _, c in space.initial] if sources is None else sources
    stem_ok = None
    if stem_nodes is not None:
        stem_ok = np.repeat(stem_nodes, np.diff(space.arrays.indptr))
        stem_ok &= stem_nodes[space.arrays.indices]
    if stem_crashed and crashed:
        no_crash = ~np.isin(space.edge_pid, sorted(crashed))
        stem_ok = no_crash if stem_ok is None else stem_ok & no_crash
    dist, parent = bfs(space.arrays, np.array(sorted(set(starts)), dtype=np.int64), stem_ok,
                       stop=stop)
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
    return covering_walk(space, start, inside, need_p, need_m)

