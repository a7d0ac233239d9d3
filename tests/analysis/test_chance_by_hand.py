"""flpcheck chance on small protocols whose probabilities are worked out by hand."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from flpcheck import Protocol, explore, load_protocol
from flpcheck.analysis.chance.analyse import analyse_chance
from flpcheck.errors import UsageError

from ..paths import FIXTURES

COIN_PAIR = str(FIXTURES / "chance" / "coin_pair.py")


class DecideOwn(Protocol):
    """Every process decides its own input on its first step (a null one: nothing is sent)."""

    processes = 2

    def init(self, pid, x):
        return (x, None)

    def step(self, pid, state, msg):
        return (state[0], state[0]), ()

    def output(self, pid, state):
        return state[1]


def test_decide_own_under_the_uniform_scheduler():
    """Two null steps at each configuration. Termination some: the first event decides, so 1
    within 1 event and 1 expected. Termination all: after the first event, the decided
    process's null step changes nothing, so each event decides the other with probability 1/2:
    within K = 1 - 2^-(K-1), expected 1 + 2 = 3."""
    space = explore(DecideOwn(), [(0, 1)])
    some = analyse_chance(space, "uniform", within=[1], termination="some").initial[0]
    assert some.within[0][1].exact == 1 and some.expected_steps.exact == 1
    both = analyse_chance(space, "uniform", within=[1, 2, 3], termination="all").initial[0]
    assert [e.exact for _, e in both.within] == [0, F(1, 2), F(3, 4)]
    assert both.eventually.exact == 1 and both.almost_surely is True
    assert both.expected_steps.exact == 3 and both.undecidable == 0


def test_coin_pair_under_the_uniform_scheduler():
    """CoinPair (tests/fixtures/chance/coin_pair.py) from 00, termination all. Both coins must be
    tossed and received: 4 events at least. The only 4-event way: a null (both toss, 1), p1's
    toss among the 3 events of (f_a, u) (1/3: p0's null is a self-loop and p1's receipt of a
    sends it back), a receipt among 4 events (2/4), the other receipt among 3 (1/3), and the
    coins equal (1/2): 1/36. Eventually 1/2 (the coins match), so the expected number of events
    is infinite, and the 8 configurations with different coins can never decide."""
    space = explore(load_protocol(COIN_PAIR), [(0, 0)])
    init = analyse_chance(space, "uniform", within=[3, 4], termination="all").initial[0]
    assert [e.exact for _, e in init.within] == [0, F(1, 36)]
    assert init.eventually.exact == F(1, 2) and init.almost_surely is False
    assert init.expected_steps is None and init.undecidable == 8
    some = analyse_chance(space, "uniform", within=[3], termination="some").initial[0]
    assert some.within[0][1].exact == F(1, 12)  # 1 * 1/3 * 2/4 * 1/2


def test_coin_pair_against_the_adversary():
    """The adversary keeps p1 from tossing for ever, fairly: p1 steps by receiving p0's coin,
    which it sends back to itself, so p1 steps and every message is received, yet p1 never
    takes the null step that tosses. So 0, and the run shows that cycle."""
    space = explore(load_protocol(COIN_PAIR), [(0, 0)])
    init = analyse_chance(space, "adversary", termination="some").initial[0]
    assert init.eventually.exact == 0 and init.almost_surely is False
    assert init.run is not None and {e.pid for e in init.run.cycle} == {0, 1}


def test_a_cut_graph_gives_bounds():
    """Cut at depth 2, CoinPair cannot decide within the explored part (4 events needed): the
    lower end is 0, the upper end counts the cut configurations as decided, so 1."""
    space = explore(load_protocol(COIN_PAIR), [(0, 0)], max_depth=2)
    result = analyse_chance(space, "uniform", within=[2], termination="all")
    init = result.initial[0]
    assert not result.complete
    assert (init.eventually.low, init.eventually.high) == (0, 1)
    assert init.eventually.exact is None and init.almost_surely is None
    assert init.expected_steps is None


def test_usage_errors():
    space = explore(DecideOwn(), [(0, 1)])
    with pytest.raises(UsageError, match="--scheduler"):
        analyse_chance(space, "random")
    with pytest.raises(UsageError, match="--crashes 2"):
        analyse_chance(space, "adversary", crashes=2)


def test_probabilistic_valence_of_coin_pair():
    """From (u, u): a value is decided only when both coins show it, 1/4 at best whatever the
    adversary does (it cannot change the coins); at worst 0 (p1 never tosses, as above). After
    p0 tossed 0 (configuration reached by p0's null step, outcome 0): deciding 1 is impossible,
    deciding 0 has probability 1/2 at best."""
    from flpcheck.analysis.chance.valence import chance_valence
    from flpcheck.model.semantics import Event

    space = explore(load_protocol(COIN_PAIR), [(0, 0)])
    v = chance_valence(space)
    at = {k: e.exact for k, e in v.at(0).items()}
    assert at == {"min0": 0, "max0": F(1, 4), "min1": 0, "max1": F(1, 4)}
    after = space.successor(0, Event(0, None, 0))
    at = {k: e.exact for k, e in v.at(after).items()}
    assert at == {"min0": 0, "max0": F(1, 2), "min1": 0, "max1": 0}
