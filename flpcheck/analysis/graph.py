"""Linear-time passes over a graph in compressed sparse row form (numpy arrays).

A graph is ``(indptr, indices)``: the successors of node ``v`` are
``indices[indptr[v]:indptr[v + 1]]``, and edge ``k`` is the ``k``-th entry of ``indices``.
Every function here is a level-by-level breadth-first pass done with vector operations, so it
costs O(nodes + edges) and never calls back into Python per edge.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from ..explorer.csr import CSR, IntArray, edge_sources, reverse
from ..explorer.engine import StopCheck
from ..explorer.limits import check_stop
from ..explorer.partition.space import PartitionedGraph

__all__ = ["CSR", "reverse", "reach", "reach_bits", "bfs", "edge_sources", "chunk_edges",
           "node_chunks"]

_CHUNK = 1 << 12
BoolArray = npt.NDArray[np.bool_]


def _expand(graph: CSR, frontier: IntArray) -> tuple[IntArray, IntArray]:
    """All edges leaving ``frontier``: (positions in ``indices``, their source nodes)."""
    starts = graph.indptr[frontier]
    counts = graph.indptr[frontier + 1] - starts
    total = int(counts.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    positions = np.arange(total, dtype=np.int64) + offsets
    return positions, np.repeat(frontier, counts)


def _ids(graph: CSR, positions: IntArray) -> IntArray:
    return positions if graph.edge_ids is None else graph.edge_ids[positions]


SMALL = 32
"""A frontier of at most this many nodes is expanded node by node in Python: on thin graphs
(long chains) a level of numpy calls costs far more than the few edges it follows."""
LIST_LIMIT = 1 << 18
"""Arrays of at most this many entries become Python lists for :func:`_sequential_pass`'s
node-by-node loop (a transient copy: 8 bytes an entry)."""

Views = tuple[memoryview, memoryview, "memoryview | None"]


def _views(graph: CSR) -> Views:
    """(indptr, indices, edge ids) as memoryviews, for the node-by-node steps: indexing and
    slicing them gives Python ints without numpy's per-call cost, and without a copy (a cached
    list of a graph's arrays cost about 40 bytes an edge for as long as the graph lived)."""
    ids = graph.edge_ids
    return (np.ascontiguousarray(graph.indptr).data,
            np.ascontiguousarray(graph.indices).data,
            None if ids is None else np.ascontiguousarray(ids).data)


def _edges_of(v: int, edge_ok: memoryview | None,
              views: Views) -> list[tuple[int, int]]:
    """(target, edge id) of the edges leaving ``v`` that ``edge_ok`` lets through, in order."""
    ip, ind, ids = views
    a, b = ip[v], ip[v + 1]
    label = range(a, b) if ids is None else ids[a:b].tolist()
    out = list(zip(ind[a:b].tolist(), label, strict=True))
    if edge_ok is not None:
        out = [(t, k) for t, k in out if edge_ok[k]]
    return out


def reach(graph: CSR, sources: BoolArray, edge_ok: BoolArray | None = None,
          stop: StopCheck | None = None) -> BoolArray:
    """Nodes reachable from ``sources`` (included), using only edges with ``edge_ok`` true.

    ``edge_ok`` is indexed by the edges' labels (``graph.edge_ids``: the forward edge id, or a
    label such as the edge's process in :attr:`StateSpace.reverse_arrays`). The frontier is expanded
    in chunks, so temporaries stay small whatever the size of the graph; a thin frontier node
    by node. ``stop()`` giving a reason between levels raises
    :class:`~flpcheck.explorer.limits.AnalysisStopped`.
    """
    if isinstance(graph, PartitionedGraph):  # a graph left on its partitions
        return graph.reach(sources, edge_ok)
    seen = sources.copy()
    frontier = np.flatnonzero(seen)
    while frontier.size:
        check_stop(stop)
        if frontier.size <= SMALL:
            views = _views(graph)
            ok = None if edge_ok is None else np.ascontiguousarray(edge_ok).data
            nxt: list[int] = []
            marks = seen.data  # writes through to ``seen``
            for v in frontier.tolist():
                for t, _ in _edges_of(v, ok, views):
                    if not marks[t]:
                        marks[t] = True
                        nxt.append(t)
            frontier = np.array(sorted(nxt), dtype=np.int64)
            continue
        found = []
        for lo in range(0, frontier.size, _CHUNK):
            positions, _ = _expand(graph, frontier[lo : lo + _CHUNK])
            if edge_ok is not None:
                positions = positions[edge_ok[_ids(graph, positions)]]
            targets = graph.indices[positions]
            targets = np.unique(targets[~seen[targets]])
            seen[targets] = True
            found.append(targets)
        frontier = np.concatenate(found) if found else frontier[:0]
    return seen


def reach_bits(graph: CSR, bits: npt.NDArray[np.uint8], max_sweeps: int = 8,
               chunk: int | None = None, stop: StopCheck | None = None,
               edge_ok: BoolArray | None = None) -> npt.NDArray[np.uint8] | None:
    """For every node, the OR of ``bits`` over the nodes it reaches (itself included), with no
    reversed graph: the fixpoint of ``bits[v] |= bits[w]`` over the edges v -> w (those with
    ``edge_ok`` true, indexed by position in ``indices``), swept over the nodes in decreasing
    order, a chunk of about ``chunk`` edges at a time (default :func:`chunk_edges`; repeated
    within a chunk until it is stable): the temporaries are a few bytes an edge of one chunk.

    With nodes numbered breadth-first, most edges go to higher numbers and one sweep carries
    the bits along them; each edge to a lower number on a path costs one more sweep. Returns
    None when ``max_sweeps`` do not reach the fixpoint (then use :func:`reach` on the reversed
    graph, whose cost does not depend on the numbering).
    """
    out = bits.copy()
    indptr, indices = graph.indptr, graph.indices
    chunk = chunk_edges(len(indices)) if chunk is None else chunk
    chunks = list(node_chunks(indptr, chunk))[::-1]  # decreasing node order
    for _ in range(max_sweeps):
        changed = False
        for lo, hi, _, _ in chunks:
            check_stop(stop)
            seg = indptr[lo : hi + 1]
            first, last = int(seg[0]), int(seg[-1])
            if first == last:
                continue
            has = np.flatnonzero(seg[1:] > seg[:-1])  # nodes with edges (reduceat needs them)
            starts = seg[:-1][has] - first
            targets = indices[first:last]
            mask = None if edge_ok is None else edge_ok[first:last]
            nodes = lo + has
            rounds = 0
            while True:
                through = out[targets]
                if mask is not None:
                    through *= mask  # a masked edge carries nothing
                grown = np.bitwise_or.reduceat(through, starts)
                del through
                grown |= out[nodes]
                diff = np.flatnonzero(grown != out[nodes])
                if not diff.size:
                    break
                out[nodes[diff]] = grown[diff]
                changed = True
                rounds += 1
                if rounds == SEQUENTIAL_AFTER:  # a long path inside the chunk
                    _sequential_pass(out, seg, targets, lo, mask)
        if not changed:
            return out
    return None


CHUNK_EDGES = 1 << 16
CHUNK_SHARE = 64


def node_chunks(indptr: IntArray, edges: int) -> Iterator[tuple[int, int, int, int]]:
    """(first node, end, first edge, end) of consecutive ranges of nodes of a CSR graph with
    about ``edges`` edges each (at least one node each), in increasing order.

    >>> list(node_chunks(np.array([0, 2, 3, 3, 7]), 3))
    [(0, 3, 0, 3), (3, 4, 3, 7)]
    """
    size = len(indptr) - 1
    total = int(indptr[-1])
    a = 0
    while a < size:
        lo = int(indptr[a])
        key = indptr.dtype.type(min(lo + edges, total))  # indptr's type: no conversion of it
        b = min(size, max(a + 1, int(np.searchsorted(indptr, key, side="right")) - 1))
        yield a, b, lo, int(indptr[b])
        a = b


def chunk_edges(edges: int) -> int:
    """Edges per chunk of a pass over a graph of ``edges`` edges: at least CHUNK_EDGES, and
    1/CHUNK_SHARE of the graph on large ones, so that the temporaries stay a small share of
    the graph's own arrays while the calls per chunk (a few tenths of a millisecond) stay few
    (540 chunks of 2^16 edges doubled the valence pass on 35 million edges)."""
    return max(CHUNK_EDGES, edges // CHUNK_SHARE)


SEQUENTIAL_AFTER = 16
"""After this many vectorized rounds on one chunk of :func:`reach_bits` (each moves the bits
one edge along a path), one sequential pass in decreasing node order carries them along every
path to higher nodes at once."""


def _sequential_pass(out: npt.NDArray[np.uint8], seg: IntArray, targets: IntArray,
                     lo: int, mask: BoolArray | None = None) -> None:
    """``out[v] |= out[w]`` for the edges v -> w of nodes lo.. (those ``mask`` lets through),
    in decreasing v (in place)."""
    first = int(seg[0])
    ip = (seg - first).tolist()
    if mask is not None:  # a masked edge becomes a self-loop: it carries nothing
        own = np.repeat(np.arange(lo, lo + len(seg) - 1, dtype=targets.dtype), np.diff(seg))
        targets = np.where(mask, targets, own)
    tg = targets.tolist()
    bits = out.tolist() if len(out) <= LIST_LIMIT else None
    get = bits if bits is not None else out
    for k in range(len(ip) - 2, -1, -1):
        a, b = ip[k], ip[k + 1]
        if a == b:
            continue
        x = int(get[lo + k])
        for t in tg[a:b]:
            x |= int(get[t])
        get[lo + k] = x
    if bits is not None:
        out[:] = bits


def bfs(
    graph: CSR, sources: IntArray, edge_ok: BoolArray | None = None,
    stop: StopCheck | None = None,
) -> tuple[IntArray, IntArray]:
    """Shortest paths from ``sources``: (distance, edge id of the BFS-tree edge into each node).

    Unreached nodes have distance -1; sources and unreached nodes have parent edge -1. Ties are
    broken towards the lowest source node, then the lowest edge, so the tree is deterministic.
    """
    if isinstance(graph, PartitionedGraph):  # a graph left on its partitions
        return graph.bfs(sources, edge_ok)
    n = graph.n
    dist = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    frontier = np.unique(np.asarray(sources, dtype=np.int64))
    dist[frontier] = 0
    level = 0
    while frontier.size:
        check_stop(stop)
        level += 1
        if frontier.size <= SMALL:  # node by node, with the same tie-breaking
            views = _views(graph)
            ok = None if edge_ok is None else np.ascontiguousarray(edge_ok).data
            best: dict[int, int] = {}
            for v in frontier.tolist():
                for t, k in _edges_of(v, ok, views):
                    if t not in best and dist[t] < 0:
                        best[t] = k
            if best:
                uniq = np.array(sorted(best), dtype=np.int64)
                dist[uniq] = level
                parent[uniq] = [best[u] for u in uniq.tolist()]
                frontier = uniq
            else:
                frontier = frontier[:0]
            continue
        positions, _ = _expand(graph, frontier)
        if edge_ok is not None:
            positions = positions[edge_ok[_ids(graph, positions)]]
        targets = graph.indices[positions]
        fresh = dist[targets] < 0
        targets, positions = targets[fresh], positions[fresh]
        uniq, first = np.unique(targets, return_index=True)
        dist[uniq] = level
        parent[uniq] = _ids(graph, positions[first])
        frontier = uniq.astype(np.int64)
    return dist, parent
