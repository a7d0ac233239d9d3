"""The Lemma 3 adversary on demand, for protocols too large (or infinite) to explore.

``flpcheck witness MODEL --stages k`` builds the first k stages of the adversary's run without
exploring the whole graph. Each configuration a stage ends in is *certified* bivalent by two
explicit finite continuations, one reaching a configuration where 0 is decided and one where 1
is: that proves V(C) = {0, 1} whatever the bounds. Stages pass only through undecided
configurations.

A certificate is searched for in three ways, cheapest first, each bounded by ``cert_configs``
configurations:

1. *directed schedules*: processes take turns, each receiving its oldest pending message (by
   send time) or, when it has none, taking a null step; or the oldest pending message of all is
   delivered and null steps are taken only when nothing is pending; each tried with every
   process acting first;
2. a search that takes null steps as late as possible (breadth-first in the number of null
   steps: deliveries first, a null step is a "timeout" and costs one level);
3. plain breadth-first search.

The bounds only limit the searches; a search that gives up says which bound stopped it, which
proves nothing about the protocol. A search that ends because nothing more is reachable proves
the continuation does not exist. Any search that meets a configuration holding both decision
values (or a step that changes an output once set) has found an agreement violation; a
certificate deciding 1 from inputs all 0 (or 0 from all 1) a validity violation: both are
reported with their schedule instead of stages.

Steps left to chance: a move names chance's outcome, and the searches take every outcome as
a branch (the adversary picks outcomes as it picks events: the possibilistic skeleton); the
directed schedules take each step's first outcome, and a stage's event e is applied with the
first outcome that lands on a configuration certified bivalent.

Every configuration inside a stage's sigma is bivalent too: it reaches the stage's end. The
searches run on interned configurations through the explorer's checked, memoized user calls
(:class:`~flpcheck.model.table.LocalTable`); :func:`check_staged_run` replays the result with
the protocol's own code (:mod:`flpcheck.model.semantics`), independently.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import ReplayError
from ..model.inputs import all_inputs
from ..model.protocol import Protocol
from ..model.semantics import Event, initial_configuration, replay
from ..model.table import NULL, LocalTable

__all__ = ["OnDemandStage", "StagedRun", "Violation", "staged_adversary", "check_staged_run"]

#: a configuration: (state id per process, sorted tuple of the message ids in transit)
Config = tuple[tuple[int, ...], tuple[int, ...]]
#: a move: (process, message id or NULL, chance's outcome or None for a deterministic step)
Move = tuple[int, int, int | None]

GREEDY_STEPS = 400
"""The longest directed schedule tried for a certificate."""


@dataclass(frozen=True)
class OnDemandStage:
    """One stage: process p served with event e after sigma, and the two certificates that
    the configuration it ends in is bivalent."""

    process: int
    event: Event
    sigma: tuple[Event, ...]
    certificates: dict[int, tuple[Event, ...]]
    queue: tuple[int, ...]
    searched: int


@dataclass(frozen=True)
class Violation:
    """A safety violation met by the searches: the property and a schedule reaching it."""

    property: str
    inputs: tuple[int, ...]
    events: tuple[Event, ...]
    detail: str


@dataclass(frozen=True)
class StagedRun:
    """The k-stage prefix of the adversary's run from I(inputs), with its certificates.

    ``failure`` says why fewer stages were built; ``stopped_by`` names the bounds that stopped
    a search (empty when none did: then the failure is a fact about the protocol);
    ``violation`` is a safety violation met on the way.
    """

    inputs: tuple[int, ...]
    start_certificates: dict[int, tuple[Event, ...]]
    stages: list[OnDemandStage]
    failure: str = ""
    bounds: dict[str, int] = field(default_factory=dict)
    stopped_by: tuple[str, ...] = ()
    violation: Violation | None = None

    @property
    def events(self) -> tuple[Event, ...]:
        """The run: every stage's sigma then its event, concatenated."""
        out: list[Event] = []
        for s in self.stages:
            out += [*s.sigma, s.event]
        return tuple(out)


class _Found(Exception):
    """A safety violation met during a search (unwinds to :func:`staged_adversary`)."""

    def __init__(self, moves: list[Move], prop: str, detail: str) -> None:
        super().__init__(detail)
        self.moves, self.prop, self.detail = moves, prop, detail


class _Searcher:
    """Moves on interned configurations, with decisions and safety checked on every step."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.n = protocol.processes
        self.table = LocalTable(protocol)
        self.inputs: tuple[int, ...] = ()
        self.directed = True
        self._bits: dict[tuple[int, ...], int] = {}  # local states -> decision bits

    def initial(self, x: tuple[int, ...]) -> Config:
        return tuple(self.table.initial_state(p, x[p]) for p in range(self.n)), ()

    def bits(self, c: Config) -> int:
        """Decision bits of ``c``: bit v set when some process has decided v."""
        states = c[0]
        b = self._bits.get(states)
        if b is None:
            out = self.table.output
            b = 0
            for p, s in enumerate(states):
                v = out(p, s)
                if v is not None:
                    b |= 1 << v
            self._bits[states] = b
        return b

    def decisions(self, c: Config) -> frozenset[int]:
        b = self.bits(c)
        return frozenset(v for v in (0, 1) if b >> v & 1)

    def moves(self, c: Config) -> list[Move]:
        """Every distinct applicable event: null steps first, then messages by id; a step
        left to chance once per outcome, in outcome order."""
        msgs = self.table.messages
        out: list[Move] = []
        for p, m in [(p, NULL) for p in range(self.n)] + [(msgs[m][0], m)
                                                            for m in sorted(set(c[1]))]:
            out += self.outcomes_of(c, p, m)
        return out

    def outcomes_of(self, c: Config, p: int, m: int) -> list[Move]:
        """The moves of event (p, m) at ``c``: one per outcome of a step left to chance, else
        one with outcome None."""
        results = self.table.outcomes(p, c[0][p], m)
        return [(p, m, None)] if len(results) == 1 else [(p, m, o) for o in range(len(results))]

    def apply(self, c: Config, move: Move) -> tuple[Config, tuple[int, ...]]:
        """(the configuration after ``move``, the message ids it sent)."""
        p, m, o = move
        states, buffer = c
        _, ns, sent = self.table.outcomes(p, states[p], m)[o or 0]
        rest = list(buffer)
        if m != NULL:
            rest.remove(m)
        return (states[:p] + (ns,) + states[p + 1:], tuple(sorted(rest + list(sent)))), sent

    def checked(self, c: Config, move: Move,
                path: list[Move] | Callable[[], list[Move]]) -> tuple[Config, tuple[int, ...]]:
        """:meth:`apply`, raising :class:`_Found` (with ``path``, the moves that reached ``c``,
        or a function giving them) where the step breaks agreement."""
        d, sent = self.apply(c, move)
        p = move[0]
        before = self.table.output(p, c[0][p])
        if before is not None and self.table.output(p, d[0][p]) != before:
            raise _Found(_moves(path) + [move], "agreement",
                         f"p{p} changes its output from {before} once set")
        if self.bits(d) == 3:
            raise _Found(_moves(path) + [move], "agreement", "two processes decide differently")
        return d, sent

    def event(self, move: Move) -> Event:
        p, m, o = move
        return Event(p, self.table.payload_of(m), o)


def _moves(path: list[Move] | Callable[[], list[Move]]) -> list[Move]:
    return path() if callable(path) else path


def _path(prev: dict[Config, tuple[Config, Move] | None], c: Config) -> list[Move]:
    """The moves from the search's start to ``c``, read back through ``prev``."""
    out = []
    step = prev[c]
    while step is not None:
        c, move = step
        out.append(move)
        step = prev[c]
    return out[::-1]


def _joined(prefix: list[Move], path_to: Callable[[Config], list[Move]],
            c: Config) -> list[Move]:
    return prefix + path_to(c)


@dataclass
class _Outcome:
    """A bounded search: the moves found (None if none), whether the bound stopped it."""

    moves: list[Move] | None
    bounded: bool
    visited: int


def _directed(s: _Searcher, start: Config, pending: list[tuple[int, int]], value: int,
              prefix: list[Move], limit: int) -> list[Move] | None:
    """The directed schedules of the module docstring, from ``start`` with its pending copies
    ``(send time, message id)``, each at most ``limit`` steps; the first that decides
    ``value``."""
    n = s.n
    for per_process in (True, False):
        for first in range(n):
            c, fifo, time = start, sorted(pending), 0
            moves: list[Move] = []
            seen = {c}
            turn = first
            for _ in range(min(GREEDY_STEPS, limit)):
                if per_process:
                    p = turn
                    mine = [x for x in fifo if s.table.messages[x[1]][0] == p]
                    p, m = (p, mine[0][1]) if mine else (p, NULL)
                    turn = (turn + 1) % n
                elif fifo:
                    m = fifo[0][1]
                    p = s.table.messages[m][0]
                else:
                    p, m = turn, NULL
                    turn = (turn + 1) % n
                move = s.outcomes_of(c, p, m)[0]  # chance's first outcome
                c, sent = s.checked(c, move, prefix + moves)
                moves.append(move)
                if move[1] != NULL:
                    fifo.remove(next(x for x in fifo if x[1] == move[1]))
                time += 1
                fifo += [(time, m) for m in sent]
                decided = s.decisions(c)
                if value in decided:
                    return moves
                if decided or (c in seen and not per_process):
                    break
                seen.add(c)
    return None


def _search(s: _Searcher, start: Config, goal, limit: int, prefix: list[Move],
            allowed=None, late_nulls: bool = False) -> _Outcome:
    """Breadth-first search (in the number of null steps with ``late_nulls``) from ``start``
    for a configuration where ``goal(c)``; ``allowed(move, c)`` filters moves."""
    prev: dict[Config, tuple[Config, Move] | None] = {start: None}
    queue: deque[Config] = deque([start])

    def path_to(c: Config) -> list[Move]:
        return _path(prev, c)

    if goal(start):
        return _Outcome([], False, 1)
    while queue:
        c = queue.popleft()
        for move in s.moves(c):
            if allowed is not None and not allowed(move, c):
                continue
            d, _ = s.checked(c, move, functools.partial(_joined, prefix, path_to, c))
            if d in prev:
                continue
            prev[d] = (c, move)
            if goal(d):
                return _Outcome(path_to(d), False, len(prev))
            if len(prev) >= limit:
                return _Outcome(None, True, len(prev))
            if late_nulls and move[1] != NULL:
                queue.appendleft(d)
            else:
                queue.append(d)
    return _Outcome(None, False, len(prev))


def _certificate(s: _Searcher, c: Config, pending: list[tuple[int, int]], value: int,
                 limit: int, prefix: list[Move], directed: bool = True) -> _Outcome:
    """A continuation from ``c`` to a configuration where ``value`` is decided (with
    ``directed=False``: breadth-first search only, for comparison)."""
    if value in s.decisions(c):
        return _Outcome([], False, 1)
    if directed:
        found = _directed(s, c, pending, value, prefix, limit)
        if found is not None:
            return _Outcome(found, False, len(found))

    want = 1 << value

    def goal(d: Config) -> bool:
        return bool(s.bits(d) & want)

    if directed:
        late = _search(s, c, goal, limit, prefix, late_nulls=True)
        if late.moves is not None or not late.bounded:
            return late
    return _search(s, c, goal, limit, prefix)


def _certify(s: _Searcher, c: Config, pending: list[tuple[int, int]], limit: int,
             prefix: list[Move]) -> tuple[dict[int, tuple[Event, ...]] | None, bool]:
    """(both certificates, or None; whether a bound stopped a search)."""
    out = {}
    for v in (0, 1):
        found = _certificate(s, c, pending, v, limit, prefix, s.directed)
        if found.moves is None:
            return None, found.bounded
        out[v] = tuple(s.event(m) for m in found.moves)
        if v == 1 - s.inputs[0] and len(set(s.inputs)) == 1:
            raise _Found(prefix + found.moves, "validity",
                         f"every input is {s.inputs[0]}, yet {v} is decided")
    return out, False


def staged_adversary(protocol: Protocol, stages: int, *, cert_configs: int = 20000,
                     sigma_configs: int = 2000, directed: bool = True) -> StagedRun:
    """The first ``stages`` stages of Lemma 3's adversary, each end certified bivalent.

    Start: the first initial configuration (Lemma 2's chain first, then the others) certified
    bivalent. Stage: for the process p at the head of the round-robin queue, e = (p, m) with m
    its oldest pending message along the run (by send time, then message order), or null;
    sigma is the first undecided configuration, in breadth-first order over undecided
    configurations reachable without e (at most ``sigma_configs``), where e applies and leads to
    an undecided configuration certified bivalent (searches of at most ``cert_configs``).
    ``directed=False`` searches certificates by breadth-first search only (for comparison).
    """
    n = protocol.processes
    s = _Searcher(protocol)
    s.directed = directed
    bounds = {"cert_configs": cert_configs, "sigma_configs": sigma_configs}
    chain = [tuple([1] * k + [0] * (n - k)) for k in range(n + 1)]
    order = chain + [x for x in all_inputs(n) if x not in chain]
    start = None
    bounded = False
    try:
        for x in order:
            s.inputs = x
            c = s.initial(x)
            if s.decisions(c):
                continue
            certs, hit = _certify(s, c, [], cert_configs, [])
            bounded = bounded or hit
            if certs is not None:
                start = (x, c, certs)
                break
    except _Found as found:
        return _violation(s, found, bounds)
    if start is None:
        why = ("no initial configuration could be certified bivalent with searches of "
               f"{cert_configs} configurations (--cert-configs)" if bounded else
               "no initial configuration is bivalent (every search ended with nothing more "
               "reachable): Lemma 2 fails, so the protocol is trivial or a crash blocks it "
               "(run witness without --stages)")
        return StagedRun((0,) * n, {}, [], why, bounds, ("cert-configs",) if bounded else ())
    inputs, config, start_certs = start
    queue = tuple(range(n))
    pending: list[tuple[int, int]] = []  # (send time, message id) of copies in transit
    time = 0
    done: list[OnDemandStage] = []
    prefix: list[Move] = []
    try:
        while len(done) < stages:
            p = queue[0]
            mine = sorted(x for x in pending if s.table.messages[x[1]][0] == p)
            e: Move = (p, mine[0][1] if mine else NULL, None)  # the scheduler's: no outcome
            result, stopped = _sigma(s, config, pending, e, sigma_configs, cert_configs, prefix)
            if result is None:
                if not stopped:  # stuck for good: is it because the protocol is unsafe?
                    _search(s, config, lambda d: False, cert_configs, prefix)
                return StagedRun(inputs, start_certs, done, _stuck(len(done), s.event(e),
                                 stopped, bounds), bounds, stopped)
            sigma, certs, searched, e = result  # e with chance's outcome, if left to chance
            for move in [*sigma, e]:
                config, sent = s.checked(config, move, prefix)
                prefix.append(move)
                time += 1
                if move[1] != NULL:
                    pending.remove(min(x for x in pending if x[1] == move[1]))
                pending += [(time, m) for m in sent]
            done.append(OnDemandStage(p, s.event(e), tuple(s.event(m) for m in sigma), certs,
                                      queue, searched))
            queue = queue[1:] + queue[:1]
    except _Found as found:
        return _violation(s, found, bounds)
    return StagedRun(inputs, start_certs, done, "", bounds)


def _stuck(stage: int, e: Event, stopped: tuple[str, ...], bounds: dict[str, int]) -> str:
    if stopped:
        names = " and ".join(f"--{b}" for b in stopped)
        return (f"stage {stage}: no sigma avoiding {e} found whose e(sigma(C)) could be "
                f"certified bivalent within the bounds; stopped by {names} "
                f"({bounds['sigma_configs']} configurations per sigma search, "
                f"{bounds['cert_configs']} per certificate search): raise them to go on")
    return (f"stage {stage}: no undecided configuration reachable without {e} leads by {e} to "
            "an undecided bivalent configuration (every search ended with nothing more "
            "reachable, and no safety violation is reachable within the bound): Lemma 3 fails "
            "here, so a crash can block the protocol (run witness without --stages)")


def _violation(s: _Searcher, found: _Found, bounds: dict[str, int]) -> StagedRun:
    events = tuple(s.event(m) for m in found.moves)
    return StagedRun(s.inputs, {}, [], f"{found.prop} is violated: {found.detail}", bounds,
                     violation=Violation(found.prop, s.inputs, events, found.detail))


def _sigma(s: _Searcher, start: Config, pending: list[tuple[int, int]], e: Move,
           max_configs: int, cert_configs: int, prefix: list[Move]
           ) -> tuple[tuple[list[Move], dict[int, tuple[Event, ...]], int, Move] | None,
                      tuple[str, ...]]:
    """Breadth-first over undecided configurations reachable without e, to the first X where
    e (with some outcome, for a step left to chance) leads to an undecided configuration
    certified bivalent: ((sigma, certificates, visited, e with its outcome), ()) or (None, the
    bounds that stopped a search)."""
    p, m, _ = e
    prev: dict[Config, tuple[Config, Move] | None] = {start: None}
    queue: deque[Config] = deque([start])
    cert_bounded = False

    def path_to(c: Config) -> list[Move]:
        return _path(prev, c)

    while queue:
        c = queue.popleft()
        sigma = path_to(c)
        if m == NULL or m in c[1]:
            for e_o in s.outcomes_of(c, p, m):
                d, _ = s.checked(c, e_o, prefix + sigma)
                if s.decisions(d):
                    continue
                after = _pending_after(s, start, pending, [*sigma, e_o])
                certs, hit = _certify(s, d, after, cert_configs, prefix + sigma + [e_o])
                cert_bounded = cert_bounded or hit
                if certs is not None:
                    return (sigma, certs, len(prev), e_o), ()
        if len(prev) >= max_configs:
            continue
        for move in s.moves(c):
            if move[:2] == (p, m):  # e itself, whatever chance gives it
                continue
            d, _ = s.checked(c, move, prefix + sigma)
            if d not in prev and not s.decisions(d):
                prev[d] = (c, move)
                queue.append(d)
    stopped = []
    if cert_bounded:
        stopped.append("cert-configs")
    if len(prev) >= max_configs:
        stopped.append("sigma-configs")
    return None, tuple(stopped)


def _pending_after(s: _Searcher, start: Config, pending: list[tuple[int, int]],
                   moves: list[Move]) -> list[tuple[int, int]]:
    """The pending copies with their send times after ``moves`` from ``start``."""
    fifo = sorted(pending)
    time = max((t for t, _ in fifo), default=0)
    c = start
    for move in moves:
        c, sent = s.apply(c, move)
        if move[1] != NULL:
            fifo.remove(min(x for x in fifo if x[1] == move[1]))
        time += 1
        fifo += [(time, m) for m in sent]
    return fifo


def check_staged_run(protocol: Protocol, run: StagedRun) -> None:
    """Replay the prefix and every certificate with the protocol's own code (no memo); raise
    ReplayError unless each stage's certificates reach a decision of 0 and of 1, each stage's
    event is the one the adversary's rule picks and is not applied inside its sigma, and no
    configuration of the run has decided. A reported violation is replayed to show it."""
    if run.violation is not None:
        _check_violation(protocol, run.violation)
        return
    if not run.start_certificates:
        if run.stages:
            raise ReplayError("stages without certificates for the start")
        return
    _check_certs(protocol, run.inputs, (), run.start_certificates, "the start")
    prefix: tuple[Event, ...] = ()
    for i, stage in enumerate(run.stages):
        if any(e.key == stage.event.key for e in stage.sigma):
            raise ReplayError(f"stage {i}: sigma applies the event {stage.event} it must avoid")
        if stage.event.pid != stage.process:
            raise ReplayError(f"stage {i}: event {stage.event} is not a step of p{stage.process}")
        prefix += (*stage.sigma, stage.event)
        _check_certs(protocol, run.inputs, prefix, stage.certificates, f"stage {i}")
    for j, st in enumerate(replay(protocol, run.inputs, prefix)):
        if st.config.decisions(protocol):
            raise ReplayError(f"step {j + 1} of the run decides: a bivalent run never does")


def _check_violation(protocol: Protocol, v: Violation) -> None:
    steps = replay(protocol, v.inputs, v.events)
    configs = [initial_configuration(protocol, v.inputs)] + [st.config for st in steps]
    if v.property == "validity":
        if len(set(v.inputs)) != 1 or 1 - v.inputs[0] not in configs[-1].decisions(protocol):
            raise ReplayError("the reported validity violation does not replay")
        return
    outs = [c.outputs(protocol) for c in configs]
    changed = any(a is not None and a != b for x, y in zip(outs, outs[1:], strict=False)
                  for a, b in zip(x, y, strict=True))
    if len(configs[-1].decisions(protocol)) < 2 and not changed:
        raise ReplayError("the reported agreement violation does not replay")


def _check_certs(protocol: Protocol, inputs: tuple[int, ...], prefix: tuple[Event, ...],
                 certs: dict[int, tuple[Event, ...]], where: str) -> None:
    for v in (0, 1):
        if v not in certs:
            raise ReplayError(f"{where}: no certificate for {v}")
        steps = replay(protocol, inputs, prefix + certs[v])
        end = steps[-1].config if steps else initial_configuration(protocol, inputs)
        if v not in end.decisions(protocol):
            raise ReplayError(f"{where}: the certificate for {v} does not reach a decision {v}")
