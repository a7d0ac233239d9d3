"""FloodSet: consensus in the synchronous model with at most f crashes, in f+1 rounds.

The classic algorithm for consensus in synchronous rounds with crash failures (after Lynch,
"Distributed Algorithms", Morgan Kaufmann, 1996, section 6.2, in the crash model of Aguilera
and Toueg, IPL 71, 1999): every process starts with Values = {v_i}, floods the values it has
seen for f+1 rounds, and then decides d_i = minimum(Values). A common variant multicasts only
the new values (Values^r - Values^(r-1)); this model sends the whole set each round, to every
other process. The decisions are the same: a live process delivers every
message, so a value it already sent reached every process that was live then, and resending it
adds nothing. Sending the whole set keeps the state to (values, decision) and sends exactly one
message to each other process per round, so every crash pattern is a distinct execution.

Expected (``flpcheck explore models/floodset.py --crashes f --rounds R``):

- R = f+1: agreement, validity and termination hold for every N (the classic argument: a value
  known to one live process but not another must have travelled along a chain of f+1 crashes,
  one per round).
- R = f and N >= f+2: agreement is violated. The counterexample is the chain of
  crashes (numbering processes from 0): p0 alone holds the odd value 0, and in round r process
  p(r-1) crashes after sending only to p(r), so p(f) learns 0 in the last round and decides 0
  while the other live processes never see 0 and decide 1. Validity and termination hold.
  (With N = f+1 only one process can be live at the end, so agreement holds.)
"""

from typing import NamedTuple

from flpcheck import RoundProtocol


class State(NamedTuple):
    values: frozenset[int]
    decision: int | None = None


class FloodSet(RoundProtocol):
    """Flood the set of values seen; after the last round decide its minimum."""

    processes = 3
    rounds = 2  # f+1 for the default f = 1

    def init(self, pid, x):
        return State(frozenset({x}))

    def send(self, pid, round, state):
        return [(q, state.values) for q in range(self.processes) if q != pid]

    def receive(self, pid, round, state, inbox):
        values = state.values.union(*(payload for _, payload in inbox))
        decision = min(values) if round == self.rounds else None
        return State(values, decision)

    def output(self, pid, state):
        return state.decision

    def format_state(self, pid, state):
        return "{" + ",".join(map(str, sorted(state.values))) + "}"

    def format_payload(self, payload):
        return "{" + ",".join(map(str, sorted(payload))) + "}"
