"""The partition engine: a breadth-first search level by level over K partitions.

Every partition (:class:`~flpcheck.explorer.partition.Partition`) expands its part of the
frontier a chunk at a time and sends each candidate successor to its owner; the owners look
them up, number the new ones and reply; a level ends when every chunk is answered, and the
search when a level is empty everywhere. The partitions run in this process
(:class:`~flpcheck.explorer.parts.LocalParts`: the tests, and one partition) or as Ray actors
(:mod:`flpcheck.explorer.ray_backend`); the code is the same. After the search the graph is
gathered into one :class:`StateSpace` (:mod:`flpcheck.explorer.gather`).

Supported: the full search, ``max_buffer`` and ``max_depth`` (cut marks as the batch engine
sets them), stops (timeout, memory, signals) at chunk boundaries, decision changes. Not
supported (the driver uses the batch engine and says so): ``max_configs``, symmetry and
partial-order reduction.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..errors import FLPCheckError, UsageError
from .engine import Engine, Progress, StopCheck
from .gather import gathered_bytes, install_gathered
from .partition import Partition
from .parts import LocalParts, Parts
from .statespace import StateSpace

__all__ = ["PartitionEngine", "CHUNK"]

CHUNK = 1 << 16
"""Frontier configurations each partition expands per round (bounds the batches in flight)."""
GATHER_UP_TO = 2_000_000
"""Graphs of at most this many configurations are gathered into one process at once (the
explore command searches them for a non-deciding run, which needs the whole graph); larger
ones stay on their partitions (:class:`~flpcheck.explorer.partitioned.PartitionedSpace`)."""


class PartitionEngine(Engine):
    """The level-synchronous search on ``workers`` partitions (in this process, or on Ray
    when ``ray`` is set: a local Ray started for the run, or the cluster at ``address``)."""

    name = "partition"

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
            stop: StopCheck | None) -> None:
        if space.bounds.max_configs is not None:
            raise UsageError("the partition engine does not support --max-configs")
        protocol, origin = space.protocol, space.table.origin
        K = self.workers
        max_buffer = space.bounds.max_buffer
        started = time.perf_counter()
        if self.ray:
            from .ray_backend import RayParts

            parts: Parts = RayParts(K, protocol, origin, max_buffer, self.address)
        else:
            parts = LocalParts(K, lambda k: Partition(k, K, protocol, origin, max_buffer))
        self.result = None
        keep = False
        try:
            self.report = {"backend": parts.describe(), "start_s": time.perf_counter() - started,
                           "workers": getattr(parts, "where", None)}
            search = _Search(parts, space, self.chunk, progress, stop)
            try:
                search.run(vectors)
            except FLPCheckError as err:
                search.after_error(err)
                raise
            keep = self._install(parts, space, search)
        finally:
            if not keep:
                parts.shutdown()

    def outcome(self, space: StateSpace) -> Any:
        return space if self.result is None else self.result

    def _install(self, parts: Parts, space: StateSpace, search: _Search) -> bool:
        """Gather the graph into ``space``, or leave it on the partitions (then the result is
        a PartitionedSpace, which keeps them: returns True)."""
        sums = parts.get(parts.call("summary", [()] * parts.K))
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
            from .partitioned import PartitionedSpace

            parts.get(parts.call("drop_index", [()] * parts.K))  # the analyses do not need it
            search.note_cuts(sums)
            self.result = PartitionedSpace(parts, space.protocol, space.table.origin,
                                           space.bounds, np.array(search.level_base),
                                           {"initial": search.initial,
                                            "cut_reasons": list(space.cut_reasons),
                                            "part_base": search.part_base,
                                            "partitions": sums}, self.gather_limit)
            self.result.engine_note = note + "; the graph stays on the workers"
            return True
        parts.get(parts.call("drop_index", [()] * parts.K))
        exports = [parts.one(k, "export") for k in range(parts.K)]
        changes = [s["change"] for s in sums if s["change"] is not None]
        install_gathered(space, exports, np.array(search.level_base, dtype=np.int64),
                         min(changes) if changes else None)
        search.note_cuts(sums)
        space.initial = search.initial
        space.engine_note = note
        return False


class _Search:
    """One run of the level loop over the partitions."""

    def __init__(self, parts: Parts, space: StateSpace, chunk: int, progress: Progress | None,
                 stop: StopCheck | None) -> None:
        self.parts = parts
        self.space = space
        self.chunk = chunk
        self.progress = progress
        self.stop = stop
        self.K = parts.K
        self.level_base: list[int] = [0]
        self.part_base: list[list[int]] = []
        self.initial: list[tuple[tuple[int, ...], int]] = []
        self.level = 0
        self.report: dict[str, Any] = {"levels": 0, "rounds": 0}

    def run(self, vectors: list[tuple[int, ...]]) -> None:
        parts, K, space = self.parts, self.K, self.space
        found = parts.get(parts.call("add_initial", [(vectors,)] * K))
        counts = [c for _, c in found]
        base = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64).tolist()
        parts.get(parts.call("set_level", [(0, base)] * K))
        self.part_base.append(base)
        gid: dict[int, int] = {}
        for k, (pairs, _) in enumerate(found):
            for i, local in pairs:
                gid[i] = base[k] + local
        self.initial = [(tuple(x), gid[i]) for i, x in enumerate(vectors)]
        frontier = counts
        total, expanded, events = sum(counts), 0, 0
        max_depth = space.bounds.max_depth
        stopped = None
        while sum(frontier):
            if max_depth is not None and self.level >= max_depth:
                parts.get(parts.call("cut_level", [("max-depth",)] * K))
                break
            rounds = max(1, -(-max(frontier) // self.chunk))
            replies: list[list[Any]] = [[None] * K for _ in range(K)]
            news: list[Any] = []
            for c in range(rounds):
                stopped = self.stop() if self.stop is not None else None
                if stopped:
                    break
                lo, hi = c * self.chunk, (c + 1) * self.chunk
                out = parts.call("expand", [(lo, hi, *replies[k]) for k in range(K)], returns=K)
                got = parts.call("receive", [tuple(out[q][j] for q in range(K))
                                             for j in range(K)], returns=K + 1)
                replies = [[got[j][k] for j in range(K)] for k in range(K)]
                news = [got[j][K] for j in range(K)]
                self.report["rounds"] += 1
                if self.progress is not None and rounds > 1:
                    done = min(hi, max(frontier))
                    self.progress(total + sum(parts.get(news)), expanded + done * K, events,
                                  self.level)
            new = parts.get(news) if news else [0] * K
            nb = self.level_base[-1] + sum(frontier)
            pb = np.concatenate([[0], np.cumsum(new)[:-1]]).astype(np.int64).tolist()
            parts.get(parts.call("finish_level", [(nb, pb, *replies[k]) for k in range(K)]))
            self.level_base.append(nb)
            self.part_base.append(pb)
            self.level += 1
            expanded += sum(frontier)
            total += sum(new)
            frontier = new
            if self.progress is not None:
                self.progress(total, expanded, events, self.level)
            if stopped:
                break
        if stopped:
            space.note_cut(stopped)
        parts.get(parts.call("close", [()] * K))
        self.report["levels"] = self.level

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
        parts.get(parts.call("trim", [(levels,)] * self.K))
        parts.get(parts.call("close", [()] * self.K))
        sums = parts.get(parts.call("summary", [()] * self.K))
        exports = [parts.one(k, "export") for k in range(self.K)]
        install_gathered(self.space, exports, np.array(self.level_base, dtype=np.int64), None)
        self.space.initial = self.initial
        self.note_cuts(sums)
