"""The partition engine: a breadth-first search level by level over K partitions.

Every partition (:class:`~flpcheck.explorer.partition.worker.Partition`) expands its part of the
frontier a chunk at a time and sends each candidate successor to its owner; the owners look
them up, number the new ones and reply; a level ends when every chunk is answered, and the
search when a level is empty everywhere. The partitions run in this process
(:class:`~flpcheck.explorer.partition.parts.LocalParts`: the tests, and one partition) or as Ray actors
(:mod:`flpcheck.explorer.partition.ray_parts`); the code is the same. After the search the graph is
gathered into one :class:`StateSpace` (:mod:`flpcheck.explorer.partition.gather`).

Supported: the full search, ``max_buffer`` and ``max_depth`` (cut marks as the batch engine
sets them), stops (timeout, memory, signals) at chunk boundaries, decision changes. Not
supported (the driver uses the batch engine and says so): ``max_configs``, symmetry and
partial-order reduction.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import CheckpointError, FLPCheckError, UsageError, WorkerLost
from ..checkpoint.store import Checkpoint
from ..engine import Engine, Progress, StopCheck
from ..statespace import StateSpace
from .gather import gathered_bytes, install_gathered
from .parts import LocalParts, Parts, Replaceable
from .worker import Partition

__all__ = ["PartitionEngine", "CHUNK"]

CHUNK = 1 << 16
"""Frontier configurations each partition expands per round (bounds the batches in flight)."""
RECOVERIES = 3
"""Workers lost in a row (no checkpoint written between) that a checkpointed run replaces;
one more ends the run."""
GATHER_UP_TO = 2_000_000
"""Graphs of at most this many configurations are gathered into one process at once (the
explore command searches them for a non-deciding run, which needs the whole graph); larger
ones stay on their partitions (:class:`~flpcheck.explorer.partition.space.PartitionedSpace`)."""


class PartitionEngine(Engine):
    """The level-synchronous search on ``workers`` partitions (in this process, or on Ray
    when ``ray`` is set: a local Ray started for the run, or the cluster at ``address``)."""

    name = "partition"
    checkpoints = True

    def __init__(self, workers: int = 1, ray: bool = False, address: str | None = None,
                 chunk: int = CHUNK, gather_limit: int | None = None,
                 gather_up_to: int = GATHER_UP_TO) -> None:
        if workers < 1:
            raise UsageError(f"--workers must be >= 1, got {workers}")
        self.workers = workers
        self.ray = ray
        self.address = address
        self.chunk = chunk
        self.gather_limit = gather_limit
        self.gather_up_to = gather_up_to
        self.result: Any = None
        #: what the last run measured: per partition (configurations, events, array bytes, RSS)
        self.report: dict[str, Any] = {}

    def run(self, space: StateSpace, vectors: list[tuple[int, ...]], progress: Progress | None,
            stop: StopCheck | None, checkpoint: Checkpoint | None = None) -> None:
        if space.bounds.max_configs is not None:
            raise UsageError("the partition engine does not support --max-configs")
        protocol, origin = space.protocol, space.table.origin
        K = self.workers
        max_buffer = space.bounds.max_buffer
        started = time.perf_counter()
        if self.ray:
            from .ray_parts import RayParts

            parts: Parts = RayParts(K, protocol, origin, max_buffer, self.address)
        else:
            parts = LocalParts(K, lambda k: Partition(k, K, protocol, origin, max_buffer))
        self.result = None
        keep = False
        try:
            self.report = {"backend": parts.describe(), "start_s": time.perf_counter() - started,
                           "workers": getattr(parts, "where", None)}
            search = _Search(parts, space, self.chunk, progress, stop, checkpoint)
            started = False
            while True:
                try:
                    if started:
                        search.levels()  # reloaded by recover: go on from there
                    else:
                        started = True
                        search.run(vectors)
                    keep = self._install(parts, space, search)
                    break
                except WorkerLost as err:
                    if not search.recover(err):
                        raise
                except FLPCheckError as err:
                    search.after_error(err)
                    raise
        finally:
            if not keep:
                parts.shutdown()

    def outcome(self, space: StateSpace) -> Any:
        return space if self.result is None else self.result

    def _install(self, parts: Parts, space: StateSpace, search: _Search) -> bool:
        """Gather the graph into ``space``, or leave it on the partitions (then the result is
        a PartitionedSpace, which keeps them: returns True)."""
        sums = parts.get(parts.call(Partition.summary, [()] * parts.K))
        configs = sum(s["configurations"] for s in sums)
        events = sum(s["events"] for s in sums)
        self.report.update(search.report, partitions=sums, configurations=configs,
                           events=events)
        per_worker = [sum(s["arrays"].values()) / max(s["configurations"], 1) for s in sums]
        note = (f"{parts.describe()}: {configs:,} configurations, "
                + ", ".join(f"p{s['k']} {s['configurations']:,} ({b:.0f} B/config in arrays, "
                            f"{s['rss'] / 2**20:.0f} MiB resident)"
                            for s, b in zip(sums, per_worker, strict=True)))
        need = gathered_bytes(configs, events, space.n)
        if configs > self.gather_up_to or (self.gather_limit is not None
                                           and need > self.gather_limit):
            from .space import PartitionedSpace

            parts.get(parts.call(Partition.drop_index, [()] * parts.K))  # the analyses do not need it
            search.note_cuts(sums)
            self.result = PartitionedSpace(parts, space.protocol, space.table.origin,
                                           space.bounds, np.array(search.level_base),
                                           {"initial": search.initial,
                                            "cut_reasons": list(space.cut_reasons),
                                            "part_base": search.part_base,
                                            "partitions": sums}, self.gather_limit)
            self.result.engine_note = note + "; the graph stays on the workers"
            return True
        parts.get(parts.call(Partition.drop_index, [()] * parts.K))
        exports = [parts.one(k, Partition.export) for k in range(parts.K)]
        changes = [s["change"] for s in sums if s["change"] is not None]
        install_gathered(space, exports, np.array(search.level_base, dtype=np.int64),
                         min(changes) if changes else None)
        search.note_cuts(sums)
        space.initial = search.initial
        space.engine_note = note
        return False


class _Search:
    """One run of the level loop over the partitions (with ``checkpoint``: saved between
    levels, resumed from one, and a lost worker replaced and every partition reloaded from
    the last checkpoint)."""

    def __init__(self, parts: Parts, space: StateSpace, chunk: int, progress: Progress | None,
                 stop: StopCheck | None, checkpoint: Checkpoint | None = None) -> None:
        self.parts = parts
        self.space = space
        self.chunk = chunk
        self.progress = progress
        self.stop = stop
        self.checkpoint = checkpoint
        self.K = parts.K
        self.level_base: list[int] = [0]
        self.part_base: list[list[int]] = []
        self.initial: list[tuple[tuple[int, ...], int]] = []
        self.level = 0
        self.frontier: list[int] = []
        self.total = self.expanded = 0
        self.finished = False
        self.vectors: list[tuple[int, ...]] = []
        self.recoveries = 0  # workers replaced since the last checkpoint written
        self.report: dict[str, Any] = {"levels": 0, "rounds": 0}

    def run(self, vectors: list[tuple[int, ...]]) -> None:
        """Explore from ``vectors``, or from the checkpoint being resumed."""
        self.vectors = vectors
        ck = self.checkpoint
        if ck is not None:
            self._check_reach(ck)
            if ck.resume:
                self._restore(ck.require_manifest())
                ck.told_resumed()
                self.levels()
                return
        self._start(vectors)
        self.levels()

    def _start(self, vectors: list[tuple[int, ...]]) -> None:
        """Level 0: the initial configurations, numbered."""
        parts, K = self.parts, self.K
        found = parts.get(parts.call(Partition.add_initial, [(vectors,)] * K))
        counts = [c for _, c in found]
        base = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64).tolist()
        parts.get(parts.call(Partition.set_level, [(0, base)] * K))
        self.level_base, self.part_base, self.level = [0], [base], 0
        gid: dict[int, int] = {}
        for k, (pairs, _) in enumerate(found):
            for i, local in pairs:
                gid[i] = base[k] + local
        self.initial = [(tuple(x), gid[i]) for i, x in enumerate(vectors)]
        self.frontier = counts
        self.total, self.expanded, self.finished = sum(counts), 0, False

    def levels(self) -> None:
        """The level loop, from the level the search is at."""
        if self.finished:
            return
        parts, K, space, ck = self.parts, self.K, self.space, self.checkpoint
        max_depth = space.bounds.max_depth
        stopped = None
        while sum(self.frontier):
            if max_depth is not None and self.level >= max_depth:
                parts.get(parts.call(Partition.cut_level, [("max-depth",)] * K))
                break
            if ck is not None and ck.at_boundary(self.level, self.total, self.expanded):
                self._save()
            frontier = self.frontier
            rounds = max(1, -(-max(frontier) // self.chunk))
            replies: list[list[Any]] = [[None] * K for _ in range(K)]
            news: list[Any] = []
            for c in range(rounds):
                stopped = self.stop() if self.stop is not None else None
                if stopped:
                    break
                lo, hi = c * self.chunk, (c + 1) * self.chunk
                out = parts.call(Partition.expand, [(lo, hi, *replies[k]) for k in range(K)], returns=K)
                got = parts.call(Partition.receive, [tuple(out[q][j] for q in range(K))
                                             for j in range(K)], returns=K + 1)
                replies = [[got[j][k] for j in range(K)] for k in range(K)]
                news = [got[j][K] for j in range(K)]
                self.report["rounds"] += 1
                if self.progress is not None and rounds > 1:
                    done = min(hi, max(frontier))
                    self.progress(self.total + sum(parts.get(news)), self.expanded + done * K,
                                  0, self.level)
            new = parts.get(news) if news else [0] * K
            nb = self.level_base[-1] + sum(frontier)
            pb = np.concatenate([[0], np.cumsum(new)[:-1]]).astype(np.int64).tolist()
            parts.get(parts.call(Partition.finish_level, [(nb, pb, *replies[k]) for k in range(K)]))
            self.level_base.append(nb)
            self.part_base.append(pb)
            self.level += 1
            self.expanded += sum(frontier)
            self.total += sum(new)
            self.frontier = new
            if self.progress is not None:
                self.progress(self.total, self.expanded, 0, self.level)
            if stopped:
                break
        if stopped:
            space.note_cut(stopped)
        parts.get(parts.call(Partition.close, [()] * K))
        self.report["levels"] = self.level
        if stopped:
            if ck is not None:
                ck.kept(self.level, self.total, self.expanded, stopped)
            return
        self.finished = True
        if ck is not None:
            self._save()

    # -- checkpoints --------------------------------------------------------------------------

    def _check_reach(self, ck: Checkpoint) -> None:
        """Every partition must see the checkpoint directory (on a cluster: a shared one)."""
        parts = self.parts
        seen = parts.get(parts.call(Partition.reaches, [(str(ck.directory),)] * self.K))
        for k, (ok, host) in enumerate(seen):
            if not ok:
                raise CheckpointError(f"--checkpoint {ck.directory}: partition {k} (on {host}) "
                                      "does not see it: give a directory every node reaches "
                                      "(a shared file system mounted at the same path)")

    def _save(self) -> None:
        ck = self.checkpoint
        assert ck is not None
        progress = {"level": self.level, "configurations": self.total,
                    "expanded": self.expanded, "events": 0, "finished": self.finished,
                    "cut_reasons": list(self.space.cut_reasons)}
        writer = _PartsWriter(self, progress)
        if ck.save(writer, progress):
            self.recoveries = 0

    def state(self) -> dict[str, Any]:
        """The coordinator's state between two levels, for the manifest."""
        return {"level": self.level, "level_base": self.level_base,
                "part_base": self.part_base, "frontier": self.frontier, "total": self.total,
                "expanded": self.expanded, "finished": self.finished,
                "initial": [[list(x), cid] for x, cid in self.initial],
                "rounds": self.report["rounds"]}

    def _restore(self, manifest: dict[str, Any]) -> None:
        """Every partition and the coordinator as the checkpoint has them."""
        ck = self.checkpoint
        assert ck is not None
        state, parts, K = manifest["state"], self.parts, self.K
        files = manifest["files"]
        mine = [[f for f in files if f["name"].endswith(f"-p{k}.bin")] for k in range(K)]
        parts.get(parts.call(Partition.restore_checkpoint,
                             [(str(ck.directory), mine[k], state["parts"][k],
                               manifest["model"]["module"]) for k in range(K)]))
        s = state["search"]
        self.level, self.frontier = s["level"], list(s["frontier"])
        self.level_base, self.part_base = list(s["level_base"]), [list(b) for b in s["part_base"]]
        self.total, self.expanded, self.finished = s["total"], s["expanded"], s["finished"]
        self.initial = [(tuple(x), cid) for x, cid in s["initial"]]
        self.report["rounds"] = s["rounds"]

    def recover(self, err: WorkerLost) -> bool:
        """A worker was lost: replace it and reload every partition from the last checkpoint
        (from the start when none was written yet). False when that cannot be done (no
        checkpoint asked for, partitions that cannot be replaced, or too many losses in a
        row): the error then ends the run."""
        ck, parts = self.checkpoint, self.parts
        if ck is None or not isinstance(parts, Replaceable) or self.recoveries >= RECOVERIES:
            return False
        self.recoveries += 1
        lost = parts.replace_lost()
        if ck.manifest is None:
            parts.get(parts.call(Partition.restart, [()] * self.K))
            self._start(self.vectors)
        else:
            self._restore(ck.manifest)
        ck.recovered(lost, getattr(err, "reason", str(err)))
        return True

    def note_cuts(self, sums: list[dict[str, Any]]) -> None:
        """Record the bounds that cut the search, in the order of the first configuration each
        cut (as the batch engine notes them); stops are already noted."""
        firsts: dict[str, int] = {}
        for s in sums:
            for why, cid in s["cut_first"].items():
                firsts[why] = min(cid, firsts.get(why, cid))
        stops = list(self.space.cut_reasons)
        self.space.cut_reasons = []
        for why in sorted(firsts, key=firsts.__getitem__):
            self.space.note_cut(why)
        for why in stops:
            self.space.note_cut(why)

    def after_error(self, err: FLPCheckError) -> None:
        """A model error in a partition: install the graph up to the level that met it (the
        configuration in ``err.configuration`` and its parents), not expanded."""
        if not self.initial:  # raised while adding the initial configurations: no graph yet
            return
        parts = self.parts
        levels = self.level + 1
        parts.get(parts.call(Partition.trim, [(levels,)] * self.K))
        parts.get(parts.call(Partition.close, [()] * self.K))
        sums = parts.get(parts.call(Partition.summary, [()] * self.K))
        exports = [parts.one(k, Partition.export) for k in range(self.K)]
        install_gathered(self.space, exports, np.array(self.level_base, dtype=np.int64), None)
        self.space.initial = self.initial
        self.note_cuts(sums)


class _PartsWriter:
    """Writes a checkpoint of the partitions (each its own segment, where it runs) and the
    coordinator's state (:class:`~flpcheck.explorer.checkpoint.store.Writer`)."""

    def __init__(self, search: _Search, progress: dict[str, Any]) -> None:
        self.search = search
        self.progress = progress  # the manifest's: its events and cuts come from the parts

    def write(self, directory: Path, sequence: int
              ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        parts = self.search.parts
        saved = parts.get(parts.call(Partition.save_checkpoint,
                                     [(str(directory), sequence)] * parts.K))
        files = [f for part_files, _ in saved for f in part_files]
        self.progress["events"] = sum(st["streams"]["dst"] for _, st in saved)
        cuts = {why for _, st in saved for why in st["cut_first"]}
        self.progress["cut_reasons"] = sorted(cuts) + [
            r for r in self.progress["cut_reasons"] if r not in cuts]
        return files, {"search": self.search.state(), "parts": [st for _, st in saved]}

    def commit(self) -> None:
        parts = self.search.parts
        parts.get(parts.call(Partition.commit_checkpoint, [()] * parts.K))
