"""The engine interface: what fills a :class:`~flpcheck.explorer.statespace.StateSpace`.

An engine explores breadth-first from the initial configurations given, in a fixed order, and
installs the graph in the space: configuration ids in order of first discovery (so a lower id
is never deeper), the edges of each configuration in the order null steps of p_0..p_{N-1},
then messages by id, and the cuts it made (``space.note_cut``). Every engine gives the same
space for the same protocol and bounds; :func:`~flpcheck.explorer.driver.explore` picks one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from .statespace import StateSpace

__all__ = ["Engine", "Progress", "StopCheck"]

#: called as progress(configurations, expanded, events, depth) every few thousand expansions;
#: depth is that of the configurations being expanded (the frontier's)
Progress = Callable[[int, int, int, int], None]
#: called between blocks of expansions; returns why to stop now (e.g. "timeout") or None
StopCheck = Callable[[], str | None]


class Engine(ABC):
    """A breadth-first exploration strategy."""

    #: a short name for reports and errors
    name: ClassVar[str]

    @abstractmethod
    def run(self, space: StateSpace, vectors: list[tuple[int, ...]], progress: Progress | None,
            stop: StopCheck | None) -> None:
        """Explore from I(x) for every x in ``vectors`` and install the graph in ``space``.

        A model error raised by user code carries the id of the configuration being expanded
        in ``err.configuration``; the graph explored so far is installed before it is raised.
        """

    def outcome(self, space: StateSpace) -> Any:
        """What the exploration gives: ``space``, or an object standing for it (the partition
        engine leaves large graphs on their partitions: a ``PartitionedSpace``)."""
        return space
