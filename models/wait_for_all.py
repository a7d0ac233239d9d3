"""Wait for all: broadcast the input, wait for all N votes, decide their majority (ties: 0).

Every process hears the same N votes, so agreement holds; all-equal inputs give all-equal votes,
so validity holds; the inputs fix the decision, so every initial configuration is univalent
(0-valent when at least half the inputs are 0, else 1-valent). Not 1-crash tolerant: a process
that crashes before its first step never sends its vote, and nobody ever decides.
"""

from typing import NamedTuple

from flpcheck import Protocol


class State(NamedTuple):
    x: int
    sent: bool = False
    zeros: int = 0
    ones: int = 0
    y: int | None = None


class WaitForAll(Protocol):
    """Broadcast the input; decide the majority of all N votes once all have arrived."""

    processes = 3
    symmetric = True  # every pid is treated alike; states and payloads hold no pids

    def init(self, pid, x):
        return State(x)

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends, state = self.broadcast(state.x), state._replace(sent=True)
        if msg is not None:
            state = state._replace(zeros=state.zeros + (msg == 0), ones=state.ones + (msg == 1))
            if state.zeros + state.ones == self.processes:
                state = state._replace(y=1 if state.ones > state.zeros else 0)
        return state, sends

    def output(self, pid, state):
        return state.y
