"""The model API: a consensus protocol in the FLP message-buffer model (DESIGN.md §1).

A model subclasses :class:`Protocol` and defines ``init``, ``step`` and ``output``. flpcheck calls
them as pure functions of their arguments and memoizes them: a step may depend only on
``(pid, state, msg)``, and states and payloads must be hashable, immutable values.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, ClassVar

from ..errors import InvalidProtocol

__all__ = ["Protocol", "Send"]

Send = tuple[int, Hashable]
"""One message handed to the buffer: ``(destination pid, payload)``."""

_REQUIRED = ("init", "step", "output")


class Protocol:
    """Base class of a consensus protocol in the FLP model.

    Subclasses set ``processes`` (N) and define:

    - ``init(pid, x)``: the initial local state of process ``pid`` with input ``x`` in {0, 1};
    - ``step(pid, state, msg)``: one atomic step, receiving ``msg`` or the null message ``None``;
      returns ``(new_state, sends)`` with ``sends`` an iterable of ``(dst, payload)``;
    - ``output(pid, state)``: the write-once output register: ``None``, ``0`` or ``1``.

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
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidProtocol(
                f"{type(self).__name__}: processes must be an int >= 1, got {n!r}"
            )
        self.processes = n  # type: ignore[misc]  # the instance value shadows the class default

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

    def format_state(self, pid: int, state: Any) -> str:
        """How a local state is printed (override for a compact form)."""
        return repr(state)

    def format_payload(self, payload: Any) -> str:
        """How a payload is printed (override for a compact form)."""
        return repr(payload)


def check_protocol_class(cls: type) -> None:
    """Raise :class:`InvalidProtocol` unless ``cls`` defines every method of the model API."""
    if not (isinstance(cls, type) and issubclass(cls, Protocol)):
        raise InvalidProtocol(f"{cls!r} is not a subclass of flpcheck.Protocol")
    missing = [name for name in _REQUIRED if getattr(cls, name) is getattr(Protocol, name)]
    if missing:
        near = _near_misses(cls, missing)
        hint = f" (found {', '.join(near)}: a misspelling?)" if near else ""
        raise InvalidProtocol(
            f"{cls.__name__} does not define {', '.join(missing)}{hint}; a Protocol needs "
            "init(pid, x), step(pid, state, msg) and output(pid, state)"
        )
    for name in _REQUIRED:
        if not callable(getattr(cls, name)):
            raise InvalidProtocol(f"{cls.__name__}.{name} is not a method")


def _near_misses(cls: type, missing: list[str]) -> list[str]:
    import difflib

    own = [n for n in vars(cls) if not n.startswith("__")]
    found: list[str] = []
    for name in missing:
        found += difflib.get_close_matches(name, own, n=1, cutoff=0.6)
    return found
