"""Two-phase commit: the coordinator p0 commits only if every process votes yes.

Models the two-phase commit protocol of Gray, "Notes on Data Base Operating Systems", in
Operating Systems: An Advanced Course, LNCS 60, Springer, 1978, as consensus in the FLP model.
The input of a process is its vote: 1 = yes (commit), 0 = no (abort); the decision is 1
(commit) iff every vote is yes.

- Phase 1 (voting): a participant p >= 1 sends vote(x_p) to the coordinator on its first null
  step (standing for its answer to the coordinator's vote request, which is left out). A
  participant that votes no aborts at once (decides 0): it knows the outcome. A participant
  that already knows the outcome does not vote.
- Phase 2 (decision): the coordinator's own vote is its input. Undecided, it aborts at its
  first step (of any kind) if it votes no, and on receiving a no vote; it commits once it has
  voted yes and received N - 1 yes votes. It then sends the outcome to every participant;
  a participant decides the outcome it receives. Acknowledgements are left out: they do not
  change any decision.

Expected verdict: agreement, validity and non-triviality hold; every configuration is
univalent (the votes fix the outcome: no initial configuration is bivalent) and none is
none-valent. The protocol blocks: it is not 1-crash tolerant. If the coordinator crashes
before deciding, a participant that voted yes waits for the outcome forever (from I(1...1) with
p0 dead from the start nobody decides); and a participant that crashes before voting leaves
the coordinator waiting for its vote.

Sizes (N = 2, worked out by hand in tests/models/test_models_2pc.py): 24 configurations, 64 events.
"""

from typing import NamedTuple

from flpcheck import Protocol


class State(NamedTuple):
    x: int  # the vote: 1 yes (commit), 0 no (abort)
    voted: bool = False  # participant: its vote is sent
    yes: int = 0  # coordinator: yes votes received from participants
    y: int | None = None  # the decision: 1 commit, 0 abort


class TwoPhaseCommit(Protocol):
    """Participants vote; the coordinator p0 commits iff all N votes are yes, else aborts."""

    processes = 3

    def init(self, pid, x):
        return State(x)

    def step(self, pid, state, msg):
        return (self.coordinator if pid == 0 else self.participant)(state, msg)

    def output(self, pid, state):
        return state.y

    def coordinator(self, s, msg):
        if s.y is not None:
            return s, []
        if s.x == 0 or msg == ("vote", 0):
            return self.decide(s, 0)
        if msg == ("vote", 1):
            s = s._replace(yes=s.yes + 1)
            if s.yes == self.processes - 1:
                return self.decide(s, 1)
        return s, []

    def decide(self, s, outcome):
        """The coordinator decides and sends the outcome to every participant."""
        payload = "commit" if outcome else "abort"
        return s._replace(y=outcome), [(q, payload) for q in range(1, self.processes)]

    def participant(self, s, msg):
        if msg is None:
            if s.voted or s.y is not None:
                return s, []
            s = s._replace(voted=True, y=0 if s.x == 0 else None)
            return s, [(0, ("vote", s.x))]
        if s.y is None:
            s = s._replace(y=1 if msg == "commit" else 0)
        return s, []

    def format_state(self, pid, s):
        role = f"votes {'yes' if s.x else 'no'}"
        if pid == 0:
            role += f", {s.yes} yes received"
        elif s.voted:
            role += " (sent)"
        return f"{role}; " + {None: "undecided", 0: "abort", 1: "commit"}[s.y]

    def format_payload(self, payload):
        return payload if isinstance(payload, str) else f"vote({payload[1]})"
