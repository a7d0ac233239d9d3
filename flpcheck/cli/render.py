"""``flpcheck render``: draw a model's configuration graph, or one view of it, with Graphviz.

Registered on the ``flpcheck`` group in :mod:`flpcheck.cli.main`. Errors are
:class:`~flpcheck.errors.FLPCheckError` (a missing ``dot`` included), which the group turns
into exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from ..analysis.adversary import lemma3_event
from ..api import render
from ..errors import UsageError
from ..output.render import (
    DOT_SECONDS,
    IMAGE_FORMATS,
    LABEL_MODES,
    VIEWS,
    readable_view,
    require_dot,
    schedule_chart,
    write_image,
)
from ..pipeline import Options, Pipeline
from .common import EXIT_INTERRUPTED, explore_options, output_file, run_exploration, termination_option

__all__ = ["render_command"]


@explore_options
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              callback=output_file,
              help="The image to write: .svg, .png or .pdf (.dot/.gv: the DOT source only).")
@click.option("--view", type=click.Choice(VIEWS), default="auto", show_default=True,
              help="full: every configuration; initial: the Lemma 2 chain; witness: a run and "
                   "its neighbours; lemma3: C, e and D = e(𝒞); quotient: merged by valence and "
                   "depth; sequence: a run as a message sequence chart; auto: full when small, "
                   "else quotient.")
@click.option("--labels", type=click.Choice(LABEL_MODES), default="short", show_default=True,
              help="How much a configuration's label shows.")
@click.option("--config", "config_id", type=click.IntRange(min=0),
              help="lemma3: the configuration C (default: the first bivalent initial one).")
@click.option("--process", type=click.IntRange(min=0),
              help="lemma3: p in e = (p, m), m its oldest pending message or null (default 0).")
@click.option("--by", type=click.Choice(("depth", "scc")), default="depth", show_default=True,
              help="quotient: merge by (valence, depth); scc also condenses cycles.")
@click.option("--crashes", "-t", type=click.IntRange(min=0), default=1, show_default=True,
              help="witness, sequence: the crash budget of the verdict whose run is drawn (0 "
                   "draws the forever-bivalent lasso of a protocol that one crash defeats).")
@termination_option
@click.option("--schedule", type=click.File("r"),
              help="sequence: draw this schedule instead of the verdict's run, JSON as --json "
                   "prints one ({\"inputs\": [...], \"events\": [[pid, payload], ...]}, or a "
                   "run with stem and cycle); - reads it from stdin. Nothing is explored.")
@click.option("--dot-timeout", type=click.FloatRange(min=0, min_open=True), default=DOT_SECONDS,
              show_default=True, metavar="SECONDS",
              help="How long Graphviz's dot may take to draw the image; past it, dot is "
                   "stopped and flpcheck exits 2.")
def _render(options: Options, output: Path, view: str, labels: str, config_id: int | None,
            process: int | None, by: str, crashes: int, termination: str,
            schedule: TextIO | None, dot_timeout: float) -> None:
    """Draw MODEL's configuration graph coloured by valence (needs Graphviz's dot).

    A full view past 150 configurations or 600 events is drawn as the quotient instead (with
    a note; a .dot output writes it whole); any picture past 1,500 nodes or 5,000 edges is
    refused (exit 2) before dot runs, and dot is stopped after --dot-timeout.

    \b
    Examples:
      flpcheck render models/leader_broadcast.py -o graph.svg
      flpcheck render models/flip_flop.py --view witness --crashes 0 -o lasso.png
      flpcheck render models/majority.py --view quotient -o majority.svg
      flpcheck render models/majority.py --view lemma3 --process 1 -o lemma3.svg
      flpcheck render models/flip_flop.py --view sequence --crashes 0 -o lasso-chart.svg
    """
    suffix = output.suffix.lower()
    if suffix not in IMAGE_FORMATS + (".dot", ".gv"):
        raise UsageError(f"{output}: use a .svg, .png, .pdf, .dot or .gv file")
    if (config_id is not None or process is not None) and view != "lemma3":
        raise UsageError("--config and --process apply to --view lemma3 only")
    if suffix in IMAGE_FORMATS:
        require_dot(str(output))  # fail before a long exploration, not after it
    pipeline = Pipeline(options.with_(crashes=crashes, termination=termination))
    if schedule is not None:
        _schedule(pipeline, view, schedule, output, dot_timeout)
        return
    _, stop = run_exploration(pipeline)
    space = pipeline.whole("a graph view")
    chosen, note = readable_view(space, view)
    if note and suffix in IMAGE_FORMATS:
        click.echo(f"note: {note}", err=True)
    elif note:
        chosen = view
    config, event = None, None
    if chosen == "lemma3":
        config, event, note = lemma3_event(space, config_id, process)
        if note:
            click.echo(f"note: {note}", err=True)
    render(space, chosen, labels=labels, by=by, crashes=crashes, termination=termination,
           config=config, event=event, output=output, dot_timeout=dot_timeout)
    click.echo(f"wrote {output}: {chosen} view of {len(space):,} configurations"
               + ("" if space.complete else " (INCOMPLETE: cut by a bound)"))
    if stop.signal_name:
        click.echo(f"interrupted by {stop.signal_name}: the picture is of the explored part",
                   err=True)
        sys.exit(EXIT_INTERRUPTED)


def _schedule(pipeline: Pipeline, view: str, source: TextIO, output: Path,
              dot_timeout: float) -> None:
    """``--schedule``: the sequence chart of a JSON schedule, replayed without exploring."""
    if view != "sequence":
        raise UsageError("--schedule applies to --view sequence only")
    try:
        document = json.load(source)
    except json.JSONDecodeError as err:
        raise UsageError(f"--schedule: not JSON ({err})") from None
    write_image(schedule_chart(pipeline.protocol, document), output, dot_timeout)
    click.echo(f"wrote {output}: sequence chart of the schedule")


render_command: click.Command = click.command("render")(_render)
"""The ``flpcheck render`` command."""
