"""What a null step suspects: the optional ``Protocol.suspects`` method, called through checks.

A model that uses a failure detector says, for each local state, which processes a null step
of that process suspects (``suspects(pid, state)``: an iterable of pids, or None for none).
``flpcheck liveness --detector`` needs it: after the detector stabilizes (Chandra and Toueg's
eventual weak accuracy), a null step that suspects the trusted process is not allowed.

:class:`Suspicions` answers it for interned states (memoized, each distinct call made twice
and compared, like every user call); :func:`suspected_by` answers it for a plain state, for the
independent replay. Both check what the model returns with :func:`check_suspects`.
"""

from __future__ import annotations

from typing import Any

from ..errors import NondeterministicStep, ProtocolStepError, UsageError
from .calls import CheckedCalls, Lazy, call_user
from .protocol import Protocol
from .values import same_value

__all__ = ["defines_suspects", "require_suspects", "check_suspects", "Suspicions",
           "suspected_by"]


def defines_suspects(protocol: Protocol) -> bool:
    """True when the model's class overrides :meth:`Protocol.suspects`."""
    return type(protocol).suspects is not Protocol.suspects


def require_suspects(protocol: Protocol, origin: str = "") -> None:
    """A usage error unless the model says what its null steps suspect."""
    if not defines_suspects(protocol):
        name = origin or type(protocol).__name__
        raise UsageError(
            f"{name}: --detector needs the model to say what a null step suspects: define "
            "suspects(pid, state), returning the processes a null step of pid in state "
            "suspects (e.g. the coordinator it stops waiting for)")


def check_suspects(origin: str, n: int, value: Any, what: object) -> frozenset[int]:
    """The set of pids ``value`` names (None: nobody); a model error unless it is an iterable
    of process ids 0..N-1."""
    if value is None:
        return frozenset()
    try:
        items = list(value)
    except TypeError:
        raise ProtocolStepError(
            f"{origin}: {what} returned {value!r}; suspects must return an iterable of process "
            "ids (or None)") from None
    for q in items:
        if isinstance(q, bool) or not isinstance(q, int) or not 0 <= q < n:
            raise ProtocolStepError(
                f"{origin}: {what} returned {value!r}: {q!r} is not a process id 0..{n - 1}")
    return frozenset(items)


class Suspicions:
    """``suspects(pid, state)`` for interned states, memoized on (pid, state id)."""

    def __init__(self, calls: CheckedCalls) -> None:
        self.calls = calls
        self.memo: dict[tuple[int, int], frozenset[int]] = {}

    def __call__(self, pid: int, sid: int) -> frozenset[int]:
        key = (pid, sid)
        found = self.memo.get(key)
        if found is None:
            c = self.calls
            state = c.states[sid]
            what = Lazy(lambda: f"suspects({pid}, {c.show_state(pid, state)})")
            first = check_suspects(c.origin, c.n, c.call(c.protocol.suspects, (pid, state), what),
                                   what)
            again = check_suspects(c.origin, c.n, c.call(c.protocol.suspects, (pid, state), what),
                                   what)
            if first != again:
                raise c.nondeterministic(what, sorted(first), sorted(again))
            found = self.memo[key] = first
        return found


def suspected_by(protocol: Protocol, pid: int, state: Any) -> frozenset[int]:
    """What a null step of ``pid`` in the plain ``state`` suspects (checked, called twice)."""
    origin = type(protocol).__name__
    what = f"suspects({pid}, {state!r})"
    first = check_suspects(origin, protocol.processes,
                           call_user(origin, protocol.suspects, (pid, state), what), what)
    again = check_suspects(origin, protocol.processes,
                           call_user(origin, protocol.suspects, (pid, state), what), what)
    if not same_value(first, again):
        raise NondeterministicStep(f"{origin}: {what} is not deterministic: it returned "
                                   f"{sorted(first)}, then {sorted(again)}")
    return first
