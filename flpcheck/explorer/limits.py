"""Stopping an exploration early and cleanly: time, memory and signals.

:class:`StopConditions` is passed to :func:`flpcheck.explore` as its ``stop`` callback; it
answers why the run must stop now ("timeout", "max-memory", "interrupted") or None.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..errors import UsageError

__all__ = ["StopConditions", "AnalysisStopped", "check_stop", "parse_size", "current_rss",
           "GrowthWatch", "FIRST_NOTICE", "SECOND_NOTICE", "EXIT_INTERRUPTED"]

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
    """Why to stop now: a deadline, a memory ceiling, or a signal received.

    Called (``stop()``) it answers for the exploration. :meth:`analyses` answers for what runs
    after it: nothing stops them unless a signal came, and then they get :attr:`GRACE`
    seconds from the signal to finish (what does not finish is skipped, and reported as not
    established). While :meth:`catching_signals` is active, the first SIGINT or SIGTERM prints
    :data:`FIRST_NOTICE` on stderr at once (from a thread woken by the signal, so even while
    the main thread is inside a long numpy call) and asks for that clean stop; the second
    prints :data:`SECOND_NOTICE` and ends the process at once with exit code 130.
    """

    #: seconds after a signal that the analyses of the partial report may still take
    GRACE = 1.5

    def __init__(self, timeout: float | None = None, max_memory: int | None = None) -> None:
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.max_memory = max_memory
        self.signal_name: str | None = None
        self.signal_time: float | None = None
        self._signals = 0
        self._lock = threading.Lock()
        #: how the first signal's notice is written (a live progress display may take it)
        self.notice: Callable[[str], None] = _say

    def __call__(self) -> str | None:
        if self.signal_name:
            return "interrupted"
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return "timeout"
        if self.max_memory is not None and current_rss() >= self.max_memory:
            return "max-memory"
        return None

    def analyses(self) -> str | None:
        """Why the analyses after the exploration must stop now: "interrupted" once
        :attr:`GRACE` seconds have passed since a signal, else None."""
        if self.signal_time is not None and time.monotonic() >= self.signal_time + self.GRACE:
            return "interrupted"
        return None

    def _mark(self, signum: int) -> None:
        """Ask for the clean stop (once)."""
        with self._lock:
            if self.signal_name is None:
                self.signal_time = time.monotonic()
                self.signal_name = signal.Signals(signum).name

    def received(self, signum: int) -> None:
        """Take a signal: the first asks for a clean stop, the second ends the process."""
        self._mark(signum)
        with self._lock:
            self._signals += 1
            first = self._signals == 1
        if first:
            try:
                self.notice(FIRST_NOTICE)
            except Exception:  # never let the notice stop the clean stop
                _say(FIRST_NOTICE)
        else:
            _say(SECOND_NOTICE)
            os._exit(EXIT_INTERRUPTED)

    @contextmanager
    def catching_signals(self) -> Iterator[None]:
        """While inside, SIGINT and SIGTERM ask for a clean stop instead of killing the run
        (a second one ends it at once, exit code 130)."""

        def handler(signum: int, frame: object) -> None:
            # runs in the main thread when it gets to Python code: the stop is asked at once
            # for the code running there; the watcher thread counts the signal and speaks
            if watcher is None:
                self.received(signum)
            else:
                self._mark(signum)

        watcher: threading.Thread | None = None
        old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        try:
            old_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        except ValueError:  # not the main thread: the handler alone
            old_fd = None
        else:
            def watch() -> None:
                while True:
                    try:
                        data = os.read(read_end, 64)
                    except OSError:
                        return
                    if not data:
                        return
                    for signum in data:
                        if signum in (signal.SIGINT, signal.SIGTERM):
                            self.received(signum)

            watcher = threading.Thread(target=watch, name="flpcheck-signals", daemon=True)
            watcher.start()
        try:
            yield
        finally:
            if old_fd is not None:
                signal.set_wakeup_fd(old_fd)
            for s, h in old.items():
                signal.signal(s, h)
            os.close(write_end)  # the watcher's read ends
            if watcher is not None:
                watcher.join(1.0)
            os.close(read_end)


EXIT_INTERRUPTED = 130
FIRST_NOTICE = "interrupted: finishing the partial report (interrupt again to exit at once)"
"""What the first SIGINT or SIGTERM prints on stderr."""
SECOND_NOTICE = "interrupted again: exiting without the report"
"""What the second prints before the process ends with exit code 130."""


def _say(line: str) -> None:
    """Write a line to stderr with no lock that the interrupted thread might hold."""
    try:
        os.write(2, (line + "\n").encode())
    except OSError:
        pass


class GrowthWatch:
    """Notices an exploration that may never end: one whose frontier is still getting deeper
    after :attr:`AFTER` seconds (compared with its depth half that time before). Fed by the
    progress callback; :meth:`update` returns the warning line once, else None."""

    #: seconds of exploring before the first warning can come
    AFTER = 10.0

    def __init__(self, after: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.after = self.AFTER if after is None else after
        self.clock = clock
        self.start = clock()
        self.marks: list[tuple[float, int]] = []  # (seconds, depth), one per half-period
        self.warned = False

    def update(self, configurations: int, depth: int) -> str | None:
        """The warning line if the depth keeps growing (once), else None."""
        if self.warned:
            return None
        now = self.clock() - self.start
        if not self.marks or now - self.marks[-1][0] >= self.after / 2:
            self.marks.append((now, depth))
        older = [d for t, d in self.marks if now - t >= self.after / 2]
        if now < self.after or not older or depth <= older[-1]:
            return None
        self.warned = True
        rate = configurations / now if now > 0 else 0.0
        return (f"still exploring after {now:.0f} s: depth {depth:,} and growing, "
                f"{configurations:,} configurations ({rate:,.0f}/s); if the model can send or "
                f"count without end, it is never explored completely: bound it with --max-depth "
                f"(e.g. --max-depth {depth}), --max-configs or --max-buffer")
