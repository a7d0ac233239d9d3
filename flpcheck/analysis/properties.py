"""The safety properties of consensus, each with a shortest schedule as evidence.

- Agreement: no reachable configuration holds two different decision values, and no output
  changes once set (the write-once register of FLP).
- Validity: from I(0...0) only 0 is ever decided; from I(1...1) only 1.
- Non-triviality: both 0 and 1 are decided in some reachable configuration.

Violations found are certain even in a cut space; "holds" on a cut space only speaks for the
explored part (``certain`` is false). Where nothing was established either way (validity when
neither uniform input vector was explored; non-triviality when a bound cut the exploration,
or ``--inputs`` left out input vectors, before both values were decided) ``holds`` is None,
never False.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..explorer.engine import StopCheck
from ..explorer.limits import AnalysisStopped
from ..explorer.statespace import Schedule, StateSpace
from ..model.inputs import all_inputs
from .graph import bfs, reach

__all__ = ["PropertyResult", "check_agreement", "check_validity", "check_nontriviality",
           "check_safety"]


@dataclass(frozen=True)
class PropertyResult:
    """The outcome of one property: holds (True), violated (False) or not established (None);
    whether that is certain; and the evidence."""

    name: str
    holds: bool | None
    certain: bool
    #: the shortest schedule to a violation (None when the property holds)
    schedule: Schedule | None = None
    #: what the evidence shows, in words
    detail: str = ""
    #: further schedules (non-triviality: one to each decision value)
    witnesses: dict[str, Schedule] = field(default_factory=dict)
    #: the configuration reached by ``schedule`` (None when it holds)
    config: int | None = None

    @property
    def violated(self) -> bool:
        """True when a violation was found (which is always certain)."""
        return self.holds is False


def check_agreement(space: StateSpace) -> PropertyResult:
    """Two decision values in one configuration, or an output that changes once set."""
    both = np.flatnonzero(space.decided_array == 3)
    best: PropertyResult | None = None
    if both.size:
        cid = int(both[0])  # ids are in BFS order: the first is a shallowest one
        best = PropertyResult(
            "agreement", False, True, _schedule(space, cid),
            "two processes decide differently: outputs " + _outputs(space, cid) + _NOTE[
                space.reduced], config=cid)
    edge = space.decision_change_edge
    if edge is not None:
        src = space.edge_source(edge)
        if best is None or space.depth[src] + 1 < (space.depth[best.config] if best.config
                                                    is not None else 0):
            sched = _schedule(space, src)
            event = space.event_of_edge(edge)
            dst = space.edge_dst[edge]
            p = event.pid
            best = PropertyResult(
                "agreement", False, True,
                None if sched is None else Schedule(sched.inputs, sched.events + (event,)),
                f"p{p} changes its output from {space.outputs(src)[p]} to "
                f"{space.outputs(dst)[p]} (a decision once made can't be changed)"
                + _NOTE[space.reduced], config=int(dst))
    if best is not None:
        return best
    return PropertyResult("agreement", True, space.complete,
                          detail="no configuration holds two decision values")


def check_validity(space: StateSpace, stop: StopCheck | None = None) -> PropertyResult:
    """From all-0 inputs 1 is never decided, and from all-1 inputs 0 is never decided.
    ``stop()`` giving a reason before the check is done leaves it not established."""
    try:
        return _check_validity(space, stop)
    except AnalysisStopped as stopped:
        return PropertyResult("validity", None, False,
                              detail=f"{stopped.reason} before the check finished")


def _check_validity(space: StateSpace, stop: StopCheck | None) -> PropertyResult:
    n = space.n
    checked = []
    for v in (0, 1):
        start = space.initial_id((v,) * n)
        if start is None:
            continue
        checked.append(str(v) * n)
        other = 1 - v
        decides_other = (space.decided_array >> other) & 1 == 1
        sources = np.zeros(len(space), dtype=bool)
        sources[start] = True
        seen = reach(space.arrays, sources, stop=stop)
        if (seen & decides_other).any():  # only then the distances (16 bytes per configuration)
            dist, parent = bfs(space.arrays, np.array([start]), stop=stop)
            bad = np.flatnonzero((dist >= 0) & decides_other)
            cid = int(bad[np.argmin(dist[bad])])  # argmin: the first (lowest id) of the nearest
            detail = f"every input is {v}, yet {other} is decided: outputs {_outputs(space, cid)}"
            if space.reduced:
                return PropertyResult("validity", False, True, None, detail + _NOTE[True],
                                      config=cid)
            events = []
            c = cid
            while c != start:
                k = int(parent[c])
                events.append(space.event_of_edge(k))
                c = space.edge_source(k)
            return PropertyResult(
                "validity", False, True, Schedule((v,) * n, tuple(reversed(events))), detail,
                config=cid)
    if not checked:
        return PropertyResult("validity", None, False,
                              detail="not checked: neither all-0 nor all-1 inputs were explored")
    return PropertyResult("validity", True, space.complete,
                          detail="from inputs " + " and ".join(checked)
                          + " only the common input is decided")


def check_nontriviality(space: StateSpace) -> PropertyResult:
    """Both decision values are reached: some run decides 0 and some run decides 1."""
    decided = space.decided_array
    first = {v: np.flatnonzero((decided >> v) & 1 == 1)[:1] for v in (0, 1)}
    found = [v for v in (0, 1) if first[v].size]
    witnesses: dict[str, Schedule] = {}
    if not space.reduced:
        witnesses = {str(v): space.schedule_to(int(first[v][0])) for v in found}
    if len(found) == 2:
        return PropertyResult("nontriviality", True, True,
                              detail="0 and 1 are both decided in some run", witnesses=witnesses)
    never = [str(v) for v in (0, 1) if v not in found]
    detail = f"{never[0]} is never decided" if len(never) == 1 else "neither 0 nor 1 is decided"
    if not space.complete:
        return PropertyResult("nontriviality", None, False, witnesses=witnesses,
                              detail=detail + " in the explored part, which a bound cut: not "
                              "established either way")
    explored = {x for x, _ in space.initial}
    if explored != set(all_inputs(space.n)):
        shown = ", ".join("".join(map(str, x)) for x in sorted(explored))
        return PropertyResult("nontriviality", None, False, witnesses=witnesses,
                              detail=f"{detail} from inputs {shown}; the other input vectors "
                              "were not explored (--inputs): not established either way")
    return PropertyResult("nontriviality", False, True, detail=detail, witnesses=witnesses)


def check_safety(space: StateSpace, stop: StopCheck | None = None) -> list[PropertyResult]:
    """Agreement, validity and non-triviality, in that order (``stop``: see
    :func:`check_validity`; the other two are single passes over the configurations)."""
    return [check_agreement(space), check_validity(space, stop), check_nontriviality(space)]


_NOTE = {False: "", True: " (the schedule is not kept under symmetry reduction: explore "
                         "without --symmetry to see it)"}


def _schedule(space: StateSpace, cid: int) -> Schedule | None:
    """The shortest schedule to ``cid``; None on a reduced space, where there is none."""
    return None if space.reduced else space.schedule_to(cid)


def _outputs(space: StateSpace, cid: int) -> str:
    return "(" + ", ".join("_" if o is None else str(o) for o in space.outputs(cid)) + ")"

