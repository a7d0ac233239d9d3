"""The synchronous round model: lock-step rounds, crash failures in mid-send.

A round protocol subclasses :class:`RoundProtocol` and defines ``init``, ``send``, ``receive``
and ``output``. Rounds are numbered 1..R. In round r every live process sends (``send``), then
receives what was sent to it this round (``receive`` with its inbox), then has its new state.
A process that crashes in round r stops in the middle of its round-r sends: any subset of its
round-r messages is delivered, and it neither receives nor updates in round r or afterwards;
its output is ignored (Aguilera and Toueg, IPL 71, 1999). The adversary picks, with at most
``crashes`` (f) crashes in all, which processes crash in which round and which of their
messages get through.

:func:`check_rounds` explores every such execution from every input vector, exhaustively, and
checks agreement, validity and termination on the live processes after the last round. The
round graph is layered (round r only leads to round r+1), so it is explored one layer at a time
with identical global states merged (memoized); only two layers are ever in memory. The choices
of the adversary for one process's inbox are independent of the other inboxes, so successors are
built per receiving process and combined, and user code runs once per distinct local call.

Each violation comes with a canonical counterexample: among the violating executions, the one
with the fewest crashes, then the fewest messages delivered by crashing processes, then the
first in a fixed order of the adversary's choices (earlier rounds first; lower process ids
crash first; a crashing process's messages go to lower ids first), then the smallest input
vector. It is found by a forward minimum over the layers (no hash order anywhere), then
replayed by :func:`replay`, which calls the model directly, and checked again.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import FLPCheckError, ReplayError, UsageError
from ..model.inputs import bits, input_vectors
from ..model.round_protocol import RoundProtocol, check_round_protocol_class
from ..model.round_table import RoundTable
from ..model.termination import check_termination, counts_as_decided
from .records import Crash, RoundCheck, RoundVerdict, count_crash_patterns, describe_crashes
from .replay import agreement_problem, replay, termination_problem, validity_problem

__all__ = ["check_rounds"]

_DEAD = -1

#: one round's choice of the adversary, in its comparison form:
#: (crashing pids, per surviving receiver q ascending: (-len(M_q), M_q)), M_q the crashing
#: senders whose message reaches q
_Choice = tuple[tuple[int, ...], tuple[tuple[int, tuple[int, ...]], ...]]
#: the canonical order of executions: (crashes, delivered, choices per round, inputs)
_Key = tuple[int, int, tuple[_Choice, ...], tuple[int, ...]]


@dataclass(slots=True)
class _Layer:
    """The distinct global states after one round and what the forward pass keeps for each."""

    rows: list[tuple[int, ...]]
    index: dict[tuple[int, ...], int]
    #: executions reaching each state
    paths: list[int]
    #: of those, executions in which some live output already changed once set
    changed: list[int]
    #: the least execution (canonical order) reaching each state
    best: list[_Key]
    #: per uniform input v present: state -> (executions from v...v, least such execution)
    uniform: dict[int, dict[int, tuple[int, _Key]]]

    @classmethod
    def empty(cls, values: Iterable[int]) -> _Layer:
        return cls([], {}, [], [], [], {v: {} for v in values})

    def add(self, row: tuple[int, ...], key: _Key) -> int:
        i = self.index.get(row)
        if i is None:
            i = self.index[row] = len(self.rows)
            self.rows.append(row)
            self.paths.append(0)
            self.changed.append(0)
            self.best.append(key)
        elif key < self.best[i]:
            self.best[i] = key
        return i


def check_rounds(
    protocol: RoundProtocol,
    inputs: Iterable[Sequence[int]] | None = None,
    *,
    crashes: int = 1,
    origin: str = "",
    termination: str = "all",
) -> RoundCheck:
    """Explore every execution of ``protocol`` with at most ``crashes`` crashes; check it.

    Agreement: after the last round, the live processes that decided decided one value, and
    no live process's output changed once set. Validity: from inputs all v, no live process
    decides 1 - v (with binary inputs this is also "the decision is some process's input").
    Termination: every live process has decided after the last round (``termination="all"``,
    the default), or at least one live process has (``"some"``).

    >>> class Own(RoundProtocol):
    ...     processes, rounds = 2, 1
    ...     def init(self, pid, x): return (x, None)
    ...     def send(self, pid, round, state): return ()
    ...     def receive(self, pid, round, state, inbox): return (state[0], state[0])
    ...     def output(self, pid, state): return state[1]
    >>> check = check_rounds(Own(), crashes=0)
    >>> check.executions, check.agreement.holds, check.agreement.counterexample.describe()
    (4, False, 'inputs 01; no crashes')
    """
    check_round_protocol_class(type(protocol))
    check_termination(termination)
    n, rounds = protocol.processes, protocol.rounds
    if isinstance(crashes, bool) or not isinstance(crashes, int) or not 0 <= crashes <= n:
        raise UsageError(f"--crashes must be between 0 and N={n}, got {crashes!r}")
    vectors = input_vectors(n, inputs)
    table = RoundTable(protocol, origin)
    started = time.perf_counter()

    layer = _initial_layer(table, vectors, n)
    sizes = [len(layer.rows)]
    transitions = 0
    #: the least execution in which a live output changes once set
    change: _Key | None = None
    for rnd in range(1, rounds + 1):
        layer, more, change = _next_layer(table, layer, rnd, crashes, change)
        transitions += more
        sizes.append(len(layer.rows))

    executions = sum(layer.paths)
    result = _verdicts(protocol, table, layer, change, executions, crashes, origin, termination)
    return RoundCheck(
        protocol=protocol,
        name=type(protocol).__name__,
        processes=n,
        rounds=rounds,
        crashes=crashes,
        inputs=tuple(vectors),
        crash_patterns=count_crash_patterns(n, rounds, crashes),
        executions=executions,
        global_states=tuple(sizes),
        transitions=transitions,
        user_calls=table.user_calls,
        elapsed=time.perf_counter() - started,
        agreement=result[0],
        validity=result[1],
        termination=result[2],
        termination_definition=termination,
    )


def _initial_layer(table: RoundTable, vectors: list[tuple[int, ...]], n: int) -> _Layer:
    """The global states before round 1, one per input vector, each reached by one path."""
    uniform_values = [v for v in (0, 1) if (v,) * n in vectors]
    layer = _Layer.empty(uniform_values)
    for x in vectors:
        row = tuple(table.initial_state(p, x[p]) for p in range(n))
        key: _Key = (0, 0, (), x)
        i = layer.add(row, key)
        layer.paths[i] += 1
        if x == (x[0],) * n:
            layer.uniform[x[0]][i] = (1, key)
    return layer


def _next_layer(table: RoundTable, layer: _Layer, rnd: int, crashes: int,
                change: _Key | None) -> tuple[_Layer, int, _Key | None]:
    """(the global states after round ``rnd``, how many transitions led there, the least
    execution so far in which a live output changes once set)."""
    rounds = table.protocol.rounds
    nxt = _Layer.empty(list(layer.uniform))
    transitions = 0
    for i, row in enumerate(layer.rows):
        paths, changed, (c0, d0, seq, x0) = layer.paths[i], layer.changed[i], layer.best[i]
        uniform = [(v, found) for v, m in layer.uniform.items() if (found := m.get(i))]
        try:
            for new_row, crashed, delivered, choice, mult, flip in _successors(
                table, row, rnd, crashes
            ):
                transitions += 1
                key = (c0 + crashed, d0 + delivered, seq + (choice,), x0)
                j = nxt.add(new_row, key)
                nxt.paths[j] += paths * mult
                nxt.changed[j] += (paths if flip else changed) * mult
                for v, (count, ukey) in uniform:
                    m = nxt.uniform[v]
                    ckey = (ukey[0] + crashed, ukey[1] + delivered, ukey[2] + (choice,),
                            ukey[3])
                    old = m.get(j)
                    m[j] = (count * mult + (old[0] if old else 0),
                            ckey if old is None or ckey < old[1] else old[1])
                if flip is not None:
                    full = _complete(key, new_row, rounds - rnd)
                    if change is None or full < change:
                        change = full
        except FLPCheckError as err:
            err.add_note(
                f"the global state before round {rnd} is reached from "
                f"{_key_description(layer.best[i], table.protocol.processes)}"
            )
            raise
    return nxt, transitions, change


def _successors(
    table: RoundTable, row: tuple[int, ...], rnd: int, budget_total: int
) -> Iterator[tuple[tuple[int, ...], int, int, _Choice, int,
                    tuple[int, int | None, int | None] | None]]:
    """Every distinct successor of one global state in round ``rnd``.

    Yields (successor, crashes this round, messages delivered by crashing processes, the least
    adversary choice reaching it, how many choices reach it, (q, before, after) if a live
    output changed once set, else None).
    """
    n = len(row)
    live = tuple(p for p in range(n) if row[p] != _DEAD)
    budget = budget_total - (n - len(live))
    to: list[dict[int, int]] = [{} for _ in range(n)]
    #: per receiver q: the live processes that send to q this round, as a bit mask
    senders_of = [0] * n
    for p in live:
        to[p] = dict(table.sends(p, rnd, row[p]))
        for q in to[p]:
            senders_of[q] |= 1 << p
    before = {q: table.output(q, row[q]) for q in live}
    #: per receiver q: the set of senders that reach q (bit mask) -> (new state, flip)
    seen: list[dict[int, tuple[int, Any]]] = [{} for _ in range(n)]

    def receive(q: int, reached: int, crashing: tuple[int, ...], m: tuple[int, ...]) -> tuple[
            int, Any]:
        inbox = tuple((src, to[src][q]) for src in live if reached >> src & 1)
        try:
            nsid = table.receive(q, rnd, row[q], inbox)
        except FLPCheckError as err:
            err.add_note(_receive_context(q, rnd, crashing, m))
            raise
        after = table.output(q, nsid)
        old = before[q]
        flip = (q, old, after) if old is not None and after != old else None
        seen[q][reached] = (nsid, flip)
        return nsid, flip

    live_mask = sum(1 << p for p in live)
    for k in range(min(budget, len(live)) + 1):
        for crashing in itertools.combinations(live, k):
            crash_mask = sum(1 << p for p in crashing)
            survivors = tuple(q for q in live if not crash_mask >> q & 1)
            # per survivor q: the distinct new states of q, each with (count, least M_q, flip)
            options: list[list[tuple[int, int, tuple[int, ...], Any]]] = []
            for q in survivors:
                base = live_mask & ~crash_mask & senders_of[q]
                senders = [p for p in crashing if senders_of[q] >> p & 1]
                groups: dict[int, list[Any]] = {}
                cache = seen[q]
                for size in range(len(senders) + 1):
                    for m in itertools.combinations(senders, size):
                        reached = base
                        for p in m:
                            reached |= 1 << p
                        found = cache.get(reached)
                        nsid, flip = found if found else receive(q, reached, crashing, m)
                        g = groups.get(nsid)
                        if g is None:
                            groups[nsid] = [1, m, flip]
                        else:
                            g[0] += 1
                options.append([(sid, g[0], g[1], g[2]) for sid, g in groups.items()])
            for combo in itertools.product(*options):
                new_row = list(row)
                for p in crashing:
                    new_row[p] = _DEAD
                mult, delivered, flip = 1, 0, None
                per_q = []
                for q, (nsid, count, m, q_flip) in zip(survivors, combo, strict=True):
                    new_row[q] = nsid
                    mult *= count
                    delivered += len(m)
                    per_q.append((-len(m), m))
                    if flip is None:
                        flip = q_flip
                yield tuple(new_row), k, delivered, (crashing, tuple(per_q)), mult, flip


def _receive_context(q: int, rnd: int, crashing: tuple[int, ...], got: tuple[int, ...]) -> str:
    if not crashing:
        return f"p{q} receives in round {rnd}, no process crashing in that round"
    who = ", ".join(f"p{p}" for p in crashing)
    reach = ", ".join(f"p{p}" for p in got) or "none"
    return (f"p{q} receives in round {rnd} while {who} crash in that round; crashing senders "
            f"whose message reaches p{q}: {reach}")


def _complete(key: _Key, row: tuple[int, ...], remaining: int) -> _Key:
    """``key`` continued by ``remaining`` crash-free rounds (the least continuation)."""
    quiet: _Choice = ((), tuple((0, ()) for p in row if p != _DEAD))
    return (key[0], key[1], key[2] + (quiet,) * remaining, key[3])


def _crashes_of(key: _Key, n: int) -> tuple[Crash, ...]:
    """The crash pattern of an execution given in the canonical-order form."""
    live = list(range(n))
    out = []
    for rnd, (crashing, per_q) in enumerate(key[2], start=1):
        survivors = [q for q in live if q not in crashing]
        for p in crashing:
            got = tuple(q for q, (_, m) in zip(survivors, per_q, strict=True) if p in m)
            out.append(Crash(p, rnd, got))
        live = survivors
    return tuple(out)


def _key_description(key: _Key, n: int) -> str:
    crashes = _crashes_of(key, n)
    return f"inputs {bits(key[3])}; {describe_crashes(crashes)}"


def _verdicts(
    protocol: RoundProtocol,
    table: RoundTable,
    layer: _Layer,
    change: _Key | None,
    executions: int,
    crashes: int,
    origin: str,
    termination: str = "all",
) -> tuple[RoundVerdict, RoundVerdict, RoundVerdict]:
    n = protocol.processes
    agree_key: _Key | None = change
    agree_count = 0
    term_key: _Key | None = None
    term_count = 0
    valid_key: _Key | None = None
    valid_count = 0
    for i, row in enumerate(layer.rows):
        outs = [table.output(p, row[p]) for p in range(n) if row[p] != _DEAD]
        decided = {o for o in outs if o is not None}
        best = layer.best[i]
        if len(decided) > 1:
            agree_count += layer.paths[i]
            if agree_key is None or best < agree_key:
                agree_key = best
        else:
            agree_count += layer.changed[i]
        if outs and not counts_as_decided(outs, termination):  # none live: nobody to decide
            term_count += layer.paths[i]
            if term_key is None or best < term_key:
                term_key = best
        for v, m in layer.uniform.items():
            found = m.get(i)
            if found and (1 - v) in decided:
                valid_count += found[0]
                if valid_key is None or found[1] < valid_key:
                    valid_key = found[1]

    def verdict(name: str, key: _Key | None, count: int, check: Any) -> RoundVerdict:
        if key is None:
            return RoundVerdict(name, True, f"holds in all {executions:,} executions")
        execution = replay(protocol, key[3], _crashes_of(key, n), crashes_allowed=crashes,
                           origin=origin)
        detail = check(execution)
        if detail is None:
            raise ReplayError(
                f"{origin or type(protocol).__name__}: the {name} counterexample "
                f"({execution.describe()}) does not violate {name} when replayed"
            )
        return RoundVerdict(name, False, detail, count, execution)

    return (
        verdict("agreement", agree_key, agree_count, agreement_problem),
        verdict("validity", valid_key, valid_count, validity_problem) if layer.uniform else
        RoundVerdict("validity", None, "not checked: neither all-0 nor all-1 inputs were "
                                       "explored"),
        verdict("termination", term_key, term_count,
                lambda ex: termination_problem(ex, termination)),
    )
