"""Walks through the explored graph: a shortest walk to a wanted edge, and the closed walk
through a component that takes every step fairness asks for.

The fair cycles of the crash-free search (:mod:`.fairness`), of the search after GST
(:mod:`.gst_fair`) and the stages after GST (:mod:`.gst_stages`) are all built from these two.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ..explorer.statespace import StateSpace

__all__ = ["shortest_walk", "covering_walk"]


def shortest_walk(space: StateSpace, start: int, allowed: npt.NDArray[np.bool_],
                  goal: Callable[[int], bool]) -> list[int] | None:
    """Edge ids of a shortest walk from configuration ``start`` along ``allowed`` edges whose
    last edge satisfies ``goal``; None when there is none."""
    prev: dict[int, int] = {start: -1}
    queue = deque([start])
    while queue:
        c = queue.popleft()
        for k in range(int(space.indptr[c]), int(space.indptr[c + 1])):
            if not allowed[k]:
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
    return None


def covering_walk(space: StateSpace, start: int, inside: npt.NDArray[np.bool_],
                  need_p: set[int], need_m: set[int]) -> list[int]:
    """Edge ids of a closed walk from ``start`` along ``inside`` edges (the edges of a strongly
    connected component) that takes a step of every process in ``need_p`` and receives every
    message id in ``need_m`` (greedy: the nearest wanted edge first). The sets are consumed.
    Processes are read per event (no per-edge array is built: the graph may be large)."""
    n = space.n

    def wanted(k: int) -> bool:
        eid = int(space.edge_event[k])
        return space.event_pid(eid) in need_p or (eid >= n and eid - n in need_m)

    walk: list[int] = []
    here = start
    while need_p or need_m:
        path = _inside(space, here, inside, wanted)
        for k in path:
            eid = int(space.edge_event[k])
            need_p.discard(space.event_pid(eid))
            if eid >= n:
                need_m.discard(eid - n)
        walk += path
        here = int(space.edge_dst[path[-1]])
    if here != start:
        walk += _inside(space, here, inside, lambda k: int(space.edge_dst[k]) == start)
    return walk


def _inside(space: StateSpace, start: int, inside: npt.NDArray[np.bool_],
            goal: Callable[[int], bool]) -> list[int]:
    walk = shortest_walk(space, start, inside, goal)
    if walk is None:
        raise AssertionError("a strongly connected component holds every edge a fair walk needs")
    return walk
