"""The text report of ``flpcheck simulate`` (its JSON form is
:func:`flpcheck.output.json.simulation_to_json`).

A simulation that finds no violation proves nothing; the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from ..model.inputs import bits
from ..model.protocol import Protocol
from ..model.semantics import Event, replay
from ..simulate import PROPERTIES, Simulation, histogram
from .json import rate
from .report import receives_text
from .text import styled

__all__ = ["print_simulation", "print_schedule_steps"]


def print_schedule_steps(console: Console, protocol: Protocol, inputs: Sequence[int],
                         events: Sequence[Event]) -> None:
    """A schedule without a state space, replayed with the protocol's own code, as numbered
    steps in the layout of explore's schedules: process, message received, sends, the
    process's state after, every output."""
    table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 1))
    for col in ("#", "p", "receives", "sends", "state after", "outputs"):
        table.add_column(col, overflow="fold")
    for i, st in enumerate(replay(protocol, inputs, events), 1):
        msg = receives_text(protocol, st.event)
        sends = ", ".join(f"{protocol.format_payload(pl)}→p{d}" for d, pl in st.sends) or "-"
        outs = "".join("_" if o is None else str(o) for o in st.config.outputs(protocol))
        table.add_row(str(i), f"p{st.event.pid}", msg, sends,
                      protocol.format_state(st.event.pid, st.config.states[st.event.pid]), outs)
    console.print(table)


def _shown(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 100 else f"{rate:.1f}"


def _summary(values: Sequence[int]) -> str:
    if not values:
        return "none"
    return (f"min {min(values):,}, mean {sum(values) / len(values):,.1f}, "
            f"max {max(values):,}")


def print_simulation(console: Console, sim: Simulation) -> None:
    """The text report of ``flpcheck simulate``."""
    c, s = sim.counts, sim.settings
    scheduler = ("swarm (uniform and fair in turn, run by run)" if s.scheduler == "swarm"
                 else s.scheduler)
    console.print(styled("[bold]{}[/bold], N={}: {}", sim.name, sim.protocol.processes,
                         f"simulation, scheduler {scheduler}, seed {s.seed}"
                         + (f", {sim.workers} workers" if sim.workers > 1 else "")))
    taken = f"{c.runs:,} of {s.runs:,} runs" if c.runs != s.runs else f"{c.runs:,} runs"
    why = {"violation": " (stopped at the first violating run; --keep-going takes them all)",
           None: ""}.get(c.stopped_by, " ([yellow]stopped: {}[/yellow])")
    inputs = ("drawn from " + ", ".join(bits(x) for x in s.inputs) if s.inputs is not None
              else "drawn at random")
    stopped = [] if c.stopped_by in ("violation", None) else [c.stopped_by]  # why's field
    console.print(styled("{} of at most {} events" + why + "; inputs {}", taken, f"{s.steps:,}",
                         *stopped, inputs))
    distinct = f"{'at least ' if sim.capped else ''}{sim.distinct:,}"
    console.print(f"{c.events:,} events; {distinct} distinct configurations (by 64-bit hash"
                  + (f"; only the first {s.distinct_cap:,} kept" if sim.capped else "") + ")")
    pct = f"{100 * sim.decision_rate:.1f}%"
    console.print(f"Decided: {c.decided:,} runs ({pct}); undecided at the step limit: "
                  f"{c.undecided:,}; stuck undecided: {c.idle:,}")
    if c.idle:
        console.print("  A stuck run reached a configuration where nothing can change any more "
                      "and nobody has decided: from there, every process taking null steps "
                      "forever is a fair crash-free run that never decides.")
    if c.depths:
        total = sum(k for _, k in c.depths)
        mean = sum(d * k for d, k in c.depths) / total
        console.print(f"First decision at event: min {c.depths[0][0]:,}, mean {mean:,.1f}, "
                      f"max {c.depths[-1][0]:,}")
        rows = histogram(c.depths)
        top = max(k for _, _, k in rows) or 1
        table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 1),
                      show_header=False)
        for _ in range(3):
            table.add_column()
        for lo, hi, k in rows:
            span = str(lo) if lo == hi else f"{lo}-{hi}"
            table.add_row(f"  {span}", "█" * max(1 if k else 0, round(30 * k / top)), f"{k:,}")
        console.print(table)
    if s.scheduler == "adversary":
        certified = [b for _, _, b in c.adversary if b >= 0]
        held = (f"stayed certified bivalent for {_summary(certified)} events" if certified
                else "so it never stayed certified bivalent")
        console.print(f"Adversary (look-ahead {s.lookahead:,} configurations): the start was "
                      f"certified bivalent in {len(certified):,} of {c.runs:,} runs; {held}; "
                      f"stayed undecided for {_summary([u for _, u, _ in c.adversary])} events")
        if c.runs <= 20:
            for run, u, b in c.adversary:
                shown = "start not certified" if b < 0 else f"certified bivalent for {b:,}"
                console.print(f"  run {run}: undecided for {u:,} events, {shown}")
    console.print(f"{_shown(rate(c.runs, sim.seconds))} runs/s, "
                  f"{_shown(rate(c.events, sim.seconds))} events/s ({sim.seconds:.2f}s; replay "
                  f"and shrinking {sim.shrink_seconds:.2f}s)")
    for prop in PROPERTIES:
        found = [v for v in sim.violations if v.property == prop]
        if not found:
            console.print(styled("[bold]{}[/bold]: no violation found (not established)", prop))
            continue
        v = found[0]
        runs = f"{v.runs:,} run{'s' if v.runs != 1 else ''}"
        by = f" (scheduler {v.scheduler})" if s.scheduler == "swarm" else ""
        console.print(styled("[bold]{}[/bold]: [red]VIOLATED[/red] in {}", prop,
                             f"{runs}, first in run {v.found_in_run}{by} at event "
                             f"{v.found_at_event}"))
        console.print(f"  schedule from inputs {bits(v.inputs)}, shrunk from "
                      f"{v.found_at_event} to {len(v.events)} events (no single event can be "
                      f"removed): {v.detail}")
        if v.events:
            print_schedule_steps(console, sim.protocol, v.inputs, v.events)
        else:
            console.print("    (the initial configuration itself)")
    console.print(styled("[red]{}[/red]" if sim.violations else "[yellow]{}[/yellow]",
                         sim.conclusion))
