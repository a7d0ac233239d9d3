"""The FLP constructions on an explored graph: the run that defeats a protocol.

- :func:`nondeciding_run`: an admissible run with at most t crashes in which nobody decides.
- :func:`silent_valence`: val(F, C), the decisions reachable from C without steps of F (Völzer).
- :func:`lemma2`: the chain of initial configurations and its bivalent member or adjacent pair.
- :func:`adversary_run`: Lemma 3's stage-by-stage adversary, closed into a forever-bivalent lasso.
- :func:`verdict`: the first of agreement-violated, validity-violated, trivial,
  blocks-without-crash, not-crash-tolerant, forever-bivalent, none-found; with its evidence,
  and whatever the verdict, whether a non-deciding run with at most t crashes exists.

Every run returned here has been replayed by :func:`flpcheck.runs.check_run`.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from ..explorer.statespace import StateSpace
from ..model.semantics import Event
from ..model.termination import check_termination, decided_targets
from .fairness import fair_lasso
from .graph import reach
from .lemma1 import require_lemma1
from .properties import PropertyResult, check_safety
from .runs import Run, check_run
from .valence import classify_valence

__all__ = ["VERDICT_LINES", "nondeciding_run", "search_nondeciding", "NondecidingSearch", "silent_valence",
           "silent_reach", "blocking_run", "one_crash_run", "lemma2", "Lemma2",
           "adversary_run", "Stage", "AdversaryResult", "verdict", "decide", "Verdict",
           "VERDICTS", "DrawnRun", "run_to_draw"]

VERDICTS = ("agreement-violated", "validity-violated", "trivial", "blocks-without-crash",
            "not-crash-tolerant", "forever-bivalent", "none-found")

VERDICT_LINES = {
    "agreement-violated": "two processes decide differently, or an output changes once set",
    "validity-violated": "from inputs all v, the other value is decided",
    "trivial": "only one value is ever decided",
    "blocks-without-crash": "a fair run with no crash never decides, though its outcome is settled",
    "not-crash-tolerant": "a fair run with at most t crashes never decides",
    "forever-bivalent": "FLP's run: a fair crash-free run that stays bivalent forever",
    "none-found": "no defeating run in the graph (a bound may hide one)",
}
"""One line on each verdict, in the order they are decided."""


def _checked(space: StateSpace, run: Run | None, crashes: int,
             termination: str = "some") -> Run | None:
    if run is not None:
        check_run(space.protocol, run, crashes, termination)
    return run


@dataclass(frozen=True)
class NondecidingSearch:
    """The answer to "is there an admissible run with at most ``crashes`` crashes that never
    decides?": ``exists`` is True with the run, False when the complete graph has none, None
    when a bound cut the exploration and none was found in the explored part (``reason``)."""

    crashes: int
    termination: str
    exists: bool | None
    run: Run | None = None
    reason: str = ""


def nondeciding_run(space: StateSpace, crashes: int = 1, termination: str = "some",
                    min_crashes: int = 0) -> Run | None:
    """An admissible non-deciding run with ``min_crashes`` to ``crashes`` crashed processes, or
    None.

    Tries crash sets by size (fewest first), each by SCC refinement over the configurations that
    do not count as decided (:mod:`flpcheck.termination`); for each the stem is shortest. The
    run is replayed by the independent checker.
    """
    space.require_full("a non-deciding run")
    check_termination(termination)
    for k in range(min_crashes, min(crashes, space.n - 1) + 1):
        for crashed in itertools.combinations(range(space.n), k):
            f = frozenset(crashed)
            for target in decided_targets(space, termination, f):
                nodes = ~target & ~space.cut
                run = fair_lasso(space, nodes, f, stem_nodes=nodes)
                if run is not None:
                    return _checked(space, run, crashes, termination)
    return None


def search_nondeciding(space: StateSpace, crashes: int = 1,
                       termination: str = "some") -> NondecidingSearch:
    """:func:`nondeciding_run`, with what its answer means on a cut graph."""
    run = nondeciding_run(space, crashes, termination)
    if run is not None:
        return NondecidingSearch(crashes, termination, True, run)
    if space.complete:
        return NondecidingSearch(crashes, termination, False)
    return NondecidingSearch(
        crashes, termination, None, None,
        f"not found in the explored part, and the exploration was cut by "
        f"{', '.join(space.cut_reasons)}: such a run may lie beyond it")


def silent_valence(space: StateSpace, crashed: frozenset[int]) -> np.ndarray:
    """val(F, C) for every C as bit codes (bit v: v is decidable from C without F's steps)."""
    rev = space.reverse_arrays  # labelled by process
    ok = np.array([p not in crashed for p in range(space.n)])
    decided = space.decided_array
    r0 = reach(rev, (decided & 1) != 0, ok)
    r1 = reach(rev, (decided & 2) != 0, ok)
    return r0.astype(np.uint8) | (r1.astype(np.uint8) << 1)


def silent_reach(space: StateSpace, crashed: frozenset[int], target: np.ndarray) -> np.ndarray:
    """Boolean array: from C, a configuration in ``target`` is reachable without steps of F.
    With ``target`` the decided configurations this is val(F, C) != {} (Völzer)."""
    rev = space.reverse_arrays  # labelled by process
    ok = np.array([p not in crashed for p in range(space.n)])
    return reach(rev, target, ok)


def crash_run(space: StateSpace, cid: int, crashed: frozenset[int],
              target: np.ndarray | None = None, termination: str = "some") -> Run | None:
    """The run: shortest schedule to ``cid``, the processes in ``crashed`` crash there, and the
    others run fairly forever without reaching ``target`` (default: any decision); needs that
    ``target`` is not reachable from ``cid`` without steps of ``crashed``."""
    if target is None:
        target = space.decided_array != 0
    silent = ~silent_reach(space, crashed, target)
    nodes = reach(space.arrays, _onehot(space, cid), ~np.isin(space.edge_pid, sorted(crashed)))
    nodes &= silent & ~space.cut
    return fair_lasso(space, nodes, crashed, stem_nodes=nodes, sources=[cid], stem_crashed=True)


def _onehot(space: StateSpace, cid: int) -> np.ndarray:
    mask = np.zeros(len(space), dtype=bool)
    mask[cid] = True
    return mask


def one_crash_run(space: StateSpace, crashes: int = 1, termination: str = "some") -> Run | None:
    """Where no decision is reachable without the steps of F from a reachable configuration C
    that is not decided, |F| <= crashes: the run that crashes F at C (C initial preferred, else
    the shallowest). Needs a complete graph (a cut hides continuations)."""
    initial = sorted({c for _, c in space.initial})
    for k in range(1, min(crashes, space.n - 1) + 1):
        best: tuple[int, int, frozenset[int], np.ndarray] | None = None
        for crashed in itertools.combinations(range(space.n), k):
            f = frozenset(crashed)
            for target in decided_targets(space, termination, f):
                empty = ~silent_reach(space, f, target) & ~target & ~space.cut
                hits = [c for c in initial if empty[c]] or list(np.flatnonzero(empty)[:1])
                if hits:
                    cand = (space.depth[hits[0]], int(hits[0]), f, target)
                    if best is None or cand[:2] < best[:2]:
                        best = cand
        if best is not None:
            run = crash_run(space, best[1], best[2], best[3], termination)
            if run is not None:
                return _checked(space, run, crashes, termination)
    return None


def blocking_run(space: StateSpace, termination: str = "some") -> Run | None:
    """A crash-free admissible run that never decides although its outcome is settled: its
    cycle lies in configurations that are certainly not bivalent (univalent, or none-valent:
    no decision reachable at all). Valence only shrinks along a run, so a crash-free
    non-deciding run either stays bivalent forever (FLP's run) or is one of these."""
    valence = classify_valence(space)
    for target in decided_targets(space, termination):
        open_ = ~target & ~space.cut
        settled = open_ & valence.exact & (valence.codes != 3)
        run = fair_lasso(space, settled, frozenset(), stem_nodes=open_)
        if run is not None:
            return _checked(space, run, 0, termination)
    return None


@dataclass(frozen=True)
class Lemma2:
    """The chain I_0 = 0...0, I_1 = 10...0, ..., I_N = 1...1 with valences, and what it shows."""

    chain: list[tuple[tuple[int, ...], str]]
    bivalent: tuple[int, ...] | None
    pair: tuple[tuple[int, ...], tuple[int, ...]] | None
    process: int | None
    run: Run | None
    detail: str


def lemma2(space: StateSpace) -> Lemma2:
    """Lemma 2 on the model: a bivalent initial configuration, or the adjacent univalent pair,
    the process p where they differ, and the run with p dead from the start."""
    space.require_full("Lemma 2")
    n = space.n
    valence = classify_valence(space)
    chain = []
    for k in range(n + 1):
        x = tuple([1] * k + [0] * (n - k))
        cid = space.initial_id(x)
        chain.append((x, "not explored" if cid is None else valence.describe(cid)))
    for x, label in chain:
        if label == "bivalent":
            return Lemma2(chain, x, None, None, None,
                          f"I({''.join(map(str, x))}) is bivalent: the outcome is not yet fixed")
    for (x, a), (y, b) in itertools.pairwise(chain):
        if {a, b} == {"0-valent", "1-valent"}:
            p = next(i for i in range(n) if x[i] != y[i])
            for z in (x, y):
                cid = space.initial_id(z)
                assert cid is not None
                if silent_valence(space, frozenset({p}))[cid] == 0:
                    run = _checked(space, crash_run(space, cid, frozenset({p})), 1)
                    return Lemma2(chain, None, (x, y), p, run,
                                  f"I({''.join(map(str, x))}) is {a} and I({''.join(map(str, y))}) "
                                  f"is {b}; they differ only in p{p}'s input, so with p{p} dead "
                                  f"from the start no decision is reachable from "
                                  f"I({''.join(map(str, z))})")
            return Lemma2(chain, None, (x, y), p, None,
                          "MODEL ERROR: a p-silent deciding run exists from both members of the "
                          "adjacent pair, which the FLP assumptions rule out")
    return Lemma2(chain, None, None, None, None,
                  "no bivalent configuration and no adjacent 0-valent/1-valent pair in the "
                  "chain (the protocol is trivial or some initial configuration is none-valent)")


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


@dataclass(frozen=True)
class Verdict:
    """What defeats the protocol, with its evidence.

    ``nondeciding`` answers, whatever the verdict, whether an admissible run with at most
    ``crashes`` crashes never decides (under ``termination``).
    """

    verdict: str
    complete: bool
    detail: str
    crashes: int
    run: Run | None = None
    evidence: PropertyResult | None = None
    adversary: AdversaryResult | None = None
    lemma2: Lemma2 | None = None
    properties: list[PropertyResult] = field(default_factory=list)
    termination: str = "some"
    nondeciding: NondecidingSearch | None = None

    @property
    def exit_code(self) -> int:
        """0 forever-bivalent or none-found; 1 for a protocol defeated otherwise."""
        return 0 if self.verdict in ("forever-bivalent", "none-found") else 1


def verdict(space: StateSpace, crashes: int = 1, lemma1_budget: int = 2000,
            termination: str = "some") -> Verdict:
    """The first verdict that applies, with its evidence; see :func:`decide` for the order.

    Model validity comes first: Lemma 1 is checked on up to ``lemma1_budget`` diamonds with the
    protocol's own code, and a failure raises :class:`~flpcheck.errors.SharedStateError`.
    Whatever the verdict, ``nondeciding`` then says whether a non-deciding run with at most
    ``crashes`` crashes exists (the verdict's own run when it has one).
    """
    space.require_full("the verdict and its run")
    check_termination(termination)
    require_lemma1(space, lemma1_budget)
    found = decide(space, crashes, termination)
    if found.run is not None:
        search = NondecidingSearch(crashes, termination, True, found.run)
    else:
        search = search_nondeciding(space, crashes, termination)
    return replace(found, nondeciding=search)


def decide(space: StateSpace, crashes: int, termination: str) -> Verdict:
    """The verdict, in this order: agreement-violated, validity-violated, trivial,
    blocks-without-crash (a crash-free fair run that never decides though its outcome is
    settled), not-crash-tolerant (a fair run with at most ``crashes`` crashes that never
    decides), forever-bivalent (FLP's run: a fair crash-free run that stays bivalent forever),
    none-found."""
    props = check_safety(space)
    agreement, validity, nontriv = props
    complete = space.complete

    def result(name: str, detail: str, **kw: object) -> Verdict:
        return Verdict(name, complete, detail, crashes, properties=props,
                       termination=termination, **kw)  # type: ignore[arg-type]

    if agreement.violated:
        return result("agreement-violated", agreement.detail, evidence=agreement)
    if validity.violated:
        return result("validity-violated", validity.detail, evidence=validity)
    if nontriv.violated:
        return result("trivial", nontriv.detail, evidence=nontriv)
    valence = classify_valence(space)
    run = blocking_run(space, termination)
    if run is not None:
        cycle = run.path[len(run.stem)] if run.path else None
        label = "settled" if cycle is None else valence.label(cycle)
        why = ("no decision is reachable from its cycle" if label == "none" else
               f"its cycle is {label}: the outcome is fixed, yet a fair schedule never "
               "reaches a decision")
        who = "nobody decides" if termination == "some" else "some process never decides"
        return result("blocks-without-crash",
                      f"a fair run without any crash in which {who}: {why}", run=run)
    if crashes >= 1:
        run = one_crash_run(space, crashes, termination) if complete else None
        if run is None:
            run = nondeciding_run(space, crashes, termination, min_crashes=1)
        if run is not None:
            who = ", ".join(f"p{p}" for p in sorted(run.crashed))
            others = ("nobody decides" if termination == "some" else
                      "some process that keeps running never decides")
            return result("not-crash-tolerant",
                          f"{who} crashes after {run.crash_point} steps (the others then "
                          f"need {len(run.stem) - run.crash_point} more to reach the cycle), "
                          f"and the others run fairly forever while {others}", run=run,
                          lemma2=lemma2(space))
    adv = adversary_run(space)
    if adv.run is not None:
        return result("forever-bivalent",
                      f"the Lemma 3 adversary keeps every configuration bivalent: "
                      f"{len(adv.stages)} stages, the lasso closes at stage {adv.cycle_from}",
                      run=adv.run, adversary=adv, lemma2=lemma2(space))
    biv = valence.mask("bivalent") & ~space.cut
    run = _checked(space, fair_lasso(space, biv, frozenset(), stem_nodes=biv), 0)
    if run is not None:
        return result("forever-bivalent", "a fair cycle of bivalent configurations (the "
                      f"adversary failed: {adv.failure})", run=run, adversary=adv)
    return result("none-found", "no defeating run found in the explored graph"
                  + ("" if complete else " (a bound cut the exploration)"),
                  adversary=adv, lemma2=lemma2(space))


@dataclass(frozen=True)
class DrawnRun:
    """The run a picture shows: configuration ids, where the cycle starts (None: no cycle),
    the event of every step (the closing one included for a lasso) and a title."""

    path: tuple[int, ...]
    cycle_start: int | None
    events: tuple[Event, ...]
    title: str


def run_to_draw(space: StateSpace, crashes: int = 1, termination: str = "some") -> DrawnRun:
    """The run that shows the protocol's weakness: the verdict's run when it has one (the
    forever-bivalent lasso, or the non-deciding run with its crash), else the shortest
    schedule to an agreement violation, else the breadth-first path to the deepest bivalent
    configuration, else to the deepest configuration."""
    v = verdict(space, crashes, termination=termination)
    if v.run is not None:
        crashed = ", ".join(f"p{p}" for p in sorted(v.run.crashed))
        return DrawnRun(v.run.path, len(v.run.stem), v.run.events,
                        v.verdict + (f" (crashed: {crashed})" if crashed else ""))
    agreement = check_safety(space)[0]
    if agreement.schedule is not None:
        sched = agreement.schedule
        start = space.initial_id(sched.inputs)
        if start is not None:
            return DrawnRun(tuple(space.follow(start, list(sched.events))), None, sched.events,
                            "shortest agreement violation")
    valence = classify_valence(space)
    depth = np.asarray(space.depth)
    bivalent = np.flatnonzero(valence.codes == 3)
    pool, what = (bivalent, "deepest bivalent configuration") if bivalent.size else (
        np.arange(len(space)), "deepest configuration")
    target = int(pool[np.argmax(depth[pool])])  # argmax: the lowest id among the deepest
    init, edges = space.path_to(target)
    path = (init, *(int(space.edge_dst[k]) for k in edges))
    events = tuple(space.event(int(space.edge_event[k])) for k in edges)
    return DrawnRun(path, None, events, f"BFS path to the {what}")
