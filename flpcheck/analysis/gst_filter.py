"""The rules after GST (:mod:`flpcheck.analysis.gst`) as vectorized tests on configuration rows.

The searches use these: :class:`PostGSTFilter` is the :data:`~flpcheck.explorer.restricted.EventFilter`
of the post-GST exploration and the edge mask of an explored graph; :class:`Terminal` says which
configurations count as decided (:mod:`flpcheck.model.termination`) for a crash set. A row is N
local state ids, then N sub-buffer ids (the messages in transit to each process; id 0 is the
empty sub-buffer).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..explorer.statespace import StateSpace
from ..model.calls import CheckedCalls
from ..model.suspicion import Suspicions
from ..model.table import LocalTable
from .gst import GSTRules

__all__ = ["PostGSTFilter", "Terminal", "edge_mask", "OutputTable"]

Rows = npt.NDArray[np.integer]


class OutputTable:
    """For every process, whether each interned local state has an output (grown on demand)."""

    def __init__(self, calls: CheckedCalls) -> None:
        self.calls = calls
        self.known = [np.zeros(0, dtype=bool) for _ in range(calls.n)]

    def defined(self, p: int, sids: npt.NDArray[np.integer]) -> npt.NDArray[np.bool_]:
        """Whether process p has decided in each state of ``sids``."""
        have = self.known[p]
        need = len(self.calls.states)
        if len(have) < need:
            more = np.array([self.calls.output(p, s) is not None for s in range(len(have), need)],
                            dtype=bool)
            have = self.known[p] = np.concatenate([have, more])
        return have[np.asarray(sids, dtype=np.int64)]


class Terminal:
    """Which rows count as decided for crash set ``crashed``: some process decided
    (``some``), or every process outside ``crashed`` (``all``)."""

    def __init__(self, outputs: OutputTable, termination: str, crashed: frozenset[int]) -> None:
        self.outputs, self.termination, self.crashed = outputs, termination, crashed
        self.n = outputs.calls.n

    def __call__(self, rows: Rows) -> npt.NDArray[np.bool_]:
        rows = np.asarray(rows)
        if self.termination == "some":
            out = np.zeros(len(rows), dtype=bool)
            for p in range(self.n):
                out |= self.outputs.defined(p, rows[:, p])
            return out
        out = np.ones(len(rows), dtype=bool)
        for p in range(self.n):
            if p not in self.crashed:
                out &= self.outputs.defined(p, rows[:, p])
        return out


class PostGSTFilter:
    """The events allowed after GST with ``crashed`` crashed, under ``rules`` (with the trusted
    process chosen, in detector mode)."""

    def __init__(self, table: LocalTable, rules: GSTRules, crashed: frozenset[int],
                 suspicions: Suspicions | None = None) -> None:
        self.table, self.rules, self.crashed = table, rules, crashed
        self.n = table.n
        self.live = [q for q in range(self.n) if q not in crashed]
        self.suspicions = suspicions
        if rules.detector and (suspicions is None or rules.trusted is None):
            raise ValueError("detector mode needs the suspicions and the trusted process")
        self._pids = np.zeros(0, dtype=np.int16)

    def pids(self, eids: npt.NDArray[np.integer]) -> npt.NDArray[np.int16]:
        """The process of every event id."""
        if len(self._pids) < self.n + len(self.table.messages):
            self._pids = np.array(self.table.event_pids(), dtype=np.int16)
        return self._pids[eids]

    def __call__(self, rows: Rows, eids: npt.NDArray[np.integer]) -> npt.NDArray[np.bool_]:
        n, rules = self.n, self.rules
        rows = np.asarray(rows)
        eids = np.asarray(eids)
        pid = self.pids(eids)
        ok = np.ones(len(eids), dtype=bool)
        if self.crashed:
            ok &= ~np.isin(pid, sorted(self.crashed))
        null = np.flatnonzero((eids < n) & ok)
        if not null.size:
            return ok
        p = pid[null].astype(np.int64)
        good = np.ones(len(null), dtype=bool)
        if rules.detector:
            states = rows[null, p].astype(np.int64)
            keys = p * (1 << 32) + states
            uniq, inv = np.unique(keys, return_inverse=True)
            assert self.suspicions is not None
            trusted = rules.trusted
            bad = np.array([trusted in self.suspicions(int(k >> 32), int(k & 0xFFFFFFFF))
                            for k in uniq.tolist()], dtype=bool)
            good &= ~bad[inv.reshape(-1)]
        else:
            if rules.leader is not None:
                good &= p == rules.leader
            if rules.timeouts == "quiet":
                for q in self.live:
                    good &= rows[null, n + q] == 0
            else:
                good &= rows[null, n + p] == 0
        ok[null] = good
        return ok


def edge_mask(space: StateSpace, allow: PostGSTFilter) -> npt.NDArray[np.bool_]:
    """The edges of an explored ``space`` that ``allow`` lets through, a block of
    configurations at a time (the temporaries stay small whatever the size of the graph)."""
    out = np.zeros(space.num_events, dtype=bool)
    indptr = space.indptr
    block = 1 << 17
    for lo in range(0, len(space), block):
        hi = min(len(space), lo + block)
        a, b = int(indptr[lo]), int(indptr[hi])
        if a == b:
            continue
        counts = np.diff(indptr[lo:hi + 1])
        src = np.repeat(np.arange(lo, hi, dtype=np.int32), counts)
        out[a:b] = allow(space.rows[src], space.edge_event[a:b])
    return out
