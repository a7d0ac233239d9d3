"""``flpcheck checkpoint info``'s value: a checkpoint's manifest and what it says of the run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import CheckpointError
from .files import MANIFEST, read_manifest, verify_file
from .store import checkpoint_bytes

__all__ = ["CheckpointInfo", "checkpoint_info"]


@dataclass(frozen=True)
class CheckpointInfo:
    """A checkpoint directory's manifest (``manifest``, its checksum verified), its size on
    disk (``bytes``, the manifest included), the engine and the progress in words, whether
    the input vectors are all of them, and whether every file was read and checked."""

    directory: Path
    manifest: dict[str, Any]
    bytes: int
    engine: str
    progress: str
    all_inputs: bool
    checked: bool


def checkpoint_info(directory: str | Path, check: bool = False) -> CheckpointInfo:
    """The checkpoint in ``directory``; ``check`` reads every file it names and verifies its
    size and checksum (a :class:`~flpcheck.errors.CheckpointError` naming the first that
    differs)."""
    d = Path(directory)
    m = read_manifest(d) if d.is_dir() else None
    if m is None:
        raise CheckpointError(f"{d}: no checkpoint there (no {MANIFEST})")
    if check:
        for entry in m["files"]:
            verify_file(d, entry)
    p, e = m["progress"], m["engine"]
    engine = (f"the partition engine on {e['workers']} workers" if e["name"] == "partition"
              else f"the {e['name']} engine, one process")
    if p.get("finished"):
        state = f"the exploration is finished: {p['configurations']:,} configurations"
    else:
        stop = next((r for r in p["cut_reasons"] if r in ("interrupted", "timeout",
                                                          "max-memory")), None)
        state = (f"{'stopped (' + stop + ')' if stop else 'exploring'} at level {p['level']}: "
                 f"{p['configurations']:,} configurations, {p['expanded']:,} expanded, "
                 f"{p['configurations'] - p['expanded']:,} to expand")
    progress = f"{state}, {p['events']:,} events"
    n = m["graph"]["processes"]
    size = checkpoint_bytes(m) + (d / MANIFEST).stat().st_size
    return CheckpointInfo(d.resolve(), m, size, engine, progress,
                          len(m["graph"]["inputs"]) == 2 ** n, check)
