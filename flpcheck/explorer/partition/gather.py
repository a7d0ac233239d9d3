"""The partitions' graph rebuilt in one process, as an ordinary :class:`StateSpace`.

Each partition exports its arrays in its own ids (:meth:`Partition.export`); here every local
state, message and sub-buffer is interned once more in the space's table (by type and value),
rows and events are translated, and the edge lists are placed at their configurations' global
ids. Parents become edge ids: the parent's first edge plus the edge's rank among its edges.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .._storage import _SIGNED, _UNSIGNED
from ..buffers import BufferTable
from ..statespace import StateSpace

__all__ = ["install_gathered", "gathered_bytes"]


def gathered_bytes(configurations: int, events: int, n: int) -> int:
    """About how many bytes the gathered graph takes (arrays of a StateSpace, the row index
    built for look-ups, and the temporaries of gathering it)."""
    per_config = 2 * n * 2 + 4 + 4 + 8 + 1 + 1 + 8 + 12
    return configurations * per_config + events * (4 + 2 + 8)


def _narrow(a: npt.NDArray[np.integer]) -> npt.NDArray[np.integer]:
    """``a`` in the narrowest of the types the explorer's growable arrays widen through."""
    hi = int(a.max()) if a.size else 0
    lo = int(a.min()) if a.size else 0
    for t in (_SIGNED if lo < 0 else _UNSIGNED):
        if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max:
            return a.astype(t)
    return a


def install_gathered(space: StateSpace, exports: list[dict[str, Any]],
                     level_base: npt.NDArray[np.int64], change: tuple[int, int] | None) -> None:
    """Fill ``space`` (empty, with its own table) from the partitions' exports."""
    n = space.n
    table = space.table
    bufs = BufferTable(space.buffers, table.messages, n)
    bufs.id(())
    total = sum(len(e["rows"]) for e in exports)
    rows = np.zeros((total, 2 * n), dtype=np.int64)
    decided = np.zeros(total, dtype=np.uint8)
    expanded = np.zeros(total, dtype=bool)
    counts = np.zeros(total, dtype=np.int64)
    parent = np.full(total, -1, dtype=np.int64)
    prank = np.zeros(total, dtype=np.int64)
    what = "(gathered from a partition)"
    msg_tr = []
    for e in exports:
        ids = np.asarray(e["ids"], dtype=np.int64)
        st = np.array([table.state_id(v, pid=-1, what=what) for v in e["states"]] or [0],
                      dtype=np.int64)
        mt = np.array([table.message_id(d, pl, pid=-1, what=what) for d, pl in e["messages"]]
                      or [0], dtype=np.int64)
        bt = np.array([bufs.id(tuple(sorted(int(mt[m]) for m in b))) for b in e["buffers"]]
                      or [0], dtype=np.int64)
        msg_tr.append(mt)
        r = np.asarray(e["rows"], dtype=np.int64)
        if len(r):
            rows[ids, :n] = st[r[:, :n]]
            rows[ids, n:] = bt[r[:, n:]]
        decided[ids] = e["decided"]
        expanded[ids] = e["expanded"]
        counts[ids] = e["counts"]
        parent[ids] = e["parent"]
        prank[ids] = e["prank"]
    indptr = np.zeros(total + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    events = int(indptr[-1])
    edge_dst = np.zeros(events, dtype=np.int64)
    edge_event = np.zeros(events, dtype=np.int64)
    for e, mt in zip(exports, msg_tr, strict=True):
        local_counts = np.asarray(e["counts"], dtype=np.int64)
        if not local_counts.sum():
            continue
        ids = np.asarray(e["ids"], dtype=np.int64)
        local_first = np.cumsum(local_counts) - local_counts
        src = np.repeat(np.arange(len(local_counts)), local_counts)
        pos = indptr[ids[src]] + (np.arange(len(src)) - local_first[src])
        edge_dst[pos] = e["dst"]
        ev = np.asarray(e["event"], dtype=np.int64)
        msg = ev >= n
        ev[msg] = n + mt[ev[msg] - n]
        edge_event[pos] = ev
    has = parent >= 0
    parent_edge = np.full(total, -1, dtype=np.int64)
    parent_edge[has] = indptr[parent[has]] + prank[has]
    space.rows = _narrow(rows)
    space.indptr = indptr.astype(np.int32) if events < 2**31 else indptr
    space.edge_dst = edge_dst.astype(np.int32) if total < 2**31 else edge_dst
    space.edge_event = _narrow(edge_event)
    space.depth = (np.searchsorted(level_base, np.arange(total), side="right") - 1).astype(np.int32)
    space.parent_edge = parent_edge.astype(np.int32) if events < 2**31 else parent_edge
    space.decided = decided
    space.expanded = expanded
    if change is not None:
        space.decision_change_edge = int(indptr[change[0]]) + change[1]
