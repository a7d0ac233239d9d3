"""A violation replayed independently, then shrunk to a locally minimal schedule.

1. The schedule of the violating run is replayed with the protocol's own code
   (:mod:`flpcheck.model.semantics`: no interning, no memo), which must reach the same
   violation at the same event.
2. It is shrunk by delta debugging (Zeller and Hildebrandt, "Simplifying and Isolating
   Failure-Inducing Input", 2002) on the memoized interned steps: chunks of events are dropped,
   halving the chunk size when no chunk can go, while the schedule still violates the
   property. A candidate is replayed leniently: an event whose message is not in transit any
   more (dropping an event changes what is sent later) is skipped too, as hypothesis lets the
   rest of a test case adapt to a shrink; a schedule is cut after its first violation. The
   same is done on a second view of the schedule, each event as "p receives the k-th oldest
   message in transit to it" (or null), where dropping an event lets the later ones adapt to
   what is then in transit; the two views alternate until neither shrinks the schedule.
3. Single events are then dropped, replaying each candidate with the protocol's own code again,
   until no single event can be removed: the result is locally minimal (1-minimal) by the
   independent semantics. It need not be a shortest violation: that takes an exhaustive search
   (``flpcheck explore``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ReplayError
from ..model.protocol import Protocol
from ..model.semantics import Event, apply_event, initial_configuration
from ..model.table import NULL
from .machine import Fifo, Machine, Move, advance, oldest, uniform_input

__all__ = ["ddmin", "semantic_first_violation", "semantic_violations", "shrink_moves",
           "shrink_schedule", "describe_violation", "to_positions", "positional_prefix"]


def ddmin(items: Sequence[Any], test: Callable[[list[Any]], list[Any] | None],
          max_tests: int = 20_000) -> list[Any]:
    """Delta debugging by complements: ``test(candidate)`` returns a failing list no longer
    than ``candidate`` (the candidate itself, a prefix, or a subsequence) or None when the
    candidate passes; ``items`` must fail. Returns a failing list from which no single item can
    be removed by ``test``'s judgement (unless ``max_tests`` ran out).

    >>> ddmin(list(range(10)), lambda xs: xs[:xs.index(7) + 1] if 3 in xs and 7 in xs
    ...       else None)
    [3, 7]
    """
    current = test(list(items))
    if current is None:
        raise ValueError("ddmin needs a failing input")
    n, tests = 2, 0
    while current and tests < max_tests:
        chunk = -(-len(current) // n)
        for start in range(0, len(current), chunk):
            candidate = current[:start] + current[start + chunk:]
            tests += 1
            smaller = test(candidate)
            if smaller is not None:
                current = smaller
                n = max(n - 1, 2)
                break
        else:
            if chunk == 1:
                break
            n = min(2 * n, len(current))
    return current


def semantic_violations(protocol: Protocol, inputs: Sequence[int],
                        events: Sequence[Event]) -> tuple[int, list[str], list[Any]] | None:
    """Replay ``events`` from I(inputs) with the protocol's own code: (the number of events
    after which a property is first violated, the properties violated there, the outputs
    there), or None when nothing is violated or an event does not apply."""
    config = initial_configuration(protocol, inputs)
    uniform = uniform_input(inputs)
    before = list(config.outputs(protocol))
    found = _violated(uniform, [None] * len(before), before)
    if found:
        return 0, found, before
    for i, event in enumerate(events, 1):
        try:
            config = apply_event(protocol, config, Event(*event)).config
        except ReplayError:
            return None
        after = list(config.outputs(protocol))
        found = _violated(uniform, before, after)
        if found:
            return i, found, after
        before = after
    return None


def _violated(uniform: int | None, before: list[Any], after: list[Any]) -> list[str]:
    """The properties violated by a step from outputs ``before`` (a safe configuration) to
    ``after``, in the order of :data:`~flpcheck.simulate.machine.PROPERTIES`."""
    values = {v for v in after if v is not None}
    found = []
    if len(values) > 1:
        found.append("agreement")
    if uniform is not None and values - {uniform}:
        found.append("validity")
    if any(b is not None and a != b for a, b in zip(after, before, strict=True)):
        found.append("write-once")
    return found


def semantic_first_violation(protocol: Protocol, inputs: Sequence[int],
                             events: Sequence[Event], prop: str) -> int | None:
    """The number of events after which ``prop`` is first violated, replayed with the
    protocol's own code; None when the first violation is of another property, or none."""
    hit = semantic_violations(protocol, inputs, events)
    return hit[0] if hit is not None and prop in hit[1] else None


def to_positions(machine: Machine, inputs: Sequence[int], moves: Sequence[Move]) -> list[Move]:
    """``moves`` (applicable from I(inputs)) as positions: ``(p, k)``, p receiving the k-th
    oldest copy in transit to it (k = 0: null); ``(p, k, outcome)`` for a step left to
    chance."""
    c = machine.initial(inputs)
    fifo: Fifo = []
    out: list[Move] = []
    for move in moves:
        p, m = move[0], move[1]
        k = 0
        if m != NULL:
            mine = [mid for mid in fifo if machine.msg_dst[mid] == p]
            k = mine.index(m) + 1
        out.append((p, k, *move[2:]))  # type: ignore[arg-type]
        c, sent = machine.apply(c, move)
        advance(fifo, move, sent)
    return out


def positional_prefix(machine: Machine, inputs: Sequence[int], positions: Sequence[Move],
                      prop: str) -> tuple[list[Move], list[Move]] | None:
    """Replay positions leniently (one whose process has fewer copies in transit is skipped):
    (the positions applied up to the first violation of ``prop``, the moves they were), or
    None."""
    c = machine.initial(inputs)
    if prop in machine.initial_violations(inputs, c):
        return [], []
    outs = machine.outputs(c)
    uniform = uniform_input(inputs)
    fifo: Fifo = []
    applied: list[Move] = []
    moves: list[Move] = []
    for position in positions:
        p, k = position[0], position[1]
        mid = oldest(machine, fifo, p, k)
        if mid is None:
            continue
        move = machine.resolve(c, (p, mid, *position[2:]), lenient=True)  # type: ignore[arg-type]
        if move is None:  # chance's outcome no longer fits the step: skipped too
            continue
        d, sent = machine.apply(c, move)
        advance(fifo, move, sent)
        applied.append((p, k, *move[2:]))  # type: ignore[arg-type]
        moves.append(move)
        found = machine.step_violations(uniform, c, p, d, outs)
        if prop in found:
            return applied, moves
        if found:
            return None
        c = d
    return None


def shrink_moves(machine: Machine, inputs: tuple[int, ...], moves: Sequence[Move],
                 prop: str) -> list[Move]:
    """Delta debugging on the memoized steps, alternating two views of a schedule until
    neither shrinks it: events by message (dropping one drops what no longer applies), and
    events by position in the receiver's queue (dropping one lets later events receive what
    is now there: a ballot started one null step earlier is numbered differently, and the
    events that served it serve the new one)."""

    def by_message(ms: list[Move]) -> list[Move] | None:
        return machine.violating_prefix(inputs, ms, prop, lenient=True)

    def by_position(ps: list[Move]) -> list[Move] | None:
        hit = positional_prefix(machine, inputs, ps, prop)
        return None if hit is None else hit[0]

    best = ddmin(list(moves), by_message)
    while True:
        positions = ddmin(to_positions(machine, inputs, best), by_position)
        hit = positional_prefix(machine, inputs, positions, prop)
        assert hit is not None
        smaller = ddmin(hit[1], by_message)
        if len(smaller) >= len(best):
            return best
        best = smaller


def shrink_schedule(machine: Machine, inputs: tuple[int, ...], moves: Sequence[Move],
                    prop: str, run: int) -> tuple[Event, ...]:
    """The violation of ``prop`` reached by ``moves`` from I(inputs) (found in run ``run``),
    checked with the protocol's own code, then shrunk to a locally minimal schedule."""
    protocol = machine.protocol
    events = [machine.event(m) for m in moves]
    if semantic_first_violation(protocol, inputs, events, prop) != len(events):
        raise ReplayError(
            f"the {prop} violation found in run {run} ({len(events)} events from inputs "
            f"{''.join(map(str, inputs))}) does not replay with the protocol's own code: the "
            "steps depend on something besides (pid, state, msg) (a global, a class attribute "
            "or a shared mutable object)")
    events = [machine.event(m) for m in shrink_moves(machine, inputs, moves, prop)]
    while True:  # single events, by the independent semantics, to a fixed point
        for i in range(len(events)):
            candidate = events[:i] + events[i + 1:]
            k = semantic_first_violation(protocol, inputs, candidate, prop)
            if k is not None:
                events = candidate[:k]
                break
        else:
            break
    if semantic_first_violation(protocol, inputs, events, prop) is None:
        raise ReplayError(f"the shrunk {prop} violation of run {run} does not replay")
    return tuple(events)


def describe_violation(protocol: Protocol, inputs: Sequence[int], events: Sequence[Event],
                       prop: str) -> str:
    """What the last event of a violating schedule does, in words (replayed with the
    protocol's own code; the violation must be at the last event)."""
    hit = semantic_violations(protocol, inputs, events)
    if hit is None or prop not in hit[1] or hit[0] != len(events):
        raise ReplayError(f"the {prop} violation does not replay to its last event")
    outs = hit[2]
    shown = "(" + ", ".join("_" if o is None else str(o) for o in outs) + ")"
    if prop == "agreement":
        return f"two processes decide differently: outputs {shown}"
    if prop == "validity":
        v = inputs[0]
        return f"every input is {v}, yet {1 - v} is decided: outputs {shown}"
    config = initial_configuration(protocol, inputs)
    for event in events[:-1]:
        config = apply_event(protocol, config, Event(*event)).config
    p = events[-1].pid
    return (f"p{p} changes its output from {config.outputs(protocol)[p]} to {outs[p]} "
            "(a decision once made can't be changed)")
