"""Always zero: every process decides 0 on its first step, whatever the inputs.

Expected: agreement holds, validity is violated (from inputs 11...1 the first step decides 0),
and the protocol is trivial (1 is never decided). Each process has 2 states per input, so with
N processes there are 2^N initial configurations of which each reaches 2^N configurations by
deciding in any subset of processes: 4^N configurations in all (16 for N = 2).
"""

from flpcheck import Protocol


class AlwaysZero(Protocol):
    """Decide 0 at the first step."""

    processes = 2
    symmetric = True  # every pid is treated alike; states and payloads hold no pids

    def init(self, pid, x):
        return (x, None)

    def step(self, pid, state, msg):
        return (state[0], 0), ()

    def output(self, pid, state):
        return state[1]
