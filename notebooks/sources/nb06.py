from common import SETUP, TABLE, build, code, md

cells = [
md("""
# 6 · Coins: Ben-Or against FLP's adversary

*Ben-Or, "Another advantage of free choice", PODC 1983.*

FLP's adversary needs one thing: to know what every step does. Ben-Or takes it away with a
coin. FLP still applies (every outcome of every coin is a possible step, so the run that stays
undecided exists), and yet the protocol decides **with probability 1** against every fair
scheduler: the adversary's run needs the coins to fall its way, again and again.

This notebook runs FLP's adversary against `models/ben_or.py` (N = 3, at most f = 1 crash, a
round cap R = 3, from the mixed inputs 001 only, so that it runs in seconds), computes the
adversary's exact probability of deciding within R rounds, draws the termination curve, and
contrasts `models/ben_or_coinless.py`, where the coin is replaced by "keep your value".
"""),
code(SETUP),
code(TABLE),
code("""
from fractions import Fraction
from math import prod

from flpcheck import classify_valence, explore
from flpcheck.analysis import verdict
from flpcheck.analysis.chance.analyse import analyse_chance
from flpcheck.analysis.lasso import check_run
from flpcheck.model.loader import load_protocol_class
from flpcheck.model.semantics import initial_configuration, outcome_probabilities, replay

BenOr = load_protocol_class(str(MODELS / "ben_or.py"))
benor = BenOr()
space = explore(benor, [(0, 0, 1)])
valence = classify_valence(space)
print(f"{len(space):,} configurations from I(001), complete = {space.complete}; "
      f"R = {BenOr.rounds} rounds")
print("I(001) is", valence.label(space.initial_id((0, 0, 1))))
assert space.complete and valence.label(space.initial_id((0, 0, 1))) == "bivalent"
"""),
md("""
## FLP applies

Exploration treats the outcomes of a coin as branches, like any other choice: for valence and
for FLP's run the coin is one more thing the adversary picks. Without a crash, the verdict's run
keeps Ben-Or undecided through all R rounds (with a round cap, the run ends halted and
undecided; without one it would go on). Each coin on it is shown with its outcome and the
probability the coin gives that outcome.
"""),
code("""
found = verdict(space, crashes=0)
run = found.run
print(found.verdict, "-", found.detail)
check_run(benor, run)                                # replayed and checked independently
steps = replay(benor, run.inputs, run.events)
coins, rows = [], []
configs = [initial_configuration(benor, run.inputs)] + [s.config for s in steps]
for i, s in enumerate(steps):
    p = outcome_probabilities(benor, configs[i], s.event._replace(outcome=None))
    chance = "" if s.event.outcome is None else f"outcome {s.event.outcome}, probability {p[s.event.outcome]}"
    if s.event.outcome is not None:
        coins.append(p[s.event.outcome])
    rows.append((i + 1, f"p{s.event.pid}", "null" if s.event.msg is None else benor.format_payload(s.event.msg),
                 chance, benor.format_state(s.event.pid, s.config.states[s.event.pid])))
display(table(["#", "process", "receives", "coin", "state after"], rows))
print(f"{len(coins)} coins on this run; the probability that they all fall the adversary's way: {prod(coins)}")
assert found.verdict == "blocks-without-crash" and coins and prod(coins) < 1
"""),
md("""
## How likely is the adversary's run?

`analyse_chance(space, "adversary")` is `flpcheck chance --scheduler adversary`: the minimum,
over every fair adversary (each process steps, each message is received), of the probability
that every correct process decides within R rounds, exactly (fractions). By hand (the model's
docstring): within 1 round the adversary gives each process one report 0 and one report 1, so
nobody decides; 1/8 within 2 rounds; 3/16 within 3.
"""),
code("""
adversary = analyse_chance(space, "adversary", termination="all")
init = adversary.initial[0]
rows = [(r, str(e.exact), f"{float(e.exact):.4f}", str(1 - e.exact)) for r, e in init.rounds]
display(table(["R", "P(decided within R rounds)", "≈", "P(still undecided)"], rows))
assert [e.exact for _, e in init.rounds] == [0, Fraction(1, 8), Fraction(3, 16)]
"""),
md("""
The probability of staying undecided shrinks round after round (with larger caps the model's
docstring gives 31/128, 75/256 and 697/2048 within 4, 5 and 6 rounds, and `flpcheck chance`
computes them). Ben-Or's proof gives the limit: in every round, whatever the adversary did, the
coins tossed agree with each other and with any value adopted without a coin with probability at
least 2^-N, and then every process reports the same value in the next round and decides; so the
probability of never deciding is at most (1 - 2^-N)^R for every R, that is 0. FLP's run exists,
and has probability 0.

## The termination curve

The same figures as curves: on the left the uniform scheduler (each step picks an applicable event
at random), by events; on the right the fair adversary, by rounds (this is `flpcheck chance
--plot`).
"""),
code("""
import tempfile

from IPython.display import SVG

from flpcheck.output.plot import write_plot

uniform = analyse_chance(space, "uniform", termination="all")
print("uniform scheduler, eventually:", f"{uniform.initial[0].eventually.value:.4f}",
      "(below 1 because of the round cap: a run may reach the end of round R undecided)")
SVG(filename=str(write_plot(Path(tempfile.mkdtemp()) / "ben_or_curve.svg", uniform, adversary)))
"""),
md("""
## Without the coin

`models/ben_or_coinless.py` keeps its estimate where Ben-Or tosses a coin. Everything else is
the same, and now the adversary wins for sure: the probability of deciding is 0 within every
number of rounds, and the run that shows it is deterministic.
"""),
code("""
Coinless = load_protocol_class(str(MODELS / "ben_or_coinless.py"))
coinless = Coinless()
plain = explore(coinless, [(0, 0, 1)])
worst = analyse_chance(plain, "adversary", termination="all").initial[0]
print("P(decided within R rounds):", [str(e.exact) for _, e in worst.rounds], "; eventually:", worst.eventually.exact)
assert all(e.exact == 0 for _, e in worst.rounds) and worst.eventually.exact == 0
if worst.run is not None:
    check_run(coinless, worst.run, termination="all")   # replayed: a correct process never decides
    print("the run:", len(worst.run.stem), "events, then a cycle of", len(worst.run.cycle),
          "repeated for ever, in which some correct process never decides")
"""),
]

if __name__ == "__main__":
    print(build("06_coins_ben_or", cells))
