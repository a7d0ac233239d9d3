"""A graph left on its partitions: what ``flpcheck explore`` needs, computed there.

Past a size, gathering the partitions' graph into one process would need that process to hold
all of it; :class:`PartitionedSpace` instead answers the questions of ``explore``'s report on
the partitions (:mod:`flpcheck.explorer.partition.queries`) and keeps only a few bytes per
configuration here (decision bits, expanded flags, and the valence codes once computed):

- valence: decision bits propagated to the fixpoint level by level from the deepest, each
  partition updating its slice of the level and sending it to the others, repeated while a
  slice changes (edges within a level across partitions) and swept again while a sweep changes
  anything (edges to shallower levels);
- safety: the decision bits here; breadth-first passes (validity) run on the partitions;
- schedules: parents stay with their owners, so a schedule is rebuilt hop by hop;
- Lemma 1's sample: the configurations and edges it reads, fetched from their owners.

Anything else (witness, lemmas, render, graph export) needs the whole graph:
:meth:`PartitionedSpace.gather` brings it here as a
:class:`~flpcheck.explorer.statespace.StateSpace` when it fits within ``gather_limit``, and is
refused with the limit named when it does not (the pipeline gathers before those analyses;
such an analysis given this space says so).
"""

from __future__ import annotations

import weakref
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ...errors import UsageError
from ...model.protocol import Protocol
from ...model.semantics import Configuration, Event
from ...model.table import LocalTable
from ..statespace import Bounds, Schedule, StateSpace, initial_id, inputs_of
from .gather import gathered_bytes, install_gathered
from .parts import Parts
from .worker import Partition

__all__ = ["PartitionedSpace", "PartitionedGraph"]

IntArray = npt.NDArray[np.int64]


class PartitionedGraph:
    """``space.arrays`` of a :class:`PartitionedSpace`: :func:`flpcheck.analysis.graph.reach`
    and :func:`~flpcheck.analysis.graph.bfs` run their passes on the partitions."""

    on_partitions = True

    def __init__(self, space: PartitionedSpace) -> None:
        self.space = space

    @property
    def n(self) -> int:
        return len(self.space)

    def bfs(self, sources: npt.NDArray[np.integer], edge_ok: Any = None) -> tuple[IntArray, IntArray]:
        """(distance, BFS edge into each configuration) from ``sources``, as graph.bfs."""
        if edge_ok is not None:
            raise UsageError("this analysis needs the whole graph in one process")
        self._pass(np.unique(np.asarray(sources, dtype=np.int64)))
        return self._finish(parents=True)

    def _pass(self, sources: IntArray) -> None:
        parts, K = self.space.parts, self.space.parts.K
        frontiers = parts.get(parts.call(Partition.bfs_start, [(sources,)] * K))
        level = 0
        while any(len(f) for f in frontiers):
            level += 1
            out = parts.call(Partition.bfs_expand, [(f,) for f in frontiers], returns=K)
            frontiers = parts.get(parts.call(
                Partition.bfs_receive, [(level, *(out[q][j] for q in range(K))) for j in range(K)]))

    def _finish(self, parents: bool) -> Any:
        space = self.space
        results = space.parts.get(space.parts.call(Partition.bfs_result, [(parents,)] * space.parts.K))
        dist = space.scatter([d for d, _ in results], np.int64 if parents else np.int32)
        if not parents:
            return dist
        return dist, space.scatter([v for _, v in results], np.int64)

    def reach(self, sources: npt.NDArray[np.bool_], edge_ok: Any = None) -> npt.NDArray[np.bool_]:
        """The configurations reachable from ``sources``, as graph.reach."""
        if edge_ok is not None:
            raise UsageError("this analysis needs the whole graph in one process")
        self._pass(np.flatnonzero(sources))
        return self._finish(parents=False) >= 0


class _ByEdge:
    """``edge_event``/``edge_dst`` of a partitioned space: looked up edge by edge."""

    def __init__(self, space: PartitionedSpace, field: int) -> None:
        self.space, self.field = space, field

    def __getitem__(self, edge: Any) -> int:
        return self.space._edge(int(edge))[self.field]


class _Depth:
    """``depth``: a configuration's level, from the level bases."""

    def __init__(self, level_base: IntArray) -> None:
        self.level_base = level_base

    def __getitem__(self, cid: Any) -> int:
        return int(np.searchsorted(self.level_base, int(cid), side="right")) - 1


class PartitionedSpace:
    """The explored graph, left on its partitions (see the module docstring)."""

    on_partitions = True

    def __init__(self, parts: Parts, protocol: Protocol, origin: str, bounds: Bounds,
                 level_base: IntArray, search: dict[str, Any], gather_limit: int | None) -> None:
        self.parts = parts
        weakref.finalize(self, parts.shutdown)  # the workers go with the last reference
        self.protocol = protocol
        self.n = protocol.processes
        self.table = LocalTable(protocol, origin)
        self.bounds = bounds
        self.level_base = level_base
        self._part_base = np.asarray(search["part_base"], dtype=np.int64)
        self.initial: list[tuple[tuple[int, ...], int]] = search["initial"]
        self.cut_reasons: list[str] = search["cut_reasons"]
        self.engine = "partition"
        self.engine_note = ""
        self.elapsed = 0.0
        self.orbit = None
        self.partial_order = False
        self.por_note = ""
        # the partition engine refuses steps left to chance (see StateSpace.edge_outcome)
        self.edge_outcome = self.edge_probability = None
        self.probabilities = [Fraction(1)]
        self.gather_limit = gather_limit
        self._gathered: StateSpace | None = None
        self._cache: dict[str, dict[Any, Any]] = {"conf": {}, "edges": {}, "edge": {},
                                                  "found": {}}
        K = parts.K
        events = [s["events"] for s in search["partitions"]]
        self.edge_base = np.concatenate([[0], np.cumsum(events)[:-1]]).astype(np.int64)
        prepared = parts.get(parts.call(Partition.prepare, [(self.edge_base.tolist(),)] * K))
        self.configurations_count = sum(p["configurations"] for p in prepared)
        self.events_count = sum(p["events"] for p in prepared)
        self.diamonds = sum(p["diamonds"] for p in prepared)
        self.level_sizes = [p["level_sizes"] for p in prepared]
        flags = parts.get(parts.call(Partition.flags, [()] * K))
        self.decided = self.scatter([d for d, _ in flags], np.uint8)
        self.expanded = self.scatter([e for _, e in flags], np.bool_)
        changes = [s["change"] for s in search["partitions"] if s["change"] is not None]
        self._change = min(changes) if changes else None
        self.decision_change_edge: int | None = None
        if self._change is not None:
            src, rank = self._change
            self.decision_change_edge = parts.one(self._owner(src), Partition.edge_of, src, rank)
        self._initial_fetched = False
        self.depth = _Depth(level_base)
        self.edge_event = _ByEdge(self, 0)
        self.edge_dst = _ByEdge(self, 1)
        self._cut = ~self.expanded
        self._sizes: IntArray | None = None

    # -- sizes and status --------------------------------------------------------------------

    def __len__(self) -> int:
        return self.configurations_count

    @property
    def num_events(self) -> int:
        return self.events_count

    @property
    def complete(self) -> bool:
        return not self.cut_reasons

    @property
    def reduced(self) -> bool:
        return False

    @property
    def cut(self) -> npt.NDArray[np.bool_]:
        return self._cut

    @property
    def decided_array(self) -> npt.NDArray[np.uint8]:
        return self.decided

    @property
    def weights(self) -> npt.NDArray[np.int8]:
        return np.ones(len(self), dtype=np.int8)

    @property
    def arrays(self) -> PartitionedGraph:
        return PartitionedGraph(self)

    def total_configurations(self) -> int:
        return len(self)

    def total_events(self) -> int:
        return self.events_count

    def count_diamonds(self) -> int:
        """Pairs of events of different processes at one configuration (Lemma 1's total)."""
        return self.diamonds

    def require_unreduced(self, what: str) -> None:
        """Never reduced."""

    def require_full(self, what: str) -> None:
        """Refuse: ``what`` needs the whole graph, which :meth:`gather` brings here."""
        raise UsageError(f"{what} needs the whole graph in this process: it stays on the "
                         "partitions until gathered (space.gather())")

    # -- the decision-bit fixpoint -------------------------------------------------------------

    def valence_bits(self) -> npt.NDArray[np.uint8]:
        """Every configuration's bits (0, 1: decision values reachable; 2: a configuration
        not expanded reachable), propagated to the fixpoint on the partitions."""
        parts, K = self.parts, self.parts.K
        start = self.decided & 3 | self._cut.astype(np.uint8) << 2
        sizes = parts.get(parts.call(Partition.bits_start, [(parts.share(start),)] * K))
        levels = max(len(s) for s in sizes)
        kinds = parts.get(parts.call(Partition.edge_kinds, [()] * K))
        back = sum(b for b, _ in kinds)
        cross = {d for _, levels_ in kinds for d in levels_}
        updates: list[Any] = [None] * K  # what the last level sent: carried across sweeps
        while True:
            swept = False
            for d in range(levels - 1, -1, -1):
                while True:  # repeated only where a level's slices depend on each other
                    out = parts.call(Partition.bits_level, [(d, *updates)] * K, returns=2)
                    updates = [o[0] for o in out]
                    if d not in cross and not back:
                        break
                    changed = any(parts.get([o[1] for o in out]))
                    swept = swept or changed
                    if not changed or d not in cross:
                        break
            if not back or not swept:
                break
        return self.scatter(parts.get(parts.call(Partition.bits_result, [()] * K)), np.uint8)

    def scatter(self, per_partition: list[Any], dtype: Any) -> npt.NDArray[Any]:
        """One array over every configuration from each partition's array in local order:
        partition k's configurations of level d are the ids from ``level_base[d] +
        part_base[d][k]`` on, contiguous."""
        out = np.zeros(len(self), dtype=dtype)
        for k, values in enumerate(per_partition):
            at = 0
            for d, size in enumerate(self.level_sizes[k]):
                if size:
                    first = int(self.level_base[d] + self._part_base[d][k])
                    out[first:first + size] = values[at:at + size]
                    at += size
        return out

    # -- looking things up on the owners ------------------------------------------------------

    def _owner(self, cid: int) -> int:
        d = int(np.searchsorted(self.level_base, cid, side="right")) - 1
        bases = self._part_base[d]
        return int(np.searchsorted(bases, cid - int(self.level_base[d]), side="right")) - 1

    def _event_id(self, pid: int, payload: Any) -> int:
        if payload is None:
            return pid
        return self.n + self.table.message_id(pid, payload, pid=pid, what="(decoded)")

    def _edge(self, edge: int) -> tuple[int, int, int]:
        """(event id here, target, source) of global edge ``edge``."""
        found = self._cache["edge"].get(edge)
        if found is None:
            k = int(np.searchsorted(self.edge_base, edge, side="right")) - 1
            src, pid, payload, dst = self.parts.one(k, Partition.edge, edge - int(self.edge_base[k]))
            found = self._cache["edge"][edge] = (self._event_id(pid, payload), dst, src)
        return found

    def edge_source(self, edge: int) -> int:
        return self._edge(int(edge))[2]

    def event(self, eid: int) -> Event:
        return self.table.event(eid)

    def event_of_edge(self, edge: int) -> Event:
        """The event edge ``edge`` applies (the partition engine refuses steps left to
        chance: no outcome)."""
        return self.table.event(self._edge(int(edge))[0])

    def configuration(self, cid: int) -> Configuration:
        cid = int(cid)
        found = self._cache["conf"].get(cid)
        if found is None:
            self._fetch([cid])
            found = self._cache["conf"][cid]
        return found

    def _missing_by_owner(self, cids: list[int], cache: str) -> dict[int, list[int]]:
        """The ids of ``cids`` not yet in ``self._cache[cache]``, grouped by owner."""
        by_owner: dict[int, list[int]] = {}
        for c in cids:
            if c not in self._cache[cache]:
                by_owner.setdefault(self._owner(c), []).append(c)
        return by_owner

    def _fetch(self, cids: list[int]) -> None:
        """Bring the configurations ``cids`` here, one call per owner."""
        for k, group in self._missing_by_owner(cids, "conf").items():
            for c, config in zip(group, self.parts.one(k, Partition.configurations, group), strict=True):
                self._cache["conf"][c] = config
                self._cache["found"][config] = c

    def successors(self, cid: int) -> list[tuple[Event, int]]:
        return [(Event(pid, payload), dst) for pid, payload, dst, _ in self._edges_of(int(cid))]

    def successor(self, cid: int, event: Event) -> int | None:
        want = event.key
        for e, d in self.successors(cid):
            if e.pid == event.pid and (e.msg is None) == (event.msg is None) and e.key == want:
                return d
        return None

    def prefetch(self, cids: list[int]) -> None:
        """Bring the configurations ``cids``, their successors and the successors' edges (what
        Lemma 1's sample reads) with a few calls per owner."""
        self._fetch_edges(cids)
        targets = sorted({d for c in cids for _, _, d, _ in self._cache["edges"].get(c, ())})
        self._fetch_edges(targets)
        self._fetch(sorted(set(cids) | set(targets) | {d for c in targets for _, _, d, _ in
                                                        self._cache["edges"].get(c, ())}))

    def _fetch_edges(self, cids: list[int]) -> None:
        for k, group in self._missing_by_owner(cids, "edges").items():
            for c, edges in zip(group, self.parts.one(k, Partition.edges, group), strict=True):
                self._cache["edges"][c] = edges

    def outputs(self, cid: int) -> tuple[int | None, ...]:
        config = self.configuration(cid)
        return tuple(self.table.output(p, self.table.state_id(s, pid=p, what="(decoded)"))
                     for p, s in enumerate(config.states))

    def decisions(self, cid: int) -> frozenset[int]:
        bits = int(self.decided[cid])
        return frozenset(v for v in (0, 1) if bits >> v & 1)

    def buffer_size(self, cid: int) -> int:
        if self._sizes is None:
            self._sizes = self.scatter(
                self.parts.get(self.parts.call(Partition.buffer_sizes, [()] * self.parts.K)), np.int64)
        return int(self._sizes[cid])

    def schedule_to(self, cid: int) -> Schedule:
        """A shortest schedule to ``cid``, rebuilt hop by hop from the owners' parents."""
        events, path = [], [int(cid)]
        c = int(cid)
        while True:
            (parent, rank), = self.parts.one(self._owner(c), Partition.parents, [c])
            if parent < 0:
                break
            pid, payload, dst, _ = self._edges_of(parent)[rank]
            assert dst == c, "a parent edge does not lead to its child"
            events.append(Event(pid, payload))
            c = parent
            path.append(c)
        self._fetch(path)  # so that find() knows every configuration on the way
        return Schedule(self.inputs_of(c), tuple(reversed(events)))

    def _edges_of(self, cid: int) -> list[tuple[int, Any, int, int]]:
        if cid not in self._cache["edges"]:
            self._fetch_edges([cid])
        return self._cache["edges"][cid]

    def inputs_of(self, cid: int) -> tuple[int, ...]:
        return inputs_of(self.initial, cid)

    def initial_id(self, inputs: tuple[int, ...]) -> int | None:
        return initial_id(self.initial, inputs)

    def find(self, config: Configuration, near: list[int] | None = None) -> int | None:
        """The id of a configuration met before (on a schedule, in Lemma 1's sample, an
        initial one), else asked of every partition (``near`` is not needed: the
        configurations of a replayed run are met on its schedule first)."""
        found = self._cache["found"].get(config)
        if found is not None:
            return found
        if not self._initial_fetched:
            self._initial_fetched = True
            self._fetch([c for _, c in self.initial])
            found = self._cache["found"].get(config)
            if found is not None:
                return found
        for hit in self.parts.get(self.parts.call(Partition.find, [(config,)] * self.parts.K)):
            if hit is not None:
                self._cache["found"][config] = hit
                return hit
        return None

    # -- the graph gathered here -----------------------------------------------------------------

    def gather(self, what: str = "an analysis of the whole graph") -> StateSpace:
        """The whole graph as a :class:`StateSpace` in this process, when it fits within
        ``gather_limit`` (else a usage error naming ``what`` and the limit); gathered once. This
        space keeps answering from the partitions until it is released."""
        if self._gathered is not None:
            return self._gathered
        need = gathered_bytes(len(self), self.events_count, self.n)
        if self.gather_limit is not None and need > self.gather_limit:
            raise UsageError(
                f"{what} needs the whole graph in one process: {len(self):,} configurations "
                f"and {self.events_count:,} events, about {need / 2**30:.1f} GiB, more than "
                f"--max-memory allows ({self.gather_limit / 2**30:.1f} GiB); flpcheck explore "
                "reports on graphs this size without gathering them")
        parts = self.parts
        full = StateSpace(self.protocol, LocalTable(self.protocol, self.table.origin),
                          self.bounds)
        parts.get(parts.call(Partition.drop_index, [()] * parts.K))
        exports = [parts.one(k, Partition.export) for k in range(parts.K)]
        install_gathered(full, exports, self.level_base, self._change)
        full.initial = self.initial
        full.cut_reasons = self.cut_reasons
        full.engine, full.engine_note, full.elapsed = self.engine, self.engine_note, self.elapsed
        self._gathered = full
        return full
