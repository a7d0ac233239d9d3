from common import SETUP, TABLE, build, code, md

cells = [
md("""
# 1 · Consensus and the FLP model

*After Fischer, Lynch and Paterson, "Impossibility of Distributed Consensus with One Faulty
Process", JACM 32(2), 1985: the problem statement, the model, configurations and Lemma 1.*

**The problem.** N processes; each process p has an input register $x_p \\in \\{0, 1\\}$ and a
write-once output register $y_p$, initially *b* (undecided). A consensus protocol must make
the processes decide:

* **agreement**: no two processes decide different values (and a decision once made can't be changed);
* **validity**: if everyone proposes the same value, that is what is decided;
* **non-triviality**: some initial state leads to the all-0 outcome and some to the all-1 outcome.

**The FLP model** (FLP 1985, section 2): processes talk only through a *global message buffer*.
`send(p, m)` puts $(p, m)$ in the buffer; `receive(p)` takes *some* message addressed to p out of
it, or returns null, and nothing bounds how long a message waits. A **configuration** is the local
state of every process plus the buffer; an **event** $e = (p, m)$ is "p receives m (or null), changes
state and sends"; a **schedule** is a sequence of events.

This notebook makes each of those objects concrete with `flpcheck`, on a protocol small enough to
see all of it at once.
"""),
code(SETUP),
code("""
import inspect

from flpcheck import Event, classify_valence, explore
from flpcheck.errors import ReplayError
from flpcheck.analysis.lemma1 import check_lemma1
from flpcheck.model.loader import load_protocol_class
from flpcheck import render
from flpcheck.output.render import PALETTE
from flpcheck.model.semantics import applicable_events, apply_event, initial_configuration, replay
"""),
code(TABLE),
md("""
## A protocol is a Python class

`models/leader_broadcast.py` is the simplest protocol that ever decides: process 0 (the leader)
broadcasts its input on its first step, and every process decides the first value it receives.
A protocol is a subclass of `flpcheck.Protocol` with three methods:

* `init(pid, x)`: the initial local state of process `pid` with input `x`;
* `step(pid, state, msg)`: one atomic step, receiving `msg` or the null message `None`; it returns
  the new state and the messages to send, as `(destination, payload)` pairs;
* `output(pid, state)`: the output register $y_p$: `None` while undecided, else 0 or 1.
"""),
code("""
LeaderBroadcast = load_protocol_class(str(MODELS / "leader_broadcast.py"))
print(inspect.getsource(LeaderBroadcast))
"""),
md("""
## Configurations

A configuration $C = (s_0, \\dots, s_{N-1}; B)$. There is one **initial configuration** $I(x)$ per
input vector $x \\in \\{0,1\\}^N$: every process in its initial state, the buffer empty, nobody
decided. With N = 2 there are $2^2 = 4$ of them.
"""),
code("""
proto = LeaderBroadcast(processes=2)
space = explore(proto)  # every configuration reachable from the 4 initial ones

rows = []
for inputs, cid in space.initial:
    C = space.configuration(cid)
    rows.append(("".join(map(str, inputs)), cid, C.states, C.buffer or "empty", C.outputs(proto)))
    assert C.buffer == () and C.outputs(proto) == (None, None)   # empty buffer, undecided
assert len(space.initial) == 2 ** proto.processes
table(["inputs x", "id", "local states", "buffer", "outputs y"], rows)
"""),
md("""
## Events

An event $e = (p, m)$ is **applicable** at C when m is null (always possible: a process can always
take a step without receiving anything) or when $(p, m)$ is in the buffer. Applying it runs
`step(p, s_p, m)` on p alone: the message leaves the buffer, what p sends enters it, and every
other process is unchanged.

At $I(10)$ only the two null steps apply; the leader's null step broadcasts its input.
"""),
code("""
C = initial_configuration(proto, (1, 0))
print("applicable at I(10):", [str(e) for e in applicable_events(C, proto.processes)])
assert applicable_events(C, proto.processes) == [Event(0, None), Event(1, None)]

step = apply_event(proto, C, Event(0, None))
print("p0's null step sends", step.sends)
print("new configuration:  ", step.config)
assert step.sends == ((0, 1), (1, 1))               # to everyone, the sender included
assert step.config.states[1] == C.states[1]          # p1 did not move
print("applicable now:     ", [str(e) for e in applicable_events(step.config, proto.processes)])
"""),
md("""
## Schedules: stepping through one

A schedule is a sequence of events. `flpcheck.model.semantics.replay` applies one to $I(x)$ step by step
with the protocol's own code (it is the plain, executable definition of the model, independent
of the explorer). Here: the leader broadcasts, p1 receives the 1, then p0 receives its own 1.
"""),
code("""
schedule = [Event(0, None), Event(1, 1), Event(0, 1)]
steps = replay(proto, (1, 0), schedule)

rows = [(i, str(s.event), s.sends or "-", s.config.states[0], s.config.states[1],
         s.config.buffer or "empty", s.config.outputs(proto))
        for i, s in enumerate(steps, 1)]
display(table(["#", "event", "sends", "p0", "p1", "buffer", "outputs"], rows))

final = steps[-1].config
assert final.outputs(proto) == (1, 1) and final.buffer == ()   # both decided the leader's 1
assert final.decisions(proto) == {1}
"""),
md("""
The buffer decides what can happen next: p1 cannot receive anything before the leader has sent
it, and `replay` refuses a schedule whose event is not applicable.
"""),
code("""
try:
    replay(proto, (1, 0), [Event(1, 1)])
except ReplayError as err:
    print("ReplayError:", err)
else:
    raise AssertionError("p1 received a message nobody sent")
"""),
md("""
## The whole configuration graph

`explore` applies every applicable event to every reachable configuration. Each configuration is
a node and each event an edge. Colours show the **valence** of a configuration (which decision
values are still reachable from it; notebook 4 is about valence): blue 0-valent, orange 1-valent,
purple bivalent, grey none. A thick border marks an initial configuration, a double border a
decided one. A node reads `c6 · 1,T,_ | 0,F,_ · 1→p0 1→p1`: configuration 6, p0's state
`(x=1, sent=True, y=None)`, p1's state, and the buffer (a 1 in transit to p0 and one to p1; `∅`
when empty). An edge `p1:1` is the event "p1 receives 1".
"""),
code("""
valence = classify_valence(space)
print(f"{len(space)} configurations, {space.num_events} events, complete={space.complete}")
print("valence:", valence.counts())
assert (len(space), space.num_events, space.complete) == (20, 56, True)
# The leader's input decides everything: no configuration is bivalent.
assert valence.counts()["bivalent"] == 0
assert all(valence.label(cid) == f"{inputs[0]}-valent" for inputs, cid in space.initial)
"""),
code("""
render(space, "full")
"""),
md("""
The self-loops are null steps that change nothing (p1 has nothing to do until the leader's
message arrives). Our schedule is one path through this graph: `space.follow` walks it in the
explored graph, and the configuration it ends in is the one `replay` computed.
"""),
code("""
path = space.follow(space.initial_id((1, 0)), schedule)
print("configuration ids along the schedule:", path)
assert space.configuration(path[-1]) == final   # explorer and plain semantics agree
render(space, "witness", run=path, events=schedule, title="our schedule from I(10)")
"""),
md("""
## Lemma 1: disjoint schedules commute

FLP's Lemma 1: if schedules $s_1$ and $s_2$ are both applicable at C and involve disjoint
sets of receiving processes, then $s_2(s_1(C)) = s_1(s_2(C))$. The reason is in the model: an event
of p touches only p's local state, and the buffer is a multiset to which events only add and from
which they remove their own message.

We need a protocol where something happens at once on several processes: `models/majority.py`
with N = 3 (everyone broadcasts its input and decides the majority of the first N−1 votes it
hears). From $I(011)$ let all three broadcast; at that configuration C, p1 can receive a 0 and p2
a 1.
"""),
code("""
Majority = load_protocol_class(str(MODELS / "majority.py"))
maj = Majority(processes=3)
mspace = explore(maj)
print(f"Majority, N=3: {len(mspace)} configurations, {mspace.num_events} events")

start = mspace.initial_id((0, 1, 1))
C = mspace.follow(start, [Event(0, None), Event(1, None), Event(2, None)])[-1]
print("C =", mspace.configuration(C))
# The buffer holds two copies of (p0, 1) (from p1 and p2), but they are one event:
events_at_C = [e for e, _ in mspace.successors(C)]
assert mspace.configuration(C).buffer.count((0, 1)) == 2 and events_at_C.count(Event(0, 1)) == 1

e1, e2 = Event(1, 0), Event(2, 1)
C1, C2 = mspace.successor(C, e1), mspace.successor(C, e2)
C12, C21 = mspace.successor(C1, e2), mspace.successor(C2, e1)
print(f"e2(e1(C)) = c{C12},  e1(e2(C)) = c{C21}")
assert C12 == C21                                  # the diamond closes in the explored graph ...
plain = mspace.configuration(C)                    # ... and with the plain semantics
one = apply_event(maj, apply_event(maj, plain, e1).config, e2).config
two = apply_event(maj, apply_event(maj, plain, e2).config, e1).config
assert one == two == mspace.configuration(C12)
"""),
code("""
import graphviz

mvalence = classify_valence(mspace)


def box(cid, name):
    conf = mspace.configuration(cid)
    votes = "  ".join(f"p{p}: {s.zeros}×0 {s.ones}×1" for p, s in enumerate(conf.states))
    return name, dict(label=f"{name} = c{cid}\\n{votes}\\n{len(conf.buffer)} messages in transit",
                      style="rounded,filled", shape="box",
                      fillcolor=PALETTE[mvalence.label(cid)], fontname="Helvetica", fontsize="10")


diamond = graphviz.Digraph("lemma1", graph_attr=dict(rankdir="TB", label="Lemma 1 at C (purple: bivalent)"))
for cid, name in ((C, "C"), (C1, "e1(C)"), (C2, "e2(C)"), (C12, "e2(e1(C)) = e1(e2(C))")):
    n, attrs = box(cid, name)
    diamond.node(n, **attrs)
diamond.edge("C", "e1(C)", label=f"e1 = {e1}")
diamond.edge("C", "e2(C)", label=f"e2 = {e2}")
diamond.edge("e1(C)", "e2(e1(C)) = e1(e2(C))", label="e2")
diamond.edge("e2(C)", "e2(e1(C)) = e1(e2(C))", label="e1")
diamond
"""),
md("""
The same holds for whole schedules on disjoint processes, and flpcheck checks Lemma 1 on every
such diamond of the explored graph with fresh calls of the protocol's `step`
(`flpcheck.analysis.lemma1.check_lemma1`): a model whose processes secretly share state (a global
variable, a class attribute) fails it, and `flpcheck witness` reports that as a model error
before anything else.
"""),
code("""
s1 = [Event(1, 0), Event(1, 1)]          # only p1 receives
s2 = [Event(2, 1), Event(2, 0)]          # only p2 receives
end12 = mspace.follow(C, s1 + s2)[-1]
end21 = mspace.follow(C, s2 + s1)[-1]
assert end12 == end21
print(f"s2(s1(C)) = s1(s2(C)) = c{end12}:", mspace.configuration(end12).outputs(maj))

result = check_lemma1(mspace, budget=10**6)
print(f"Lemma 1 checked on {result.checked:,} diamonds of Majority: holds = {result.holds}")
assert result.holds and result.checked > 20000
"""),
md("""
## What comes next

* Notebook 2: in a **synchronous** system consensus *is* solvable (FloodSet, f+1 rounds).
* Notebook 3: Paxos is safe in the asynchronous model, but may never decide.
* Notebook 4: the FLP proof on these graphs: valence, Lemma 2, Lemma 3 and the run that never decides.
* Notebook 5: write your own protocol and let flpcheck find what defeats it.
"""),
]

if __name__ == "__main__":
    print(build("01_flp_model", cells))
