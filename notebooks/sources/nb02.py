from common import SETUP, TABLE, build, code, md

cells = [
md("""
# 2 · Consensus in synchronous systems: FloodSet

*Consensus with crash failures in lock-step rounds: FloodSet, and why f+1 rounds are needed
(the model of Aguilera and Toueg, "A simple bivalency proof that t-resilient consensus requires
t+1 rounds", IPL 71, 1999).*

In a **synchronous** system messages arrive within a known bound and processes step at known
speeds, so processes can work in lock-step **rounds**; a process that sends nothing in a round has
*crashed* (a timeout tells). Processes fail by crash-stop, at most f of them. The
algorithm, FloodSet:

```
Values_i^1 = {v_i}
for round = 1 to f+1:
    multicast (Values_i^r - Values_i^(r-1))
    Values_i^(r+1) = Values_i^r ∪ every V_j received
d_i = minimum(Values_i^(f+2))
```

**Claim 1.** After f+1 rounds all non-faulty processes hold the same set, so they decide the same value.
**Claim 2.** With only f rounds that fails: a *chain of crashes* can hide a value from all but one process.

This notebook checks both claims exhaustively with `flpcheck.sync`, over **every** crash pattern
with at most f crashes, and draws the chain of crashes round by round.
"""),
code(SETUP),
code("""
import inspect

import graphviz

from flpcheck.sync import Crash, check_rounds, count_crash_patterns, replay
from flpcheck.model.loader import load_round_protocol_class
"""),
code(TABLE),
md("""
## The model

`models/floodset.py` is a `flpcheck.RoundProtocol`: `init(pid, x)`, `send(pid, round, state)` (the
messages of one round), `receive(pid, round, state, inbox)` (the new state, given what arrived) and
`output(pid, state)`. It floods the whole set each round rather than only the new values; the
decisions are the same (see its docstring), and it keeps the state small.
"""),
code("""
FloodSet = load_round_protocol_class(str(MODELS / "floodset.py"))
print(inspect.getsource(FloodSet))
"""),
md("""
**The failure model** (Aguilera and Toueg): in round r every live process sends, then receives what
was sent to it this round, then updates its state. A process that crashes in round r stops *in the
middle of its sends*: any subset of its round-r messages gets through, and it takes no further step.
The adversary chooses who crashes, in which round, and which messages of the crashing process
arrive. With N = 3, 2 rounds and at most one crash there are 25 such patterns: no crash, or one of
3 processes crashes in one of 2 rounds after reaching any of the $2^2$ subsets of the others.
"""),
code("""
assert count_crash_patterns(3, 2, 1) == 1 + 3 * 2 * 2 ** 2 == 25
print("crash patterns, N=3, R=2, f=1:", count_crash_patterns(3, 2, 1))
"""),
md("""
## One execution, round by round

`flpcheck.sync.replay` runs the protocol under a given crash pattern by calling the model
directly. Inputs 011, and p0 crashes in round 1 after its message reached p1 only:
"""),
code("""
def show(execution, protocol):
    \"\"\"One row per round: who crashed, and every process's set of values (decision after y=).\"\"\"
    n = len(execution.inputs)
    cell = lambda p, s, y: "-" if s is None else protocol.format_state(p, s) + ("" if y is None else f" y={y}")
    rows = [("0 (start)", "-", *(cell(p, s, None) for p, s in enumerate(execution.initial_states)))]
    for rec in execution.records:
        rows.append((rec.round, ", ".join(f"p{p}" for p in rec.crashed) or "-",
                     *(cell(p, s, y) for p, (s, y) in enumerate(zip(rec.states, rec.outputs)))))
    return table(["round", "crashes", *(f"p{p}" for p in range(n))], rows)


fs = FloodSet(processes=3, rounds=2)          # f = 1, so f + 1 = 2 rounds
run = replay(fs, (0, 1, 1), [Crash(0, 1, delivered_to=(1,))])
print(run.describe())
display(show(run, fs))
assert run.live == (False, True, True) and run.outputs == (None, 0, 0)   # p1 relayed the 0 in round 2
"""),
md("""
p0's 0 reached only p1 in round 1, but p1 is alive in round 2 and passes it on: both survivors
decide 0. To hide the 0 from p2 the adversary would need p1 to crash too, a second crash.

## Claim 1: f+1 rounds suffice, for every crash pattern

`check_rounds` explores every input vector under every crash pattern with at most f crashes and
checks, on the processes alive after the last round, **agreement**, **validity** and
**termination** (everyone decided). It explores the round graph layer by layer with identical
global states merged, so even millions of executions take well under a second.
"""),
code("""
rows = []
for n, f in [(3, 1), (4, 2), (5, 3)]:
    check = check_rounds(FloodSet(processes=n, rounds=f + 1), crashes=f)
    rows.append((n, f, f + 1, f"{check.executions:,}", check.crash_patterns,
                 *("holds" if v.holds else "VIOLATED" for v in check.verdicts)))
    assert all(v.holds for v in check.verdicts), (n, f)
    # every execution is an input vector under a crash pattern
    assert check.executions == 2 ** n * count_crash_patterns(n, f + 1, f)
table(["N", "f", "rounds", "executions", "crash patterns", "agreement", "validity", "termination"], rows)
"""),
md("""
## Claim 2: f rounds do not suffice: the chain of crashes

Now run FloodSet for only f rounds. With N = 4 and f = 2 (so N ≥ f + 2, and two processes survive):
"""),
code("""
short = FloodSet(processes=4, rounds=2)           # f = 2 crashes, only f = 2 rounds
check = check_rounds(short, crashes=2)
for v in check.verdicts:
    print(f"{v.name:12} {'' if v.holds else 'VIOLATED: '}{v.detail}")

assert not check.agreement.holds and check.validity.holds and check.termination.holds
cex = check.agreement.counterexample
print()
print("counterexample:", cex.describe())
# The chain of crashes (numbering from 0): p0 alone holds the odd value 0; in round r process
# p(r-1) crashes after sending only to p(r).
assert cex.inputs == (0, 1, 1, 1)
assert cex.crashes == (Crash(0, 1, (1,)), Crash(1, 2, (2,)))
assert cex.live == (False, False, True, True) and cex.outputs[2:] == (0, 1)
show(cex, short)
"""),
md("""
The picture of the same execution: one column per round, one row per process. Only the messages
that carry the 0 are drawn: bold where they got through, dashed where the crash swallowed them.
Blue: the process knows the 0; orange: it has seen only 1s.
The 0 travels along the chain p0 → p1 → p2, one crash per round, and reaches p2 in the *last*
round, too late for p2 to pass it on. p3 never sees it.
"""),
code("""
def chain_picture(execution, protocol, value=0):
    n, rounds = len(execution.inputs), len(execution.records)
    g = graphviz.Digraph("rounds", graph_attr=dict(rankdir="LR", nodesep="0.3", ranksep="1.1",
                         label=execution.describe(), labelloc="t", fontname="Helvetica"))
    g.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10")
    g.attr("edge", fontname="Helvetica", fontsize="9")
    states = [execution.initial_states] + [rec.states for rec in execution.records]
    outputs = [execution.initial_outputs] + [rec.outputs for rec in execution.records]
    crashed_in = {c.pid: c.round for c in execution.crashes}
    for r in range(rounds + 1):
        with g.subgraph(name=f"cluster_r{r}") as s:
            s.attr(label="start" if r == 0 else f"after round {r}", color="#cccccc")
            for p in range(n):
                s_, y = states[r][p], outputs[r][p]
                if s_ is None:
                    label, fill = f"p{p}: crashed in round {crashed_in[p]}", "#eeeeee"
                else:
                    label = f"p{p}: {protocol.format_state(p, s_)}" + ("" if y is None else f"\\ndecides {y}")
                    fill = "#56B4E9" if value in s_.values else "#E69F00"
                s.node(f"p{p}r{r}", label, fillcolor=fill)
    for p in range(n):                                   # keep each process on its own row
        for r in range(rounds):
            g.edge(f"p{p}r{r}", f"p{p}r{r + 1}", style="invis", weight="10")
    for rec in execution.records:
        for m in rec.messages:
            if m.src != m.dst and value in m.payload:
                a, b = f"p{m.src}r{rec.round - 1}", f"p{m.dst}r{rec.round}"
                if m.delivered:
                    g.edge(a, b, label=f"round {rec.round}", penwidth="2.5", color="#0072B2")
                elif states[rec.round - 1][m.dst] is not None:     # lost, to a process still up
                    g.edge(a, b, style="dashed", color="#D55E00", constraint="false")
    return g


chain_picture(cex, short)
"""),
md("""
Why it cannot happen with one more round: if a live process $p_i$ holds v at
the end but a live $p_j$ does not, then $p_i$ got v only in the last round (else it would have sent
it to $p_j$), from a process that crashed in that round; that one got v in the round before from a
process that crashed then; and so on back to round 1: one crash per round, f+1 crashes, more than f.

Give the same adversary a third round and p2 relays the 0 to p3:
"""),
code("""
longer = FloodSet(processes=4, rounds=3)
run = replay(longer, (0, 1, 1, 1), [Crash(0, 1, (1,)), Crash(1, 2, (2,))])
display(show(run, longer))
assert run.outputs[2:] == (0, 0)   # agreement: the chain would need a third crash
"""),
md("""
Two more facts worth checking:

* With N = f + 1, f rounds are enough for *agreement*: after f crashes only one process is left.
* f rounds fail for every f ≥ 1 once N ≥ f + 2, and the counterexample is always the chain.
"""),
code("""
for f in (1, 2):
    assert check_rounds(FloodSet(processes=f + 1, rounds=f), crashes=f).agreement.holds

rows = []
for n, f in [(3, 1), (4, 2), (5, 3)]:
    check = check_rounds(FloodSet(processes=n, rounds=f), crashes=f)
    cex = check.agreement.counterexample
    assert not check.agreement.holds
    assert cex.crashes == tuple(Crash(r - 1, r, (r,)) for r in range(1, f + 1))   # the chain
    rows.append((n, f, f"{check.agreement.violations:,} of {check.executions:,}", cex.describe()))
table(["N", "f = rounds", "executions violating agreement", "canonical counterexample"], rows)
"""),
md("""
## Why this does not contradict FLP

FloodSet relies on the round structure: at the end of a round a process *knows* that a process
it heard nothing from has crashed. In an asynchronous system (notebooks 1 and 4) a silent process
may just be slow: it cannot be told apart from a crashed one, and that is exactly the hole the FLP
proof drives its never-deciding run through.
"""),
]

if __name__ == "__main__":
    print(build("02_synchronous_floodset", cells))
