"""One partition of the level-synchronous, hash-partitioned breadth-first search.

The same class runs in the exploring process (one or more partitions called one after the
other) and as a Ray actor (:mod:`flpcheck.explorer.partition.ray_parts`); the coordinator in
:mod:`flpcheck.explorer.partition.engine` drives it level by level. A configuration belongs to partition
``owner_hash(fingerprints) % K`` (:mod:`flpcheck.explorer.fingerprint`): a 64-bit hash of what
its local states and messages *are*, the same in every process.

Ids. Each partition interns local states, messages and sub-buffers in its own tables
(:class:`~flpcheck.model.table.LocalTable`, through the checked user calls), so rows of
different partitions are not comparable: a batch of rows travels in the sender's ids, with
the values the receiver has not seen yet; the receiver interns them (by type and value) and
translates the columns with one gather each.

Global ids. A configuration's id is ``level_base[d] + part_base[d][k] + r``: its level d, its
partition k, and its rank r among partition k's configurations of that level (in order of
first occurrence), so ids are breadth-first and, for one partition, those of the batch engine.
Parents stay with their owners: ``(parent id, rank of the edge among the parent's edges)``.

Per level: :meth:`expand` (a chunk of the frontier: successors, split by owner; the replies
to the previous chunk first), :meth:`receive` (look the candidates up, number the new ones,
reply with a code per candidate), :meth:`finish_level` (the level numbered: codes become ids).
"""

from __future__ import annotations

import os
import resource
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ...errors import FLPCheckError, HashCollision
from ...model.protocol import Protocol
from ...model.table import LocalTable
from .._storage import Growable, RowIndex, _mix, distinct, row_hash
from ..buffers import BufferTable
from ..checkpoint.partition_state import commit_partition, restore_partition, save_partition
from ..fingerprint import buffer_fingerprint, fingerprint, position_tables
from ..limits import current_rss
from ..moves import Moves, _narrowest
from .queries import PartitionQueries, timed

__all__ = ["Partition", "Batch"]

IntArray = npt.NDArray[np.int64]
FIX_CHUNK = 1 << 20
"""Edges whose codes become ids at a time when a level closes."""
#: a batch of candidates for one owner: rows (sender's ids), parent ids, edge ranks, and the
#: values the owner has not seen (None when sent to itself)
Batch = dict[str, Any]


class Partition(PartitionQueries):
    """Partition ``k`` of ``K``: the configurations it owns, their edges and parents."""

    def __init__(self, k: int, K: int, protocol: Protocol, origin: str = "",
                 max_buffer: int | None = None) -> None:
        self.k, self.K = k, K
        self.n = n = protocol.processes
        self.max_buffer = max_buffer
        self.table = LocalTable(protocol, origin)
        self.table.refuse_chance = "--workers"  # the partitions keep one edge per event
        self.buffers: list[tuple[int, ...]] = []
        self.bufs = BufferTable(self.buffers, self.table.messages, n)
        self.mv = Moves(self.table, self.bufs)
        # the configurations owned, in local order (level by level)
        self.rows = Growable(np.uint8, 2 * n)
        self.parent = Growable(np.int32)  # id of the BFS parent (-1: initial)
        self.prank = Growable(np.uint8)  # rank of the BFS edge among the parent's edges
        self.decided = Growable(np.uint8)
        self.expanded = Growable(np.bool_)
        self.index = RowIndex(lambda ids: self.rows.data[ids])
        self.level_start = [0]  # local id of the first configuration of each level
        # the edges of the configurations of levels done, in local order; targets are ids
        self.counts = Growable(np.uint8)  # widens when a configuration has more edges
        self.dst = Growable(np.int32)
        self.event = Growable(np.uint8)
        self.edges_done = 0  # edges whose targets are ids (earlier levels)
        # global numbering: per level its base, and the base of each partition in it
        self.level_base = np.zeros(0, dtype=np.int64)
        self.part_base = np.zeros((0, K), dtype=np.int64)
        # content fingerprints (K > 1): by local id of state, message, sub-buffer
        self.fp_state = Growable(np.uint64)
        self.fp_msg = Growable(np.uint64)
        self.fp_buf = Growable(np.uint64)
        self.fp_pos = (np.zeros((n, 0), np.uint64), np.zeros((n, 0), np.uint64))
        # per peer: how much of my tables it has been sent; its ids -> mine
        self.sent = [[0, 0, 0] for _ in range(K)]
        self.tr: list[list[npt.NDArray[np.int64]]] = [
            [np.zeros(0, dtype=np.int64) for _ in range(3)] for _ in range(K)]
        self.pending: list[dict[str, Any]] | None = None
        self.own_batch: Batch | None = None
        self.own_reply: npt.NDArray[np.int64] | None = None
        #: first edge that changes a set output: (source id, edge rank), the smallest
        self.change: tuple[int, int] | None = None
        self.cut_first: dict[str, int] = {}  # why -> smallest id not expanded for it
        self.diamonds = 0  # pairs of events of different processes at one configuration
        self.back = 0  # edges to a shallower level (valence: more sweeps)
        self.cross_levels: set[int] = set()  # levels with edges within them across partitions
        self.timers: dict[str, float] = {}  # CPU seconds by method
        self.rss_start = current_rss()  # this process, the model loaded
        #: checkpoints: what the last one committed holds (files, array sizes, table cursor,
        #: sub-buffers), and what the one being written will once committed
        self.saved: dict[str, Any] = {"files": [], "sizes": {}, "cursor": None, "buffers": 0}
        self.saving: dict[str, Any] | None = None
    # -- checkpoints (:mod:`flpcheck.explorer.checkpoint.partition_state`) ----------------------

    def save_checkpoint(self, directory: str, sequence: int
                        ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Write my segment of checkpoint ``sequence`` (between two levels)."""
        return save_partition(self, Path(directory), sequence)

    def commit_checkpoint(self) -> None:
        """The checkpoint naming my last segment is complete."""
        commit_partition(self)

    def restore_checkpoint(self, directory: str, files: list[dict[str, Any]],
                           state: dict[str, Any], module: str) -> None:
        """Start again from a checkpoint: my state as it was when it was written."""
        Partition.__init__(self, self.k, self.K, self.table.protocol, self.table.origin,
                           self.max_buffer)
        restore_partition(self, Path(directory), files, state, module)

    def restart(self) -> None:
        """Start again from nothing (a worker lost before the first checkpoint)."""
        Partition.__init__(self, self.k, self.K, self.table.protocol, self.table.origin,
                           self.max_buffer)

    def reaches(self, directory: str) -> tuple[bool, str]:
        """Whether this process sees the checkpoint directory (its lock file), and where."""
        import socket

        return (Path(directory) / "lock").exists(), socket.gethostname()

    # -- ids ----------------------------------------------------------------------------------

    def set_level(self, level_base: int, part_base: list[int]) -> None:
        """Number the next level: its first id, and the first id of each partition in it."""
        self.level_base = np.append(self.level_base, level_base)
        self.part_base = np.vstack([self.part_base, np.array(part_base, dtype=np.int64)])

    def ids_of(self, local: IntArray) -> IntArray:
        """Global ids of local configurations of numbered levels."""
        local = np.asarray(local, dtype=np.int64)
        starts = np.array(self.level_start[: len(self.level_base)], dtype=np.int64)
        d = np.searchsorted(starts, local, side="right") - 1
        return self.level_base[d] + self.part_base[d, self.k] + (local - starts[d])

    # -- fingerprints and owners --------------------------------------------------------------

    def _sync_fingerprints(self) -> None:
        t = self.table
        if self.fp_state.size < len(t.states):
            self.fp_state.extend(np.array([fingerprint(v) for v in t.states[self.fp_state.size:]],
                                          dtype=np.uint64))
        if self.fp_msg.size < len(t.messages):
            self.fp_msg.extend(np.array(
                [fingerprint((d, t.payloads[pl])) for d, pl in t.messages[self.fp_msg.size:]],
                dtype=np.uint64))
        if self.fp_buf.size < len(self.buffers):
            fm = self.fp_msg.data
            self.fp_buf.extend(np.array(
                [buffer_fingerprint(fm[np.array(b, dtype=np.int64)])
                 for b in self.buffers[self.fp_buf.size:]], dtype=np.uint64))

    def owners(self, rows: npt.NDArray[np.integer]) -> IntArray:
        """The partition owning each row (in this partition's ids): a sum over the columns
        of the fingerprint of each value mixed with its position, mixed once more."""
        if self.K == 1:
            return np.zeros(len(rows), dtype=np.int64)
        self._sync_fingerprints()
        n = self.n
        if self.fp_pos[0].shape[1] < self.fp_state.size or \
                self.fp_pos[1].shape[1] < self.fp_buf.size:
            self.fp_pos = position_tables(self.fp_state.view, self.fp_buf.view, n)
        states, subs = self.fp_pos
        with np.errstate(over="ignore"):
            h = states[0][rows[:, 0]].copy()
            for j in range(1, n):
                h += states[j][rows[:, j]]
            for j in range(n):
                h += subs[j][rows[:, n + j]]
        return (_mix(h) % np.uint64(self.K)).astype(np.int64)

    # -- storing ------------------------------------------------------------------------------

    def _add(self, rows: npt.NDArray[np.int32], keys: npt.NDArray[np.uint64], ids: IntArray,
             parent: IntArray, prank: IntArray) -> None:
        self.rows.extend(rows)
        self.parent.extend(parent)
        self.prank.extend(prank)
        self.decided.extend(self.mv.bits(rows))
        self.index.add_sorted(keys, ids)

    @timed
    def add_initial(self, vectors: list[tuple[int, ...]]) -> tuple[list[tuple[int, int]], int]:
        """Store the initial configurations this partition owns (every partition computes
        every owner the same way). Returns (input vector index, local id) for each of them,
        and how many configurations level 0 has here."""
        t, n = self.table, self.n
        empty = self.bufs.id(())
        rows = np.array([[*(t.initial_state(p, x[p]) for p in range(n)), *[empty] * n]
                         for x in vectors], dtype=np.int32).reshape(-1, 2 * n)
        mine = np.flatnonzero(self.owners(rows) == self.k)
        out: list[tuple[int, int]] = []
        seen: dict[tuple[int, ...], int] = {}
        for i in mine.tolist():
            key = tuple(rows[i].tolist())
            if key not in seen:
                seen[key] = len(seen)
            out.append((i, seen[key]))
        if seen:
            new = np.array(list(seen), dtype=np.int32)
            h = row_hash(new)
            order = np.argsort(h)
            self._add(new, h[order], order.astype(np.int64), np.full(len(new), -1, np.int64),
                      np.zeros(len(new), np.int64))
        self.level_start.append(self.rows.size)
        return out, self.rows.size

    # -- one level ----------------------------------------------------------------------------

    def frontier(self) -> int:
        """How many configurations the level being expanded has here."""
        return self.level_start[-1] - self.level_start[-2]

    def cut_level(self, why: str) -> None:
        """Expand nothing of the current level: every configuration of it is cut."""
        lo, hi = self.level_start[-2], self.level_start[-1]
        if hi > lo:
            self.cut_first.setdefault(why, int(self.ids_of(np.array([lo]))[0]))
        self.expanded.extend(np.zeros(hi - lo, dtype=bool))
        self.counts.extend(np.zeros(hi - lo, dtype=np.int32))

    @timed
    def expand(self, lo: int, hi: int, *replies: Any) -> list[Batch | None]:
        """Apply the owners' replies to my previous chunk, then expand my frontier
        configurations ``lo..hi-1`` (ranks within the level): one batch of candidates per
        owner (None for none; my own batch stays here)."""
        if self.pending is not None:
            self._apply(list(replies))
        _lost_here(self.k, len(self.level_start) - 2)
        base = self.level_start[-2]
        i, j = base + lo, min(base + hi, self.level_start[-1])
        if j <= i:
            self.pending = []
            return [None] * self.K
        n, K, mv = self.n, self.K, self.mv
        mv.maybe_clear()
        R = self.rows.data[i:j].copy()
        ok = np.ones(j - i, dtype=bool)
        if self.max_buffer is not None:
            big = mv.buf_lens()[R[:, n:]].sum(axis=1) > self.max_buffer
            if big.any():
                self.cut_first.setdefault("max-buffer", int(self.ids_of(
                    np.array([i + int(np.argmax(big))]))[0]))
            ok &= ~big
        E = np.flatnonzero(ok)
        try:
            _, first_move, moves = mv.gather(R, E, 0)
        except FLPCheckError as err:
            err.configuration = int(self.ids_of(np.array([i + (err.configuration or 0)]))[0])
            raise
        src, pos, keep, S, _ = mv.successors(R, E, first_move, moves)
        total = moves.sum(axis=1)  # Lemma 1's diamonds: pairs of events of two processes
        self.diamonds += int(((total * total - (moves * moves).sum(axis=1)) // 2).sum())
        counts = np.zeros(j - i, dtype=np.int64)
        counts[E] = np.bincount(src, minlength=len(E))
        src_ids = self.ids_of(i + E)  # the id of each expanded configuration
        first = np.zeros(j - i + 1, dtype=np.int64)
        np.cumsum(counts, out=first[1:])
        rank = np.arange(len(src), dtype=np.int64) - first[E[src]]  # edge rank in its source
        changed = np.flatnonzero(mv.change.data[pos])
        if changed.size:
            c = int(changed[0])
            found = (int(src_ids[src[c]]), int(rank[c]))
            if self.change is None or found < self.change:
                self.change = found
        owner = self.owners(S)
        id_type = np.int32 if len(src_ids) == 0 or src_ids.max() < 2**31 else np.int64
        parent = src_ids[src[keep]].astype(id_type)
        prank = rank[keep].astype(np.uint16 if len(rank) and rank.max() < 65536 else np.int32)
        batches: list[Batch | None] = []
        sels = []
        for q in range(K):
            sel = np.flatnonzero(owner == q) if K > 1 else slice(None)
            sels.append(sel)
            if K > 1 and not sel.size:
                batches.append(None)
                continue
            batches.append({"rows": S[sel], "parent": parent[sel], "prank": prank[sel],
                            "delta": None if q == self.k else self._delta_for(q)})
        # my edges, configuration-major; targets filled in when the owners reply
        self.pending = [{"src": src, "src_ids": src_ids,
                         "event": mv.eid.data[pos], "keep": keep, "sels": sels,
                         "counts": counts, "ok": ok}]
        self.own_batch = batches[self.k]
        batches[self.k] = None
        return batches

    def _apply(self, replies: list[Any]) -> None:
        """Append the pending chunk's edges: the target of a self-loop is its source; of a
        candidate, the owner's code (an id, or ``-(1 + rank * K + owner)`` for a
        configuration new in the next level, numbered at :meth:`finish_level`)."""
        replies[self.k] = self.own_reply
        level = len(self.level_start) - 2
        base = int(self.level_base[level])  # the first id of the level being expanded
        for ch in self.pending or ():
            dst = ch["src_ids"][ch["src"]]  # int64: the Growable narrows what it stores
            if self.K == 1:
                if replies[0] is not None:
                    dst[ch["keep"]] = replies[0]
            else:
                coded = np.empty(len(ch["keep"]), dtype=dst.dtype)
                for q, sel in enumerate(ch["sels"]):
                    if sel.size:
                        coded[sel] = replies[q]
                        if q != self.k and (np.asarray(replies[q]) >= base).any():
                            self.cross_levels.add(level)  # an edge within the level, across
                dst[ch["keep"]] = coded
            self.back += int(((dst >= 0) & (dst < base)).sum())
            self.dst.extend(dst)
            self.event.extend(ch["event"])
            self.counts.extend(ch["counts"])
            self.expanded.extend(ch["ok"])
        self.pending = None
        self.own_reply = None

    def _delta_for(self, q: int) -> dict[str, Any]:
        """The values of my tables partition q has not been sent yet."""
        t = self.table
        s0, m0, b0 = self.sent[q]
        delta = {"states": t.states[s0:],
                 "messages": [(d, t.payloads[pl]) for d, pl in t.messages[m0:]],
                 "buffers": self.buffers[b0:], "base": (s0, m0, b0)}
        self.sent[q] = [len(t.states), len(t.messages), len(self.buffers)]
        return delta

    def _absorb(self, q: int, delta: dict[str, Any]) -> None:
        """Intern partition q's new values; extend the translation of its ids to mine."""
        t = self.table
        tr = self.tr[q]
        s0, m0, b0 = delta["base"]
        if (len(tr[0]), len(tr[1]), len(tr[2])) != (s0, m0, b0):
            raise FLPCheckError(f"partition {self.k}: values from partition {q} out of order")
        what = f"(a value received from partition {q})"
        states = [t.state_id(v, pid=-1, what=what) for v in delta["states"]]
        msgs = [t.message_id(d, pl, pid=-1, what=what) for d, pl in delta["messages"]]
        tr[1] = np.concatenate([tr[1], np.array(msgs, dtype=np.int64)])
        trm = tr[1]
        subs = [self.bufs.id(tuple(sorted(int(trm[m]) for m in b))) for b in delta["buffers"]]
        # the translations of rows in the narrowest type my ids need (rows stay narrow)
        narrow = _narrowest(max(len(t.states), len(self.buffers)))
        tr[0] = np.concatenate([tr[0], np.array(states, dtype=np.int64)]).astype(narrow)
        tr[2] = np.concatenate([tr[2], np.array(subs, dtype=np.int64)]).astype(narrow)

    @timed
    def receive(self, *batches: Batch | None) -> list[Any]:
        """Look up the candidates sent to me (one batch per sender, in sender order): number
        the new ones (the next level, in order of first occurrence), store their parents.
        Returns per sender the code of each of its candidates (an id, or ``-(1 + rank * K +
        k)`` for the configuration of rank ``rank`` of the next level here), then how many the
        next level has here so far."""
        n, K = self.n, self.K
        got = list(batches)
        got[self.k] = self.own_batch
        self.own_batch = None
        parts, parents, pranks, sizes = [], [], [], []
        for q, b in enumerate(got):
            if b is None:
                sizes.append(0)
                continue
            rows = b["rows"]
            if q != self.k:
                self._absorb(q, b["delta"])
                st, sb = self.tr[q][0], self.tr[q][2]
                rows = np.concatenate([st[rows[:, :n]], sb[rows[:, n:]]], axis=1)
            parts.append(rows)
            parents.append(b["parent"])
            pranks.append(b["prank"])
            sizes.append(len(rows))
        nxt = self.level_start[-1]
        codes = np.zeros(0, dtype=np.int32)
        if parts:
            S = parts[0] if len(parts) == 1 else np.concatenate(parts)
            h = row_hash(S)
            uh, inv, first = distinct(h)
            found = self.index.lookup_distinct(uh)
            if not np.array_equal(S[first[inv]], S):
                raise HashCollision("two new configurations share a 64-bit hash")
            hit = np.flatnonzero(found >= 0)
            if hit.size and not np.array_equal(self.rows.data[found[hit]], S[first[hit]]):
                raise HashCollision("two configurations share a 64-bit hash")
            newg = np.flatnonzero(found < 0)
            firsts = first[newg]
            by_first = np.argsort(firsts)
            rank = np.empty(len(newg), dtype=np.int64)
            rank[by_first] = np.arange(len(newg))
            base = self.rows.size
            found[newg] = base + rank
            reps = firsts[by_first]
            self._add(S[reps], uh[newg], base + rank, _take(parents, reps), _take(pranks, reps))
            # the code of each group: an id (stored in an earlier level), or the rank in the
            # next level here (numbered when the level closes)
            gcode = np.empty(len(found), dtype=np.int64)
            later = found >= nxt
            gcode[later] = -(1 + (found[later] - nxt) * K + self.k)
            if not later.all():
                gcode[~later] = self.ids_of(found[~later])
            fits = len(gcode) == 0 or (gcode.min() >= -2**31 and gcode.max() < 2**31)
            codes = gcode.astype(np.int32 if fits else np.int64)[inv]
        out: list[Any] = []
        at = 0
        for size in sizes:
            out.append(codes[at:at + size] if size else None)
            at += size
        self.own_reply = out[self.k]
        out[self.k] = None
        return [*out, self.rows.size - nxt]

    @timed
    def finish_level(self, level_base: int, part_base: list[int], *replies: Any) -> int:
        """Close the level: apply the last replies, number the next level (its bases given),
        and turn the codes of its configurations into ids. Returns my count of it."""
        if self.pending is not None:
            self._apply(list(replies))
        self.set_level(level_base, part_base)
        bases = level_base + np.asarray(part_base, dtype=np.int64)
        for a in range(self.edges_done, self.dst.size, FIX_CHUNK):  # bounded temporaries
            seg = self.dst.data[a:min(a + FIX_CHUNK, self.dst.size)]
            neg = np.flatnonzero(seg < 0)
            if neg.size:
                c = -seg[neg].astype(np.int64) - 1
                seg[neg] = bases[c % self.K] + c // self.K
        self.edges_done = self.dst.size
        self.level_start.append(self.rows.size)
        return self.rows.size - self.level_start[-2]

    def close(self) -> None:
        """The search stopped: the configurations not expanded so far never will be."""
        missing = self.rows.size - self.expanded.size
        if missing > 0:
            self.expanded.extend(np.zeros(missing, dtype=bool))
            self.counts.extend(np.zeros(missing, dtype=np.int32))

    # -- after the search ---------------------------------------------------------------------

    def drop_index(self) -> None:
        """Free the row index (the analyses do not need it)."""
        self.index.clear()

    def summary(self) -> dict[str, Any]:
        """Counts, the first decision change, cuts, memory (bytes of the arrays and RSS)."""
        arrays = {name: getattr(self, name).view.nbytes for name in
                  ("rows", "parent", "prank", "decided", "expanded", "counts", "dst", "event")}
        arrays["index"] = self.index.nbytes
        return {"k": self.k, "configurations": self.rows.size, "events": self.dst.size,
                "change": self.change, "cut_first": dict(self.cut_first), "arrays": arrays,
                "rss": current_rss(), "rss_start": self.rss_start,
                "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "pid": os.getpid(), "timers": dict(self.timers),
                "cpu": sum(os.times()[:2]),
                "tables": (len(self.table.states), len(self.table.messages), len(self.buffers))}

    def export(self) -> dict[str, Any]:
        """Everything the gathering process needs to rebuild the graph: the arrays (local
        order, edge targets as ids, events in my ids) and my tables' values."""
        t = self.table
        return {"rows": self.rows.view, "parent": self.parent.view, "prank": self.prank.view,
                "decided": self.decided.view, "expanded": self.expanded.view,
                "counts": self.counts.view, "dst": self.dst.view, "event": self.event.view,
                "ids": self.ids_of(np.arange(self.rows.size)),
                "states": t.states, "messages": [(d, t.payloads[pl]) for d, pl in t.messages],
                "buffers": self.buffers}

    def trim(self, levels: int) -> None:
        """Forget the configurations past the first ``levels`` levels and the edges of the
        last one kept (after an error: the graph up to the configuration that met it)."""
        keep = self.level_start[levels]
        expanded = self.level_start[levels - 1]
        for arr in (self.rows, self.parent, self.prank, self.decided):
            arr.truncate(keep)
        self.expanded.truncate(expanded)
        self.counts.truncate(expanded)
        self.dst.truncate(int(self.counts.view.sum()))
        self.event.truncate(self.dst.size)
        self.level_start = self.level_start[:levels + 1]
        self.pending = None


def _take(arrays: list[npt.NDArray[np.integer]], at: IntArray) -> npt.NDArray[np.integer]:
    """``np.concatenate(arrays)[at]`` without the concatenation when there is one array."""
    return arrays[0][at] if len(arrays) == 1 else np.concatenate(arrays)[at]


LOSE_ENV = "FLPCHECK_TEST_LOSE_WORKER"
"""Test hook: ``K:LEVEL:FILE`` kills the process of partition K (SIGKILL) when it starts
expanding level LEVEL, once: FILE is created then, and its existence stops a second kill (the
replacement worker reads the same environment)."""


def _lost_here(k: int, level: int) -> None:
    wanted = os.environ.get(LOSE_ENV)
    if not wanted:
        return
    part, at, marker = wanted.split(":", 2)
    if int(part) == k and int(at) == level and not os.path.exists(marker):
        import signal

        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
