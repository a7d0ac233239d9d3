"""Linear-time passes over a graph in compressed sparse row form (numpy arrays).

A graph is ``(indptr, indices)``: the successors of node ``v`` are
``indices[indptr[v]:indptr[v + 1]]``, and edge ``k`` is the ``k``-th entry of ``indices``.
Every function here is a level-by-level breadth-first pass done with vector operations, so it
costs O(nodes + edges) and never calls back into Python per edge.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..explorer.csr import CSR, IntArray, edge_sources, reverse

__all__ = ["CSR", "reverse", "reach", "reach_bits", "bfs", "edge_sources"]

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


def reach(graph: CSR, sources: BoolArray, edge_ok: BoolArray | None = None) -> BoolArray:
    """Nodes reachable from ``sources`` (included), using only edges with ``edge_ok`` true.

    ``edge_ok`` is indexed by the edges' labels (``graph.edge_ids``: the forward edge id, or a
    label such as the edge's process in :attr:`StateSpace.reverse_arrays`). The frontier is expanded
    in chunks, so temporaries stay small whatever the size of the graph.
    """
    seen = sources.copy()
    frontier = np.flatnonzero(seen)
    while frontier.size:
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
               chunk: int = 1 << 16) -> npt.NDArray[np.uint8] | None:
    """For every node, the OR of ``bits`` over the nodes it reaches (itself included), with no
    reversed graph: the fixpoint of ``bits[v] |= bits[w]`` over the edges v -> w, swept over the
    nodes in decreasing order, a chunk at a time (repeated within a chunk until it is stable).

    With nodes numbered breadth-first, most edges go to higher numbers and one sweep carries
    the bits along them; each edge to a lower number on a path costs one more sweep. Returns
    None when ``max_sweeps`` do not reach the fixpoint (then use :func:`reach` on the reversed
    graph, whose cost does not depend on the numbering).
    """
    out = bits.copy()
    indptr, indices = graph.indptr, graph.indices
    n = graph.n
    for _ in range(max_sweeps):
        changed = False
        for hi in range(n, 0, -chunk):
            lo = max(0, hi - chunk)
            seg = indptr[lo : hi + 1]
            first, last = int(seg[0]), int(seg[-1])
            if first == last:
                continue
            has = np.flatnonzero(seg[1:] > seg[:-1])  # nodes with edges (reduceat needs them)
            starts = seg[:-1][has] - first
            targets = indices[first:last]
            nodes = lo + has
            while True:
                grown = np.bitwise_or.reduceat(out[targets], starts)
                grown |= out[nodes]
                diff = np.flatnonzero(grown != out[nodes])
                if not diff.size:
                    break
                out[nodes[diff]] = grown[diff]
                changed = True
        if not changed:
            return out
    return None


def bfs(
    graph: CSR, sources: IntArray, edge_ok: BoolArray | None = None
) -> tuple[IntArray, IntArray]:
    """Shortest paths from ``sources``: (distance, edge id of the BFS-tree edge into each node).

    Unreached nodes have distance -1; sources and unreached nodes have parent edge -1. Ties are
    broken towards the lowest source node, then the lowest edge, so the tree is deterministic.
    """
    n = graph.n
    dist = np.full(n, -1, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    frontier = np.unique(np.asarray(sources, dtype=np.int64))
    dist[frontier] = 0
    level = 0
    while frontier.size:
        level += 1
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
