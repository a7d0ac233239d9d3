"""The verdict: the first way the protocol is defeated, with its evidence.

In this order: agreement-violated, validity-violated, trivial, blocks-without-crash,
not-crash-tolerant, forever-bivalent, none-found (see :data:`VERDICT_LINES`). Whatever the
verdict, whether a non-deciding run with at most t crashes exists is answered too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..explorer.statespace import StateSpace
from ..model.semantics import Event
from ..model.termination import check_termination
from .adversary import AdversaryResult, adversary_run
from .fairness import fair_lasso
from .lasso import Run
from .lemma1 import require_lemma1
from .lemma2 import Lemma2, lemma2
from .nondeciding import (
    NondecidingSearch,
    _checked,
    blocking_run,
    nondeciding_run,
    one_crash_run,
    search_nondeciding,
)
from .properties import PropertyResult, check_safety
from .valence import classify_valence

__all__ = ["VERDICTS", "VERDICT_LINES", "Verdict", "verdict", "decide", "DrawnRun",
           "run_to_draw"]

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
    ``crashes`` crashes exists (the verdict's own run when it has one). At most N-1 processes
    crash (one is left to take steps): a larger ``crashes`` is taken as N-1, and the verdict's
    ``crashes`` says so.
    """
    space.require_full("the verdict and its run")
    crashes = min(crashes, space.n - 1)
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
            when = (f"{who} is dead from the start" if run.crash_point == 0 else
                    f"{who} crashes after step {run.crash_point}")
            rest = len(run.stem) - run.crash_point
            more = (f" (the others then take {rest} more step{'s' if rest > 1 else ''} to the cycle)"
                    if rest else "")
            return result("not-crash-tolerant",
                          f"{when}{more}, and the others run fairly forever while {others}",
                          run=run, lemma2=lemma2(space))
    adv = adversary_run(space)
    if adv.run is not None:
        return result("forever-bivalent",
                      f"the Lemma 3 adversary keeps every configuration bivalent: "
                      f"{len(adv.stages)} stages, the lasso closes at stage {adv.cycle_from}"
                      + _cut_note(space, crashes, termination),
                      run=adv.run, adversary=adv, lemma2=lemma2(space))
    biv = valence.mask("bivalent") & ~space.cut
    run = _checked(space, fair_lasso(space, biv, frozenset(), stem_nodes=biv), 0)
    if run is not None:
        return result("forever-bivalent", "a fair cycle of bivalent configurations (the "
                      f"adversary failed: {adv.failure})" + _cut_note(space, crashes, termination),
                      run=run, adversary=adv)
    return result("none-found", "no defeating run found in the explored graph"
                  + ("" if complete else " (a bound cut the exploration)"),
                  adversary=adv, lemma2=lemma2(space))


def _cut_note(space: StateSpace, crashes: int, termination: str) -> str:
    """On a graph a bound cut, what a forever-bivalent verdict leaves open: an earlier verdict
    may lie beyond the bound, and a crash-free run that never decides in configurations of
    not yet known valence is named (blocks-without-crash if they are univalent)."""
    if space.complete:
        return ""
    run = blocking_run(space, termination, uncertain=True)
    if run is None:
        earlier = "blocks-without-crash" + (", not-crash-tolerant" if crashes else "")
        return f"; a bound cut the exploration: an earlier verdict ({earlier}) may lie beyond it"
    inputs = "".join(map(str, run.inputs))
    return (f"; a bound cut the exploration, and a fair run without crash from inputs {inputs} "
            f"also never decides, in a cycle whose valence the bound leaves unknown (at least "
            f"{classify_valence(space).label(run.path[len(run.stem)])}): blocks-without-crash "
            "if it is univalent, which exploring further would tell")


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
    schedule to the violation of a safety verdict (agreement, validity) or to an agreement
    violation, else the breadth-first path to the deepest bivalent configuration, else to the
    deepest configuration."""
    v = verdict(space, crashes, termination=termination)
    if v.run is not None:
        crashed = ", ".join(f"p{p}" for p in sorted(v.run.crashed))
        return DrawnRun(v.run.path, len(v.run.stem), v.run.events,
                        v.verdict + (f" (crashed: {crashed})" if crashed else ""))
    violated = v.evidence if v.evidence is not None else check_safety(space)[0]
    if violated.violated and violated.schedule is not None:
        sched = violated.schedule
        start = space.initial_id(sched.inputs)
        if start is not None:
            return DrawnRun(tuple(space.follow(start, list(sched.events))), None, sched.events,
                            f"shortest {violated.name} violation")
    valence = classify_valence(space)
    depth = np.asarray(space.depth)
    bivalent = np.flatnonzero(valence.codes == 3)
    pool, what = (bivalent, "deepest bivalent configuration") if bivalent.size else (
        np.arange(len(space)), "deepest configuration")
    target = int(pool[np.argmax(depth[pool])])  # argmax: the lowest id among the deepest
    init, edges = space.path_to(target)
    path = (init, *(int(space.edge_dst[k]) for k in edges))
    events = tuple(space.event_of_edge(k) for k in edges)
    return DrawnRun(path, None, events, f"BFS path to the {what}")
