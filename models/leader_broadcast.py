"""Leader broadcast: process 0 sends its input; everyone decides what it receives.

Expected: agreement and validity hold, both values are decided (non-trivial), every initial
configuration is univalent (the leader's input decides), and the protocol is not 1-crash
tolerant: if process 0 crashes before sending, nobody ever decides.
"""

from typing import NamedTuple

from flpcheck import Protocol


class State(NamedTuple):
    x: int
    sent: bool = False
    y: int | None = None


class LeaderBroadcast(Protocol):
    """Process 0 broadcasts its input on its first step; a process decides the value it receives."""

    processes = 3

    def init(self, pid, x):
        return State(x)

    def step(self, pid, state, msg):
        sends = []
        if pid == 0 and not state.sent:
            sends, state = self.broadcast(state.x), state._replace(sent=True)
        if msg is not None and state.y is None:
            state = state._replace(y=msg)
        return state, sends

    def output(self, pid, state):
        return state.y
