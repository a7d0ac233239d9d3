"""What a partition answers about its part of the graph after the search (a mixin of
:class:`~flpcheck.explorer.partition.worker.Partition`): the decision-bit fixpoint for valence,
breadth-first passes from a set of configurations, and configurations, edges and parents
decoded to plain values for schedules. The coordinating side is
:mod:`flpcheck.explorer.partition.space`.

Edges have global ids too: ``edge_base[k]`` plus the edge's index among partition k's edges
(configurations in local order, each one's edges in order).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import numpy.typing as npt

from ...model.semantics import Configuration
from ...model.table import LocalTable
from ...model.values import canonical_key
from .._storage import Growable

__all__ = ["PartitionQueries", "timed"]

IntArray = npt.NDArray[np.int64]


def timed(method: Any) -> Any:
    """Count the CPU time a partition spends in ``method`` (``Partition.timers``)."""
    name = method.__name__

    def wrapper(self: Any, *args: Any) -> Any:
        started = time.process_time()
        try:
            return method(self, *args)
        finally:
            self.timers[name] = self.timers.get(name, 0.0) + time.process_time() - started

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


class PartitionQueries:
    """Queries on a partition's stored graph (local order: level by level)."""

    # provided by Partition
    k: int
    K: int
    n: int
    level_base: IntArray
    part_base: IntArray
    level_start: list[int]
    table: LocalTable
    buffers: list[tuple[int, ...]]
    rows: Growable
    parent: Growable
    prank: Growable
    decided: Growable
    expanded: Growable
    counts: Growable
    dst: Growable
    event: Growable
    diamonds: int
    back: int
    cross_levels: set[int]

    def ids_of(self, local: IntArray) -> IntArray:  # pragma: no cover - Partition's
        raise NotImplementedError

    # -- indexing -----------------------------------------------------------------------------

    @timed
    def prepare(self, edge_base: list[int]) -> dict[str, int]:
        """After the search: the CSR of my edges and the first global edge id of every
        partition. Returns my counts (configurations, events, diamonds)."""
        counts = self.counts.view
        events = self.dst.size
        self.indptr = np.zeros(len(counts) + 1, dtype=np.int32 if events < 2**31 else np.int64)
        np.cumsum(counts, out=self.indptr[1:])
        self.edge_base = np.array(edge_base, dtype=np.int64)
        return {"configurations": len(counts), "events": events, "diamonds": self.diamonds,
                "level_sizes": np.diff(np.array(self.level_start, dtype=np.int64)).tolist()}

    def _first_id(self, d: int) -> int:
        """The global id of my first configuration of level d (mine are contiguous)."""
        return int(self.level_base[d] + self.part_base[d, self.k])

    def _event_pids(self, events: npt.NDArray[np.integer]) -> IntArray:
        pids = np.array(self.table.event_pids(), dtype=np.int64)
        return pids[np.asarray(events, dtype=np.int64)]

    def owner_of(self, gids: IntArray) -> IntArray:
        """The partition owning each global id (of a numbered level)."""
        gids = np.asarray(gids, dtype=np.int64)
        d = np.searchsorted(self.level_base, gids, side="right") - 1
        rel = gids - self.level_base[d]
        pb = self.part_base[d]  # (len, K): the first id of each partition in that level
        return (pb <= rel[:, None]).sum(axis=1) - 1

    def locals_of(self, gids: IntArray) -> IntArray:
        """Local ids of global ids I own."""
        gids = np.asarray(gids, dtype=np.int64)
        d = np.searchsorted(self.level_base, gids, side="right") - 1
        starts = np.array(self.level_start, dtype=np.int64)
        return starts[d] + gids - self.level_base[d] - self.part_base[d, self.k]

    # -- decision bits to the fixpoint --------------------------------------------------------

    @timed
    def bits_start(self, start: npt.NDArray[np.uint8]) -> IntArray:
        """A replica of every configuration's bits (1 byte each, the whole graph), from
        ``start``: bits 0 and 1 the decision values, bit 2 not expanded. Every partition starts
        from the same values, so a slice that did not change needs no sending. Returns my
        level sizes."""
        self.replica = np.array(start, dtype=np.uint8)  # a copy (Ray's arrays are read-only)
        return np.diff(np.array(self.level_start, dtype=np.int64))

    @timed
    def bits_level(self, d: int, *updates: Any) -> tuple[tuple[int, Any] | None, bool]:
        """Apply the other partitions' slices, then bring my level-d bits to their local
        fixpoint (edges to configurations already final or mine). Returns my level-d slice
        (first id, bits) and whether it changed."""
        for u in updates:
            if u is not None:
                lo, bits = u
                self.replica[lo:lo + len(bits)] = bits
        lo, hi = self.level_start[d], self.level_start[d + 1]
        if hi == lo:
            return None, False
        first, last = int(self.indptr[lo]), int(self.indptr[hi])
        g0 = self._first_id(d)
        gl = slice(g0, g0 + hi - lo)
        before = self.replica[gl].copy()
        if last > first:
            seg = self.indptr[lo:hi + 1]
            has = np.flatnonzero(seg[1:] > seg[:-1])
            starts = seg[:-1][has] - first
            targets = self.dst.view[first:last]
            nodes = g0 + has
            while True:
                grown = np.bitwise_or.reduceat(self.replica[targets], starts)
                grown |= self.replica[nodes]
                diff = np.flatnonzero(grown != self.replica[nodes])
                if not diff.size:
                    break
                self.replica[nodes[diff]] = grown[diff]
        now = self.replica[gl]
        return (g0, now.copy()), bool((now != before).any())

    @timed
    def bits_result(self) -> npt.NDArray[np.uint8]:
        """My configurations' bits (local order) once the fixpoint is reached; frees the
        replica."""
        out = np.concatenate([self.replica[self._first_id(d):self._first_id(d) + n]
                              for d, n in enumerate(np.diff(self.level_start).tolist())
                              if d < len(self.level_base)] or [np.zeros(0, np.uint8)])
        del self.replica
        return out

    def edge_kinds(self) -> tuple[int, list[int]]:
        """(how many of my edges lead to a shallower level: the valence fixpoint then needs
        another sweep; the levels where an edge leads to another partition's configuration of
        the same level: there a level's slices are exchanged until they settle), as counted
        while exploring."""
        return self.back, sorted(self.cross_levels)

    @timed
    def flags(self) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
        """(decision bits, whether expanded) of my configurations, in local order."""
        return self.decided.view, self.expanded.view

    def find(self, config: Configuration) -> int | None:
        """The global id of ``config`` if I hold it."""
        table, n = self.table, self.n
        states = [table.find_state(s) for s in config.states]
        per: list[list[int]] = [[] for _ in range(n)]
        for dst, payload in config.buffer:
            mid = table.find_message(dst, payload) if 0 <= dst < n else None
            if mid is None:
                return None
            per[dst].append(mid)
        subs = [self.bufs.ids.get(tuple(sorted(m))) for m in per]  # type: ignore[attr-defined]
        if None in states or None in subs or len(states) != n:
            return None
        hit = np.flatnonzero((self.rows.view == np.array(states + subs)).all(axis=1))
        return int(self.ids_of(hit[:1])[0]) if hit.size else None

    # -- breadth-first passes -----------------------------------------------------------------

    def bfs_start(self, sources: IntArray) -> IntArray:
        """Start a pass from the global ids ``sources`` (those I own are reached at 0)."""
        self.dist = np.full(self.rows.size, -1, dtype=np.int32)
        self.via = np.full(self.rows.size, -1, dtype=np.int64)
        mine = sources[self.owner_of(sources) == self.k] if len(sources) else sources
        local = self.locals_of(mine)
        self.dist[local] = 0
        return np.unique(local)

    @timed
    def bfs_expand(self, frontier: IntArray) -> list[Any]:
        """The edges leaving my ``frontier`` (local ids, in order), split by the owner of
        their targets: per partition (targets, global edge ids), in (source, edge) order."""
        frontier = np.asarray(frontier, dtype=np.int64)
        starts = self.indptr[frontier]
        counts = self.indptr[frontier + 1] - starts
        pos = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
        dst = self.dst.view[pos].astype(np.int64)
        eid = self.edge_base[self.k] + pos
        owner = self.owner_of(dst)
        return [(dst[owner == q], eid[owner == q]) for q in range(self.K)]

    @timed
    def bfs_receive(self, level: int, *parts: Any) -> IntArray:
        """Mark the targets sent to me (one part per sender, in sender order) reached at
        ``level`` if they were not: the first edge in (sender, order) wins. Returns the new
        frontier (local ids, sorted)."""
        got = [p for p in parts if p is not None and len(p[0])]
        if not got:
            return np.zeros(0, dtype=np.int64)
        dst = np.concatenate([p[0] for p in got])
        eid = np.concatenate([p[1] for p in got])
        local = self.locals_of(dst)
        fresh = self.dist[local] < 0
        local, eid = local[fresh], eid[fresh]
        uniq, first = np.unique(local, return_index=True)
        self.dist[uniq] = level
        self.via[uniq] = eid[first]
        return uniq

    @timed
    def bfs_result(self, parents: bool) -> tuple[npt.NDArray[np.int32], IntArray | None]:
        """(distance or -1, and with ``parents`` the BFS edge or -1) of my configurations in
        local order; frees the pass."""
        out = (self.dist, self.via if parents else None)
        del self.dist, self.via
        return out

    # -- decoding -----------------------------------------------------------------------------

    def _event_value(self, eid: int) -> tuple[int, Any]:
        """(process, payload or None) of my event ``eid``: how an event travels to the driver."""
        event = self.table.event(eid)
        return event.pid, event.msg

    def configurations(self, gids: list[int]) -> list[Configuration]:
        """The configurations with these global ids (mine), as plain values."""
        table, n = self.table, self.n
        out = []
        for local in self.locals_of(np.array(gids, dtype=np.int64)).tolist():
            row = self.rows.data[local].tolist()
            states = tuple(table.states[s] for s in row[:n])
            msgs = [table.messages[m] for b in row[n:] for m in self.buffers[b]]
            buffer = tuple(sorted(((d, table.payloads[pl]) for d, pl in msgs),
                                  key=lambda m: (m[0], canonical_key(m[1]))))
            out.append(Configuration.of_sorted(states, buffer))
        return out

    def edges(self, gids: list[int]) -> list[list[tuple[int, Any, int, int]]]:
        """For each global id (mine): its edges as (pid, payload or None, target id, global
        edge id), in order."""
        out = []
        for local in self.locals_of(np.array(gids, dtype=np.int64)).tolist():
            a, b = int(self.indptr[local]), int(self.indptr[local + 1])
            ev = self.event.view[a:b].tolist()
            dst = self.dst.view[a:b].tolist()
            out.append([(*self._event_value(e), d, int(self.edge_base[self.k]) + a + i)
                        for i, (e, d) in enumerate(zip(ev, dst, strict=True))])
        return out

    def edge(self, local_edge: int) -> tuple[int, int, Any, int]:
        """Edge ``edge_base[k] + local_edge``: (source id, pid, payload, target id)."""
        src = int(np.searchsorted(self.indptr, local_edge, side="right")) - 1
        e = int(self.event.view[local_edge])
        return (int(self.ids_of(np.array([src]))[0]), *self._event_value(e),
                int(self.dst.view[local_edge]))

    def parents(self, gids: list[int]) -> list[tuple[int, int]]:
        """(parent id, rank of the BFS edge among the parent's edges), or (-1, 0)."""
        local = self.locals_of(np.array(gids, dtype=np.int64))
        return list(zip(self.parent.view[local].tolist(), self.prank.view[local].tolist(),
                        strict=True))

    def edge_of(self, gid: int, rank: int) -> int:
        """The global id of edge ``rank`` of configuration ``gid`` (mine)."""
        local = int(self.locals_of(np.array([gid]))[0])
        return int(self.edge_base[self.k] + self.indptr[local] + rank)

    def buffer_sizes(self) -> IntArray:
        """Messages in transit in each of my configurations (local order)."""
        lens = np.array([len(b) for b in self.buffers] or [0], dtype=np.int64)
        rows = self.rows.view
        return lens[rows[:, self.n:]].sum(axis=1) if len(rows) else np.zeros(0, np.int64)

