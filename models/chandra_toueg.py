"""Chandra and Toueg's rotating coordinator: consensus with the failure detector ◇S.

Models the algorithm of Chandra and Toueg, "Unreliable failure detectors for reliable
distributed systems", JACM 43(2), 1996, section 6.2 (Fig. 6), for f < N/2 crashes. Round r is
coordinated by c = r mod N (rounds from 0). In round r:

1. every process sends its estimate and the round it adopted it, est(r, x, ts), to c;
2. c waits for a majority of estimates, picks the estimate with the largest ts (the first
   received among equal ones) and sends prop(r, v) to every process;
3. each process waits until it receives prop(r, v), then adopts it (x := v, ts := r) and replies
   ack(r); or it *suspects* c (a null step: its failure detector says c may have crashed);
   either way it goes on to round r + 1;
4. c decides v once a majority acknowledged prop(r, v) and sends decide(v) to the others; a
   process that receives decide(v) decides v.

The null step of a process waiting for a proposal is its suspicion of the coordinator:
``suspects(pid, state)`` says so (it is what ``flpcheck liveness --detector`` reads). Safety
never depends on the detector: a decided value was acknowledged by a majority with ts = r, every
later coordinator hears an estimate of that majority with ts >= r, and so proposes the same
value. Liveness needs ◇S: once the detector stabilizes some correct process ℓ is never
suspected, so in ℓ's next round everyone waits for ℓ's proposal and acknowledges it.

Modelling choices (the FLP message-buffer model): a process handles its messages to itself
within the step that sends them (as ``paxos.py`` does); the first step of a process (null or
not) starts round 0; a coordinator counts the estimates and the replies of each of its rounds
whenever they arrive (it need not be in that round itself), so it needs no nack to stop
waiting for replies and none is sent (the paper's nack only lets the coordinator of Fig. 6 move
on; here it moves on as a participant); a proposal for a round a process has
not reached yet is kept and adopted when it gets there; a decided process does nothing more. The
number of rounds is bounded by ``max_rounds`` (None: unbounded): a process that has finished the
last round waits forever (its null steps change nothing).

Classes and sizes (N = 3, all 8 input vectors): ``ChandraToueg2`` (2 rounds, coordinated by p0
and p1) has 50,272 configurations and 335,294 events (pinned against the plain reference
explorer); ``ChandraToueg`` (3 rounds, one per coordinator) 3,062,016 configurations and
25,358,784 events (about 30 seconds); ``ChandraToueg4`` is larger still, and
``ChandraTouegUnbounded`` is infinite (``--gst-by``, ``--max-depth`` or ``witness --stages``).

Expected verdicts (worked out in tests/models/test_models_chandra_toueg.py and
tests/models/test_models_liveness.py):

- agreement and validity hold in every configuration;
- ``flpcheck witness`` (no detector: a null step may suspect anyone at any time, so suspicions
  may be false forever): with bounded rounds every process can falsely suspect each coordinator
  before its proposal arrives, the rounds run out and nobody decides: a crash-free run whose
  every suspicion is false (``blocks-without-crash`` for ``ChandraToueg2`` and ``ChandraToueg``);
  with unbounded rounds this is FLP's run, which ``witness --stages`` builds;
- ``flpcheck liveness --detector --gst-by 1`` holds for ``ChandraToueg``, with one crash too
  (f = 1 < 3/2): within one event no process has passed a round, so the trusted process's round
  is still ahead of everyone after the detector stabilizes. With the stabilization anywhere
  (no ``--gst-by``) it fails on the bounded classes: false suspicions before it may use up every
  round (the bound, not the algorithm); and on ``ChandraToueg2`` it fails even at the start with
  p2 trusted, since p2 coordinates no round. With D events before stabilization the trusted
  process still has a round ahead when there are at least D + N - 1 rounds.
"""

from typing import NamedTuple

from flpcheck import Protocol


class Coord(NamedTuple):
    """A coordinator's record of one of its rounds."""

    proposed: bool = False
    estimates: int = 0
    best_ts: int = -2  # below every ts: the first estimate always replaces it
    best: int | None = None
    acks: int = 0


class State(NamedTuple):
    """One process: participant (estimate x adopted in round ts, current round r) and
    coordinator (one record per round it coordinates), and its decision y."""

    x: int
    ts: int = -1  # -1: the input, adopted in no round
    r: int = -1  # -1: not started; max_rounds: finished every round
    early: tuple[tuple[int, int], ...] = ()  # proposals (round, v) for rounds not reached yet
    coord: tuple[Coord, ...] = ()  # the records of rounds pid, pid + N, pid + 2N, ...
    y: int | None = None


class ChandraToueg(Protocol):
    """Chandra-Toueg's rotating coordinator with ◇S, 3 rounds (each process coordinates one)."""

    processes = 3
    #: rounds 0 .. max_rounds - 1; None: unbounded
    max_rounds: int | None = 3

    @property
    def majority(self) -> int:
        return self.processes // 2 + 1

    def coordinator(self, r):
        return r % self.processes

    def init(self, pid, x):
        return State(x)

    def output(self, pid, state):
        return state.y

    def suspects(self, pid, state):
        """A null step of a process waiting for round r's proposal suspects its coordinator."""
        if state.y is None and self.waiting(state) and self.coordinator(state.r) != pid:
            return {self.coordinator(state.r)}
        return set()

    def waiting(self, s):
        return s.r >= 0 and (self.max_rounds is None or s.r < self.max_rounds)

    # -- one step ----------------------------------------------------------------------------

    def step(self, pid, state, msg):
        if state.y is not None:
            return state, []
        queue = []
        suspected = self.suspects(pid, state)
        if state.r < 0:  # the first step starts round 0
            state, queue = self.enter(pid, state, 0)
        if msg is None:
            if suspected:  # phase 3: suspect the coordinator (no nack: see the docstring)
                state, more = self.enter(pid, state, state.r + 1)
                queue = [*queue, *more]
        else:
            queue = [*queue, (pid, msg)]
        sends = []
        while queue:  # messages to pid itself are handled at once, in the order sent
            dst, payload = queue.pop(0)
            if dst != pid:
                sends.append((dst, payload))
                continue
            state, more = self.receive(pid, state, payload)
            queue += more
            if state.y is not None:  # decided: nothing more (sends already made stay)
                sends += [m for m in queue if m[0] != pid]
                break
        return state, sends

    def enter(self, pid, s, r):
        """Go to round r: send the estimate to its coordinator (or finish, past the last)."""
        s = s._replace(r=r)
        if not self.waiting(s):
            return s, []
        sends = [(self.coordinator(r), ("est", r, s.x, s.ts))]
        for round_, v in s.early:
            if round_ == r:  # a proposal that arrived early: adopt it now
                s = s._replace(early=tuple(e for e in s.early if e[0] != r))
                s, more = self.adopt(pid, s, r, v)
                return s, sends + more
        return s, sends

    def adopt(self, pid, s, r, v):
        """Phase 3: adopt prop(r, v), acknowledge it, go to round r + 1."""
        s = s._replace(x=v, ts=r)
        s, more = self.enter(pid, s, r + 1)
        return s, [(self.coordinator(r), ("ack", r)), *more]

    def record(self, pid, s, r):
        """(index, record) of pid's record of round r, which it coordinates."""
        k = r // self.processes
        coord = s.coord + (Coord(),) * (k + 1 - len(s.coord))
        return k, coord

    def receive(self, pid, s, msg):
        kind = msg[0]
        if kind == "decide":
            return s._replace(y=msg[1]), []
        r = msg[1]
        if kind == "prop":
            if r == s.r and self.waiting(s):
                return self.adopt(pid, s, r, msg[2])
            if r > s.r and (self.max_rounds is None or r < self.max_rounds):
                return s._replace(early=tuple(sorted({*s.early, (r, msg[2])}))), []
            return s, []
        k, coord = self.record(pid, s, r)
        c = coord[k]
        if kind == "est":  # phase 2
            if c.proposed:
                return s, []
            _, _, x, ts = msg
            c = c._replace(estimates=c.estimates + 1)
            if ts > c.best_ts:
                c = c._replace(best_ts=ts, best=x)
            sends = []
            if c.estimates == self.majority:
                c = c._replace(proposed=True)
                sends = [(q, ("prop", r, c.best)) for q in range(self.processes)]
            return s._replace(coord=coord[:k] + (c,) + coord[k + 1:]), sends
        if kind == "ack" and c.proposed:  # phase 4
            c = c._replace(acks=c.acks + 1)
            s = s._replace(coord=coord[:k] + (c,) + coord[k + 1:])
            if c.acks == self.majority:
                return s._replace(y=c.best), [(q, ("decide", c.best))
                                             for q in range(self.processes) if q != pid]
            return s, []
        return s, []  # an acknowledgement of a round it never proposed in

    # -- printing ----------------------------------------------------------------------------

    def format_state(self, pid, s):
        if s.y is not None:
            return f"decided {s.y}"
        if s.r < 0:
            return f"x={s.x} not started"
        where = "finished" if not self.waiting(s) else f"round {s.r} (coordinator p{self.coordinator(s.r)})"
        adopted = "input" if s.ts < 0 else f"round {s.ts}"
        return f"x={s.x} ({adopted}), {where}"

    def format_payload(self, payload):
        kind, *args = payload
        return f"{kind}({', '.join(map(str, args))})"


class ChandraToueg2(ChandraToueg):
    """2 rounds, coordinated by p0 and p1 (p2 coordinates none)."""

    max_rounds = 2


class ChandraToueg4(ChandraToueg):
    """4 rounds (p0 coordinates two)."""

    max_rounds = 4


class ChandraTouegUnbounded(ChandraToueg):
    """Unbounded rounds: infinitely many configurations (``--gst-by`` or a bound)."""

    max_rounds = None
