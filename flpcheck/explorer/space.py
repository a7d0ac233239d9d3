"""What every explored graph answers: the :class:`Space` interface.

Two kinds of space implement it: :class:`~flpcheck.explorer.statespace.StateSpace`, the whole
graph in this process, and :class:`~flpcheck.explorer.partition.space.PartitionedSpace`, a graph
left on the partition engine's workers because gathering it would pass ``--max-memory``. The
second answers what ``flpcheck explore`` reports (valence, safety, schedules, Lemma 1's sample)
on the workers; everything else needs the whole graph, which :meth:`Space.gather` brings here
explicitly (a StateSpace gathers to itself). ``on_partitions`` tells the two apart where an
analysis takes another road on the workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..model.protocol import Protocol as Model
from ..model.semantics import Configuration, Event

if TYPE_CHECKING:
    from .statespace import Bounds, Schedule, StateSpace

__all__ = ["Space"]


class Space(Protocol):
    """An explored configuration graph (see the module docstring)."""

    protocol: Model
    n: int
    initial: list[tuple[tuple[int, ...], int]]
    bounds: Bounds
    cut_reasons: list[str]
    engine: str
    engine_note: str
    elapsed: float
    orbit: Any
    partial_order: bool
    por_note: str

    @property
    def on_partitions(self) -> bool:
        """True when the graph stays on the partition engine's workers."""
        ...

    def __len__(self) -> int: ...

    @property
    def num_events(self) -> int: ...

    @property
    def complete(self) -> bool: ...

    @property
    def reduced(self) -> bool: ...

    @property
    def cut(self) -> np.ndarray: ...

    @property
    def decided_array(self) -> np.ndarray: ...

    @property
    def weights(self) -> np.ndarray: ...

    @property
    def arrays(self) -> Any: ...

    def total_configurations(self) -> int: ...

    def total_events(self) -> int: ...

    def event(self, eid: int) -> Event: ...

    def configuration(self, cid: int) -> Configuration: ...

    def successors(self, cid: int) -> list[tuple[Event, int]]: ...

    def successor(self, cid: int, event: Event) -> int | None: ...

    def outputs(self, cid: int) -> tuple[int | None, ...]: ...

    def decisions(self, cid: int) -> frozenset[int]: ...

    def buffer_size(self, cid: int) -> int: ...

    def schedule_to(self, cid: int) -> Schedule: ...

    def inputs_of(self, cid: int) -> tuple[int, ...]: ...

    def initial_id(self, inputs: tuple[int, ...]) -> int | None: ...

    def find(self, config: Configuration, near: list[int] | None = None) -> int | None:
        """The id of ``config``, None if it was not reached; ``near``: ids likely to be it (the
        successors of the previous configuration of a replayed run), compared first."""
        ...

    def prefetch(self, cids: list[int]) -> None:
        """Bring what reading ``cids`` and their successors needs (nothing, in one process)."""
        ...

    def require_unreduced(self, what: str) -> None: ...

    def require_full(self, what: str) -> None: ...

    def gather(self, what: str = "an analysis of the whole graph") -> StateSpace:
        """The whole graph in this process (``what`` names the analysis that needs it in the
        error raised when it does not fit)."""
        ...
