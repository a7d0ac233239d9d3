from common import SETUP, TABLE, build, code, md

cells = [
md("""
# 4 · The FLP proof, on a protocol

*The proof of Fischer, Lynch and Paterson (JACM 1985), Lemmas 1 to 3 and the theorem, run on
small protocols.*

FLP (Fischer, Lynch, Paterson 1985): in the asynchronous model, **no** consensus protocol that
tolerates the crash of one process always decides. The proof needs one idea and two lemmas:

* **Valence.** For a configuration C let V(C) be the decision values of the configurations
  reachable from C. C is **bivalent** when V(C) = {0, 1} (the outcome is still open), 0-valent or
  1-valent when only one value is left.
* **Lemma 2.** Some initial configuration is bivalent.
* **Lemma 3.** From a bivalent C, for any event e applicable at C, some configuration reachable
  by applying e last is bivalent, so e can be *delayed* without ever making the outcome certain.
* **Theorem.** An adversary that applies Lemma 3 forever, serving every process and every message
  in turn, builds a fair run in which every configuration is bivalent: nobody ever decides.

On a finite configuration graph every step of this proof is a search, and flpcheck runs each one.
This notebook follows the proof on two small protocols from `models/`:

* `flip_flop.py` (N = 2): each process sends its preference, adopts the other's if it differs,
  and decides when its own preference comes back to it;
* `wait_for_all.py` (N = 3): broadcast the input, wait for all N votes, decide their majority.
"""),
code(SETUP),
code("""
import inspect
from collections import deque

from flpcheck import Event, classify_valence, explore
from flpcheck.model.loader import load_protocol, load_protocol_class
from flpcheck import render
from flpcheck.analysis.lasso import check_run
from flpcheck.analysis.stages import check_staged_run, staged_adversary
from flpcheck.analysis import VERDICTS, lemma2, verdict
"""),
code(TABLE),
code("""
FlipFlop = load_protocol_class(str(MODELS / "flip_flop.py"))
print(inspect.getsource(FlipFlop))
flip = FlipFlop(processes=2)
space = explore(flip)
valence = classify_valence(space)
print(f"{len(space)} configurations, {space.num_events} events; valence: {valence.counts()}")
"""),
md("""
## Valence

flpcheck computes valence by two backward passes from the decided configurations (one per value):
linear in the size of the graph. On a graph this small we can check that against the
definition directly: search forward from every configuration and collect the decisions.
"""),
code("""
def reachable(space, start):
    \"\"\"Every configuration reachable from start (start included), by breadth-first search.\"\"\"
    seen, queue = {start}, deque([start])
    while queue:
        for _, d in space.successors(queue.popleft()):
            if d not in seen:
                seen.add(d)
                queue.append(d)
    return seen


for cid in range(len(space)):
    V = set().union(*(space.decisions(c) for c in reachable(space, cid)))
    assert valence.values(cid) == V, cid             # the definition, configuration by configuration

assert valence.counts()["none"] == 0                # from everywhere some decision is reachable
rows = [("".join(map(str, x)), f"c{cid}", valence.label(cid)) for x, cid in space.initial]
table(["inputs", "configuration", "valence"], rows)
"""),
md("""
**The bivalence graph**: every configuration and event, coloured by valence (purple bivalent,
blue 0-valent, orange 1-valent; thick border: initial; double border: decided). The bivalent configurations form a core in the middle: the run FLP builds will
never leave it.
"""),
code("""
render(space, "full")
"""),
md("""
## Lemma 2: some initial configuration is bivalent

The proof lines the initial configurations up in a chain $I_0 = 0\\dots0, I_1 = 10\\dots0, \\dots,
I_N = 1\\dots1$, in which neighbours differ in the input of one process. $I_0$ is 0-valent and
$I_N$ 1-valent (validity). If no $I_k$ were bivalent, some neighbours $I_k$ (0-valent) and
$I_{k+1}$ (1-valent) would differ only in process p's input. Now let p crash before its first step:
nobody else can tell the two apart, so the same run decides the same value from both, which is
impossible. Unless, of course, with p silent **no** run decides: then the protocol does not
tolerate one crash.

`flpcheck.analysis.lemma2` carries that out. For FlipFlop the chain contains a bivalent member:
"""),
code("""
l2 = lemma2(space)
print(l2.detail)
print("chain:", [("".join(map(str, x)), v) for x, v in l2.chain])
assert l2.bivalent == (1, 0)
"""),
md("""
WaitForAll is the other case: each of its initial configurations is univalent (the inputs fix
the majority). So the chain must contain a 0-valent and a 1-valent neighbour, and Lemma 2's
argument turns into a run: the process where they differ is dead from the start, and the others
wait forever for its vote.
"""),
code("""
WaitForAll = load_protocol_class(str(MODELS / "wait_for_all.py"))
wfa = WaitForAll(processes=3)
wspace = explore(wfa)
wl2 = lemma2(wspace)
print(wl2.detail)
assert wl2.bivalent is None and wl2.pair == ((1, 0, 0), (1, 1, 0)) and wl2.process == 1
assert wl2.run.crashed == {1} and wl2.run.crash_point == 0      # p1 dead from the start
check_run(wfa, wl2.run, crashes=1)                              # replayed: fair, nobody decides
render(wspace, "initial")
"""),
md("""
The bold edge is Lemma 2's pair: $I(100)$ is 0-valent, $I(110)$ is 1-valent, and they differ only in
p1's input.

## Lemma 3: a bivalent configuration stays bivalent after any event, delayed long enough

Take a bivalent C and an event $e = (p, m)$ applicable at C. Let 𝒞 be the configurations reachable
from C **without** applying e, and $D = e(𝒞)$. Lemma 3: D contains a bivalent configuration.
(The proof by contradiction finds neighbours $C_0$, $C_1 = e'(C_0)$ in 𝒞 with $e(C_0)$ 0-valent and
$e(C_1)$ 1-valent. If $e'$ is an event of another process, Lemma 1 closes a diamond and
$e(C_1) = e'(e(C_0))$ would be 0-valent too. If it is a step of p itself, a deciding run without p
from $C_0$ makes a configuration bivalent that cannot be. Either way a contradiction.)

One stage drawn, at $C = I(01)$ with $e$ = p0's null step (its first step, which sends its
preference). The vermillion edges apply e; the cluster on the right is D.
"""),
code("""
def lemma3_sets(space, C, e):
    \"\"\"(𝒞, D): configurations reachable from C without applying e, and e applied to them.\"\"\"
    seen, queue, D = {C}, deque([C]), set()
    while queue:
        for ev, d in space.successors(queue.popleft()):
            if ev == e:
                D.add(d)
            elif d not in seen:
                seen.add(d)
                queue.append(d)
    return seen, D


C, e = space.initial_id((0, 1)), Event(0, None)
calC, D = lemma3_sets(space, C, e)
print(f"C = c{C} is {valence.label(C)}; |𝒞| = {len(calC)}; D = e(𝒞):",
      {f"c{d}": valence.label(d) for d in sorted(D)})
assert valence.label(C) == "bivalent" and any(valence.label(d) == "bivalent" for d in D)

# and Lemma 3 holds at every bivalent configuration of FlipFlop, for every applicable event:
pairs = [(c, ev) for c in range(len(space)) if valence.label(c) == "bivalent"
         for ev, _ in space.successors(c)]
assert all(any(valence.label(d) == "bivalent" for d in lemma3_sets(space, c, ev)[1]) for c, ev in pairs)
print(f"Lemma 3 checked for all {len(pairs)} (bivalent C, event e) pairs")
render(space, "lemma3", config=C, event=e)
"""),
md("""
## The theorem: a run that stays bivalent forever

The adversary (`flpcheck.analysis.adversary_run`): from a bivalent initial
configuration, keep a round-robin queue of processes. For the process p at its head take
$e = (p, m)$ with m p's **oldest** pending message (or null if none); search for the shortest σ that
avoids e such that $e(σ(C))$ is bivalent (Lemma 3 says it exists); extend the run by σ·e and rotate
the queue. Every process steps and every message is eventually delivered, so the run is
**admissible, with no crash at all**. On a finite graph the adversary's state repeats, which
closes the run into a lasso (a stem, then a cycle repeated forever).

`verdict(space, crashes=0)` asks: what defeats this protocol if no process may crash?
"""),
code("""
v = verdict(space, crashes=0)
print(v.verdict, "-", v.detail)
assert v.verdict == "forever-bivalent"

adv, run = v.adversary, v.run
rows = []
for i, s in enumerate(adv.stages):
    rows.append((i, f"p{s.process}", str(s.event), ", ".join(map(str, s.sigma)) or "(empty)",
                 f"c{s.end} {valence.label(s.end)}", s.queue))
    assert valence.label(s.end) == "bivalent"
display(table(["stage", "serves", "e", "σ (avoids e)", "reaches", "queue"], rows))

configs = check_run(flip, run, crashes=0)     # replayed with the protocol's own code
assert not run.crashed and {e.pid for e in run.cycle} == {0, 1}
assert all(valence.label(c) == "bivalent" for c in run.path)
print("stem: ", ", ".join(map(str, run.stem)))
print("cycle:", ", ".join(map(str, run.cycle)), " (forever)")
"""),
md("""
The cycle is the classic swap: each process receives the other's *old* preference just after
changing its own, adopts it, and sends it; nobody ever hears its own preference come back. Drawn
with every other event of the run's configurations (thin edges), coloured by where they lead:
several of them would make the outcome certain (blue, orange). The adversary never takes them.
"""),
code("""
render(space, "witness", run=run.path, cycle_start=len(run.stem), events=run.events)
"""),
md("""
## Why flpcheck's answer for FlipFlop is not that run: the order of verdicts

With FLP's crash budget (t = 1), `verdict` gives the **first** of these that applies:
"""),
code("""
print(" > ".join(VERDICTS))
v1 = verdict(space, crashes=1)
print(f"\\nFlipFlop, t = 1: {v1.verdict} - {v1.detail}")
print("run:", v1.run)
assert v1.verdict == "not-crash-tolerant" and v1.run.crashed == {0}
"""),
md("""
The theorem's run is needed only for protocols that *do* tolerate one crash: for those, a crash
cannot stop them, so the adversary must keep them undecided without one. A protocol in which one
crash already blocks every decision is defeated more simply, and that is the answer flpcheck gives
first: safety violations (a wrong answer) before non-deciding runs, and among non-deciding runs
the one without a crash ("blocks-without-crash"), then the one-crash run, then the forever-bivalent
one. FlipFlop with two processes cannot be crash tolerant (its docstring proves that no N = 2
protocol can), so the forever-bivalent run shows up only when crashes are ruled out.

WaitForAll is defeated the same way: p0 crashes before its first step, and p1 and p2, having
exchanged their own votes, take null steps forever waiting for p0's vote.
"""),
code("""
wv = verdict(wspace, crashes=1)
print(wv.verdict, "-", wv.detail)
assert wv.verdict == "not-crash-tolerant"
wrun = wv.run
assert wrun.crashed == {0} and wrun.crash_point == 0
wconfigs = check_run(wfa, wrun, crashes=1)
rows = [(i, "stem" if i <= len(wrun.stem) else "cycle", str(ev),
         " | ".join(f"{s.zeros}×0 {s.ones}×1" for s in wconfigs[i].states))
        for i, ev in enumerate(wrun.events, 1)]
display(table(["step", "part", "event", "votes counted by p0 | p1 | p2"], rows))
assert all(wfa.output(p, s) is None for c in wconfigs for p, s in enumerate(c.states))
render(wspace, "witness", run=wrun.path, cycle_start=len(wrun.stem), events=wrun.events,
             title="p0 crashed from the start")
"""),
md("""
Without crashes WaitForAll always decides: every vote arrives eventually, and every initial
configuration is univalent, so there is no bivalent configuration to start an adversary from:
flpcheck finds nothing (`none-found`). Consensus without failures is easy; FLP is about one crash.
The verdicts of the small models in `models/` under both budgets (Paxos has notebook 3):
"""),
code("""
expected = {  # model: (verdict with t = 0, verdict with t = 1)
    "leader_broadcast": ("none-found", "not-crash-tolerant"),
    "wait_for_all": ("none-found", "not-crash-tolerant"),
    "flip_flop": ("forever-bivalent", "not-crash-tolerant"),
    "majority": ("agreement-violated", "agreement-violated"),
    "always_zero": ("validity-violated", "validity-violated"),
    "decide_own_input": ("agreement-violated", "agreement-violated"),
    "two_phase_commit": ("none-found", "not-crash-tolerant"),
}
rows = []
for name, want in expected.items():
    s = explore(load_protocol(str(MODELS / f"{name}.py")))
    got = tuple(verdict(s, crashes=t).verdict for t in (0, 1))
    rows.append((name, s.n, len(s), *got))
    assert got == want, (name, got)
table(["model", "N", "configurations", "verdict, t = 0", "verdict, t = 1"], rows)
"""),
md("""
## The adversary without the whole graph

For a protocol too large (or infinite) to explore, `flpcheck.analysis.stages.staged_adversary(protocol, k)`
(the CLI's `flpcheck witness --stages k`) builds the first k stages of the same run on demand.
Each stage's end is *certified* bivalent by two explicit finite continuations, one deciding 0 and
one deciding 1; `check_staged_run` replays them all with the protocol's own code.
"""),
code("""
staged = staged_adversary(flip, 6)
assert not staged.failure and len(staged.stages) == 6
check_staged_run(flip, staged)
rows = [(i, f"p{s.process}", str(s.event), ", ".join(map(str, s.sigma)) or "(empty)",
         ", ".join(map(str, s.certificates[0])), ", ".join(map(str, s.certificates[1])))
        for i, s in enumerate(staged.stages)]
print("from I(" + "".join(map(str, staged.inputs)) + ")")
table(["stage", "serves", "e", "σ", "then 0 is decided after", "and 1 after"], rows)
"""),
md("""
Every stage ends in a configuration from which both decisions are still one short schedule away,
and yet the adversary's next choice keeps it so. That is the whole FLP theorem: an asynchronous
system cannot tell a slow process from a crashed one, so a protocol that waits for it may wait
forever, and a protocol that does not wait can be kept from deciding by a schedule that is
perfectly fair.
"""),
]

if __name__ == "__main__":
    print(build("04_flp_proof", cells))
