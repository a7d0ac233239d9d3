"""The result of ``flpcheck explore``: one value, its JSON form and its text form.

The JSON keys are a documented interface (README, "JSON reference"); the text form is printed
with rich by :func:`print_exploration`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from .explain import annotate, schedule_to_json
from .properties import PropertyResult, check_safety
from .statespace import StateSpace
from .valence import LABELS, ValenceMap, classify_valence

__all__ = ["Exploration", "summarize", "exploration_to_json", "print_exploration",
           "print_schedule", "cut_notice"]


@dataclass(frozen=True)
class Exploration:
    """A state space with its valence map and safety verdicts."""

    name: str
    space: StateSpace
    valence: ValenceMap
    properties: list[PropertyResult]

    @property
    def violated(self) -> bool:
        """True when some safety property is certainly violated."""
        return any(not p.holds and p.certain for p in self.properties)

    @property
    def exit_code(self) -> int:
        """0 when no violation was found, 1 when one was (the CLI's exit code)."""
        return 1 if self.violated else 0


def summarize(name: str, space: StateSpace) -> Exploration:
    """Classify valence and check the safety properties of an explored space."""
    return Exploration(name, space, classify_valence(space), check_safety(space))


def cut_notice(space: StateSpace) -> str:
    """One sentence saying what bound cut the exploration and what that means."""
    if space.complete:
        return ""
    cut = int(space.weights[space.cut].sum())
    reasons = ", ".join(space.cut_reasons)
    hint = ""
    if space.bounds.max_buffer is None and set(space.cut_reasons) - {"max-buffer"}:
        largest = max(space.buffer_size(c) for c in range(len(space)))
        hint = (f" The largest buffer seen holds {largest} messages: if the protocol can send "
                "without end, bound its buffer with --max-buffer.")
    return (
        f"INCOMPLETE: cut by {reasons}; {cut} configurations were not expanded. Counts are of the "
        "explored part; a valence that is not bivalent is only a lower bound, and properties "
        f"that hold are only known to hold in the explored part.{hint}"
    )


def exploration_to_json(result: Exploration) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck explore`` (keys documented in the README)."""
    space, valence = result.space, result.valence
    counts = valence.counts()

    def prop(p: PropertyResult) -> dict[str, Any]:
        sched = schedule_to_json(p.schedule)
        out: dict[str, Any] = {
            "holds": p.holds,
            "certain": p.certain,
            "schedule": None if sched is None else sched["events"],
            "inputs": None if sched is None else sched["inputs"],
            "detail": p.detail,
        }
        if p.witnesses:
            out["witnesses"] = {k: schedule_to_json(s) for k, s in p.witnesses.items()}
        return out

    by_name = {p.name: p for p in result.properties}
    return {
        "protocol": result.name,
        "processes": space.n,
        "complete": space.complete,
        "cut_reasons": list(space.cut_reasons),
        "bounds": {k: getattr(space.bounds, k) for k in ("max_configs", "max_buffer", "max_depth")},
        "configurations": space.total_configurations(),
        "events": space.total_events(),
        "unexpanded": int(space.weights[space.cut].sum()),
        "valence": {label: counts[label] for label in LABELS},
        "valence_lower_bounds": valence.uncertain_count(),
        "initial": [
            {"inputs": list(x), "valence": valence.label(cid), "certain": valence.is_certain(cid)}
            for x, cid in space.initial
        ],
        "agreement": prop(by_name["agreement"]),
        "validity": prop(by_name["validity"]),
        "nontriviality": prop(by_name["nontriviality"]),
        "seconds": round(space.elapsed, 3),
        **({"symmetry": {"representatives": len(space), "events": space.num_events}}
           if space.reduced else {}),
        **({"partial_order": {"applied": space.partial_order, "note": space.por_note}}
           if space.partial_order or space.por_note else {}),
    }


def print_schedule(console: Console, space: StateSpace, schedule: Any, title: str) -> None:
    """A schedule as numbered steps: process, message, sends, state after, valence reached."""
    proto = space.protocol
    start_label, steps = annotate(space, schedule)
    console.print(f"  {title}: from inputs {''.join(map(str, schedule.inputs))} ({start_label})")
    table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 1))
    for col in ("#", "p", "receives", "sends", "state after", "outputs", "valence"):
        table.add_column(col, overflow="fold")
    for st in steps:
        msg = "null" if st.event.msg is None else proto.format_payload(st.event.msg)
        sends = ", ".join(f"{proto.format_payload(pl)}→p{d}" for d, pl in st.sends) or "-"
        outs = "".join("_" if o is None else str(o) for o in st.outputs)
        table.add_row(str(st.index), f"p{st.event.pid}", msg, sends,
                      proto.format_state(st.event.pid, st.state_after), outs, st.valence)
    if steps:
        console.print(table)
    else:
        console.print("    (the initial configuration itself)")


def print_exploration(console: Console, result: Exploration) -> None:
    """The text report of ``flpcheck explore``."""
    space, valence = result.space, result.valence
    status = "complete" if space.complete else "INCOMPLETE"
    console.print(
        f"[bold]{result.name}[/bold], N={space.n}: {space.total_configurations():,} "
        f"configurations, {space.total_events():,} events ({status}, {space.elapsed:.2f}s)"
    )
    if space.reduced:
        console.print(f"Symmetry reduction: {len(space):,} representatives stored, one per orbit "
                      f"of process renamings ({space.num_events:,} events among them)")
    if space.partial_order:
        console.print(f"Partial-order reduction: {len(space):,} configurations and "
                      f"{space.num_events:,} events explored, part of the full graph; the "
                      "verdicts, schedules and the valence of each are exact, the counts are "
                      "the reduced graph's")
    elif space.por_note:
        console.print(f"[yellow]{space.por_note}[/yellow]")
    if not space.complete:
        console.print(f"[yellow]{cut_notice(space)}[/yellow]")
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
        table.add_row("".join(map(str, x)), valence.describe(cid))
    console.print(table)
    for p in result.properties:
        if p.holds:
            mark = "[green]holds[/green]" if p.certain else "[yellow]holds in the explored part[/yellow]"
        else:
            mark = "[red]VIOLATED[/red]" if p.certain else "[yellow]not shown[/yellow]"
        console.print(f"[bold]{p.name}[/bold]: {mark}: {p.detail}")
        if p.schedule is not None:
            print_schedule(console, space, p.schedule, "shortest schedule")
