"""The text reports of ``flpcheck witness`` and ``flpcheck lemmas`` (rich): the values of
:mod:`flpcheck.analysis.reports`, formatted. Every run and schedule shown was replayed with the
protocol's own code by the analysis that made the value.
"""

from __future__ import annotations

from rich.console import Console

from ..analysis.explain import ShownRun
from ..analysis.reports import LemmasReport, WitnessReport
from ..explorer.statespace import StateSpace
from ..model.inputs import bits
from ..model.termination import DEFINITIONS
from .report import cut_notice, print_schedule, print_steps, schedule_title
from .text import styled

__all__ = ["print_run", "print_nondeciding", "print_verdict", "print_lemmas"]


def _steps(k: int) -> str:
    return f"{k} step" if k == 1 else f"{k} steps"


def print_run(console: Console, space: StateSpace, shown: ShownRun, title: str) -> None:
    """Stem and cycle as numbered steps with the state after each, the sends and the valence
    reached; with a crash, also the valence without the crashed processes' steps (what the
    others can still decide on their own)."""
    run = shown.run
    crashed = ", ".join(f"p{p}" for p in sorted(run.crashed)) or "none"
    when = ("" if not run.crashed else ", dead from the start" if run.crash_point == 0
            else f", crashing after step {run.crash_point}")
    console.print(styled("[bold]{}[/bold] (crashed: {}{})", title, crashed, when))
    start, steps = shown.start, list(shown.steps)
    extra = None
    if shown.silent is not None:
        heading = "without " + ", ".join(f"p{p}" for p in sorted(run.crashed))
        extra = (heading, list(shown.silent))
    console.print(f"  from inputs {bits(run.inputs)} ({start})")
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


def print_nondeciding(console: Console, report: WitnessReport) -> None:
    """Whether a non-deciding run with at most t crashes exists (searched whatever the
    verdict)."""
    search = report.verdict.nondeciding
    if search is None:
        return
    head = f"non-deciding run with at most {search.crashes} crash{'es' if search.crashes != 1 else ''}"
    if search.exists is None:
        console.print(f"{head}: not established: {search.reason}")
    elif not search.exists:
        console.print(f"{head}: none (the complete graph was searched)")
    elif report.same_run:
        console.print(f"{head}: yes, the run above")
    else:
        console.print(f"{head}: yes")
        assert report.nondeciding_run is not None
        print_run(console, report.space, report.nondeciding_run,
                  "  the non-deciding run (replayed and checked)")


def print_verdict(console: Console, report: WitnessReport) -> None:
    """The text report of ``flpcheck witness``."""
    space, v = report.space, report.verdict
    console.print(styled("[bold]{}[/bold], N={}: {}", type(space.protocol).__name__, space.n,
                         f"{len(space):,} configurations, {space.num_events:,} events; crashes "
                         f"<= {v.crashes}; termination {v.termination}: "
                         f"{DEFINITIONS[v.termination]}"))
    if not space.complete:
        console.print(styled("[yellow]{}[/yellow]", cut_notice(space)))
    console.print(styled("verdict: [bold]{}[/bold]: {}", v.verdict, v.detail))
    if report.schedule is not None:
        print_schedule(console, space, report.schedule, schedule_title(space))
    if report.run is not None:
        print_run(console, space, report.run, "the run (replayed and checked)")
    elif v.adversary is not None and v.adversary.stages:
        adv = v.adversary
        console.print(f"the Lemma 3 adversary kept the run bivalent for {len(adv.stages)} "
                      f"stages, then stopped: {adv.failure}"
                      + (" (a bound of the model or of the exploration ends it)"
                         if adv.failed is not None and adv.neighbours is None else ""))
        for i, st in enumerate(adv.stages):
            sigma = ", ".join(str(e) for e in st.sigma) or "empty"
            console.print(f"  stage {i}: p{st.process}, e = {st.event}; sigma = {sigma}")
    print_nondeciding(console, report)


def print_lemmas(console: Console, report: LemmasReport) -> None:
    """The text report of ``flpcheck lemmas``."""
    space, termination = report.space, report.termination
    console.print(styled("[bold]{}[/bold], N={}: {}", type(space.protocol).__name__, space.n,
                         f"{len(space):,} configurations, {space.num_events:,} events; "
                         f"termination {termination}: {DEFINITIONS[termination]}"))
    if not space.complete:
        console.print(styled("[yellow]{}[/yellow]", cut_notice(space)))
    broken = report.broken
    if broken:
        console.print(styled(
            "[yellow]The lemmas' premise fails: the proof assumes a partially correct protocol, "
            "and this one violates {} ({}). What follows still runs each construction on the "
            "graph.[/yellow]", ", ".join(p.name for p in broken), broken[0].detail))
    l1 = report.lemma1
    total = l1.total
    sample = (f"all {total:,}" if l1.checked == total
              else f"{l1.checked:,} of {total:,}, sampled")
    console.print(styled("[bold]Lemma 1[/bold] (disjoint schedules commute): diamonds checked "
                         "with the protocol's own step: {}; {}", sample,
                         "all commute" if l1.holds else "one FAILS"))
    if not l1.holds:
        console.print(f"  {l1.detail}")
    _print_lemma2(console, report)
    _print_lemma3(console, report)


def _print_lemma2(console: Console, report: LemmasReport) -> None:
    """The Lemma 2 chain and its conclusion."""
    l2 = report.lemma2
    console.print(styled("[bold]Lemma 2[/bold] (some initial configuration is bivalent): the "
                         "chain"))
    for x, label in l2.chain:
        console.print(f"    I({bits(x)}): {label}")
    console.print(f"  {l2.detail}")
    if report.lemma2_run is not None:
        print_run(console, report.space, report.lemma2_run,
                  f"  the run with p{l2.process} dead from the start")


def _print_lemma3(console: Console, report: LemmasReport) -> None:
    """The adversary's stages and how it ends."""
    adv = report.adversary
    console.print(styled("[bold]Lemma 3[/bold] (from a bivalent configuration, some bivalent "
                         "configuration is reachable after any event e):"))
    initial = {cid: x for x, cid in report.space.initial}
    if adv.start is not None and adv.start in initial:
        first = bits(initial[adv.start])
        named = report.lemma2.bivalent
        other = ("" if named is None or bits(named) == first else
                 f"; the chain above found I({bits(named)}): the proof may start from any "
                 "bivalent configuration")
        console.print(f"  the adversary starts from C = I({first}) (configuration {adv.start}), "
                      f"the first bivalent initial configuration{other}")
    elif adv.start is not None:
        console.print(f"  the adversary starts from C = configuration {adv.start}")
    for i, (s, end) in enumerate(zip(adv.stages, report.stage_ends, strict=False)):
        sigma = ", ".join(str(e) for e in s.sigma) or "empty"
        console.print(f"  stage {i}: p{s.process}, e = {s.event}; sigma = {sigma}; "
                      f"e(sigma(C)) is {end}; queue {list(s.queue)}")
    shown = report.STAGES_SHOWN
    if len(adv.stages) > shown:
        console.print(f"  ... {len(adv.stages) - shown} more stages")
    if adv.run is not None:
        console.print(f"  the adversary's state repeats: a lasso closes at stage {adv.cycle_from}")
    else:
        console.print(f"  the adversary stops: {adv.failure}")
        if adv.failed is not None:
            found = ", ".join(f"{k} {label}" for label, k in sorted(adv.tried_valences.items()))
            console.print(f"  at C = configuration {adv.failed.start}, e = {adv.failed.event}: "
                          f"D = e(𝒞) holds {found or 'nothing'}")
