"""The FLP message-buffer model, written plainly: configurations, events, schedules.

This module is the executable definition of DESIGN.md §2, kept deliberately simple and
independent of the explorer (no interning, no memoizing): the replay checker uses it to check
every run the searches find, and the tests compare the explorer with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from .errors import ReplayError
from .protocol import Protocol
from .values import canonical_key, to_json

__all__ = [
    "Configuration",
    "Event",
    "Step",
    "initial_configuration",
    "applicable_events",
    "apply_event",
    "replay",
    "event_to_json",
]


class Event(NamedTuple):
    """An event e = (p, m): process ``pid`` receives ``msg``, or the null message when None."""

    pid: int
    msg: Any = None

    def __str__(self) -> str:
        return f"p{self.pid} receives {'null' if self.msg is None else repr(self.msg)}"


@dataclass(frozen=True, slots=True)
class Configuration:
    """C = (s_0 ... s_{N-1}; B): local states and the message buffer, a sorted multiset."""

    states: tuple[Any, ...]
    buffer: tuple[tuple[int, Any], ...]

    def outputs(self, protocol: Protocol) -> tuple[int | None, ...]:
        """The output register of every process."""
        return tuple(protocol.output(p, s) for p, s in enumerate(self.states))

    def decisions(self, protocol: Protocol) -> frozenset[int]:
        """The decision values of C: the non-None outputs."""
        return frozenset(v for v in self.outputs(protocol) if v is not None)

    def pending(self, dst: int | None = None) -> tuple[tuple[int, Any], ...]:
        """The messages in the buffer (to ``dst`` only, if given)."""
        return tuple(m for m in self.buffer if dst is None or m[0] == dst)


def _sorted_buffer(messages: Iterable[tuple[int, Any]]) -> tuple[tuple[int, Any], ...]:
    return tuple(sorted(messages, key=lambda m: (m[0], canonical_key(m[1]))))


def initial_configuration(protocol: Protocol, inputs: Sequence[int]) -> Configuration:
    """I(x): every process in its initial state for input x_p, the buffer empty."""
    if len(inputs) != protocol.processes:
        raise ReplayError(f"{len(inputs)} inputs for {protocol.processes} processes")
    return Configuration(tuple(protocol.init(p, x) for p, x in enumerate(inputs)), ())


def applicable_events(config: Configuration, processes: int) -> list[Event]:
    """The distinct events applicable at C: every null event, then every distinct message."""
    events = [Event(p, None) for p in range(processes)]
    seen = []
    for dst, payload in config.buffer:
        if (dst, payload) not in seen:
            seen.append((dst, payload))
            events.append(Event(dst, payload))
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
        if (pid, msg) not in buffer:
            raise ReplayError(f"event {event} is not applicable: no such message in the buffer")
        buffer.remove((pid, msg))
    new_state, sends = protocol.step(pid, config.states[pid], msg)
    sends = tuple(sends)
    states = config.states[:pid] + (new_state,) + config.states[pid + 1 :]
    return Step(event, _sorted_buffer(sends), Configuration(states, _sorted_buffer(buffer + list(sends))))


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


def event_to_json(event: Event) -> list[Any]:
    """``[pid, payload]`` with the payload JSON-encoded (null for the null message)."""
    return [event.pid, to_json(event.msg)]

