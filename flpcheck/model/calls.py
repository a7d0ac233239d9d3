"""The checked user-call layer both models stand on: interning, memoized checked calls.

:class:`CheckedCalls` holds what the message-buffer model
(:class:`~flpcheck.model.table.LocalTable`) and the round model
(:class:`~flpcheck.model.round_table.RoundTable`) share: local
states and payloads interned to small integer ids by type and value
(:func:`~flpcheck.model.values.value_key`, so ``1`` and ``True`` differ), user calls that turn
an exception into a model error with its traceback, every distinct call made twice and compared
(a non-deterministic model is an error), arguments checked to be unchanged afterwards (a model
that mutates what it was given is an error), and outputs checked and memoized.
"""

from __future__ import annotations

import copy
import enum
import traceback
from collections.abc import Callable
from typing import Any

from ..errors import MutatedValue, NondeterministicStep, ProtocolStepError
from .checks import check_output, check_payload, check_state
from .values import same_value, stable_repr, value_key

__all__ = ["Interner", "CheckedCalls", "Lazy", "call_user"]


class Interner:
    """Values to small integer ids and back, by :func:`~flpcheck.model.values.value_key`."""

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
        return self.intern(value, lambda: None)

    def intern(self, value: Any, check: Callable[[], None]) -> int:
        """The id of ``value``; on first sight ``check()`` runs (it raises for a value that
        cannot be interned) and the value is interned. The key is computed once."""
        try:
            key = value_key(value)
            vid = self._ids.get(key)
        except TypeError:  # unhashable: let check() say why
            key, vid = None, None
        if vid is None:
            check()
            if key is None:
                key = value_key(value)
            vid = self._ids[key] = len(self.values)
            self.values.append(value)
        return vid


    def restore(self, values: list[Any]) -> int | None:
        """Append ``values`` (saved in id order) under the next ids; returns the index in
        ``values`` of the first one equal to a value already held (ids would then differ from
        the saved ones: nothing after it is appended), else None."""
        for i, value in enumerate(values):
            key = value_key(value)
            if key in self._ids:
                return i
            self._ids[key] = len(self.values)
            self.values.append(value)
        return None


class Lazy:
    """A description of a call, formatted only when an error message needs it."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make

    def __str__(self) -> str:
        return str(self._make())

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def plain(value: Any) -> bool:
    """True when ``value`` is built only of types that cannot change in place (no copy is then
    needed to check that a call left it unchanged)."""
    if value is None or isinstance(value, (bool, int, float, str, bytes, enum.Enum)):
        return True
    if isinstance(value, (tuple, frozenset)):  # NamedTuples too: they have no other fields
        return all(plain(v) for v in value)
    return False


def call_user(origin: str, fn: Callable[..., Any], args: tuple[Any, ...], what: object) -> Any:
    """``fn(*args)``; an exception in user code is a :class:`ProtocolStepError` naming the call,
    with its traceback."""
    try:
        return fn(*args)
    except Exception as exc:  # user code: report it as a model error with its traceback
        err = ProtocolStepError(f"{origin}: {what} raised {type(exc).__name__}: {exc}")
        err.add_note("".join(traceback.format_exception(exc)).rstrip())
        raise err from exc


class CheckedCalls:
    """Interned local states and payloads, and the model's methods called through checks.

    ``origin`` names the model (its file) in every error message.
    """

    def __init__(self, protocol: Any, origin: str = "") -> None:
        self.protocol = protocol
        self.n = protocol.processes
        self.origin = origin or type(protocol).__name__
        self._states = Interner()
        self._payloads = Interner()
        #: state id -> local state; payload id -> payload
        self.states: list[Any] = self._states.values
        self.payloads: list[Any] = self._payloads.values
        #: (pid, state id) -> None, 0 or 1
        self.outputs: dict[tuple[int, int], int | None] = {}
        self.user_calls = 0

    # -- interning -------------------------------------------------------------------------

    def state_id(self, state: Any, *, pid: int, what: object) -> int:
        """The id of a local state, interning (and checking) it on first sight."""
        return self._states.intern(state, lambda: check_state(self.origin, state, pid, what))

    def find_state(self, state: Any) -> int | None:
        """The id of a local state seen before, or None."""
        return self._states.find(state)

    def payload_id(self, payload: Any, *, what: object, dst: int | None = None) -> int:
        """The id of a payload, interning (and checking) it on first sight."""
        return self._payloads.intern(payload,
                                     lambda: check_payload(self.origin, payload, what, dst))

    def find_payload(self, payload: Any) -> int | None:
        """The id of a payload seen before, or None."""
        return self._payloads.find(payload)

    # -- calls -------------------------------------------------------------------------------

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], what: object) -> Any:
        """``fn(*args)``; an exception in it is a :class:`ProtocolStepError` with its
        traceback."""
        self.user_calls += 1
        return call_user(self.origin, fn, args, what)

    def nondeterministic(self, what: object, first: Any, second: Any) -> NondeterministicStep:
        """The error for two calls with the same arguments that returned different values."""
        return NondeterministicStep(
            f"{self.origin}: {what} is not deterministic: it returned {first!r}, then {second!r}"
        )

    def snapshot(self, value: Any) -> Any:
        """A copy of ``value`` to compare it with after a call (the value itself if it cannot
        change in place)."""
        return value if plain(value) else copy.deepcopy(value)

    def check_unchanged(self, what: object, kind: str, now: Any, before: Any) -> None:
        """Raise :class:`MutatedValue` if a call changed the ``kind`` (state, message) it was
        given."""
        if not same_value(now, before):
            raise MutatedValue(
                f"{self.origin}: {what} changed the {kind} it was given (now {now!r}); return "
                "a new value instead"
            )

    def show_state(self, pid: int, state: Any) -> str:
        """The model's own printing of a state (its repr if ``format_state`` fails)."""
        try:
            return self.protocol.format_state(pid, state)
        except Exception:
            return stable_repr(state)

    def initial_state(self, pid: int, x: int) -> int:
        """The interned initial state of ``pid`` with input ``x``."""
        what = f"init({pid}, {x})"
        first = self.call(self.protocol.init, (pid, x), what)
        check_state(self.origin, first, pid, what)
        second = self.call(self.protocol.init, (pid, x), what)
        if not same_value(first, second):
            raise self.nondeterministic(what, first, second)
        return self.state_id(first, pid=pid, what=what)

    def output(self, pid: int, sid: int) -> int | None:
        """The output register of ``pid`` in state ``sid`` (memoized, checked)."""
        key = (pid, sid)
        try:
            return self.outputs[key]
        except KeyError:
            pass
        state = self.states[sid]
        what = Lazy(lambda: f"output({pid}, {self.show_state(pid, state)})")
        value = self.call(self.protocol.output, (pid, state), what)
        again = self.call(self.protocol.output, (pid, state), what)
        if not same_value(value, again):
            raise self.nondeterministic(what, value, again)
        result = check_output(self.origin, what, value)
        self.outputs[key] = result
        return result
