"""A directed graph in compressed sparse row form: how a state space keeps its edges.

A graph is ``(indptr, indices)``: the successors of node ``v`` are
``indices[indptr[v]:indptr[v + 1]]``, and edge ``k`` is the ``k``-th entry of ``indices``. The
passes over such graphs (reachability, breadth-first search, fixpoints) are in
:mod:`flpcheck.analysis.graph`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["CSR", "reverse", "edge_sources", "IntArray"]

IntArray = npt.NDArray[np.integer]


class CSR:
    """A directed graph on nodes 0..n-1 as compressed sparse rows, with edge ids kept."""

    __slots__ = ("indptr", "indices", "edge_ids")

    def __init__(self, indptr: IntArray, indices: IntArray, edge_ids: IntArray | None = None):
        self.indptr = indptr
        self.indices = indices
        #: the id of each edge in the original graph (None for a forward graph: the identity)
        self.edge_ids = edge_ids

    @property
    def n(self) -> int:
        return len(self.indptr) - 1


def edge_sources(indptr: IntArray) -> IntArray:
    """The source node of every edge."""
    counts = np.diff(indptr)
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def reverse(graph: CSR, labels: npt.NDArray[np.integer] | None = None) -> CSR:
    """The graph with every edge reversed. Each reversed edge carries ``labels[k]`` of the
    forward edge k it comes from (by default k itself) in ``edge_ids``.

    Uses scipy's CSR-to-CSC conversion: a counting sort in C with int32 indices, so no
    int64 temporaries the size of the edge list.
    """
    import scipy.sparse  # here: the commands that never reverse a graph do not load scipy

    n = graph.n
    e = len(graph.indices)
    if labels is None:
        labels = np.arange(e, dtype=np.int32) if graph.edge_ids is None else graph.edge_ids
    small = e < 2**31 - 1  # int32 index arrays throughout: scipy then copies nothing to int64
    indptr = np.asarray(graph.indptr, dtype=np.int32) if small else graph.indptr
    forward = scipy.sparse.csr_matrix((labels, graph.indices, indptr), shape=(n, n), copy=False)
    backward = forward.tocsc()  # column v lists the sources of the edges into v
    # tocsc keeps duplicate (parallel) edges as separate entries and sums nothing
    return CSR(backward.indptr, backward.indices, backward.data)
