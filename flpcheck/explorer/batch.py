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
and, while exploring, a hashed row index of 12 bytes per configuration.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..errors import FLPCheckError, HashCollision
from ..model.table import NULL
from ._storage import Growable, RowIndex, row_hash
from .buffers import BufferTable
from .engine import Engine, Progress, StopCheck
from .parallel import chunks, run_all
from .por import FutureSends
from .statespace import StateSpace
from .symmetry import Symmetry

__all__ = ["BatchEngine"]

BLOCK = 1 << 13
"""Configurations expanded per block (bounds the temporaries, not the result)."""
PARALLEL_FROM = 1 << 21
"""Stored configurations from which hashing and look-up run in a thread per worker: below,
the threads cost more (start-up, a second malloc arena) than the look-ups they share."""
MOVES_CAP = 1 << 17
"""The memo of local moves is emptied between blocks past this many entries (its memory is
then bounded; forgotten moves are recomputed from the memoized local steps, interning
nothing new, so ids stay the same)."""


class BatchEngine(Engine):
    """numpy over blocks of the queue: the default engine. ``symmetry`` stores one
    configuration per orbit (:mod:`flpcheck.explorer.symmetry`); ``future`` turns on the
    partial-order reduction (:mod:`flpcheck.explorer.por`)."""

    name = "batch"

    def __init__(self, symmetry: bool = False, future: FutureSends | None = None) -> None:
        self.symmetry = symmetry
        self.future = future

    def run(self, space: StateSpace, vectors: list[tuple[int, ...]], progress: Progress | None,
            stop: StopCheck | None) -> None:
        _BatchRun(space, progress, stop, self.symmetry, self.future).run(vectors)


class _BatchRun:
    """One exploration by the batch engine (one use)."""

    def __init__(self, space: StateSpace, progress: Progress | None, stop: StopCheck | None,
                 symmetry: bool = False, future: FutureSends | None = None) -> None:
        self.space = space
        self.table = space.table
        self.n = space.n
        self.progress = progress
        self.stop = stop
        self.bufs = BufferTable(space.buffers, space.table.messages, space.n)
        # stored narrow (Growable widens on demand); computed on as int32/int64
        self.rows = Growable(np.uint8, 2 * self.n)
        self.depth = Growable(np.int32)
        self.parent = Growable(np.int32)
        self.decided = Growable(np.uint8)
        self.expanded = Growable(np.bool_)
        self.counts = Growable(np.int32)  # edges per expanded configuration
        self.dst = Growable(np.int32)
        self.event = Growable(np.uint8)
        self.index = RowIndex(lambda ids: self.rows.data[ids])
        # moves: (p, s, b) -> (start, length) in the flat move arrays (b: p's sub-buffer)
        self.move_at: dict[tuple[int, int, int], tuple[int, int]] = {}
        self.mv_eid = Growable(np.int32)
        self.mv_ns = Growable(np.int32)
        self.mv_nb = Growable(np.int32)
        self.mv_add = Growable(np.int32, self.n)  # send bundle to each process (0: none)
        self.add_at: dict[int, int] = {}  # (sub-buffer << 32 | bundle) -> sub-buffer
        self.mv_change = Growable(np.bool_)  # the local transition changes a set output
        self.out = np.full((self.n, 1024), 255, dtype=np.uint8)  # output bits, 255 unknown
        self.buf_len = Growable(np.int32)
        self.sym = Symmetry(self.table, self.bufs) if symmetry else None
        self.orbit = Growable(np.int32)  # orbit sizes (symmetry reduction only)
        #: partial-order reduction (None: off): future sends of each local state, and memos of
        #: whether p's moves at (s, b) may form a reduced expansion and whether q at local
        #: state s sends p nothing outside its pending sub-buffer b
        self.future = future
        self.reducible: dict[tuple[int, int, int], bool] = {}
        self.quiet: dict[tuple[int, int, int, int], bool] = {}

    # -- the Python part: moves and outputs never seen before ---------------------------------

    def _moves(self, p: int, s: int, b: int, out: list[list]) -> None:
        """Append the moves of p at local state s with sub-buffer b to the pending lists ``out``
        (events, new states, new sub-buffers of p, bundles sent to each process, output-change
        flags) and record where they go."""
        table, n, bufs = self.table, self.n, self.bufs
        eids, nss, nbs, adds, changes = out
        start = self.mv_eid.size + len(eids)
        invisible, progress = True, False
        for m in (NULL, *bufs.distinct[b]):
            ns, sends = table.step(p, s, m)
            own, bundles = bufs.split(p, sends)
            nb = bufs.receive(b, m, own)
            eids.append(p if m == NULL else n + m)
            nss.append(ns)
            nbs.append(nb)
            adds.append(bundles)
            changes.append((p, s, m) in table.decision_changes)
            if self.future is not None:
                invisible = invisible and table.output(p, ns) == table.output(p, s)
                progress = progress or ns != s or nb != b or any(bundles)
        self.move_at[(p, s, b)] = (start, self.mv_eid.size + len(eids) - start)
        if self.future is not None:
            self.reducible[(p, s, b)] = invisible and progress

    def _bits(self, rows: npt.NDArray[np.int32]) -> npt.NDArray[np.uint8]:
        """Decision bits of rows: bit v set when some process outputs v."""
        states = len(self.table.states)
        if states > self.out.shape[1]:
            grown = np.full((self.n, max(states, 2 * self.out.shape[1])), 255, dtype=np.uint8)
            grown[:, : self.out.shape[1]] = self.out
            self.out = grown
        bits = np.zeros(len(rows), dtype=np.uint8)
        for p in range(self.n):
            col = rows[:, p]
            vals = self.out[p, col]
            unknown = np.unique(col[vals == 255])
            for s in unknown.tolist():
                o = self.table.output(p, s)
                self.out[p, s] = 0 if o is None else 1 << o
            if unknown.size:
                vals = self.out[p, col]
            bits |= vals
        return bits

    def _added(self, key: int) -> int:
        nb = self.add_at.get(key)
        if nb is None:
            nb = self.add_at[key] = self.bufs.add(key >> 32, key & 0xFFFFFFFF)
        return nb

    def _buf_lens(self) -> npt.NDArray[np.int32]:
        have = self.buf_len.size
        if have < len(self.space.buffers):  # sub-buffer sizes
            self.buf_len.extend(np.array([len(b) for b in self.space.buffers[have:]],
                                         dtype=np.int32))
        return self.buf_len.view

    # -- adding configurations ----------------------------------------------------------------

    def _add(self, rows: npt.NDArray[np.int32], hashes: npt.NDArray[np.uint64],
             depth: npt.NDArray[np.int32], parent: npt.NDArray[np.int64],
             orbit: npt.NDArray[np.int32] | None = None) -> None:
        first = self.rows.size
        if orbit is not None:
            self.orbit.extend(orbit)
        self.rows.extend(rows)
        self.depth.extend(depth)
        self.parent.extend(parent)
        self.decided.extend(self._bits(rows))
        self.index.add(hashes, np.arange(first, first + len(rows), dtype=np.int64))

    # -- the loop -----------------------------------------------------------------------------

    def run(self, vectors: list[tuple[int, ...]]) -> None:
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
                self._add(row, h, np.zeros(1, np.int32), np.full(1, -1, np.int64), orbit)
            sp.initial.append((x, found))
        i = 0
        try:
            while i < self.rows.size:
                reason = self.stop() if self.stop is not None else None
                if reason:
                    sp.note_cut(reason)
                    break
                j = min(self.rows.size, i + BLOCK)
                done = self._expand(i, j)
                i += done
                if self.progress is not None:
                    self.progress(self.rows.size, i, self.dst.size)
                if i < j:  # max-configs cut the block short
                    break
        except FLPCheckError as err:
            if err.configuration is None:
                err.configuration = i
            self.install()
            raise
        self.install()

    def _expand(self, i: int, j: int) -> int:
        """Expand configurations i..j-1; return how many were expanded (fewer when the block
        would pass max-configs: then only the prefix that fits)."""
        sp, n = self.space, self.n
        bounds = sp.bounds
        if len(self.move_at) > MOVES_CAP:
            self.move_at.clear()
            self.reducible.clear()
            self.quiet.clear()
            self.add_at.clear()
            self.bufs.clear_memos()
            for arr in (self.mv_eid, self.mv_ns, self.mv_nb, self.mv_add, self.mv_change):
                arr.truncate(0)
        R = self.rows.data[i:j].astype(np.int32)  # a copy: rows grow during the block
        ok = np.ones(j - i, dtype=bool)
        notes: list[tuple[int, str]] = []  # (first configuration cut, why), noted in order
        if bounds.max_depth is not None:
            deep = self.depth.data[i:j] >= bounds.max_depth
            if deep.any():
                notes.append((int(np.argmax(deep)), "max-depth"))
            ok &= ~deep
        if bounds.max_buffer is not None:
            big = (self._buf_lens()[R[:, n:]].sum(axis=1) > bounds.max_buffer) & ok
            if big.any():
                notes.append((int(np.argmax(big)), "max-buffer"))
            ok &= ~big
        E = np.flatnonzero(ok)
        # moves of every (configuration, process): compute the missing ones in the order the
        # simple explorer would meet them (configuration by configuration, process by process)
        pair_idx = []
        for p in range(n):
            keys = (R[E, p].astype(np.int64) << 32) | R[E, n + p]
            uniq, first, inv = np.unique(keys, return_index=True, return_inverse=True)
            pair_idx.append((uniq, first, inv.reshape(-1)))
        missing = []
        for p, (uniq, first, _) in enumerate(pair_idx):
            for u, f in zip(uniq.tolist(), first.tolist(), strict=True):
                if (p, u >> 32, u & 0xFFFFFFFF) not in self.move_at:
                    missing.append((f, p, u))
        missing.sort()
        pending: list[list] = [[], [], [], [], []]
        for f, p, u in missing:
            try:
                self._moves(p, u >> 32, u & 0xFFFFFFFF, pending)
            except FLPCheckError as err:
                err.configuration = i + int(E[f])
                raise
        for arr, values, dtype in zip(
                (self.mv_eid, self.mv_ns, self.mv_nb, self.mv_add, self.mv_change), pending,
                (np.int32, np.int32, np.int32, np.int32, np.bool_), strict=True):
            if values:
                arr.extend(np.array(values, dtype=dtype).reshape(len(values), *arr.data.shape[1:]))
        # gather: successor k comes from configuration E[src[k]], process proc[k], move pos[k],
        # laid out configuration-major, then process, then move (a segment per (config, p))
        first_move = np.empty((len(E), n), dtype=np.int64)
        moves = np.empty((len(E), n), dtype=np.int64)
        for p, (uniq, _, inv) in enumerate(pair_idx):
            at = np.array([self.move_at[(p, u >> 32, u & 0xFFFFFFFF)] for u in uniq.tolist()],
                          dtype=np.int64).reshape(-1, 2)
            first_move[:, p], moves[:, p] = at[inv, 0], at[inv, 1]
        if self.future is not None:
            kept, reduced = self._reduce(R, E, pair_idx, moves)
            src, pos, S, orbit, h, dst = self._successors(R, E, first_move, kept)
            # the cycle proviso: a reduced configuration reaching one stored before it (other
            # than itself) is expanded in full
            back = (dst >= 0) & (dst < i + E[src])
            redo = np.zeros(len(E), dtype=bool)
            redo[src[back]] = True
            redo &= reduced
            if redo.any():
                kept[redo] = moves[redo]
                src, pos, S, orbit, h, dst = self._successors(R, E, first_move, kept)
        else:
            src, pos, S, orbit, h, dst = self._successors(R, E, first_move, moves)
        new = np.flatnonzero(dst < 0)
        uh, first, inv = np.unique(h[new], return_index=True, return_inverse=True)
        rank = np.empty(len(uh), dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(len(uh))
        reps = new[np.sort(first)]  # first occurrence of each new configuration, in order
        if not np.array_equal(S[new], S[reps][rank[inv.reshape(-1)]]):
            raise HashCollision("two new configurations share a 64-bit hash")
        limit = bounds.max_configs
        if limit is not None and self.rows.size + len(reps) > limit:
            # keep the longest prefix of the block whose new configurations fit
            per_src = np.bincount(src[reps], minlength=len(E))
            fits = np.cumsum(per_src) <= limit - self.rows.size
            keep = int(np.argmin(fits)) if not fits.all() else len(E)
            stop_at = int(E[keep]) if keep < len(E) else j - i
            done = self._expand(i, i + stop_at) if 0 < stop_at < j - i else 0
            sp.note_cut("max-configs")
            return done
        for _, why in sorted(notes):
            sp.note_cut(why)
        base = self.rows.size
        dst[new] = base + rank[inv.reshape(-1)]
        first_edge = self.dst.size
        self._add(S[reps], h[reps], self.depth.data[i:j][E[src[reps]]].astype(np.int64) + 1,
                  first_edge + reps.astype(np.int64), None if orbit is None else orbit[reps])
        self.dst.extend(dst.astype(np.int32))
        self.event.extend(self.mv_eid.data[pos])
        counts = np.zeros(j - i, dtype=np.int64)
        counts[E] = np.bincount(src, minlength=len(E))
        self.counts.extend(counts)
        self.expanded.extend(ok)
        if sp.decision_change_edge is None:
            changed = np.flatnonzero(self.mv_change.data[pos])
            if changed.size:
                sp.decision_change_edge = first_edge + int(changed[0])
        return j - i

    def _successors(self, R: npt.NDArray[np.int32], E: npt.NDArray[np.int64],
                    first_move: npt.NDArray[np.int64], moves: npt.NDArray[np.int64]):
        """The successors of configurations R[E] by the moves ``first_move[e, p]`` .. +
        ``moves[e, p]`` of each process: (source index into E, move, rows, orbit sizes or
        None, hashes, stored ids or -1), configuration-major, then process, then move."""
        n = self.n
        seg_len = moves.reshape(-1)
        seg = np.repeat(np.arange(len(seg_len), dtype=np.int64), seg_len)
        pos = np.arange(len(seg), dtype=np.int64) + np.repeat(
            first_move.reshape(-1) - (np.cumsum(seg_len) - seg_len), seg_len)
        src, proc = np.divmod(seg, n)
        S = R[E[src]].copy()
        k = np.arange(len(S))
        S[k, proc] = self.mv_ns.data[pos]
        S[k, n + proc] = self.mv_nb.data[pos]
        adds = self.mv_add.data[pos]
        for q in range(n):
            sel = np.flatnonzero(adds[:, q])
            if sel.size:
                keys = (S[sel, n + q].astype(np.int64) << 32) | adds[sel, q]
                uniq, inv = np.unique(keys, return_inverse=True)
                new_sub = np.array([self._added(u) for u in uniq.tolist()], dtype=np.int32)
                S[sel, n + q] = new_sub[inv.reshape(-1)]
        orbit = None
        if self.sym is not None:
            S, orbit = self.sym.canonical(S)
        h, found = self._hash_and_look_up(S)
        return src, pos, S, orbit, h, found

    def _hash_and_look_up(self, S: npt.NDArray[np.int32]
                          ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Hashes and stored ids (-1: new) of rows, in a thread per worker (pure numpy)."""
        def part(sl: slice):
            h = row_hash(S[sl])
            return h, self.index.lookup(S[sl], h)

        threads = len(self.index) >= PARALLEL_FROM
        parts = run_all([lambda sl=sl: part(sl) for sl in
                         (chunks(len(S), 1) if threads else [slice(0, len(S))])])
        if len(parts) == 1:
            return parts[0]
        return (np.concatenate([h for h, _ in parts]),
                np.concatenate([found for _, found in parts]))

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
            ok[:, p] = np.array([self.reducible[(p, u >> 32, u & 0xFFFFFFFF)]
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
        self.index.runs.clear()
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
        if self.sym is not None:
            sp.orbit = self.orbit.final()

