"""The FLP message-buffer model, written plainly: configurations, events, schedules.

This module is the executable definition of the semantics, kept deliberately simple and
independent of the explorer (no interning, no memoizing, no graph): the replay checker uses it
to check every run the searches find, and the tests compare the explorer with it. It checks what
user code returns with the same rules as the explorer (:mod:`flpcheck.model.checks`), and it
compares values as the explorer does: by type and value (:func:`~flpcheck.model.values.value_key`),
so ``1`` and ``True`` are different states and payloads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import ReplayError
from .checks import check_output, check_state, check_step_result
from .protocol import Protocol
from .values import canonical_key, value_key

__all__ = [
    "Configuration",
    "Event",
    "Step",
    "initial_configuration",
    "applicable_events",
    "apply_event",
    "replay",
    "outputs_of",
]


class Event(NamedTuple):
    """An event e = (p, m): process ``pid`` receives ``msg``, or the null message when None."""

    pid: int
    msg: Any = None

    def __str__(self) -> str:
        return f"p{self.pid} receives {'null' if self.msg is None else repr(self.msg)}"

    @property
    def key(self) -> Any:
        """The event's identity: its process and its payload by type and value."""
        return (self.pid, value_key(self.msg))


@dataclass(frozen=True, slots=True)
class Configuration:
    """C = (s_0 ... s_{N-1}; B): local states and the message buffer, a sorted multiset.

    Two configurations are equal when their states and buffers are the same values (by type
    and value, see :func:`~flpcheck.model.values.value_key`).
    """

    states: tuple[Any, ...] = field(compare=False)
    buffer: tuple[tuple[int, Any], ...] = field(compare=False)
    _key: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_key", (value_key(self.states), value_key(self.buffer)))

    def outputs(self, protocol: Protocol) -> tuple[int | None, ...]:
        """The output register of every process (``True``/``False`` read as 1/0)."""
        return outputs_of(protocol, self.states)

    def decisions(self, protocol: Protocol) -> frozenset[int]:
        """The decision values of C: the non-None outputs."""
        return frozenset(v for v in self.outputs(protocol) if v is not None)

    def pending(self, dst: int | None = None) -> tuple[tuple[int, Any], ...]:
        """The messages in the buffer (to ``dst`` only, if given)."""
        return tuple(m for m in self.buffer if dst is None or m[0] == dst)


def outputs_of(protocol: Protocol, states: Sequence[Any]) -> tuple[int | None, ...]:
    """The checked output register of every process in ``states``."""
    name = type(protocol).__name__
    return tuple(check_output(name, f"output({p}, {s!r})", protocol.output(p, s))
                 for p, s in enumerate(states))


def _sorted_buffer(messages: Iterable[tuple[int, Any]]) -> tuple[tuple[int, Any], ...]:
    return tuple(sorted(messages, key=lambda m: (m[0], canonical_key(m[1]))))


def initial_configuration(protocol: Protocol, inputs: Sequence[int]) -> Configuration:
    """I(x): every process in its initial state for input x_p, the buffer empty."""
    if len(inputs) != protocol.processes:
        raise ReplayError(f"{len(inputs)} inputs for {protocol.processes} processes")
    name = type(protocol).__name__
    states = []
    for p, x in enumerate(inputs):
        state = protocol.init(p, x)
        check_state(name, state, p, f"init({p}, {x})")
        states.append(state)
    return Configuration(tuple(states), ())


def applicable_events(config: Configuration, processes: int) -> list[Event]:
    """The distinct events applicable at C: every null event, then every distinct message."""
    events = [Event(p, None) for p in range(processes)]
    seen = set()
    for dst, payload in config.buffer:
        event = Event(dst, payload)
        if event.key not in seen:
            seen.add(event.key)
            events.append(event)
    return events


class Step(NamedTuple):
    """One applied event: the event, the messages it sent, and the configuration it reached."""

    event: Event
    sends: tuple[tuple[int, Any], ...]
    config: Configuration


def apply_event(protocol: Protocol, config: Configuration, event: Event) -> Step:
    """e(C): the receiver steps, the message leaves the buffer, its sends enter it."""
    pid, msg = event
    if not 0 <= pid < protocol.processes:
        raise ReplayError(f"event {event}: no process {pid}")
    buffer = list(config.buffer)
    if msg is not None:
        want = Event(pid, msg).key
        at = next((i for i, m in enumerate(buffer) if Event(*m).key == want), None)
        if at is None:
            raise ReplayError(f"event {event} is not applicable: no such message in the buffer")
        del buffer[at]
    state = config.states[pid]
    what = f"step({pid}, {state!r}, {msg!r})"
    new_state, sends = check_step_result(type(protocol).__name__, protocol.processes,
                                         protocol.step(pid, state, msg), state, pid, what)
    states = config.states[:pid] + (new_state,) + config.states[pid + 1 :]
    return Step(Event(pid, msg), _sorted_buffer(sends),
                Configuration(states, _sorted_buffer(buffer + sends)))


def replay(protocol: Protocol, inputs: Sequence[int], schedule: Iterable[Event]) -> list[Step]:
    """Apply ``schedule`` to I(inputs), step by step; raise ReplayError where it does not apply."""
    config = initial_configuration(protocol, inputs)
    steps = []
    for i, event in enumerate(schedule):
        try:
            step = apply_event(protocol, config, Event(*event))
        except ReplayError as err:
            raise ReplayError(f"step {i + 1}: {err}") from None
        steps.append(step)
        config = step.config
    return steps
