"""The values of the round model: crashes, messages, rounds, executions and verdicts, and
the crash patterns counted and described."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model.inputs import bits
from ..model.round_protocol import RoundProtocol

__all__ = ["Crash", "Message", "RoundRecord", "RoundExecution", "RoundVerdict", "RoundCheck",
           "count_crash_patterns", "describe_crashes"]


@dataclass(frozen=True, slots=True)
class Crash:
    """Process ``pid`` crashes in round ``round``; only its messages to ``delivered_to`` arrive."""

    pid: int
    round: int
    delivered_to: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Message:
    """One round message; ``delivered`` is false when it was lost or its receiver is down."""

    src: int
    dst: int
    payload: Any
    delivered: bool


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """What happened in one round of an execution, and the local states after it."""

    round: int
    #: processes that crash in this round (in the middle of their sends)
    crashed: tuple[int, ...]
    #: every message sent this round, in (src, dst) order
    messages: tuple[Message, ...]
    #: local states after the round (None for a process that has crashed)
    states: tuple[Any, ...]
    #: outputs after the round (None for undecided or crashed processes)
    outputs: tuple[int | None, ...]
    #: which processes are live after the round
    live: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class RoundExecution:
    """One execution: the inputs, the crash pattern and the replayed rounds."""

    inputs: tuple[int, ...]
    crashes: tuple[Crash, ...]
    initial_states: tuple[Any, ...]
    #: outputs of the initial states (a model may decide before round 1)
    initial_outputs: tuple[int | None, ...]
    records: tuple[RoundRecord, ...]

    @property
    def live(self) -> tuple[bool, ...]:
        """Which processes are live after the last round."""
        return self.records[-1].live if self.records else (True,) * len(self.inputs)

    @property
    def outputs(self) -> tuple[int | None, ...]:
        """The outputs after the last round (None for undecided or crashed processes)."""
        return self.records[-1].outputs if self.records else (None,) * len(self.inputs)

    def describe(self) -> str:
        """One line: the inputs and who crashed when, e.g. ``inputs 011; p0 crashes ...``."""
        return f"inputs {bits(self.inputs)}; {describe_crashes(self.crashes, self)}"


@dataclass(frozen=True, slots=True)
class RoundVerdict:
    """The outcome of one property over every execution explored."""

    name: str
    #: None: not checked (validity when neither all-0 nor all-1 inputs were explored)
    holds: bool | None
    detail: str
    #: executions (of ``RoundCheck.executions``) that violate the property
    violations: int = 0
    #: the canonical violating execution (None when the property holds)
    counterexample: RoundExecution | None = None


@dataclass(frozen=True, slots=True)
class RoundCheck:
    """The result of :func:`check_rounds`: counts and the three verdicts."""

    protocol: RoundProtocol
    name: str
    processes: int
    rounds: int
    crashes: int
    inputs: tuple[tuple[int, ...], ...]
    #: failure patterns with at most f crashes (see :func:`count_crash_patterns`)
    crash_patterns: int
    #: distinct executions explored: input vector x adversary choices over messages sent
    executions: int
    #: distinct global states after round r, for r = 0 (initial) .. R
    global_states: tuple[int, ...]
    #: distinct (state, successor) pairs over all rounds
    transitions: int
    #: calls of the model's methods (each distinct call runs twice: determinism check)
    user_calls: int
    elapsed: float
    agreement: RoundVerdict
    validity: RoundVerdict
    termination: RoundVerdict
    #: what termination requires: "all" live processes decide, or "some" live process does
    termination_definition: str = "all"

    @property
    def verdicts(self) -> tuple[RoundVerdict, RoundVerdict, RoundVerdict]:
        """Agreement, validity, termination."""
        return (self.agreement, self.validity, self.termination)

    @property
    def exit_code(self) -> int:
        """1 when a property is violated, else 0 (the CLI's exit code)."""
        return 1 if any(v.holds is False for v in self.verdicts) else 0


def count_crash_patterns(processes: int, rounds: int, crashes: int) -> int:
    """The failure patterns with at most ``crashes`` crashes in ``rounds`` rounds.

    A pattern says which processes crash, each one's round, and which of the processes live
    after that round receive its message of that round (any subset). It does not depend on
    the protocol: with N=3, R=2, f=1 there is the crash-free pattern and 3 processes x 2 rounds
    x 2^2 subsets of the two others, 25 in all.

    >>> count_crash_patterns(3, 2, 1), count_crash_patterns(3, 1, 1), count_crash_patterns(3, 3, 2)
    (25, 13, 217)
    """
    memo: dict[tuple[int, int, int], int] = {}

    def patterns(r: int, alive: int, budget: int) -> int:
        if r > rounds:
            return 1
        key = (r, alive, budget)
        if key not in memo:
            total = 0
            for k in range(min(budget, alive) + 1):
                ways = math.comb(alive, k) * 2 ** (k * (alive - k))
                total += ways * patterns(r + 1, alive - k, budget - k)
            memo[key] = total
        return memo[key]

    return patterns(1, processes, crashes)


def describe_crashes(crashes: Sequence[Crash], execution: RoundExecution | None = None) -> str:
    """The crash pattern in words, e.g. ``p0 crashes in round 1 after sending only to p1``.

    With the replayed ``execution`` a crash whose messages all got through says so.

    >>> describe_crashes([Crash(0, 1, (1,)), Crash(1, 2, ())])
    'p0 crashes in round 1 after sending only to p1; p1 crashes in round 2 before sending'
    """
    if not crashes:
        return "no crashes"
    parts = []
    for c in crashes:
        text = f"p{c.pid} crashes in round {c.round}"
        sent = mine = None
        if execution is not None:
            rec = execution.records[c.round - 1]
            mine = [m for m in rec.messages if m.src == c.pid]
            sent = [m for m in mine if rec.live[m.dst]]
        if sent is not None and sent and all(m.delivered for m in sent):
            text += " after all its messages got through"
        elif not c.delivered_to:
            text += (" before sending" if sent is None or sent else
                     " (it had nothing to send)" if not mine else
                     " (no process it sends to survives the round)")
        else:
            text += " after sending only to " + ", ".join(f"p{q}" for q in c.delivered_to)
        parts.append(text)
    return "; ".join(parts)
