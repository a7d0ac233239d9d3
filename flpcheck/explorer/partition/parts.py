"""The K partitions of a search and how the engine calls them: :class:`Parts` is the
interface, :class:`LocalParts` runs them in this process (Ray actors:
:mod:`flpcheck.explorer.partition.ray_parts`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from .worker import Partition

__all__ = ["Parts", "LocalParts", "Replaceable"]


Method = Callable[..., Any]
"""A method of :class:`Partition`, named as ``Partition.expand`` (never by a string, so that
type checkers and dead-code finders see every call)."""


class Parts:
    """The K partitions and how to call them: ``call`` starts ``method`` (a method of
    :class:`Partition`, e.g. ``Partition.expand``) on every partition with its own arguments
    and returns one handle per partition (``returns`` > 1: a list of handles each), ``get``
    waits for handles and returns their values."""

    K: int

    def call(self, method: Method, args: Sequence[tuple[Any, ...]],
             returns: int = 1) -> list[Any]:
        raise NotImplementedError

    def get(self, handles: Any) -> Any:
        raise NotImplementedError

    def one(self, k: int, method: Method, *args: Any) -> Any:
        """Call ``method`` on partition k alone and wait for its value."""
        raise NotImplementedError

    def share(self, value: Any) -> Any:
        """A handle on ``value`` to pass to every partition (stored once)."""
        return value

    def shutdown(self) -> None:
        """Release the partitions."""

    def describe(self) -> str:
        return f"{self.K} partitions in this process"


class LocalParts(Parts):
    """The partitions in this process, called one after the other."""

    def __init__(self, K: int, make: Callable[[int], Partition]) -> None:
        self.K = K
        self.parts = [make(k) for k in range(K)]

    def call(self, method: Method, args: Sequence[tuple[Any, ...]],
             returns: int = 1) -> list[Any]:
        return [method(p, *a) for p, a in zip(self.parts, args, strict=True)]

    def get(self, handles: Any) -> Any:
        return handles

    def one(self, k: int, method: Method, *args: Any) -> Any:
        return method(self.parts[k], *args)


@runtime_checkable
class Replaceable(Protocol):
    """Partitions whose lost workers can be replaced (Ray actors): :meth:`replace_lost` starts
    a fresh worker in place of each dead one (its partition empty, to be reloaded) and
    returns their indices."""

    def replace_lost(self) -> list[int]: ...
