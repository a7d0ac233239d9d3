"""``flpcheck witness`` and ``flpcheck lemmas``: the run that defeats a protocol, and the proof's
lemmas walked through on it."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console

from ..analysis.explain import annotate, schedule_to_json
from ..analysis.lemma1 import check_lemma1
from ..analysis.runs import Run, run_to_json
from ..analysis.stages import check_staged_run, staged_adversary, staged_run_to_json
from ..analysis.valence import classify_valence
from ..analysis.verdict import (
    VERDICT_LINES,
    Lemma2,
    NondecidingSearch,
    Verdict,
    adversary_run,
    lemma2,
    silent_valence,
    verdict,
)
from ..explorer.statespace import Schedule, StateSpace
from ..model.loader import load_protocol
from ..model.semantics import Event
from ..model.termination import DEFINITIONS
from ..model.values import to_json
from ..output.report import cut_notice, print_schedule, print_steps
from .common import EXIT_INTERRUPTED, explore_options, run_exploration, termination_option

__all__ = ["witness_command", "lemmas_command", "verdict_to_json", "print_run"]

_CODES = {0: "none", 1: "0-valent", 2: "1-valent", 3: "bivalent"}


def nondeciding_to_json(search: NondecidingSearch) -> dict[str, Any]:
    """``{"crashes", "exists", "reason", "run"}``: exists is true (with the run), false (the
    complete graph has none) or null (not established, ``reason`` says why)."""
    return {"crashes": search.crashes, "exists": search.exists,
            "reason": search.reason or None, "run": run_to_json(search.run)}


def verdict_to_json(v: Verdict, space: StateSpace) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck witness``."""
    out: dict[str, Any] = {
        "protocol": type(space.protocol).__name__,
        "processes": space.n,
        "crashes": v.crashes,
        "termination": v.termination,
        "verdict": v.verdict,
        "detail": v.detail,
        "complete": v.complete,
        "cut_reasons": list(space.cut_reasons),
        "configurations": len(space),
        "events": space.num_events,
        "evidence": None if v.evidence is None else {
            "property": v.evidence.name, "schedule": schedule_to_json(v.evidence.schedule)},
        "run": run_to_json(v.run),
        "nondeciding": None if v.nondeciding is None else nondeciding_to_json(v.nondeciding),
        "stages": None,
        "cycle_from_stage": None,
    }
    if v.adversary is not None and v.adversary.run is not None:
        out["stages"] = [
            {"process": s.process, "event": [s.event.pid, to_json(s.event.msg)],
             "sigma": [[e.pid, to_json(e.msg)] for e in s.sigma]}
            for s in v.adversary.stages
        ]
        out["cycle_from_stage"] = v.adversary.cycle_from
    return out


def print_run(console: Console, space: StateSpace, run: Run, title: str) -> None:
    """Stem and cycle as numbered steps with the state after each, the sends and the valence
    reached; with a crash, also the valence without the crashed processes' steps (what the
    others can still decide on their own)."""
    crashed = ", ".join(f"p{p}" for p in sorted(run.crashed)) or "none"
    console.print(f"[bold]{title}[/bold] (crashed: {crashed}"
                  + (f", crashing after step {run.crash_point}" if run.crashed else "") + ")")
    start, steps = annotate(space, Schedule(run.inputs, run.stem + run.cycle))
    extra = None
    if run.crashed:
        codes = silent_valence(space, run.crashed)
        heading = "without " + ", ".join(f"p{p}" for p in sorted(run.crashed))
        extra = (heading, [_CODES[int(codes[c])] for c in run.path[1:]])
    console.print(f"  from inputs {''.join(map(str, run.inputs))} ({start})")
    stem, cycle = steps[: len(run.stem)], steps[len(run.stem):]
    if stem:
        console.print(f"  stem, {len(stem)} steps:")
        print_steps(console, space, stem,
                    None if extra is None else (extra[0], extra[1][: len(stem)]))
    console.print(f"  cycle (repeated forever), {len(cycle)} steps:")
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


_VERDICT_HELP = "\n".join(f"  {name:20} {line}" for name, line in VERDICT_LINES.items())


@click.command("witness", epilog=f"""\b
Verdicts (the first that applies; exit 1 for the first five, 0 for the last two):
{_VERDICT_HELP}

\b
Examples:
  flpcheck witness models/leader_broadcast.py
  flpcheck witness models/flip_flop.py --crashes 0
  flpcheck witness models/majority.py --json
  flpcheck witness models/paxos_unbounded.py --stages 6""")
@explore_options
@click.option("--crashes", "-t", type=click.IntRange(min=0), default=1, show_default=True,
              help="Crash budget t of the admissible runs searched.")
@termination_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--stages", type=click.IntRange(min=1),
              help="Build only the first K stages of the Lemma 3 adversary, on demand, without "
                   "exploring everything (for infinite-state protocols).")
@click.option("--cert-configs", type=click.IntRange(min=1), default=20000, show_default=True,
              help="With --stages: configurations each bivalence certificate search may visit.")
@click.option("--sigma-configs", type=click.IntRange(min=1), default=2000, show_default=True,
              help="With --stages: configurations each stage's search for sigma may visit.")
def witness_command(model: str, processes: int | None, inputs: str | None,
                    max_configs: int | None, max_buffer: int | None, max_depth: int | None,
                    timeout: float | None, max_memory: str | None, crashes: int,
                    termination: str, as_json: bool, stages: int | None, cert_configs: int,
                    sigma_configs: int) -> None:
    """The verdict for MODEL and the run that defeats it (FLP Lemmas 1-3)."""
    if stages is not None:
        sys.exit(_staged(model, processes, stages, cert_configs, sigma_configs, as_json))
    protocol, space, stop = run_exploration(model, processes, inputs, max_configs, max_buffer,
                                            max_depth, timeout, max_memory, quiet=as_json)
    v = verdict(space, crashes, termination=termination)
    if as_json:
        click.echo(json.dumps(verdict_to_json(v, space), indent=2))
    else:
        print_verdict(Console(highlight=False), space, v)
    if stop.signal_name:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(v.exit_code)


def print_lemma2(console: Console, space: StateSpace, l2: Lemma2) -> None:
    """The Lemma 2 chain and its conclusion."""
    console.print("[bold]Lemma 2[/bold] (some initial configuration is bivalent): the chain")
    for x, label in l2.chain:
        console.print(f"    I({''.join(map(str, x))}): {label}")
    console.print(f"  {l2.detail}")
    if l2.run is not None:
        print_run(console, space, l2.run, f"  the run with p{l2.process} dead from the start")


@click.command("lemmas")
@explore_options
@termination_option
def lemmas_command(model: str, processes: int | None, inputs: str | None,
                   max_configs: int | None, max_buffer: int | None, max_depth: int | None,
                   timeout: float | None, max_memory: str | None, termination: str) -> None:
    """Walk through FLP's Lemmas 1, 2 and 3 on MODEL, with the evidence of each."""
    protocol, space, stop = run_exploration(model, processes, inputs, max_configs, max_buffer,
                                            max_depth, timeout, max_memory)
    console = Console(highlight=False)
    print_lemmas(console, space, termination)
    sys.exit(EXIT_INTERRUPTED if stop.signal_name else 0)


def print_lemmas(console: Console, space: StateSpace, termination: str = "some") -> None:
    """The text report of ``flpcheck lemmas``."""
    from ..analysis.properties import check_safety

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
    sample = "all" if l1.checked == total else f"{l1.checked:,} of {total:,}, sampled"
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


def _staged(model: str, processes: int | None, stages: int, cert_configs: int,
            sigma_configs: int, as_json: bool) -> int:
    """``witness --stages``: exit 0 when every stage was built, 1 when a search stopped at a
    bound, the adversary is stuck, or a safety violation was met."""
    protocol = load_protocol(model, processes)
    run = staged_adversary(protocol, stages, cert_configs=cert_configs,
                           sigma_configs=sigma_configs)
    check_staged_run(protocol, run)
    code = 0 if not run.failure else 1
    if as_json:
        click.echo(json.dumps(staged_run_to_json(run, protocol), indent=2))
        return code
    console = Console(highlight=False)
    fmt = protocol.format_payload

    def ev(e: Event) -> str:
        return f"p{e.pid}:{'null' if e.msg is None else fmt(e.msg)}"

    if run.violation is not None:
        v = run.violation
        console.print(f"[bold]{type(protocol).__name__}[/bold], N={protocol.processes}: "
                      f"verdict: [bold]{v.property}-violated[/bold]: {v.detail}; the searches of "
                      "the staged adversary met it, so no stage is built (the adversary keeps "
                      "runs undecided)")
        console.print(f"  schedule from inputs {''.join(map(str, v.inputs))} (replayed): "
                      + (", ".join(ev(e) for e in v.events) or "empty"))
        return 1
    if not run.start_certificates:
        console.print(f"[bold]{type(protocol).__name__}[/bold], N={protocol.processes}: no "
                      f"stage of the Lemma 3 adversary built: {run.failure}")
        return code
    console.print(f"[bold]{type(protocol).__name__}[/bold], N={protocol.processes}: the first "
                  f"{len(run.stages)} stages of the Lemma 3 adversary from "
                  f"I({''.join(map(str, run.inputs))}), built on demand "
                  f"(bounds: {run.bounds['sigma_configs']} configurations per sigma search, "
                  f"{run.bounds['cert_configs']} per certificate search)")

    def cert(c: dict[int, tuple[Event, ...]]) -> str:
        return f"decides 0 after {len(c[0])} events, 1 after {len(c[1])}"

    console.print(f"  start: bivalent, certified: {cert(run.start_certificates)}")
    for i, s in enumerate(run.stages):
        sigma = ", ".join(ev(e) for e in s.sigma) or "empty"
        console.print(f"  stage {i}: queue {list(s.queue)}, p{s.process}, e = {ev(s.event)}; "
                      f"sigma = {sigma}; reached: bivalent, certified: {cert(s.certificates)}")
    if run.failure:
        console.print(f"[yellow]stopped: {run.failure}[/yellow]")
    console.print("Every stage was replayed with the protocol's own code and its two "
                  "certificates checked. This proves the prefix stays bivalent; it does not "
                  "prove the adversary can go on forever.")
    return code
