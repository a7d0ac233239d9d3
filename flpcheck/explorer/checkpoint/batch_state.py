"""The batch engine's checkpoints: what it added since the last one, and its restoring.

Between two blocks the batch engine's state is exactly: its append-only arrays (per
configuration: ``rows``, ``depth``, ``parent``, ``decided``, ``orbit``; per configuration
expanded: ``expanded``, ``counts``; per edge: ``dst``, ``event``, ``outcome``, ``prob``), how
many configurations it expanded (the next one to expand is that id: breadth-first order), the
local table and the sub-buffers (ids of user values), and a few scalars (the initial
configurations, the bounds that cut, the first decision change). Everything else (the row
index, the memo of moves, symmetry's and the partial-order reduction's memos) is rebuilt from
these. A checkpoint adds one segment of arrays (``seg-N-main.bin``: each array from where the
last checkpoint left it) and one of values (``seg-N-values.bin``: the table's and sub-buffers'
additions, pickled).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import CheckpointError
from ...model.table import LocalTable
from .._storage import Growable
from .files import read_segment, write_segment
from .store import MAX_SEGMENTS
from .values import check_steps, dump_values, load_values

if TYPE_CHECKING:
    from ..statespace import StateSpace

_BatchRun = Any
"""The batch engine's run (``flpcheck.explorer.batch._BatchRun``; not imported: that module
imports this one)."""

__all__ = ["BatchWriter", "restore_values", "restore_batch", "STREAMS"]

STREAMS = ("rows", "depth", "parent", "decided", "orbit", "expanded", "counts", "dst", "event",
           "outcome", "prob")
"""The batch engine's growable arrays a checkpoint saves (``orbit`` under symmetry, ``outcome``
and ``prob`` once a step is left to chance)."""
STOPS = ("interrupted", "timeout", "max-memory")
"""Cuts that are stops, not bounds: a resumed run goes on past them."""


class BatchWriter:
    """Writes the checkpoints of one batch run (:class:`~flpcheck.explorer.checkpoint.store.
    Writer`); ``files``, ``sizes`` and ``cursor`` are what the last committed checkpoint holds
    (a resumed run's)."""

    def __init__(self, run: _BatchRun, files: list[dict[str, Any]] | None = None,
                 sizes: dict[str, int] | None = None,
                 cursor: tuple[int, ...] | None = None, buffers: int = 0) -> None:
        self.run = run
        self.files = list(files or [])
        self.sizes = dict(sizes or {})
        self.cursor = cursor
        self.buffers = buffers
        self.expanded = 0
        self.finished = False
        self._pending: tuple[Any, ...] | None = None

    def write(self, directory: Path, sequence: int
              ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        run = self.run
        full = len(self.files) >= 2 * MAX_SEGMENTS
        arrays, sizes, dtypes = {}, {}, {}
        for name in STREAMS:
            grow: Growable | None = getattr(run, name)
            if grow is None or (name == "orbit" and run.sym is None):
                continue
            start = 0 if full else self.sizes.get(name, 0)
            arrays[name] = grow.view[start:]
            sizes[name], dtypes[name] = grow.size, grow.data.dtype.str
        main = write_segment(directory / f"seg-{sequence:06d}-main.bin", arrays)
        part = run.table.export(None if full else self.cursor)
        part["buffers"] = run.space.buffers[0 if full else self.buffers:]
        part["buffers_from"] = 0 if full else self.buffers
        values = write_segment(directory / f"seg-{sequence:06d}-values.bin",
                               {"values": dump_values(run.table, part)})
        files = [main, values] if full else [*self.files, main, values]
        sp = run.space
        state = {"expanded": self.expanded, "streams": sizes, "dtypes": dtypes,
                 "width": 2 * run.n, "initial": [[list(x), cid] for x, cid in sp.initial],
                 "cut_reasons": [r for r in sp.cut_reasons if r not in STOPS],
                 "decision_change_edge": sp.decision_change_edge,
                 "cursor": list(run.table.cursor()), "buffers": len(sp.buffers),
                 "finished": self.finished}
        self._pending = (files, sizes, run.table.cursor(), len(sp.buffers))
        return files, state

    def commit(self) -> None:
        assert self._pending is not None
        self.files, self.sizes, self.cursor, self.buffers = self._pending
        self._pending = None


def restore_values(directory: Path, manifest: dict[str, Any], table: LocalTable,
                   buffers: list[tuple[int, ...]]) -> None:
    """Fill a fresh table and list of sub-buffers from a checkpoint's values segments (in
    order), under the ids they had; then call a sample of the memoized steps again."""
    saved_module = manifest["model"]["module"]
    for entry in manifest["files"]:
        if not entry["name"].endswith("-values.bin"):
            continue
        part = load_values(read_segment(directory, entry)["values"], saved_module, table)
        table.restore(part)
        if part["buffers_from"] != len(buffers):
            raise CheckpointError(f"{directory / entry['name']}: its sub-buffers are out of "
                                  "order")
        buffers.extend(tuple(b) for b in part["buffers"])
    state = manifest["state"]
    if list(table.cursor()) != state["cursor"] or len(buffers) != state["buffers"]:
        raise CheckpointError(f"{directory}: the tables loaded are not those the manifest "
                              "describes: the checkpoint cannot be resumed")
    check_steps(table)


def restore_batch(run: _BatchRun, directory: Path, manifest: dict[str, Any]) -> BatchWriter:
    """Fill a fresh batch run (its table and sub-buffers restored already) from a checkpoint:
    its arrays, the row index rebuilt, the space's scalars; returns the writer that goes on."""
    state = manifest["state"]
    sizes, dtypes = state["streams"], state["dtypes"]
    grows: dict[str, Growable] = {}
    for name, size in sizes.items():
        grow = Growable(np.dtype(dtypes[name]), state["width"] if name == "rows" else None)
        grow.data = np.zeros((size, *grow.data.shape[1:]), dtype=np.dtype(dtypes[name]))
        grows[name] = grow
    for entry in manifest["files"]:
        if entry["name"].endswith("-main.bin"):
            _read_streams(directory, entry, grows)
    for name, grow in grows.items():
        if grow.size != sizes[name]:
            raise CheckpointError(f"{directory}: {name} holds {grow.size:,} entries, the "
                                  f"manifest says {sizes[name]:,}: the checkpoint cannot be "
                                  "resumed")
        setattr(run, name, grow)
    expanded = state["expanded"]
    if run.expanded.size != expanded or run.counts.size != expanded:
        raise CheckpointError(f"{directory}: the arrays do not agree with each other: the "
                              "checkpoint cannot be resumed")
    rows = run.rows.view
    if len(rows) and not state["finished"]:  # (a finished search looks nothing up)
        run.index.add_rows(rows)
    _restore_space(run.space, state)
    writer = BatchWriter(run, manifest["files"], sizes, tuple(state["cursor"]),
                         state["buffers"])
    writer.expanded = expanded
    writer.finished = state["finished"]
    return writer


def _read_streams(directory: Path, entry: dict[str, Any], grows: dict[str, Growable]) -> None:
    """Append a segment's arrays to the growable arrays (allocated to their final size):
    read in place where the types agree, converted where an array widened since."""
    where = directory / entry["name"]
    slices: dict[str, tuple[int, int]] = {}

    def into(name: str, dtype: np.dtype, shape: tuple[int, ...]) -> Any:
        grow = grows.get(name)
        if grow is None or shape[1:] != grow.data.shape[1:]:
            raise CheckpointError(f"{where}: an array the manifest does not describe ({name})")
        lo = grow.size
        grow.size = lo + shape[0]
        if grow.size > len(grow.data):
            raise CheckpointError(f"{where}: {name} longer than the manifest says")
        slices[name] = (lo, grow.size)
        return grow.data[lo:grow.size] if dtype == grow.data.dtype else None

    for name, values in read_segment(directory, entry, into).items():
        lo, hi = slices[name]
        grows[name].data[lo:hi] = values


def _restore_space(space: StateSpace, state: dict[str, Any]) -> None:
    space.initial = [(tuple(x), cid) for x, cid in state["initial"]]
    space.cut_reasons = list(state["cut_reasons"])
    space.decision_change_edge = state["decision_change_edge"]
