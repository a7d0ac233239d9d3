"""The checks of what user code returns, shared by every caller.

The explorer (:mod:`flpcheck.model.table`), the independent replay
(:mod:`flpcheck.model.semantics`) and the round model (:mod:`flpcheck.model.round_table`) all
check states, payloads, sends and outputs here, so a mistake in a model is the same model error
(exit 2) wherever it shows, naming the call and what it returned.
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any

from ..errors import InvalidProtocol, ProtocolStepError
from .chance import Outcomes
from .values import immutability_problem, value_key

__all__ = ["STEP_SHAPE", "SEND_SHAPE", "check_state", "check_payload", "check_sends",
           "check_round_sends", "check_step_result", "check_step_outcomes", "result_key",
           "check_output"]

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


ONE = Fraction(1)
EXACT = ("probabilities are exact: an int or a fractions.Fraction, e.g. Fraction(1, 3) "
         "(from fractions import Fraction), never a float")


def result_key(new_state: Any, sends: list[tuple[int, Any]]) -> Any:
    """The identity of a step's result: its new state by type and value, its sends as a
    multiset (the order in which a step lists its sends is not part of the result)."""
    counts: dict[Any, int] = {}
    for dst, payload in sends:
        k = (dst, value_key(payload))
        counts[k] = counts.get(k, 0) + 1
    return value_key(new_state), frozenset(counts.items())


def check_step_outcomes(origin: str, n: int, result: Any, state: Any, pid: int,
                        what: object, check_new_state: bool = True
                        ) -> tuple[tuple[Fraction, Any, list[tuple[int, Any]]], ...]:
    """Every result ``step`` can give, as ``(probability, new_state, sends)`` in outcome order,
    checked; a model error otherwise.

    A plain ``(new_state, sends)`` is one result of probability 1. :class:`Outcomes` are
    checked choice by choice (each an exact probability > 0 and a result checked as
    :func:`check_step_result` checks a plain one; the probabilities sum to exactly 1), and
    choices with the same result (:func:`result_key`) are merged, their probabilities added:
    the distinct results keep the model's order of first appearance, and outcome k is the
    k-th of them. When every choice has the same result the step is deterministic there: one
    result of probability 1, and its event names no outcome. ``check_new_state=False``
    leaves the new state of a plain result to the caller (the states of Outcomes are always
    checked: merging compares them).

    >>> [(str(p), s) for p, s, _ in check_step_outcomes(
    ...     "m", 2, Outcomes(((Fraction(1, 4), ("a", ())), (Fraction(1, 2), ("b", ())),
    ...                       (Fraction(1, 4), ("a", ())))), "s", 0, "step")]
    [('1/2', 'a'), ('1/2', 'b')]
    """
    if not isinstance(result, Outcomes):
        new_state, sends = check_step_result(origin, n, result, state, pid, what,
                                             check_new_state)
        return ((ONE, new_state, sends),)
    try:
        choices = list(result.choices)
    except TypeError:
        raise InvalidProtocol(
            f"{origin}: {what} returned Outcomes({result.choices!r}); its choices are "
            "(probability, (new_state, sends)) pairs") from None
    if not choices:
        raise InvalidProtocol(
            f"{origin}: {what} returned Outcomes with no choice; a step left to chance has at "
            "least one outcome")
    merged: dict[Any, int] = {}  # result key -> position among the distinct results
    out: list[list[Any]] = []
    total = Fraction(0)
    for k, choice in enumerate(choices):
        if not (isinstance(choice, tuple) and len(choice) == 2):
            raise InvalidProtocol(
                f"{origin}: {what} returned Outcomes whose choice {k} is {choice!r}; each "
                "choice is a (probability, (new_state, sends)) pair")
        p, res = choice
        if isinstance(p, bool) or not isinstance(p, (numbers.Integral, Fraction)):
            raise InvalidProtocol(
                f"{origin}: {what} returned Outcomes whose choice {k} has probability {p!r} "
                f"(a {type(p).__name__}); {EXACT}")
        p = Fraction(p)
        if p <= 0:
            raise InvalidProtocol(
                f"{origin}: {what} returned Outcomes whose choice {k} has probability {p}; a "
                "probability is > 0 (leave out a choice that cannot happen)")
        told = f"{what} (choice {k})"
        new_state, sends = check_step_result(origin, n, res, state, pid, told)
        key = result_key(new_state, sends)
        at = merged.get(key)
        if at is None:
            merged[key] = len(out)
            out.append([p, new_state, sends])
        else:
            out[at][0] += p
        total += p
    if total != 1:
        raise InvalidProtocol(
            f"{origin}: {what} returned Outcomes whose probabilities sum to {total}, not 1 "
            f"({', '.join(str(Fraction(c[0])) for c in choices)})")
    return tuple((p, s, sends) for p, s, sends in out)


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
