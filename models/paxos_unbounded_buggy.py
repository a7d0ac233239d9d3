"""Unbounded Paxos whose proposer ignores the values reported in the promises: agreement breaks.

Models Lamport, "Paxos Made Simple", ACM SIGACT News 32(4), 2001, as ``paxos_unbounded.py``
does (N = 3, a process may start a new ballot on any null receive until it decides, its k-th
ballot numbered k*N + pid without bound, prepare and accept sent to the proposer itself and the
next process in ring order, rotating with k, its own messages handled within its step), with one
rule of phase 2a broken: the proposer proposes its own input instead of the value of the
highest-numbered proposal reported in the promises (``choose_value``). That is the link of
Lamport's safety argument that carries a chosen value into every later ballot; without it a
later ballot can choose a different value. The configuration graph is infinite, so
``flpcheck explore`` needs a bound; ``flpcheck simulate`` needs none.

Expected verdict: agreement violated (exit code 1); validity and non-triviality hold (every
value proposed is some process's input).

Shortest violation, 10 events, e.g. from inputs 001 (the explorer's, breadth-first, with
``--max-depth 10``; any input vector with p0's input differing from p2's has one of the same
shape). Ballot 0 of p0, addressed to {p0, p1}, chooses 0 in 5 events: (1) p0 receives null:
starts ballot 0 and promises it itself; (2) p1 receives prepare(0) and promises; (3) p0
receives promise(0, none): proposes its input 0 and accepts (0, 0) itself; (4) p1 receives
accept(0, 0) and accepts; (5) p0 receives accepted(0, 0): a majority accepted, p0 decides 0.
Ballot 2 of p2 (its first), addressed to {p2, p0}, then chooses 1 in 5 more: (6) p2 receives
null; (7) p0 receives prepare(2) and promises, reporting (0, 0); (8) p2 receives
promise(2, (0, 0)) and proposes its own input 1 anyway (the bug); (9) p0 receives accept(2, 1)
and accepts; (10) p2 receives accepted(2, 1) and decides 1. No shorter run exists: a decision
needs a ballot run to its end, 5 events (a null step to start it, the other acceptor's prepare
and accept, the proposer's promise and accepted), and two decisions of different values need
two ballots of proposers with different inputs (a proposer proposes only its own input, and a
decided process starts no ballot), whose 10 events are all distinct: their messages differ. The
unbounded ballots add no shorter run: a ballot with a higher number needs more null steps.

``flpcheck simulate models/paxos_unbounded_buggy.py`` finds a violation within a few hundred
random runs and shrinks it to a schedule from which no single event can be removed; that
schedule is often the 10 events above, but local minimality does not promise the shortest.

CLI: ``flpcheck simulate models/paxos_unbounded_buggy.py``;
``flpcheck explore models/paxos_unbounded_buggy.py --max-depth 10`` finds the shortest.
"""

from pathlib import Path

from flpcheck.model.loader import load_protocol_class

PaxosUnbounded = load_protocol_class(
    f"{Path(__file__).with_name('paxos_unbounded.py')}:PaxosUnbounded")


class PaxosUnboundedIgnoreReports(PaxosUnbounded):
    """Unbounded Paxos (Lamport 2001) whose proposer ignores the reports and proposes its own
    input."""

    def choose_value(self, state):
        return state.x
