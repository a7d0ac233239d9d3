"""The model API of the synchronous round model: :class:`RoundProtocol`.

Rounds are numbered 1..R. In round r every live process sends (``send``), then receives what
was sent to it this round (``receive`` with its inbox), then has its new state. A process that
crashes in round r stops in the middle of its round-r sends: any subset of its round-r messages
is delivered (Aguilera and Toueg, IPL 71, 1999). :mod:`flpcheck.sync` explores every execution.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, ClassVar

from .protocol import check_model_class, check_processes
from .values import stable_repr

__all__ = ["RoundProtocol", "Inbox", "check_round_protocol_class"]

Inbox = tuple[tuple[int, Hashable], ...]
"""What a process receives in one round: ``((src, payload), ...)`` sorted by ``src``."""

_REQUIRED = ("init", "send", "receive", "output")


class RoundProtocol:
    """Base class of a consensus protocol in the synchronous round model.

    Subclasses set ``processes`` (N) and ``rounds`` (R) and define:

    - ``init(pid, x)``: the initial local state of process ``pid`` with input ``x`` in {0, 1};
    - ``send(pid, round, state)``: the messages of ``pid`` in round ``round`` (1..R), an
      iterable of ``(dst, payload)`` with at most one payload per destination;
    - ``receive(pid, round, state, inbox)``: the new state after round ``round``; ``inbox`` is
      a tuple of ``(src, payload)`` sorted by ``src``, the messages that reached ``pid``;
    - ``output(pid, state)``: the write-once output register: ``None``, ``0`` or ``1``.

    States and payloads are hashable, immutable values (tuples, NamedTuples, frozensets, frozen
    dataclasses). An instance is built as ``Cls(processes=N, rounds=R)``; the class attributes
    are the defaults.

    >>> class Echo(RoundProtocol):
    ...     processes, rounds = 2, 1
    ...     def init(self, pid, x): return (x, None)
    ...     def send(self, pid, round, state): return self.broadcast(state[0])
    ...     def receive(self, pid, round, state, inbox): return (state[0], min(v for _, v in inbox))
    ...     def output(self, pid, state): return state[1]
    >>> p = Echo(processes=3, rounds=2)
    >>> p.processes, p.rounds, p.broadcast("v")
    (3, 2, [(0, 'v'), (1, 'v'), (2, 'v')])
    """

    processes: ClassVar[int] = 2
    rounds: ClassVar[int] = 1

    def __init__(self, processes: int | None = None, rounds: int | None = None) -> None:
        name = type(self).__name__
        n = check_processes(name, type(self).processes if processes is None else processes)
        r = check_processes(name, type(self).rounds if rounds is None else rounds, "rounds")
        self.processes = n  # type: ignore[misc]  # the instance value shadows the class default
        self.rounds = r  # type: ignore[misc]

    def init(self, pid: int, x: int) -> Hashable:
        """Initial local state of process ``pid`` with input ``x``."""
        raise NotImplementedError

    def send(self, pid: int, round: int, state: Any) -> Iterable[tuple[int, Hashable]]:
        """The round-``round`` messages of ``pid``: ``(dst, payload)`` pairs."""
        raise NotImplementedError

    def receive(self, pid: int, round: int, state: Any, inbox: Inbox) -> Hashable:
        """The state of ``pid`` after round ``round``, given the messages that reached it."""
        raise NotImplementedError

    def output(self, pid: int, state: Any) -> int | None:
        """The output register y_p of ``pid`` in ``state``: None while undecided, else 0 or 1."""
        raise NotImplementedError

    def broadcast(self, payload: Hashable) -> list[tuple[int, Hashable]]:
        """One message with ``payload`` to every process, the sender included."""
        return [(q, payload) for q in range(self.processes)]

    def format_state(self, pid: int, state: Any) -> str:
        """How a local state is printed (override for a compact form); by default ``repr``,
        with the elements of frozensets in a fixed order (:func:`~.values.stable_repr`)."""
        return stable_repr(state)

    def format_payload(self, payload: Any) -> str:
        """How a payload is printed (override for a compact form)."""
        return stable_repr(payload)


def check_round_protocol_class(cls: type) -> None:
    """Raise :class:`InvalidProtocol` unless ``cls`` defines every method of the round API."""
    check_model_class(cls, RoundProtocol, _REQUIRED,
                      "init(pid, x), send(pid, round, state), receive(pid, round, state, inbox) "
                      "and output(pid, state)")
