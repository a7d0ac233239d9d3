"""Ben-Or's randomized binary consensus (PODC 1983), crash faults, f < N/2, a round cap R.

Every process holds an estimate x (its input at first). Round r (1, 2, ...):

- phase 1: send (R, r, x) to everyone, itself included; wait for N - f reports of round r; if
  more than N/2 carry the same v, send the proposal (P, r, v) to everyone, else (P, r, ?);
- phase 2: wait for N - f proposals of round r; if at least f + 1 carry the same v, decide v
  (once; a decided process keeps taking part) and set x := v; else if one carries v, set x := v;
  else x := a fair coin (``Protocol.coin``). Then round r + 1.

Two proposals never carry different values (each needs a majority of the reports of its round),
so agreement holds whatever the scheduler; against every fair adversary the protocol decides
with probability 1 as R grows. The coin is what FLP's adversary cannot control:
``ben_or_coinless.py`` keeps x instead, and the adversary keeps it undecided for ever.

The model. A process enters round 1 on its first step (any event). Its own messages go through
the buffer like the others, so the N - f messages a process waits for may be any N - f of the
N (the adversary picks them). A message of a phase the process has not reached yet is sent
back to itself (it stays in transit, the configuration unchanged); the state counts, per
value, the messages of the current phase received. After round R a process halts: it takes
no part any more and its decision, if any, is final (R is the class attribute ``rounds``).
``round_of`` gives each process's round (R + 1 once halted), so ``flpcheck chance`` reports the
probability of deciding within each number of rounds up to R.

Messages ignored for good (``ignores``). A message of a phase its recipient has left (or to a
halted process) is never used: receiving it changes nothing, in that state and in every later
one (rounds and phases only grow). The model declares it, and flpcheck drops such a message from
the buffer at once instead of letting the scheduler hold it. This is sound: dropping it is
receiving it at once, a step that changes nothing; a run of the full model is a run of this one
with such receipts added or moved, which changes no decision, no valence, no fairness (the
receipt can always come later, and changes nothing when it does) and so no probability an
adversary can force. It changes only which events a uniform scheduler chooses among, so the
uniform figures per event are this model's. Sizes from inputs 001 with N = 3, f = 1: 937,
10,467, 37,527, 84,483, 155,199 and 253,707 configurations for R = 1 to 6; without dropping,
20,438 at R = 1 and 33,136,076 at R = 2 (each process receives one report and one proposal
more than it uses in every round, and the scheduler may hold each of them).

Measured (N = 3, f = 1, no crash, termination ``all``: every correct process decides), the
minimum over fair adversaries (``flpcheck chance models/ben_or.py --scheduler adversary``):

- inputs all equal: 1 within 1 round (everyone reports v, proposes v, decides v);
- mixed inputs: 0, 1/8, 3/16 within R = 1, 2, 3 rounds, and with larger ``rounds`` 31/128,
  75/256, 697/2048 within 4, 5, 6; a plain build of Ben-Or checked with Storm gives the same
  0, 1/8, 3/16, 31/128, 75/256 for R = 1..5, and Storm on flpcheck's own export agrees;
- ``ben_or_coinless.py``: 0 for every R (the run printed stays undecided through all R
  rounds).

By hand for mixed inputs, say 001. Within 1 round: the adversary gives each process one report
0 and one report 1, so every proposal is ?, nobody decides. Within 2 rounds, 1/8 suffices: it
lets p1 propose 0 (reports 0, 0) and the others ? (reports 0, 1); p0 gets (?, ?) and tosses,
and only if it gets 0 do p1 and p2 get (?, ?) too (else p1 keeps 0 against p0's 1: mixed
again); p1 tosses, and only if it gets 0 do p0 and p1 run round 2 on each other's reports and
decide 0 while p2, held back, tosses last: it decides in round 2 only if it too gets 0, with
probability 1/2 * 1/2 * 1/2 = 1/8. That no adversary does better is the computation's (and
Storm's) answer.

CLI: ``flpcheck chance models/ben_or.py --scheduler adversary``; ``flpcheck chance
models/ben_or_coinless.py --scheduler adversary``. Other round caps: subclass and set
``rounds``.
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
    """Ben-Or (1983) with N = 3, f = 1, halting after round ``rounds`` (3)."""

    processes = 3
    symmetric = True
    #: f, the crashes tolerated: every wait is for N - f messages; None: the largest f < N/2
    faults: int | None = None
    #: R, the round cap: a process halts instead of entering round R + 1
    rounds = 3
    #: True: a fair coin when no proposal carries a value; False: keep the estimate
    coin_flip = True

    @property
    def f(self):
        """The crashes tolerated, f < N/2."""
        f = (self.processes - 1) // 2 if self.faults is None else self.faults
        if not 0 <= 2 * f < self.processes:
            raise ValueError(f"Ben-Or needs 0 <= f < N/2, got f = {f} with N = {self.processes}")
        return f

    def init(self, pid, x):
        return State(x)

    def ignores(self, pid, state, payload):
        # a halted process, or a message of a phase this process has left: never used again
        kind, r, _ = payload
        phase = 1 if kind == "R" else 2
        return state.r > self.rounds or (state.r >= 1 and (r, phase) < (state.r, state.phase))

    def format_state(self, pid, state):
        head = "halted" if state.r > self.rounds else f"r{state.r}.{state.phase}"
        y = "" if state.y is None else f" y={state.y}"
        return f"{head} x={state.x} 0:{state.n0} 1:{state.n1} ?:{state.nq}{y}"

    def format_payload(self, payload):
        kind, r, v = payload
        return f"{kind}{r}:{v}"

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
        need = self.processes - self.f
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
            if count >= self.f + 1 and y is None:
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
