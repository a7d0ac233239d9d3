"""Both cores where it pays: independent numpy passes run in threads.

numpy releases the GIL in its sorting, searching, hashing arithmetic and indexing loops, so
two threads working on disjoint halves of a large array run on two cores. Used where the work
is pure and large: hashing and looking up the successor rows of a block, once the explorer
has stored enough configurations for it to pay (measured: ``benchmarks/bench_parallel.py``).
Results never depend on the number of threads: each thread computes a pure function of
read-only inputs and the results are put back together in order.

``FLPCHECK_WORKERS`` sets the number of threads (default: 2, or 1 on a single-core machine;
1 turns the threads off).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["workers", "run_all", "chunks"]

T = TypeVar("T")
_pool: ThreadPoolExecutor | None = None


def workers() -> int:
    """The number of threads to use (``FLPCHECK_WORKERS``, else min(2, cores))."""
    text = os.environ.get("FLPCHECK_WORKERS", "")
    if text.strip().isdigit() and int(text) >= 1:
        return int(text)
    return min(2, os.cpu_count() or 1)


def run_all(tasks: Sequence[Callable[[], T]], threads: bool = True) -> list[T]:
    """Run the tasks, in threads when there are several workers (and ``threads``); results in
    task order. An exception raised by a task is raised here."""
    global _pool
    n = workers()
    if n == 1 or len(tasks) < 2 or not threads:
        return [task() for task in tasks]
    if _pool is None or _pool._max_workers != n:  # noqa: SLF001
        _pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="flpcheck")
    return [f.result() for f in [_pool.submit(task) for task in tasks]]


def chunks(length: int, minimum: int) -> list[slice]:
    """Split ``range(length)`` into one contiguous slice per worker, none under ``minimum``."""
    parts = max(1, min(workers(), length // max(minimum, 1)))
    bounds = [length * k // parts for k in range(parts + 1)]
    return [slice(bounds[k], bounds[k + 1]) for k in range(parts)]
