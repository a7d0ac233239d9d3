"""Single-decree Paxos with a bounded number of ballots per process.

Models the algorithm of Lamport, "Paxos Made Simple", ACM SIGACT News 32(4), 2001, sections 2.2-2.3:
every process is a proposer, an acceptor and a learner.

- A ballot starts on a null receive (a timeout: in the FLP model a process cannot tell a slow
  peer from a crashed one, so it may start a ballot at any step). The k-th ballot of process p
  (k = 0, 1, ...) is numbered b = k*N + p, so ballot numbers are unique per process; each process
  starts at most ``max_ballots`` ballots and none once it has decided.
- Phase 1a: the proposer sends prepare(b) to a majority of acceptors (Lamport: "sends a prepare
  request with number n to a majority of acceptors"): itself and the next ``quorum - 1``
  processes in ring order, rotating with k (for N = 3: p+1 on even k, p+2 on odd k).
- Phase 1b: an acceptor that has promised nothing higher promises b and reports the proposal it
  accepted last, promise(b, abal, aval) (abal = -1: none).
- Phase 2a: with promises from the whole majority, the proposer proposes the value of the
  highest-numbered report, or its own input if no acceptor reported one, and sends accept(b, v)
  to the acceptors that promised.
- Phase 2b: an acceptor that has promised nothing higher than b accepts (b, v) and tells the
  proposer, the ballot's distinguished learner (section 2.3), accepted(b, v).
- Learning: the proposer decides v when a majority accepted (b, v), then sends decide(v) to every
  other process (the learning phase); a process that receives decide(v) decides v.

A process's roles talk to each other inside one atomic step: the messages a process addresses to
itself (its own prepare, promise, accept and accepted) are handled locally in the step that sends
them, in order, instead of going through the buffer. A process is one automaton in FLP; this
keeps the message buffer to the messages between processes. A decided process still serves as an
acceptor but proposes no more. A proposer only counts replies to its current ballot; a reply to a
ballot it has abandoned is received and dropped.

The local state is a flat ``State`` of small ints (no message history: promises and
acceptances are counted, and only the highest report is kept), so bounded Paxos has a finite
configuration graph. Sizes with N = 3 and all 8 input vectors (pinned in the tests):

- ``Paxos``, 1 ballot per process (ballots 0, 1, 2), the default: 11,336 configurations and
  58,012 events, explored in a fraction of a second;
- ``Paxos2``, 2 ballots per process (ballots 0..5): 4,958,548 configurations and 35,387,134
  events, about 30 seconds and 0.6 GB;
- ``Paxos3``, 3 ballots per process (ballots 0..8): far too many to explore exhaustively in
  Python (each extra ballot multiplies the count by 7 to 8: some 10^9 configurations);
  explore it with
  ``--max-configs`` or ``--max-depth``.

``max_ballots`` may also give one bound per process: ``(2, 1, 1)`` has 76,844 configurations,
``(2, 2, 1)`` 615,520.

CLI: ``flpcheck explore models/paxos.py:Paxos`` (the file defines several classes, so the class
is named; ``Paxos`` is the first one); ``models/paxos.py:Paxos2``, ``models/paxos.py:Paxos3``.

Expected verdict (bounded ballots): agreement, validity and non-triviality hold in every
configuration; the initial configurations with mixed inputs are bivalent (6 of 8); no
configuration is none-valent, and without crashes there is no fair non-deciding run: the
highest ballot number (the last ballot of p_{N-1}) cannot be pre-empted, and in a fair run
p_{N-1} starts it unless someone has decided, so the adversary of FLP's Lemma 3 runs out of
ballots (``witness --crashes 0``: none found). Not 1-crash tolerant: the ballots run out. For
``Paxos``: with p2 dead from the start, p1's only ballot is addressed to {p1, p2} and never
gathers a majority, and once p1 has promised it, p1 turns down p0's ballot 0; nobody decides.
(With more ballots and N = 3: the process with the highest ballot number starts it, gets the
promise of one other acceptor and crashes; that acceptor turns down every other ballot, and
every ballot of the third process needs it or the crashed one.) Unbounded ballots
(``paxos_unbounded.py``) remove that run and leave FLP's forever-bivalent run: dueling
proposers.
"""

from typing import NamedTuple

from flpcheck import Protocol

IDLE, PREPARING, ACCEPTING = "idle", "preparing", "accepting"


class State(NamedTuple):
    """The local state of one process (proposer, acceptor and learner)."""

    x: int  # the input: the value this process proposes when no acceptor reports one
    # proposer
    started: int = 0  # ballots started so far; the current one is (started - 1) * N + pid
    phase: str = IDLE  # IDLE, PREPARING (phase 1) or ACCEPTING (phase 2)
    heard: int = 0  # promises (phase 1) or acceptances (phase 2) for the current ballot
    vbal: int = -1  # phase 1: the highest ballot reported accepted so far (-1: none)
    value: int | None = None  # phase 1: the value accepted in vbal; phase 2: the value proposed
    # acceptor
    mbal: int = -1  # the highest ballot promised (or accepted)
    abal: int = -1  # the ballot of the last proposal accepted (-1: none)
    aval: int | None = None  # the value of the last proposal accepted
    # learner
    y: int | None = None  # the decision (write-once)


class Paxos(Protocol):
    """Single-decree Paxos (Lamport 2001), 1 ballot per process: the default bounded model."""

    processes = 3
    #: how many ballots each process may start: one bound for all, a tuple of one bound per
    #: process, or None for no bound (see paxos_unbounded.py)
    max_ballots: int | tuple[int, ...] | None = 1
    #: acceptances (and promises) a ballot needs; None means a majority, N // 2 + 1
    quorum_size: int | None = None

    # -- parameters --------------------------------------------------------------------------

    @property
    def quorum(self) -> int:
        """How many acceptors a ballot needs: a majority unless ``quorum_size`` says otherwise."""
        return self.processes // 2 + 1 if self.quorum_size is None else self.quorum_size

    def ballot(self, pid, state):
        """The number of the current (last started) ballot of ``pid``; -1 before the first."""
        return (state.started - 1) * self.processes + pid if state.started else -1

    def acceptors(self, pid, k):
        """The majority the k-th ballot of ``pid`` addresses: pid first, then quorum - 1 others
        in ring order, starting k places further round the ring each ballot."""
        n, others = self.processes, self.quorum - 1
        return [pid] + [(pid + 1 + (k + i) % (n - 1)) % n for i in range(others)]

    # -- hooks the buggy variants override ----------------------------------------------------

    def promise_report(self, state):
        """Phase 1b: what a promise reports, the last accepted proposal (abal, aval)."""
        return state.abal, state.aval

    def may_accept(self, state, b):
        """Phase 2b: an acceptor accepts ballot b unless it promised a higher ballot."""
        return b >= state.mbal

    def choose_value(self, state):
        """Phase 2a: the value of the highest-numbered reported proposal, else the input."""
        return state.value if state.vbal >= 0 else state.x

    # -- the model API -----------------------------------------------------------------------

    def init(self, pid, x):
        return State(x)

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

    def output(self, pid, state):
        return state.y

    # -- the roles ---------------------------------------------------------------------------

    def receive(self, pid, s, msg):
        """Process ``pid`` in state ``s`` receives ``msg``: the new state and the messages sent
        (some possibly to pid itself)."""
        kind, b = msg[0], msg[1]
        if kind == "prepare":  # phase 1b
            if b <= s.mbal:
                return s, []
            promise = ("promise", b, *self.promise_report(s))
            return s._replace(mbal=b), [(b % self.processes, promise)]
        if kind == "accept":  # phase 2b
            if not self.may_accept(s, b):
                return s, []
            v = msg[2]
            accepted = ("accepted", b, v)
            return s._replace(mbal=max(b, s.mbal), abal=b, aval=v), [(b % self.processes, accepted)]
        if kind == "decide":  # ("decide", v)
            return (s._replace(y=msg[1]) if s.y is None else s), []
        if s.y is not None or b != self.ballot(pid, s):  # a reply to an abandoned ballot
            return s, []
        if kind == "promise" and s.phase == PREPARING:  # phase 2a once a majority promised
            _, _, vbal, value = msg
            s = s._replace(heard=s.heard + 1)
            if vbal > s.vbal:
                s = s._replace(vbal=vbal, value=value)
            if s.heard < self.quorum:
                return s, []
            v = self.choose_value(s)
            s = s._replace(phase=ACCEPTING, heard=0, vbal=-1, value=v)
            return s, [(q, ("accept", b, v)) for q in self.acceptors(pid, s.started - 1)]
        if kind == "accepted" and s.phase == ACCEPTING:  # learn: a majority accepted (b, v)
            s = s._replace(heard=s.heard + 1)
            if s.heard < self.quorum:
                return s, []
            v = s.value
            s = s._replace(phase=IDLE, heard=0, vbal=-1, value=None, y=v)
            return s, [(q, ("decide", v)) for q in range(self.processes) if q != pid]
        return s, []

    def start_ballot(self, pid, s):
        """Phase 1a on a null receive: start the next ballot, if allowed."""
        limit = self.max_ballots
        if isinstance(limit, tuple):
            limit = limit[pid]
        if s.y is not None or (limit is not None and s.started >= limit):
            return s, []
        k = s.started
        b = k * self.processes + pid
        s = s._replace(started=k + 1, phase=PREPARING, heard=0, vbal=-1, value=None)
        return s, [(q, ("prepare", b)) for q in self.acceptors(pid, k)]

    # -- printing ----------------------------------------------------------------------------

    def format_state(self, pid, s):
        ballot = "no ballot" if not s.started else f"ballot {self.ballot(pid, s)} {s.phase}"
        if s.phase == PREPARING:
            report = f", highest report ({s.vbal}, {s.value})" if s.vbal >= 0 else ""
            ballot += f" ({s.heard} promises{report})"
        elif s.phase == ACCEPTING:
            ballot += f" v={s.value} ({s.heard} accepted)"
        accepted = "nothing" if s.abal < 0 else f"({s.abal}, {s.aval})"
        decided = "_" if s.y is None else s.y
        return f"x={s.x} {ballot}; promised {s.mbal}, accepted {accepted}; y={decided}"

    def format_payload(self, payload):
        kind, args = payload[0], payload[1:]
        if kind == "promise" and args[1] < 0:
            return f"promise({args[0]}, none)"
        if kind == "promise":
            return f"promise({args[0]}, ({args[1]}, {args[2]}))"
        return f"{kind}({', '.join(map(str, args))})"


class Paxos2(Paxos):
    """Single-decree Paxos, 2 ballots per process (ballots 0..5)."""

    max_ballots = 2


class Paxos3(Paxos):
    """Single-decree Paxos, 3 ballots per process (ballots 0..8)."""

    max_ballots = 3
