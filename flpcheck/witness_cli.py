"""``flpcheck witness`` and ``flpcheck lemmas``: the run that defeats a protocol, and the proof's
lemmas walked through on it."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console

from .cli import EXIT_INTERRUPTED, explore_options, main, run_exploration
from .explain import schedule_to_json
from .lemma1 import check_lemma1
from .loader import load_protocol
from .report import cut_notice, print_schedule
from .runs import Run, run_to_json
from .semantics import Event
from .stages import check_staged_run, staged_adversary, staged_run_to_json
from .statespace import Schedule, StateSpace
from .valence import classify_valence
from .witness import Lemma2, Verdict, adversary_run, lemma2, verdict

__all__ = ["witness_command", "lemmas_command", "verdict_to_json"]


def verdict_to_json(v: Verdict, space: StateSpace) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck witness``."""
    out: dict[str, Any] = {
        "protocol": type(space.protocol).__name__,
        "processes": space.n,
        "verdict": v.verdict,
        "complete": v.complete,
        "cut_reasons": list(space.cut_reasons),
        "detail": v.detail,
        "configurations": len(space),
        "nondeciding": run_to_json(v.run, v.crashes),
    }
    if v.evidence is not None:
        out["evidence"] = {"property": v.evidence.name, **(schedule_to_json(v.evidence.schedule)
                                                           or {"inputs": None, "events": None})}
    if v.adversary is not None and v.adversary.run is not None:
        out["stages"] = [
            {"process": s.process, "event": [s.event.pid, _j(s.event.msg)],
             "sigma": [[e.pid, _j(e.msg)] for e in s.sigma]}
            for s in v.adversary.stages
        ]
        out["cycle_from_stage"] = v.adversary.cycle_from
    return out


def _j(x: Any) -> Any:
    from .values import to_json

    return to_json(x)


def print_run(console: Console, space: StateSpace, run: Run, title: str) -> None:
    """Stem and cycle as numbered steps with the valence of each configuration reached."""
    crashed = ", ".join(f"p{p}" for p in sorted(run.crashed)) or "none"
    console.print(f"[bold]{title}[/bold] (crashed: {crashed}"
                  + (f", crashing after step {run.crash_point}" if run.crashed else "") + ")")
    print_schedule(console, space, Schedule(run.inputs, run.stem), "stem")
    console.print(f"  cycle (repeated forever), {len(run.cycle)} steps:")
    end_of_stem = Schedule(run.inputs, run.stem + run.cycle)
    from .explain import annotate

    _, steps = annotate(space, end_of_stem)
    proto = space.protocol
    for st in steps[len(run.stem):]:
        msg = "null" if st.event.msg is None else proto.format_payload(st.event.msg)
        console.print(f"    {st.index - len(run.stem):>3}. p{st.event.pid} receives {msg} "
                      f"-> {st.valence}")


def print_lemma2(console: Console, space: StateSpace, l2: Lemma2) -> None:
    """The Lemma 2 chain and its conclusion."""
    console.print("[bold]Lemma 2[/bold] (some initial configuration is bivalent): the chain")
    for x, label in l2.chain:
        console.print(f"    I({''.join(map(str, x))}): {label}")
    console.print(f"  {l2.detail}")
    if l2.run is not None:
        print_run(console, space, l2.run, f"  the run with p{l2.process} dead from the start")


@main.command("witness")
@explore_options
@click.option("--crashes", "-t", type=click.IntRange(min=0), default=1, show_default=True,
              help="Crash budget t of the admissible runs searched.")
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
                    as_json: bool, stages: int | None, cert_configs: int,
                    sigma_configs: int) -> None:
    """The verdict for MODEL and the run that defeats it (FLP Lemmas 1-3)."""
    if stages is not None:
        sys.exit(_staged(model, processes, stages, cert_configs, sigma_configs, as_json))
    protocol, space, stop = run_exploration(model, processes, inputs, max_configs, max_buffer,
                                            max_depth, timeout, max_memory, quiet=as_json)
    v = verdict(space, crashes)
    if as_json:
        click.echo(json.dumps(verdict_to_json(v, space), indent=2))
    else:
        console = Console(highlight=False)
        console.print(f"[bold]{type(protocol).__name__}[/bold], N={space.n}: "
                      f"{len(space):,} configurations, {space.num_events:,} events")
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
    if stop.signal_name:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(v.exit_code)


@main.command("lemmas")
@explore_options
def lemmas_command(model: str, processes: int | None, inputs: str | None,
                   max_configs: int | None, max_buffer: int | None, max_depth: int | None,
                   timeout: float | None, max_memory: str | None) -> None:
    """Walk through FLP's Lemmas 1, 2 and 3 on MODEL, with the evidence of each."""
    protocol, space, stop = run_exploration(model, processes, inputs, max_configs, max_buffer,
                                            max_depth, timeout, max_memory)
    console = Console(highlight=False)
    if not space.complete:
        console.print(f"[yellow]{cut_notice(space)}[/yellow]")
    l1 = check_lemma1(space)
    console.print(f"[bold]Lemma 1[/bold] (disjoint schedules commute): {l1.checked:,} diamonds "
                  f"checked with the protocol's own step, {'all commute' if l1.holds else 'FAILS'}")
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
            console.print(f"  at C = configuration {adv.failed.start}, e = {adv.failed.event}; "
                          f"D's valences: {adv.tried_valences}")
    sys.exit(EXIT_INTERRUPTED if stop.signal_name else 0)


def _staged(model: str, processes: int | None, stages: int, cert_configs: int,
            sigma_configs: int, as_json: bool) -> int:
    protocol = load_protocol(model, processes)
    run = staged_adversary(protocol, stages, cert_configs=cert_configs,
                           sigma_configs=sigma_configs)
    check_staged_run(protocol, run)
    if as_json:
        click.echo(json.dumps(staged_run_to_json(run), indent=2))
        return 0 if not run.failure else 1
    console = Console(highlight=False)
    console.print(f"[bold]{type(protocol).__name__}[/bold], N={protocol.processes}: the first "
                  f"{len(run.stages)} stages of the Lemma 3 adversary from "
                  f"I({''.join(map(str, run.inputs))}), built on demand "
                  f"(bounds: {run.bounds['sigma_configs']} configurations per sigma search, "
                  f"{run.bounds['cert_configs']} per certificate search)")

    def cert(c: dict[int, tuple[Event, ...]]) -> str:
        return f"decides 0 after {len(c[0])} events, 1 after {len(c[1])}"

    console.print(f"  start: bivalent, certified: {cert(run.start_certificates)}")
    fmt = protocol.format_payload
    for i, s in enumerate(run.stages):
        sigma = ", ".join(f"p{e.pid}:{'null' if e.msg is None else fmt(e.msg)}"
                          for e in s.sigma) or "empty"
        ev = f"p{s.event.pid}:{'null' if s.event.msg is None else fmt(s.event.msg)}"
        console.print(f"  stage {i}: queue {list(s.queue)}, p{s.process}, e = {ev}; "
                      f"sigma = {sigma}; reached: bivalent, certified: {cert(s.certificates)}")
    if run.failure:
        console.print(f"[yellow]stopped: {run.failure}[/yellow]")
    console.print("Every stage was replayed with the protocol's own code and its two "
                  "certificates checked. This proves the prefix stays bivalent; it does not "
                  "prove the adversary can go on forever.")
    return 0 if not run.failure else 1
