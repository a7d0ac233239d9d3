"""Local transitions: user code called once per distinct argument, checked, interned to ints.

This is the only place that calls a model's ``init``, ``step`` and ``output`` during
exploration. Every distinct local state, payload and message (``(dst, payload)``) gets a small
integer id; ``step`` is memoized on ``(pid, state id, message id)``, so user code runs once per
distinct local transition, not once per configuration and event.

Values are interned by :func:`~flpcheck.values.value_key` (type and value), never by ``==``
alone: ``1`` and ``True`` are different states. On its first call with given arguments each
function is called twice and the results compared (a non-deterministic step is a model error),
and the arguments are checked to be unchanged afterwards (a step that mutates its input is a
model error).

The checks of what user code returns (:func:`check_state`, :func:`check_payload`,
:func:`check_sends`, :func:`check_step_result`, :func:`check_output`) are shared by every
caller: the explorer, the independent replay of :mod:`flpcheck.semantics` and the round model.
"""

from __future__ import annotations

import copy
import numbers
import traceback
from collections.abc import Hashable
from typing import Any

from ..errors import InvalidProtocol, MutatedValue, NondeterministicStep, ProtocolStepError
from .protocol import Protocol
from .values import canonical_key, immutability_problem, same_value, value_key

__all__ = ["LocalTable", "Interner", "NULL", "check_state", "check_payload", "check_sends",
           "check_step_result", "check_output"]

NULL = -1
"""The message id of the null message (a receive that returns nothing)."""

STEP_SHAPE = "step must return (new_state, sends), sends an iterable of (dst, payload) pairs"


def check_state(origin: str, state: Any, pid: int, what: object) -> None:
    """Raise ProtocolStepError unless ``state`` can be a local state (hashable, immutable)."""
    try:
        hash(state)
    except TypeError:
        raise ProtocolStepError(
            f"{origin}: {what} returned an unhashable state {state!r} for process {pid}"
        ) from None
    problem = immutability_problem(state)
    if problem:
        raise ProtocolStepError(
            f"{origin}: {what} returned a state that cannot be a local state for "
            f"process {pid}: {state!r}: {problem}"
        )


def check_payload(origin: str, payload: Any, what: object, dst: int | None = None) -> None:
    """Raise ProtocolStepError unless ``payload`` can be a message (hashable, immutable, and
    not None, which would be indistinguishable from the null message)."""
    to = "" if dst is None else f" to process {dst}"
    if payload is None:
        raise ProtocolStepError(
            f"{origin}: {what} sent the payload None{to}; None is the null message (a receive "
            "that returns nothing), so it cannot be a payload: send a value such as 'none' or ()"
        )
    try:
        hash(payload)
    except TypeError:
        raise ProtocolStepError(
            f"{origin}: {what} sent an unhashable payload {payload!r}{to}"
        ) from None
    problem = immutability_problem(payload)
    if problem:
        raise ProtocolStepError(
            f"{origin}: {what} sent a payload that cannot be a message: {payload!r}: {problem}"
        )


def check_sends(origin: str, n: int, raw: Any, what: object,
                shape: str = STEP_SHAPE) -> list[tuple[int, Any]]:
    """The sends of one call as a list of ``(dst, payload)``, or a model error.

    ``raw`` must be an iterable of ``(dst, payload)`` tuples with ``dst`` a process id and a
    payload that :func:`check_payload` accepts; anything else (None included) is an
    :class:`InvalidProtocol` that says ``shape``.
    """
    if raw is None or isinstance(raw, (str, bytes)):
        raise InvalidProtocol(f"{origin}: {what} returned sends {raw!r}; {shape}")
    try:
        items = list(raw)
    except TypeError:
        raise InvalidProtocol(f"{origin}: {what} returned sends {raw!r}; {shape}") from None
    sends = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise InvalidProtocol(
                f"{origin}: {what} sent {item!r}; each send is a (dst, payload) pair ({shape})"
            )
        dst, payload = item
        if isinstance(dst, bool) or not isinstance(dst, int) or not 0 <= dst < n:
            raise InvalidProtocol(
                f"{origin}: {what} sent {payload!r} to destination {dst!r}; "
                f"destinations are process ids 0..{n - 1}"
            )
        check_payload(origin, payload, what, dst)
        sends.append((dst, payload))
    return sends


def check_step_result(origin: str, n: int, result: Any, state: Any, pid: int,
                      what: object) -> tuple[Any, list[tuple[int, Any]]]:
    """``(new_state, sends)`` from what ``step`` returned, checked; a model error otherwise.

    A result of the state's own type (a NamedTuple or dataclass state returned bare) is
    refused even when it happens to have two fields.
    """
    own = type(state)
    if own is type(result) and own.__module__ != "builtins":
        raise InvalidProtocol(
            f"{origin}: {what} returned {result!r}, a {own.__name__} like the state it was "
            f"given, not a pair; {STEP_SHAPE}"
        )
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise InvalidProtocol(f"{origin}: {what} returned {result!r}; {STEP_SHAPE}")
    new_state, raw = result
    sends = check_sends(origin, n, raw, what)
    check_state(origin, new_state, pid, what)
    return new_state, sends


def check_output(origin: str, what: object, value: Any) -> int | None:
    """An output register's value: None, 0 or 1 (``False``/``True`` read as 0/1); a model
    error otherwise."""
    if value is None:
        return None
    if value is True or value is False:
        return int(value)
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return int(value)
    raise ProtocolStepError(f"{origin}: {what} returned {value!r}; an output is None, 0 or 1")


class Interner:
    """Values to small integer ids and back, by :func:`~flpcheck.values.value_key`."""

    __slots__ = ("values", "_ids")

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._ids: dict[Any, int] = {}

    def __len__(self) -> int:
        return len(self.values)

    def find(self, value: Any) -> int | None:
        """The id of ``value``, or None if it was never interned (or cannot be)."""
        try:
            return self._ids.get(value_key(value))
        except TypeError:
            return None

    def add(self, value: Any) -> int:
        """The id of ``value``, interning it on first sight (the caller has checked it)."""
        key = value_key(value)
        vid = self._ids.get(key)
        if vid is None:
            vid = self._ids[key] = len(self.values)
            self.values.append(value)
        return vid


class LocalTable:
    """Interned local states, payloads and messages, and the memoized checked local steps."""

    def __init__(self, protocol: Protocol, origin: str = "") -> None:
        self.protocol = protocol
        self.n = protocol.processes
        self.origin = origin or type(protocol).__name__
        self._states = Interner()
        self._payloads = Interner()
        #: state id -> local state; payload id -> payload
        self.states: list[Any] = self._states.values
        self.payloads: list[Any] = self._payloads.values
        #: message id -> (destination pid, payload id)
        self.messages: list[tuple[int, int]] = []
        self._message_ids: dict[tuple[int, int], int] = {}
        #: (pid, state id, message id) -> (new state id, sorted tuple of sent message ids)
        self.transitions: dict[tuple[int, int, int], tuple[int, tuple[int, ...]]] = {}
        #: (pid, state id) -> None, 0 or 1
        self.outputs: dict[tuple[int, int], int | None] = {}
        #: local transitions that change an output already set (write-once broken)
        self.decision_changes: set[tuple[int, int, int]] = set()
        self.user_calls = 0

    # -- interning ---------------------------------------------------------------------------

    def state_id(self, state: Any, *, pid: int, what: str) -> int:
        """The id of a local state, interning (and checking) it on first sight."""
        sid = self._states.find(state)
        if sid is None:
            self.check_state(state, pid=pid, what=what)
            sid = self._states.add(state)
        return sid

    def find_state(self, state: Any) -> int | None:
        """The id of a local state seen before, or None."""
        return self._states.find(state)

    def find_message(self, dst: int, payload: Any) -> int | None:
        """The id of the message ``(dst, payload)`` if it was ever sent, or None."""
        pl = self._payloads.find(payload)
        return None if pl is None else self._message_ids.get((dst, pl))

    def check_state(self, state: Any, *, pid: int, what: str) -> None:
        """Raise ProtocolStepError unless ``state`` is hashable and immutable."""
        check_state(self.origin, state, pid, what)

    def message_id(self, dst: int, payload: Any, *, pid: int, what: str) -> int:
        """The id of the message ``(dst, payload)``, interning (and checking) it on first sight."""
        pl = self._payloads.find(payload)
        if pl is None:
            check_payload(self.origin, payload, what, dst)
            pl = self._payloads.add(payload)
        return self.message_of(dst, pl)

    def message_of(self, dst: int, payload_id: int) -> int:
        """The id of the message ``(dst, payload)`` for an interned payload, interning it."""
        key = (dst, payload_id)
        mid = self._message_ids.get(key)
        if mid is None:
            mid = len(self.messages)
            self.messages.append(key)
            self._message_ids[key] = mid
        return mid

    def payload_of(self, mid: int) -> Any:
        """The payload of message ``mid`` (None for the null message)."""
        return None if mid == NULL else self.payloads[self.messages[mid][1]]

    # -- user calls, checked -----------------------------------------------------------------

    def initial_state(self, pid: int, x: int) -> int:
        """The interned initial state of ``pid`` with input ``x``."""
        what = f"init({pid}, {x})"
        first = self._call(self.protocol.init, (pid, x), what)
        self.check_state(first, pid=pid, what=what)
        second = self._call(self.protocol.init, (pid, x), what)
        if not same_value(first, second):
            raise NondeterministicStep(
                f"{self.origin}: {what} is not deterministic: it returned {first!r}, then {second!r}"
            )
        return self.state_id(first, pid=pid, what=what)

    def output(self, pid: int, sid: int) -> int | None:
        """The output register of ``pid`` in state ``sid`` (memoized, checked)."""
        key = (pid, sid)
        try:
            return self.outputs[key]
        except KeyError:
            pass
        state = self.states[sid]
        what = f"output({pid}, {self._show_state(pid, state)})"
        value = self._call(self.protocol.output, (pid, state), what)
        again = self._call(self.protocol.output, (pid, state), what)
        if not same_value(value, again):
            raise NondeterministicStep(
                f"{self.origin}: {what} is not deterministic: it returned {value!r}, then {again!r}"
            )
        result = check_output(self.origin, what, value)
        self.outputs[key] = result
        return result

    def step(self, pid: int, sid: int, mid: int) -> tuple[int, tuple[int, ...]]:
        """Apply event ``(pid, message mid)`` to local state ``sid``: (new state id, sends)."""
        key = (pid, sid, mid)
        try:
            return self.transitions[key]
        except KeyError:
            pass
        state = self.states[sid]
        msg = self.payload_of(mid)
        what = (
            f"step({pid}, {self._show_state(pid, state)}, "
            f"{'None' if msg is None else self.protocol.format_payload(msg)})"
        )
        state_before, msg_before = copy.deepcopy(state), copy.deepcopy(msg)
        first = self._call(self.protocol.step, (pid, state, msg), what)
        new_state, sends = check_step_result(self.origin, self.n, first, state, pid, what)
        if not same_value(state, state_before) or not same_value(msg, msg_before):
            changed = "state" if not same_value(state, state_before) else "message"
            raise MutatedValue(
                f"{self.origin}: {what} changed the {changed} it was given "
                f"(now {(state if changed == 'state' else msg)!r}); return a new value instead"
            )
        second = self._call(self.protocol.step, (pid, state, msg), what)
        new_again, sends_again = check_step_result(self.origin, self.n, second, state, pid, what)
        if not same_value(new_state, new_again) or _multiset(sends) != _multiset(sends_again):
            raise NondeterministicStep(
                f"{self.origin}: {what} is not deterministic: it returned "
                f"({new_state!r}, {sends!r}), then ({new_again!r}, {sends_again!r})"
            )
        nsid = self.state_id(new_state, pid=pid, what=what)
        sends.sort(key=lambda s: (s[0], canonical_key(s[1])))
        sent = tuple(sorted(self.message_id(d, p, pid=pid, what=what) for d, p in sends))
        result = (nsid, sent)
        self.transitions[key] = result
        before = self.output(pid, sid)
        if before is not None and self.output(pid, nsid) != before:
            self.decision_changes.add(key)
        return result

    def _call(self, fn: Any, args: tuple[Any, ...], what: str) -> Any:
        self.user_calls += 1
        try:
            return fn(*args)
        except Exception as exc:  # user code: report it as a model error with its traceback
            tb = "".join(traceback.format_exception(exc)).rstrip()
            err = ProtocolStepError(f"{self.origin}: {what} raised {type(exc).__name__}: {exc}")
            err.add_note(tb)
            raise err from exc

    def _show_state(self, pid: int, state: Any) -> str:
        try:
            return self.protocol.format_state(pid, state)
        except Exception:
            return repr(state)


def _multiset(sends: list[tuple[int, Hashable]]) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    for s in sends:
        k = value_key(s)
        counts[k] = counts.get(k, 0) + 1
    return counts
