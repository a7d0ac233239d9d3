"""The text reports of ``flpcheck witness`` and ``flpcheck lemmas`` (rich).

Every run and schedule shown is replayed with the protocol's own code first
(:func:`flpcheck.analysis.annotate`).
"""

from __future__ import annotations

from rich.console import Console

from ..analysis.adversary import adversary_run
from ..analysis.explain import annotate
from ..analysis.lemma1 import check_lemma1
from ..analysis.lemma2 import Lemma2, lemma2
from ..analysis.nondeciding import silent_valence
from ..analysis.properties import check_safety
from ..analysis.runs import Run
from ..analysis.valence import classify_valence
from ..analysis.verdict import Verdict
from ..explorer.statespace import Schedule, StateSpace
from ..model.termination import DEFINITIONS
from .report import cut_notice, print_schedule, print_steps

__all__ = ["print_run", "print_nondeciding", "print_verdict", "print_lemma2", "print_lemmas"]

_CODES = {0: "none", 1: "0-valent", 2: "1-valent", 3: "bivalent"}


def _steps(k: int) -> str:
    return f"{k} step" if k == 1 else f"{k} steps"


def print_run(console: Console, space: StateSpace, run: Run, title: str) -> None:
    """Stem and cycle as numbered steps with the state after each, the sends and the valence
    reached; with a crash, also the valence without the crashed processes' steps (what the
    others can still decide on their own)."""
    crashed = ", ".join(f"p{p}" for p in sorted(run.crashed)) or "none"
    when = ("" if not run.crashed else ", dead from the start" if run.crash_point == 0
            else f", crashing after step {run.crash_point}")
    console.print(f"[bold]{title}[/bold] (crashed: {crashed}{when})")
    start, steps = annotate(space, Schedule(run.inputs, run.stem + run.cycle))
    extra = None
    if run.crashed:
        codes = silent_valence(space, run.crashed)
        heading = "without " + ", ".join(f"p{p}" for p in sorted(run.crashed))
        extra = (heading, [_CODES[int(codes[c])] for c in run.path[1:]])
    console.print(f"  from inputs {''.join(map(str, run.inputs))} ({start})")
    stem, cycle = steps[: len(run.stem)], steps[len(run.stem):]
    if stem:
        console.print(f"  stem, {_steps(len(stem))}:")
        print_steps(console, space, stem,
                    None if extra is None else (extra[0], extra[1][: len(stem)]))
    console.print(f"  cycle (repeated forever), {_steps(len(cycle))}:")
    print_steps(console, space, cycle,
                None if extra is None else (extra[0], extra[1][len(stem):]),
                first=len(stem) + 1)
    if run.crashed:
        console.print(f"  the column \"{extra[0]}\" is the valence counting only the steps of "  # type: ignore[index]
                      "the processes that keep running: none means they can never decide on "
                      "their own")


def print_nondeciding(console: Console, space: StateSpace, v: Verdict) -> None:
    """Whether a non-deciding run with at most t crashes exists (searched whatever the
    verdict)."""
    search = v.nondeciding
    if search is None:
        return
    head = f"non-deciding run with at most {search.crashes} crash{'es' if search.crashes != 1 else ''}"
    if search.exists is None:
        console.print(f"{head}: not established: {search.reason}")
    elif not search.exists:
        console.print(f"{head}: none (the complete graph was searched)")
    elif search.run is v.run:
        console.print(f"{head}: yes, the run above")
    else:
        console.print(f"{head}: yes")
        assert search.run is not None
        print_run(console, space, search.run, "  the non-deciding run (replayed and checked)")


def print_verdict(console: Console, space: StateSpace, v: Verdict) -> None:
    """The text report of ``flpcheck witness``."""
    console.print(f"[bold]{type(space.protocol).__name__}[/bold], N={space.n}: "
                  f"{len(space):,} configurations, {space.num_events:,} events; crashes <= "
                  f"{v.crashes}; termination {v.termination}: {DEFINITIONS[v.termination]}")
    if not space.complete:
        console.print(f"[yellow]{cut_notice(space)}[/yellow]")
    console.print(f"verdict: [bold]{v.verdict}[/bold]: {v.detail}")
    if v.evidence is not None and v.evidence.schedule is not None:
        print_schedule(console, space, v.evidence.schedule, "shortest schedule")
    if v.run is not None:
        print_run(console, space, v.run, "the run (replayed and checked)")
    elif v.adversary is not None and v.adversary.stages:
        adv = v.adversary
        console.print(f"the Lemma 3 adversary kept the run bivalent for {len(adv.stages)} "
                      f"stages, then stopped: {adv.failure}"
                      + (" (a bound of the model or of the exploration ends it)"
                         if adv.failed is not None and adv.neighbours is None else ""))
        for i, st in enumerate(adv.stages):
            sigma = ", ".join(str(e) for e in st.sigma) or "empty"
            console.print(f"  stage {i}: p{st.process}, e = {st.event}; sigma = {sigma}")
    print_nondeciding(console, space, v)


def print_lemma2(console: Console, space: StateSpace, l2: Lemma2) -> None:
    """The Lemma 2 chain and its conclusion."""
    console.print("[bold]Lemma 2[/bold] (some initial configuration is bivalent): the chain")
    for x, label in l2.chain:
        console.print(f"    I({''.join(map(str, x))}): {label}")
    console.print(f"  {l2.detail}")
    if l2.run is not None:
        print_run(console, space, l2.run, f"  the run with p{l2.process} dead from the start")


def print_lemmas(console: Console, space: StateSpace, termination: str = "some") -> None:
    """The text report of ``flpcheck lemmas``."""
    console.print(f"[bold]{type(space.protocol).__name__}[/bold], N={space.n}: "
                  f"{len(space):,} configurations, {space.num_events:,} events; termination "
                  f"{termination}: {DEFINITIONS[termination]}")
    if not space.complete:
        console.print(f"[yellow]{cut_notice(space)}[/yellow]")
    broken = [p for p in check_safety(space) if p.violated]
    if broken:
        console.print("[yellow]The lemmas' premise fails: the proof assumes a partially correct "
                      "protocol, and this one violates "
                      + ", ".join(p.name for p in broken) + f" ({broken[0].detail}). What "
                      "follows still runs each construction on the graph.[/yellow]")
    l1 = check_lemma1(space)
    total = l1.total
    sample = (f"all {total:,}" if l1.checked == total
              else f"{l1.checked:,} of {total:,}, sampled")
    console.print(f"[bold]Lemma 1[/bold] (disjoint schedules commute): diamonds checked with "
                  f"the protocol's own step: {sample}; "
                  + ("all commute" if l1.holds else "one FAILS"))
    if not l1.holds:
        console.print(f"  {l1.detail}")
    print_lemma2(console, space, lemma2(space))
    valence = classify_valence(space)
    adv = adversary_run(space)
    console.print("[bold]Lemma 3[/bold] (from a bivalent configuration, some bivalent "
                  "configuration is reachable after any event e):")
    for i, s in enumerate(adv.stages[:20]):
        sigma = ", ".join(str(e) for e in s.sigma) or "empty"
        console.print(f"  stage {i}: p{s.process}, e = {s.event}; sigma = {sigma}; "
                      f"e(sigma(C)) is {valence.describe(s.end)}; queue {list(s.queue)}")
    if len(adv.stages) > 20:
        console.print(f"  ... {len(adv.stages) - 20} more stages")
    if adv.run is not None:
        console.print(f"  the adversary's state repeats: a lasso closes at stage {adv.cycle_from}")
    else:
        console.print(f"  the adversary stops: {adv.failure}")
        if adv.failed is not None:
            found = ", ".join(f"{k} {label}" for label, k in sorted(adv.tried_valences.items()))
            console.print(f"  at C = configuration {adv.failed.start}, e = {adv.failed.event}: "
                          f"D = e(𝒞) holds {found or 'nothing'}")
