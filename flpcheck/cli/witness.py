"""``flpcheck witness`` and ``flpcheck lemmas``: the run that defeats a protocol, and the proof's
lemmas walked through on it."""

from __future__ import annotations

import json
import sys

import click

from ..analysis.stages import check_staged_run, staged_adversary
from ..analysis.verdict import VERDICT_LINES
from ..model.inputs import bits
from ..model.semantics import Event
from ..output.json import staged_run_to_json, verdict_to_json
from ..output.text import report_console, styled
from ..output.witness_report import print_lemmas, print_verdict
from ..pipeline import Options, Pipeline
from .common import EXIT_INTERRUPTED, explore_options, run_exploration, termination_option

__all__ = ["witness_command", "lemmas_command"]

_VERDICT_HELP = "\n".join(f"  {name:20} {line}" for name, line in VERDICT_LINES.items())


@click.command("witness", epilog=f"""\b
Verdicts (the first that applies; exit 1 for the first five, 0 for the last two:
FLP proves that every safe consensus protocol tolerating one crash has a run
that stays bivalent forever, so finding it is the theorem, not a defect):
{_VERDICT_HELP}

\b
Examples:
  flpcheck witness models/leader_broadcast.py
  flpcheck witness models/flip_flop.py --crashes 0
  flpcheck witness models/majority.py --json
  flpcheck witness models/paxos_unbounded.py --stages 6""")
@explore_options
@click.option("--crashes", "-t", type=click.IntRange(min=0), default=1, show_default=True,
              help="Crash budget t of the admissible runs searched (at most N-1: one "
                   "process is left to take steps; a larger t is taken as N-1).")
@termination_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--stages", type=click.IntRange(min=1),
              help="Build only the first K stages of the Lemma 3 adversary, on demand, without "
                   "exploring everything (for infinite-state protocols).")
@click.option("--cert-configs", type=click.IntRange(min=1), default=20000, show_default=True,
              help="With --stages: configurations each bivalence certificate search may visit.")
@click.option("--sigma-configs", type=click.IntRange(min=1), default=2000, show_default=True,
              help="With --stages: configurations each stage's search for sigma may visit.")
def witness_command(options: Options, crashes: int, termination: str, as_json: bool,
                    stages: int | None, cert_configs: int, sigma_configs: int) -> None:
    """The verdict for MODEL and the run that defeats it (FLP Lemmas 1-3).

    Explores MODEL, then prints the first verdict that applies with its evidence (a shortest
    schedule, or a run replayed with the protocol's own code), and answers, whatever the
    verdict, whether a fair run with at most --crashes crashes never decides: yes (with the
    run), none (the complete graph was searched), or not established (a bound cut the graph).

    With --stages K, builds the first K stages of Lemma 3's adversary on demand instead of
    exploring everything: each stage's end is certified bivalent by one run deciding 0 and one
    deciding 1. Exit 0 when all K stages are built, 1 when a search stopped at --cert-configs or
    --sigma-configs (the message names the bound) or met a safety violation.
    """
    pipeline = Pipeline(options.with_(crashes=crashes, termination=termination))
    if stages is not None:
        sys.exit(_staged(pipeline, stages, cert_configs, sigma_configs, as_json))
    _, stop = run_exploration(pipeline, quiet=as_json)
    report = pipeline.witness()
    if as_json:
        click.echo(json.dumps(verdict_to_json(report.verdict, report.space), indent=2))
    else:
        print_verdict(report_console(), report)
    if stop.signal_name:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(report.exit_code)


@click.command("lemmas")
@explore_options
@termination_option
def lemmas_command(options: Options, termination: str) -> None:
    """Walk through FLP's Lemmas 1, 2 and 3 on MODEL, with the evidence of each.

    Lemma 1: diamonds of events of different processes, replayed with the protocol's own step
    (all of them, or "N of M, sampled"). Lemma 2: the chain of initial configurations with their
    valences. Lemma 3: the adversary's stages from a bivalent configuration. When the protocol
    violates a safety property, the proof's premise fails and the report says so first.

    \b
    Examples:
      flpcheck lemmas models/leader_broadcast.py -n 2
      flpcheck lemmas models/flip_flop.py
      flpcheck lemmas models/majority.py --inputs 000,100,110,111
    """
    pipeline = Pipeline(options.with_(termination=termination))
    _, stop = run_exploration(pipeline)
    print_lemmas(report_console(), pipeline.lemmas())
    sys.exit(EXIT_INTERRUPTED if stop.signal_name else 0)


def _staged(pipeline: Pipeline, stages: int, cert_configs: int, sigma_configs: int,
            as_json: bool) -> int:
    """``witness --stages``: exit 0 when every stage was built, 1 when a search stopped at a
    bound, the adversary is stuck, or a safety violation was met."""
    protocol = pipeline.protocol
    run = staged_adversary(protocol, stages, cert_configs=cert_configs,
                           sigma_configs=sigma_configs)
    check_staged_run(protocol, run)
    code = 0 if not run.failure else 1
    if as_json:
        click.echo(json.dumps(staged_run_to_json(run, protocol), indent=2))
        return code
    console = report_console()
    fmt = protocol.format_payload

    def ev(e: Event) -> str:
        told = "" if e.outcome is None else f" (outcome {e.outcome})"
        return f"p{e.pid}:{'null' if e.msg is None else fmt(e.msg)}{told}"

    if run.violation is not None:
        v = run.violation
        console.print(styled("[bold]{}[/bold], N={}: verdict: [bold]{}-violated[/bold]: {}; the "
                             "searches of the staged adversary met it, so no stage is built (the "
                             "adversary keeps runs undecided)", type(protocol).__name__,
                             protocol.processes, v.property, v.detail))
        console.print(f"  schedule from inputs {bits(v.inputs)} (replayed): "
                      + (", ".join(ev(e) for e in v.events) or "empty"))
        return 1
    if not run.start_certificates:
        console.print(styled("[bold]{}[/bold], N={}: no stage of the Lemma 3 adversary built: "
                             "{}", type(protocol).__name__, protocol.processes, run.failure))
        return code
    console.print(styled("[bold]{}[/bold], N={}: {}", type(protocol).__name__,
                         protocol.processes,
                         f"the first {len(run.stages)} stages of the Lemma 3 adversary from "
                         f"I({bits(run.inputs)}), built on demand (bounds: "
                         f"{run.bounds['sigma_configs']} configurations per sigma search, "
                         f"{run.bounds['cert_configs']} per certificate search)"))

    def cert(c: dict[int, tuple[Event, ...]]) -> str:
        return f"decides 0 after {len(c[0])} events, 1 after {len(c[1])}"

    console.print(f"  start: bivalent, certified: {cert(run.start_certificates)}")
    for i, s in enumerate(run.stages):
        sigma = ", ".join(ev(e) for e in s.sigma) or "empty"
        console.print(f"  stage {i}: queue {list(s.queue)}, p{s.process}, e = {ev(s.event)}; "
                      f"sigma = {sigma}; reached: bivalent, certified: {cert(s.certificates)}")
    if run.failure:
        console.print(styled("[yellow]stopped: {}[/yellow]", run.failure))
    console.print("Every stage was replayed with the protocol's own code and its two "
                  "certificates checked. This proves the prefix stays bivalent; it does not "
                  "prove the adversary can go on forever.")
    return code
