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
from typing import Any, NamedTuple

import numpy as np

from ..errors import UsageError
from ..explorer.statespace import StateSpace
from ..model.semantics import Event, apply_event
from ..model.values import canonical_key
from .graph import edge_sources, reach
from .lasso import Run
from .nondeciding import _checked
from .valence import LABELS, ValenceMap, classify_valence

__all__ = ["Stage", "AdversaryResult", "adversary_run", "Lemma3Sets", "lemma3_sets",
           "lemma3_event", "lemma3_sigma", "lemma3_neighbours", "Neighbours"]


@dataclass(frozen=True)
class Stage:
    """One stage of the Lemma 3 adversary: from bivalent C, serve process p with event e,
    after the shortest sigma avoiding e such that e(sigma(C)) is bivalent (for a step left to
    chance, ``event`` names the outcome that lands there)."""

    process: int
    event: Event
    sigma: tuple[Event, ...]
    start: int
    end: int
    queue: tuple[int, ...]
    path: tuple[int, ...]
    tried: int = 0


class Neighbours(NamedTuple):
    """FLP's neighbours: C0, the edge e' with C1 = e'(C0), and the outcome of e (None for a
    deterministic step) for which e(C0) and e(C1) are univalent for different values."""

    c0: int
    edge: int
    c1: int
    outcome: int | None = None


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
    neighbours: Neighbours | None = None
    #: the bivalent configuration the adversary starts from (None: there is none)
    start: int | None = None


def _unexplored_note(space: StateSpace, valence: ValenceMap) -> str:
    """Where "no bivalent initial configuration" speaks only of part of the graph: inputs left
    out (--inputs) or valences a bound left unsettled."""
    notes = []
    if len(space.initial) < 2 ** space.n:
        notes.append(f"{2 ** space.n - len(space.initial)} input vectors not explored (--inputs)")
    if not all(valence.is_certain(c) for _, c in space.initial):
        notes.append("a bound cut the exploration: one may lie beyond")
    return f" in the explored part ({'; '.join(notes)})" if notes else ""


def adversary_run(space: StateSpace, start: int | None = None,
                  max_stages: int = 10000) -> AdversaryResult:
    """Lemma 3's adversary from ``start``, by default the first bivalent initial configuration
    (in input order), until its state repeats."""
    space.require_full("Lemma 3's adversary")
    valence = classify_valence(space)
    # undecided too: where agreement is violated a bivalent configuration may hold a decision
    biv = valence.mask("bivalent") & valence.exact & (space.decided_array == 0)
    if start is None:
        starts = [c for _, c in space.initial if biv[c]]
        if not starts:
            cut = [c for _, c in space.initial if valence.codes[c] == 3]
            return AdversaryResult([], None, None, failure=(
                "every bivalent initial configuration reaches what a bound left unexplored, "
                "and the adversary needs all it reaches" if cut else
                "no bivalent initial configuration" + _unexplored_note(space, valence)))
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
            return AdversaryResult(stages, _checked(space, run, 0), i, start=start)
        seen[key] = len(stages)
        p = queue[0]
        to_p = sorted((t, m) for t, m in pending if space.table.messages[m][0] == p)
        mid = to_p[0][1] if to_p else None
        e = Event(p, None) if mid is None else space.event(space.n + mid)
        eid = space.event_id(e)
        found = lemma3_sigma(space, cid, eid, biv)
        if found is None:
            tried, pair = lemma3_neighbours(space, cid, eid, valence)
            return AdversaryResult(stages, None, None, Stage(p, e, (), cid, -1, queue, ()),
                                   _stuck(space, cid, e, eid, pair, valence), tried, pair,
                                   start)
        sigma_edges, last = found
        stage_path = [cid]
        for k in [*sigma_edges, last]:
            ev = space.event_of_edge(k)
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
        # e as applied: with chance's outcome where e is left to chance
        stages.append(Stage(p, space.event_of_edge(last),
                            tuple(space.event_of_edge(k) for k in sigma_edges),
                            cid, end, queue, tuple(stage_path)))
        cid = end
        queue = queue[1:] + queue[:1]
    return AdversaryResult(stages, None, None, failure=f"no repetition within {max_stages} stages",
                           start=start)


def _stuck(space: StateSpace, cid: int, e: Event, eid: int | None, pair: Neighbours | None,
           valence: ValenceMap) -> str:
    """Why the adversary is stuck at ``cid`` with event ``e``: no sigma exists, with FLP's
    neighbours C0, C1 = e'(C0) classified as the proof classifies them, and where chance
    decides among e's outcomes."""
    p = e.pid
    failure = f"no sigma avoiding {e} leads to an undecided bivalent e(sigma(C))"
    if pair is not None:
        c0, k, c1, outcome = pair
        e2 = space.event_of_edge(k)
        e_o = e._replace(outcome=outcome)
        d0, d1 = space.successor(c0, e_o), space.successor(c1, e_o)
        assert d0 is not None and d1 is not None  # lemma3_neighbours saw e applied at both
        failure += (
            f"; FLP's neighbours: C0 = configuration {c0}, C1 = e'(C0) = configuration "
            f"{c1} with e' = {e2}, e(C0) is {valence.describe(d0)} and e(C1) is "
            f"{valence.describe(d1)}: "
            + ("e' and e are events of different processes, so Lemma 1 is broken "
               "(a model error)" if e2.pid != p else
               "e' and e are both steps of p" + str(p) + ", so the proof's case 2 "
               "applies: a run in which p" + str(p) + " crashes never decides"))
    split = chance_split(space, cid, eid, valence)
    if split is not None:
        failure += (f"; at configuration {split} chance decides: the outcomes of {e} "
                    "lead to a 0-valent and a 1-valent configuration (Lemma 3 assumes "
                    "every step has one result)")
    return failure


def _sends(space: StateSpace, edge: int) -> list[int]:
    """The message ids sent by the event of ``edge``, in its outcome (the memoized local
    transition; a graph gathered from Ray workers has no memo yet: the table then computes
    it, checked)."""
    src = space.edge_source(edge)
    eid = space.edge_event[edge]
    p = space.event_pid(eid)
    s = space.row(src)[p]
    mid = -1 if eid < space.n else eid - space.n
    outcome = space.event_of_edge(edge).outcome
    return list(space.table.outcomes(p, int(s), mid)[outcome or 0][2])


def lemma3_sigma(space: StateSpace, start: int, eid: int | None,
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


def lemma3_neighbours(space: StateSpace, start: int, eid: int | None,
                      valence: ValenceMap) -> tuple[dict[str, int], Neighbours | None]:
    """Valences of D = e(𝒞), 𝒞 the configurations reachable from C without e, each
    configuration of D counted once (two configurations of 𝒞 may have one image); and FLP's
    neighbours: an edge C0 -e'-> C1 inside 𝒞 with e(C0) and e(C1) univalent for different
    values (for a step left to chance: e with one same outcome at both), or None."""
    seen = {start}
    queue = deque([start])
    images: dict[int, str] = {}  # D: configuration -> its valence label
    # (configuration of 𝒞, outcome of e) -> the valence of e applied to it
    after: dict[tuple[int, int | None], str] = {}
    inner: list[tuple[int, int, int]] = []
    while queue:
        c = queue.popleft()
        for k in range(int(space.indptr[c]), int(space.indptr[c + 1])):
            d = int(space.edge_dst[k])
            if space.edge_event[k] == eid:
                label = valence.describe(d)
                if label == "bivalent" and space.decided_array[d]:
                    label = "bivalent but decided"
                images[d] = label
                after[(c, space.event_of_edge(k).outcome)] = label
            else:
                inner.append((c, k, d))
                if d not in seen:
                    seen.add(d)
                    queue.append(d)
    counts: dict[str, int] = {}
    for label in images.values():
        counts[label] = counts.get(label, 0) + 1
    outcomes = sorted({o for _, o in after}, key=lambda o: -1 if o is None else o)
    for c0, k, c1 in inner:
        for o in outcomes:
            if {after.get((c0, o)), after.get((c1, o))} == {"0-valent", "1-valent"}:
                return counts, Neighbours(c0, k, c1, o)
    return counts, None


def chance_split(space: StateSpace, start: int, eid: int | None,
                 valence: ValenceMap) -> int | None:
    """The first configuration of 𝒞 (reachable from ``start`` without event ``eid``) at which
    the outcomes of a step left to chance lead to a 0-valent and a 1-valent configuration,
    or None (always None without chance)."""
    if space.edge_probability is None:
        return None
    seen = {start}
    queue = deque([start])
    while queue:
        c = queue.popleft()
        labels = set()
        for k in range(int(space.indptr[c]), int(space.indptr[c + 1])):
            d = int(space.edge_dst[k])
            if space.edge_event[k] == eid:
                labels.add(valence.describe(d))
            elif d not in seen:
                seen.add(d)
                queue.append(d)
        if {"0-valent", "1-valent"} <= labels:
            return c
    return None


@dataclass(frozen=True, eq=False)
class Lemma3Sets:
    """FLP's objects at one configuration C and event e = (p, m): the set 𝒞 of configurations
    reachable from C without applying e (``reach``, a mask), D = e(𝒞) (``d``, a mask), the
    edges applying e from 𝒞 (``e_edges``) and the other edges inside 𝒞 (``c_edges``), e(C),
    and the valence counts of D. Lemma 3: if C is bivalent, D holds a bivalent configuration.
    For a step left to chance, D holds every outcome of e and e(C) is the outcome the event
    names (outcome 0 when it names none)."""

    config: int
    event: Event
    reach: np.ndarray
    d: np.ndarray
    e_edges: np.ndarray
    c_edges: np.ndarray
    e_of_c: int | None
    counts: dict[str, int]


def lemma3_sets(space: StateSpace, config: int, event: Event,
                valence: ValenceMap | None = None) -> Lemma3Sets:
    """:class:`Lemma3Sets` at configuration ``config`` for ``event``; a usage error when e is
    not applicable at C."""
    valence = classify_valence(space) if valence is None else valence
    if not 0 <= config < len(space):
        raise UsageError(f"Lemma 3: no configuration {config}")
    given = Event(*event)
    eid = space.event_id(given)
    event = space.event(eid) if eid is not None else given
    e_of_c = None
    if eid is not None:
        e_at_c = [k for k in range(int(space.indptr[config]), int(space.indptr[config + 1]))
                  if space.edge_event[k] == eid]
        named = [k for k in e_at_c if space.event_of_edge(k).outcome == given.outcome]
        e_of_c = next((int(space.edge_dst[k]) for k in named or e_at_c), None)
    if eid is None or (e_of_c is None and not space.cut[config]):
        e_text = f"p{event.pid}:" + ("null" if event.msg is None
                                     else space.protocol.format_payload(event.msg))
        raise UsageError(f"Lemma 3: e = {e_text} is not applicable at c{config}")
    csr, events = space.arrays, space.events_array
    start = np.zeros(len(space), dtype=bool)
    start[config] = True
    not_e = events != eid
    in_c = reach(csr, start, edge_ok=not_e)
    src = edge_sources(csr.indptr)
    e_edges = np.flatnonzero(in_c[src] & ~not_e)
    c_edges = np.flatnonzero(in_c[src] & not_e)
    in_d = np.zeros(len(space), dtype=bool)
    in_d[np.unique(csr.indices[e_edges])] = True
    counts = {label: int(np.count_nonzero(valence.mask(label) & in_d)) for label in LABELS}
    return Lemma3Sets(config, event, in_c, in_d, e_edges, c_edges, e_of_c, counts)


def lemma3_event(space: StateSpace, config: int | None = None,
                   process: int | None = None) -> tuple[int, Event, str]:
    """(C, e, note): where to look at Lemma 3 when the user does not say.

    C defaults to the first bivalent initial configuration (else the first bivalent one, else
    the first initial one); p to process 0; e = (p, m) with m the oldest message pending for p
    along the shortest schedule to C (by send time, ties by payload order), or null.
    """
    valence = classify_valence(space)
    note = ""
    if config is None:
        initial = [cid for _, cid in space.initial]
        bivalent = [c for c in initial if valence.label(c) == "bivalent"]
        if not bivalent:
            any_bivalent = np.flatnonzero(valence.codes == 3)
            bivalent = [int(any_bivalent[0])] if any_bivalent.size else []
        if bivalent:
            config = bivalent[0]
        else:
            config = initial[0]
            note = "no configuration is bivalent: Lemma 3 starts from a bivalent one"
    if not 0 <= config < len(space):
        raise UsageError(f"--config {config}: the space has configurations 0..{len(space) - 1}")
    if space.cut[config]:
        raise UsageError(f"--config {config}: this configuration was not expanded (a bound cut "
                         f"the exploration here): Lemma 3 needs every configuration reachable "
                         f"from it")
    pid = 0 if process is None else process
    if not 0 <= pid < space.n:
        raise UsageError(f"--process {pid}: processes are 0..{space.n - 1}")
    return config, _oldest_event(space, config, pid), note


def _oldest_event(space: StateSpace, cid: int, pid: int) -> Event:
    """(pid, m) for the oldest copy pending for ``pid`` along the schedule to ``cid``, or null."""
    sched = space.schedule_to(cid)
    config = space.configuration(space.initial_id(sched.inputs))  # type: ignore[arg-type]
    pending: list[tuple[int, int, Any]] = []  # (send time, dst, payload)
    for t, event in enumerate(sched.events):
        step = apply_event(space.protocol, config, event)
        if event.msg is not None:
            i = next(i for i, (_, d, pl) in enumerate(pending)
                     if (d, pl) == (event.pid, event.msg))
            del pending[i]
        pending += [(t, d, pl) for d, pl in step.sends]
        config = step.config
    mine = sorted((m for m in pending if m[1] == pid), key=lambda m: (m[0], canonical_key(m[2])))
    return Event(pid, mine[0][2]) if mine else Event(pid, None)
