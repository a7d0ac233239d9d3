"""flpcheck chance against the plain reference (tests/reference_chance.py) on random protocols
whose steps may be left to chance: every figure, exact, for both schedulers.

The reference explores full configurations with the protocol's own ``step`` and computes the
probabilities by the textbook definitions (bounded recursion, Gaussian elimination, maximal
end components refined for fairness, policy iteration); it shares no code with flpcheck's
explorer or analysis. Exploration is bounded by the buffer (``max_buffer``) the same way in
both, so the figures are compared as intervals: the cut configurations counted as never
deciding (lower end), then as decided (upper end).
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from flpcheck import explore
from flpcheck.analysis.chance.analyse import analyse_chance

from ..reference_chance import (
    ChanceSpace,
    Product,
    chain_expected,
    chain_reach,
    chain_within,
    decided,
    mdp_min_fair_reach,
    mdp_min_within,
    uniform_chain,
)
from ..strategies import chance_protocols

STEPS = [0, 1, 2, 3, 5]
BUFFER = 2
LARGEST = 120
"""The reference solves its linear systems by exact Gaussian elimination, whose fractions grow
quickly with the number of configurations (a random protocol of 2,000 took over 20 minutes):
protocols past this many configurations are left out."""


def _exact(e):
    assert isinstance(e.low, Fraction) and isinstance(e.high, Fraction), e
    return e.low, e.high


@settings(max_examples=60, deadline=None)
@given(chance_protocols(), st.sampled_from(["some", "all"]))
def test_uniform_scheduler_matches_the_reference(protocol, termination):
    space = explore(protocol, max_buffer=BUFFER)
    ref = ChanceSpace(protocol, max_buffer=BUFFER)
    assume(len(ref.order) <= LARGEST)
    result = analyse_chance(space, "uniform", within=STEPS, termination=termination)
    chain = uniform_chain(ref)
    target = {c for c in range(len(ref.order)) if decided(ref.outputs(c), termination)}
    upper = target | ref.cut
    for init in result.initial:
        c = dict(ref.initial)[init.inputs]
        for k, e in init.within:
            assert _exact(e) == (chain_within(chain, target, k)[c],
                                 chain_within(chain, upper, k)[c]), (init.inputs, k)
        assert _exact(init.eventually) == (chain_reach(chain, target)[c],
                                           chain_reach(chain, upper)[c]), init.inputs
        if not ref.cut:
            want = chain_expected(chain, target)[c]
            got = init.expected_steps
            assert (got.exact if got is not None else None) == want, init.inputs


@settings(max_examples=60, deadline=None)
@given(chance_protocols(), st.sampled_from(["some", "all"]), st.integers(0, 1))
def test_adversary_matches_the_reference(protocol, termination, crashes):
    space = explore(protocol, max_buffer=1)
    ref = ChanceSpace(protocol, max_buffer=1)
    assume(len(ref.order) <= LARGEST)
    result = analyse_chance(space, "adversary", crashes=crashes, within=STEPS,
                            termination=termination)
    prod = Product(ref, crashes)
    target = {s for s in prod.actions
              if decided(ref.outputs(s[0]), termination, s[1])}
    cut = {s for s in prod.actions if s[0] in ref.cut and s not in target}
    low_ev = mdp_min_fair_reach(prod, target, cut)
    high_ev = mdp_min_fair_reach(prod, target | cut)
    for init in result.initial:
        s = (dict(ref.initial)[init.inputs], frozenset())
        for k, e in init.within:
            assert _exact(e) == (mdp_min_within(prod, target, k)[s],
                                 mdp_min_within(prod, target | cut, k)[s]), (init.inputs, k)
        assert _exact(init.eventually) == (low_ev[s], high_ev[s]), init.inputs
        assert init.almost_surely == (True if low_ev[s] == 1 else False if high_ev[s] < 1
                                      else None)
        if init.almost_surely is False and space.decision_change_edge is None:
            assert init.run is not None  # replayed and checked by check_run when it was built
