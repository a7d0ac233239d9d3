"""Flip-flop: two processes adopt each other's preference; one decides on hearing its own back.

Each process sends its preference (initially its input) to the other on its first step. On
receiving a value equal to its preference it decides it (and sends it once more, so the other
hears it too); on receiving a different value it adopts that value and sends it. A decided
process ignores everything, and so does a process's first step: a message it receives then is
consumed unread (the protocol's choice; the verdicts do not depend on it).

Expected (FLP 1985): agreement, validity and non-triviality hold; every configuration is
decided or still bivalent (no none-valent one). With the crash budget of FLP (t = 1) the verdict
is not-crash-tolerant: with p0 dead from the start, p1 waits forever. With no crash allowed
(``--crashes 0``) the verdict is forever-bivalent, and the adversary's run is the classic
swap: from inputs 01, after p0 and p1 have sent and p1 has adopted 0, the cycle is
p0 receives 1 (adopts 1), p1 receives 1 (adopts 1), p0 receives 0 (adopts 0), p1 receives 0
(adopts 0): each receives the other's old preference just after changing its own, forever.

Why no finite protocol for N = 2 does better (the verdict not-crash-tolerant is unavoidable):
if no single crash blocks, from I(00) p0 alone can decide (validity: 0) by a run of its own
steps, and from I(11) p1 alone can decide 1; those runs also apply from I(01), where p0 alone
starts as in I(00) and p1 alone as in I(11); they involve disjoint processes, so by Lemma 1
they commute, and applying both from I(01) decides 0 and 1: agreement fails.
"""

from flpcheck import Protocol


class FlipFlop(Protocol):
    """Adopt the other's preference; decide when your own preference comes back."""

    processes = 2
    symmetric = True  # every pid is treated alike; states and payloads hold no pids

    def init(self, pid, x):
        return (x, False, None)  # (preference, sent, decision)

    def step(self, pid, state, msg):
        pref, sent, y = state
        other = 1 - pid
        if y is not None:
            return state, ()
        if not sent:
            return (pref, True, None), [(other, pref)]
        if msg is None:
            return state, ()
        if msg == pref:
            return (pref, True, pref), [(other, pref)]
        return (msg, True, None), [(other, msg)]

    def output(self, pid, state):
        return state[2]
