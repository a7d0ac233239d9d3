"""Majority of N-1: broadcast the input, decide the majority of the first N-1 votes heard.

Every process broadcasts its input on its first step (to everyone, itself included), counts the
votes it receives, and once it has heard N-1 votes decides the majority among them (a tie
decides 0). Waiting for N-1 rather than N votes is the classic attempt at tolerating one crash.

Expected (N = 3): agreement is violated. Each process decides on the first two votes it hears,
and different processes can hear different pairs: from inputs 001, p0 hears (0, 0) and decides
0 while p2 hears (0, 1) and decides 0 by the tie rule, but with inputs 011 p0 can hear (0, 1)
and decide 0 while p1 hears (1, 1) and decides 1. Validity holds (all-equal inputs give only
equal votes) and both values are decided.
"""

from typing import NamedTuple

from flpcheck import Protocol


class State(NamedTuple):
    x: int
    sent: bool = False
    zeros: int = 0
    ones: int = 0
    y: int | None = None


class Majority(Protocol):
    """Broadcast the input, decide the majority of the first N-1 votes heard (ties: 0)."""

    processes = 3
    symmetric = True  # every pid is treated alike; states and payloads hold no pids

    def init(self, pid, x):
        return State(x)

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends = self.broadcast(state.x)
            state = state._replace(sent=True)
        if msg is not None and state.y is None:
            if msg == 0:
                state = state._replace(zeros=state.zeros + 1)
            else:
                state = state._replace(ones=state.ones + 1)
            if state.zeros + state.ones == self.processes - 1:
                state = state._replace(y=1 if state.ones > state.zeros else 0)
        return state, sends

    def output(self, pid, state):
        return state.y
