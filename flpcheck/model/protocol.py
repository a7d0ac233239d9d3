"""The model API: a consensus protocol in the FLP message-buffer model.

A model subclasses :class:`Protocol` and defines ``init``, ``step`` and ``output``. flpcheck calls
them as pure functions of their arguments and memoizes them: a step may depend only on
``(pid, state, msg)``, and states and payloads must be hashable, immutable values.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterable
from fractions import Fraction
from typing import Any, ClassVar

from ..errors import InvalidProtocol
from .chance import Outcomes
from .values import stable_repr

__all__ = ["Protocol", "Send", "check_protocol_class", "check_model_class", "check_processes",
           "declares_rounds", "declares_ignores"]

Send = tuple[int, Hashable]
"""One message handed to the buffer: ``(destination pid, payload)``."""

_REQUIRED = ("init", "step", "output")


class Protocol:
    """Base class of a consensus protocol in the FLP model.

    Subclasses set ``processes`` (N) and define:

    - ``init(pid, x)``: the initial local state of process ``pid`` with input ``x`` in {0, 1};
    - ``step(pid, state, msg)``: one atomic step, receiving ``msg`` or the null message ``None``;
      returns ``(new_state, sends)`` with ``sends`` an iterable of ``(dst, payload)``, or, for a
      step left to chance, :meth:`coin` or :meth:`outcomes` of such results;
    - ``output(pid, state)``: the write-once output register: ``None``, ``0`` or ``1``;
    - optionally ``suspects(pid, state)``: what a null step of ``pid`` in ``state`` suspects (for
      ``flpcheck liveness --detector``).

    An instance is built as ``Cls(processes=N)``; the class attribute is the default N.

    >>> class Silent(Protocol):
    ...     processes = 2
    ...     def init(self, pid, x): return x
    ...     def step(self, pid, state, msg): return state, ()
    ...     def output(self, pid, state): return None
    >>> Silent(processes=3).processes
    3
    >>> Silent().broadcast("hi")
    [(0, 'hi'), (1, 'hi')]
    """

    processes: ClassVar[int] = 2
    #: Optional: True declares the processes interchangeable (used by symmetry reduction).
    symmetric: ClassVar[bool] = False

    def __init__(self, processes: int | None = None) -> None:
        n = type(self).processes if processes is None else processes
        self.processes = check_processes(type(self).__name__, n)  # type: ignore[misc]  # the instance value shadows the class default

    def init(self, pid: int, x: int) -> Hashable:
        """Initial local state of process ``pid`` with input ``x``."""
        raise NotImplementedError

    def step(self, pid: int, state: Any, msg: Any) -> tuple[Hashable, Iterable[Send]]:
        """One atomic step of ``pid``: returns ``(new_state, sends)``."""
        raise NotImplementedError

    def output(self, pid: int, state: Any) -> int | None:
        """The output register y_p of ``pid`` in ``state``: None while undecided, else 0 or 1."""
        raise NotImplementedError

    def broadcast(self, payload: Hashable) -> list[Send]:
        """One message with ``payload`` to every process, the sender included."""
        return [(q, payload) for q in range(self.processes)]

    def coin(self, if0: tuple[Hashable, Iterable[Send]], if1: tuple[Hashable, Iterable[Send]]
             ) -> Outcomes:
        """A fair coin decides the step's result: ``if0`` (outcome 0) or ``if1`` (outcome 1),
        each ``(new_state, sends)`` with probability 1/2. Return it from ``step``."""
        half = Fraction(1, 2)
        return Outcomes(((half, if0), (half, if1)))

    def outcomes(self, choices: Iterable[tuple[int | Fraction, tuple[Hashable, Iterable[Send]]]]
                 ) -> Outcomes:
        """Chance decides the step's result among ``choices``: ``(probability, (new_state,
        sends))`` pairs, exact probabilities (ints or Fractions) summing to 1; outcome k is the
        k-th choice. Return it from ``step``."""
        return Outcomes(tuple(choices))

    def round_of(self, pid: int, state: Any) -> int | None:
        """Optional: the round ``pid`` is in at ``state`` (1, 2, ...; never decreasing along its
        steps), for a model that counts rounds, such as Ben-Or's. ``flpcheck chance`` then
        reports the probability of deciding within R rounds. None (the default) declares no
        round counter."""
        return None

    def ignores(self, pid: int, state: Any, payload: Any) -> bool:
        """Optional: True when ``pid`` in ``state`` ignores ``payload`` now and in every state
        it can reach from ``state`` (receiving it then changes nothing and sends nothing: a
        message of a round it has left, say). flpcheck then drops such a message from the
        buffer at once, as if it were received then, instead of letting the scheduler hold it:
        fewer configurations, the same decisions and valences, the same fair runs up to those
        receipts (each changes nothing), the same adversary's probabilities; the uniform
        scheduler's figures per event are those of this reduced model. flpcheck checks that the
        receipt changes nothing where it drops a message, and that the promise is kept along
        every local step explored. Not overridden (the default): nothing is dropped."""
        return False

    def suspects(self, pid: int, state: Any) -> Iterable[int] | None:
        """Optional: the processes a null step of ``pid`` in ``state`` suspects, as a failure
        detector's output would (e.g. the coordinator it stops waiting for), or None when the
        model does not say. ``flpcheck liveness --detector`` needs it: after the detector
        stabilizes, a null step that suspects the trusted process is not allowed. The default
        says nothing."""
        return None

    def format_state(self, pid: int, state: Any) -> str:
        """How a local state is printed (override for a compact form); by default ``repr``,
        with the elements of frozensets in a fixed order (:func:`~.values.stable_repr`)."""
        return stable_repr(state)

    def format_payload(self, payload: Any) -> str:
        """How a payload is printed (override for a compact form); by default as
        :meth:`format_state` prints a state."""
        return stable_repr(payload)


def check_protocol_class(cls: type) -> None:
    """Raise :class:`InvalidProtocol` unless ``cls`` defines every method of the model API."""
    check_model_class(cls, Protocol, _REQUIRED,
                      "init(pid, x), step(pid, state, msg) and output(pid, state)")


def check_model_class(cls: type, base: type, required: tuple[str, ...], signature: str) -> None:
    """Raise :class:`InvalidProtocol` unless ``cls`` subclasses ``base`` and defines (callable)
    every method in ``required``; a missing one is named with the near misses found, e.g. a
    misspelling."""
    if not (isinstance(cls, type) and issubclass(cls, base)):
        hint = ""
        if isinstance(cls, type) and base.__name__ == "RoundProtocol" and callable(
                getattr(cls, "step", None)):
            hint = " (it looks like an asynchronous flpcheck.Protocol: use explore without rounds)"
        raise InvalidProtocol(f"{cls!r} is not a subclass of flpcheck.{base.__name__}{hint}")
    missing = [name for name in required if getattr(cls, name) is getattr(base, name)]
    if missing:
        own = [n for n in vars(cls) if not n.startswith("__")]
        near = [m for name in missing
                for m in difflib.get_close_matches(name, own, n=1, cutoff=0.6)]
        hint = f" (found {', '.join(near)}: a misspelling?)" if near else ""
        raise InvalidProtocol(
            f"{cls.__name__} does not define {', '.join(missing)}{hint}; a {base.__name__} "
            f"needs {signature}"
        )
    for name in required:
        if not callable(getattr(cls, name)):
            raise InvalidProtocol(f"{cls.__name__}.{name} is not a method")


def check_processes(name: str, n: object, what: str = "processes") -> int:
    """``n`` if it is an int >= 1; :class:`InvalidProtocol` naming the class otherwise."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidProtocol(f"{name}: {what} must be an int >= 1, got {n!r}")
    return n


def declares_rounds(protocol: Protocol) -> bool:
    """True when the protocol's class overrides :meth:`Protocol.round_of`."""
    return getattr(type(protocol), "round_of", None) is not Protocol.round_of


def declares_ignores(protocol: Protocol) -> bool:
    """True when the protocol's class overrides :meth:`Protocol.ignores`."""
    return getattr(type(protocol), "ignores", None) is not Protocol.ignores
