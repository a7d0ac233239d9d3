"""``flpcheck chance``: how likely a protocol is to decide, and how soon, under a random
scheduler or against an adversary (coins as the model gives them)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..analysis.chance.analyse import analyse_chance
from ..errors import UsageError
from ..output.chance_report import chance_to_json, print_chance
from ..output.text import report_console
from ..pipeline import Options, Pipeline
from .common import EXIT_INTERRUPTED, in_process_explore_options, output_file, run_exploration

__all__ = ["chance_command", "parse_within"]


def parse_within(text: str | None) -> list[int] | None:
    """``"10,20,50"`` -> [10, 20, 50]; None stays None (the K are then chosen)."""
    if text is None:
        return None
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"--within {text!r}: give numbers of events, e.g. 10,20,50") from None
    if not values or any(v < 0 for v in values):
        raise UsageError(f"--within {text!r}: give numbers of events >= 0, e.g. 10,20,50")
    return sorted(set(values))


@click.command("chance", epilog="""\b
Schedulers:
  uniform    each step picks one of the distinct applicable events with equal probability
             (the N null steps and one per distinct pending message): a Markov chain
  adversary  the scheduler and up to --crashes crashes chosen against the protocol, fair
             for the unbounded figures (every live process steps, every message to a live
             process is received): a Markov decision process; the minimum is reported
Coins (steps left to chance, Protocol.coin) keep their probabilities in both.

\b
Examples:
  flpcheck chance models/paxos.py:Paxos
  flpcheck chance models/ben_or.py --scheduler adversary
  flpcheck chance models/ben_or.py:BenOrCoinless --scheduler adversary
  flpcheck chance models/ben_or.py --within 20,50 --json""")
@in_process_explore_options
@click.option("--scheduler", type=click.Choice(("uniform", "adversary")), default="uniform",
              show_default=True, help="Who picks the next event (see below).")
@click.option("--crashes", "-t", type=click.IntRange(min=0),
              help="Adversary: at most this many crashes, at any time (default 0).")
@click.option("--within", metavar="K,...",
              help="Also the probability of deciding within K events, for each K (default: "
                   "chosen from the termination curve; none for a model that counts rounds, "
                   "which is reported by rounds).")
@click.option("--termination", type=click.Choice(("some", "all")), default="all",
              show_default=True,
              help="What deciding is: all = every process that keeps taking steps decides "
                   "(randomized consensus's termination); some = some process decides (FLP's).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path),
              callback=output_file,
              help="Also draw the termination curves, uniform and adversary side by side "
                   "(.svg or .png; pip install 'flpcheck[plot]').")
@click.option("--policy", type=click.Path(dir_okay=False, path_type=Path),
              callback=output_file,
              help="Adversary: also write its strategy as a replayable policy (JSON), for "
                   "the largest round bound (models that count rounds) or eventually; it is "
                   "replayed and its probability checked before it is written.")
@click.option("--drn", type=click.Path(dir_okay=False, path_type=Path),
              callback=output_file,
              help="Also write the Markov chain or decision process analysed, in Storm's "
                   "explicit DRN format, with the labels of its queries.")
def chance_command(options: Options, scheduler: str, crashes: int | None, within: str | None,
                   termination: str, as_json: bool, plot: Path | None, policy: Path | None,
                   drn: Path | None) -> None:
    """The probability that MODEL decides, per initial configuration: within K events, within
    R rounds (models that count rounds), eventually, and the expected number of events.

    Exact fractions wherever the graph allows it (components of the graph solved one at a
    time); floating point with a stated error bound otherwise. Exit 0 whatever the figures
    (a probability is not a verdict); 2 on usage and model errors.
    """
    if scheduler == "uniform" and crashes:
        raise UsageError("--crashes applies to --scheduler adversary (the uniform scheduler "
                         "crashes nobody)")
    if policy is not None and scheduler != "adversary":
        raise UsageError("--policy writes the adversary's strategy: add --scheduler adversary")
    steps = parse_within(within)
    if plot is not None:
        from ..output.plot import check_plot_path

        check_plot_path(plot)
    pipeline = Pipeline(options)
    _, stop = run_exploration(pipeline, quiet=as_json)
    space, protocol = pipeline.whole("the chance analysis"), pipeline.protocol
    result = analyse_chance(space, scheduler, crashes or 0, steps, termination)
    if plot is not None:
        from ..output.plot import write_plot

        other = analyse_chance(space, "adversary" if scheduler == "uniform" else "uniform",
                               crashes or 0, steps, termination)
        write_plot(plot, *((result, other) if scheduler == "uniform" else (other, result)))
    if drn is not None:
        from ..analysis.chance.queries import labelled_model
        from ..output.drn import write_drn

        shown = [k for k, _ in result.initial[0].within] if result.initial else steps
        write_drn(drn, labelled_model(space, scheduler, crashes or 0, termination, shown))
    checked = None
    if policy is not None:
        checked = _write_policy(policy, protocol, space, result, crashes or 0, termination)
    if as_json:
        click.echo(json.dumps(chance_to_json(result), indent=2))
    else:
        print_chance(report_console(), result, space)
        if checked is not None:
            click.echo(checked)
    if stop.signal_name:
        click.echo(f"interrupted by {stop.signal_name}: the report above is partial", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(0)


def _write_policy(path: Path, protocol, space, result, crashes: int, termination: str) -> str:
    """Write the adversary's policy, replay it, and say what it achieves (a mismatch with the
    minimum reported is flpcheck's own failure: exit 3)."""
    from ..analysis.chance.policy import adversary_policy, check_policy, policy_to_json
    from ..output.files import atomic_write

    bound = result.initial[0].rounds[-1][0] if result.initial and result.initial[0].rounds \
        else None
    data = policy_to_json(adversary_policy(space, crashes, termination, bound))
    got = check_policy(protocol, json.loads(json.dumps(data)))
    for claim in data["claims"]:
        if claim["probability"] is not None and str(got[tuple(claim["inputs"])]) != \
                claim["probability"]:
            raise AssertionError(f"the policy replayed gives {got[tuple(claim['inputs'])]} "
                                 f"from {claim['inputs']}, not the minimum "
                                 f"{claim['probability']}")
    atomic_write(path, json.dumps(data, indent=1) + "\n")
    what = f"within {bound} rounds" if bound is not None else "eventually"
    return (f"wrote {path}: the adversary's policy for deciding {what}, "
            f"{len(data['entries']):,} configurations; replayed with the protocol's own code, "
            "it achieves the minimum from every initial configuration")
