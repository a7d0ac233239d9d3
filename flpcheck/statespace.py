"""The explored state space: configurations as int tuples, edges in compact arrays.

A configuration is stored as one packed int: the interned local state of each process in a
field of ``STATE_BITS`` bits (process p at bit ``p * STATE_BITS``) and the interned buffer (a
sorted tuple of message ids) above them. :meth:`StateSpace.row` unpacks it. Configuration
ids are assigned in breadth-first order, so a lower id is never deeper. The edges of
configuration ``c`` are ``edge_dst[indptr[c]:indptr[c+1]]`` with their events in ``edge_event``.
An event id below N is the null event of that process; ``N + m`` is the receipt of message ``m``.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .graph import CSR, reverse
from .protocol import Protocol
from .semantics import Configuration, Event
from .transitions import LocalTable
from .values import canonical_key

__all__ = ["StateSpace", "Schedule", "Bounds", "STATE_BITS"]

STATE_BITS = 24
"""Bits per process in a packed configuration: at most 2**24 distinct local states."""
STATE_MASK = (1 << STATE_BITS) - 1


@dataclass(frozen=True, slots=True)
class Bounds:
    """Limits on an exploration; None means unbounded."""

    max_configs: int | None = None
    max_buffer: int | None = None
    max_depth: int | None = None

    def describe(self) -> str:
        """The bounds as CLI options, e.g. ``max-buffer=4``; ``none`` when unbounded."""
        names = ("max_configs", "max_buffer", "max_depth")
        parts = [f"{k.replace('_', '-')}={getattr(self, k)}" for k in names if getattr(self, k)]
        return ", ".join(parts) or "none"


@dataclass(frozen=True, slots=True)
class Schedule:
    """A schedule from an initial configuration: the inputs, then the events in order."""

    inputs: tuple[int, ...]
    events: tuple[Event, ...]

    def __len__(self) -> int:
        return len(self.events)


class StateSpace:
    """The configuration graph of a protocol, as explored by :func:`flpcheck.explore`."""

    def __init__(self, protocol: Protocol, table: LocalTable, bounds: Bounds) -> None:
        self.protocol = protocol
        self.table = table
        self.n = protocol.processes
        self.bounds = bounds
        #: configuration id -> packed configuration (see :meth:`row`)
        self.configs: list[int] = []
        self.index: dict[int, int] = {}
        #: buffer id -> sorted tuple of message ids
        self.buffers: list[tuple[int, ...]] = []
        #: (input vector, configuration id) in the order explored
        self.initial: list[tuple[tuple[int, ...], int]] = []
        self.indptr = array("q", [0])
        self.edge_dst = array("i")
        self.edge_event = array("i")
        self.depth = array("i")
        #: BFS tree: the edge by which a configuration was first reached (-1 for initial ones)
        self.parent_edge = array("q")
        #: bit 0: some output is 0; bit 1: some output is 1
        self.decided = bytearray()
        #: 1 where the configuration was expanded (all its events applied)
        self.expanded = bytearray()
        #: why exploration stopped short, in the order the cuts happened (empty when complete)
        self.cut_reasons: list[str] = []
        #: first edge that applies a local transition changing an output already set
        self.decision_change_edge: int | None = None
        self.elapsed = 0.0

    # -- sizes and status --------------------------------------------------------------------

    @property
    def complete(self) -> bool:
        """True when every reachable configuration was expanded (nothing cut by a bound)."""
        return not self.cut_reasons

    def __len__(self) -> int:
        return len(self.configs)

    @property
    def num_events(self) -> int:
        """(configuration, distinct applicable event) pairs explored, null events included."""
        return len(self.edge_dst)

    @cached_property
    def cut(self) -> np.ndarray:
        """Boolean array: configurations that were not expanded."""
        return np.frombuffer(bytes(self.expanded), dtype=np.uint8) == 0

    # -- decoding ----------------------------------------------------------------------------

    def event(self, eid: int) -> Event:
        """The event with id ``eid``."""
        if eid < self.n:
            return Event(eid, None)
        dst, pl = self.table.messages[eid - self.n]
        return Event(dst, self.table.payloads[pl])

    def event_id(self, event: Event) -> int | None:
        """The id of ``event``, or None if that message was never sent in this space."""
        if event.msg is None:
            return event.pid
        pl = self.table._payload_ids.get(event.msg)
        mid = None if pl is None else self.table._message_ids.get((event.pid, pl))
        return None if mid is None else self.n + mid

    def event_pid(self, eid: int) -> int:
        """The process that takes event ``eid``."""
        return eid if eid < self.n else self.table.messages[eid - self.n][0]

    def pack(self, states: tuple[int, ...], buffer_id: int) -> int:
        """The packed form of a configuration given as state ids and a buffer id."""
        key = buffer_id
        for s in reversed(states):
            key = (key << STATE_BITS) | s
        return key

    def row(self, cid: int) -> tuple[int, ...]:
        """``(s_0, ..., s_{N-1}, buffer id)`` of configuration ``cid``."""
        key = self.configs[cid]
        out = []
        for _ in range(self.n):
            out.append(key & STATE_MASK)
            key >>= STATE_BITS
        out.append(key)
        return tuple(out)

    def configuration(self, cid: int) -> Configuration:
        """The configuration with id ``cid`` as plain values."""
        row = self.row(cid)
        states = tuple(self.table.states[s] for s in row[:-1])
        msgs = [self.table.messages[m] for m in self.buffers[row[-1]]]
        buffer = tuple(
            sorted(
                ((d, self.table.payloads[p]) for d, p in msgs),
                key=lambda m: (m[0], canonical_key(m[1])),
            )
        )
        return Configuration(states, buffer)

    def buffer_size(self, cid: int) -> int:
        """How many messages (copies counted) are in transit in ``cid``."""
        return len(self.buffers[self.configs[cid] >> (STATE_BITS * self.n)])

    def pending_messages(self, cid: int) -> tuple[int, ...]:
        """The message ids in transit in ``cid`` (sorted, copies repeated)."""
        return self.buffers[self.configs[cid] >> (STATE_BITS * self.n)]

    def outputs(self, cid: int) -> tuple[int | None, ...]:
        """The output register of every process in ``cid``."""
        row = self.row(cid)
        return tuple(self.table.output(p, row[p]) for p in range(self.n))

    def decisions(self, cid: int) -> frozenset[int]:
        """The decision values of ``cid``."""
        bits = self.decided[cid]
        return frozenset(v for v in (0, 1) if bits >> v & 1)

    def find(self, config: Configuration) -> int | None:
        """The id of a configuration given as plain values, or None if it was not reached."""
        t = self.table
        try:
            states = tuple(t._state_ids[s] for s in config.states)
            mids = []
            for dst, payload in config.buffer:
                mids.append(t._message_ids[(dst, t._payload_ids[payload])])
        except (KeyError, TypeError):
            return None
        bid = self._buffer_index.get(tuple(sorted(mids)))
        return None if bid is None else self.index.get(self.pack(states, bid))

    @cached_property
    def _buffer_index(self) -> dict[tuple[int, ...], int]:
        return {b: i for i, b in enumerate(self.buffers)}

    # -- edges and paths ---------------------------------------------------------------------

    def successors(self, cid: int) -> list[tuple[Event, int]]:
        """The events applicable at ``cid`` (if expanded) and the configuration each reaches."""
        lo, hi = self.indptr[cid], self.indptr[cid + 1]
        return [(self.event(self.edge_event[k]), self.edge_dst[k]) for k in range(lo, hi)]

    def successor(self, cid: int, event: Event) -> int | None:
        """e(C) for the configuration ``cid``, or None if e is not applicable or ``cid`` is cut."""
        eid = self.event_id(event)
        for k in range(self.indptr[cid], self.indptr[cid + 1]):
            if self.edge_event[k] == eid:
                return self.edge_dst[k]
        return None

    def edge_source(self, edge: int) -> int:
        """The configuration an edge leaves."""
        return int(np.searchsorted(self.arrays.indptr, edge, side="right")) - 1

    def schedule_to(self, cid: int) -> Schedule:
        """A shortest schedule from an initial configuration to ``cid`` (BFS tree)."""
        events = []
        while self.parent_edge[cid] >= 0:
            k = self.parent_edge[cid]
            events.append(self.event(self.edge_event[k]))
            cid = self.edge_source(k)
        return Schedule(self.inputs_of(cid), tuple(reversed(events)))

    def path_to(self, cid: int) -> tuple[int, list[int]]:
        """(initial configuration id, edge ids) of the BFS-tree path to ``cid``."""
        edges = []
        while self.parent_edge[cid] >= 0:
            edges.append(self.parent_edge[cid])
            cid = self.edge_source(edges[-1])
        return cid, edges[::-1]

    def inputs_of(self, cid: int) -> tuple[int, ...]:
        """The input vector of initial configuration ``cid`` (the first, if several share it)."""
        for inputs, c in self.initial:
            if c == cid:
                return inputs
        raise ValueError(f"configuration {cid} is not initial")

    def initial_id(self, inputs: tuple[int, ...]) -> int | None:
        """The configuration id of I(inputs), or None if those inputs were not explored."""
        for x, c in self.initial:
            if x == tuple(inputs):
                return c
        return None

    def follow(self, start: int, events: list[Event]) -> list[int]:
        """The configuration ids visited by applying ``events`` from ``start`` (start included)."""
        path = [start]
        for e in events:
            nxt = self.successor(path[-1], e)
            if nxt is None:
                raise ValueError(f"event {e} is not an explored edge of configuration {path[-1]}")
            path.append(nxt)
        return path

    # -- array views for the analyses --------------------------------------------------------

    @cached_property
    def arrays(self) -> CSR:
        """The forward graph as numpy CSR arrays (built once, after exploration)."""
        return CSR(
            np.frombuffer(self.indptr, dtype=np.int64),
            np.frombuffer(self.edge_dst, dtype=np.int32),
        )

    @cached_property
    def reverse_arrays(self) -> CSR:
        """The reversed graph; its edge labels (``edge_ids``) are the process of each edge's
        event, so a mask over processes filters it (``reach(..., edge_ok=live_mask)``)."""
        return reverse(self.arrays, self.edge_pid)

    @cached_property
    def events_array(self) -> np.ndarray:
        """The event id of every edge."""
        return np.frombuffer(self.edge_event, dtype=np.int32)

    @cached_property
    def edge_pid(self) -> np.ndarray:
        """The process that takes each edge's event (int16)."""
        table = np.array([self.event_pid(e) for e in range(self.n + len(self.table.messages))],
                         dtype=np.int16)
        return table[self.events_array] if len(self.events_array) else np.zeros(0, np.int16)

    @cached_property
    def decided_array(self) -> np.ndarray:
        """The decision bits of every configuration (bit 0: a 0 output, bit 1: a 1 output)."""
        return np.frombuffer(bytes(self.decided), dtype=np.uint8).copy()

    def to_networkx(self) -> Any:
        """The graph as a ``networkx.MultiDiGraph`` (see :mod:`flpcheck.export`)."""
        from .export import to_networkx

        return to_networkx(self)
