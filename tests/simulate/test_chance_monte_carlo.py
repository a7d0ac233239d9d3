"""flpcheck chance's uniform figures against flpcheck simulate --scheduler uniform: the fraction
of random runs in which some process has decided within K events is within 4 standard
deviations of the exact probability, on the library's models with chance and on Paxos.

The two share the uniform scheduler's definition (every distinct applicable event equally
likely, chance's outcomes with their probabilities) and nothing else: simulate draws runs with
its own machine and random streams, chance solves the Markov chain exactly."""

from __future__ import annotations

import math

import pytest

from flpcheck import explore, load_protocol
from flpcheck.analysis.chance.analyse import analyse_chance
from flpcheck.simulate import Settings, simulate

from ..paths import FIXTURES, MODELS

RUNS = 1000


@pytest.mark.parametrize(("model", "inputs", "steps"), [
    (FIXTURES / "chance" / "coin_pair.py", (0, 0), [3, 5, 10]),
    (MODELS / "ben_or.py", (0, 0, 1), [15, 30, 60]),
    (MODELS / "ben_or_coinless.py", (0, 1, 1), [15, 30, 60]),
    (MODELS / "paxos.py:Paxos", (0, 0, 1), [5, 10, 20]),
], ids=lambda x: getattr(x, "stem", None))
def test_simulation_agrees_with_the_exact_figures(model, inputs, steps):
    protocol = load_protocol(str(model))
    exact = analyse_chance(explore(protocol, [inputs]), "uniform", within=steps,
                           termination="some").initial[0]
    sim = simulate(protocol, Settings(runs=RUNS, steps=max(steps), seed=7, inputs=(inputs,),
                                      scheduler="uniform", keep_going=True))
    assert sim.counts.runs == RUNS
    depths = dict(sim.counts.depths)
    for k, e in exact.within:
        p = float(e.exact)
        hits = sum(c for d, c in depths.items() if d <= k)
        sigma = math.sqrt(max(p * (1 - p), 1e-12) / RUNS)
        assert abs(hits / RUNS - p) <= 4 * sigma + 1e-9, (k, hits / RUNS, p)
