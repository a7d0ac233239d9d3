"""``flpcheck simulate``: random or adversarial runs, checked after every event; a violation
replayed independently and shrunk."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..explorer.limits import StopConditions
from ..model.inputs import input_vectors
from ..model.protocol import Protocol
from ..output.json import simulation_to_json
from ..output.simulate_report import print_simulation
from ..output.text import report_console
from ..pipeline import Options, Pipeline
from ..simulate import SCHEDULERS, Settings, Simulation, simulate
from ..simulate.distributed import import_ray, simulate_on_ray
from .common import EXIT_INTERRUPTED

__all__ = ["simulate_command"]


@click.command("simulate")
@click.argument("model", metavar="MODEL.py[:Class]")
@click.option("--processes", "-n", type=click.IntRange(min=1),
              help="N, the number of processes (default: the model's).")
@click.option("--runs", type=click.IntRange(min=1), default=1000, show_default=True,
              help="How many runs to take (at most: see --keep-going).")
@click.option("--steps", type=click.IntRange(min=1), default=100, show_default=True,
              help="The most events a run takes.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The seed: the same seed gives the same runs and the same report.")
@click.option("--inputs", metavar="BITS,...",
              help="Start each run from one of these initial configurations, e.g. 011,100 "
                   "(default: inputs drawn at random).")
@click.option("--scheduler", type=click.Choice(SCHEDULERS), default="swarm",
              show_default=True,
              help="swarm: uniform and fair in turn, run by run; uniform: any applicable "
                   "event; fair: processes in turn, a random pending message or null; "
                   "adversary: keep the configuration bivalent (Lemma 3).")
@click.option("--lookahead", type=click.IntRange(min=1), default=200, show_default=True,
              help="Adversary: configurations per breadth-first look-ahead search.")
@click.option("--keep-going", is_flag=True,
              help="Take every run, even after a violation (default: stop at the first "
                   "violating run).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Run this many seed ranges on Ray workers (needs ray: pip install "
                   "'flpcheck[ray]').")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def simulate_command(model: str, processes: int | None, runs: int, steps: int, seed: int,
                     inputs: str | None, scheduler: str, lookahead: int, keep_going: bool,
                     workers: int, as_json: bool) -> None:
    """Simulate MODEL: runs of at most --steps events from initial configurations, events
    chosen by --scheduler, agreement, validity and write-once checked after every event. A
    violation is replayed with the protocol's own code and shrunk to a schedule from which no
    single event can be removed. Finding no violation proves nothing.

    \b
    Examples:
      flpcheck simulate models/paxos_unbounded_buggy.py
      flpcheck simulate models/paxos_unbounded.py --runs 200 --scheduler fair --json
      flpcheck simulate models/paxos_unbounded.py --scheduler adversary --runs 10
    """
    if workers > 1:
        import_ray(workers)
    pipeline = Pipeline(Options(model, processes, inputs=inputs, workers=workers))
    protocol = pipeline.protocol
    asked = pipeline.vectors(protocol.processes)
    vectors = None if asked is None else tuple(input_vectors(protocol.processes, asked))
    settings = Settings(runs=runs, steps=steps, seed=seed, scheduler=scheduler, inputs=vectors,
                        lookahead=lookahead, keep_going=keep_going)
    stop = StopConditions()
    err_console = Console(stderr=True, emoji=False)
    with stop.catching_signals():
        if not as_json and err_console.is_terminal:
            with Progress(TextColumn("[bold]simulating"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("runs, {task.fields[rate]:,.0f} events/s, "
                                     "{task.fields[bad]:,} violating"),
                          TimeElapsedColumn(), console=err_console, transient=True) as bar:
                task = bar.add_task("simulate", total=runs, rate=0.0, bad=0)
                last = [0.0]

                def progress(done: int, events: int, bad: int) -> None:
                    now = time.monotonic()
                    if now - last[0] >= 0.1 or done == runs:
                        last[0] = now
                        elapsed = bar.tasks[0].elapsed or 1e-9
                        bar.update(task, completed=done, rate=events / elapsed, bad=bad)

                sim = _run(model, protocol, processes, settings, workers, stop, progress)
        else:
            sim = _run(model, protocol, processes, settings, workers, stop, None)
    if as_json:
        click.echo(json.dumps(simulation_to_json(sim), indent=2))
    else:
        print_simulation(report_console(), sim)
    if sim.interrupted:
        click.echo(f"interrupted by {stop.signal_name or sim.counts.stopped_by}: the report "
                   "above is partial", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(sim.exit_code)


def _run(model: str, protocol: Protocol, processes: int | None, settings: Settings,
         workers: int, stop: StopConditions,
         progress: Callable[[int, int, int], None] | None) -> Simulation:
    if workers > 1:
        return simulate_on_ray(model, protocol, processes, settings, workers, stop, progress)
    return simulate(protocol, settings, origin=model, stop=stop, progress=progress)
