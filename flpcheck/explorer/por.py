"""Partial-order reduction for the safety check, built on Lemma 1 (``explore --por``).

Lemma 1: events of different processes commute, and neither disables the other. So at a
configuration C, the events of one process p can be explored alone, postponing every other
process, when

1. the others cannot send p a message that is not already in transit to p, before p moves
   again (p's enabled events are then a *persistent set*, in the terms of Godefroid's
   partial-order methods);
2. no event of p changes an output (outputs are what the safety properties read: decisions
   are stable, so postponing an event that changes no output hides no decision);
3. some event of p leads to another configuration (p's null step alone may be a self-loop);
4. no event of p leads to a configuration already stored before C (the breadth-first cycle
   proviso: every cycle of the reduced graph then holds a fully expanded configuration, so no
   event is postponed forever).

Otherwise C is fully expanded. The reduced graph then reaches, from each of its
configurations, a configuration with the same outputs as any configuration the full graph
reaches, and a step that changes an output wherever the full graph has one (proof sketch in
the documentation: Internals, Reductions). So it preserves agreement, validity,
non-triviality and the valence of every configuration it stores, initial ones included; its
schedules are real runs. It does not preserve the counts of configurations and events, nor
cycles and fairness: the counts are those of the reduced graph, and witness runs, lemmas and
graph views are refused.

Which messages another process q may still send p is over-approximated before exploring by
a *local abstraction*: every local state of q reachable when q may receive, in any order, any
message that any process could ever send it (a fixpoint over user steps, through the memoized
:class:`~flpcheck.model.table.LocalTable`). The future sends of each local state are the
messages on the paths leaving it. When the abstraction is larger than a budget, or the
protocol rejects a step the abstraction tries, there is no reduction and the report says why.
"""

from __future__ import annotations

import itertools
from collections import deque

from ..errors import FLPCheckError, UsageError
from ..model.table import NULL, LocalTable

__all__ = ["FutureSends", "future_sends", "DEFAULT_BUDGET"]

DEFAULT_BUDGET = 100_000
"""User steps the local abstraction may take before the reduction is given up."""


class FutureSends:
    """For each process q and local state s of q, the messages q may send from s on, as a
    bit set over message ids (an over-approximation of every run)."""

    def __init__(self, table: LocalTable, sends: list[dict[int, int]]) -> None:
        self.sends = sends
        #: destination -> bit set of the message ids addressed to it
        self.to = [0] * table.n
        for mid, (dst, _) in enumerate(table.messages):
            self.to[dst] |= 1 << mid

    def quiet_towards(self, q: int, s: int, p: int, pending: tuple[int, ...]) -> bool:
        """True when q, from local state s, can only send p messages among ``pending``
        (distinct message ids). False for a state the abstraction does not know (never
        reached: the abstraction holds every reachable local state)."""
        bits = self.sends[q].get(s)
        if bits is None:
            return False
        kinds = 0
        for m in pending:
            kinds |= 1 << m
        return bits & self.to[p] & ~kinds == 0


def future_sends(table: LocalTable, budget: int = DEFAULT_BUDGET) -> FutureSends | str:
    """The local abstraction and its future sends; a reason string when there is none."""
    n = table.n
    try:
        succ: list[dict[int, list[tuple[int, tuple[int, ...]]]]] = [{} for _ in range(n)]
        inbox: list[list[int]] = [[] for _ in range(n)]  # message ids addressed to each process
        known: set[int] = set()
        work: deque[tuple[int, int, int]] = deque()  # (q, state, message) still to step
        steps = 0

        def add_state(q: int, s: int) -> None:
            if s not in succ[q]:
                succ[q][s] = []
                work.append((q, s, NULL))
                work.extend((q, s, m) for m in inbox[q])

        for q, x in itertools.product(range(n), (0, 1)):
            add_state(q, table.initial_state(q, x))
        while work:
            q, s, m = work.popleft()
            steps += 1
            if steps > budget:
                return (f"the local abstraction needs more than {budget:,} steps (local states "
                        "or messages without bound?)")
            ns, sent = table.step(q, s, m)
            succ[q][s].append((ns, sent))
            for mid in sent:
                if mid not in known:
                    known.add(mid)
                    dst = table.messages[mid][0]
                    inbox[dst].append(mid)
                    work.extend((dst, t, mid) for t in succ[dst])
            add_state(q, ns)
    except UsageError:  # a step left to chance: the reduction is refused, not skipped
        raise
    except FLPCheckError as err:
        return f"the local abstraction tried a step the protocol rejects ({err})"
    return FutureSends(table, [_closure(graph) for graph in succ])


def _closure(succ: dict[int, list[tuple[int, tuple[int, ...]]]]) -> dict[int, int]:
    """Bit set of the messages sent on some path from each state (a least fixpoint)."""
    bits = {s: 0 for s in succ}
    preds: dict[int, set[int]] = {s: set() for s in succ}
    for s, edges in succ.items():
        for t, sent in edges:
            preds[t].add(s)
            for m in sent:
                bits[s] |= 1 << m
    work = deque(sorted(succ))
    queued = set(work)
    while work:
        t = work.popleft()
        queued.discard(t)
        for s in sorted(preds[t]):
            grown = bits[s] | bits[t]
            if grown != bits[s]:
                bits[s] = grown
                if s not in queued:
                    queued.add(s)
                    work.append(s)
    return bits
