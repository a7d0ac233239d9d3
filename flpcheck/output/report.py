"""The text report of ``flpcheck explore`` (rich), and the schedule tables every report uses.

Schedules come replayed with the protocol's own code and annotated by the analyses
(:class:`flpcheck.analysis.explain.ShownSchedule`); here they are only formatted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from ..analysis.explain import AnnotatedStep, ShownSchedule
from ..analysis.summary import Exploration
from ..analysis.valence import LABELS
from ..explorer.statespace import StateSpace
from ..model.inputs import bits
from ..model.termination import DEFINITIONS
from .text import styled

__all__ = ["print_exploration", "print_schedule", "print_steps", "cut_notice", "schedule_title",
           "receives_text", "chance_notice"]


def receives_text(protocol: Any, event: Any) -> str:
    """What the event's process receives, as the "receives" column shows it: ``null`` or the
    payload, then ``(outcome k)`` for a step left to chance."""
    msg = "null" if event.msg is None else protocol.format_payload(event.msg)
    return msg if event.outcome is None else f"{msg} (outcome {event.outcome})"


def chance_notice(space: StateSpace) -> str:
    """One sentence on the steps left to chance ('' when there are none)."""
    if space.edge_probability is None:
        return ""
    edges = int(np.count_nonzero(space.edge_probability))
    shown = ", ".join(str(p) for p in space.probabilities[1:])
    return (f"Steps left to chance: {edges:,} of the {space.num_events:,} events are outcomes "
            f"(probabilities {shown}); each outcome is a branch here, as if the adversary "
            "chose it: valence, safety and runs are those of every outcome")


def cut_notice(space: StateSpace) -> str:
    """One sentence saying what bound cut the exploration and what that means."""
    if space.complete:
        return ""
    cut = int(space.weights[space.cut].sum())
    reasons = ", ".join(space.cut_reasons)
    hint = ""
    if space.bounds.max_buffer is None and set(space.cut_reasons) - {"max-buffer"}:
        largest = _largest_buffer(space)
        hint = (f" The largest buffer seen holds {largest} messages: if the protocol can send "
                "without end, bound its buffer with --max-buffer.")
    return (
        f"INCOMPLETE: cut by {reasons}; {cut} configurations were not expanded. Counts are of the "
        "explored part; a valence that is not bivalent is only a lower bound, and properties "
        f"that hold are only known to hold in the explored part.{hint}"
    )


def _largest_buffer(space: StateSpace, chunk: int = 1 << 18) -> int:
    """The most messages in transit in one configuration (a chunk of rows at a time)."""
    if space.on_partitions:  # a graph left on its partitions
        return max(space.buffer_size(c) for c in range(len(space)))
    rows = space.rows
    n = space.n
    lengths = np.array([len(b) for b in space.buffers] or [0], dtype=np.int64)
    return max((int(lengths[rows[a:a + chunk, n:]].sum(axis=1).max())
                for a in range(0, len(space), chunk)), default=0)


def print_schedule(console: Console, space: StateSpace, schedule: ShownSchedule,
                   title: str) -> None:
    """A schedule as numbered steps: process, message, sends, state after, valence reached."""
    console.print(f"  {title}: from inputs {bits(schedule.inputs)} ({schedule.start})")
    if schedule.steps:
        print_steps(console, space, list(schedule.steps))
    else:
        console.print("    (the initial configuration itself)")


def print_steps(console: Console, space: StateSpace, steps: list[AnnotatedStep],
                extra: tuple[str, list[str]] | None = None, first: int = 1) -> None:
    """Annotated steps as a table: #, process, message received, sends, the process's state
    after, every output, and the valence reached; ``extra`` adds a column (heading, one
    value per step); steps are numbered from ``first``."""
    proto = space.protocol
    table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 1))
    columns = ["#", "p", "receives", "sends", "state after", "outputs", "valence"]
    if extra is not None:
        columns.append(extra[0])
    for col in columns:
        table.add_column(col, overflow="fold")
    for i, st in enumerate(steps):
        msg = receives_text(proto, st.event)
        sends = ", ".join(f"{proto.format_payload(pl)}→p{d}" for d, pl in st.sends) or "-"
        outs = "".join("_" if o is None else str(o) for o in st.outputs)
        row = [str(first + i), f"p{st.event.pid}", msg, sends,
               proto.format_state(st.event.pid, st.state_after), outs, st.valence]
        if extra is not None:
            row.append(extra[1][i])
        table.add_row(*row)
    console.print(table)


def schedule_title(space: StateSpace) -> str:
    """What a property's schedule is called: the shortest, except under the partial-order
    reduction, whose schedules are not always the shortest."""
    return ("a schedule (under --por not always the shortest)" if space.partial_order
            else "shortest schedule")


def print_exploration(console: Console, result: Exploration) -> None:
    """The text report of ``flpcheck explore``."""
    space, valence = result.space, result.valence
    status = "complete" if space.complete else "INCOMPLETE"
    console.print(styled("[bold]{}[/bold], N={}: {}", result.name, space.n,
                         f"{space.total_configurations():,} configurations, "
                         f"{space.total_events():,} events ({status}, {space.elapsed:.2f}s)"))
    if space.reduced:
        console.print(f"Symmetry reduction: {len(space):,} representatives stored, one per orbit "
                      f"of process renamings ({space.num_events:,} events among them)")
    if space.partial_order:
        console.print(f"Partial-order reduction: {len(space):,} configurations and "
                      f"{space.num_events:,} events explored, part of the full graph; the "
                      "verdicts, schedules and the valence of each are exact, the counts are "
                      "the reduced graph's")
    elif space.por_note:
        console.print(styled("[yellow]{}[/yellow]", space.por_note))
    if space.edge_probability is not None:
        console.print(chance_notice(space))
    if not space.complete:
        console.print(styled("[yellow]{}[/yellow]", cut_notice(space)))
    if valence is None:
        console.print(styled("Valence: [yellow]not established[/yellow] (interrupted before it "
                             "was computed)"))
    else:
        counts = valence.counts()
        parts = [f"{label}: {counts[label]:,}" for label in LABELS]
        lower = valence.uncertain_count()
        console.print("Valence: " + ", ".join(parts)
                      + (f"  ({lower:,} only lower bounds)" if lower else ""))
    console.print("Initial configurations:")
    table = Table(show_edge=False)
    table.add_column("inputs")
    table.add_column("valence")
    for x, cid in space.initial:
        table.add_row(bits(x), "not established" if valence is None else valence.describe(cid))
    console.print(table)
    for p, shown in zip(result.properties, result.schedules, strict=True):
        if p.holds:
            mark = "[green]holds[/green]" if p.certain else "[yellow]holds in the explored part[/yellow]"
        elif p.violated:
            mark = "[red]VIOLATED[/red]"
        else:
            mark = "[yellow]not established[/yellow]"
        console.print(styled(f"[bold]{{}}[/bold]: {mark}: {{}}", p.name, p.detail))
        if shown is not None:
            print_schedule(console, space, shown, schedule_title(space))
    search = result.nondeciding
    mark = ""
    if search is None:
        text = result.not_searched
    elif search.exists:
        assert search.run is not None
        text = (f"a fair run never decides (from inputs {bits(search.run.inputs)}: "
                f"{len(search.run.stem)} steps, then a cycle of {len(search.run.cycle)} forever; "
                "flpcheck witness --crashes 0 shows it)")
    elif search.exists is None:
        mark, text = "[yellow]not established[/yellow]: ", search.reason
    else:
        text = "every fair run decides"
    console.print(styled(f"[bold]crash-free termination[/bold]: {mark}{{}}; {{}}", text,
                         DEFINITIONS[result.termination]))
