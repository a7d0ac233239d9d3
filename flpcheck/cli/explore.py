"""``flpcheck explore``: every configuration, its valence, safety and crash-free termination;
for a synchronous round model, every crash pattern."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import UsageError
from ..output.json import exploration_to_json, round_check_to_json
from ..output.report import print_exploration
from ..output.rounds_report import print_round_check
from ..output.text import report_console
from ..pipeline import Options, Pipeline
from ..sync.records import RoundCheck
from .common import EXIT_INTERRUPTED, explore_options, output_file, run_exploration

__all__ = ["explore_command", "run_rounds", "print_rounds"]


@click.command("explore")
@explore_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--graph", type=click.Path(dir_okay=False, path_type=Path),
              callback=output_file,
              help="Also write the graph: .dot, .graphml, .json, .drn (Storm's explicit format, "
                   "a Markov decision process), .svg, .png or .pdf.")
@click.option("--crashes", "-t", type=click.IntRange(min=0),
              help="Round models: at most this many crashes (default 1).")
@click.option("--rounds", "-r", type=click.IntRange(min=1),
              help="Round models: the number of rounds (default: the model's).")
@click.option("--symmetry", is_flag=True,
              help="Store one configuration per orbit of process renamings (protocols that "
                   "declare symmetric = True); counts, valence and verdicts stay exact, "
                   "schedules are not kept.")
@click.option("--por", is_flag=True,
              help="Partial-order reduction (Lemma 1): explore fewer configurations and events; "
                   "safety verdicts, schedules and valences stay exact, counts are of the "
                   "reduced graph.")
@click.option("--termination", type=click.Choice(("some", "all")),
              help="What a deciding run is: some = some process decides (FLP's definition, the "
                   "default for message-buffer models); all = every process that keeps taking "
                   "steps decides (the default for round models).")
def explore_command(options: Options, as_json: bool, graph: Path | None, crashes: int | None,
                    rounds: int | None, symmetry: bool, por: bool,
                    termination: str | None) -> None:
    """Explore every configuration of MODEL, classify valence, check safety, and look for a
    fair crash-free run that never decides.

    For a synchronous round model (a RoundProtocol), explore every crash pattern with at most
    --crashes crashes over --rounds rounds and check agreement, validity and termination.

    \b
    Examples:
      flpcheck explore models/majority.py
      flpcheck explore models/majority.py -n 4 --json
      flpcheck explore models/paxos_unbounded.py --max-depth 8
      flpcheck explore models/floodset.py --crashes 1 --rounds 2
    """
    options = options.with_(crashes=crashes, rounds=rounds, symmetry=symmetry, por=por,
                            termination=termination)
    pipeline = Pipeline(options)
    if pipeline.is_round_model:
        check = pipeline.check_rounds(also=["graph"] if graph is not None else [])
        sys.exit(print_rounds(check, as_json))
    if crashes is not None or rounds is not None:
        raise UsageError("--crashes and --rounds apply to synchronous round models; for the "
                         "asynchronous model use: flpcheck witness MODEL --crashes t")
    if por and graph is not None:
        raise UsageError("--graph needs every configuration: it is not preserved by the "
                         "partial-order reduction (explore without --por)")
    _, stop = run_exploration(pipeline, quiet=as_json)
    result = pipeline.summarize(stop=stop.analyses)
    if graph is not None:
        from ..api import write_graph

        full = pipeline.whole("a graph export")
        known = result.valence if full is result.space else None
        write_graph(full, graph, known if known is not None else pipeline.valence())
    if as_json:
        click.echo(json.dumps(exploration_to_json(result), indent=2))
    else:
        print_exploration(report_console(), result)
    if stop.signal_name:
        click.echo(f"interrupted by {stop.signal_name}: the report above is partial", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(result.exit_code)


def run_rounds(model_spec: str, processes: int | None = None, rounds: int | None = None,
               crashes: int | None = None, inputs: str | None = None, as_json: bool = False,
               termination: str = "all") -> int:
    """Check a round protocol, print the summary (or one JSON object); return the exit code
    (see :func:`print_rounds`). ``crashes`` defaults to 1 and ``rounds`` to the model's."""
    options = Options(model_spec, processes=processes, rounds=rounds, crashes=crashes,
                      inputs=inputs, termination=termination)
    return print_rounds(Pipeline(options).check_rounds(), as_json)


def print_rounds(check: RoundCheck, as_json: bool = False) -> int:
    """Print a round model's check (or one JSON object); return the exit code: 0 when
    agreement, validity and termination hold, 1 when one is violated."""
    if as_json:
        click.echo(json.dumps(round_check_to_json(check), indent=2))
    else:
        print_round_check(report_console(), check)
    return check.exit_code
