"""The batch explorer: breadth-first search expanding blocks of the queue with numpy.

Same semantics, same order and the same configuration ids as the simple engine in
:mod:`flpcheck.explorer.simple` (the tests compare the two on every model and on random
protocols):
configurations are expanded in id order, a block at a time; within the block, successors are
taken configuration by configuration, process by process, event by event, and new
configurations get ids in order of first occurrence.

Per block, the only Python work is for local moves never seen before: the moves of process p
at local state s with buffer b, ``(event, new state, new buffer)``, computed once (user code
runs through the memoized :class:`~flpcheck.model.table.LocalTable`) and kept in flat arrays.
Everything else (gathering moves, building successor rows, hashing, looking them up, assigning
ids, appending edges) is numpy over the whole block. Storage is numpy throughout, each array
in the narrowest integer type its values need (:mod:`flpcheck.explorer._storage`): rows of uint8 or
uint16 ids, int32 edge targets, uint8 event ids while there are fewer than 256 - N messages;
and, while exploring, a hashed row index of about 13 bytes per configuration. A successor's
hash is its source's plus the shares of the columns its move changed
(:func:`~flpcheck.explorer._storage.row_hash`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from ..errors import FLPCheckError, HashCollision
from ._storage import Growable, RowIndex, distinct, row_hash
from .buffers import BufferTable
from .checkpoint.batch_state import STOPS, BatchWriter, restore_batch
from .checkpoint.store import Checkpoint
from .engine import Engine, Progress, StopCheck
from .moves import Moves
from .parallel import chunks, run_all
from .por import FutureSends
from .simple import _SimpleRun
from .statespace import StateSpace
from .symmetry import Symmetry

__all__ = ["BatchEngine"]

BLOCK = 1 << 13
"""Configurations expanded per block at most (bounds the temporaries, not the result)."""
MIN_BLOCK = 1 << 10
BLOCK_SHARE = 32
"""A block is at most 1/BLOCK_SHARE of the configurations stored (and at least MIN_BLOCK):
its temporaries, some 80 bytes a successor, stay a small share of the graph's own memory
while the graph is small."""
THIN_WIDTH = 64
"""While at most this many configurations wait to be expanded, the search runs one
configuration at a time in Python (:mod:`flpcheck.explorer.simple`, same ids and edges): on a
thin graph (long chains, few configurations per level) a numpy block costs far more than the
handful of configurations in it. It hands over to the numpy blocks for good the first time the
frontier is wider. 0 turns it off."""
PARALLEL_FROM = 1 << 21
"""Stored configurations from which hashing and look-up run in a thread per worker: below,
the threads cost more (start-up, a second malloc arena) than the look-ups they share."""


@dataclass(frozen=True, slots=True, eq=False)
class _Candidates:
    """The successors of a block that are not self-loops: their positions among all the
    block's candidates (``keep``), rows, orbit sizes (symmetry reduction, else None), and
    their grouping by hash: distinct hashes sorted (``uh``), the group of each (``inv``), the
    first candidate of each group (``first``) and its stored id or -1 (``found``)."""

    keep: npt.NDArray[np.int64]
    S: npt.NDArray[np.int32]
    orbit: npt.NDArray[np.int32] | None
    uh: npt.NDArray[np.uint64]
    inv: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    found: npt.NDArray[np.int64]


class BatchEngine(Engine):
    """numpy over blocks of the queue: the default engine. ``symmetry`` stores one
    configuration per orbit (:mod:`flpcheck.explorer.symmetry`); ``future`` turns on the
    partial-order reduction (:mod:`flpcheck.explorer.por`)."""

    name = "batch"
    checkpoints = True

    def __init__(self, symmetry: bool = False, future: FutureSends | None = None,
                 thin_width: int = THIN_WIDTH) -> None:
        self.symmetry = symmetry
        self.future = future
        self.thin_width = thin_width

    def run(self, space: StateSpace, vectors: list[tuple[int, ...]], progress: Progress | None,
            stop: StopCheck | None, checkpoint: Checkpoint | None = None) -> None:
        _BatchRun(space, progress, stop, self.symmetry, self.future, self.thin_width,
                  checkpoint).run(vectors)


class _BatchRun:
    """One exploration by the batch engine (one use)."""

    def __init__(self, space: StateSpace, progress: Progress | None, stop: StopCheck | None,
                 symmetry: bool = False, future: FutureSends | None = None,
                 thin_width: int = 0, checkpoint: Checkpoint | None = None) -> None:
        self.space = space
        self.checkpoint = checkpoint
        self.writer: BatchWriter | None = None
        self.thin_width = thin_width
        self.table = space.table
        self.n = space.n
        self.progress = progress
        self.stop = stop
        self.bufs = BufferTable(space.buffers, space.table.messages, space.n)
        self.mv = Moves(self.table, self.bufs, future)
        # stored narrow (Growable widens on demand); computed on as int32/int64
        self.rows = Growable(np.uint8, 2 * self.n)
        self.depth = Growable(np.int32)
        self.parent = Growable(np.int32)
        self.decided = Growable(np.uint8)
        self.expanded = Growable(np.bool_)
        self.counts = Growable(np.int32)  # edges per expanded configuration
        self.dst = Growable(np.int32)
        self.event = Growable(np.uint8)
        # steps left to chance: the outcome and probability id of every edge (None until the
        # first edge left to chance: a protocol without chance stores nothing more)
        self.outcome: Growable | None = None
        self.prob: Growable | None = None
        self.index = RowIndex(lambda ids: self.rows.data[ids])
        self.sym = Symmetry(self.table, self.bufs) if symmetry else None
        self.orbit = Growable(np.int32)  # orbit sizes (symmetry reduction only)
        #: partial-order reduction (None: off): future sends of each local state, and a memo
        #: of whether q at local state s sends p nothing outside its pending sub-buffer b
        self.future = future
        self.quiet: dict[tuple[int, int, int, int], bool] = {}

    # -- adding configurations ----------------------------------------------------------------

    def _add(self, rows: npt.NDArray[np.int32], depth: npt.NDArray[np.integer],
             parent: npt.NDArray[np.int64], orbit: npt.NDArray[np.int32] | None,
             keys: npt.NDArray[np.uint64], ids: npt.NDArray[np.int64]) -> None:
        """Store new configurations (ids from the current count on) and index them: ``keys``
        are their hashes, sorted, and ``ids`` the id of each."""
        if orbit is not None:
            self.orbit.extend(orbit)
        self.rows.extend(rows)
        self.depth.extend(depth)
        self.parent.extend(parent)
        self.decided.extend(self.mv.bits(rows))
        self.index.add_sorted(keys, ids)

    # -- the loop -----------------------------------------------------------------------------

    def run(self, vectors: list[tuple[int, ...]]) -> None:
        i = 0
        ck = self.checkpoint
        if ck is not None and ck.resume:
            self.writer = restore_batch(self, ck.directory, ck.require_manifest())
            i = self.writer.expanded
            ck.told_resumed()
            if self.writer.finished:
                self.install()
                return
        elif self.thin_width and self.sym is None and self.future is None:
            thin = _SimpleRun(self.space, self.progress, self.stop, self.bufs)
            try:  # (hands over to the blocks when a checkpoint is due: they write it)
                i, handover = thin.explore(vectors, self.thin_width,
                                           None if ck is None else ck.due)
            except FLPCheckError:
                self._take(thin)
                self.install()
                raise
            self._take(thin)
            del thin
            if not handover:
                self._save(i, final=True)
                self.install()
                return
        else:
            self._initial(vectors)
        try:
            while i < self.rows.size:
                reason = self.stop() if self.stop is not None else None
                if reason:
                    self.space.note_cut(reason)
                    break
                if ck is not None and ck.at_boundary(self._level(i), self.rows.size, i):
                    self._save(i)
                block = min(BLOCK, max(MIN_BLOCK, self.rows.size // BLOCK_SHARE))
                j = min(self.rows.size, i + block)
                done = self._expand(i, j)
                i += done
                if self.progress is not None:
                    self.progress(self.rows.size, i, self.dst.size,
                                  int(self.depth.data[max(i - 1, 0)]))
                if i < j:  # max-configs cut the block short
                    break
        except FLPCheckError as err:
            if err.configuration is None:
                err.configuration = i
            self.install()
            raise
        self._save(i, final=True)
        self.install()

    def _level(self, i: int) -> int:
        """The depth of the configurations being expanded from configuration ``i`` on."""
        if i < self.rows.size:
            return int(self.depth.data[i])
        return int(self.depth.data[i - 1]) + 1 if i else 0

    def _save(self, i: int, final: bool = False) -> None:
        """Write a checkpoint (under ``--checkpoint``) with configurations ``0..i-1`` expanded;
        ``final``: the search ended (finished, cut by a bound, or stopped)."""
        ck = self.checkpoint
        if ck is None:
            return
        if self.writer is None:
            self.writer = BatchWriter(self)
        stopped = next((r for r in self.space.cut_reasons if r in STOPS), "")
        self.writer.expanded = i
        self.writer.finished = final and not stopped
        ck.save(self.writer, {"level": self._level(i), "configurations": self.rows.size,
                              "expanded": i, "events": self.dst.size,
                              "finished": self.writer.finished,
                              "cut_reasons": list(self.space.cut_reasons)}, stopped=stopped)

    def _take(self, thin: _SimpleRun) -> None:
        """Take over the graph a simple run explored while the frontier was thin."""
        n = self.n
        if thin.configs:
            width = 3 * 2 * n  # STATE_BITS = 24: three bytes per field
            raw = np.frombuffer(b"".join(k.to_bytes(width, "little") for k in thin.configs),
                                dtype=np.uint8).reshape(-1, 2 * n, 3).astype(np.int32)
            rows = raw[:, :, 0] | (raw[:, :, 1] << 8) | (raw[:, :, 2] << 16)
            self.rows.extend(rows)
            self.index.add_rows(rows)
        self.depth.extend(np.frombuffer(thin.depth, dtype=np.int32))
        self.parent.extend(np.frombuffer(thin.parent_edge, dtype=np.int64))
        self.decided.extend(np.frombuffer(bytes(thin.decided), dtype=np.uint8))
        self.expanded.extend(np.frombuffer(bytes(thin.expanded), dtype=np.uint8).astype(bool))
        self.counts.extend(np.diff(np.frombuffer(thin.indptr, dtype=np.int64)))
        self.dst.extend(np.frombuffer(thin.edge_dst, dtype=np.int32))
        self.event.extend(np.frombuffer(thin.edge_event, dtype=np.int32))
        if thin.chance_edges:
            edges, outcomes, probs = (np.array(c, dtype=np.int64)
                                      for c in zip(*thin.chance_edges, strict=True))
            for name, values in (("outcome", outcomes), ("prob", probs)):
                column = np.zeros(self.dst.size, dtype=np.int64)
                column[edges] = values
                grow = Growable(np.uint8)
                grow.extend(column)
                setattr(self, name, grow)
        thin.configs, thin.index, thin.moves = [], {}, {}

    def _initial(self, vectors: list[tuple[int, ...]]) -> None:
        sp, table, n = self.space, self.table, self.n
        empty = self.bufs.id(())
        for x in vectors:
            row = np.array([[*(table.initial_state(p, x[p]) for p in range(n)), *[empty] * n]],
                           dtype=np.int32)
            orbit = None
            if self.sym is not None:
                row, orbit = self.sym.canonical(row)
            h = row_hash(row)
            found = int(self.index.lookup(row, h)[0])
            if found < 0:
                found = self.rows.size
                self._add(row, np.zeros(1, np.int32), np.full(1, -1, np.int64), orbit, h,
                          np.full(1, found, np.int64))
            sp.initial.append((x, found))

    def _expand(self, i: int, j: int) -> int:
        """Expand configurations i..j-1; return how many were expanded (fewer when the block
        would pass max-configs: then only the prefix that fits)."""
        sp, n, mv = self.space, self.n, self.mv
        bounds = sp.bounds
        if mv.maybe_clear():
            self.quiet.clear()
        R = self.rows.data[i:j].copy()  # a copy: rows grow during the block
        ok = np.ones(j - i, dtype=bool)
        notes: list[tuple[int, str]] = []  # (first configuration cut, why), noted in order
        if bounds.max_depth is not None:
            deep = self.depth.data[i:j] >= bounds.max_depth
            if deep.any():
                notes.append((int(np.argmax(deep)), "max-depth"))
            ok &= ~deep
        if bounds.max_buffer is not None:
            big = (mv.buf_lens()[R[:, n:]].sum(axis=1) > bounds.max_buffer) & ok
            if big.any():
                notes.append((int(np.argmax(big)), "max-buffer"))
            ok &= ~big
        E = np.flatnonzero(ok)
        pair_idx, first_move, moves = mv.gather(R, E, i)
        if self.future is not None:
            kept, reduced = self._reduce(R, E, pair_idx, moves)
            src, pos, dst, c = self._successors(i, R, E, first_move, kept)
            # the cycle proviso: a reduced configuration reaching one stored before it (other
            # than itself) is expanded in full
            back = (dst >= 0) & (dst < i + E[src])
            redo = np.zeros(len(E), dtype=bool)
            redo[src[back]] = True
            redo &= reduced
            if redo.any():
                kept[redo] = moves[redo]
                src, pos, dst, c = self._successors(i, R, E, first_move, kept)
        else:
            src, pos, dst, c = self._successors(i, R, E, first_move, moves)
        # new configurations: the groups not found, numbered in order of first occurrence
        newg = np.flatnonzero(c.found < 0)
        firsts = c.first[newg]
        by_first = np.argsort(firsts)
        rank = np.empty(len(newg), dtype=np.int64)
        rank[by_first] = np.arange(len(newg))
        reps = firsts[by_first]  # indices into the candidates built (c.keep), in order
        limit = bounds.max_configs
        if limit is not None and self.rows.size + len(reps) > limit:
            # keep the longest prefix of the block whose new configurations fit
            per_src = np.bincount(src[c.keep[reps]], minlength=len(E))
            fits = np.cumsum(per_src) <= limit - self.rows.size
            keep = int(np.argmin(fits)) if not fits.all() else len(E)
            stop_at = int(E[keep]) if keep < len(E) else j - i
            done = self._expand(i, i + stop_at) if 0 < stop_at < j - i else 0
            sp.note_cut("max-configs")
            return done
        for _, why in sorted(notes):
            sp.note_cut(why)
        base = self.rows.size
        ids = c.found
        ids[newg] = base + rank
        dst[c.keep] = ids[c.inv]
        first_edge = self.dst.size
        self._add(np.take(c.S, reps, axis=0),
                  self.depth.data[i:j][E[src[c.keep[reps]]]].astype(np.int64) + 1,
                  first_edge + c.keep[reps].astype(np.int64),
                  None if c.orbit is None else c.orbit[reps], c.uh[newg], base + rank)
        self.dst.extend(dst.astype(np.int32))
        self.event.extend(mv.eid.data[pos])
        if mv.chance or self.outcome is not None:  # (chance may have come from the thin start)
            self._chance(first_edge, pos)
        counts = np.zeros(j - i, dtype=np.int64)
        counts[E] = np.bincount(src, minlength=len(E))
        self.counts.extend(counts)
        self.expanded.extend(ok)
        if sp.decision_change_edge is None:
            changed = np.flatnonzero(mv.change.data[pos])
            if changed.size:
                sp.decision_change_edge = first_edge + int(changed[0])
        return j - i

    def _chance(self, first_edge: int, pos: npt.NDArray[np.int64]) -> None:
        """Record the outcome and probability id of the edges of a block (moves ``pos``,
        from edge ``first_edge`` on), starting both columns (zeros: deterministic) at the
        first block with a move left to chance."""
        if self.outcome is None or self.prob is None:
            self.outcome, self.prob = Growable(np.uint8), Growable(np.uint8)
            self.outcome.extend(np.zeros(first_edge, dtype=np.uint8))
            self.prob.extend(np.zeros(first_edge, dtype=np.uint8))
        self.outcome.extend(self.mv.outcome.data[pos])
        self.prob.extend(self.mv.prob.data[pos])

    def _successors(self, i: int, R: npt.NDArray[np.int32], E: npt.NDArray[np.int64],
                    first_move: npt.NDArray[np.int64], moves: npt.NDArray[np.int64]
                    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                               npt.NDArray[np.int64], _Candidates]:
        """The successors of configurations R[E] (configuration i + E[e]): (source index into
        E and move of every candidate, configuration-major, then process, then move; the
        stored id of each, -1 where new; the candidates built, hashed and looked up, all but
        the self-loops, whose successor is their source)."""
        src, pos, keep, S, h = self.mv.successors(R, E, first_move, moves)
        orbit = None
        if self.sym is not None:  # renaming may intern new sub-buffers: compute on int32
            S, orbit = self.sym.canonical(S.astype(np.int32))
            h = None
        c = _Candidates(keep, S, orbit, *self._look_up(S, h))
        dst = i + E[src]  # self-loops
        dst[keep] = c.found[c.inv]
        return src, pos, dst, c

    def _look_up(self, S: npt.NDArray[np.int32], h: npt.NDArray[np.uint64] | None):
        """(distinct hashes of the rows, sorted; group of every row; first row of every group;
        stored id of every group, -1 where new), checked for collisions: rows of one group
        are equal, and equal to the stored row where found. ``h``: the rows' hashes, None to
        hash them here. Hashing and look-up run in a thread per worker on large graphs (pure
        numpy)."""
        threads = len(self.index) >= PARALLEL_FROM
        if h is None:
            parts = chunks(len(S), 1) if threads else [slice(0, len(S))]
            hs = run_all([partial(row_hash, S[sl]) for sl in parts])
            h = hs[0] if len(hs) == 1 else np.concatenate(hs)
        uh, inv, first = distinct(h)
        parts = chunks(len(uh), 1) if threads else [slice(0, len(uh))]
        fs = run_all([partial(self.index.lookup_distinct, uh[sl]) for sl in parts])
        found = fs[0] if len(fs) == 1 else np.concatenate(fs)
        if not np.array_equal(np.take(S, first[inv], axis=0), S):
            raise HashCollision("two new configurations share a 64-bit hash")
        hit = np.flatnonzero(found >= 0)
        if hit.size and not np.array_equal(np.take(self.rows.data, found[hit], axis=0),
                                           np.take(S, first[hit], axis=0)):
            raise HashCollision("two configurations share a 64-bit hash (probability about "
                                "n^2 / 2^65)")
        return uh, inv, first, found

    def _reduce(self, R: npt.NDArray[np.int32], E: npt.NDArray[np.int64], pair_idx: list,
                moves: npt.NDArray[np.int64]
                ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Partial-order reduction (:mod:`flpcheck.explorer.por`): the move counts with only the moves
        of the first process whose events may be explored alone (conditions 1-3 of the
        module; the caller checks the cycle proviso), and which configurations that reduced."""
        n, future = self.n, self.future
        assert future is not None
        ok = np.ones((len(E), n), dtype=bool)
        for p, (uniq, _, inv) in enumerate(pair_idx):
            ok[:, p] = np.array([self.mv.reducible[(p, u >> 32, u & 0xFFFFFFFF)]
                                 for u in uniq.tolist()], dtype=bool)[inv]
        for p in range(n):
            for q in range(n):
                if q == p or not ok[:, p].any():
                    continue
                keys = (R[E, q].astype(np.int64) << 32) | R[E, n + p]
                uniq, inv = np.unique(keys, return_inverse=True)
                quiet = np.array([self._quiet(q, u >> 32, p, u & 0xFFFFFFFF)
                                  for u in uniq.tolist()], dtype=bool)
                ok[:, p] &= quiet[inv.reshape(-1)]
        reduced = ok.any(axis=1)
        chosen = np.argmax(ok, axis=1)
        keep = np.zeros((len(E), n), dtype=bool)
        keep[np.flatnonzero(reduced), chosen[reduced]] = True
        keep[~reduced] = True
        return np.where(keep, moves, 0), reduced

    def _quiet(self, q: int, s: int, p: int, b: int) -> bool:
        key = (q, s, p, b)
        found = self.quiet.get(key)
        if found is None:
            assert self.future is not None
            found = self.quiet[key] = self.future.quiet_towards(q, s, p, self.bufs.distinct[b])
        return found

    def install(self) -> None:
        """Hand the graph to the space (configurations never expanded included). The row
        index is dropped: the analyses do not need it and the space rebuilds it on demand."""
        sp = self.space
        missing = self.rows.size - self.expanded.size
        if missing:
            self.expanded.extend(np.zeros(missing, dtype=bool))
            self.counts.extend(np.zeros(missing, dtype=np.int32))
        self.index.clear()
        sp.rows = self.rows.final()
        edges = self.dst.size
        indptr = np.zeros(self.rows.size + 1, dtype=np.int32 if edges < 2**31 else np.int64)
        np.cumsum(self.counts.final(), out=indptr[1:])
        sp.indptr = indptr
        sp.edge_dst = self.dst.final()
        sp.edge_event = self.event.final()
        sp.depth = self.depth.final()
        sp.parent_edge = self.parent.final()
        sp.decided = self.decided.final()
        sp.expanded = self.expanded.final()
        if self.outcome is not None and self.prob is not None and self.prob.view.any():
            sp.edge_outcome = self.outcome.final()
            sp.edge_probability = self.prob.final()
            sp.probabilities = list(self.table.probabilities)
        if self.sym is not None:
            sp.orbit = self.orbit.final()

