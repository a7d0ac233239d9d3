"""The result of exploring a round protocol: its JSON form and its text form (rich).

The JSON keys are a documented interface (the schema ``explore-rounds`` of
:mod:`flpcheck.output.schemas`). A
counterexample is shown as a round-by-round table: who crashed in which round, which of the
crashing processes' messages got through and which were lost, and every local state after each
round. Messages between live processes always arrive, so the table leaves them out (the JSON
lists every message).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table

from ..model.round_protocol import RoundProtocol
from ..model.values import stable_repr
from ..sync.records import RoundCheck, RoundExecution
from .text import styled

__all__ = ["print_round_check", "print_execution"]


def _cell(protocol: RoundProtocol, pid: int, state: Any, output: int | None) -> str:
    try:
        text = protocol.format_state(pid, state)
    except Exception:
        text = stable_repr(state)
    return text if output is None else f"{text} y={output}"


def _payload(protocol: RoundProtocol, payload: Any) -> str:
    try:
        return protocol.format_payload(payload)
    except Exception:
        return stable_repr(payload)


def print_execution(console: Console, protocol: RoundProtocol, execution: RoundExecution) -> None:
    """An execution as a table with one row per round (row 0: the initial states)."""
    n = len(execution.inputs)
    table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 1))
    for col in ("round", "crashes", "got through", "lost"):
        table.add_column(col, overflow="fold")
    for p in range(n):
        table.add_column(f"p{p}", overflow="fold")
    table.add_row("0", "-", "-", "-", *(
        _cell(protocol, p, s, y)
        for p, (s, y) in enumerate(zip(execution.initial_states, execution.initial_outputs,
                                       strict=True))))
    down: set[int] = set()
    for rec in execution.records:
        crashing = set(rec.crashed)
        got, lost = [], []
        for m in rec.messages:
            if m.src in crashing and rec.live[m.dst]:
                text = f"p{m.src}→p{m.dst}"
                if m.delivered:
                    got.append(f"{text} {_payload(protocol, m.payload)}")
                else:
                    lost.append(text)
        cells = []
        for p in range(n):
            if p in crashing:
                cells.append("crashed")
            elif p in down:
                cells.append("-")
            else:
                cells.append(_cell(protocol, p, rec.states[p], rec.outputs[p]))
        table.add_row(str(rec.round), ", ".join(f"p{p}" for p in rec.crashed) or "-",
                      ", ".join(got) or "-", ", ".join(lost) or "-", *cells)
        down |= crashing
    console.print(Padding(table, (0, 0, 0, 4), expand=False))


def print_round_check(console: Console, check: RoundCheck) -> None:
    """The text report of ``flpcheck explore`` for a round protocol."""
    f = check.crashes
    console.print(styled(
        "[bold]{}[/bold] (synchronous rounds), {}", check.name,
        f"N={check.processes}, R={check.rounds}, at most f={f} crash{'es' if f != 1 else ''} "
        f"({check.elapsed:.2f}s)"))
    console.print(
        f"{check.executions:,} executions ({len(check.inputs):,} input vectors, "
        f"{check.crash_patterns:,} crash patterns); global states per round: "
        f"{', '.join(f'{s:,}' for s in check.global_states)}"
    )
    for v in check.verdicts:
        if v.holds is None:
            console.print(styled("[bold]{}[/bold]: {}", v.name, v.detail))
            continue
        if v.holds:
            console.print(styled("[bold]{}[/bold]: [green]holds[/green] in all {} executions",
                                 v.name, f"{check.executions:,}"))
            continue
        console.print(styled("[bold]{}[/bold]: [red]VIOLATED[/red] in {}", v.name,
                             f"{v.violations:,} of {check.executions:,} executions: {v.detail}"))
        if v.counterexample is not None:
            console.print(f"  counterexample: {v.counterexample.describe()}", markup=False)
            print_execution(console, check.protocol, v.counterexample)
