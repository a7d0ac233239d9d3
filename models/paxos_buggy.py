"""Paxos with the classic mistakes: each variant breaks one rule of the algorithm, and agreement.

Each class is ``paxos.py``'s ``Paxos`` (Lamport, "Paxos Made Simple", ACM SIGACT News 32(4),
2001; N = 3, one ballot per process, ballot b of process b mod 3, prepare and accept sent to
the proposer itself and one other acceptor, its own messages handled within its step) with one
rule changed. Lamport's safety argument needs every rule: a value chosen in ballot b was
accepted by a majority; a later ballot's promises come from a majority (a quorum of one breaks
this), which shares an acceptor with the first; that acceptor, having accepted in b, reports it
(the report dropped) or, having promised first, turns b's accept request down (the promise
broken); and the proposer proposes the highest-numbered report (the reports ignored). Drop one
link and two ballots choose different values.

Expected verdict for every class: agreement violated (exit code 1), with a shortest schedule
from inputs 001 in which p0 decides 0 and p2 decides 1. The lengths, worked out by hand in
each docstring and pinned in ``tests/models/test_models_paxos.py``: 10 events for the first three
classes, 2 for the quorum of one. Validity and non-triviality still hold.

CLI: ``flpcheck explore models/paxos_buggy.py:PaxosNoReport`` (and the other class names).
"""

from pathlib import Path

from flpcheck.model.loader import load_protocol_class

Paxos = load_protocol_class(f"{Path(__file__).with_name('paxos.py')}:Paxos")


class PaxosNoReport(Paxos):
    """Bug: an acceptor does not report the proposal it accepted in its promise.

    Shortest violation, 10 events from inputs 001. Ballot 0 of p0, addressed to {p0, p1},
    chooses 0 in 5 events: (1) p0 receives null: starts ballot 0, promises it itself; (2) p1
    receives prepare(0) and promises; (3) p0 receives promise(0, none): proposes its input 0 and
    accepts (0, 0) itself; (4) p1 receives accept(0, 0) and accepts; (5) p0 receives
    accepted(0, 0): a majority accepted, p0 decides 0. Ballot 2 of p2, addressed to {p2, p0},
    then chooses 1 in 5 more: (6) p2 receives null; (7) p0 receives prepare(2) and promises,
    but reports nothing although it accepted (0, 0) (the bug); (8) p2 receives
    promise(2, none): no report, so it proposes its input 1; (9) p0 receives accept(2, 1);
    (10) p2 receives accepted(2, 1) and decides 1. No shorter run exists: a decision takes a
    ballot run to its end, 5 events of which none serves another ballot.
    """

    def promise_report(self, state):
        return -1, None


class PaxosIgnoreReports(Paxos):
    """Bug: a proposer ignores the values reported in the promises and proposes its own input.

    Shortest violation: the 10 events of ``PaxosNoReport``, except that at (7) p0's promise
    reports (0, 0), and at (8) p2 receives promise(2, (0, 0)) and proposes its input 1 anyway.
    """

    def choose_value(self, state):
        return state.x


class PaxosBrokenPromise(Paxos):
    """Bug: an acceptor accepts a proposal of a lower ballot than one it has promised.

    Shortest violation, 10 events from inputs 001: (1) p0 receives null: starts ballot 0,
    addressed to {p0, p1}; (2) p1 receives prepare(0) and promises; (3) p2 receives null:
    starts ballot 2, addressed to {p2, p0}; (4) p0 receives prepare(2) and promises it
    (reporting nothing: it has accepted nothing yet); (5) p0 receives promise(0, none) and
    proposes 0: its own acceptor, having promised ballot 2, should turn accept(0, 0) down, but
    accepts it (the bug); (6) p1 receives accept(0, 0) and accepts; (7) p0 receives
    accepted(0, 0): {p0, p1} accepted, p0 decides 0; (8) p2 receives promise(2, none), proposes
    its input 1 and accepts it; (9) p0 receives accept(2, 1) and accepts; (10) p2 receives
    accepted(2, 1) and decides 1. The correct acceptor refuses at (5), and ballot 0 then never
    gathers a majority.
    """

    def may_accept(self, state, b):
        return True


class PaxosQuorumOfOne(Paxos):
    """Bug: a quorum of 1, not a majority; two quorums need not intersect.

    Each ballot is addressed to its proposer alone, which promises, accepts and learns within
    its own step. Shortest violation, 2 events from inputs 001: p0 receives null and decides
    its input 0; p2 receives null and decides its input 1.
    """

    quorum_size = 1
