"""The result of a simulation, and the simulation run in this process.

:func:`simulate` runs the seed ranges one after the other in this process (one range unless
asked), merges them and finishes: each property's first violating run is run again from its
index (it must violate at the same event: a run depends only on the seed and its index), its
schedule replayed with the protocol's own code and shrunk (:mod:`.shrink`).

A simulation that finds no violation proves nothing: it saw some runs, not all of them.
:attr:`Simulation.conclusion` says so in words.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..errors import ReplayError
from ..model.protocol import Protocol
from ..model.semantics import Event
from .machine import PROPERTIES, Machine
from .random_runs import RangeResult, Settings, merge_ranges, run_one, run_range, split_runs
from .schedulers import run_scheduler
from .shrink import describe_violation, shrink_schedule

__all__ = ["Violation", "Simulation", "simulate", "finish", "partial", "histogram"]


OTHER_SCHEDULERS = {
    "swarm": "more --runs, longer --steps, another --seed or --scheduler adversary take other "
             "runs",
    "uniform": "--scheduler swarm (the default) or fair take other runs",
    "fair": "--scheduler swarm (the default) or uniform take other runs",
    "adversary": "--scheduler swarm (the default), uniform or fair take other runs",
}
"""The hint a simulation that found nothing gives, by scheduler."""


@dataclass(frozen=True)
class Violation:
    """A safety violation: the property, what the last event does, the shrunk schedule from
    I(inputs); the first run that violated it (0-based), how many events that run took to get
    there, and how many runs violated it."""

    property: str
    detail: str
    inputs: tuple[int, ...]
    events: tuple[Event, ...]
    found_in_run: int
    found_at_event: int
    runs: int
    #: the scheduler that took the run it was found in (``swarm`` varies it run by run)
    scheduler: str = ""


@dataclass(frozen=True)
class Simulation:
    """A finished simulation: the settings, the merged counts, the violations (shrunk)."""

    protocol: Protocol = field(compare=False, repr=False)
    settings: Settings
    workers: int
    counts: RangeResult = field(repr=False)
    violations: tuple[Violation, ...]
    #: wall-clock seconds of the runs, and of the replay and shrinking after them
    seconds: float = field(default=0.0, compare=False)
    shrink_seconds: float = field(default=0.0, compare=False)

    @property
    def name(self) -> str:
        """The protocol's class name."""
        return type(self.protocol).__name__

    @property
    def complete(self) -> bool:
        """True when every requested run was taken."""
        return self.counts.runs == self.settings.runs

    @property
    def interrupted(self) -> bool:
        """True when a signal (or another stop condition) cut the simulation short."""
        return self.counts.stopped_by not in (None, "violation")

    @property
    def distinct(self) -> int:
        """Distinct configurations met (by 64-bit hash); a lower bound when :attr:`capped`."""
        return len(self.counts.hashes) - (1 if self.capped else 0)

    @property
    def capped(self) -> bool:
        """True when some configuration's hash was not kept (the cap was hit)."""
        return -1 in self.counts.hashes

    @property
    def decision_rate(self) -> float:
        """The fraction of runs in which some process decided."""
        return self.counts.decided / self.counts.runs if self.counts.runs else 0.0

    @property
    def exit_code(self) -> int:
        """1 when a violation was found, else 0."""
        return 1 if self.violations else 0

    def holds(self, prop: str) -> bool | None:
        """False when ``prop`` was violated; None otherwise (a simulation establishes no
        property)."""
        return False if any(v.property == prop for v in self.violations) else None

    @property
    def conclusion(self) -> str:
        """What the simulation established, in one sentence."""
        c = self.counts
        if self.violations:
            props = [v.property for v in self.violations]
            names = " and ".join([", ".join(props[:-1]), props[-1]] if len(props) > 1
                                 else props)
            return (f"{names} violated: each schedule above was replayed with the protocol's "
                    "own code; every violation found is certain")
        runs = f"{c.runs:,} run{'s' if c.runs != 1 else ''}"
        return (f"no violation found in {runs} of at most {self.settings.steps:,} events: a "
                "simulation proves nothing about the runs it did not take; "
                f"{OTHER_SCHEDULERS[self.settings.scheduler]}; flpcheck explore checks every "
                "run of a finite (or bounded) model")


def histogram(depths: tuple[tuple[int, int], ...]) -> list[tuple[int, int, int]]:
    """Depth counts in buckets 0, 1, 2-3, 4-7, ...: ``(from, to, runs)``, every bucket from the
    smallest depth's to the largest's.

    >>> histogram(((0, 1), (5, 2), (6, 1)))
    [(0, 0, 1), (1, 1, 0), (2, 3, 0), (4, 7, 3)]
    """
    if not depths:
        return []

    def bucket(d: int) -> int:
        return d.bit_length()

    counts: dict[int, int] = {}
    for d, k in depths:
        counts[bucket(d)] = counts.get(bucket(d), 0) + k
    out = []
    for b in range(bucket(depths[0][0]), bucket(depths[-1][0]) + 1):
        lo, hi = (0, 0) if b == 0 else (1 << (b - 1), (1 << b) - 1)
        out.append((lo, hi, counts.get(b, 0)))
    return out


def simulate(protocol: Protocol, settings: Settings, *, origin: str = "", ranges: int = 1,
             stop: Callable[[], str | None] | None = None,
             progress: Callable[[int, int, int], None] | None = None) -> Simulation:
    """Simulate ``protocol`` in this process: the runs cut into ``ranges`` seed ranges run one
    after the other and merged, each range stopping at its own first violating run unless
    ``settings.keep_going`` (with it, the answer is the same for every ``ranges``, bar the cap
    on kept hashes); ``stop()`` returning a reason ends early with a partial result;
    ``progress(runs, events, violating runs)`` after each run."""
    machine = Machine(protocol, origin)
    start = time.perf_counter()
    parts: list[RangeResult] = []
    for first, count in split_runs(settings.runs, ranges):
        done = [sum(r.runs for r in parts), sum(r.events for r in parts),
                sum(k for r in parts for _, k in r.violating_runs)]

        def report(runs: int, events: int, bad: int, done: list[int] = done) -> None:
            if progress is not None:
                progress(done[0] + runs, done[1] + events, done[2] + bad)

        part = run_range(machine, settings, first, count, stop, report)
        parts.append(part)
        if part.stopped_by and part.stopped_by != "violation":
            break
    return finish(machine, settings, merge_ranges(parts), 1, time.perf_counter() - start)


def finish(machine: Machine, settings: Settings, counts: RangeResult, workers: int,
           seconds: float) -> Simulation:
    """The simulation from merged counts: each property's first violating run regenerated,
    replayed independently and shrunk."""
    start = time.perf_counter()
    violating = dict(counts.violating_runs)
    found = []
    for prop, run, length in counts.violations:
        out = run_one(machine, settings, run)
        if out.end != "violation" or prop not in out.violated or len(out.moves) != length:
            raise ReplayError(
                f"run {run} did not repeat: it violated {prop} after {length} events the first "
                f"time, and ended by {out.end} after {len(out.moves)} the second: the protocol "
                "depends on something besides (pid, state, msg)")
        events = shrink_schedule(machine, out.inputs, out.moves, prop, run)
        detail = describe_violation(machine.protocol, out.inputs, events, prop)
        found.append(Violation(prop, detail, out.inputs, events, run, length, violating[prop],
                               run_scheduler(settings.scheduler, run)))
    found.sort(key=lambda v: PROPERTIES.index(v.property))
    return Simulation(machine.protocol, settings, workers, counts, tuple(found), seconds,
                      time.perf_counter() - start)


def partial(counts: RangeResult, reason: str) -> RangeResult:
    """``counts`` marked as stopped by ``reason``."""
    return replace(counts, stopped_by=reason)
