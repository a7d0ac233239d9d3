"""The FLP message-buffer model, written plainly: configurations, events, schedules.

This module is the executable definition of the semantics, kept deliberately simple and
independent of the explorer (no interning, no memoizing, no graph): the replay checker uses it
to check every run the searches find, and the tests compare the explorer with it. It checks what
user code returns with the same rules as the explorer (:mod:`flpcheck.model.checks`), and it
compares values as the explorer does: by type and value (:func:`~flpcheck.model.values.value_key`),
so ``1`` and ``True`` are different states and payloads.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from ..errors import ReplayError
from .checks import check_output, check_state, check_step_outcomes
from .protocol import Protocol, declares_ignores
from .values import canonical_key, value_key

__all__ = [
    "Configuration",
    "Event",
    "Step",
    "initial_configuration",
    "applicable_events",
    "apply_event",
    "event_outcomes",
    "outcome_probabilities",
    "replay",
    "outputs_of",
]


class Event(NamedTuple):
    """An event e = (p, m): process ``pid`` receives ``msg``, or the null message when None.

    ``outcome`` names which result chance gave a step that returned
    :class:`~flpcheck.model.chance.Outcomes` (the index of the choice); it is None for every
    step of a protocol without chance. The event's identity (``key``) is (p, m): the outcome is
    chance's, not the scheduler's.
    """

    pid: int
    msg: Any = None
    outcome: int | None = None

    def __str__(self) -> str:
        told = "" if self.outcome is None else f" (outcome {self.outcome})"
        return f"p{self.pid} receives {'null' if self.msg is None else repr(self.msg)}{told}"

    @property
    def key(self) -> Any:
        """The event's identity: its process and its payload by type and value."""
        return (self.pid, value_key(self.msg))


@dataclass(frozen=True, slots=True, eq=False)
class Configuration:
    """C = (s_0 ... s_{N-1}; B): local states and the message buffer, a sorted multiset.

    Two configurations are equal when their states are the same values and their buffers the
    same multisets of messages (by type and value, see :func:`~flpcheck.model.values.value_key`).
    The key that decides it is computed on the first comparison (a configuration made by
    :func:`apply_event` from one whose key is known gets it from the change: the cost is then
    that of the messages removed and sent, not of the whole buffer).
    """

    states: tuple[Any, ...]
    buffer: tuple[tuple[int, Any], ...]
    _key: Any = field(default=None, init=False, repr=False, compare=False)
    #: message key -> copies in the buffer (None until needed)
    _counts: dict[Any, int] | None = field(default=None, init=False, repr=False, compare=False)
    #: the buffer is known to be sorted by (destination, canonical key of the payload)
    _sorted: bool = field(default=False, init=False, repr=False, compare=False)

    @classmethod
    def of_sorted(cls, states: tuple[Any, ...], buffer: tuple[tuple[int, Any], ...],
                  counts: dict[Any, int] | None = None) -> Configuration:
        """A configuration whose buffer is already sorted by (destination,
        :func:`~flpcheck.model.values.canonical_key` of the payload), stably."""
        config = cls(states, buffer)
        object.__setattr__(config, "_sorted", True)
        object.__setattr__(config, "_counts", counts)
        return config

    def message_counts(self) -> dict[Any, int]:
        """The buffer as a multiset: message key (:func:`message_key`) -> copies."""
        counts = self._counts
        if counts is None:
            counts = {}
            by_object: dict[int, Any] = {}  # copies of a message are often one object
            memo: dict[int, Any] = {}
            for m in self.buffer:
                k = by_object.get(id(m))
                if k is None:
                    k = by_object[id(m)] = message_key(m, memo)
                counts[k] = counts.get(k, 0) + 1
            object.__setattr__(self, "_counts", counts)
        return counts

    def identity(self) -> Any:
        """The key equal for two configurations exactly when they are the same configuration:
        the states by value, the buffer as a multiset of messages by value."""
        key = self._key
        if key is None:
            key = (value_key(self.states), frozenset(self.message_counts().items()))
            object.__setattr__(self, "_key", key)
        return key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Configuration):
            return NotImplemented
        if self is other:
            return True
        if len(self.buffer) != len(other.buffer):
            return False
        return self.identity() == other.identity()

    def __hash__(self) -> int:
        return hash(self.identity())

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


def message_key(message: tuple[int, Any], memo: dict[int, Any] | None = None) -> Any:
    """The identity of a message (dst, payload) by type and value; ``memo`` keeps the payload
    keys by object id for the length of one computation (the objects stay alive)."""
    dst, payload = message
    if memo is None:
        return value_key(dst), value_key(payload)
    k = memo.get(id(payload))
    if k is None:
        k = memo[id(payload)] = value_key(payload)
    return value_key(dst), k


def _sort_key(memo: dict[int, Any]) -> Any:
    """The buffer order, (destination, canonical key of the payload), one key per payload
    object (``memo``, by id, for the length of one computation)."""

    def key(m: tuple[int, Any]) -> tuple[int, Any]:
        k = memo.get(id(m[1]))
        if k is None:
            k = memo[id(m[1])] = canonical_key(m[1])
        return m[0], k

    return key


def _sorted_buffer(messages: Iterable[tuple[int, Any]]) -> tuple[tuple[int, Any], ...]:
    """The messages sorted (stably) by (destination, canonical key of the payload)."""
    return tuple(sorted(messages, key=_sort_key({})))


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
    return Configuration.of_sorted(tuple(states), ())


def applicable_events(config: Configuration, processes: int) -> list[Event]:
    """The distinct events applicable at C: every null step, then every distinct message."""
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


def apply_event(protocol: Protocol, config: Configuration, event: Event,
                result: Any = None) -> Step:
    """e(C): the receiver steps, the message leaves the buffer, its sends enter it.

    ``result`` is what ``step`` returned for this event, when the caller has already called it
    (then ``step`` is not called again).

    Where the step is left to chance (``step`` returned
    :class:`~flpcheck.model.chance.Outcomes`) the event names chance's outcome
    (``event.outcome``, the index among the step's distinct results:
    :func:`~flpcheck.model.checks.check_step_outcomes`); a deterministic step's event names
    none. Either mistake is a :class:`~flpcheck.errors.ReplayError`.

    The buffer of e(C) is sorted by (destination, canonical key of the payload), stably: the
    messages of C first among equal keys, then the sends in the order sent. Where C's buffer
    is known to be sorted the sends are inserted by binary search rather than by sorting it
    again (the same order)."""
    results = _results(protocol, config, event, result)
    if len(results) == 1:
        if event.outcome is not None:
            raise ReplayError(f"event {event}: the step is not left to chance here, so the "
                              "event names no outcome")
        outcome = None
    else:
        outcome = event.outcome
        if outcome is None:
            raise ReplayError(f"event {event}: the step is left to chance ({len(results)} "
                              "outcomes), so the event must name its outcome")
        if not 0 <= outcome < len(results):
            raise ReplayError(f"event {event}: the step has outcomes 0..{len(results) - 1}")
    _, new_state, sends = results[outcome or 0]
    return _drop_ignored(protocol, _apply(config, Event(event.pid, event.msg, outcome),
                                          new_state, sends))


def event_outcomes(protocol: Protocol, config: Configuration, event: Event
                   ) -> list[tuple[Fraction, Step]]:
    """Every outcome of event e at C: (its probability, the step it makes), in outcome order.
    A deterministic step has one, of probability 1, whose event names no outcome; the event's
    own outcome, if any, is ignored (this lists chance's choices)."""
    results = _results(protocol, config, event)
    chance = len(results) > 1
    return [(p, _drop_ignored(protocol, _apply(
        config, Event(event.pid, event.msg, o if chance else None), s, sends)))
            for o, (p, s, sends) in enumerate(results)]


def _drop_ignored(protocol: Protocol, step: Step) -> Step:
    """The step with every message its recipient ignores for good
    (:meth:`~flpcheck.Protocol.ignores`) taken out of the buffer, as if received at once."""
    if not declares_ignores(protocol):
        return step
    config = step.config
    kept = tuple(m for m in config.buffer if not protocol.ignores(m[0], config.states[m[0]], m[1]))
    if len(kept) == len(config.buffer):
        return step
    return Step(step.event, step.sends, Configuration.of_sorted(config.states, kept))


def outcome_probabilities(protocol: Protocol, config: Configuration, event: Event
                          ) -> tuple[Fraction, ...]:
    """The probability of each outcome of event e at C, in outcome order: ``(1,)`` for a
    deterministic step (the step is called once; nothing is applied)."""
    return tuple(p for p, _, _ in _results(protocol, config, event))


def _results(protocol: Protocol, config: Configuration, event: Event, result: Any = None
             ) -> tuple[tuple[Fraction, Any, list[tuple[int, Any]]], ...]:
    """The checked results of e's step at C, in outcome order (the event must be
    applicable); ``result`` is what ``step`` returned, if the caller called it already."""
    pid, msg = event.pid, event.msg
    if not 0 <= pid < protocol.processes:
        raise ReplayError(f"event {event}: no process {pid}")
    if msg is not None and _find_message(config.buffer, pid, msg,
                                         _sort_key({}) if config._sorted else None) is None:
        raise ReplayError(f"event {event} is not applicable: no such message in the buffer")
    state = config.states[pid]
    what = f"step({pid}, {state!r}, {msg!r})"
    raw = protocol.step(pid, state, msg) if result is None else result
    return check_step_outcomes(type(protocol).__name__, protocol.processes, raw, state, pid,
                               what)


def _apply(config: Configuration, event: Event, new_state: Any,
           sends: list[tuple[int, Any]]) -> Step:
    """The step of ``event`` at C whose receiver reaches ``new_state`` and sends ``sends``."""
    pid, msg = event.pid, event.msg
    buffer = list(config.buffer)
    memo: dict[int, Any] = {}
    sort_key = _sort_key(memo)
    removed = None
    if msg is not None:
        at = _find_message(buffer, pid, msg, sort_key if config._sorted else None)
        if at is None:
            raise ReplayError(f"event {event} is not applicable: no such message in the buffer")
        removed = buffer.pop(at)
    states = config.states[:pid] + (new_state,) + config.states[pid + 1 :]
    sent = tuple(sorted(sends, key=sort_key))
    if config._sorted:
        for m in sent:
            buffer.insert(bisect.bisect_right(buffer, sort_key(m), key=sort_key), m)
        new_buffer = tuple(buffer)
    else:
        new_buffer = _sorted_buffer(buffer + list(sends))
    counts = None
    if config._sorted:  # the multiset of e(C) from that of C
        counts = dict(config.message_counts())
        if removed is not None:
            k = message_key(removed, {})
            counts[k] -= 1
            if not counts[k]:
                del counts[k]
        keys: dict[int, Any] = {}
        for m in sent:
            k = message_key(m, keys)
            counts[k] = counts.get(k, 0) + 1
    return Step(event, sent, Configuration.of_sorted(states, new_buffer, counts))


def _find_message(buffer: Sequence[tuple[int, Any]], pid: int, msg: Any,
                  sort_key: Any = None) -> int | None:
    """The position of a copy of the message (pid, msg) in ``buffer`` (same payload by type
    and value), or None. With ``sort_key`` (the buffer is sorted by it) the search starts at
    the first message of its sort key, found by binary search; it reads the whole buffer
    only where that finds none (payloads whose canonical key does not follow their value)."""
    want = value_key(msg)
    reflexive = want == want  # the same object is then the same value
    keys: dict[int, Any] = {}

    def same(payload: Any) -> bool:
        if payload is msg and reflexive:
            return True
        k = keys.get(id(payload))
        if k is None:
            k = keys[id(payload)] = value_key(payload)
        return bool(k == want)

    if sort_key is not None:
        target = sort_key((pid, msg))
        i = bisect.bisect_left(buffer, target, key=sort_key)
        while i < len(buffer) and sort_key(buffer[i]) == target:
            if same(buffer[i][1]):
                return i
            i += 1
    for i, (dst, payload) in enumerate(buffer):
        if dst == pid and same(payload):
            return i
    return None


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
