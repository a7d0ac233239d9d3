"""Stopping an exploration early and cleanly: time, memory and signals.

:class:`StopConditions` is passed to :func:`flpcheck.explore` as its ``stop`` callback; it
answers why the run must stop now ("timeout", "max-memory", "interrupted") or None.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..errors import UsageError

__all__ = ["StopConditions", "AnalysisStopped", "check_stop", "parse_size", "current_rss"]

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_size(text: str) -> int:
    """Bytes from ``2G``, ``512M``, ``100000``.

    >>> parse_size("2G"), parse_size("512m"), parse_size("1000")
    (2147483648, 536870912, 1000)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, re.IGNORECASE)
    if not m:
        raise UsageError(f"--max-memory: {text!r} is not a size such as 2G, 512M or 1000000")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def current_rss() -> int:
    """This process's resident memory in bytes (peak RSS where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class AnalysisStopped(Exception):
    """An analysis was asked to stop (its ``stop()`` callback gave ``reason``): what it was
    computing is not established. Callers turn it into "not established", never a verdict."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_stop(stop: Callable[[], str | None] | None) -> None:
    """Raise :class:`AnalysisStopped` if ``stop()`` gives a reason to stop now."""
    if stop is not None:
        reason = stop()
        if reason:
            raise AnalysisStopped(reason)


class StopConditions:
    """Why to stop now: a deadline, a memory ceiling, or a signal received."""

    def __init__(self, timeout: float | None = None, max_memory: int | None = None) -> None:
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.max_memory = max_memory
        self.signal_name: str | None = None

    def __call__(self) -> str | None:
        if self.signal_name:
            return "interrupted"
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return "timeout"
        if self.max_memory is not None and current_rss() >= self.max_memory:
            return "max-memory"
        return None

    @contextmanager
    def catching_signals(self) -> Iterator[None]:
        """While inside, SIGINT and SIGTERM ask for a clean stop instead of killing the run."""

        def handler(signum: int, frame: object) -> None:
            if self.signal_name:  # a second signal: give up at once
                raise KeyboardInterrupt
            self.signal_name = signal.Signals(signum).name

        old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, h in old.items():
                signal.signal(s, h)
