"""``flpcheck explore``: every configuration, its valence, safety and crash-free termination;
for a synchronous round model, every crash pattern."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from ..analysis.lemma1 import require_lemma1
from ..analysis.summary import summarize
from ..errors import UsageError
from ..model.inputs import parse_inputs
from ..model.loader import is_round_model, load_round_protocol
from ..output.json import exploration_to_json, round_check_to_json
from ..output.report import print_exploration
from ..output.rounds_report import print_round_check
from ..sync import check_rounds
from .common import EXIT_INTERRUPTED, explore_options, run_exploration

__all__ = ["explore_command", "run_rounds"]


@click.command("explore")
@explore_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--graph", type=click.Path(dir_okay=False, path_type=Path),
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
def explore_command(model: str, processes: int | None, inputs: str | None,
                    max_configs: int | None, max_buffer: int | None, max_depth: int | None,
                    timeout: float | None, max_memory: str | None, as_json: bool,
                    graph: Path | None, crashes: int | None, rounds: int | None,
                    symmetry: bool, por: bool, termination: str | None) -> None:
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
    if is_round_model(model):
        ctx = click.get_current_context()
        meta = ctx.meta
        given = ctx.get_parameter_source("ray_address") == click.core.ParameterSource.COMMANDLINE
        unused = [name for name, value in (
            ("--max-configs", max_configs), ("--max-buffer", max_buffer),
            ("--max-depth", max_depth), ("--timeout", timeout), ("--graph", graph),
            ("--symmetry", symmetry or None), ("--por", por or None),
            ("--workers", meta.get("flpcheck.workers") if meta.get("flpcheck.workers", 1) > 1
             else None), ("--ray-address", meta.get("flpcheck.ray_address") if given else None))
            if value is not None]
        if unused:
            raise UsageError(f"{', '.join(unused)} appl{'ies' if len(unused) == 1 else 'y'} to "
                             "message-buffer models; a round model is explored in this process "
                             "with --crashes, --rounds, --inputs and --processes")
        sys.exit(run_rounds(model, processes, rounds, crashes, inputs, as_json,
                            termination or "all"))
    if crashes is not None or rounds is not None:
        raise UsageError("--crashes and --rounds apply to synchronous round models; for the "
                         "asynchronous model use: flpcheck witness MODEL --crashes t")
    if por and graph is not None:
        raise UsageError("--graph needs every configuration: it is not preserved by the "
                         "partial-order reduction (explore without --por)")
    protocol, space, stop = run_exploration(model, processes, inputs, max_configs, max_buffer,
                                            max_depth, timeout, max_memory,
                                            symmetry=symmetry, por=por)
    if not space.reduced:  # Lemma 1 needs the real successors; the reduced graph has renamings
        require_lemma1(space, stop=stop.analyses)
    result = summarize(type(protocol).__name__, space, termination or "some", stop.analyses)
    if graph is not None:
        from ..output.export import write_graph

        write_graph(space, graph)
    if as_json:
        click.echo(json.dumps(exploration_to_json(result), indent=2))
    else:
        print_exploration(Console(highlight=False), result)
    if stop.signal_name:
        click.echo(f"interrupted by {stop.signal_name}: the report above is partial", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(result.exit_code)


def run_rounds(
    model_spec: str,
    processes: int | None = None,
    rounds: int | None = None,
    crashes: int | None = None,
    inputs: str | None = None,
    as_json: bool = False,
    termination: str = "all",
) -> int:
    """Explore a round protocol, print the summary (or one JSON object); return the exit code.

    ``crashes`` defaults to 1 and ``rounds`` to the model's. Returns 0 when agreement,
    validity and termination hold, 1 when one is violated; raises FLPCheckError (exit 2)
    on usage and model errors.
    """
    if processes is not None and processes < 1:
        raise UsageError(f"--processes must be >= 1, got {processes}")
    if rounds is not None and rounds < 1:
        raise UsageError(f"--rounds must be >= 1, got {rounds}")
    protocol = load_round_protocol(model_spec, processes, rounds)
    vectors = None if inputs is None else parse_inputs(inputs, protocol.processes)
    f = 1 if crashes is None else crashes
    check = check_rounds(protocol, vectors, crashes=f, origin=model_spec, termination=termination)
    if as_json:
        click.echo(json.dumps(round_check_to_json(check), indent=2))
    else:
        print_round_check(Console(highlight=False), check)
    return check.exit_code
