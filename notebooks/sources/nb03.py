from common import SETUP, TABLE, build, code, md

cells = [
md("""
# 3 · Paxos

*Single-decree Paxos as in Lamport, "Paxos Made Simple", ACM SIGACT News 32(4), 2001.*

Paxos (Lamport) does not solve consensus, since FLP says nothing can. It keeps **safety** always
(no two processes ever decide differently) and gives **eventual liveness**: if things go well
for long enough, it decides. Its three phases, as this notebook names them:

1. **Election** (phase 1): a would-be leader picks a ballot number higher than anything it has
   seen and sends *prepare* to a majority; an acceptor that has promised nothing higher
   *promises* the ballot and reports the value it accepted last, if any.
2. **Bill** (phase 2): with promises from a majority the leader proposes a value: the one reported
   with the highest ballot, or its own if none was reported. Acceptors that promised nothing
   higher *accept* it.
3. **Law** (phase 3): once a majority accepted, the leader decides and tells everyone.

The models: `models/paxos.py` (`Paxos`: N = 3, every process proposer, acceptor and learner, at
most one ballot per process, so the configuration graph is finite), `models/paxos_unbounded.py`
(`PaxosUnbounded`: ballots without bound, an infinite graph) and `models/paxos_buggy.py` (four
classic mistakes). This notebook checks safety in every configuration, shows the run FLP
predicts (dueling proposers), and breaks the algorithm one rule at a time.
"""),
code(SETUP),
code("""
from collections import Counter

import graphviz

from flpcheck import Event, classify_valence, explore
from flpcheck.model.loader import load_protocol, load_protocol_class
from flpcheck.analysis.properties import check_safety
from flpcheck import render
from flpcheck.analysis.lasso import check_run
from flpcheck.model.semantics import replay
from flpcheck.analysis.stages import check_staged_run, staged_adversary
from flpcheck.analysis import verdict

PAXOS = str(MODELS / "paxos.py")
Paxos = load_protocol_class(f"{PAXOS}:Paxos")
paxos = Paxos()
print(Paxos.__doc__)
print("N =", paxos.processes, "; quorum =", paxos.quorum, "; ballots per process:", paxos.max_ballots)
"""),
code(TABLE),
md("""
Two helpers: a schedule as a table (each process's state after its step, in the model's own
words), and as a **message sequence chart**: one column per process, time going down, an arrow
from each send to its receipt.
"""),
code("""
def describe(protocol, event):
    return f"p{event.pid} " + ("null step" if event.msg is None
                              else "receives " + protocol.format_payload(event.msg))


def schedule_table(protocol, inputs, events):
    steps = replay(protocol, inputs, events)
    rows = [(i, describe(protocol, s.event),
             ", ".join(f"{protocol.format_payload(m)}→p{d}" for d, m in s.sends) or "-",
             protocol.format_state(s.event.pid, s.config.states[s.event.pid]))
            for i, s in enumerate(steps, 1)]
    display(table(["#", "event", "sends", "state after"], rows))
    return steps


def sequence_chart(protocol, inputs, events, title=""):
    \"\"\"Processes as columns, steps going down (numbered), every delivered message as an
    arrow from the step that sent it to the step that received it.\"\"\"
    steps = replay(protocol, inputs, events)
    n = protocol.processes
    g = graphviz.Digraph("msc", graph_attr=dict(rankdir="TB", nodesep="1.6", ranksep="0.2",
                         label=title, labelloc="t", fontname="Helvetica", splines="line", forcelabels="true"))
    g.attr("node", fontname="Helvetica", fontsize="9")
    g.attr("edge", fontname="Helvetica", fontsize="8", arrowsize="0.6")
    lane = lambda q, i: f"n{q}_{i}"
    for i in range(len(steps) + 1):
        with g.subgraph() as row:
            row.attr(rank="same")
            for q in range(n):
                if i == 0:
                    row.node(lane(q, 0), f"p{q}  (x={inputs[q]})", shape="box", style="filled",
                             fillcolor="#eeeeee")
                elif steps[i - 1].event.pid == q:
                    s = steps[i - 1]
                    y = protocol.output(q, s.config.states[q])
                    label = f"{i}" + (" null" if s.event.msg is None else "")      # what arrives: on the arrow
                    decided = y is not None and (i == 1 or protocol.output(q, steps[i - 2].config.states[q]) is None)
                    row.node(lane(q, i), label + (f"\\ndecides {y}" if decided else ""), shape="box",
                             style="rounded,filled", margin="0.04,0.02", height="0.25", width="0.3", fillcolor="#56B4E9" if decided and y == 0 else
                             "#E69F00" if decided else "white", peripheries="2" if decided else "1")
                else:
                    row.node(lane(q, i), "", shape="point", width="0.02")
            for q in range(n - 1):
                row.edge(lane(q, i), lane(q + 1, i), style="invis")
    for q in range(n):
        for i in range(len(steps)):
            g.edge(lane(q, i), lane(q, i + 1), arrowhead="none", color="#bbbbbb", weight="100")
    pending = []                                   # (sender step, dst, payload), oldest first
    for i, s in enumerate(steps, 1):
        if s.event.msg is not None:
            k = next(k for k, (_, d, m) in enumerate(pending) if (d, m) == (s.event.pid, s.event.msg))
            j, _, m = pending.pop(k)
            g.edge(lane(steps[j - 1].event.pid, j), lane(s.event.pid, i), constraint="false",
                   color="#0072B2", fontcolor="#0072B2", xlabel=protocol.format_payload(m))
        pending += [(i, d, m) for d, m in s.sends]
    return g
"""),
md("""
## A ballot that decides, and the point of no return

From inputs 011: p0's ballot 0 (addressed to the majority {p0, p1}) chooses 0 in five events.
Then p1 starts ballot 1, addressed to {p1, p2}. Its own acceptor reports that it accepted (0, 0),
so p1 proposes **0**, not its input 1, and decides 0 as well. That is Paxos's safety argument (Lamport 2001, section 2.2):
once a majority has accepted v, every later ballot either proposes v or fails, because any two
majorities share an acceptor.
"""),
code("""
ballot0 = [Event(0, None), Event(1, ("prepare", 0)), Event(0, ("promise", 0, -1, None)),
           Event(1, ("accept", 0, 0)), Event(0, ("accepted", 0, 0))]
ballot1 = [Event(1, None), Event(2, ("prepare", 1)), Event(1, ("promise", 1, -1, None)),
           Event(2, ("accept", 1, 0)), Event(1, ("accepted", 1, 0))]
steps = schedule_table(paxos, (0, 1, 1), ballot0 + ballot1)
outs = steps[-1].config.outputs(paxos)
assert outs[0] == 0 and outs[1] == 0       # p1 decided 0, although its input is 1
sequence_chart(paxos, (0, 1, 1), ballot0 + ballot1, "two ballots, one value")
"""),
md("""
## Safety in every configuration

`explore` enumerates every configuration of bounded Paxos from all 8 input vectors: every
interleaving of every message, every choice of who starts a ballot when.
"""),
code("""
space = explore(paxos)
valence = classify_valence(space)
print(f"{len(space):,} configurations, {space.num_events:,} events, complete = {space.complete}")
for r in check_safety(space):
    print(f"{r.name:14} {'holds' if r.holds else 'VIOLATED'}: {r.detail}")
    assert r.holds and r.certain
print("valence:", valence.counts())
print("initial:", {"".join(map(str, x)): valence.label(c) for x, c in space.initial})
assert valence.counts()["none"] == 0
"""),
md("""
**The point of no return**: once a majority of acceptors has accepted a proposed value, a
decision has been made for the group, even before the leader (or anyone) knows it.
Check it on every configuration: wherever a majority of acceptors hold the same accepted
proposal (b, v), the configuration is v-valent, whether or not anyone has decided.
"""),
code("""
chosen = undecided_chosen = 0
for cid in range(len(space)):
    states = space.configuration(cid).states
    accepted = Counter((s.abal, s.aval) for s in states if s.abal >= 0)
    for (b, v), k in accepted.items():
        if k >= paxos.quorum:                          # (b, v) is chosen
            chosen += 1
            assert valence.values(cid) == {v}, cid     # ... and nothing else can be decided
            undecided_chosen += not space.decisions(cid)
print(f"{chosen:,} configurations where a majority accepted the same proposal, "
      f"{undecided_chosen:,} of them before anyone decided: all univalent")
assert undecided_chosen > 0
"""),
md("""
The graph is too big to draw configuration by configuration; the quotient view merges
configurations of the same valence and depth (one row per depth). Bivalent configurations
(purple) exist only in the first few steps: soon some value has been accepted by a majority.
"""),
code("""
import numpy as np

depth = np.asarray(space.depth)
deepest = int(depth[valence.mask("bivalent")].max())
print(f"the deepest bivalent configuration is {deepest} events from its initial one "
      f"(the deepest configuration: {int(depth.max())})")
assert deepest == 7
render(space, "quotient")
"""),
md("""
## What FLP leaves Paxos: runs that never decide

flpcheck's verdict for bounded Paxos is `not-crash-tolerant`, and the reason is the bound, not
Paxos: a process whose single ballot was pre-empted may not try again.
"""),
code("""
v = verdict(space, crashes=1)
print(v.verdict, "-", v.detail)
assert v.verdict == "not-crash-tolerant"
run = v.run
check_run(paxos, run, crashes=1)
print("crashed:", sorted(run.crashed), "from inputs", run.inputs)
for i, e in enumerate(run.stem, 1):
    print(f"  {i}. {describe(paxos, e)}")
print("  then forever:", ", ".join(describe(paxos, e) for e in run.cycle))
"""),
md("""
With ballots unbounded (`PaxosUnbounded`) a live process can always start a higher ballot, so
that run disappears, and the graph becomes infinite. Exploration then needs a bound; a violation
found in the explored part would be certain, while "holds" only speaks for the explored part
(`certain = False`):
"""),
code("""
PaxosUnbounded = load_protocol_class(str(MODELS / "paxos_unbounded.py"))
unbounded = PaxosUnbounded()
cut = explore(unbounded, max_depth=8)
print(f"{len(cut):,} configurations within 8 steps; complete = {cut.complete} ({', '.join(cut.cut_reasons)})")
for r in check_safety(cut):
    print(f"{r.name:14} holds={r.holds} certain={r.certain}")
assert not cut.complete
assert all(r.holds for r in check_safety(cut))
"""),
md("""
What remains is exactly FLP's run: **dueling proposers**. The adversary of Lemma 3
(`staged_adversary`, built on demand because the graph is infinite) serves each process in turn
with its oldest message, and just before it does, lets another proposer start a higher ballot, so
that the message arrives too late to matter. Each stage ends in a configuration *certified*
bivalent by two explicit continuations, one deciding 0 and one deciding 1.
"""),
code("""
staged = staged_adversary(unbounded, 12, cert_configs=2000)
assert not staged.failure and len(staged.stages) == 12
assert staged.events[4:6] == (Event(1, None), Event(1, ("accept", 0, 1)))   # steps 5 and 6
check_staged_run(unbounded, staged)                  # replays the run and every certificate
rows = [(i, f"p{s.process}", describe(unbounded, s.event),
         ", ".join(describe(unbounded, e) for e in s.sigma) or "-",
         len(s.certificates[0]), len(s.certificates[1]))
        for i, s in enumerate(staged.stages)]
print("from I(" + "".join(map(str, staged.inputs)) + ")")
display(table(["stage", "serves", "e", "σ first", "steps to decide 0", "to decide 1"], rows))

end = replay(unbounded, staged.inputs, staged.events)[-1].config
ballots = sorted(unbounded.ballot(p, s) for p, s in enumerate(end.states))
print("ballots in progress at the end:", ballots, "; decided:", end.decisions(unbounded) or "nobody")
assert not end.decisions(unbounded) and max(ballots) > 2     # proposers kept pre-empting each other
# every accept request that arrives is turned down: its acceptor has promised a higher ballot
for s in replay(unbounded, staged.inputs, staged.events):
    if s.event.msg is not None and s.event.msg[0] == "accept":
        assert s.config.states[s.event.pid].abal != s.event.msg[1], describe(unbounded, s.event)
sequence_chart(unbounded, staged.inputs, staged.events, "dueling proposers (12 stages of the adversary)")
"""),
md("""
At step 5 p1 starts ballot 1 (and promises it to itself), so at step 6 it turns down p0's
accept(0, 1), which had been on its way all along. Every accept request in this run reaches an
acceptor that has just promised a higher ballot, and is turned down (the cell asserts it). Nothing is lost and nobody crashes: the schedule is fair, only unlucky. Real
systems make it unlikely (random back-off, a stable leader), never impossible.
"""),
md("""
## After GST: eventual liveness

"If things go well for long enough, it decides": partial synchrony (Dwork, Lynch, Stockmeyer
1988) makes it precise. A run is arbitrary until a time GST the adversary picks; after it, a
process times out (takes a null step) only when no message is in transit to a live process
(timeouts outlast every message delay), every message is received, and up to t processes may
still crash. `check_liveness` (the Python side of `flpcheck liveness`) asks whether *every* such
run decides. For unbounded Paxos, GST within the first 2 events (`gst_by=2`: the graph before
GST is explored to depth 2, every run after it from there), one crash: it holds, and the worst
case is a number of events from GST to a decision. The dueling-proposers run above cannot go on
after GST: a proposer times out only once nothing is in transit, so no rival starts a higher
ballot while a ballot's messages are on their way.
"""),
code("""
from flpcheck.analysis.gst import GSTRules
from flpcheck.analysis.liveness import check_liveness
from flpcheck.analysis.post_gst import PostBounds

before_gst = explore(unbounded, max_depth=2)
live = check_liveness(before_gst, 1, GSTRules(), gst_by=2, bounds=PostBounds(max_configs=10**6))
print(live.detail, "; worst case:", live.worst_steps, "events after GST;",
      f"{live.post_configurations:,} configurations explored after GST")
assert live.holds is True and live.complete and live.worst_steps == 21
rows = [(s.number, s.phase, f"p{s.crash} crashes" if s.event is None else describe(unbounded, s.event),
         s.label) for s in live.worst_annotated]
display(table(["#", "when", "event", "what the null step is"], rows))
"""),
md("""
Without GST the same graph holds FLP's run; after GST every run decides, at worst 21 events
after GST here (the worst case lets one process crash midway and the survivors start over).
A stable leader alone is not enough: with bounded ballots, a leader, and one crash, the leader's
only ballot may go to the acceptor that crashed. Bounded Paxos (`Paxos`, one ballot each) with
leader p0: p0's ballot 0 is addressed to the majority {p0, p1}; with p1 crashed at GST, p0 waits
for a promise that never comes, and its timeouts change nothing: the burned ballot.
"""),
code("""
bounded = explore(paxos)
burned = check_liveness(bounded, 1, GSTRules(leader=0))
print(burned.detail)
run = burned.run
print("inputs", "".join(map(str, run.inputs)), "; crashed:", sorted(run.crashed), "; GST after", run.gst_at, "events")
rows = [(s.number, s.phase, f"p{s.crash} crashes" if s.event is None else describe(paxos, s.event),
         s.label) for s in burned.run_annotated]
display(table(["#", "when", "event", "what the null step is"], rows))
assert burned.holds is False and run.crashed == {1} and {e.pid for e in run.cycle} == {0}
"""),
md("""
Timeouts must also outlast a round trip. With `timeouts="local"` a process times out as soon as
nothing is in transit *to itself*: the leader may then time out while its own ballot is still in
flight and pre-empt itself, for ever, each period one ballot higher. Such a run has no finite
cycle, so within a bound the check cannot establish failure: it says "not established" and shows
the stages it built in which nobody decides.
"""),
code("""
local = check_liveness(before_gst, 0, GSTRules(timeouts="local", leader=0), gst_by=2,
                       bounds=PostBounds(max_configs=20_000))
print("holds:", local.holds, "-", local.detail)
assert local.holds is None and local.stages is not None
rows = [(s.number, s.phase, describe(unbounded, s.event), s.label)
        for s in local.stages_annotated if s.event is not None]
display(table(["#", "when", "event", "what the null step is"], rows))
"""),
md("""
## What breaks: the classic mistakes

Each class of `models/paxos_buggy.py` changes one rule. Lamport's safety argument needs all of
them: two majorities share an acceptor (quorum); that acceptor reports what it accepted (report);
or, having promised first, refuses the older ballot (promise); and the proposer adopts the
highest report (adopt). Drop one link and two ballots choose different values.
"""),
code("""
BUGGY = str(MODELS / "paxos_buggy.py")
variants = {
    "PaxosNoReport": "an acceptor's promise does not report what it accepted",
    "PaxosIgnoreReports": "a proposer ignores the reports and proposes its own input",
    "PaxosBrokenPromise": "an acceptor accepts a ballot lower than one it promised",
    "PaxosQuorumOfOne": "a quorum of one: two quorums need not intersect",
}
found = {}
rows = []
for name, bug in variants.items():
    proto = load_protocol(f"{BUGGY}:{name}")
    s = explore(proto)
    agreement, validity, nontriviality = check_safety(s)
    assert not agreement.holds and validity.holds and nontriviality.holds
    found[name] = (proto, agreement.schedule)
    rows.append((name, bug, f"{len(s):,}", len(agreement.schedule),
                 "".join(map(str, agreement.schedule.inputs)), agreement.detail))
assert [len(found[n][1]) for n in variants] == [10, 10, 10, 2]
table(["variant", "the bug", "configurations", "shortest violation", "inputs", "what happens"], rows)
"""),
md("""
The shortest violation for `PaxosNoReport`: ballot 0 chooses 0 exactly as before. Then p2's
ballot 2 goes to {p2, p0}; p0 has accepted (0, 0) but its promise reports nothing, so p2
proposes its own 1, which p0 accepts: a second majority, a second value.
"""),
code("""
proto, sched = found["PaxosNoReport"]
steps = schedule_table(proto, sched.inputs, sched.events)
assert steps[-1].config.outputs(proto) == (0, None, 1)
sequence_chart(proto, sched.inputs, sched.events, "PaxosNoReport: p0 decides 0, p2 decides 1")
"""),
md("""
`PaxosBrokenPromise` needs the same number of steps but a different interleaving: p0 promises
ballot 2 *before* its own ballot 0 reaches the accept phase, and then accepts (0, 0) anyway:
"""),
code("""
proto, sched = found["PaxosBrokenPromise"]
steps = schedule_table(proto, sched.inputs, sched.events)
assert steps[-1].config.outputs(proto) == (0, None, 1)
sequence_chart(proto, sched.inputs, sched.events, "PaxosBrokenPromise")
"""),
]

if __name__ == "__main__":
    print(build("03_paxos", cells))
