"""Lemma 3 (FLP 1985) on an explored graph: the adversary that keeps a run bivalent forever.

From a bivalent configuration C, serve the process p at the head of a round-robin queue with
e = (p, m), m its oldest pending message (or null); find a shortest sigma that never applies e
with e(sigma(C)) bivalent; repeat. On a finite graph the adversary's state repeats: that
closes a lasso, a fair crash-free run in which every configuration is bivalent. A stage that
fails is reported with FLP's objects (C0, C1 = e'(C0)) and classified as the proof does.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..explorer.statespace import StateSpace
from ..model.semantics import Event
from .nondeciding import _checked
from .runs import Run
from .valence import classify_valence

__all__ = ["Stage", "AdversaryResult", "adversary_run"]


@dataclass(frozen=True)
class Stage:
    """One stage of the Lemma 3 adversary: from bivalent C, serve process p with event e,
    after the shortest sigma avoiding e such that e(sigma(C)) is bivalent."""

    process: int
    event: Event
    sigma: tuple[Event, ...]
    start: int
    end: int
    queue: tuple[int, ...]
    path: tuple[int, ...]
    tried: int = 0


@dataclass(frozen=True)
class AdversaryResult:
    """The adversary's stages, the lasso they close (if they do), or the stage that failed."""

    stages: list[Stage]
    run: Run | None
    cycle_from: int | None
    failed: Stage | None = None
    failure: str = ""
    tried_valences: dict[str, int] = field(default_factory=dict)
    #: FLP's C0, the edge e' and C1 = e'(C0) where e(C0), e(C1) have different valences
    neighbours: tuple[int, int, int] | None = None


def adversary_run(space: StateSpace, start: int | None = None,
                  max_stages: int = 10000) -> AdversaryResult:
    """Lemma 3's adversary from a bivalent initial configuration, until its state repeats."""
    space.require_full("Lemma 3's adversary")
    valence = classify_valence(space)
    # undecided too: where agreement is violated a bivalent configuration may hold a decision
    biv = valence.mask("bivalent") & valence.exact & (space.decided_array == 0)
    if start is None:
        starts = [c for _, c in space.initial if biv[c]]
        if not starts:
            return AdversaryResult([], None, None, failure="no bivalent initial configuration")
        start = starts[0]
    n = space.n
    queue = tuple(range(n))
    pending: list[tuple[int, int]] = []  # (send time, message id) of copies in transit
    time = 0
    cid = start
    stages: list[Stage] = []
    seen: dict[tuple[object, ...], int] = {}
    events: list[Event] = []
    path = [start]
    while len(stages) < max_stages:
        key = (cid, queue, tuple(m for _, m in sorted(pending)))
        if key in seen:
            i = seen[key]
            stem_len = sum(len(s.sigma) + 1 for s in stages[:i])
            run = Run(space.inputs_of(start), tuple(events[:stem_len]), tuple(events[stem_len:]),
                      frozenset(), tuple(path))
            return AdversaryResult(stages, _checked(space, run, 0), i)
        seen[key] = len(stages)
        p = queue[0]
        to_p = sorted((t, m) for t, m in pending if space.table.messages[m][0] == p)
        mid = to_p[0][1] if to_p else None
        e = Event(p, None) if mid is None else space.event(space.n + mid)
        eid = space.event_id(e)
        found = _sigma(space, cid, eid, biv)
        if found is None:
            stage = Stage(p, e, (), cid, -1, queue, ())
            tried, pair = _tried(space, cid, eid, valence)
            failure = f"no sigma avoiding {e} leads to an undecided bivalent e(sigma(C))"
            if pair is not None:
                c0, k, c1 = pair
                e2 = space.event(int(space.edge_event[k]))
                d0, d1 = space.successor(c0, e), space.successor(c1, e)
                assert d0 is not None and d1 is not None  # _tried saw e applied at both
                failure += (
                    f"; FLP's neighbours: C0 = configuration {c0}, C1 = e'(C0) = configuration "
                    f"{c1} with e' = {e2}, e(C0) is {valence.describe(d0)} and e(C1) is "
                    f"{valence.describe(d1)}: "
                    + ("e' and e are events of different processes, so Lemma 1 is broken "
                       "(a model error)" if e2.pid != p else
                       "e' and e are both steps of p" + str(p) + ", so the proof's case 2 "
                       "applies: a run in which p" + str(p) + " crashes never decides"))
            return AdversaryResult(stages, None, None, stage, failure, tried, pair)
        sigma_edges, last = found
        stage_path = [cid]
        for k in [*sigma_edges, last]:
            ev = space.event(space.edge_event[k])
            time += 1
            if ev.msg is not None:
                m = space.edge_event[k] - n
                oldest = min(c for c in pending if c[1] == m)
                pending.remove(oldest)
            dst_sends = _sends(space, k)
            pending += [(time, m) for m in dst_sends]
            events.append(ev)
            stage_path.append(int(space.edge_dst[k]))
        path += stage_path[1:]
        end = stage_path[-1]
        stages.append(Stage(p, e, tuple(space.event(space.edge_event[k]) for k in sigma_edges),
                            cid, end, queue, tuple(stage_path)))
        cid = end
        queue = queue[1:] + queue[:1]
    return AdversaryResult(stages, None, None, failure=f"no repetition within {max_stages} stages")


def _sends(space: StateSpace, edge: int) -> list[int]:
    """The message ids sent by the event of ``edge`` (from the memoized local transition)."""
    src = space.edge_source(edge)
    eid = space.edge_event[edge]
    p = space.event_pid(eid)
    s = space.row(src)[p]
    mid = -1 if eid < space.n else eid - space.n
    return list(space.table.transitions[(p, s, mid)][1])


def _sigma(space: StateSpace, start: int, eid: int | None,
           biv: np.ndarray) -> tuple[list[int], int] | None:
    """BFS over bivalent configurations from ``start`` without applying event ``eid``, to the
    first X where ``eid`` applies and leads to a bivalent configuration: (sigma's edges, e's)."""
    prev: dict[int, int] = {start: -1}
    queue = deque([start])
    while queue:
        c = queue.popleft()
        for k in range(space.indptr[c], space.indptr[c + 1]):
            if space.edge_event[k] == eid and biv[space.edge_dst[k]]:
                edges = []
                x = c
                while x != start:
                    edges.append(prev[x])
                    x = space.edge_source(prev[x])
                return edges[::-1], k
        for k in range(space.indptr[c], space.indptr[c + 1]):
            d = int(space.edge_dst[k])
            if space.edge_event[k] != eid and biv[d] and d not in prev:
                prev[d] = k
                queue.append(d)
    return None


def _tried(space: StateSpace, start: int, eid: int | None,
           valence) -> tuple[dict[str, int], tuple[int, int, int] | None]:
    """Valences of D = e(𝒞), 𝒞 the configurations reachable from C without e; and FLP's
    neighbours: an edge C0 -e'-> C1 inside 𝒞 with e(C0) and e(C1) univalent for different
    values, as (C0, the edge, C1), or None."""
    seen = {start}
    queue = deque([start])
    counts: dict[str, int] = {}
    after: dict[int, str] = {}  # configuration of 𝒞 -> the valence of e applied to it
    inner: list[tuple[int, int, int]] = []
    while queue:
        c = queue.popleft()
        for k in range(int(space.indptr[c]), int(space.indptr[c + 1])):
            d = int(space.edge_dst[k])
            if space.edge_event[k] == eid:
                label = valence.describe(d)
                if label == "bivalent" and space.decided_array[d]:
                    label = "bivalent but decided"
                counts[label] = counts.get(label, 0) + 1
                after[c] = label
            else:
                inner.append((c, k, d))
                if d not in seen:
                    seen.add(d)
                    queue.append(d)
    for c0, k, c1 in inner:
        if {after.get(c0), after.get(c1)} == {"0-valent", "1-valent"}:
            return counts, (c0, k, c1)
    return counts, None
