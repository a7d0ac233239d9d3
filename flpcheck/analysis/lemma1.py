"""Lemma 1 (commutativity) checked with the protocol's own code, not the memo tables.

For a configuration C and events e1 = (p, m1), e2 = (q, m2) of different processes applicable
at C (a *diamond*), e2(e1(C)) and e1(e2(C)) must be the same configuration. In the explored
graph they are, by construction: the explorer computes each local transition (p, s_p, m) once,
with two calls to ``step`` that must agree, and builds every configuration from those memoized
transitions. What the graph cannot show is whether a call's result depends on calls of *other*
processes made before it: processes that share state (a global, a class attribute, a shared
mutable object). Only real calls in both orders show that.

So each diamond is replayed with fresh calls: ``step(p, s_p, m1)`` then ``step(q, s_q, m2)``,
and ``step(q, s_q, m2)`` then ``step(p, s_p, m1)``; both orders must give the same results, and
the results the explored graph was built from. These four calls depend only on the diamond's
two local transitions, not on the rest of C, so diamonds with the same pair of transitions (at
other configurations) repeat the same four calls: each pair is replayed once, and a budget of
pairs covers every diamond that shares them. ``checked`` counts the diamonds covered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import FLPCheckError, SharedStateError
from ..explorer.statespace import StateSpace
from ..model.calls import Lazy
from ..model.chance import Outcomes
from ..model.checks import check_step_outcomes
from ..model.inputs import bits
from ..model.semantics import Event, apply_event
from ..model.table import NULL
from .graph import node_chunks

__all__ = ["Lemma1Result", "check_lemma1", "require_lemma1", "count_diamonds"]

SCAN_PER_PAIR = 64
"""The sample reads the graph (in breadth-first order) until it has replayed its budget of
pairs of transitions, or has read this many diamonds per pair of its budget."""


@dataclass(frozen=True)
class Lemma1Result:
    """How many diamonds were checked, and the first that failed."""

    checked: int
    holds: bool
    detail: str = ""
    config: int | None = None
    #: diamonds in the explored graph (pairs of events of different processes at one
    #: configuration); ``checked`` < ``total`` means a sample; None: not counted
    total: int | None = 0
    #: calls to the protocol's ``step`` the check made (four per pair of transitions replayed)
    calls: int = 0


def count_diamonds(space: StateSpace, chunk: int = 1 << 16) -> int:
    """How many diamonds the graph has: pairs of events of different processes applicable at
    one expanded configuration. Counted ``chunk`` configurations at a time (the temporaries
    are those of a chunk's edges, not of every edge)."""
    n = space.n
    indptr = space.arrays.indptr
    events = space.events_array
    dtype = np.int8 if n < 128 else np.int16
    pid_of = np.array(space.table.event_pids(), dtype=dtype)
    total = 0
    for a in range(0, len(space), chunk):
        b = min(len(space), a + chunk)
        lo, hi = int(indptr[a]), int(indptr[b])
        counts = np.diff(indptr[a:b + 1]).astype(np.int64)
        src = np.repeat(np.arange(b - a, dtype=np.int64), counts)
        per = np.bincount(src * n + pid_of[events[lo:hi]], minlength=(b - a) * n).reshape(-1, n)
        edges = per.sum(axis=1)
        total += int(((edges * edges - (per * per).sum(axis=1)) // 2).sum())
    return total


def check_lemma1(space: StateSpace, budget: int = 20000,
                 stop: Callable[[], str | None] | None = None,
                 count: bool = True) -> Lemma1Result:
    """Replay the diamonds of up to ``budget`` distinct pairs of local transitions with fresh
    calls to ``step``, configurations taken in BFS order. ``stop()`` returning a reason ends
    the sample early (it is then smaller, never wrong). ``count=False`` skips counting the
    graph's diamonds (``total`` is then None unless the sample covered them all)."""
    space.require_unreduced("Lemma 1")
    if space.on_partitions or (len(space) and not space.table.transitions):
        # the graph on its partitions, or gathered from them: the transitions were memoized
        # on the workers, so each diamond is replayed whole and compared with the graph
        return _check_by_configurations(space, budget)
    return _Sample(space, budget, stop).run(count)


def require_lemma1(space: StateSpace, budget: int = 2000,
                   stop: Callable[[], str | None] | None = None) -> Lemma1Result:
    """:func:`check_lemma1`, raising :class:`SharedStateError` (a model error) if it fails."""
    result = check_lemma1(space, budget, stop, count=False)
    if not result.holds:
        raise SharedStateError(f"{space.table.origin}: Lemma 1 fails {result.detail}")
    return result


class _Sample:
    """One run of the sample on a space held in this process."""

    def __init__(self, space: StateSpace, budget: int,
                 stop: Callable[[], str | None] | None) -> None:
        self.space = space
        self.budget = budget
        self.stop = stop
        self.n = space.n
        self.table = space.table
        #: dense id of a transition code, and the (pid, state id, message id) of each id
        self.dense: dict[int, int] = {}
        self.keys: list[tuple[int, int, int]] = []
        self.done: set[int] = set()  # pair codes replayed
        self.calls = 0

    def run(self, count: bool = True) -> Lemma1Result:
        space, n = self.space, self.n
        total = count_diamonds(space) if count else None
        indptr = space.arrays.indptr
        events = space.events_array
        rows = space.rows
        pid_of = np.array(self.table.event_pids(), dtype=np.int64)
        width = len(self.table.messages) + 1
        checked = scanned = 0
        whole = True  # every diamond read so far is covered
        for a, b, lo, hi in node_chunks(indptr, 4096):
            if scanned >= SCAN_PER_PAIR * self.budget or (self.stop is not None
                                                          and self.stop()):
                whole = False
                break
            counts = np.diff(indptr[a:b + 1]).astype(np.int64)
            ev = events[lo:hi].astype(np.int64)
            pid = pid_of[ev]
            src = np.repeat(np.arange(a, b, dtype=np.int64), counts)
            sid = rows[src, pid].astype(np.int64)
            code = (sid * width + np.where(ev >= n, ev - n + 1, 0)) * n + pid
            first, second = _pairs(counts, pid)
            scanned += len(first)
            if not len(first):
                continue
            uniq, inv = np.unique(code, return_inverse=True)
            ids = np.array([self._dense(int(c)) for c in uniq.tolist()], dtype=np.int64)[inv]
            pair = ids[first] << 32 | ids[second]
            found, where = np.unique(pair, return_index=True)
            for k in np.argsort(where, kind="stable").tolist():
                c = int(found[k])
                if c in self.done:
                    continue
                if len(self.done) >= self.budget:
                    break
                failed = self._replay(c >> 32, c & 0xFFFFFFFF, int(src[first[where[k]]]))
                if failed is not None:
                    return Lemma1Result(checked, False, failed[1], failed[0], total, self.calls)
                self.done.add(c)
            done = np.fromiter(self.done, dtype=np.int64, count=len(self.done))
            covered = int(np.isin(pair, done).sum())
            checked += covered
            if covered < len(pair):  # the budget ran out in this chunk
                whole = False
                break
        if whole:
            total = checked
        detail = "" if whole else (f"a sample: {len(self.done):,} pairs of transitions "
                                   f"replayed ({self.calls:,} calls to step)")
        return Lemma1Result(checked, True, detail, None, total, self.calls)

    def _dense(self, code: int) -> int:
        found = self.dense.get(code)
        if found is None:
            found = self.dense[code] = len(self.keys)
            n, width = self.n, len(self.table.messages) + 1
            self.keys.append((code % n, code // n // width, code // n % width - 1))
        return found

    def _replay(self, one: int, two: int, cid: int) -> tuple[int, str] | None:
        """Replay the pair of transitions in both orders; (configuration, why) if it fails."""
        t1, t2 = self.keys[one], self.keys[two]
        a1 = self._call(t1)
        a2 = self._call(t2)
        b2 = self._call(t2)
        b1 = self._call(t1)
        table = self.table
        if all(self._interned(t, r) == table.outcomes(*t)
               for r, t in ((a1, t1), (a2, t2), (b2, t2), (b1, t1))):
            return None
        return cid, self._failure(cid, t1, t2, (a1, a2, b2, b1))

    def _failure(self, cid: int, t1: tuple[int, int, int], t2: tuple[int, int, int],
                 results: tuple[Any, ...]) -> str:
        """What a failed diamond shows: the two orders, or an order and the explored graph."""
        space = self.space
        a1, a2, b2, b1 = results
        config = space.configuration(cid)
        e1, e2 = self._event(t1, a1), self._event(t2, a2)
        proto = space.protocol
        share = ("the processes share state (a global, a class attribute or a shared mutable "
                 "object)")
        try:
            first = apply_event(proto, apply_event(proto, config, e1, a1).config, e2, a2).config
            second = apply_event(proto, apply_event(proto, config, e2, b2).config, e1,
                                 b1).config
        except FLPCheckError:  # a fresh call's outcomes differ from the explored ones
            return (f"at configuration {_where(space, cid)}: events {e1} and {e2} of different "
                    "processes give other outcomes with fresh calls to step than those the "
                    "explored graph was built from: " + share)
        if first != second:
            return (f"at configuration {_where(space, cid)}: events {e1} and {e2} of different "
                    f"processes do not commute (one order gives {first}, the other {second}): "
                    + share)
        d1 = space.successor(cid, e1)
        explored = None if d1 is None else space.successor(d1, e2)
        other = "" if explored is None else f" {space.configuration(explored)}"
        return (f"at configuration {_where(space, cid)}: events {e1} and {e2} of different "
                f"processes give {first} in both orders with fresh calls to step, but the "
                f"explored graph{other} (built from earlier calls): " + share)

    def _call(self, t: tuple[int, int, int]) -> Any:
        """A fresh call of ``step`` for the transition ``t`` (pid, state id, message id)."""
        pid, sid, mid = t
        table = self.table
        state = table.states[sid]
        msg = table.payload_of(mid)
        self.calls += 1
        what = Lazy(lambda: f"step({pid}, {state!r}, {msg!r})")
        return table.call(table.protocol.step, (pid, state, msg), what)

    def _interned(self, t: tuple[int, int, int], result: Any
                  ) -> tuple[tuple[int | None, int | None, tuple[int | None, ...]], ...] | None:
        """What ``step`` returned for transition ``t``, as :meth:`LocalTable.outcomes` holds
        it: every outcome as (probability id, state id, sorted message ids) of values already
        interned (None for a value never seen); None for a result the checks refuse."""
        table = self.table
        pid, sid, _ = t
        try:
            results = check_step_outcomes(table.origin, self.n, result, table.states[sid], pid,
                                          "step")
        except FLPCheckError:
            return None
        out = []
        for p, new_state, raw in results:
            sent = [table.find_message(dst, payload) for dst, payload in raw]
            if None in sent:
                return None
            out.append((table.find_probability(p), table.find_state(new_state),
                        tuple(sorted(sent))))  # type: ignore[type-var]
        return tuple(out)

    def _event(self, t: tuple[int, int, int], result: Any) -> Event:
        """The event of transition ``t``, naming outcome 0 where ``result`` is left to
        chance (the failure shows the first outcome's diamond)."""
        pid, _, mid = t
        outcome = 0 if isinstance(result, Outcomes) and len(result) > 1 else None
        return Event(pid, None if mid == NULL else self.table.payload_of(mid), outcome)


def _pairs(counts: np.ndarray, pid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of edges of one configuration taken by different processes, among the
    edges of consecutive configurations with ``counts`` edges each (``pid``: the process of
    each edge): the positions of the edge of the lower process, and of the other."""
    starts = np.cumsum(counts) - counts
    ends = np.repeat(starts + counts, counts)
    i = np.arange(len(pid), dtype=np.int64)
    later = ends - i - 1  # the edges after i in its configuration
    total = int(later.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    first = np.repeat(i, later)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(later) - later, later)
    second = first + 1 + offsets
    keep = pid[first] != pid[second]
    first, second = first[keep], second[keep]
    swap = pid[first] > pid[second]
    first[swap], second[swap] = second[swap], first[swap].copy()
    return first, second


def _check_by_configurations(space: Any, budget: int) -> Lemma1Result:
    """The sample on a graph explored on Ray workers: each diamond replayed through the plain
    semantics and compared with the configuration the workers explored."""
    proto = space.protocol
    partitioned = space.on_partitions  # the graph on its partitions
    total = space.count_diamonds() if partitioned else count_diamonds(space)
    checked = 0
    fetched = 0
    cut = space.cut
    for cid in range(len(space)):
        if partitioned and cid >= fetched:  # what the sample reads, a window at a time
            fetched = min(len(space), cid + 256)
            space.prefetch(list(range(cid, fetched)))
        if cut[cid]:
            continue
        succ = space.successors(cid)
        config = space.configuration(cid)
        for (e1, d1), (e2, _) in ((a, b) for a in succ for b in succ):
            if e1.pid >= e2.pid:
                continue
            one = apply_event(proto, apply_event(proto, config, e1).config, e2).config
            two = apply_event(proto, apply_event(proto, config, e2).config, e1).config
            explored = space.successor(d1, e2)
            checked += 1
            if one != two or (explored is not None and space.configuration(explored) != one):
                return Lemma1Result(
                    checked, False,
                    f"at configuration {_where(space, cid)}: events {e1} and {e2} of different "
                    f"processes do not commute (one order gives {one}, the other {two}): the "
                    "processes share state (a global, a class attribute or a shared mutable "
                    "object)",
                    cid, total, 4 * checked)
            if checked >= budget:
                return Lemma1Result(checked, True, f"budget of {budget} diamonds reached",
                                    total=total, calls=4 * checked)
    return Lemma1Result(checked, True, total=total, calls=4 * checked)


def _where(space: StateSpace, cid: int) -> str:
    sched = space.schedule_to(cid)
    steps = ", ".join(str(e) for e in sched.events) or "no event"
    return f"{space.configuration(cid)} (from inputs {bits(sched.inputs)}, {steps})"
