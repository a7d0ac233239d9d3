"""Decide your own input: every process decides its input on its first step, sending nothing.

Expected: agreement is violated as soon as the inputs differ (inputs 01: p0 steps and decides 0,
p1 steps and decides 1, a two-event schedule); validity and non-triviality hold.
"""

from flpcheck import Protocol


class DecideOwnInput(Protocol):
    """Each process decides its own input at its first step; no messages."""

    processes = 2
    symmetric = True  # every pid is treated alike; states and payloads hold no pids

    def init(self, pid, x):
        return (x, None)

    def step(self, pid, state, msg):
        x, _ = state
        return (x, x), ()

    def output(self, pid, state):
        return state[1]
