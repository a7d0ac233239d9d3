"""The run that shows an adversary keeping the protocol undecided: a fair end component as a
lasso, replayed and checked.

From an initial configuration, the stem is a shortest path (choices of the scheduler and of
chance, crashes included) through undecided configurations to a fair end component that does
not decide; the cycle is a closed walk inside it that takes a step of every live process and
receives every message pending to a live process anywhere in it. Chance may of course leave the
cycle, but never the end component: whatever the coins say, the adversary can stay in it, and
picking its actions at random there keeps the run fair with probability 1. The lasso itself is
one run that stays forever, and :func:`~flpcheck.analysis.lasso.check_run` replays it with the
protocol's own ``step`` (chance's outcomes as the events name them) before it is returned.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ..graph import CSR, bfs
from ..lasso import Run, check_run
from .build import SpaceMDP
from .targets import decided_states

__all__ = ["end_component_run"]


def end_component_run(smdp: SpaceMDP, start: int, labels: np.ndarray, inside: np.ndarray,
                      termination: str) -> Run | None:
    """The lasso from state ``start`` into the nearest fair end component (``labels`` >= 0,
    actions ``inside``) through undecided states, or None if none is reachable; one where no
    process ever decides when there is one."""
    mdp = smdp.mdp
    graph = CSR(mdp.out_ptr[mdp.act_ptr].astype(np.int64), mdp.out_dst.astype(np.int64))
    # A run where nobody decides shows the adversary's power best; where every such component
    # needs a decision on the way (termination "all": some processes decide, one never does),
    # the nearest one through configurations that do not decide in ``termination``'s sense.
    for sense in dict.fromkeys(("some", termination)):
        ok_state = ~decided_states(smdp, sense) & ~smdp.cut
        edge_ok = ok_state[mdp.out_src] & ok_state[mdp.out_dst]
        dist, parent = bfs(graph, np.array([start], dtype=np.int64), edge_ok)
        reachable = np.flatnonzero((labels >= 0) & (dist >= 0) & ok_state)
        if reachable.size:
            break
    else:
        return None
    entry = int(reachable[np.argmin(dist[reachable])])
    stem: list[int] = []
    s = entry
    while s != start:
        k = int(parent[s])
        stem.append(k)
        s = int(mdp.out_src[k])
    stem.reverse()
    cycle = _covering_walk(smdp, entry, labels, inside)
    run = _to_run(smdp, start, stem, cycle, entry)
    check_run(smdp.space.protocol, run, smdp.crashes, termination)
    return run


def _covering_walk(smdp: SpaceMDP, start: int, labels: np.ndarray, inside: np.ndarray
                   ) -> list[int]:
    """Outcome ids of a closed walk from ``start`` along the actions ``inside`` its component
    that takes a step of every live process and receives every message pending to a live
    process in some state of the component (greedy: the nearest need first)."""
    from .ends import pending_pairs

    mdp = smdp.mdp
    n = smdp.space.n
    comp = labels[start]
    members = labels == comp
    need_p = set(smdp.live(start))
    _, pm = pending_pairs(smdp, members)
    need_m = set(pm.tolist())
    out_ok = inside[mdp.out_act] & members[mdp.out_src]

    def satisfies(k: int) -> bool:
        a = int(mdp.out_act[k])
        ev = int(mdp.act_event[a])
        return int(mdp.act_pid[a]) in need_p or (ev >= n and ev - n in need_m)

    walk: list[int] = []
    here = start
    while need_p or need_m:
        path = _bfs_inside(mdp, here, out_ok, satisfies)
        for k in path:
            a = int(mdp.out_act[k])
            need_p.discard(int(mdp.act_pid[a]))
            ev = int(mdp.act_event[a])
            if ev >= n:
                need_m.discard(ev - n)
        walk += path
        here = int(mdp.out_dst[path[-1]])
    if here != start or not walk:
        walk += _bfs_inside(mdp, here, out_ok, lambda k: int(mdp.out_dst[k]) == start)
    return walk


def _bfs_inside(mdp, start: int, out_ok: np.ndarray, goal) -> list[int]:
    """Outcome ids of a shortest walk from ``start`` along ``out_ok`` outcomes whose last
    outcome satisfies ``goal``."""
    prev: dict[int, int] = {start: -1}
    queue = deque([start])
    while queue:
        s = queue.popleft()
        lo, hi = int(mdp.out_ptr[mdp.act_ptr[s]]), int(mdp.out_ptr[mdp.act_ptr[s + 1]])
        for k in range(lo, hi):
            if not out_ok[k]:
                continue
            if goal(k):
                path = [k]
                while s != start:
                    e = prev[s]
                    path.append(e)
                    s = int(mdp.out_src[e])
                return path[::-1]
            d = int(mdp.out_dst[k])
            if d not in prev:
                prev[d] = k
                queue.append(d)
    raise AssertionError("an end component holds every action a fair walk needs")


def _to_run(smdp: SpaceMDP, start: int, stem: list[int], cycle: list[int], entry: int) -> Run:
    """The lasso as a :class:`Run` of the space's events (crash actions become the crash set)."""
    space = smdp.space
    mdp = smdp.mdp
    inputs = next(x for x, s in smdp.initial if s == start)

    def events(outs: list[int]) -> list:
        return [space.event_of_edge(int(smdp.out_edge[k])) for k in outs
                if not mdp.zero_time[int(mdp.out_act[k])]]

    path = [int(smdp.config[start])] + [int(smdp.config[int(mdp.out_dst[k])]) for k in stem
                                        if not mdp.zero_time[int(mdp.out_act[k])]]
    path += [int(smdp.config[int(mdp.out_dst[k])]) for k in cycle]
    return Run(tuple(inputs), tuple(events(stem)), tuple(events(cycle)),
               smdp.crash_set(entry), tuple(path))
