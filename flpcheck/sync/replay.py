"""Replaying an execution of a round model with the model's own code, and what each property
asks of an execution: independent of the exploration's tables, it checks every counterexample
before it is shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ReplayError
from ..model.calls import call_user
from ..model.checks import check_output, check_round_sends
from ..model.round_protocol import RoundProtocol
from .records import Crash, Message, RoundExecution, RoundRecord

__all__ = ["replay", "agreement_problem", "validity_problem", "termination_problem"]


def agreement_problem(execution: RoundExecution) -> str | None:
    """Why ``execution`` violates agreement (a live output changed, or two live decisions
    differ after the last round), or None."""
    prev = execution.initial_outputs
    for rec in execution.records:
        for p in range(len(rec.live)):
            if rec.live[p] and prev[p] is not None and rec.outputs[p] != prev[p]:
                return (f"p{p}'s decision changed from {prev[p]} to {rec.outputs[p]} in round "
                        f"{rec.round} (a decision once made can't be changed)")
        prev = rec.outputs
    first: dict[int, int] = {}
    for p, (alive, y) in enumerate(zip(execution.live, execution.outputs, strict=True)):
        if alive and y is not None:
            first.setdefault(y, p)
    if len(first) > 1:
        return f"p{first[0]} decides 0 but p{first[1]} decides 1"
    return None


def validity_problem(execution: RoundExecution) -> str | None:
    """Why ``execution`` violates validity (all inputs v, a live process decides 1 - v), or None."""
    x = execution.inputs
    if len(set(x)) != 1:
        return None
    v = x[0]
    for p, (alive, y) in enumerate(zip(execution.live, execution.outputs, strict=True)):
        if alive and y == 1 - v:
            return f"every input is {v} but p{p} decides {y}"
    return None


def termination_problem(execution: RoundExecution, termination: str = "all") -> str | None:
    """Which live processes are undecided after the last round (under ``termination="all"``:
    any; under ``"some"``: all of them), or None."""
    undecided = [p for p, (alive, y) in enumerate(zip(execution.live, execution.outputs,
                                                      strict=True)) if alive and y is None]
    live = [p for p, alive in enumerate(execution.live) if alive]
    if not undecided or (termination == "some" and len(undecided) < len(live)):
        return None
    who = ", ".join(f"p{p}" for p in undecided)
    verb = "has" if len(undecided) == 1 else "have"
    return f"{who} {verb} not decided after the last round ({len(execution.records)})"


def replay(
    protocol: RoundProtocol,
    inputs: Sequence[int],
    crashes: Sequence[Crash] = (),
    *,
    crashes_allowed: int | None = None,
    origin: str = "",
) -> RoundExecution:
    """Run ``protocol`` from ``inputs`` under the crash pattern ``crashes``, calling it directly.

    Independent of the explorer's tables: used to check every counterexample before it is
    shown. Raises :class:`ReplayError` if the pattern is impossible (a process crashing twice
    or after it crashed, a message delivered that was never sent or to a process that is down,
    more than ``crashes_allowed`` crashes).

    >>> class Min(RoundProtocol):
    ...     processes, rounds = 3, 1
    ...     def init(self, pid, x): return (x, None)
    ...     def send(self, pid, round, state): return self.broadcast(state[0])
    ...     def receive(self, pid, round, state, inbox): return (0, min(v for _, v in inbox))
    ...     def output(self, pid, state): return state[1]
    >>> run = replay(Min(), (0, 1, 1), [Crash(0, 1, (1,))])
    >>> run.outputs, run.live
    ((None, 0, 1), (False, True, True))
    """
    n, rounds = protocol.processes, protocol.rounds
    name = origin or type(protocol).__name__
    x = tuple(inputs)
    if len(x) != n:
        raise ReplayError(f"{name}: inputs {x!r} are not {n} values")
    if crashes_allowed is not None and len(crashes) > crashes_allowed:
        raise ReplayError(f"{name}: {len(crashes)} crashes, more than f={crashes_allowed}")
    by_round = _crashes_by_round(name, crashes, n, rounds)
    states: list[Any] = [call_user(name, protocol.init, (p, x[p]), f"init({p}, {x[p]})")
                         for p in range(n)]
    initial = tuple(states)
    initial_outputs = tuple(
        check_output(name, f"output({p}, ...)", call_user(name, protocol.output, (p, s),
                                                          f"output({p}, ...)"))
        for p, s in enumerate(states))
    live = [True] * n
    records = [_round(protocol, name, rnd, by_round.get(rnd, {}), states, live)
               for rnd in range(1, rounds + 1)]
    return RoundExecution(x, tuple(sorted(crashes, key=lambda c: (c.round, c.pid))),
                          initial, initial_outputs, tuple(records))


def _crashes_by_round(name: str, crashes: Sequence[Crash], n: int,
                      rounds: int) -> dict[int, dict[int, Crash]]:
    """round -> process -> its crash; a replay error for a process crashing twice, or out of
    range."""
    by_round: dict[int, dict[int, Crash]] = {}
    seen: set[int] = set()
    for c in crashes:
        if c.pid in seen or not 0 <= c.pid < n or not 1 <= c.round <= rounds:
            raise ReplayError(f"{name}: impossible crash {c!r}")
        seen.add(c.pid)
        by_round.setdefault(c.round, {})[c.pid] = c
    return by_round


def _round(protocol: RoundProtocol, name: str, rnd: int, crashing: dict[int, Crash],
           states: list[Any], live: list[bool]) -> RoundRecord:
    """Round ``rnd``: every live process sends, ``crashing`` deliver to their chosen ones and
    go down, the survivors receive (``states`` and ``live`` are updated in place)."""
    n = protocol.processes
    for p in crashing:
        if not live[p]:
            raise ReplayError(f"{name}: p{p} crashes in round {rnd} but is already down")
    survivors = [p for p in range(n) if live[p] and p not in crashing]
    messages: list[Message] = []
    inboxes: list[list[tuple[int, Any]]] = [[] for _ in range(n)]
    for p in range(n):
        if not live[p]:
            continue
        what = f"send({p}, {rnd}, {states[p]!r})"
        sent = check_round_sends(name, n, call_user(name, protocol.send, (p, rnd, states[p]),
                                                    what), what)
        crash = crashing.get(p)
        if crash is not None:
            dsts = {d for d, _ in sent}
            for q in crash.delivered_to:
                if q not in dsts or q not in survivors:
                    raise ReplayError(
                        f"{name}: p{p} crashing in round {rnd} cannot deliver to p{q}"
                    )
        for dst, payload in sent:
            ok = dst in survivors and (crash is None or dst in crash.delivered_to)
            messages.append(Message(p, dst, payload, ok))
            if ok:
                inboxes[dst].append((p, payload))
    for p in crashing:
        live[p] = False
    for q in survivors:
        inbox = tuple(inboxes[q])
        states[q] = call_user(name, protocol.receive, (q, rnd, states[q], inbox),
                              f"receive({q}, {rnd}, ...)")
    outputs = tuple(
        check_output(name, f"output({p}, ...)",
                     call_user(name, protocol.output, (p, states[p]), f"output({p}, ...)"))
        if live[p] else None
        for p in range(n))
    return RoundRecord(
        rnd, tuple(sorted(crashing)), tuple(messages),
        tuple(s if alive else None for s, alive in zip(states, live, strict=True)),
        outputs, tuple(live))
