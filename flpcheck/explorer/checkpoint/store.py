"""A checkpoint directory and when to write to it: :class:`Checkpoint`.

The engines call :meth:`Checkpoint.at_boundary` between blocks (the batch engine) or levels
(the partition engine); when it answers True they save what they added since the last
checkpoint through :meth:`Checkpoint.save`, which writes the manifest last (see
:mod:`.files`). Without ``every`` a checkpoint is due when both 5 s and a tenth of the run's
time have passed since the last one, and ten times what the last one took: the work a kill
loses stays under a tenth of the run, and writing under a tenth of it. What happens is told
through ``notice`` (:class:`Notice`: a level reached, a checkpoint written or resumed).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from ...errors import CheckpointError
from .files import MANIFEST, crash_point, read_manifest, write_manifest
from .identity import FORMAT, identity_differences

__all__ = ["Checkpoint", "Notice", "Writer", "checkpoint_bytes", "MAX_SEGMENTS"]

MIN_EVERY = 5.0
"""Seconds between checkpoints at least, unless ``every`` says otherwise."""
SHARE = 0.1
"""Without ``every``: a checkpoint waits for this share of the run's time since the last."""
MAX_SEGMENTS = 32
"""Past this many segments per writer, the next checkpoint writes everything again in one
(and the older files are deleted once its manifest is written)."""
_OURS = re.compile(r"(seg-\d+-\w+\.bin|manifest\.json)(\.tmp)?$")


@dataclass(frozen=True)
class Notice:
    """Something a checkpointed run tells as it goes: ``kind`` is ``level`` (a level was
    reached), ``written`` (a checkpoint was written), ``resumed`` (the run goes on from one),
    ``kept`` (the run stopped; the last checkpoint written stays the one to resume),
    ``recovered`` (a lost worker was replaced, every partition reloaded from the last
    checkpoint: ``note`` names it) or
    ``failed`` (a checkpoint could not be written: ``note`` says why; the last one stays). A
    checkpoint written when a stop ended the search has the stop in ``note``; ``finished``
    says the search ended by itself (everything explored, or cut by a bound)."""

    kind: str
    directory: str
    level: int
    configurations: int
    expanded: int
    seconds: float
    sequence: int = 0  # the checkpoint written, resumed or kept (0: none yet)
    bytes: int = 0  # its size on disk
    took: float = 0.0
    finished: bool = False
    note: str = ""


class Writer(Protocol):
    """What an engine gives :meth:`Checkpoint.save`: it writes its segments for checkpoint
    ``sequence`` (what it added since its last checkpoint; everything again past
    :data:`MAX_SEGMENTS` segments) and returns every file the checkpoint is made of and the
    engine's state; :meth:`commit` is called once the manifest naming them is written."""

    def write(self, directory: Path, sequence: int
              ) -> tuple[list[dict[str, Any]], dict[str, Any]]: ...

    def commit(self) -> None: ...


class Checkpoint:
    """The checkpoint directory of one run (``resume``: go on from the checkpoint in it).

    >>> import tempfile
    >>> ck = Checkpoint(tempfile.mkdtemp(), every=60.0)
    >>> ck.every, ck.resume
    (60.0, False)
    """

    def __init__(self, directory: str | os.PathLike[str], every: float | None = None,
                 resume: bool = False, notice: Callable[[Notice], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.directory = Path(directory).resolve()
        self.every = every
        self.resume = resume
        self.notice = notice
        self.clock = clock
        self.started = clock()
        self.last_write = self.started
        self.last_cost = 0.0
        self.identity: dict[str, Any] = {}
        #: the manifest of the last checkpoint written or resumed (None before the first)
        self.manifest: dict[str, Any] | None = None
        self.sequence = 0
        self.manifest_bytes = 0  # the size of the manifest of self.manifest
        self.opened = self.started
        self.shown_level = -1
        self.shown_at = float("-inf")
        self._lock: int | None = None

    # -- opening -----------------------------------------------------------------------------

    def begin(self, identity: dict[str, Any]) -> dict[str, Any] | None:
        """Open the directory for a run exploring ``identity`` (what the manifest compares: the
        model, N, the inputs, the bounds, the reductions, the engine, flpcheck's version).
        Returns the manifest to go on from when resuming (its identity checked: every
        difference named in a :class:`CheckpointError`), None for a fresh run (refused where a
        checkpoint already is)."""
        self.identity = identity
        self.opened = self.clock()
        d = self.directory
        if self.resume:
            found = read_manifest(d) if d.is_dir() else None
            if found is None:
                raise CheckpointError(f"--resume {d}: no checkpoint there (no {MANIFEST}); a "
                                      "run killed before its first checkpoint left nothing to "
                                      "resume: start it again with --checkpoint")
            differences = identity_differences(found, identity)
            if differences:
                raise CheckpointError(
                    f"--resume {d}: the checkpoint was written for another graph: "
                    + "; ".join(differences) + ". Resume with the model and options it was "
                    f"written with (flpcheck checkpoint info {d} lists them), or start again "
                    "with --checkpoint and another directory")
            self._take_lock()
            self.manifest = found
            self.manifest_bytes = (d / MANIFEST).stat().st_size
            self.sequence = found["sequence"]
            self._clean()
            return found
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise CheckpointError(f"--checkpoint {d}: cannot create it ({err})") from None
        if not os.access(d, os.W_OK):
            raise CheckpointError(f"--checkpoint {d}: not writable")
        found = read_manifest(d)
        if found is not None:
            p = found["progress"]
            raise CheckpointError(
                f"--checkpoint {d}: it already holds a checkpoint ({found['model']['class']}, "
                f"N={found['graph']['processes']}, level {p['level']}, "
                f"{p['configurations']:,} configurations): resume it with --resume {d}, or "
                "give an empty directory")
        self._take_lock()
        self._clean()
        return None

    def _take_lock(self) -> None:
        path = self.directory / "lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip()
            os.close(fd)
            raise CheckpointError(f"{self.directory}: in use by another flpcheck run"
                                  + (f" (process {holder})" if holder else "")) from None
        except OSError:  # a file system without locks: go on without one
            pass
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock = fd

    def close(self) -> None:
        """Release the directory (the files stay)."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _clean(self) -> None:
        """Delete the files of ours no manifest names (writes cut short, older segments)."""
        keep = {f["name"] for f in (self.manifest or {}).get("files", ())} | {MANIFEST}
        for path in self.directory.iterdir():
            if _OURS.match(path.name) and path.name not in keep:
                try:
                    path.unlink()
                except OSError:
                    pass

    # -- during the run ----------------------------------------------------------------------

    def at_boundary(self, level: int, configurations: int, expanded: int) -> bool:
        """Called between blocks or levels (``level``: the depth being expanded): True when a
        checkpoint is due now. Tells each new level (at most one line a second)."""
        crash_point("boundary")
        now = self.clock()
        due = self.due(now)
        if level > self.shown_level and not due and now - self.shown_at >= 1.0:
            self.shown_level, self.shown_at = level, now
            self._tell("level", level, configurations, expanded)
        return due

    def due(self, now: float | None = None) -> bool:
        """True when a checkpoint is due (see the module docstring)."""
        now = self.clock() if now is None else now
        since = now - self.last_write
        if self.every is not None:
            return since >= self.every
        return since >= max(MIN_EVERY, SHARE * (now - self.started), 10 * self.last_cost)

    def require_manifest(self) -> dict[str, Any]:
        """The manifest of the checkpoint resumed (read by :meth:`begin`)."""
        if self.manifest is None:
            raise CheckpointError(f"{self.directory}: no checkpoint opened")
        return self.manifest

    def save(self, writer: Writer, progress: dict[str, Any], *, stopped: str = "") -> bool:
        """Write a checkpoint: the writer's segments, then the manifest (``progress``: the
        level, counts, whether the search ``finished`` and its cuts; ``stopped``: the stop
        that ended the search, if one did). False, with a ``failed`` notice, when the disk
        refused (the last checkpoint stays the one to resume)."""
        started = self.clock()
        sequence = self.sequence + 1
        try:
            files, state = writer.write(self.directory, sequence)
            crash_point("segment")
            body = {**self.identity, "format": FORMAT, "sequence": sequence,
                    "written": datetime.now(UTC).isoformat(timespec="seconds"),
                    "progress": progress, "files": files, "state": state}
            size = write_manifest(self.directory, body)
        except OSError as err:
            self._tell("failed", progress["level"], progress["configurations"],
                       progress["expanded"], note=f"{err.strerror or err}: {err.filename}"
                       if err.filename else str(err))
            self.last_write = self.clock()
            return False
        crash_point("manifest")
        writer.commit()
        self.sequence = sequence
        self.manifest = json.loads(json.dumps(body))  # as read back: nothing shared with the run
        self.manifest_bytes = size
        self._clean()
        self.last_write = self.clock()
        self.last_cost = self.last_write - started
        self._tell("written", progress["level"], progress["configurations"],
                   progress["expanded"], sequence=sequence,
                   size=size + sum(f["bytes"] for f in files), took=self.last_cost,
                   finished=bool(progress.get("finished")), note=stopped)
        return True

    def told_resumed(self) -> None:
        """Tell that the run goes on from the manifest read by :meth:`begin` (loaded since)."""
        m = self.require_manifest()
        p = m["progress"]
        self.last_write = self.clock()
        self.shown_level = p["level"]
        self._tell("resumed", p["level"], p["configurations"], p["expanded"],
                   sequence=m["sequence"], size=checkpoint_bytes(m) + self.manifest_bytes,
                   took=self.last_write - self.opened, finished=bool(p.get("finished")))

    def recovered(self, lost: list[int], why: str) -> None:
        """Tell that workers were lost and replaced, the run reloaded from the last
        checkpoint (or started again when there was none)."""
        m = self.manifest
        p = m["progress"] if m is not None else {"level": 0, "configurations": 0,
                                                 "expanded": 0}
        self._tell("recovered", p["level"], p["configurations"], p["expanded"],
                   note=f"worker{'s' if len(lost) > 1 else ''} "
                        f"{', '.join(f'p{k}' for k in lost) or '?'} lost ({why})")

    def kept(self, level: int, configurations: int, expanded: int, why: str) -> None:
        """Tell that the run stopped and the last checkpoint written stays (``why``)."""
        self._tell("kept", level, configurations, expanded, note=why)

    def _tell(self, kind: str, level: int, configurations: int, expanded: int, *,
              sequence: int | None = None, size: int | None = None, took: float = 0.0,
              finished: bool = False, note: str = "") -> None:
        if self.notice is not None:
            m = self.manifest
            if size is None:
                size = 0 if m is None else checkpoint_bytes(m) + self.manifest_bytes
            self.notice(Notice(kind, str(self.directory), level, configurations, expanded,
                               self.clock() - self.started,
                               self.sequence if sequence is None else sequence, size, took,
                               finished, note))


def checkpoint_bytes(manifest: dict[str, Any]) -> int:
    """The size of a checkpoint on disk: its segments (the manifest aside)."""
    return sum(f["bytes"] for f in manifest["files"])
