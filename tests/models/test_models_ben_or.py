"""Ben-Or (models/ben_or.py): the adversary's probability of deciding within R rounds.

Expected figures (N = 3, f = 1, no crash, every correct process decides), worked out by hand for
R = 1 (0: every proposal can be made '?') and bounded by hand for R = 2 (an adversary that keeps
it to 1/8 is described in the model's docstring); the figures 0, 1/8, 3/16 for R = 1, 2, 3 are
those of two independent builds of Ben-Or (one checked with Storm), not of flpcheck. The
coinless variant: 0 for every R. Sizes are cross-checked against the plain reference explorer
(tests/reference_chance.py), which drops ignored messages by its own code.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from flpcheck import explore, load_protocol
from flpcheck.analysis.chance.analyse import analyse_chance

from ..paths import MODELS
from ..reference_chance import ChanceSpace, Product, decided, mdp_min_fair_reach, missed

BEN_OR = str(MODELS / "ben_or.py")


def _ben_or(rounds):
    base = type(load_protocol(BEN_OR))
    return type(f"BenOr{rounds}", (base,), {"rounds": rounds})()


def test_the_adversary_figures_for_three_rounds():
    protocol = load_protocol(BEN_OR)
    space = explore(protocol, [(0, 0, 1), (1, 1, 1)])
    result = analyse_chance(space, "adversary")
    mixed, same = result.initial
    assert [(r, e.exact) for r, e in mixed.rounds] == [(1, 0), (2, F(1, 8)), (3, F(3, 16))]
    assert mixed.eventually.exact == F(3, 16) and mixed.almost_surely is False
    assert mixed.run is not None  # rounds run out undecided: replayed and checked
    assert [e.exact for _, e in same.rounds] == [1, 1, 1] and same.almost_surely is True
    assert result.exact


def test_the_coinless_variant_never_decides_against_the_adversary():
    """From mixed inputs the adversary hands each process one report of 0 and one of 1 in
    every round (the minority's value and one of the majority's), so there is no majority,
    every proposal is '?', and without the coin every estimate stays as it was, round after
    round, until each process halts at the round cap undecided: 0 within every round. Under
    termination "all" a run where two decide and one halts undecided also counts (from 001 it
    is the nearest); the run shown is one where nobody decides."""
    space = explore(load_protocol(str(MODELS / "ben_or_coinless.py")), [(0, 1, 1), (0, 0, 1)])
    decided = np.asarray(space.process_decided)
    for init in analyse_chance(space, "adversary", termination="all").initial:
        assert [e.exact for _, e in init.rounds] == [0, 0, 0]
        assert init.eventually.exact == 0 and init.run is not None
        assert not decided[list(init.run.path)].any(), init.inputs


@pytest.mark.parametrize("rounds", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_sizes_and_figures_agree_with_the_reference(rounds):
    """The same configurations as the plain reference explorer (which applies ignores by its
    own code), and the reference's Pmin over fair adversaries of deciding within each round."""
    protocol = _ben_or(rounds)
    space = explore(protocol, [(0, 0, 1)])
    ref = ChanceSpace(protocol, [(0, 0, 1)], max_configs=50_000)
    assert len(space) == len(ref.order)
    assert space.num_events == sum(len(b) for evs in ref.events.values() for _, b in evs)
    result = analyse_chance(space, "adversary").initial[0]
    prod = Product(ref, 0)
    target = {s for s in prod.actions if decided(ref.outputs(s[0]), "all", s[1])}
    start = (ref.initial[0][1], frozenset())
    for r, e in result.rounds:
        traps = {s for s in prod.actions if s not in target
                 and missed(ref, s[0], "all", s[1], r)}
        assert e.exact == mdp_min_fair_reach(prod, target, traps)[start], r

