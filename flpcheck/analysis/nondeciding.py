"""Admissible runs that never decide, found on an explored graph.

A run with crash set F is admissible when every process outside F steps infinitely often, the
processes of F eventually stop, and every message to a process outside F is eventually
received; it is non-deciding when nobody decides (termination ``some``, FLP's definition) or
some process outside F never decides (``all``). On a finite graph such a run is a lasso whose
cycle is fair (:mod:`flpcheck.analysis.fairness`). Every run returned here has been replayed
by the independent checker :func:`flpcheck.analysis.lasso.check_run`.

- :func:`nondeciding_run`: any such run with at most t crashes (fewest crashes first);
- :func:`one_crash_run`: the run where F crashes at a configuration from which the others can
  reach no decision on their own (val(F, C) = {}: Völzer 2004), C initial if possible;
- :func:`blocking_run`: a crash-free one whose outcome is settled (not bivalent) yet never
  decided.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..explorer.engine import StopCheck
from ..explorer.limits import AnalysisStopped
from ..explorer.statespace import StateSpace
from ..model.termination import check_termination
from .fairness import fair_lasso
from .graph import reach
from .lasso import Run, check_run
from .valence import classify_valence

__all__ = ["NondecidingSearch", "nondeciding_run", "search_nondeciding", "silent_valence",
           "silent_reach", "crash_run", "one_crash_run", "blocking_run", "decided_targets"]


def decided_targets(space: StateSpace, termination: str,
                    crashed: frozenset[int] = frozenset()) -> list[np.ndarray]:
    """The decisions a non-deciding run with crash set ``crashed`` must avoid, one boolean array
    per way of not deciding: any decision (``some``); or, for each process outside the crash
    set, a decision of that process (``all``)."""
    if termination == "some":
        return [space.decided_array != 0]
    return [space.process_decided[:, p] for p in range(space.n) if p not in crashed]


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
                    min_crashes: int = 0, stop: StopCheck | None = None) -> Run | None:
    """An admissible non-deciding run with ``min_crashes`` to ``crashes`` crashed processes, or
    None.

    Tries crash sets by size (fewest first), each by SCC refinement over the configurations that
    do not count as decided (:mod:`flpcheck.model.termination`); for each the stem is shortest. The
    run is replayed by the independent checker.
    """
    space.require_full("a non-deciding run")
    check_termination(termination)
    for k in range(min_crashes, min(crashes, space.n - 1) + 1):
        for crashed in itertools.combinations(range(space.n), k):
            f = frozenset(crashed)
            for target in decided_targets(space, termination, f):
                nodes = ~target & ~space.cut
                run = fair_lasso(space, nodes, f, stem_nodes=nodes, stop=stop)
                if run is not None:
                    return _checked(space, run, crashes, termination)
    return None


def search_nondeciding(space: StateSpace, crashes: int = 1,
                       termination: str = "some",
                       stop: StopCheck | None = None) -> NondecidingSearch:
    """:func:`nondeciding_run`, with what its answer means on a cut graph; ``stop()`` giving
    a reason before the search is done leaves the answer not established (None)."""
    try:
        run = nondeciding_run(space, crashes, termination, stop=stop)
    except AnalysisStopped as stopped:
        return NondecidingSearch(crashes, termination, None, None,
                                 f"{stopped.reason} before the search finished")
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


def blocking_run(space: StateSpace, termination: str = "some",
                 uncertain: bool = False) -> Run | None:
    """A crash-free admissible run that never decides although its outcome is settled: its
    cycle lies in configurations that are certainly not bivalent (univalent, or none-valent:
    no decision reachable at all). Valence only shrinks along a run, so a crash-free
    non-deciding run either stays bivalent forever (FLP's run) or is one of these.

    With ``uncertain``, the cycle lies instead in configurations whose valence a bound left
    a lower bound (not bivalent in the explored part, but they reach what it left unexplored):
    a run that is one of these or FLP's, which exploring further would tell."""
    valence = classify_valence(space)
    for target in decided_targets(space, termination):
        open_ = ~target & ~space.cut
        known = ~valence.exact if uncertain else valence.exact
        settled = open_ & known & (valence.codes != 3)
        run = fair_lasso(space, settled, frozenset(), stem_nodes=open_)
        if run is not None:
            return _checked(space, run, 0, termination)
    return None
