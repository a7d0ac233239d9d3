"""Local transitions: user code called once per distinct argument, checked, interned to ints.

This is the only place that calls a model's ``init``, ``step`` and ``output`` during
exploration. Every distinct local state, payload and message (``(dst, payload)``) gets a small
integer id; ``step`` is memoized on ``(pid, state id, message id)``, so user code runs once per
distinct local transition, not once per configuration and event (DESIGN.md §5).

On its first call with given arguments each function is called twice and the results compared
(a non-deterministic step is a model error), and the arguments are checked to be unchanged
afterwards (a step that mutates its input is a model error).
"""

from __future__ import annotations

import copy
import traceback
from collections.abc import Hashable
from typing import Any

from .errors import InvalidProtocol, MutatedValue, NondeterministicStep, ProtocolStepError
from .protocol import Protocol
from .values import canonical_key, immutability_problem

__all__ = ["LocalTable", "NULL", "check_state", "check_payload"]

NULL = -1
"""The message id of the null message (a receive that returns nothing)."""


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
    """Raise ProtocolStepError unless ``payload`` can be a message (hashable, immutable)."""
    to = "" if dst is None else f" to process {dst}"
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


class LocalTable:
    """Interned local states, payloads and messages, and the memoized checked local steps."""

    def __init__(self, protocol: Protocol, origin: str = "") -> None:
        self.protocol = protocol
        self.n = protocol.processes
        self.origin = origin or type(protocol).__name__
        self.states: list[Any] = []
        self._state_ids: dict[Any, int] = {}
        self.payloads: list[Any] = []
        self._payload_ids: dict[Any, int] = {}
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
        try:
            return self._state_ids[state]
        except (KeyError, TypeError):
            pass
        self.check_state(state, pid=pid, what=what)
        sid = len(self.states)
        self.states.append(state)
        self._state_ids[state] = sid
        return sid

    def check_state(self, state: Any, *, pid: int, what: str) -> None:
        """Raise ProtocolStepError unless ``state`` is hashable and immutable."""
        check_state(self.origin, state, pid, what)

    def message_id(self, dst: int, payload: Any, *, pid: int, what: str) -> int:
        """The id of the message ``(dst, payload)``, interning (and checking) it on first sight."""
        try:
            pl = self._payload_ids[payload]
        except (KeyError, TypeError):
            check_payload(self.origin, payload, what, dst)
            pl = len(self.payloads)
            self.payloads.append(payload)
            self._payload_ids[payload] = pl
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
        if first != second:
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
        if value != again:
            raise NondeterministicStep(
                f"{self.origin}: {what} is not deterministic: it returned {value!r}, then {again!r}"
            )
        if value is not None and (value not in (0, 1) or isinstance(value, float)):
            raise ProtocolStepError(
                f"{self.origin}: {what} returned {value!r}; an output is None, 0 or 1"
            )
        result = None if value is None else int(value)
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
        new_state, sends = self._check_shape(first, pid, what)
        if state != state_before or msg != msg_before:
            changed = "state" if state != state_before else "message"
            raise MutatedValue(
                f"{self.origin}: {what} changed the {changed} it was given "
                f"(now {(state if changed == 'state' else msg)!r}); return a new value instead"
            )
        second = self._call(self.protocol.step, (pid, state, msg), what)
        new_again, sends_again = self._check_shape(second, pid, what)
        if new_state != new_again or _multiset(sends) != _multiset(sends_again):
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

    def _check_shape(self, result: Any, pid: int, what: str) -> tuple[Any, list[tuple[int, Any]]]:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise InvalidProtocol(
                f"{self.origin}: {what} returned {result!r}; step must return (new_state, sends)"
            )
        new_state, raw = result
        if raw is None:
            raw = ()
        try:
            raw = list(raw)
        except TypeError:
            raise InvalidProtocol(
                f"{self.origin}: {what} returned sends {raw!r}; sends must be an iterable of "
                "(dst, payload) pairs"
            ) from None
        sends = []
        for item in raw:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise InvalidProtocol(
                    f"{self.origin}: {what} sent {item!r}; each send is a (dst, payload) pair"
                )
            dst, payload = item
            if isinstance(dst, bool) or not isinstance(dst, int) or not 0 <= dst < self.n:
                raise InvalidProtocol(
                    f"{self.origin}: {what} sent {payload!r} to destination {dst!r}; "
                    f"destinations are process ids 0..{self.n - 1}"
                )
            try:
                hash(payload)
            except TypeError:
                raise ProtocolStepError(
                    f"{self.origin}: {what} sent an unhashable payload {payload!r} to process {dst}"
                ) from None
            sends.append((dst, payload))
        self.check_state(new_state, pid=pid, what=what)
        return new_state, sends

    def _show_state(self, pid: int, state: Any) -> str:
        try:
            return self.protocol.format_state(pid, state)
        except Exception:
            return repr(state)


def _multiset(sends: list[tuple[int, Hashable]]) -> dict[tuple[int, Hashable], int]:
    counts: dict[tuple[int, Hashable], int] = {}
    for s in sends:
        counts[s] = counts.get(s, 0) + 1
    return counts
