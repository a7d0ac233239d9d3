"""Seed ranges on Ray workers (optional: only when ``import ray`` works).

With ``--workers K`` the runs are cut into K contiguous seed ranges (:func:`split_runs`); each
range runs in a Ray task that loads the model from its file and returns the range's counts
(numbers and hashes only: no user values cross processes). The driver merges the ranges in
range order and finishes as :func:`~flpcheck.simulate.result.simulate` does (a violation is
regenerated from its run index here), so the answer for a seed and K equals running the K
ranges in this process one after the other, and, since a run depends only on the seed and its
index, equals the answer with one worker (bar the cap on kept hashes, which is per range).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from ..errors import FLPCheckError, UsageError
from ..model.loader import load_protocol
from ..model.protocol import Protocol
from .machine import Machine
from .random_runs import RangeResult, Settings, merge_ranges, run_range, split_runs
from .result import Simulation, finish, partial

__all__ = ["import_ray", "simulate_on_ray", "run_spec_range", "RAY_HINT"]

RAY_HINT = "pip install 'flpcheck[ray]'"


def import_ray(workers: int) -> Any:
    """The ``ray`` module, or a usage error saying how to install it."""
    try:
        import ray
    except ImportError:
        raise UsageError(f"--workers {workers} runs seed ranges on Ray workers, and Ray is not "
                         f"installed: {RAY_HINT} (or run with --workers 1)") from None
    return ray


def run_spec_range(spec: str, processes: int | None, settings: Settings, first: int,
                   count: int) -> RangeResult:
    """One seed range of the model in file ``spec``, loaded here (what a Ray task runs)."""
    protocol = load_protocol(spec, processes)
    return run_range(Machine(protocol, spec), settings, first, count)


def simulate_on_ray(spec: str, protocol: Protocol, processes: int | None, settings: Settings,
                    workers: int, stop: Callable[[], str | None] | None = None,
                    progress: Callable[[int, int, int], None] | None = None) -> Simulation:
    """The runs in ``workers`` seed ranges on Ray, merged; ``protocol`` is the driver's copy of
    the model (for regenerating and shrinking violations). ``stop()`` returning a reason
    cancels the ranges still running (the result is then partial)."""
    ray = import_ray(workers)
    if not ray.is_initialized():  # the cluster named by RAY_ADDRESS, else a new local one
        ray.init(address=os.environ.get("RAY_ADDRESS") or "local", include_dashboard=False,
                 log_to_driver=False)
    task = ray.remote(run_spec_range)
    start = time.perf_counter()
    pending = [task.remote(spec, processes, settings, first, count)
               for first, count in split_runs(settings.runs, workers)]
    parts: list[RangeResult] = []
    stopped = None
    while pending:
        ready, pending = ray.wait(pending, num_returns=1, timeout=0.25)
        for ref in ready:
            parts.append(_get(ray, ref))
            if progress is not None:
                progress(sum(r.runs for r in parts), sum(r.events for r in parts),
                         sum(k for r in parts for _, k in r.violating_runs))
        stopped = stop() if stop is not None else None
        if stopped and pending:
            for ref in pending:
                ray.cancel(ref, force=True)
            break
    counts = merge_ranges(parts) if parts else RangeResult(0, settings.runs)
    if stopped and counts.runs < settings.runs:
        counts = partial(counts, stopped)
    return finish(Machine(protocol, spec), settings, counts, workers,
                  time.perf_counter() - start)


def _get(ray: Any, ref: Any) -> RangeResult:
    """``ray.get``, with a model error raised in a worker re-raised as itself (exit 2, its own
    message) rather than as Ray's wrapper."""
    try:
        return ray.get(ref)
    except Exception as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, FLPCheckError):
            raise cause from None
        raise
