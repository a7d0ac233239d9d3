"""``flpcheck liveness``: does every run decide once things go well (after GST)?"""

from __future__ import annotations

import json
import sys

import click

from ..analysis.gst import GSTRules
from ..analysis.liveness import check_liveness
from ..analysis.post_gst import PostBounds
from ..errors import UsageError
from ..output.liveness_json import liveness_to_json
from ..output.liveness_report import print_liveness
from ..output.text import report_console
from ..pipeline import Options, Pipeline
from .common import (
    EXIT_INTERRUPTED,
    ExploringDisplay,
    in_process_explore_options,
    run_exploration,
    shown_notices,
    termination_option,
)

__all__ = ["liveness_command"]


@click.command("liveness", epilog="""\b
Examples:
  flpcheck liveness models/majority.py
  flpcheck liveness models/paxos.py:Paxos --leader 0
  flpcheck liveness models/paxos_unbounded.py --gst-by 2
  flpcheck liveness models/paxos_unbounded.py --gst-by 2 --timeouts local --leader 0
  flpcheck liveness models/chandra_toueg.py --detector --gst-by 3""")
@in_process_explore_options
@click.option("--crashes", "-t", type=click.IntRange(min=0), default=1, show_default=True,
              help="At most this many processes crash, at any point (before or after GST).")
@click.option("--leader", type=click.IntRange(min=0), metavar="P",
              help="A stable leader: after GST only P takes null steps (times out), and P "
                   "does not crash.")
@click.option("--timeouts", type=click.Choice(("quiet", "local")),
              help="When a null step is allowed after GST: quiet (default) = no message in "
                   "transit to any live process (timeouts outlast every delay); local = none "
                   "in transit to the process itself.")
@click.option("--detector", is_flag=True,
              help="Failure detector ◇S instead of timeouts: after it stabilizes no null step "
                   "suspects the trusted process (the model's suspects(pid, state) says what a "
                   "null step suspects); checked for every choice of the trusted process.")
@click.option("--gst-by", type=click.IntRange(min=0), metavar="D",
              help="GST comes within the first D events; the configurations after GST are "
                   "then explored under its rules (needed for infinite-state models). Without "
                   "it GST may come anywhere in the explored graph.")
@click.option("--max-post-configs", type=click.IntRange(min=1), default=1_000_000,
              show_default=True,
              help="With --gst-by: stop each exploration after GST past this many "
                   "configurations (one per crash set).")
@termination_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def liveness_command(options: Options, crashes: int, leader: int | None,
                     timeouts: str | None, detector: bool, gst_by: int | None,
                     max_post_configs: int, termination: str, as_json: bool) -> None:
    """Eventual liveness of MODEL after a global stabilization time (GST).

    A run is arbitrary until GST (any FLP schedule, chosen by the adversary); after it a
    null step (a timeout) is allowed only when no message is in transit (--timeouts), only
    for the leader (--leader), or, with --detector, only if it does not suspect the process
    the detector trusts; every message to a live process is received and every live process
    with an allowed event infinitely often steps infinitely often. Liveness holds when every
    such run decides (--termination).

    Prints holds / fails / not established. When it holds: the worst-case number of events
    from GST to a decision and the run that takes them (or why there is no bound). When it
    fails: the run that never decides, replayed and checked, every null step labelled. Then
    the contrast: without GST, FLP's run. Exit 0 when it holds or is not established, 1 when
    it fails, 2 for a usage or model error.

    With --gst-by D, --max-configs bounds the exploration before GST and --max-buffer,
    --max-depth and --max-post-configs each exploration after it.
    """
    if detector and timeouts is not None:
        raise UsageError("--detector replaces the timing rule: do not combine it with "
                         "--timeouts")
    if detector and leader is not None:
        raise UsageError("--detector and --leader do not combine: the detector's trusted "
                         "process plays the leader's part")
    rules = GSTRules(timeouts or "quiet", leader, detector)
    # with --gst-by the exploration before GST is bounded by GST's depth, not by the buffer
    before_gst = options.with_(max_depth=gst_by, max_buffer=None) if gst_by is not None \
        else options
    pipeline = Pipeline(before_gst)
    _, stop = run_exploration(pipeline, quiet=as_json)
    space, protocol = pipeline.whole("the liveness check"), pipeline.protocol
    bounds = PostBounds(max_post_configs, options.max_buffer, options.max_depth)
    with stop.catching_signals(), ExploringDisplay("exploring after GST",
                                                      as_json or gst_by is None) as display, \
            shown_notices(stop, display):
        result = check_liveness(space, crashes, rules, termination, gst_by, bounds, stop,
                                display.progress)
    if as_json:
        click.echo(json.dumps(liveness_to_json(result), indent=2))
    else:
        print_liveness(report_console(), protocol, result, options.model)
    if stop.signal_name:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(result.exit_code)
