"""Runs: each from an initial configuration, up to S events chosen by a scheduler, checked after
every event; a range of runs summed into one :class:`RangeResult`.

Run ``i`` of a simulation with seed X draws everything (its inputs, then the scheduler's
choices, and chance's outcome after each event left to chance) from its own stream
``random.Random(run_seed(X, i))``, so a run is the same whichever
process runs it and whatever ran before it: a simulation split into ranges of runs gives the
same answer as one pass, and a violation is regenerated from its run index alone.

A run ends at its first violation, at the step limit, or at a configuration where nothing can
change any more (no message in transit and every null step leaves its process as it is).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..errors import UsageError
from ..model.inputs import input_vectors
from .machine import MASK, PROPERTIES, Machine, Move, uniform_input
from .schedulers import SCHEDULERS, Adversary, make_scheduler, run_scheduler

__all__ = ["Settings", "RunOutcome", "RangeResult", "run_seed", "run_one", "run_range",
           "merge_ranges", "split_runs", "DISTINCT_CAP"]

DISTINCT_CAP = 1_000_000
"""At most this many configuration hashes are kept per simulation; past it the count of
distinct configurations is a lower bound ("at least")."""

_STOP_EVERY = 1024


@dataclass(frozen=True)
class Settings:
    """What to simulate: ``runs`` runs of at most ``steps`` events, the ``scheduler``
    (``swarm``: uniform and fair in turn, run by run), the
    ``seed``, the input vectors to draw from (None: every one), the adversary's
    ``lookahead`` (configurations per breadth-first search), the cap on kept hashes, and
    whether to go on after the first violating run."""

    runs: int = 1000
    steps: int = 100
    seed: int = 0
    scheduler: str = "swarm"
    inputs: tuple[tuple[int, ...], ...] | None = None
    lookahead: int = 200
    distinct_cap: int = DISTINCT_CAP
    #: take every run even after a violation (by default a range stops at its first)
    keep_going: bool = False

    def __post_init__(self) -> None:
        if self.scheduler not in SCHEDULERS:
            raise UsageError(f"--scheduler: {self.scheduler!r} is not one of "
                             f"{', '.join(SCHEDULERS)}")
        for name in ("runs", "steps", "lookahead", "distinct_cap"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.inputs is not None and not self.inputs:
            raise UsageError("no input vectors to draw from")


def run_seed(seed: int, index: int) -> int:
    """The seed of run ``index``'s random stream (a stable function of both).

    >>> run_seed(0, 1) == run_seed(0, 1) != run_seed(1, 0)
    True
    """
    digest = hashlib.sha256(f"flpcheck.simulate/{seed}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """One run: its inputs, the events applied (as moves), when it first decided, how it
    ended ("limit", "idle", "violation" or "interrupted") and the properties its last event
    violated; for the adversary, whether the start was certified bivalent and for how many
    events the configuration stayed certified bivalent."""

    index: int
    inputs: tuple[int, ...]
    moves: tuple[Move, ...]
    first_decision: int | None
    end: str
    violated: tuple[str, ...] = ()
    start_certified: bool | None = None
    certified: int = 0


def run_one(machine: Machine, settings: Settings, index: int,
            seen: set[int] | None = None,
            stop: Callable[[], str | None] | None = None) -> RunOutcome:
    """Run number ``index``; the hashes of the configurations it meets go into ``seen`` (up to
    ``settings.distinct_cap``; the set holds one more marker, -1, once the cap was hit)."""
    rng = random.Random(run_seed(settings.seed, index))
    n = machine.n
    if settings.inputs is None:
        inputs = tuple(rng.randrange(2) for _ in range(n))
    else:
        inputs = settings.inputs[rng.randrange(len(settings.inputs))]
    scheduler = make_scheduler(run_scheduler(settings.scheduler, index), machine, rng,
                               settings.lookahead)
    c = machine.initial(inputs)
    outs = machine.outputs(c)
    first = 0 if any(o is not None for o in outs) else None
    uniform = uniform_input(inputs)
    cap = settings.distinct_cap
    h = machine.config_hash(c)
    if seen is not None:
        _see(seen, h, cap)
    moves: list[Move] = []
    end: str = "limit"
    violated: tuple[str, ...] = ()
    bad = machine.initial_violations(inputs, c)
    if bad:
        end, violated = "violation", tuple(bad)
    transition, rebuffer, output_change = machine.transition, machine.rebuffer, \
        machine.output_change
    draw = machine.draw
    drops = machine.table.drops
    choose = scheduler.choose
    note = scheduler.note if isinstance(scheduler, Adversary) else None
    for i in range(1, 1 + (0 if bad else settings.steps)):
        if stop is not None and i % _STOP_EVERY == 0 and stop():
            end = "interrupted"
            break
        move = choose(c)
        p, m = move[0], move[1]
        states, buffer = c
        outcome = draw(rng, p, states[p], m)  # chance's, for a step left to chance
        if outcome is not None:
            move = (p, m, outcome)
        ns, sent, dh, after = transition(p, states[p], m, outcome or 0)
        c = (states[:p] + (ns,) + states[p + 1:], rebuffer(buffer, m, sent))
        if drops:  # messages a process ignores for good leave the buffer at once
            c, dropped = machine.drop_ignored(c)
            dh = (dh + dropped) & MASK
        if note is not None:
            note(move, sent)
        moves.append(move)
        if seen is not None:
            h = (h + dh) & MASK
            if len(seen) < cap:
                seen.add(h)
            elif h not in seen:
                seen.add(-1)
        found = output_change(uniform, outs, p, after) if after != outs[p] else None
        if first is None and after is not None:
            first = i
        if found:
            end, violated = "violation", tuple(x for x in PROPERTIES if x in found)
            break
        if not c[1] and machine.idle(c):
            end = "idle"
            break
    certified_start, certified = None, 0
    if isinstance(scheduler, Adversary):
        certified_start, certified = scheduler.start_certified, scheduler.certified
    return RunOutcome(index, inputs, tuple(moves), first, end, violated, certified_start,
                      certified)


def _see(seen: set[int], h: int, cap: int) -> None:
    if len(seen) < cap:
        seen.add(h)
    elif h not in seen:
        seen.add(-1)  # the marker: some configuration was not kept


@dataclass(frozen=True)
class RangeResult:
    """The sum of a range of runs ``[first, first + requested)``: counts, the first-decision
    depths (depth -> runs), the first violating run of each property with the number of events
    it took (property -> (run, events)), the runs violating each property, the hashes of the
    configurations met (the marker -1 among them when the cap was hit) and, for the
    adversary, per run: (run, events before the first decision or the run's length, events
    during which the configuration stayed certified bivalent or -1 when the start was not
    certified)."""

    first: int
    requested: int
    runs: int = 0
    events: int = 0
    decided: int = 0
    undecided: int = 0
    idle: int = 0
    depths: tuple[tuple[int, int], ...] = ()
    violations: tuple[tuple[str, int, int], ...] = ()
    violating_runs: tuple[tuple[str, int], ...] = ()
    hashes: frozenset[int] = frozenset()
    adversary: tuple[tuple[int, int, int], ...] = ()
    stopped_by: str | None = None
    seconds: float = field(default=0.0, compare=False)


def run_range(machine: Machine, settings: Settings, first: int, count: int,
              stop: Callable[[], str | None] | None = None,
              progress: Callable[[int, int, int], None] | None = None) -> RangeResult:
    """Runs ``first .. first + count - 1``, up to the first violating run unless
    ``settings.keep_going``; ``stop()`` returning a reason ends the range early (the run under
    way is dropped); ``progress(runs, events, violating runs)`` is called after each run."""
    if settings.inputs is not None:
        input_vectors(machine.n, settings.inputs)  # each of N bits, none twice: else UsageError
    start = time.perf_counter()
    seen: set[int] = set()
    runs = events = decided = undecided = idle = 0
    depths: dict[int, int] = {}
    violations: dict[str, tuple[int, int]] = {}
    violating: dict[str, int] = {}
    adversary: list[tuple[int, int, int]] = []
    stopped_by = None
    for index in range(first, first + count):
        if stop is not None:
            stopped_by = stop()
            if stopped_by:
                break
        out = run_one(machine, settings, index, seen, stop)
        if out.end == "interrupted":
            stopped_by = (stop() if stop is not None else None) or "interrupted"
            break
        runs += 1
        events += len(out.moves)
        if out.first_decision is None:
            if out.end == "idle":
                idle += 1
            else:
                undecided += 1
        else:
            decided += 1
            depths[out.first_decision] = depths.get(out.first_decision, 0) + 1
        for prop in out.violated:
            violating[prop] = violating.get(prop, 0) + 1
            violations.setdefault(prop, (index, len(out.moves)))
        if out.start_certified is not None:
            adversary.append((index, len(out.moves) if out.first_decision is None
                              else out.first_decision,
                              out.certified if out.start_certified else -1))
        if progress is not None:
            progress(runs, events, sum(violating.values()))
        if out.violated and not settings.keep_going:
            stopped_by = "violation"
            break
    return RangeResult(
        first, count, runs, events, decided, undecided, idle, tuple(sorted(depths.items())),
        tuple((p, *violations[p]) for p in PROPERTIES if p in violations),
        tuple((p, violating[p]) for p in PROPERTIES if p in violating),
        frozenset(seen), tuple(adversary), stopped_by,
        time.perf_counter() - start)


def split_runs(runs: int, parts: int) -> list[tuple[int, int]]:
    """``runs`` run indices cut into ``parts`` contiguous ranges ``(first, count)``.

    >>> split_runs(10, 3)
    [(0, 3), (3, 3), (6, 4)]
    """
    bounds = [runs * k // parts for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1] - bounds[k]) for k in range(parts)]


def merge_ranges(parts: Sequence[RangeResult]) -> RangeResult:
    """The ranges summed, in range order: counts and depth histograms added, the first
    violating run of each property kept (lowest run index), the hash sets joined."""
    parts = sorted(parts, key=lambda r: r.first)
    depths: dict[int, int] = {}
    violations: dict[str, tuple[int, int]] = {}
    violating: dict[str, int] = {}
    hashes: set[int] = set()
    for r in parts:
        for d, k in r.depths:
            depths[d] = depths.get(d, 0) + k
        for prop, run, length in r.violations:
            if prop not in violations or run < violations[prop][0]:
                violations[prop] = (run, length)
        for prop, k in r.violating_runs:
            violating[prop] = violating.get(prop, 0) + k
        hashes |= r.hashes
    reasons = [r.stopped_by for r in parts if r.stopped_by]
    stopped = next((x for x in reasons if x != "violation"), reasons[0] if reasons else None)
    return RangeResult(
        parts[0].first if parts else 0, sum(r.requested for r in parts),
        sum(r.runs for r in parts), sum(r.events for r in parts),
        sum(r.decided for r in parts), sum(r.undecided for r in parts),
        sum(r.idle for r in parts), tuple(sorted(depths.items())),
        tuple((p, *violations[p]) for p in PROPERTIES if p in violations),
        tuple((p, violating[p]) for p in PROPERTIES if p in violating),
        frozenset(hashes),
        tuple(x for r in parts for x in r.adversary),
        stopped, sum(r.seconds for r in parts))
