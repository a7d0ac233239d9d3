"""Schedules made readable: each step replayed with the protocol's own code and annotated.

The replay here goes through :mod:`flpcheck.model.semantics` (not the explorer's tables), so every
schedule shown to a user is checked by code independent of the search that found it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ReplayError, SharedStateError
from ..explorer.statespace import Schedule, StateSpace
from ..model.inputs import bits
from ..model.semantics import Configuration, Event, initial_configuration, replay
from .lasso import Run
from .nondeciding import silent_valence
from .valence import CODE_LABELS, ValenceMap, classify_valence

__all__ = ["AnnotatedStep", "annotate", "ShownSchedule", "ShownRun", "show_schedule",
           "show_run"]


@dataclass(frozen=True)
class AnnotatedStep:
    """One step of a schedule with what it did and where it led."""

    index: int
    event: Event
    sends: tuple[tuple[int, Any], ...]
    state_after: Any
    config: Configuration
    outputs: tuple[int | None, ...]
    valence: str


def annotate(space: StateSpace, schedule: Schedule,
             valence: ValenceMap | None = None) -> tuple[str, list[AnnotatedStep]]:
    """(valence of the start, the annotated steps) of ``schedule``, replayed independently."""
    protocol = space.protocol
    valence = classify_valence(space) if valence is None else valence
    start = initial_configuration(protocol, schedule.inputs)
    start_id = space.find(start, [cid for _, cid in space.initial])
    if start_id is None:
        raise ReplayError(f"inputs {schedule.inputs}: not an explored initial configuration")
    steps = []
    cid = start_id
    for i, step in enumerate(replay(protocol, schedule.inputs, schedule.events), 1):
        # the successors of the previous configuration first: no row index over the space
        found = space.find(step.config, [d for _, d in space.successors(cid)])
        if found is None:
            raise SharedStateError(
                f"replaying the schedule from inputs {bits(schedule.inputs)} with "
                f"the protocol's own step, step {i} ({step.event}) reached a configuration the "
                "explorer never reached: the steps depend on something besides (pid, state, msg) "
                "(a global, a class attribute or a shared mutable object)"
            )
        cid = found
        label = valence.describe(cid)
        steps.append(
            AnnotatedStep(
                i, step.event, step.sends, step.config.states[step.event.pid], step.config,
                step.config.outputs(protocol), label,
            )
        )
    return valence.describe(start_id), steps


@dataclass(frozen=True)
class ShownSchedule:
    """A schedule replayed and annotated, as a report prints it: the inputs, the valence of
    the start, the steps."""

    inputs: tuple[int, ...]
    start: str
    steps: tuple[AnnotatedStep, ...]


def show_schedule(space: StateSpace, schedule: Schedule,
                  valence: ValenceMap | None = None) -> ShownSchedule:
    """``schedule`` replayed with the protocol's own code and annotated (:func:`annotate`)."""
    start, steps = annotate(space, schedule, valence)
    return ShownSchedule(tuple(schedule.inputs), start, tuple(steps))


@dataclass(frozen=True)
class ShownRun:
    """A run replayed and annotated, as a report prints it: the run, the valence of its start,
    its steps (stem then cycle) and, with crashes, the valence of each configuration reached
    counting only the steps of the processes that keep running (``silent``, one per step)."""

    run: Run
    start: str
    steps: tuple[AnnotatedStep, ...]
    silent: tuple[str, ...] | None


def show_run(space: StateSpace, run: Run, valence: ValenceMap | None = None) -> ShownRun:
    """``run`` replayed with the protocol's own code and annotated, with val(F, C) of each
    configuration reached where processes F crash (:func:`~.nondeciding.silent_valence`)."""
    start, steps = annotate(space, Schedule(run.inputs, run.stem + run.cycle), valence)
    silent = None
    if run.crashed:
        codes = silent_valence(space, run.crashed)
        silent = tuple(CODE_LABELS[int(codes[c])] for c in run.path[1:])
    return ShownRun(run, start, tuple(steps), silent)
