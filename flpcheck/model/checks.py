"""The checks of what user code returns, shared by every caller.

The explorer (:mod:`flpcheck.model.table`), the independent replay
(:mod:`flpcheck.model.semantics`) and the round model (:mod:`flpcheck.model.round_table`) all
check states, payloads, sends and outputs here, so a mistake in a model is the same model error
(exit 2) wherever it shows, naming the call and what it returned.
"""

from __future__ import annotations

import numbers
from typing import Any

from ..errors import InvalidProtocol, ProtocolStepError
from .values import immutability_problem

__all__ = ["STEP_SHAPE", "SEND_SHAPE", "check_state", "check_payload", "check_sends",
           "check_round_sends", "check_step_result", "check_output"]

STEP_SHAPE = "step must return (new_state, sends), sends an iterable of (dst, payload) pairs"
SEND_SHAPE = "send must return an iterable of (dst, payload) pairs"


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
        if isinstance(dst, numbers.Integral) and not isinstance(dst, bool):
            dst = int(dst)  # a numpy integer, say, is a process id too
        if isinstance(dst, bool) or not isinstance(dst, int) or not 0 <= dst < n:
            raise InvalidProtocol(
                f"{origin}: {what} sent {payload!r} to destination {dst!r}; "
                f"destinations are process ids 0..{n - 1}"
            )
        check_payload(origin, payload, what, dst)
        sends.append((dst, payload))
    return sends


def check_step_result(origin: str, n: int, result: Any, state: Any, pid: int,
                      what: object, check_new_state: bool = True
                      ) -> tuple[Any, list[tuple[int, Any]]]:
    """``(new_state, sends)`` from what ``step`` returned, checked; a model error otherwise.

    A result of the state's own type (a NamedTuple or dataclass state returned bare) is
    refused even when it happens to have two fields. ``check_new_state=False`` leaves the new
    state to a caller that checks it on first sight (interning it).
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
    if check_new_state:
        check_state(origin, new_state, pid, what)
    return new_state, sends


def check_output(origin: str, what: object, value: Any) -> int | None:
    """An output register's value: None, 0 or 1 (``False``/``True`` read as 0/1); a model
    error otherwise."""
    if value is None:
        return None
    numpy_bool = type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_")
    if value is True or value is False or numpy_bool:
        return int(bool(value))
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return int(value)
    raise ProtocolStepError(f"{origin}: {what} returned {value!r}; an output is None, 0 or 1")


def check_round_sends(origin: str, n: int, raw: Any, what: object) -> tuple[tuple[int, Any], ...]:
    """The sends of one round of one process as ``((dst, payload), ...)`` sorted by dst: the
    rule of :func:`check_sends`, and at most one payload per destination."""
    by_dst: dict[int, Any] = {}
    for dst, payload in check_sends(origin, n, raw, what, SEND_SHAPE):
        if dst in by_dst:
            raise InvalidProtocol(
                f"{origin}: {what} sent two messages to process {dst} ({by_dst[dst]!r} and "
                f"{payload!r}); a round carries at most one payload per destination (send a tuple)"
            )
        by_dst[dst] = payload
    return tuple(sorted(by_dst.items()))
