"""The expansion step shared by the batch engine and the partitions: local moves and successor
rows of a block of configurations, with numpy.

The moves of process p at local state s with sub-buffer b, ``(event, new state, new
sub-buffer, send bundle to each process)``, are computed once (user code runs through the
memoized :class:`~flpcheck.model.table.LocalTable`) and kept in flat arrays; a block's
successors are then gathered from them without Python work per configuration. A move that
changes nothing (same state, same sub-buffer, nothing sent: a self-loop) is flagged, so its
successor, the configuration itself, is never built, hashed or looked up.

Candidates are laid out configuration-major, then process, then move: the order of the
simple engine (null steps of p_0..p_{N-1} first within each process's segment, then the
messages by id).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..errors import FLPCheckError
from ..model.table import NULL, LocalTable
from ._storage import Growable, column_hash, distinct, row_hash
from .buffers import BufferTable
from .por import FutureSends

__all__ = ["Moves", "MOVES_CAP"]

MOVES_CAP = 1 << 17
"""The memo of local moves is emptied between blocks past this many entries (its memory is
then bounded; forgotten moves are recomputed from the memoized local steps, interning
nothing new, so ids stay the same)."""

IntArray = npt.NDArray[np.int64]
ADD_TABLE = 1 << 22
"""Past this many (sub-buffer, bundle) pairs, additions are memoized in a dict, not a table."""


class Moves:
    """The memo of local moves and the vectorized successor construction over it."""

    def __init__(self, table: LocalTable, bufs: BufferTable, future: FutureSends | None = None
                 ) -> None:
        self.table = table
        self.bufs = bufs
        self.n = n = table.n
        # (p, s, b) -> (start, length) in the flat move arrays (b: p's sub-buffer)
        self.move_at: dict[tuple[int, int, int], tuple[int, int]] = {}
        self.eid = Growable(np.int32)
        self.ns = Growable(np.int32)
        self.nb = Growable(np.int32)
        self.add = Growable(np.int32, n)  # send bundle to each process (0: none)
        self.change = Growable(np.bool_)  # the local transition changes a set output
        self.ident = Growable(np.bool_)  # the move changes nothing (a self-loop)
        # steps left to chance: one move per outcome, consecutive, in outcome order; the
        # outcome and probability id of each move (0 and 0 for a deterministic step)
        self.outcome = Growable(np.uint8)
        self.prob = Growable(np.uint8)
        #: what the move adds to a configuration's hash (:func:`~._storage.row_hash`) by
        #: changing p's state and sub-buffer (the receivers' sub-buffers aside)
        self.dh = Growable(np.uint64)
        self.sends = Growable(np.bool_)  # the move sends to another process
        #: some move is left to chance (the engines then keep the outcome of every edge)
        self.chance = False
        self.add_at: dict[int, int] = {}  # (sub-buffer << 32 | bundle) -> sub-buffer
        self.add_table = np.full((64, 16), -1, dtype=np.int32)  # the same, while small
        self.out = np.full((n, 1024), 255, dtype=np.uint8)  # output bits, 255 unknown
        self.buf_len = Growable(np.int32)
        #: partial-order reduction: whether p's moves at (s, b) may form a reduced expansion
        self.future = future
        self.reducible: dict[tuple[int, int, int], bool] = {}

    # -- the Python part: moves and outputs never seen before ---------------------------------

    def _moves(self, p: int, s: int, b: int, out: list[list]) -> None:
        """Append the moves of p at local state s with sub-buffer b to the pending lists ``out``
        and record where they go."""
        table, n, bufs = self.table, self.n, self.bufs
        eids, nss, nbs, adds, changes, idents, outcomes, probs, origins = out
        start = self.eid.size + len(eids)
        invisible, progress = True, False
        before = table.output(p, s)
        for m in (NULL, *bufs.distinct[b]):
            results = table.outcomes(p, s, m)
            for o, (prob, ns, sends) in enumerate(results):
                own, bundles = bufs.split(p, sends)
                nb = bufs.receive(b, m, own)
                eids.append(p if m == NULL else n + m)
                nss.append(ns)
                nbs.append(nb)
                adds.append(bundles)
                changes.append(before is not None and table.output(p, ns) != before)
                moved = ns != s or nb != b or any(bundles)
                idents.append(not moved)
                outcomes.append(o)
                probs.append(prob)
                origins.append((p, s, b))
                if self.future is not None:
                    invisible = invisible and table.output(p, ns) == before
                    progress = progress or moved
            self.chance = self.chance or len(results) > 1
        self.move_at[(p, s, b)] = (start, self.eid.size + len(eids) - start)
        if self.future is not None:
            self.reducible[(p, s, b)] = invisible and progress

    def maybe_clear(self) -> bool:
        """Empty the memo when it is past :data:`MOVES_CAP` entries; True if it did."""
        if len(self.move_at) <= MOVES_CAP:
            return False
        self.move_at.clear()
        self.reducible.clear()
        self.add_at.clear()
        self.bufs.clear_memos()
        for arr in (self.eid, self.ns, self.nb, self.add, self.change, self.ident, self.outcome,
                    self.prob, self.dh, self.sends):
            arr.truncate(0)
        return True

    def bits(self, rows: npt.NDArray[np.integer]) -> npt.NDArray[np.uint8]:
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

    def buf_lens(self) -> npt.NDArray[np.int32]:
        """The number of messages in every sub-buffer, by id."""
        have = self.buf_len.size
        buffers = self.bufs.buffers
        if have < len(buffers):
            self.buf_len.extend(np.array([len(b) for b in buffers[have:]], dtype=np.int32))
        return self.buf_len.view

    def _added(self, key: int) -> int:
        nb = self.add_at.get(key)
        if nb is None:
            nb = self.add_at[key] = self.bufs.add(key >> 32, key & 0xFFFFFFFF)
        return nb

    # -- the vectorized part ------------------------------------------------------------------

    def gather(self, R: npt.NDArray[np.int32], E: IntArray, first_id: int
               ) -> tuple[list[tuple[npt.NDArray[np.uint64], IntArray, IntArray]], IntArray,
                          IntArray]:
        """The moves of configurations ``R[E]``, computing the missing ones in the order the
        simple engine would meet them (configuration by configuration, process by process):
        (per process the distinct (state, sub-buffer) keys with their first row and inverse,
        the first move of each (configuration, process), and how many moves it has). A model
        error names the configuration ``first_id + E[row]`` that met it."""
        n = self.n
        pair_idx = []
        for p in range(n):
            keys = (R[E, p].astype(np.uint64) << np.uint64(32)) | R[E, n + p].astype(np.uint64)
            uniq, inv, first = distinct(keys)
            pair_idx.append((uniq, first, inv))
        missing = []
        for p, (uniq, first, _) in enumerate(pair_idx):
            for u, f in zip(uniq.tolist(), first.tolist(), strict=True):
                if (p, u >> 32, u & 0xFFFFFFFF) not in self.move_at:
                    missing.append((f, p, u))
        missing.sort()
        pending: list[list] = [[], [], [], [], [], [], [], [], []]
        for f, p, u in missing:
            try:
                self._moves(p, u >> 32, u & 0xFFFFFFFF, pending)
            except FLPCheckError as err:
                err.configuration = first_id + int(E[f])
                raise
        for arr, values, dtype in zip(
                (self.eid, self.ns, self.nb, self.add, self.change, self.ident, self.outcome,
                 self.prob), pending[:-1],
                (np.int32, np.int32, np.int32, np.int32, np.bool_, np.bool_, np.int64, np.int64),
                strict=True):
            if values:
                arr.extend(np.array(values, dtype=dtype).reshape(len(values), *arr.data.shape[1:]))
        if pending[-1]:
            bundles = np.array(pending[3], dtype=bool).reshape(len(pending[3]), n)
            self.sends.extend(bundles.any(axis=1))
            p, s, b = np.array(pending[-1], dtype=np.int64).T
            ns, nb = np.array(pending[1], dtype=np.int64), np.array(pending[2], dtype=np.int64)
            self.dh.extend(column_hash(p, ns) - column_hash(p, s)
                           + column_hash(n + p, nb) - column_hash(n + p, b))
        first_move = np.empty((len(E), n), dtype=np.int64)
        moves = np.empty((len(E), n), dtype=np.int64)
        for p, (uniq, _, inv) in enumerate(pair_idx):
            at = np.array([self.move_at[(p, u >> 32, u & 0xFFFFFFFF)] for u in uniq.tolist()],
                          dtype=np.int64).reshape(-1, 2)
            first_move[:, p], moves[:, p] = at[inv, 0], at[inv, 1]
        return pair_idx, first_move, moves

    def successors(self, R: npt.NDArray[np.int32], E: IntArray, first_move: IntArray,
                   moves: IntArray) -> tuple[IntArray, IntArray, IntArray, npt.NDArray[np.int32],
                                             npt.NDArray[np.uint64] | None]:
        """The successors of configurations ``R[E]`` by the moves ``first_move[e, p]`` ..
        ``+ moves[e, p]`` of each process: (source index into E and move of every candidate,
        configuration-major, then process, then move; the candidates that are not
        self-loops; their rows; their :func:`~._storage.row_hash`, from the sources' and the
        shares of the columns that changed, or None where the model drops messages: the
        caller hashes the rows)."""
        n = self.n
        seg_len = moves.reshape(-1)
        seg = np.repeat(np.arange(len(seg_len), dtype=np.int64), seg_len)
        pos = np.arange(len(seg), dtype=np.int64) + np.repeat(
            first_move.reshape(-1) - (np.cumsum(seg_len) - seg_len), seg_len)
        src = seg // n
        keep = np.flatnonzero(~self.ident.data[pos])
        proc = seg[keep] - src[keep] * n
        pk = pos[keep]
        # rows in the narrowest type the ids need (less memory traffic for the gathers, the
        # hashing and the comparisons that follow)
        rows = src[keep]
        # (np.take: a gather of whole rows, several times as fast as fancy indexing)
        S = np.take(R, E[rows], axis=0).astype(
            _narrowest(max(len(self.table.states), len(self.bufs.buffers))), copy=False)
        hashed = not self.table.drops
        h = row_hash(np.take(R, E, axis=0))[rows] + self.dh.data[pk] if hashed else None
        at = np.arange(0, S.size, 2 * n) + proc  # the mover's state in the flat rows
        flat = S.reshape(-1)
        flat[at] = self.ns.data[pk]
        flat[at + n] = self.nb.data[pk]
        sending = np.flatnonzero(self.sends.data[pk])
        adds = np.take(self.add.data, pk[sending], axis=0)
        for q in range(n):
            sel = sending[np.flatnonzero(adds[:, q])]
            if sel.size:
                new_sub = self._add_bundles(S[sel, n + q], self.add.data[pk[sel], q])
                if h is not None:
                    h[sel] += column_hash(n + q, new_sub) - column_hash(n + q, S[sel, n + q])
                if new_sub.max() > np.iinfo(S.dtype).max:
                    S = S.astype(_narrowest(int(new_sub.max()) + 1))
                S[sel, n + q] = new_sub
        if self.table.drops:  # messages a process ignores for good leave the buffer at once
            for q in range(n):
                keys = (S[:, q].astype(np.int64) << 32) | S[:, n + q]
                uniq, inv = np.unique(keys, return_inverse=True)
                kept = np.array([self.bufs.kept(self.table, q, u >> 32, u & 0xFFFFFFFF)
                                 for u in uniq.tolist()], dtype=np.int64)
                if kept.size and kept.max() > np.iinfo(S.dtype).max:
                    S = S.astype(_narrowest(int(kept.max()) + 1))
                S[:, n + q] = kept[inv.reshape(-1)]
        return src, pos, keep, S, h

    def _add_bundles(self, subs: npt.NDArray[np.integer], bundles: npt.NDArray[np.integer]
                     ) -> IntArray:
        """The sub-buffer after adding each bundle to each sub-buffer: from a table indexed by
        (sub-buffer, bundle) while it stays small, computing the pairs never seen (Python) once."""
        need = (len(self.bufs.buffers), len(self.bufs.bundles))
        if need[0] * need[1] > ADD_TABLE:
            keys = (subs.astype(np.int64) << 32) | bundles
            uniq, inv = np.unique(keys, return_inverse=True)
            return np.array([self._added(u) for u in uniq.tolist()],
                            dtype=np.int64)[inv.reshape(-1)]
        table = self.add_table
        if table.shape[0] < need[0] or table.shape[1] < need[1]:
            grown = np.full((max(need[0], 2 * table.shape[0]), max(need[1], 2 * table.shape[1])),
                            -1, dtype=np.int32)
            grown[: table.shape[0], : table.shape[1]] = table
            table = self.add_table = grown
        out = table[subs, bundles].astype(np.int64)
        missing = np.flatnonzero(out < 0)
        if missing.size:
            keys = np.unique((subs[missing].astype(np.int64) << 32) | bundles[missing])
            for u in keys.tolist():
                nb = self.bufs.add(u >> 32, u & 0xFFFFFFFF)
                if nb >= table.shape[0]:  # a new sub-buffer past the table: grow it
                    grown = np.full((2 * nb + 1, table.shape[1]), -1, dtype=np.int32)
                    grown[: table.shape[0]] = table
                    table = self.add_table = grown
                table[u >> 32, u & 0xFFFFFFFF] = nb
            out[missing] = table[subs[missing], bundles[missing]]
        return out


def _narrowest(count: int) -> type:
    """The smallest unsigned type for ids below ``count`` (int32 past 16 bits)."""
    return np.uint8 if count <= 256 else np.uint16 if count <= 65536 else np.int32
