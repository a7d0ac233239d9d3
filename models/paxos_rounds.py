"""Single-decree Paxos with ballots (round, pid) and a register of the highest round seen.

Models Lamport, "Paxos Made Simple", ACM SIGACT News 32(4), 2001, with the ballot numbering of
most implementations: a ballot is a pair (round, proposer), compared lexicographically, and
every process remembers the highest round it has seen in any message; a new ballot of process p
is (highest round seen + 1, p), so a proposer that was pre-empted jumps straight past the ballot
that beat it. Rounds have no bound: the configuration graph is infinite, ``explore`` needs a
bound (``--max-depth``) and ``witness --stages k`` builds the adversary's run on demand.

Roles as in ``paxos.py``: every process is proposer, acceptor and learner; a ballot starts on a
null receive (a timeout) while the process has not decided, and is addressed to a majority: the
proposer and the next process in ring order. Messages a process addresses to itself are handled
inside the step that sends them. Phase 1b promises report the last accepted proposal; phase 2a
proposes the value of the highest report, else the proposer's input; a proposer decides when a
majority accepted, and tells the others.

From an initial configuration the shortest deciding continuation is 5 events (p starts a
ballot, the other acceptor promises, p receives the promise and asks for acceptance, the
acceptor accepts, p receives it and decides), but every undecided process may also start a
higher ballot at any step, so breadth-first search for a decision of each value visits tens of
thousands of configurations: the case the directed certificate search of ``witness --stages``
is for.

``PaxosRoundsLoopback`` sends a process's messages to itself through the buffer like any
other (as implementations do that treat the local acceptor as one more peer): the same protocol
with 9-event shortest deciding continuations, where breadth-first search for certificates gives
up within its default bound of 20,000 configurations.

Expected: agreement and validity hold in every configuration explored; with mixed inputs the
initial configurations are bivalent; the adversary keeps the run bivalent by dueling proposers
(``flpcheck witness models/paxos_rounds.py:PaxosRounds --stages 6``).
"""

from typing import NamedTuple

from flpcheck import Protocol

NONE = (-1, -1)  # no ballot
IDLE, PREPARING, ACCEPTING = "idle", "preparing", "accepting"


class State(NamedTuple):
    """One process: proposer, acceptor and learner."""

    x: int  # the input
    rnd: int = -1  # the highest round seen in any message (and in own ballots)
    # proposer
    bal: tuple = NONE  # the current ballot (round, pid)
    phase: str = IDLE
    heard: int = 0  # promises (phase 1) or acceptances (phase 2) for the current ballot
    vbal: tuple = NONE  # phase 1: the highest ballot reported accepted
    value: int | None = None  # phase 1: its value; phase 2: the value proposed
    # acceptor
    mbal: tuple = NONE  # the highest ballot promised
    abal: tuple = NONE  # the ballot of the last proposal accepted
    aval: int | None = None
    # learner
    y: int | None = None


class PaxosRounds(Protocol):
    """Paxos (Lamport 2001) with ballots (round, pid) and a highest-round-seen register."""

    processes = 3

    def init(self, pid, x):
        return State(x)

    def output(self, pid, state):
        return state.y

    def acceptors(self, pid, rnd):
        """The majority of ballot (rnd, pid): pid and the next process in ring order, rotating
        with the round when N > 3."""
        n = self.processes
        others = n // 2
        return [pid] + [(pid + 1 + (rnd + i) % (n - 1)) % n for i in range(others)]

    def step(self, pid, state, msg):
        if msg is None:
            state, queue = self.start_ballot(pid, state)
        else:
            state, queue = self.receive(pid, state, msg)
        sends = []
        while queue:  # messages to pid itself are handled at once, in the order sent
            dst, payload = queue.pop(0)
            if dst != pid:
                sends.append((dst, payload))
                continue
            state, more = self.receive(pid, state, payload)
            queue += more
        return state, sends

    def start_ballot(self, pid, s):
        if s.y is not None:
            return s, []
        r = s.rnd + 1
        b = (r, pid)
        s = s._replace(rnd=r, bal=b, phase=PREPARING, heard=0, vbal=NONE, value=None)
        return s, [(q, ("prepare", b)) for q in self.acceptors(pid, r)]

    def receive(self, pid, s, msg):
        kind = msg[0]
        if kind == "decide":
            return (s._replace(y=msg[1]) if s.y is None else s), []
        b = msg[1]
        s = s._replace(rnd=max(s.rnd, b[0]))
        if kind == "prepare":  # phase 1b
            if b <= s.mbal:
                return s, []
            return s._replace(mbal=b), [(b[1], ("promise", b, s.abal, s.aval))]
        if kind == "accept":  # phase 2b
            if b < s.mbal:
                return s, []
            v = msg[2]
            return s._replace(mbal=b, abal=b, aval=v), [(b[1], ("accepted", b, v))]
        if s.y is not None or b != s.bal:  # a reply to an abandoned ballot
            return s, []
        majority = self.processes // 2 + 1
        if kind == "promise" and s.phase == PREPARING:
            _, _, vbal, value = msg
            s = s._replace(heard=s.heard + 1)
            if vbal > s.vbal:
                s = s._replace(vbal=vbal, value=value)
            if s.heard < majority:
                return s, []
            v = s.value if s.vbal != NONE else s.x
            s = s._replace(phase=ACCEPTING, heard=0, vbal=NONE, value=v)
            return s, [(q, ("accept", b, v)) for q in self.acceptors(pid, b[0])]
        if kind == "accepted" and s.phase == ACCEPTING:
            s = s._replace(heard=s.heard + 1)
            if s.heard < majority:
                return s, []
            v = s.value
            s = s._replace(phase=IDLE, heard=0, value=None, y=v)
            return s, [(q, ("decide", v)) for q in range(self.processes) if q != pid]
        return s, []

    def format_state(self, pid, s):
        ballot = "no ballot" if s.bal == NONE else f"ballot {s.bal} {s.phase}"
        accepted = "nothing" if s.abal == NONE else f"({s.abal}, {s.aval})"
        decided = "_" if s.y is None else s.y
        return (f"x={s.x} round {s.rnd} {ballot}; promised {s.mbal}, accepted {accepted}; "
                f"y={decided}")

    def format_payload(self, payload):
        return f"{payload[0]}({', '.join(map(str, payload[1:]))})"


class PaxosRoundsLoopback(PaxosRounds):
    """The same Paxos, with the messages a process sends itself going through the buffer."""

    def step(self, pid, state, msg):
        if msg is None:
            return self.start_ballot(pid, state)
        return self.receive(pid, state, msg)
