"""Exact linear algebra on small sparse systems, and the order in which strongly connected
components can be solved one after the other.

:func:`solve_exact` solves ``x - A x = b`` over the rationals by Gaussian elimination on sparse
rows (the systems here come from absorbing Markov chains restricted to one strongly connected
component: ``I - A`` is a nonsingular M-matrix, so pivoting on the diagonal never meets a zero).
:func:`sink_first_levels` orders the components of a graph so that every component comes after
all the components it has edges to.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from .mdp import IntArray

__all__ = ["solve_exact", "components", "sink_first_levels"]


def solve_exact(rows: list[dict[int, Fraction]], rhs: list[Fraction]) -> list[Fraction]:
    """The solution of ``x[i] - sum_j rows[i][j] * x[j] = rhs[i]`` for i = 0..m-1.

    >>> solve_exact([{1: Fraction(1, 2)}, {0: Fraction(1, 2)}], [Fraction(1, 2), Fraction(0)])
    [Fraction(2, 3), Fraction(1, 3)]
    """
    m = len(rows)
    eq: list[dict[int, Fraction]] = []
    for i in range(m):
        row = {i: Fraction(1)}
        for j, a in rows[i].items():
            row[j] = row.get(j, Fraction(0)) - a
        eq.append({j: v for j, v in row.items() if v})
    b = list(rhs)
    users: list[set[int]] = [set() for _ in range(m)]  # column j -> rows holding it
    for i, row in enumerate(eq):
        for j in row:
            users[j].add(i)
    for i in range(m):
        row = eq[i]
        piv = row[i]
        if piv == 0:
            raise ArithmeticError("singular system")
        if piv != 1:
            for j in row:
                row[j] /= piv
            b[i] /= piv
        for k in sorted(users[i] - {i}):
            other = eq[k]
            f = other.pop(i)
            users[i].discard(k)
            for j, v in row.items():
                if j == i:
                    continue
                w = other.get(j, Fraction(0)) - f * v
                if w:
                    other[j] = w
                    users[j].add(k)
                elif j in other:
                    del other[j]
                    users[j].discard(k)
            b[k] -= f * b[i]
    x = [Fraction(0)] * m
    for i in range(m - 1, -1, -1):
        x[i] = b[i] - sum((v * x[j] for j, v in eq[i].items() if j != i), Fraction(0))
    return x


def components(n: int, src: IntArray, dst: IntArray) -> IntArray:
    """The strongly connected components of the graph on nodes 0..n-1 with edges src -> dst."""
    g = scipy.sparse.csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    _, labels = connected_components(g, directed=True, connection="strong")
    return labels.astype(np.int64)


def sink_first_levels(n_comp: int, csrc: IntArray, cdst: IntArray) -> list[IntArray]:
    """The components 0..n_comp-1 in levels: every edge csrc -> cdst between two components
    goes from a later level to an earlier one (level 0: the components without edges out)."""
    keep = csrc != cdst  # parallel edges stay: counted in and taken out alike
    s, d = csrc[keep], cdst[keep]
    outdeg = np.bincount(s, minlength=n_comp).astype(np.int64)
    order = np.argsort(d, kind="stable")
    preds = s[order]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(d, minlength=n_comp))])
    frontier = np.flatnonzero(outdeg == 0)
    levels = []
    while frontier.size:
        levels.append(frontier)
        starts, ends = ptr[frontier], ptr[frontier + 1]
        lens = ends - starts
        if not lens.sum():
            break
        idx = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
        p = preds[idx]
        dec = np.bincount(p, minlength=n_comp)
        before = outdeg > 0
        outdeg -= dec
        frontier = np.flatnonzero(before & (outdeg == 0))
    if sum(len(level) for level in levels) != n_comp:
        raise AssertionError("the condensation of a graph has a cycle")
    return levels
