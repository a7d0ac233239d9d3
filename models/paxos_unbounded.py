"""Single-decree Paxos with unbounded ballots: the protocol FLP says cannot always terminate.

Models Lamport, "Paxos Made Simple", ACM SIGACT News 32(4), 2001, exactly as ``paxos.py`` does
(same messages, same local state, same rules), except that a process may start a new ballot on
any null receive for as long as it has not decided: its k-th ballot is numbered k*N + pid for
k = 0, 1, 2, ... without bound. The local state holds the ballot counter, so the configuration
graph is infinite: ``explore`` needs a bound (``--max-depth`` or ``--max-configs``), and every
result computed from the cut graph says so (``space.complete`` is false).

CLI: ``flpcheck explore models/paxos_unbounded.py --max-depth 8``;
``flpcheck witness models/paxos_unbounded.py --stages 6`` builds the adversary's run on demand.

Expected verdict: agreement and validity hold in every configuration explored (a violation,
were there one, would be certain even in a cut graph; "holds" only speaks for the part
explored). Unlike the bounded model, one crash cannot block it for good: a live process can
always start a ballot higher than any promise the crashed one left behind, addressed to a
majority of live processes (the majority rotates with the ballot). What remains is FLP's run:
the adversary keeps the configuration bivalent forever by letting proposers pre-empt each other
(dueling proposers): p starts ballot b and gathers promises, q starts a higher ballot before p's
accept requests arrive, they are turned down, p starts a still higher one, and so on. That run is
fair, crash-free and never decides; ``witness --stages k`` shows its first k stages, each
configuration certified bivalent by a run deciding 0 and a run deciding 1.
"""

from pathlib import Path

from flpcheck.model.loader import load_protocol_class

Paxos = load_protocol_class(f"{Path(__file__).with_name('paxos.py')}:Paxos")


class PaxosUnbounded(Paxos):
    """Single-decree Paxos (Lamport 2001); a process may start a higher ballot whenever it
    has not decided."""

    max_ballots = None
