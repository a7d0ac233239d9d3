"""Lemma 1 (commutativity) checked with the protocol's own code, not the memo tables.

For a configuration C and events e1, e2 of different processes applicable at C, e2(e1(C)) and
e1(e2(C)) must be the same configuration. The explorer's tables are local by construction, so
the check replays both orders through :mod:`flpcheck.model.semantics` with fresh calls to ``step``,
in both orders, and compares them with each other and with the explored configuration: a model
whose processes share state (a global, a class attribute, a shared mutable object) fails it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SharedStateError
from ..explorer.statespace import StateSpace
from ..model.inputs import bits
from ..model.semantics import apply_event

__all__ = ["Lemma1Result", "check_lemma1", "require_lemma1", "count_diamonds"]


@dataclass(frozen=True)
class Lemma1Result:
    """How many diamonds were checked, and the first that failed."""

    checked: int
    holds: bool
    detail: str = ""
    config: int | None = None
    #: diamonds in the explored graph (pairs of events of different processes at one
    #: configuration); ``checked`` < ``total`` means a sample
    total: int = 0


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


def check_lemma1(space: StateSpace, budget: int = 20000) -> Lemma1Result:
    """Check up to ``budget`` diamonds, configurations taken in BFS order."""
    space.require_unreduced("Lemma 1")
    proto = space.protocol
    partitioned = space.on_partitions  # the graph on its partitions
    total = space.count_diamonds() if partitioned else count_diamonds(space)  # type: ignore[attr-defined]
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
                    cid, total)
            if checked >= budget:
                return Lemma1Result(checked, True, f"budget of {budget} diamonds reached",
                                    total=total)
    return Lemma1Result(checked, True, total=total)


def require_lemma1(space: StateSpace, budget: int = 2000) -> Lemma1Result:
    """:func:`check_lemma1`, raising :class:`SharedStateError` (a model error) if it fails."""
    result = check_lemma1(space, budget)
    if not result.holds:
        raise SharedStateError(f"{space.table.origin}: Lemma 1 fails {result.detail}")
    return result


def _where(space: StateSpace, cid: int) -> str:
    sched = space.schedule_to(cid)
    steps = ", ".join(str(e) for e in sched.events) or "no event"
    return f"{space.configuration(cid)} (from inputs {bits(sched.inputs)}, {steps})"
