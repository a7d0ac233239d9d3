"""The explored state space: configurations as rows of small ints, edges in compact arrays.

A configuration is a row of 2N integers: the interned local state of each process, then the
interned sub-buffer of each process (the sorted message ids in transit to it). Configuration
ids are assigned in breadth-first order, so a lower id is never deeper. The edges of
configuration ``c`` are ``edge_dst[indptr[c]:indptr[c+1]]`` with their events in ``edge_event``.
An event id below N is the null step of that process; ``N + m`` is the receipt of message ``m``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from ..errors import UsageError
from ..model.protocol import Protocol
from ..model.semantics import Configuration, Event, message_key
from ..model.table import LocalTable
from ..model.values import canonical_key
from ._storage import RowIndex, row_hash
from .csr import CSR, reverse

__all__ = ["StateSpace", "Schedule", "Bounds", "inputs_of", "initial_id"]

_SUB_MEMO = 1 << 14  # sorted sub-buffers kept by configuration()


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
    """The configuration graph of a protocol, as explored by :func:`flpcheck.explore`.

    Everything per configuration or per edge is a numpy array: ``rows`` (configuration id ->
    N local state ids then N sub-buffer ids, the messages in transit to each process),
    ``depth``, ``parent_edge`` (the BFS-tree edge into each configuration, -1 for initial
    ones), ``decided`` (bit 0: some output is 0, bit 1: some output is 1), ``expanded``; and
    the edges in CSR form: those of configuration ``c`` are
    ``edge_dst[indptr[c]:indptr[c + 1]]`` with their events in ``edge_event``. Integer arrays
    may be as narrow as their values allow (uint8 event ids, uint16 rows, int32 ``indptr``):
    read their entries with ``int()``, and widen before arithmetic that could overflow.
    """

    def __init__(self, protocol: Protocol, table: LocalTable, bounds: Bounds) -> None:
        self.protocol = protocol
        self.table = table
        self.n = protocol.processes
        self.bounds = bounds
        #: sub-buffer id -> sorted tuple of message ids in transit to one process (0: empty)
        self.buffers: list[tuple[int, ...]] = []
        #: (input vector, configuration id) in the order explored
        self.initial: list[tuple[tuple[int, ...], int]] = []
        self.rows = np.zeros((0, 2 * self.n), dtype=np.int32)
        self.indptr = np.zeros(1, dtype=np.int64)
        self.edge_dst = np.zeros(0, dtype=np.int32)
        self.edge_event = np.zeros(0, dtype=np.int32)
        self.depth = np.zeros(0, dtype=np.int32)
        self.parent_edge = np.zeros(0, dtype=np.int64)
        self.decided = np.zeros(0, dtype=np.uint8)
        self.expanded = np.zeros(0, dtype=bool)
        #: why exploration stopped short, in the order the cuts happened (empty when complete)
        self.cut_reasons: list[str] = []
        #: first edge that applies a local transition changing an output already set
        self.decision_change_edge: int | None = None
        self.elapsed = 0.0
        self._row_index: RowIndex | None = None
        self._sub_memo: dict[int, tuple[tuple[tuple[int, Any], ...], dict[Any, int]]] = {}
        #: under symmetry reduction: the size of each stored configuration's orbit (else None)
        self.orbit: np.ndarray | None = None
        #: True when the partial-order reduction cut events (see :mod:`flpcheck.explorer.por`)
        self.partial_order = False
        #: why a requested partial-order reduction did not apply ("" otherwise)
        self.por_note = ""
        #: chance (a protocol whose steps return Outcomes; both None when no edge is left to
        #: chance): the outcome of every edge (the edges of one event at one configuration
        #: are consecutive, in outcome order), and the index of its probability in
        #: ``probabilities``. A deterministic edge has outcome 0 and probability index 0
        #: (probability 1); an edge left to chance never has index 0 (its event has two
        #: outcomes or more, each of probability < 1). See :meth:`event_of_edge`.
        self.edge_outcome: np.ndarray | None = None
        self.edge_probability: np.ndarray | None = None
        #: the distinct probabilities of the edges (``probabilities[0]`` is 1)
        self.probabilities: list[Fraction] = [Fraction(1)]
        #: the engine that explored it, and why if it was not the one asked for
        self.engine = ""
        self.engine_note = ""

    # -- sizes and status --------------------------------------------------------------------

    def note_cut(self, reason: str) -> None:
        """Record that a bound (or a stop) cut the exploration (each reason once, in order)."""
        if reason not in self.cut_reasons:
            self.cut_reasons.append(reason)

    @property
    def complete(self) -> bool:
        """True when every reachable configuration was expanded (nothing cut by a bound)."""
        return not self.cut_reasons

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    @property
    def num_events(self) -> int:
        """(configuration, distinct applicable event) pairs explored, null steps included."""
        return len(self.edge_dst)

    @property
    def reduced(self) -> bool:
        """True when the space holds one configuration per orbit (symmetry reduction)."""
        return self.orbit is not None

    @property
    def weights(self) -> np.ndarray:
        """How many configurations each stored one stands for (1 without reduction: int8)."""
        return np.ones(len(self), dtype=np.int8) if self.orbit is None else self.orbit

    def total_configurations(self) -> int:
        """Configurations of the full graph (the sum of orbit sizes under reduction)."""
        return len(self) if self.orbit is None else int(self.orbit.sum())

    def total_events(self) -> int:
        """Events of the full graph (each orbit member has its representative's events)."""
        if self.orbit is None:
            return self.num_events
        return int((np.diff(self.indptr).astype(np.int64) * self.orbit).sum())

    on_partitions = False
    """Never: the whole graph is here (:class:`~flpcheck.explorer.space.Space`)."""

    def gather(self, what: str = "an analysis of the whole graph") -> StateSpace:
        """The whole graph in this process: this space itself."""
        return self

    def prefetch(self, cids: list[int]) -> None:
        """Nothing to bring: every configuration is here."""

    def require_unreduced(self, what: str) -> None:
        """Refuse an analysis that symmetry reduction does not preserve."""
        if self.orbit is not None:
            raise UsageError(f"{what} is not preserved by symmetry reduction: explore "
                             "without --symmetry")

    def require_full(self, what: str) -> None:
        """Refuse an analysis that needs every configuration and event: neither reduction
        preserves it."""
        self.require_unreduced(what)
        if self.partial_order:
            raise UsageError(f"{what} is not preserved by the partial-order reduction: "
                             "explore without --por")

    @property
    def cut(self) -> np.ndarray:
        """Boolean array: configurations that were not expanded."""
        return ~self.expanded

    @property
    def row_index(self) -> RowIndex:
        """Row -> configuration id (built on first use where the engine did not keep one)."""
        if self._row_index is None:
            index = RowIndex(lambda ids: self.rows[ids])
            if len(self):
                index.add(row_hash(self.rows), np.arange(len(self), dtype=np.int64))
            self._row_index = index
        return self._row_index

    # -- decoding ----------------------------------------------------------------------------

    def event(self, eid: int) -> Event:
        """The event with id ``eid`` (the scheduler's: no outcome; see :meth:`event_of_edge`)."""
        return self.table.event(eid)

    def event_of_edge(self, edge: int) -> Event:
        """The event edge ``edge`` applies, with chance's outcome where the step is left to
        chance (``Event.outcome``; None for a deterministic step)."""
        event = self.table.event(int(self.edge_event[edge]))
        if self.edge_probability is not None and self.edge_probability[edge]:
            return event._replace(outcome=int(self.edge_outcome[edge]))  # type: ignore[index]
        return event

    def edge_chance(self, edge: int) -> Fraction:
        """The probability that chance gives edge ``edge`` once its event is chosen (1 for a
        deterministic step)."""
        if self.edge_probability is None:
            return self.probabilities[0]
        return self.probabilities[int(self.edge_probability[edge])]

    def event_id(self, event: Event) -> int | None:
        """The id of ``event``, or None if that message was never sent in this space."""
        if event.msg is None:
            return event.pid
        mid = self.table.find_message(event.pid, event.msg)
        return None if mid is None else self.n + mid

    def event_pid(self, eid: int) -> int:
        """The process that takes event ``eid``."""
        eid = int(eid)
        return eid if eid < self.n else self.table.messages[eid - self.n][0]

    def row(self, cid: int) -> tuple[int, ...]:
        """``(s_0, ..., s_{N-1}, b_0, ..., b_{N-1})`` of configuration ``cid``: state ids, then
        the sub-buffer id of the messages in transit to each process."""
        return tuple(int(x) for x in self.rows[cid])

    def configuration(self, cid: int) -> Configuration:
        """The configuration with id ``cid`` as plain values."""
        row = self.row(cid)
        states = tuple(self.table.states[s] for s in row[: self.n])
        # sorted by (destination, payload): one sorted part per sub-buffer, in destination order
        parts = [self._sorted_sub(b) for b in row[self.n:]]
        counts: dict[Any, int] = {}
        for _, part_counts in parts:
            for k, c in part_counts.items():
                counts[k] = counts.get(k, 0) + c
        return Configuration.of_sorted(
            states, tuple(itertools.chain.from_iterable(part for part, _ in parts)), counts)

    def _sorted_sub(self, b: int) -> tuple[tuple[tuple[int, Any], ...], dict[Any, int]]:
        """The messages of sub-buffer ``b`` as (destination, payload), sorted, and as a
        multiset (:meth:`Configuration.message_counts`); memoized."""
        memo = self._sub_memo
        found = memo.get(b)
        if found is None:
            if len(memo) >= _SUB_MEMO:
                memo.clear()
            t = self.table
            copies: dict[int, int] = {}  # message id -> copies, in id order
            for m in self.buffers[b]:
                copies[m] = copies.get(m, 0) + 1
            message = {m: (t.messages[m][0], t.payloads[t.messages[m][1]]) for m in copies}
            keys = {m: canonical_key(msg[1]) for m, msg in message.items()}
            # a stable sort of the ids (in id order) by payload: the copies stay together
            ordered = tuple(itertools.chain.from_iterable(
                (message[m],) * copies[m] for m in sorted(copies, key=keys.__getitem__)))
            counts = {message_key(message[m]): c for m, c in copies.items()}
            found = memo[b] = (ordered, counts)
        return found

    def buffer_size(self, cid: int) -> int:
        """How many messages (copies counted) are in transit in ``cid``."""
        return sum(len(self.buffers[b]) for b in self.rows[cid, self.n :].tolist())

    def pending_messages(self, cid: int) -> tuple[int, ...]:
        """The message ids in transit in ``cid`` (sorted, copies repeated)."""
        return tuple(sorted(m for b in self.rows[cid, self.n :].tolist() for m in self.buffers[b]))

    def outputs(self, cid: int) -> tuple[int | None, ...]:
        """The output register of every process in ``cid``."""
        row = self.row(cid)
        return tuple(self.table.output(p, row[p]) for p in range(self.n))

    def decisions(self, cid: int) -> frozenset[int]:
        """The decision values of ``cid``."""
        bits = int(self.decided[cid])
        return frozenset(v for v in (0, 1) if bits >> v & 1)

    def find(self, config: Configuration, near: list[int] | None = None) -> int | None:
        """The id of a configuration given as plain values, or None if it was not reached.
        ``near``: ids to compare first (the successors of the previous configuration of a
        replayed run, say); the row index is built only when none of them is ``config``."""
        t = self.table
        if len(config.states) != self.n:
            return None
        states = tuple(t.find_state(s) for s in config.states)
        per: list[list[int]] = [[] for _ in range(self.n)]
        for dst, payload in config.buffer:
            mid = t.find_message(dst, payload) if 0 <= dst < self.n else None
            if mid is None:
                return None
            per[dst].append(mid)
        if None in states:
            return None
        subs = [self._buffer_index.get(tuple(sorted(mids))) for mids in per]
        if None in subs:
            return None
        row = np.array([[*states, *subs]], dtype=np.int32)
        if near is not None:
            ids = np.asarray(near, dtype=np.int64)
            hit = ids[(self.rows[ids] == row).all(axis=1)]
            if hit.size:
                return int(hit[0])
        cid = int(self.row_index.lookup(row)[0])
        return None if cid < 0 else cid

    @cached_property
    def _buffer_index(self) -> dict[tuple[int, ...], int]:
        return {b: i for i, b in enumerate(self.buffers)}

    # -- edges and paths ---------------------------------------------------------------------

    def successors(self, cid: int) -> list[tuple[Event, int]]:
        """The events applicable at ``cid`` (if expanded) and the configuration each reaches:
        one entry per edge, so an event left to chance comes once per outcome, its outcome
        in ``Event.outcome``."""
        lo, hi = int(self.indptr[cid]), int(self.indptr[cid + 1])
        if self.edge_probability is not None:
            return [(self.event_of_edge(k), int(self.edge_dst[k])) for k in range(lo, hi)]
        return [(self.event(int(e)), int(d))
                for e, d in zip(self.edge_event[lo:hi], self.edge_dst[lo:hi], strict=True)]

    def successor(self, cid: int, event: Event) -> int | None:
        """e(C) for the configuration ``cid``, or None if e is not applicable or ``cid`` is cut.
        For a step left to chance the event names its outcome (``event.outcome``): an event
        without one (or with one for a deterministic step) matches no edge."""
        k = self.edge_of(cid, event)
        return None if k is None else int(self.edge_dst[k])

    def edge_of(self, cid: int, event: Event) -> int | None:
        """The edge of ``cid`` that applies ``event`` (its outcome included), or None."""
        eid = self.event_id(event)
        lo, hi = int(self.indptr[cid]), int(self.indptr[cid + 1])
        if eid is None:
            return None
        hits = lo + np.flatnonzero(self.edge_event[lo:hi] == eid)
        if self.edge_probability is not None:
            chance = self.edge_probability[hits] != 0
            if event.outcome is None:
                hits = hits[~chance]
            else:
                hits = hits[chance & (self.edge_outcome[hits] == event.outcome)]  # type: ignore[index]
        elif event.outcome is not None:
            return None
        return int(hits[0]) if len(hits) else None

    def edge_source(self, edge: int) -> int:
        """The configuration an edge leaves."""
        ip = self.indptr  # a key of indptr's own type: no O(n) cast of indptr per call
        return int(np.searchsorted(ip, ip.dtype.type(edge), side="right")) - 1

    def schedule_to(self, cid: int) -> Schedule:
        """A shortest schedule from an initial configuration to ``cid`` (BFS tree)."""
        self.require_unreduced("a schedule")
        events = []
        while self.parent_edge[cid] >= 0:
            k = int(self.parent_edge[cid])
            events.append(self.event_of_edge(k))
            cid = self.edge_source(k)
        return Schedule(self.inputs_of(cid), tuple(reversed(events)))

    def path_to(self, cid: int) -> tuple[int, list[int]]:
        """(initial configuration id, edge ids) of the BFS-tree path to ``cid``."""
        edges = []
        while self.parent_edge[cid] >= 0:
            edges.append(int(self.parent_edge[cid]))
            cid = self.edge_source(edges[-1])
        return cid, edges[::-1]

    def inputs_of(self, cid: int) -> tuple[int, ...]:
        """The input vector of initial configuration ``cid`` (the first, if several share it)."""
        return inputs_of(self.initial, cid)

    def initial_id(self, inputs: tuple[int, ...]) -> int | None:
        """The configuration id of I(inputs), or None if those inputs were not explored."""
        return initial_id(self.initial, inputs)

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
        """The forward graph as a CSR view of the edge arrays."""
        return CSR(self.indptr, self.edge_dst)

    @cached_property
    def reverse_arrays(self) -> CSR:
        """The reversed graph; its edge labels (``edge_ids``) are the process of each edge's
        event, so a mask over processes filters it (``reach(..., edge_ok=live_mask)``)."""
        return reverse(self.arrays, self.edge_pid)

    @property
    def events_array(self) -> np.ndarray:
        """The event id of every edge."""
        return self.edge_event

    @cached_property
    def edge_pid(self) -> np.ndarray:
        """The process that takes each edge's event (int8, or int16 past 127 processes)."""
        dtype = np.int8 if self.n < 128 else np.int16
        table = np.array(self.table.event_pids(), dtype=dtype)
        return table[self.events_array] if len(self.events_array) else np.zeros(0, dtype)

    @cached_property
    def process_decided(self) -> np.ndarray:
        """Boolean array (configurations x processes): process p has decided in c."""
        out = np.zeros((len(self), self.n), dtype=bool)
        for p in range(self.n):
            col = self.rows[:, p]
            uniq, inv = np.unique(col, return_inverse=True)
            has = np.array([self.table.output(p, int(s)) is not None for s in uniq.tolist()],
                           dtype=bool)
            out[:, p] = has[inv.reshape(-1)] if len(uniq) else False
        return out

    @property
    def decided_array(self) -> np.ndarray:
        """The decision bits of every configuration (bit 0: a 0 output, bit 1: a 1 output)."""
        return self.decided


Initial = list[tuple[tuple[int, ...], int]]
"""The initial configurations of a space: (input vector, configuration id) pairs."""


def inputs_of(initial: Initial, cid: int) -> tuple[int, ...]:
    """The input vector of initial configuration ``cid`` (the first, if several share it)."""
    for inputs, c in initial:
        if c == cid:
            return inputs
    raise ValueError(f"configuration {cid} is not initial")


def initial_id(initial: Initial, inputs: tuple[int, ...]) -> int | None:
    """The configuration id of I(inputs), or None if those inputs were not explored."""
    for x, c in initial:
        if x == tuple(inputs):
            return c
    return None
