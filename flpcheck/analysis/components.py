"""Strongly connected components of the configuration graph."""

from __future__ import annotations

import numpy as np

from ..explorer.statespace import StateSpace

__all__ = ["strongly_connected"]


def strongly_connected(space: StateSpace) -> np.ndarray:
    """The strongly connected component of every configuration, labelled 0..k-1 in the order
    of their lowest configuration id (so breadth-first: the component of I(0...0) first)."""
    import scipy.sparse  # here: loading scipy costs every command a fraction of a second
    from scipy.sparse.csgraph import connected_components

    n = len(space)
    csr = space.arrays
    graph = scipy.sparse.csr_matrix((np.ones(len(csr.indices), dtype=np.int8), csr.indices,
                                     csr.indptr), shape=(n, n), copy=True)
    _, labels = connected_components(graph, directed=True, connection="strong")
    _, first = np.unique(labels, return_index=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[labels]
