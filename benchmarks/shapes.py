"""Two thin shapes where per-level overheads dominate (models for ``bench_shapes``).

- :class:`Chain`: p0 takes ``chain`` null steps (a counter in its state) before it broadcasts
  its input; everybody decides the first value it receives. 4 configurations per level,
  ``chain + 3`` levels.
- :class:`Copies`: p0's first step sends ``copies`` copies of its input to p1 and decides it;
  p1 decides the first value it receives. Buffers of up to ``copies`` messages, ``copies + 1``
  levels.

    flpcheck explore benchmarks/shapes.py:Chain
"""

from __future__ import annotations

from typing import NamedTuple

from flpcheck import Protocol


class ChainState(NamedTuple):
    x: int
    c: int = 0  # p0's counter
    y: int | None = None


class Chain(Protocol):
    """A chain of ``chain`` null steps of p0, then a broadcast of its input."""

    processes = 2
    chain = 20_000

    def init(self, pid, x):
        return ChainState(x)

    def step(self, pid, state, msg):
        sends = []
        if pid == 0 and state.c <= self.chain:
            if state.c == self.chain:
                sends = self.broadcast(state.x)
            state = state._replace(c=state.c + 1)
        if msg is not None and state.y is None:
            state = state._replace(y=msg)
        return state, sends

    def output(self, pid, state):
        return state.y


class CopiesState(NamedTuple):
    x: int
    sent: bool = False
    y: int | None = None


class Copies(Protocol):
    """p0's first step sends ``copies`` copies of its input to p1."""

    processes = 2
    copies = 2_000

    def init(self, pid, x):
        return CopiesState(x)

    def step(self, pid, state, msg):
        sends = []
        if pid == 0 and not state.sent:
            sends = [(1, state.x)] * self.copies
            state = state._replace(sent=True, y=state.x)
        if pid == 1 and msg is not None and state.y is None:
            state = state._replace(y=msg)
        return state, sends

    def output(self, pid, state):
        return state.y
