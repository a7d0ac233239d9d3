"""A partition's checkpoints (the partition engine): each partition writes its own segment,
where it runs (a Ray worker writes to the checkpoint directory, a path every node reaches).

Between two levels a partition's state is its append-only arrays (rows, parents, edges,
decision bits, the fingerprints of its values), the translations of its peers' ids to its own,
its local table and sub-buffers, and a few lists and scalars (where each level starts, the
global numbering of each level, how much of its tables each peer has been sent, the cuts and
the counts Lemma 1 and the valence use). One segment per checkpoint holds what it added since
the last (``seg-N-pK.bin``), its values pickled in it; the coordinator's manifest names every
partition's segments, so a checkpoint is complete only when all of them are written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...errors import CheckpointError
from .._storage import Growable
from .files import read_segment, write_segment
from .store import MAX_SEGMENTS
from .values import check_steps, dump_values, load_values

Partition = Any
"""A partition (``flpcheck.explorer.partition.worker.Partition``; not imported: that module
imports this one)."""

__all__ = ["save_partition", "commit_partition", "restore_partition", "PART_STREAMS"]

PART_STREAMS = ("rows", "parent", "prank", "decided", "expanded", "counts", "dst", "event",
                "fp_state", "fp_msg", "fp_buf")
"""A partition's growable arrays."""


def _streams(part: Partition) -> dict[str, Any]:
    """The partition's arrays by name: the growable ones and its peers' translations."""
    out: dict[str, Any] = {name: getattr(part, name).view for name in PART_STREAMS}
    for q in range(part.K):
        for i, kind in enumerate(("states", "messages", "buffers")):
            out[f"tr{q}_{kind}"] = part.tr[q][i]
    return out


def save_partition(part: Partition, directory: Path, sequence: int
                   ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Write partition ``part``'s segment of checkpoint ``sequence`` (what it added since its
    last committed checkpoint; everything past :data:`MAX_SEGMENTS` segments); returns its
    files and its state for the manifest. Called between two levels only."""
    if part.pending is not None:
        raise CheckpointError(f"partition {part.k}: a checkpoint in the middle of a level")
    saved = part.saved
    full = len(saved["files"]) >= MAX_SEGMENTS
    arrays, sizes, dtypes = {}, {}, {}
    for name, view in _streams(part).items():
        start = 0 if full else saved["sizes"].get(name, 0)
        arrays[name] = view[start:]
        sizes[name], dtypes[name] = len(view), view.dtype.str
    values = part.table.export(None if full else saved["cursor"])
    values["buffers"] = part.buffers[0 if full else saved["buffers"]:]
    values["buffers_from"] = 0 if full else saved["buffers"]
    arrays["values"] = dump_values(part.table, values)
    entry = write_segment(directory / f"seg-{sequence:06d}-p{part.k}.bin", arrays)
    files = [entry] if full else [*saved["files"], entry]
    state = {"k": part.k, "streams": sizes, "dtypes": dtypes, "width": 2 * part.n,
             "cursor": list(part.table.cursor()), "buffers": len(part.buffers),
             "level_start": list(part.level_start), "level_base": part.level_base.tolist(),
             "part_base": part.part_base.tolist(), "sent": part.sent,
             "edges_done": part.edges_done, "change": part.change,
             "cut_first": part.cut_first, "diamonds": part.diamonds, "back": part.back,
             "cross_levels": sorted(part.cross_levels)}
    part.saving = {"files": files, "sizes": sizes, "cursor": part.table.cursor(),
                   "buffers": len(part.buffers)}
    return files, state


def commit_partition(part: Partition) -> None:
    """The manifest naming the last segment written is on disk: the next checkpoint starts
    from there."""
    if part.saving is not None:
        part.saved, part.saving = part.saving, None


def restore_partition(part: Partition, directory: Path, files: list[dict[str, Any]],
                      state: dict[str, Any], saved_module: str) -> None:
    """Fill a fresh partition from its segments (in order) and its state."""
    sizes, dtypes = state["streams"], state["dtypes"]
    grows: dict[str, list[np.ndarray]] = {name: [] for name in sizes}
    for entry in files:
        arrays = read_segment(directory, entry)
        values = load_values(arrays.pop("values"), saved_module, part.table)
        part.table.restore(values)
        for at, b in enumerate(values["buffers"], start=values["buffers_from"]):
            if (part.buffers[at] != tuple(b) if at < len(part.buffers)
                    else part.bufs.id(tuple(b)) != at):
                raise CheckpointError(f"{directory / entry['name']}: its sub-buffers are out "
                                      "of order")
        for name, a in arrays.items():
            if name not in grows:
                raise CheckpointError(f"{directory / entry['name']}: an array the manifest "
                                      f"does not describe ({name})")
            grows[name].append(a)
    if list(part.table.cursor()) != state["cursor"] or len(part.buffers) != state["buffers"]:
        raise CheckpointError(f"{directory}: partition {part.k}'s tables are not those the "
                              "manifest describes: the checkpoint cannot be resumed")
    check_steps(part.table)
    joined = {}
    for name, pieces in grows.items():
        dtype = np.dtype(dtypes[name])
        width = state["width"] if name == "rows" else None
        whole = (np.concatenate([p.astype(dtype, copy=False) for p in pieces]) if pieces
                 else np.zeros((0,) if width is None else (0, width), dtype=dtype))
        if len(whole) != sizes[name]:
            raise CheckpointError(f"{directory}: partition {part.k}'s {name} holds "
                                  f"{len(whole):,} entries, the manifest says "
                                  f"{sizes[name]:,}: the checkpoint cannot be resumed")
        joined[name] = whole
    for name in PART_STREAMS:
        grow = Growable(np.dtype(dtypes[name]), state["width"] if name == "rows" else None)
        grow.data, grow.size = joined[name].copy(), len(joined[name])
        setattr(part, name, grow)
    part.tr = [[joined[f"tr{q}_{kind}"].copy() for kind in ("states", "messages", "buffers")]
               for q in range(part.K)]
    part.level_start = list(state["level_start"])
    part.level_base = np.array(state["level_base"], dtype=np.int64)
    part.part_base = np.array(state["part_base"], dtype=np.int64).reshape(-1, part.K)
    part.sent = [list(s) for s in state["sent"]]
    part.edges_done = state["edges_done"]
    part.change = None if state["change"] is None else tuple(state["change"])
    part.cut_first = dict(state["cut_first"])
    part.diamonds, part.back = state["diamonds"], state["back"]
    part.cross_levels = set(state["cross_levels"])
    rows = part.rows.view
    if len(rows):
        part.index.add_rows(rows)
    part.saved = {"files": list(files), "sizes": dict(sizes), "cursor": tuple(state["cursor"]),
                  "buffers": state["buffers"]}
    part.saving = None
