"""The command line: ``flpcheck explore``, ``witness``, ``lemmas``, ``render``.

Exit codes: 0 no property violated, 1 a property violated, 2 usage or model error, 3 an
internal error of flpcheck (a bug: please report it), 130 interrupted (SIGINT or SIGTERM)
after printing the partial report.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from .errors import FLPCheckError, UsageError
from .explorer import explore, parse_inputs
from .lemma1 import require_lemma1
from .limits import StopConditions, parse_size
from .loader import load_protocol
from .protocol import Protocol
from .report import exploration_to_json, print_exploration, summarize
from .statespace import StateSpace

__all__ = ["main", "explore_options", "run_exploration"]

EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 3
BUG_REPORT = "https://github.com/flpcheck/flpcheck/issues"


def default_max_memory() -> str:
    """Three quarters of physical memory, as a --max-memory value."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return "8G"
    return f"{total * 3 // 4 // 2**20}M"


def _fail(err: FLPCheckError) -> None:
    console = Console(stderr=True, highlight=False)
    console.print(f"[red]error:[/red] {err}", markup=True, soft_wrap=True)
    for note in getattr(err, "__notes__", ()):
        console.print(note, markup=False, soft_wrap=True)
    sys.exit(err.exit_code)


def _internal(exc: BaseException) -> None:
    import traceback

    console = Console(stderr=True, highlight=False)
    console.print(f"[red]internal error:[/red] flpcheck failed with {type(exc).__name__}: {exc}",
                  markup=True, soft_wrap=True)
    console.print("".join(traceback.format_exception(exc)).rstrip(), markup=False,
                  soft_wrap=True)
    console.print(f"This is a bug in flpcheck, not a verdict on the model: please report it at "
                  f"{BUG_REPORT} with the model and the command line.", soft_wrap=True)
    sys.exit(EXIT_INTERNAL)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FLPCheckError as err:
            _fail(err)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort,
                SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # never exit 1 ("property violated") for flpcheck's own bug
            _internal(exc)


@click.group(cls=_Group)
@click.version_option(package_name="flpcheck")
def main() -> None:
    """flpcheck: explore a consensus protocol in the FLP model and find the run that defeats it."""


def explore_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by every command that explores a model."""
    options = [
        click.argument("model", metavar="MODEL.py[:Class]"),
        click.option("--processes", "-n", type=click.IntRange(min=1),
                     help="N, the number of processes (default: the model's)."),
        click.option("--inputs", metavar="BITS,...",
                     help="Explore only these initial configurations, e.g. 011,100."),
        click.option("--max-configs", type=click.IntRange(min=1),
                     help="Stop adding configurations past this many."),
        click.option("--max-buffer", type=click.IntRange(min=0),
                     help="Do not expand configurations with more messages in transit."),
        click.option("--max-depth", type=click.IntRange(min=0),
                     help="Do not expand configurations deeper than this many events."),
        click.option("--timeout", type=click.FloatRange(min=0), help="Stop exploring after SECONDS."),
        click.option("--max-memory", metavar="SIZE", default=default_max_memory(),
                     show_default=True, help="Stop exploring past this resident memory, e.g. 2G "
                     "(default: three quarters of this machine's memory)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


termination_option = click.option(
    "--termination", type=click.Choice(("some", "all")), default="some", show_default=True,
    help="What a deciding run is: some = some process decides (FLP's definition); all = every "
         "process that keeps taking steps decides.")
"""The ``--termination`` option shared by witness, lemmas and render."""


def run_exploration(
    model: str, processes: int | None, inputs: str | None, max_configs: int | None,
    max_buffer: int | None, max_depth: int | None, timeout: float | None,
    max_memory: str | None, quiet: bool = False, symmetry: bool = False, por: bool = False,
) -> tuple[Protocol, StateSpace, StopConditions]:
    """Load and explore a model with a progress display; signals stop it cleanly."""
    protocol = load_protocol(model, processes)
    vectors = None if inputs is None else parse_inputs(inputs, protocol.processes)
    stop = StopConditions(timeout, None if max_memory is None else parse_size(max_memory))
    err_console = Console(stderr=True)
    show = not quiet and err_console.is_terminal
    with stop.catching_signals():
        if show:
            with Progress(TextColumn("[bold]exploring"), BarColumn(),
                          TextColumn("{task.fields[configs]:,} configurations, "
                                     "{task.fields[rate]:,.0f}/s, frontier {task.fields[frontier]:,}"),
                          TimeElapsedColumn(), console=err_console, transient=True) as bar:
                task = bar.add_task("explore", total=None, configs=0, rate=0.0, frontier=0)

                def progress(configs: int, expanded: int, events: int) -> None:
                    elapsed = bar.tasks[0].elapsed or 1e-9
                    bar.update(task, configs=configs, rate=configs / elapsed,
                               frontier=configs - expanded)

                space = explore(protocol, vectors, max_configs=max_configs, max_buffer=max_buffer,
                                max_depth=max_depth, progress=progress, stop=stop, origin=model,
                                symmetry=symmetry, por=por)
        else:
            space = explore(protocol, vectors, max_configs=max_configs, max_buffer=max_buffer,
                            max_depth=max_depth, stop=stop, origin=model, symmetry=symmetry,
                            por=por)
    return protocol, space, stop


@main.command("explore")
@explore_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--graph", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the graph: .dot, .graphml, .json, .svg, .png or .pdf.")
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
    from .rounds_cli import is_round_model, run_rounds

    if is_round_model(model):
        sys.exit(run_rounds(model, processes, rounds, crashes, inputs, as_json,
                            termination or "all"))
    if crashes is not None or rounds is not None:
        raise UsageError("--crashes and --rounds apply to synchronous round models; for the "
                         "asynchronous model use: flpcheck witness MODEL --crashes t")
    if por and graph is not None:
        raise UsageError("--graph needs every configuration: it is not preserved by the "
                         "partial-order reduction (explore without --por)")
    protocol, space, stop = run_exploration(model, processes, inputs, max_configs, max_buffer,
                                            max_depth, timeout, max_memory, quiet=as_json,
                                            symmetry=symmetry, por=por)
    if not space.reduced:  # Lemma 1 needs the real successors; the reduced graph has renamings
        require_lemma1(space)
    result = summarize(type(protocol).__name__, space, termination or "some")
    if graph is not None:
        from .export import write_graph

        write_graph(space, graph)
    if as_json:
        click.echo(json.dumps(exploration_to_json(result), indent=2))
    else:
        print_exploration(Console(highlight=False), result)
    if stop.signal_name:
        click.echo(f"interrupted by {stop.signal_name}: the report above is partial", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(result.exit_code)


@main.command("schema")
@click.argument("name", type=click.Choice(("explore", "explore-rounds", "witness",
                                           "witness-stages")))
def schema_command(name: str) -> None:
    """Print the JSON Schema of one command's --json output.

    \b
    Examples:
      flpcheck schema witness > witness.schema.json
    """
    from .schemas import schema

    click.echo(json.dumps(schema(name), indent=2))


from .render_cli import render_command  # noqa: E402

main.add_command(render_command)


from . import witness_cli  # noqa: E402,F401  (registers the witness and lemmas commands)
