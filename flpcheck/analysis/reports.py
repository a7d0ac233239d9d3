"""The values ``flpcheck witness`` and ``flpcheck lemmas`` print: every analysis they show, run
first, with each run and schedule replayed and annotated (:mod:`flpcheck.analysis.explain`).

The output layer formats these values and computes nothing (:mod:`flpcheck.output.witness_report`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..explorer.statespace import StateSpace
from .adversary import AdversaryResult, adversary_run
from .explain import ShownRun, ShownSchedule, show_run, show_schedule
from .lemma1 import Lemma1Result, check_lemma1
from .lemma2 import Lemma2, lemma2
from .properties import PropertyResult, check_safety
from .valence import ValenceMap, classify_valence
from .verdict import Verdict, verdict

__all__ = ["WitnessReport", "witness_report", "LemmasReport", "lemmas_report"]


@dataclass(frozen=True)
class WitnessReport:
    """The verdict with what ``witness`` shows of it: the evidence's shortest schedule, the
    verdict's run, and the non-deciding run when it is another run (``nondeciding_run``;
    ``same_run`` when the verdict's run answers that question too)."""

    space: StateSpace
    verdict: Verdict
    schedule: ShownSchedule | None
    run: ShownRun | None
    nondeciding_run: ShownRun | None
    same_run: bool

    @property
    def exit_code(self) -> int:
        """The verdict's exit code."""
        return self.verdict.exit_code


def witness_report(space: StateSpace, crashes: int = 1,
                   termination: str = "some") -> WitnessReport:
    """The verdict for ``crashes`` and ``termination`` (:func:`~.verdict.verdict`) with its
    runs and schedule replayed and annotated."""
    v = verdict(space, crashes, termination=termination)
    valence = classify_valence(space)
    schedule = None
    if v.evidence is not None and v.evidence.schedule is not None:
        schedule = show_schedule(space, v.evidence.schedule, valence)
    run = None if v.run is None else show_run(space, v.run, valence)
    search = v.nondeciding
    same = search is not None and search.run is v.run
    other = None
    if search is not None and search.exists and not same:
        assert search.run is not None
        other = show_run(space, search.run, valence)
    return WitnessReport(space, v, schedule, run, other, same)


@dataclass(frozen=True)
class LemmasReport:
    """Lemmas 1-3 walked through on a graph: the safety properties violated (the lemmas'
    premise), Lemma 1's diamonds, Lemma 2's chain (with its run shown), the Lemma 3
    adversary's stages and the valence of the configuration each reaches."""

    space: StateSpace
    termination: str
    broken: tuple[PropertyResult, ...]
    lemma1: Lemma1Result
    lemma2: Lemma2
    lemma2_run: ShownRun | None
    adversary: AdversaryResult
    valence: ValenceMap
    stage_ends: tuple[str, ...]

    STAGES_SHOWN = 20
    """How many of the adversary's stages the report lists."""


def lemmas_report(space: StateSpace, termination: str = "some") -> LemmasReport:
    """Every construction of the proof on ``space`` (each runs even when the premise fails)."""
    broken = tuple(p for p in check_safety(space) if p.violated)
    l1 = check_lemma1(space)
    l2 = lemma2(space)
    valence = classify_valence(space)
    l2_run = None if l2.run is None else show_run(space, l2.run, valence)
    adv = adversary_run(space)
    ends = tuple(valence.describe(s.end) for s in adv.stages[:LemmasReport.STAGES_SHOWN])
    return LemmasReport(space, termination, broken, l1, l2, l2_run, adv, valence, ends)
