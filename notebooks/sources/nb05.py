from common import SETUP, TABLE, build, code, hidden, md

cells = [
md("""
# 5 · Write your own protocol

flpcheck is a model checker: you write a consensus protocol as a small Python class, and it explores
**every** configuration and schedule of the FLP model and hands back what defeats your protocol,
the way the FLP proof would: a schedule that breaks agreement or validity, or a run in which
nobody ever decides.

**How to use this notebook.** Cells marked **✏️ edit here** are yours: each exercise starts
there from the broken protocol, for you to fix. Run the **✅ check** cell under it (never edit
those): it says whether your version is right. The notebook runs top to bottom as it is; the
check then says "not yet". Each exercise's solution is in a collapsed cell after its check
(click the "⋯" to show it); that cell checks the solution the same way. Keep N small (2 or 3):
the number of configurations grows quickly with N.
"""),
code(SETUP),
code("""
from typing import NamedTuple

from flpcheck import Protocol, explore
from flpcheck.errors import FLPCheckError
from flpcheck.analysis.explain import annotate
from flpcheck.analysis.properties import check_safety
from flpcheck import render
from flpcheck.analysis.lasso import check_run
from flpcheck.analysis import VERDICTS, verdict
"""),
code(TABLE),
md("""
## The rules of the model

* `processes = N` (the default; `MyProtocol(processes=3)` overrides it).
* `init(pid, x)` returns the initial local state of process `pid` with input `x` (0 or 1).
* `step(pid, state, msg)` is one atomic step: `msg` is a payload some process sent to `pid`, or
  `None` (the null step, always possible). Return `(new_state, sends)` with `sends` a list of
  `(destination, payload)`. `self.broadcast(payload)` sends to everyone, yourself included.
* `output(pid, state)` returns `None` while undecided, else the decision, 0 or 1. Once set it
  must not change.
* States and payloads must be **hashable and immutable**: ints, strings, tuples, NamedTuples,
  frozensets. `step` must depend only on its arguments: no globals, no randomness, no clock.
  flpcheck calls it more than once to check that.

Run the helper cell, then the template.
"""),
code("""
def fmt(proto, state, pid):
    \"\"\"A local state as flpcheck prints it everywhere: the protocol's format_state (by
    default repr).\"\"\"
    return proto.format_state(pid, state)


def show_schedule(space, schedule):
    \"\"\"A violating schedule, replayed step by step with the valence reached.\"\"\"
    start, steps = annotate(space, schedule)
    proto = space.protocol
    print(f"from I({''.join(map(str, schedule.inputs))}) ({start}):")
    rows = [(s.index, str(s.event), s.sends or "-", fmt(proto, s.state_after, s.event.pid),
             s.outputs, s.valence) for s in steps]
    display(table(["#", "event", "sends", "state after", "outputs", "valence"], rows))


def show_run(proto, run):
    \"\"\"A non-deciding lasso run: the stem, then the cycle repeated forever.\"\"\"
    configs = check_run(proto, run)            # replayed with your own code: must pass
    crashed = ", ".join(f"p{p}" for p in sorted(run.crashed)) or "nobody"
    print(f"from I({''.join(map(str, run.inputs))}); crashed: {crashed} "
          f"(after {run.crash_point} steps); the cycle repeats forever")
    rows = [(i, "stem" if i <= len(run.stem) else "cycle", str(e),
             " · ".join(fmt(proto, s, p) for p, s in enumerate(configs[i].states)))
            for i, e in enumerate(run.events, 1)]
    display(table(["#", "part", "event", "states after"], rows))


def check(proto, crashes=1, **bounds):
    \"\"\"Explore proto, print flpcheck's verdict and its evidence; return (space, verdict).\"\"\"
    space = explore(proto, **bounds)
    v = verdict(space, crashes=crashes)
    print(f"{type(proto).__name__}, N={proto.processes}: {len(space):,} configurations"
          f"{'' if space.complete else ' (cut by a bound)'}; verdict: {v.verdict}")
    print("   ", v.detail)
    if v.evidence is not None and v.evidence.schedule is not None:
        show_schedule(space, v.evidence.schedule)
    elif v.run is not None:
        show_run(proto, v.run)
    return space, v
"""),
md("""
## The template

Everyone broadcasts its input and decides the first vote it receives. **✏️ edit here** to try your
own ideas: the cell after it runs flpcheck on whatever `MyProtocol` is.
"""),
code("""
# ✏️ edit here
class State(NamedTuple):
    x: int                  # my input
    sent: bool = False      # have I broadcast it yet?
    y: int | None = None    # my decision (write-once)


class MyProtocol(Protocol):
    \"\"\"Broadcast your input; decide the first vote you receive.\"\"\"

    processes = 2

    def init(self, pid, x):
        return State(x)

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends = self.broadcast(state.x)
            state = state._replace(sent=True)
        if msg is not None and state.y is None:
            state = state._replace(y=msg)
        return state, sends

    def output(self, pid, state):
        return state.y
"""),
code("""
space, v = check(MyProtocol())
assert v.verdict in VERDICTS
assert v.verdict == "agreement-violated"   # true for the template as shipped: delete once you edit it
"""),
md("""
flpcheck found the **shortest** schedule to two different decisions: each process hears its own
vote first. The same schedule as a picture (bold: the schedule; thin: the other events at each
configuration; colours: valence):
"""),
code("""
render(space, "witness")
"""),
md("""
If your model is wrong rather than your protocol (a mutable state, a `step` that is not a
function of its arguments, a bad destination...), flpcheck stops with one message that names the
process, the state and the event. For instance a list as a state:
"""),
code("""
class ListState(Protocol):
    processes = 2

    def init(self, pid, x):
        return [x]                        # a list: mutable, not allowed

    def step(self, pid, state, msg):
        return state, []

    def output(self, pid, state):
        return None


try:
    explore(ListState())
except FLPCheckError as err:
    print(f"{type(err).__name__}: {err}")
else:
    raise AssertionError("a list state was accepted")
"""),
md("""
---
## Exercise 1 · Validity

A tempting misreading of "reach consensus": decide **1** when the votes are unanimous ("we agree")
and 0 otherwise. flpcheck shows what is wrong with it:
"""),
code("""
class Votes(NamedTuple):
    x: int
    sent: bool = False
    votes: tuple = ()       # the votes received so far, sorted
    y: int | None = None


class UnanimityFlag(Protocol):
    \"\"\"Broadcast your input; once all N votes are in, decide 1 if they are unanimous, else 0.\"\"\"

    processes = 2

    def init(self, pid, x):
        return Votes(x)

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends, state = self.broadcast(state.x), state._replace(sent=True)
        if msg is not None and state.y is None:
            votes = tuple(sorted(state.votes + (msg,)))
            state = state._replace(votes=votes)
            if len(votes) == self.processes:
                state = state._replace(y=1 if len(set(votes)) == 1 else 0)
        return state, sends

    def output(self, pid, state):
        return state.y


_, v = check(UnanimityFlag())
assert v.verdict == "validity-violated"
"""),
md("""
**Your task:** change the decision rule so that agreement, validity and non-triviality all hold
(with N = 2 and with N = 3). ✏️ Edit `Exercise1` below: it starts as `UnanimityFlag`'s rule.
"""),
code("""
# ✏️ edit here
class Exercise1(UnanimityFlag):
    \"\"\"Once all N votes are in, decide ... (your rule).\"\"\"

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends, state = self.broadcast(state.x), state._replace(sent=True)
        if msg is not None and state.y is None:
            votes = tuple(sorted(state.votes + (msg,)))
            state = state._replace(votes=votes)
            if len(votes) == self.processes:
                state = state._replace(y=1 if len(set(votes)) == 1 else 0)   # fix this rule
        return state, sends
"""),
code("""
# ✅ check (do not edit)
def exercise1_holds(cls):
    \"\"\"Agreement, validity and non-triviality of cls with N = 2 and N = 3 (printed).\"\"\"
    ok = True
    for n in (2, 3):
        for r in check_safety(explore(cls(processes=n))):
            print(f"N={n} {r.name:14} {'holds' if r.holds else 'VIOLATED'}: {r.detail}")
            ok = ok and r.holds
    return ok


print("Exercise 1 solved." if exercise1_holds(Exercise1) else
      "Not yet: see above (the solution is in the collapsed cell below).")
"""),
md("""
One solution (collapsed: click to show it), checked by the same function:
"""),
hidden("""
# solution
class Exercise1Solution(UnanimityFlag):
    \"\"\"Once all N votes are in, decide the common vote if they are unanimous, else 0.\"\"\"

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends, state = self.broadcast(state.x), state._replace(sent=True)
        if msg is not None and state.y is None:
            votes = tuple(sorted(state.votes + (msg,)))
            state = state._replace(votes=votes)
            if len(votes) == self.processes:
                state = state._replace(y=votes[0] if len(set(votes)) == 1 else 0)
        return state, sends


assert exercise1_holds(Exercise1Solution)
"""),
md("""
---
## Exercise 2 · Agreement

`models/majority.py`'s idea: to survive one crash, don't wait for all N votes; decide the majority
of the first N−1 you hear (a tie decides 0). With N = 3 flpcheck finds two processes that heard
different pairs of votes:
"""),
code("""
class Tally(NamedTuple):
    x: int
    sent: bool = False
    zeros: int = 0
    ones: int = 0
    y: int | None = None


class FirstNMinus1(Protocol):
    \"\"\"Broadcast your input; decide the majority of the first N-1 votes heard (tie: 0).\"\"\"

    processes = 3

    def init(self, pid, x):
        return Tally(x)

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends, state = self.broadcast(state.x), state._replace(sent=True)
        if msg is not None and state.y is None:
            state = state._replace(zeros=state.zeros + (msg == 0), ones=state.ones + (msg == 1))
            if state.zeros + state.ones == self.processes - 1:
                state = state._replace(y=int(state.ones > state.zeros))
        return state, sends

    def output(self, pid, state):
        return state.y


_, v = check(FirstNMinus1())
assert v.verdict == "agreement-violated"
"""),
md("""
**Your task:** make agreement hold (keeping validity and non-triviality) for N = 3.
✏️ Edit `Exercise2`: it starts as `FirstNMinus1`'s rule. The check also prints what flpcheck
says about your fix with one crash.
"""),
code("""
# ✏️ edit here
class Exercise2(FirstNMinus1):
    \"\"\"Decide the majority of ... (your rule).\"\"\"

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends, state = self.broadcast(state.x), state._replace(sent=True)
        if msg is not None and state.y is None:
            state = state._replace(zeros=state.zeros + (msg == 0), ones=state.ones + (msg == 1))
            if state.zeros + state.ones == self.processes - 1:                # fix this rule
                state = state._replace(y=int(state.ones > state.zeros))
        return state, sends
"""),
code("""
# ✅ check (do not edit)
def exercise2_holds(cls):
    \"\"\"Agreement, validity and non-triviality of cls with N = 3; flpcheck's verdict.\"\"\"
    _, v = check(cls(processes=3))
    for r in v.properties:
        print(f"{r.name:14} {'holds' if r.holds else 'VIOLATED'}: {r.detail}")
    return all(r.holds for r in v.properties)


print("Exercise 2 solved: agreement, validity and non-triviality hold."
      if exercise2_holds(Exercise2) else
      "Not yet: see above (the solution is in the collapsed cell below).")
"""),
md("""
One solution (collapsed: click to show it), checked by the same function:
"""),
hidden("""
# solution
class Exercise2Solution(FirstNMinus1):
    \"\"\"Wait for all N votes, then decide their majority (tie: 0).\"\"\"

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends, state = self.broadcast(state.x), state._replace(sent=True)
        if msg is not None and state.y is None:
            state = state._replace(zeros=state.zeros + (msg == 0), ones=state.ones + (msg == 1))
            if state.zeros + state.ones == self.processes:
                state = state._replace(y=int(state.ones > state.zeros))
        return state, sends


assert exercise2_holds(Exercise2Solution)
"""),
md("""
With all the votes awaited, flpcheck's verdict is `not-crash-tolerant`: one crashed process
and the others wait for its vote forever. That is the price of agreement, and FLP says it cannot be
avoided, which is the last exercise.

"""),
md("""
## Exercise 3 · Beat FLP (you can't)

Wanted: a protocol that is safe (agreement, validity, non-triviality) **and** has no run with at
most one crash in which nobody decides. The FLP theorem says there is none.

A good attempt: decide early when the first N−1 votes agree (they are then a majority of N),
and wait for the last vote only when they are split. It is safe, and it survives *some* crashes:
"""),
code("""
class EarlyIfUnanimous(FirstNMinus1):
    \"\"\"Decide as soon as the first N-1 votes agree; if they don't, wait for all N (majority).\"\"\"

    def step(self, pid, state, msg):
        sends = []
        if not state.sent:
            sends, state = self.broadcast(state.x), state._replace(sent=True)
        if msg is not None and state.y is None:
            state = state._replace(zeros=state.zeros + (msg == 0), ones=state.ones + (msg == 1))
            heard, n = state.zeros + state.ones, self.processes
            if heard == n - 1 and (state.zeros == 0 or state.ones == 0):
                state = state._replace(y=int(state.ones > 0))        # N-1 equal votes: a majority
            elif heard == n:
                state = state._replace(y=int(state.ones > state.zeros))
        return state, sends


_, v = check(EarlyIfUnanimous())
assert all(r.holds for r in v.properties)                   # safe ...
assert v.verdict == "not-crash-tolerant"                    # ... but one crash blocks it:
assert v.run.inputs == (0, 0, 1) and v.run.crashed == {0} and v.run.crash_point == 0
"""),
md("""
With inputs 001, if p0 crashes before sending, p1 and p2 hear one 0 and one 1, a split, and wait
for the third vote forever. Deciding on a split instead (0, as `FirstNMinus1` does) brings back
the agreement violation of Exercise 2: another process may hear the other two votes, 1 and 1.
Wait for a process that may have crashed, or decide without it and risk disagreeing with it:
that is FLP's dilemma, and every protocol is caught on one of its horns.

**Your turn:** ✏️ edit `Exercise3` with any protocol you like (keep N small, and pass bounds to
`check` if your protocol can send without end, e.g. `check(proto3, max_configs=200_000)`). The
check cell asserts what FLP predicts: whatever you write, flpcheck hands back a safety violation
with its schedule, or a run in which nobody decides, replayed with your own code. This exercise
has no solution (that is the theorem); the cell starts with one more attempt, which waits on a
split, but only for one null step, then decides 0.
"""),
code("""
# ✏️ edit here
class Exercise3(EarlyIfUnanimous):
    \"\"\"Like EarlyIfUnanimous, but on a split give the last vote one null step to arrive,
    then decide 0.\"\"\"

    def step(self, pid, state, msg):
        new, sends = super().step(pid, state, msg)
        split = new.y is None and new.zeros + new.ones == self.processes - 1
        if msg is None and split and new.zeros and new.ones:    # a null step while split
            new = new._replace(y=0)
        return new, sends
"""),
code("""
# ✅ check (do not edit)
proto3 = Exercise3()
space3, v3 = check(proto3, crashes=1)
assert v3.verdict != "none-found", "flpcheck found nothing: was the exploration cut by a bound?"
if v3.verdict in ("agreement-violated", "validity-violated"):
    assert v3.evidence.schedule is not None          # the schedule to the violation
elif v3.verdict == "trivial":
    pass                                              # one value is never decided
else:                                                 # a run in which nobody ever decides
    configs = check_run(proto3, v3.run, crashes=1)   # replayed with your code
    assert not any(c.decisions(proto3) for c in configs)
print(f"As FLP predicts: {v3.verdict}.")
"""),
md("""
A null step is no timeout: in the asynchronous model the last vote may arrive right after it, so
the shipped attempt is back on the agreement horn.

Where next: Paxos (notebook 3) gives up on *always* deciding to keep safety unconditionally, and
decides as soon as the system behaves for long enough.
"""),
]

if __name__ == "__main__":
    print(build("05_write_your_own", cells))
