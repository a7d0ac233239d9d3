"""Exploration from given configurations, with only the events a filter allows.

:func:`explore_from` is breadth-first search like :func:`~flpcheck.explorer.driver.explore`,
with three differences: it starts from any configurations (rows of an explored space, the
*seeds*), it applies only the events an :data:`EventFilter` allows at each configuration, and it
does not expand the configurations a :data:`Terminal` test marks. It knows nothing of why:
the analyses define the filter (e.g. the rules that hold after a global stabilization time).

Several such explorations that must agree on ids (their rows are compared and handed from
one to the next) share one :class:`Interning`: the local table of the space the seeds come
from, one sub-buffer table and the memo of local moves. Rows of that space are valid rows of
every exploration built on the same interning.

The work per block is the batch engine's (:class:`~flpcheck.explorer.moves.Moves`): the moves
of every configuration are gathered and built with numpy, then the filter is applied to the
candidates, and the allowed successors are hashed and looked up. Self-loops that are allowed
are kept as edges (a null step that changes nothing), as in every explored space.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ..errors import FLPCheckError, HashCollision
from ._storage import Growable, RowIndex, distinct, row_hash
from .buffers import BufferTable
from .engine import Progress, StopCheck
from .moves import Moves
from .statespace import Bounds, StateSpace

__all__ = ["EventFilter", "Terminal", "Interning", "RestrictedSpace", "explore_from"]

EventFilter = Callable[[npt.NDArray[np.integer], npt.NDArray[np.integer]], npt.NDArray[np.bool_]]
"""``allow(rows, eids)``: for each candidate, the row of the configuration it leaves (N state
ids, then N sub-buffer ids) and its event id (p < N: the null step of p; N + m: message m),
whether the event may be applied there."""
Terminal = Callable[[npt.NDArray[np.integer]], npt.NDArray[np.bool_]]
"""``terminal(rows)``: which configurations are not expanded (they end the search there)."""

BLOCK = 1 << 13
"""Configurations expanded per block."""


class Interning:
    """The ids several explorations share: the local table and sub-buffers of ``space`` (its
    rows stay valid), one sub-buffer table extending them, and the memo of local moves."""

    def __init__(self, space: StateSpace) -> None:
        if space.buffers and space.buffers[0] != ():
            raise FLPCheckError("internal: sub-buffer 0 of an explored space is not empty")
        self.table = space.table
        self.n = space.n
        self.bufs = BufferTable([], space.table.messages, space.n)
        for b in space.buffers[1:]:
            self.bufs.id(b)
        self.moves = Moves(self.table, self.bufs)

    @property
    def buffers(self) -> list[tuple[int, ...]]:
        """Sub-buffer id -> sorted message ids (shared, growing)."""
        return self.bufs.buffers


class RestrictedSpace(StateSpace):
    """A space explored by :func:`explore_from`: ``seeds`` holds the id of every seed row given
    (in the order given; duplicates share an id), ``terminal`` marks the configurations the
    terminal test stopped at. Those are not expanded by design, so :attr:`cut` leaves them out.
    There are no initial configurations: :meth:`path_to` leads back to a seed."""

    def __init__(self, interning: Interning, bounds: Bounds) -> None:
        super().__init__(interning.table.protocol, interning.table, bounds)
        self.buffers = interning.buffers
        self.seeds = np.zeros(0, dtype=np.int64)
        self.terminal = np.zeros(0, dtype=bool)

    @property
    def cut(self) -> np.ndarray:
        """Configurations neither expanded nor terminal: what a bound cut."""
        return ~self.expanded & ~self.terminal


def explore_from(interning: Interning, seeds: npt.NDArray[np.integer], allow: EventFilter,
                 terminal: Terminal, *, max_configs: int | None = None,
                 max_buffer: int | None = None, max_depth: int | None = None,
                 stop: StopCheck | None = None, progress: Progress | None = None
                 ) -> RestrictedSpace:
    """Every configuration reachable from the ``seeds`` (rows, on ``interning``'s ids) by events
    ``allow`` lets through, without expanding ``terminal`` ones. Depth counts from the seeds
    (0); the bounds and ``stop`` cut as in :func:`~flpcheck.explorer.driver.explore`, and the
    space says so (``cut_reasons``)."""
    sp = RestrictedSpace(interning, Bounds(max_configs, max_buffer, max_depth))
    _Run(sp, interning, allow, terminal, stop, progress).run(np.asarray(seeds))
    return sp


class _Run:
    """One exploration (one use)."""

    def __init__(self, sp: RestrictedSpace, interning: Interning, allow: EventFilter,
                 terminal: Terminal, stop: StopCheck | None, progress: Progress | None) -> None:
        self.sp, self.n = sp, interning.n
        self.mv = interning.moves
        self.allow, self.is_terminal = allow, terminal
        self.stop, self.progress = stop, progress
        self.rows = Growable(np.uint8, 2 * self.n)
        self.depth = Growable(np.int32)
        self.parent = Growable(np.int64)
        self.decided = Growable(np.uint8)
        self.expanded = Growable(np.bool_)
        self.terminal = Growable(np.bool_)
        self.counts = Growable(np.int32)
        self.dst = Growable(np.int32)
        self.event = Growable(np.int32)
        # steps left to chance: the outcome and probability id of every edge
        self.outcome = Growable(np.uint8)
        self.prob = Growable(np.uint8)
        self.index = RowIndex(lambda ids: self.rows.data[ids])

    def run(self, seeds: npt.NDArray[np.integer]) -> None:
        n = self.n
        if len(seeds):
            rows = seeds.reshape(-1, 2 * n).astype(np.int32)
            h = row_hash(rows)
            uh, inv, first = distinct(h)
            if not np.array_equal(rows[first[inv]], rows):
                raise HashCollision("two seed configurations share a 64-bit hash")
            order = np.argsort(first)  # groups in order of first occurrence
            rank = np.empty(len(uh), dtype=np.int64)
            rank[order] = np.arange(len(uh))
            self._add(rows[first[order]], np.zeros(len(uh), np.int32),
                      np.full(len(uh), -1, np.int64), uh, rank)
            self.sp.seeds = rank[inv]
        i = 0
        try:
            while i < self.rows.size:
                reason = self.stop() if self.stop is not None else None
                if reason:
                    self.sp.note_cut(reason)
                    break
                j = min(self.rows.size, i + BLOCK)
                done = self._expand(i, j)
                i += done
                if self.progress is not None:
                    self.progress(self.rows.size, i, self.dst.size,
                                  int(self.depth.data[max(i - 1, 0)]))
                if i < j:
                    break
        except FLPCheckError:
            self._install(test_rest=False)
            raise
        self._install(test_rest=True)

    def _add(self, rows: npt.NDArray[np.integer], depth: npt.NDArray[np.integer],
             parent: npt.NDArray[np.int64], keys: npt.NDArray[np.uint64],
             ids: npt.NDArray[np.int64]) -> None:
        self.rows.extend(rows)
        self.depth.extend(depth)
        self.parent.extend(parent)
        self.decided.extend(self.mv.bits(rows))
        self.index.add(keys, ids)

    def _expand(self, i: int, j: int) -> int:
        """Expand configurations i..j-1; return how many (fewer where max-configs stops it)."""
        sp, n, mv = self.sp, self.n, self.mv
        bounds = sp.bounds
        mv.maybe_clear()
        R = self.rows.data[i:j].astype(np.int32)
        term = np.asarray(self.is_terminal(R), dtype=bool)
        ok = ~term
        notes: list[tuple[int, str]] = []
        if bounds.max_depth is not None:
            deep = (self.depth.data[i:j] >= bounds.max_depth) & ok
            if deep.any():
                notes.append((int(np.argmax(deep)), "max-depth"))
            ok &= ~deep
        if bounds.max_buffer is not None:
            big = (mv.buf_lens()[R[:, n:]].sum(axis=1) > bounds.max_buffer) & ok
            if big.any():
                notes.append((int(np.argmax(big)), "max-buffer"))
            ok &= ~big
        E = np.flatnonzero(ok)
        try:
            _, first_move, moves = mv.gather(R, E, i)
            src, pos, keep, S, hs = mv.successors(R, E, first_move, moves)
        except FLPCheckError as err:
            err.add_note("met after GST, in the exploration of the allowed events")
            raise
        eids = mv.eid.data[pos]
        allowed = np.asarray(self.allow(R[E[src]], eids), dtype=bool)
        is_kept = np.zeros(len(src), dtype=bool)
        is_kept[keep] = True
        built = np.full(len(src), -1, dtype=np.int64)  # candidate -> its row in S
        built[keep] = np.arange(len(keep))
        take = np.flatnonzero(allowed)  # the edges, in candidate order
        moved = take[is_kept[take]]
        S_take = S[built[moved]]
        h = row_hash(S_take) if hs is None else hs[built[moved]]
        uh, inv, first = distinct(h)
        found = self.index.lookup_distinct(uh)
        if not np.array_equal(S_take[first[inv]], S_take):
            raise HashCollision("two new configurations share a 64-bit hash")
        hit = np.flatnonzero(found >= 0)
        if hit.size and not np.array_equal(self.rows.data[found[hit]], S_take[first[hit]]):
            raise HashCollision("two configurations share a 64-bit hash")
        newg = np.flatnonzero(found < 0)
        firsts = first[newg]
        by_first = np.argsort(firsts)
        rank = np.empty(len(newg), dtype=np.int64)
        rank[by_first] = np.arange(len(newg))
        reps = firsts[by_first]  # positions in ``moved``, in order of first occurrence
        limit = bounds.max_configs
        if limit is not None and self.rows.size + len(reps) > limit:
            per_src = np.bincount(src[moved[reps]], minlength=len(E))
            fits = np.cumsum(per_src) <= limit - self.rows.size
            keep_n = int(np.argmin(fits)) if not fits.all() else len(E)
            stop_at = int(E[keep_n]) if keep_n < len(E) else j - i
            done = self._expand(i, i + stop_at) if 0 < stop_at < j - i else 0
            sp.note_cut("max-configs")
            return done
        for _, why in sorted(notes):
            sp.note_cut(why)
        base = self.rows.size
        ids = found
        ids[newg] = base + rank
        dst = (i + E[src[take]]).astype(np.int64)  # allowed self-loops go back to the source
        where = np.flatnonzero(is_kept[take])
        dst[where] = ids[inv]
        first_edge = self.dst.size
        edge_of_moved = first_edge + where  # edge id of each moved candidate
        self._add(S_take[reps], self.depth.data[i:j][E[src[moved[reps]]]].astype(np.int64) + 1,
                  edge_of_moved[reps].astype(np.int64), uh[newg], base + rank)
        self.dst.extend(dst)
        self.event.extend(eids[take])
        self.outcome.extend(mv.outcome.data[pos][take])
        self.prob.extend(mv.prob.data[pos][take])
        counts = np.zeros(j - i, dtype=np.int64)
        counts[E] = np.bincount(src[take], minlength=len(E))
        self.counts.extend(counts)
        self.expanded.extend(ok)
        self.terminal.extend(term)
        return j - i

    def _install(self, test_rest: bool) -> None:
        """Hand the graph to the space; configurations the loop never reached are not
        expanded (``test_rest``: test whether they are terminal, else mark them not)."""
        sp = self.sp
        missing = self.rows.size - self.expanded.size
        if missing:
            rest = self.rows.data[self.expanded.size:self.rows.size].astype(np.int32)
            self.terminal.extend(np.asarray(self.is_terminal(rest), dtype=bool) if test_rest
                                 else np.zeros(missing, dtype=bool))
            self.expanded.extend(np.zeros(missing, dtype=bool))
            self.counts.extend(np.zeros(missing, dtype=np.int32))
        self.index.clear()
        sp.rows = self.rows.final()
        edges = self.dst.size
        indptr = np.zeros(self.rows.size + 1, dtype=np.int32 if edges < 2**31 else np.int64)
        np.cumsum(self.counts.final(), out=indptr[1:])
        sp.indptr = indptr  # type: ignore[assignment]  # int32 while the edges fit
        sp.edge_dst = self.dst.final()
        sp.edge_event = self.event.final()
        if self.prob.view.any():  # some edge is an outcome of a step left to chance
            sp.edge_outcome = self.outcome.final()
            sp.edge_probability = self.prob.final()
            sp.probabilities = list(sp.table.probabilities)
        sp.depth = self.depth.final()
        sp.parent_edge = self.parent.final()
        sp.decided = self.decided.final()
        sp.expanded = self.expanded.final()
        sp.terminal = self.terminal.final()
