"""Ben-Or's randomized binary consensus (PODC 1983), crash faults, f < N/2, a round cap R.

DRAFT: docstring completed once figures are measured.
"""

from typing import NamedTuple

from flpcheck import Protocol


class State(NamedTuple):
    """The local state of one process."""

    x: int  # the current estimate (the input at first)
    r: int = 0  # the round (1, 2, ...); 0 before the first step, R + 1 once halted
    phase: int = 1  # 1: collecting reports (R, r, v); 2: collecting proposals (P, r, v)
    n0: int = 0  # messages of the current phase carrying 0
    n1: int = 0  # ... carrying 1
    nq: int = 0  # phase 2: proposals carrying '?'
    y: int | None = None  # the decision (write-once)


class BenOr(Protocol):
    """Ben-Or (1983) with N = 3, f = 1, halting after round ``rounds``."""

    processes = 3
    symmetric = True
    #: f, the crashes tolerated: every wait is for N - f messages (f < N/2)
    faults = 1
    #: R, the round cap: a process halts instead of entering round R + 1
    rounds = 3
    #: True: a fair coin when no proposal carries a value; False: keep the estimate
    coin_flip = True

    def init(self, pid, x):
        return State(x)

    def ignores(self, pid, state, payload):
        # a halted process, or a message of a phase this process has left: never used again
        kind, r, _ = payload
        phase = 1 if kind == "R" else 2
        return state.r > self.rounds or (state.r >= 1 and (r, phase) < (state.r, state.phase))

    def round_of(self, pid, state):
        return max(state.r, 1)

    def output(self, pid, state):
        return state.y

    def step(self, pid, state, msg):
        sends = []
        if state.r == 0:  # the first step: enter round 1
            state = state._replace(r=1)
            sends = self.broadcast(("R", 1, state.x))
        if msg is None or state.r > self.rounds:
            return state, sends
        kind, r, v = msg
        phase = 1 if kind == "R" else 2
        if (r, phase) < (state.r, state.phase):  # a phase this process has left: ignored
            return state, sends
        if (r, phase) > (state.r, state.phase):  # not yet: put it back
            return state, sends + [(pid, msg)]
        state = state._replace(n0=state.n0 + (v == 0), n1=state.n1 + (v == 1),
                               nq=state.nq + (v == "?"))
        need = self.processes - self.faults
        if state.n0 + state.n1 + state.nq < need:
            return state, sends
        if phase == 1:  # N - f reports: propose v if a majority reported v
            half = self.processes / 2
            w = 0 if state.n0 > half else 1 if state.n1 > half else "?"
            state = state._replace(phase=2, n0=0, n1=0, nq=0)
            return state, sends + self.broadcast(("P", r, w))
        # N - f proposals: decide on f + 1 equal ones, adopt one, or toss a coin
        y = state.y
        for w, count in ((0, state.n0), (1, state.n1)):
            if count >= self.faults + 1 and y is None:
                y = w
        if state.n0 or state.n1:
            x = 0 if state.n0 >= state.n1 else 1
            return self.next_round(pid, state._replace(y=y), x, sends)
        if not self.coin_flip:
            return self.next_round(pid, state._replace(y=y), state.x, sends)
        return self.coin(self.next_round(pid, state._replace(y=y), 0, sends),
                         self.next_round(pid, state._replace(y=y), 1, sends))

    def next_round(self, pid, state, x, sends):
        r = state.r + 1
        state = state._replace(x=x, r=r, phase=1, n0=0, n1=0, nq=0)
        if r > self.rounds:
            return state, sends
        return state, sends + self.broadcast(("R", r, x))
