"""Who steps next: the swarm, uniform, fair and adversary schedulers of ``flpcheck simulate``.

A scheduler is made fresh for each run with the run's own random stream; ``choose`` picks the
next event at a configuration (one of its applicable events) and ``note`` is told what the
event sent. All three see the events in the explorer's canonical order, so a choice depends
only on the random stream and the configuration, never on hash order or interning order.

- ``swarm`` (the default): the scheduler varies from run to run, as SPIN's swarm varies its
  search: run i is taken by ``uniform`` when i is even and by ``fair`` when i is odd (see
  :data:`SWARM`). Each finds runs the other rarely takes: a bug that needs one ballot of Paxos
  to finish before another starts is found by ``fair`` far more often than by ``uniform``,
  whose frequent null steps start every ballot early.
- ``uniform``: every distinct applicable event equally likely, the null steps included.
- ``fair``: the processes take turns p0, p1, ..., each receiving one of its distinct pending
  messages or null, equally likely: every process steps infinitely often and every message is
  eventually received with probability 1.
- ``adversary``: a bounded form of Lemma 3's adversary. Processes are served round-robin; the
  process at the head of the queue receives its oldest pending message (or null) when the
  configuration that leads to is undecided and *certified bivalent*: a decision of 0 and one of
  1 were both found from it by the look-ahead (directed schedules, then a breadth-first search
  of at most ``lookahead`` configurations). Otherwise another event that keeps the
  configuration certified bivalent is taken first (a step of Lemma 3's sigma, at most 2N in a
  row before the head's event is tried again); past that, the next process in the queue whose
  oldest event keeps it bivalent is served instead (the head waits: fairness is not kept),
  and failing that any event that keeps it bivalent. When nothing found keeps it bivalent (or
  the initial configuration is not certified), the adversary gives up for the rest of the run
  and serves the queue round-robin. A certificate is a proof: every configuration counted in
  ``certified`` is bivalent. A failure proves nothing (the look-ahead is bounded).

Steps left to chance: the scheduler picks the event, then chance its outcome (drawn by the
run, :meth:`~flpcheck.simulate.machine.Machine.draw`). The adversary's event keeps the run
certified bivalent only when every outcome does; its look-ahead takes each outcome as a
branch (the directed schedules take the first).
"""

from __future__ import annotations

import random
from collections import deque

from ..model.table import NULL
from .machine import Config, Fifo, Machine, Move, advance, oldest

__all__ = ["Scheduler", "Uniform", "Fair", "Adversary", "make_scheduler", "SCHEDULERS",
           "SWARM", "run_scheduler", "DIRECTED_STEPS"]

SCHEDULERS = ("swarm", "uniform", "fair", "adversary")
"""The schedulers ``flpcheck simulate --scheduler`` takes; ``swarm`` is the default."""

SWARM = ("uniform", "fair")
"""The schedulers ``swarm`` takes in turn, run by run (run i: ``SWARM[i % 2]``). The
adversary is not among them: its look-ahead makes a run hundreds of times slower, and it aims
at runs that stay undecided, not at safety violations."""

DIRECTED_STEPS = 60
"""The longest directed schedule the adversary's look-ahead tries."""

_CACHE = 4096


class Scheduler:
    """Picks the next event of a run."""

    def __init__(self, machine: Machine, rng: random.Random) -> None:
        self.m = machine
        self.rng = rng

    def choose(self, c: Config) -> Move:
        """The next event at ``c`` (applicable there)."""
        raise NotImplementedError

    def note(self, move: Move, sent: tuple[int, ...]) -> None:
        """``move`` was applied and sent ``sent``."""


class Uniform(Scheduler):
    """Every distinct applicable event equally likely, null steps included."""

    def choose(self, c: Config) -> Move:
        n = self.m.n
        distinct = list(dict.fromkeys(c[1])) if c[1] else []
        k = int(self.rng.random() * (n + len(distinct)))
        if k < n:
            return (k, NULL)
        mid = distinct[k - n]
        return (self.m.msg_dst[mid], mid)


class Fair(Scheduler):
    """Processes in rotation, each receiving a random pending message of its own, or null."""

    def __init__(self, machine: Machine, rng: random.Random) -> None:
        super().__init__(machine, rng)
        self.turn = 0

    def choose(self, c: Config) -> Move:
        p = self.turn
        self.turn = (p + 1) % self.m.n
        mine = self.m.messages_to(c, p) if c[1] else []
        k = int(self.rng.random() * (len(mine) + 1))
        return (p, NULL if k == 0 else mine[k - 1])


class Adversary(Scheduler):
    """Lemma 3's adversary with a bounded look-ahead (see the module docstring)."""

    def __init__(self, machine: Machine, rng: random.Random, lookahead: int) -> None:
        super().__init__(machine, rng)
        self.lookahead = lookahead
        self.queue = list(range(machine.n))
        #: the copies in transit, oldest first
        self.fifo: Fifo = []
        #: "start", "bivalent" (every configuration so far certified) or "gave-up"
        self.state = "start"
        #: whether the initial configuration was certified bivalent (None: not yet asked)
        self.start_certified: bool | None = None
        #: events applied while every configuration reached was certified bivalent
        self.certified = 0
        self.sigma = 0
        self._bfs_cache: dict[Config, int] = {}

    # -- the run ---------------------------------------------------------------------------

    def choose(self, c: Config) -> Move:
        if self.state == "start":
            ok = self.m.bits(c) == 0 and self.bivalent(c, self.fifo)
            self.start_certified = ok
            self.state = "bivalent" if ok else "gave-up"
        if self.state == "gave-up":
            return self._serve_head()
        keeps: dict[Move, bool] = {}

        def keeps_bivalent(move: Move) -> bool:
            if move not in keeps:
                keeps[move] = self._keeps_bivalent(c, move)
            return keeps[move]

        p = self.queue[0]
        e = (p, self._oldest(p))
        if keeps_bivalent(e):  # Lemma 3: serve the head process
            self._rotate()
            self.sigma = 0
            self.certified += 1
            return e
        others = [mv for mv in self.m.moves(c) if mv != e]
        self.rng.shuffle(others)
        if self.sigma < 2 * self.m.n:  # a step of sigma, then try e again
            for mv in others:
                if keeps_bivalent(mv):
                    self.sigma += 1
                    self.certified += 1
                    return mv
        for q in self.queue[1:]:  # the head waits: serve the next process that can be
            eq = (q, self._oldest(q))
            if keeps_bivalent(eq):
                self.queue.remove(q)
                self.queue.append(q)
                self.sigma = 0
                self.certified += 1
                return eq
        for mv in others:
            if keeps_bivalent(mv):
                self.certified += 1
                return mv
        self.state = "gave-up"
        return self._serve_head()

    def note(self, move: Move, sent: tuple[int, ...]) -> None:
        advance(self.fifo, move, sent)

    def _serve_head(self) -> Move:
        p = self.queue[0]
        self._rotate()
        return (p, self._oldest(p))

    def _oldest(self, p: int) -> int:
        """The oldest message in transit to ``p`` along the run, or NULL."""
        mid = oldest(self.m, self.fifo, p)
        return NULL if mid is None else mid

    def _rotate(self) -> None:
        self.queue.append(self.queue.pop(0))

    # -- the look-ahead -------------------------------------------------------------------------

    def _keeps_bivalent(self, c: Config, move: Move) -> bool:
        """Every outcome of ``move`` (chance picks one after the adversary) leads to an
        undecided configuration certified bivalent."""
        for branch in self.m.branches(c, move):
            d, sent = self.m.apply(c, branch)
            if self.m.bits(d):
                return False
            fifo = list(self.fifo)
            advance(fifo, branch, sent)
            if not self.bivalent(d, fifo):
                return False
        return True

    def bivalent(self, c: Config, fifo: Fifo) -> bool:
        """True when a decision of 0 and one of 1 were both found from ``c``: directed
        schedules first, then a bounded breadth-first search."""
        bits = self._directed(c, fifo)
        if bits != 3:
            bits |= self._bfs(c)
        return bits == 3

    def _directed(self, start: Config, pending: Fifo) -> int:
        """The decision bits met by the directed schedules: processes in turn, each receiving
        its oldest pending message or null; or the oldest pending message of all, null steps in
        turn when none is pending; each with every process first."""
        m, n = self.m, self.m.n
        bits = 0
        for per_process in (True, False):
            for first in range(n):
                c, fifo, turn = start, list(pending), first
                seen = {(c, turn)}
                for _ in range(DIRECTED_STEPS):
                    if per_process or not fifo:
                        p = turn
                        mid = oldest(m, fifo, p)
                        move = (p, NULL if mid is None else mid)
                        turn = (turn + 1) % n
                    else:
                        move = (m.msg_dst[fifo[0]], fifo[0])
                    c, sent = m.apply(c, move)
                    advance(fifo, move, sent)
                    b = m.bits(c)
                    if b:
                        bits |= b
                        break
                    if (c, turn) in seen:
                        break
                    seen.add((c, turn))
                if bits == 3:
                    return bits
        return bits

    def _bfs(self, start: Config) -> int:
        """The decision bits of the configurations a breadth-first search of at most
        ``lookahead`` configurations reaches from ``start`` (decided ones are not expanded)."""
        cached = self._bfs_cache.get(start)
        if cached is not None:
            return cached
        m = self.m
        seen = {start}
        queue = deque([start])
        bits = 0
        while queue and bits != 3:
            c = queue.popleft()
            for move in (b for e in m.moves(c) for b in m.branches(c, e)):
                d, _ = m.apply(c, move)
                if d in seen:
                    continue
                seen.add(d)
                b = m.bits(d)
                if b:
                    bits |= b
                elif len(seen) < self.lookahead:
                    queue.append(d)
        if len(self._bfs_cache) >= _CACHE:
            self._bfs_cache.clear()
        self._bfs_cache[start] = bits
        return bits


def run_scheduler(name: str, index: int) -> str:
    """The scheduler that takes run ``index`` of a simulation with scheduler ``name``: itself,
    or for ``swarm`` the one of :data:`SWARM` whose turn it is.

    >>> [run_scheduler("swarm", i) for i in range(3)], run_scheduler("fair", 0)
    (['uniform', 'fair', 'uniform'], 'fair')
    """
    return SWARM[index % len(SWARM)] if name == "swarm" else name


def make_scheduler(name: str, machine: Machine, rng: random.Random,
                   lookahead: int) -> Scheduler:
    """A fresh scheduler called ``name`` (one of :data:`SCHEDULERS` but ``swarm``: see
    :func:`run_scheduler`) for one run."""
    if name == "uniform":
        return Uniform(machine, rng)
    if name == "fair":
        return Fair(machine, rng)
    if name == "adversary":
        return Adversary(machine, rng, lookahead)
    raise ValueError(f"no scheduler {name!r}")
