"""The message sequence chart of one run, the chart the page of ``flpcheck serve`` draws.

Processes are columns and time runs down, one row per step: a step is a dot on its process's
line (filled: a receipt, hollow: a null step; a decision is a square in the decided value's
colour), every message is an arrow from the step that sent it to the step that received it
(copies of one message matched first in, first out), and the messages still in transit at the
end point to the bottom row. A crashed process's line is crossed where it stops and dotted
after; the cycle of a lasso is bracketed on the left, with the arrow back to where it starts.
The left column gives the step number, coloured by the valence of the configuration reached
when it is known.

:func:`sequence_view` draws steps it is given (replayed with the protocol's own code, see
:func:`flpcheck.model.semantics.replay`); :func:`schedule_from_json` reads a schedule as the
``--json`` outputs print it, mapping each JSON payload back to the real payload by replaying;
:func:`schedule_chart` does both, without exploring the model.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

import graphviz

from ...errors import ReplayError, UsageError
from ...model.inputs import bits
from ...model.protocol import Protocol
from ...model.receipts import receipts
from ...model.semantics import (
    Event,
    Step,
    applicable_events,
    apply_event,
    initial_configuration,
    replay,
)
from ...model.values import stable_repr, to_json
from .dot import Picture
from .style import EVENT_COLOUR, PALETTE, esc, legend

__all__ = ["sequence_view", "schedule_from_json", "schedule_chart"]

_DOT = "#222222"
_LINE = "#9a9a9a"
_FONT = "Helvetica"


def _payload(protocol: Protocol, payload: Any) -> str:
    try:
        return str(protocol.format_payload(payload))
    except Exception:
        return stable_repr(payload)


def sequence_view(protocol: Protocol, inputs: Sequence[int], steps: Sequence[Step], *,
                  cycle_start: int | None = None, crashed: Sequence[int] = (),
                  crash_at: int | None = None, valences: Sequence[str] | None = None,
                  title: str = "") -> graphviz.Digraph:
    """The sequence chart of ``steps`` from I(``inputs``).

    ``cycle_start``: the run is a lasso whose cycle is ``steps[cycle_start:]``; ``crashed``
    stop after ``crash_at`` steps (0: dead from the start); ``valences``: the valence of the
    initial configuration and of each configuration reached (``len(steps) + 1`` labels, any
    of them ``unknown``), or None.
    """
    n, t = protocol.processes, len(steps)
    if valences is not None and len(valences) != t + 1:
        raise UsageError(f"sequence chart: {len(valences)} valences for {t} steps")
    if cycle_start is not None and not 0 <= cycle_start < t:
        raise UsageError(f"sequence chart: the cycle starts at step {cycle_start}, outside "
                         f"the {t} steps")
    dead = set(crashed)
    stop = 0 if crash_at is None else crash_at
    g = _chart(protocol, inputs, t, cycle_start, dead, stop, title)
    left = _step_column(g, t, cycle_start, valences)
    arrows = _arrows(steps)
    _process_lines(g, protocol, inputs, steps, arrows, dead, stop)
    _rows(g, t, n, left)
    _messages(g, protocol, arrows, t)
    _legend(g, valences, cycle_start is not None, bool(dead))
    g.edge(f"g{t + 1}", "legend", style="invis")  # the legend under the chart
    return g


def _legend(g: graphviz.Digraph, valences: Sequence[str] | None, cycle: bool,
            crash: bool) -> None:
    """The chart's legend: the step column's colours, then the marks the chart uses."""
    marks = [("filled dot", "the process receives a message"),
             ("hollow dot", "the process takes a null step"),
             ("square 0 / 1", "the process decides 0 / 1"),
             ("arrow", "a message, from its send to its receipt"),
             ("dashed arrow", "still in transit at the end")]
    if cycle:
        marks.append(("vermillion bar", "the cycle, repeated forever"))
    if crash:
        marks.append(("✕", "a crash: the process never steps again"))
    heading = ("step number: valence of the configuration it reaches" if valences is not None
               else "step number: valence not computed (nothing explored)")
    counts = None if valences is None else dict(Counter(valences))
    legend(g, counts, marks, heading=heading)


def _chart(protocol: Protocol, inputs: Sequence[int], t: int, cycle_start: int | None,
           dead: set[int], stop: int, title: str) -> graphviz.Digraph:
    """The empty chart with its title: what runs, from where, with which crashes."""
    g = Picture("sequence")
    shape = f"{t} step{'' if t == 1 else 's'} from I({bits(inputs)})" + (
        "" if cycle_start is None else f", the cycle from step {cycle_start + 1} on repeated "
        "forever") + ("" if not dead else ", " + ", ".join(f"p{p}" for p in sorted(dead))
                      + (" dead from the start" if stop == 0 else f" crashed after step {stop}"))
    head = (f"{type(protocol).__name__}, N={protocol.processes}: sequence chart"
            + (f" of {title}" if title else ""))
    g.attr("graph", label=esc(f"{head}\n{shape}"), labelloc="t", fontname=_FONT, fontsize="12",
           rankdir="TB", nodesep="0.55", ranksep="0.22", splines="line", newrank="true",
           bgcolor="white", outputorder="edgesfirst")
    g.attr("node", fontname=_FONT, fontsize="9")
    g.attr("edge", fontname=_FONT, fontsize="9", arrowsize="0.6")
    return g


def _step_column(g: graphviz.Digraph, t: int, cycle_start: int | None,
                 valences: Sequence[str] | None) -> list[str]:
    """The left column: step numbers coloured by valence, the cycle's bracket; returns the
    bracket's nodes (one per row, none without a cycle)."""
    rows = range(t + 2)  # 0: I(x), i: after step i, t + 1: in transit
    for r in rows:
        if r == t + 1:
            g.node(f"g{r}", label="in transit", shape="plaintext", fontcolor="#555555",
                   height="0.2")
            continue
        known = valences is not None and valences[r] in PALETTE
        label = valences[r] if valences is not None else "valence not computed"
        g.node(f"g{r}", label="I" if r == 0 else str(r), shape="box", width="0.3",
               height="0.2", fixedsize="true", fontcolor="#14171c", tooltip=label,
               style="rounded,filled" if known else "rounded,filled,dashed",
               fillcolor=PALETTE[valences[r]] if known else "white",  # type: ignore[index]
               color="#14171c" if known else "#888888")
    middle = None if cycle_start is None else (cycle_start + t) // 2
    for r in range(t + 1):  # the cycle's bracket: from where it starts to where it returns
        inside = cycle_start is not None and cycle_start <= r < t
        g.edge(f"g{r}", f"g{r + 1}", style="bold" if inside else "invis", arrowhead="none",
               penwidth="3", weight="100", color=EVENT_COLOUR)
    left = [] if middle is None else [f"c{r}" for r in rows]
    for r, name in enumerate(left):
        g.node(name, label="cycle" if r == middle else "", shape="plaintext",
               fontcolor=EVENT_COLOUR, width="0.1", height="0.2")
    return left


def _process_lines(g: graphviz.Digraph, protocol: Protocol, inputs: Sequence[int],
                   steps: Sequence[Step], arrows: list[tuple[int, int, int, int, Any]],
                   dead: set[int], stop: int) -> None:
    """Each process's line: its head, a dot per step it takes (a square where it decides),
    its crash, and what is in transit to it at the end."""
    t = len(steps)
    by_row = {i + 1: s for i, s in enumerate(steps)}
    transit: dict[int, list[str]] = {}
    for _, _, end, dst, payload in arrows:
        if end == t + 1:
            transit.setdefault(dst, []).append(_payload(protocol, payload))
    outputs = [initial_configuration(protocol, inputs).outputs(protocol)]
    outputs += [s.config.outputs(protocol) for s in steps]
    for p in range(protocol.processes):
        mark = " ✕" if p in dead else ""
        g.node(f"h{p}", label=f"p{p}{mark}\nx={inputs[p]}", shape="plaintext", fontsize="11",
               fontcolor=EVENT_COLOUR if p in dead else "#14171c")
        for r in range(t + 2):
            step = by_row.get(r)
            name = f"p{p}r{r}"
            if p in dead and r == stop:
                g.node(name, label="✕", shape="plaintext", fontcolor=EVENT_COLOUR,
                       fontsize="18", width="0.2", height="0.2", fixedsize="true",
                       tooltip=f"p{p} crashes: it never steps again")
            elif step is not None and step.event.pid == p:
                g.node(name, **_step_dot(protocol, step, r, outputs[r - 1][p], outputs[r][p]))
            elif r == t + 1 and transit.get(p):
                g.node(name, label=esc(", ".join(transit[p])), shape="plaintext",
                       fontcolor="#555555", width="0.1", height="0.15",
                       tooltip=esc(f"in transit to p{p} at the end"))
            else:
                g.node(name, shape="point", width="0.01", color=_LINE)
        g.edge(f"h{p}", f"p{p}r0", arrowhead="none", color=_LINE, weight="100")
        for r in range(t + 1):
            after = p in dead and r >= stop
            g.edge(f"p{p}r{r}", f"p{p}r{r + 1}", arrowhead="none", weight="100",
                   color=_LINE, style="dotted" if after else "solid")


def _step_dot(protocol: Protocol, step: Step, r: int, before: int | None,
              after: int | None) -> dict[str, str]:
    """The attributes of step ``r``'s dot: filled for a receipt, hollow for a null step, a
    square in the decided value's colour where the process decides (output ``before`` ->
    ``after``)."""
    p = step.event.pid
    what = ("null step" if step.event.msg is None
            else f"receives {_payload(protocol, step.event.msg)}")
    if step.event.outcome is not None:
        what += f", outcome {step.event.outcome}"
    attrs = {"shape": "circle", "width": "0.14", "fixedsize": "true", "label": "",
             "style": "filled", "color": _DOT,
             "fillcolor": "white" if step.event.msg is None else _DOT,
             "tooltip": f"step {r}: p{p} {what}"}
    if before is None and after is not None:
        attrs.update(shape="square", width="0.22", label=str(after), fontsize="9",
                     fillcolor=PALETTE["0-valent" if after == 0 else "1-valent"],
                     tooltip=attrs["tooltip"] + f", decides {after}")
    return attrs


def _rows(g: graphviz.Digraph, t: int, n: int, left: list[str]) -> None:
    """One rank per row (step), the columns in process order; the heads on top."""
    for r in range(t + 2):
        with g.subgraph() as s:
            s.attr(rank="same")
            s.node(f"g{r}")
            for p in range(n):
                s.node(f"p{p}r{r}")
            if left:
                s.node(left[r])
        chain = left[r:r + 1] + [f"g{r}"] + [f"p{p}r{r}" for p in range(n)]
        for a, b in zip(chain, chain[1:], strict=False):
            g.edge(a, b, style="invis")
    with g.subgraph() as s:
        s.attr(rank="min")
        for p in range(n):
            s.node(f"h{p}")


def _messages(g: graphviz.Digraph, protocol: Protocol,
              arrows: list[tuple[int, int, int, int, Any]], t: int) -> None:
    """Every message as an arrow from its send to its receipt (dashed to the bottom row when
    still in transit)."""
    for row, src, end, dst, payload in arrows:
        text = _payload(protocol, payload)
        pending = end == t + 1  # its payload is written at the bottom, under its receiver
        g.edge(f"p{src}r{row}", f"p{dst}r{end}", constraint="false",
               xlabel="" if pending else esc(text), color=_LINE if pending else _DOT,
               style="dashed" if pending else "solid",
               arrowhead="onormal" if pending else "normal", fontcolor="#333333",
               tooltip=esc(f"{text}: sent by p{src} at step {row}, "
                           + ("still in transit" if pending else f"received at step {end}")))


def _arrows(steps: Sequence[Step]) -> list[tuple[int, int, int, int, Any]]:
    """Every message as (row of its send, sender, row of its receipt, receiver, payload), the
    row after the last step for one still in transit (row i: after step i)."""
    sources, transit = receipts(steps)
    out = [(j + 1, steps[j].event.pid, i + 1, step.event.pid, step.event.msg)
           for i, (step, j) in enumerate(zip(steps, sources, strict=True)) if j is not None]
    return out + [(i + 1, steps[i].event.pid, len(steps) + 1, dst, payload)
                  for i, dst, payload in transit]


def schedule_from_json(protocol: Protocol, document: Any) -> tuple[tuple[int, ...], list[Event],
                                                                 int | None, frozenset[int]]:
    """(inputs, events, cycle start, crashed) of a schedule in JSON: ``{"inputs": [...],
    "events": [[pid, payload], ...]}`` as ``--json`` prints a schedule (an event of a step left
    to chance is ``[pid, payload, outcome]``), or a run ``{"inputs",
    "stem", "cycle", "crashed", ...}`` as ``witness --json`` prints one. Each payload is
    matched against the JSON form of the messages pending for that process when the event
    happens, replaying from I(inputs); no match, or two different pending messages with that
    JSON form, is a usage error."""
    if not isinstance(document, dict) or "inputs" not in document:
        raise UsageError('a schedule is {"inputs": [...], "events": [[pid, payload], ...]} '
                         '(or a run {"inputs", "stem", "cycle", "crashed"})')
    n = protocol.processes
    inputs = document["inputs"]
    if isinstance(inputs, str):
        inputs = [int(c) for c in inputs if c in "01"]
    if not isinstance(inputs, list) or len(inputs) != n or any(x not in (0, 1) for x in inputs):
        raise UsageError(f"schedule: inputs {document['inputs']!r}: need {n} values, each 0 or 1")
    if "events" in document:
        raw, cycle_start, crashed = document["events"], None, frozenset[int]()
    elif "stem" in document and "cycle" in document:
        raw = list(document["stem"]) + list(document["cycle"])
        cycle_start = len(document["stem"]) if document["cycle"] else None
        crashed = frozenset(document.get("crashed") or ())
    else:
        raise UsageError("schedule: no events (a schedule has \"events\", a run \"stem\" and "
                         "\"cycle\")")
    config = initial_configuration(protocol, tuple(inputs))
    events = []
    for i, item in enumerate(raw, 1):
        if not (isinstance(item, list) and len(item) in (2, 3) and isinstance(item[0], int)
                and 0 <= item[0] < n and (len(item) == 2 or isinstance(item[2], int))):
            raise UsageError(f"schedule step {i}: {item!r} is not an event [pid, payload] (or "
                             f"[pid, payload, outcome]) with pid in 0..{n - 1}")
        pid, want = item[:2]
        outcome = item[2] if len(item) == 3 else None
        if want is None:
            event = Event(pid, None)
        else:
            key = json.dumps(want, sort_keys=True)
            found = [e for e in applicable_events(config, n)[n:] if e.pid == pid
                     and json.dumps(to_json(e.msg), sort_keys=True) == key]
            if not found:
                raise UsageError(f"schedule step {i}: no message {json.dumps(want)} is pending "
                                 f"for p{pid}")
            if len(found) > 1:
                raise UsageError(f"schedule step {i}: {len(found)} different messages pending "
                                 f"for p{pid} have the JSON form {json.dumps(want)}: the "
                                 "schedule is ambiguous")
            event = found[0]
        event = event._replace(outcome=outcome)
        try:
            config = apply_event(protocol, config, event).config
        except ReplayError as err:
            raise UsageError(f"schedule step {i}: {err}") from None
        events.append(event)
    return tuple(inputs), events, cycle_start, crashed


def schedule_chart(protocol: Protocol, document: Any, title: str = "") -> graphviz.Digraph:
    """The sequence chart of a schedule (or run) in JSON (see :func:`schedule_from_json`),
    replayed with the protocol's own code; no valences (nothing is explored)."""
    inputs, events, cycle_start, crashed = schedule_from_json(protocol, document)
    if cycle_start is not None and cycle_start >= len(events):
        cycle_start = None
    steps = replay(protocol, inputs, events)
    crash_at = None
    if crashed:
        crash_at = max((i + 1 for i, e in enumerate(events[:cycle_start]) if e.pid in crashed),
                       default=0)
    return sequence_view(protocol, inputs, steps, cycle_start=cycle_start,
                         crashed=sorted(crashed), crash_at=crash_at, title=title)
