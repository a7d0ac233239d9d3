"""The simple engine: breadth-first search one configuration at a time, in pure Python.

A configuration is packed into one Python int (2N fields of :data:`STATE_BITS` bits: the local
state ids, then the sub-buffer ids); its successors come from three memo tables: local steps
``(p, s, m)`` (:class:`~flpcheck.model.table.LocalTable`), buffer updates ``(b, m, sends)``
(:class:`~flpcheck.explorer.buffers.BufferTable`) and the moves of one process ``(p, s, b)``.
It builds the same space as the batch engine, ids included.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import FLPCheckError
from ..model.table import NULL
from .buffers import BufferTable
from .engine import Engine, Progress, StopCheck
from .statespace import StateSpace

__all__ = ["SimpleEngine", "STATE_BITS"]

STATE_BITS = 24
"""Bits per field of a packed configuration: at most 2**24 distinct local states and
sub-buffers."""
STATE_MASK = (1 << STATE_BITS) - 1

_CHECK_EVERY = 512
#: past this many distinct local states or sub-buffers a run that can hand over does so (well
#: before the packed fields overflow)
_HANDOVER = STATE_MASK // 4
#: the per-process move cache is emptied when it holds this many entries, bounding its memory
#: (hits come mostly from nearby configurations of the same BFS layers)
_MOVES_CAP = 1 << 15


class SimpleEngine(Engine):
    """One configuration at a time in pure Python: the oracle the batch engine is tested
    against, and the engine explore falls back to when the batch engine meets a 64-bit hash
    collision."""

    name = "simple"

    def run(self, space: StateSpace, vectors: list[tuple[int, ...]], progress: Progress | None,
            stop: StopCheck | None) -> None:
        _SimpleRun(space, progress, stop).run(vectors)


class _SimpleRun:
    """The breadth-first loop and its memo tables (one use)."""

    def __init__(self, space: StateSpace, progress: Progress | None, stop: StopCheck | None,
                 bufs: BufferTable | None = None):
        self.space = space
        self.table = space.table
        self.n = space.n
        self.progress = progress
        self.stop = stop
        self.bufs = bufs if bufs is not None else BufferTable(space.buffers, space.table.messages,
                                                             space.n)
        self.moves: dict[int, tuple[Any, ...]] = {}
        self.out_bits: dict[tuple[int, int], int] = {}
        # the graph as it grows (installed in the space as numpy arrays at the end)
        self.configs: list[int] = []  # configuration id -> packed configuration
        self.index: dict[int, int] = {}
        self.indptr = array("q", [0])
        self.edge_dst = array("i")
        self.edge_event = array("i")
        self.depth = array("i")
        self.parent_edge = array("q")
        self.decided = bytearray()
        self.expanded = bytearray()
        #: the edges left to chance, in order: (edge, outcome, probability id)
        self.chance_edges: list[tuple[int, int, int]] = []

    def pack(self, row: tuple[int, ...]) -> int:
        """A configuration row (N state ids, N sub-buffer ids) as one int of STATE_BITS fields."""
        key = 0
        for v in reversed(row):
            key = (key << STATE_BITS) | v
        return key

    def unpack(self, key: int) -> tuple[int, ...]:
        """The inverse of :meth:`pack`."""
        out = []
        for _ in range(2 * self.n):
            out.append(key & STATE_MASK)
            key >>= STATE_BITS
        return tuple(out)

    def buffer_size(self, key: int) -> int:
        """Messages in transit in a packed configuration."""
        buffers, n = self.space.buffers, self.n
        return sum(len(buffers[key >> ((n + q) * STATE_BITS) & STATE_MASK]) for q in range(n))

    def install(self) -> None:
        """Hand the graph to the space as numpy arrays (configurations never expanded included)."""
        sp = self.space
        while len(self.expanded) < len(self.configs):
            self.indptr.append(len(self.edge_dst))
            self.expanded.append(0)
        width = 2 * self.n
        flat = array("i")
        for key in self.configs:
            flat.extend(self.unpack(key))
        sp.rows = np.frombuffer(flat, dtype=np.int32).reshape(-1, width) if flat else \
            np.zeros((0, width), dtype=np.int32)
        sp.indptr = np.frombuffer(self.indptr, dtype=np.int64)
        sp.edge_dst = np.frombuffer(self.edge_dst, dtype=np.int32)
        sp.edge_event = np.frombuffer(self.edge_event, dtype=np.int32)
        sp.depth = np.frombuffer(self.depth, dtype=np.int32)
        sp.parent_edge = np.frombuffer(self.parent_edge, dtype=np.int64)
        sp.decided = np.frombuffer(bytes(self.decided), dtype=np.uint8)
        sp.expanded = np.frombuffer(bytes(self.expanded), dtype=np.uint8).astype(bool)
        install_chance(sp, self.chance_edges)
        self.configs, self.index = [], {}

    def moves_of(self, p: int, s: int, b: int) -> tuple[Any, ...]:
        """The events of p at local state s with its sub-buffer b, as a flat tuple of
        (event id, delta, bundles, chance), one entry per outcome: adding delta to a packed
        configuration sets p's state and sub-buffer; ``bundles`` (None when p sends nobody
        else anything) gives, per process, the send bundle to add to its sub-buffer;
        ``chance`` is None for a deterministic step, else (outcome, probability id)."""
        table, n, bufs = self.table, self.n, self.bufs
        shift, bshift = p * STATE_BITS, (n + p) * STATE_BITS
        out: list[Any] = []
        for m in (NULL, *bufs.distinct[b]):
            results = table.outcomes(p, s, m)
            for o, (prob, ns, sends) in enumerate(results):
                own, bundles = bufs.split(p, sends)
                nb = bufs.receive(b, m, own)
                out += (p if m == NULL else n + m, ((ns - s) << shift) + ((nb - b) << bshift),
                        bundles if any(bundles) else None,
                        None if len(results) == 1 else (o, prob))
        if len(table.states) > STATE_MASK or len(bufs.buffers) > STATE_MASK:
            raise FLPCheckError(f"more than {STATE_MASK} distinct local states or buffers: "
                                "too large to explore")
        result = tuple(out)
        self.moves[(b << STATE_BITS | s) * n + p] = result
        return result

    def drop_ignored(self, key: int) -> int:
        """The packed configuration without the messages their recipients ignore for good."""
        n, table, kept = self.n, self.table, self.bufs.kept
        for q in range(n):
            s = key >> (q * STATE_BITS) & STATE_MASK
            shift = (n + q) * STATE_BITS
            b = key >> shift & STATE_MASK
            nb = kept(table, q, s, b)
            if nb != b:
                key += (nb - b) << shift
        return key

    def bits(self, key: int) -> int:
        """The decision bits of a packed configuration."""
        bits = 0
        out_bits = self.out_bits
        for p in range(self.n):
            s = key & STATE_MASK
            key >>= STATE_BITS
            v = out_bits.get((p, s))
            if v is None:
                o = self.table.output(p, s)
                v = out_bits[(p, s)] = 0 if o is None else 1 << o
            bits |= v
        return bits

    def add(self, key: int, depth: int, parent_edge: int) -> int:
        cid = len(self.configs)
        self.configs.append(key)
        self.index[key] = cid
        self.depth.append(depth)
        self.parent_edge.append(parent_edge)
        self.decided.append(self.bits(key))
        return cid

    def run(self, vectors: list[tuple[int, ...]]) -> None:
        """Explore everything and install the graph in the space."""
        try:
            self.explore(vectors)
        except FLPCheckError:
            self.install()
            raise
        self.install()

    def explore(self, vectors: list[tuple[int, ...]], wide: int | None = None,
                handover: Callable[[], bool] | None = None) -> tuple[int, bool]:
        """Explore from the initial configurations; with ``wide``, hand over as soon as more
        than ``wide`` configurations wait to be expanded, or when ``handover()`` says so
        (asked every few hundred configurations). Returns (the next configuration to
        expand, True when handing over). The graph stays in this object (see :meth:`install`);
        a model error carries the configuration being expanded."""
        sp, table, n = self.space, self.table, self.n
        empty = self.bufs.id(())
        for x in vectors:
            key = self.pack(tuple(table.initial_state(p, x[p]) for p in range(n)) + (empty,) * n)
            cid = self.index.get(key)
            if cid is None:
                cid = self.add(key, 0, -1)
            sp.initial.append((x, cid))

        configs, index = self.configs, self.index
        indptr, edge_dst, edge_event = self.indptr, self.edge_dst, self.edge_event
        depth_of, parent_edge, decided = self.depth, self.parent_edge, self.decided
        expanded = self.expanded
        moves, moves_of, bits = self.moves, self.moves_of, self.bits
        chance_edges = self.chance_edges
        max_configs, max_buffer, max_depth = sp.bounds.max_configs, sp.bounds.max_buffer, sp.bounds.max_depth
        add = self.bufs.add
        drops = table.drops
        next_check = 0  # a stop already requested is honoured before the first expansion
        i = 0
        try:
            while i < len(configs):
                if wide is not None and (len(configs) - i > wide or len(table.states) > _HANDOVER
                                         or len(self.bufs.buffers) > _HANDOVER):
                    return i, True
                if i >= next_check:
                    next_check = i + _CHECK_EVERY
                    if self.progress is not None and i % (8 * _CHECK_EVERY) == 0:
                        self.progress(len(configs), i, len(edge_dst), depth_of[i])
                    reason = self.stop() if self.stop is not None else None
                    if reason:
                        sp.note_cut(reason)
                        break
                    if handover is not None and handover():
                        return i, True
                key = configs[i]
                d = depth_of[i]
                if (max_depth is not None and d >= max_depth) or (
                    max_buffer is not None and self.buffer_size(key) > max_buffer
                ):
                    sp.note_cut("max-depth" if max_depth is not None and d >= max_depth
                                else "max-buffer")
                    indptr.append(len(edge_dst))
                    expanded.append(0)
                    i += 1
                    continue
                d1 = d + 1
                n_configs, n_edges = len(configs), len(edge_dst)
                for p in range(n):
                    s = key >> (p * STATE_BITS) & STATE_MASK
                    b = key >> ((n + p) * STATE_BITS) & STATE_MASK
                    mv = moves.get((b << STATE_BITS | s) * n + p)
                    if mv is None:
                        if len(moves) >= _MOVES_CAP:
                            moves.clear()
                            self.bufs.clear_memos()
                        mv = moves_of(p, s, b)
                    for j in range(0, len(mv), 4):
                        t = key + mv[j + 1]
                        bundles = mv[j + 2]
                        if bundles is not None:
                            for q, bundle in enumerate(bundles):
                                if bundle:
                                    shift = (n + q) * STATE_BITS
                                    bq = t >> shift & STATE_MASK
                                    t += (add(bq, bundle) - bq) << shift
                        if drops:
                            t = self.drop_ignored(t)
                        cid = index.get(t)
                        if cid is None:
                            cid = len(configs)
                            configs.append(t)
                            index[t] = cid
                            depth_of.append(d1)
                            parent_edge.append(len(edge_dst))
                            decided.append(bits(t))
                        if mv[j + 3] is not None:
                            chance_edges.append((len(edge_dst), *mv[j + 3]))
                        edge_dst.append(cid)
                        edge_event.append(mv[j])
                if max_configs is not None and len(configs) > max_configs:
                    self._undo(n_configs, n_edges)  # this expansion does not fit: roll it back
                    sp.note_cut("max-configs")
                    break
                if table.decision_changes and sp.decision_change_edge is None:
                    self._find_decision_change(i, self.unpack(key))
                indptr.append(len(edge_dst))
                expanded.append(1)
                i += 1
        except FLPCheckError as err:
            err.configuration = i
            raise
        if self.progress is not None:
            self.progress(len(configs), i, len(edge_dst), depth_of[i - 1] if i else 0)
        return i, False

    def _undo(self, n_configs: int, n_edges: int) -> None:
        """Forget the configurations and edges added after the given counts."""
        for key in self.configs[n_configs:]:
            del self.index[key]
        for seq in (self.configs, self.depth, self.parent_edge, self.decided):
            del seq[n_configs:]
        for arr in (self.edge_dst, self.edge_event):
            del arr[n_edges:]
        while self.chance_edges and self.chance_edges[-1][0] >= n_edges:
            self.chance_edges.pop()

    def _find_decision_change(self, cid: int, row: tuple[int, ...]) -> None:
        n, table = self.n, self.table
        for k in range(self.indptr[cid], len(self.edge_dst)):
            eid = self.edge_event[k]
            p = self.space.event_pid(eid)
            mid = NULL if eid < n else eid - n
            if (p, row[p], mid) in table.decision_changes:
                # the outcome of this edge (a step left to chance may change it in some only)
                after = self.unpack(self.configs[self.edge_dst[k]])[p]
                if table.output(p, after) != table.output(p, row[p]):
                    self.space.decision_change_edge = k
                    return


def install_chance(space: StateSpace, chance_edges: list[tuple[int, int, int]]) -> None:
    """Fill ``space.edge_outcome`` and ``space.edge_probability`` from the edges left to chance
    (edge, outcome, probability id); a deterministic edge has outcome 0 and probability id 0
    (probability 1). Without such edges both stay None."""
    if not chance_edges:
        return
    edges, outcomes, probs = (np.array(col, dtype=np.int64) for col in zip(*chance_edges,
                                                                            strict=True))
    for name, values in (("edge_outcome", outcomes), ("edge_probability", probs)):
        column: np.ndarray = np.zeros(space.num_events,
                                      dtype=narrowest_unsigned(int(values.max())))
        column[edges] = values
        setattr(space, name, column)
    space.probabilities = list(space.table.probabilities)


def narrowest_unsigned(top: int) -> type:
    """The smallest unsigned integer type holding 0..top."""
    return np.uint8 if top < 256 else np.uint16 if top < 65536 else np.uint32
