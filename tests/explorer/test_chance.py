"""Steps left to chance in the explorer: one edge per outcome, consecutive, in outcome order,
with its outcome and exact probability; both engines alike; refused where a reduction or the
partition engine would answer wrongly."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from flpcheck import Event, Protocol, explore
from flpcheck.errors import UsageError
from flpcheck.explorer.batch import BatchEngine
from flpcheck.explorer.partition.engine import PartitionEngine
from flpcheck.explorer.simple import SimpleEngine
from flpcheck.model.loader import load_protocol

from ..helpers import assert_same
from ..paths import FIXTURES, MODELS
from ..strategies import ChanceTable

CHANCE = FIXTURES / "chance"
ENGINES = {"simple": SimpleEngine, "batch": BatchEngine,
           "blocks-only": lambda: BatchEngine(thin_width=0)}


def coin_pair(engine=None):
    return explore(load_protocol(str(CHANCE / "coin_pair.py")), engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_coin_pair_has_the_configurations_and_events_worked_out_by_hand(engine):
    """21 configurations, 68 edges, 12 of them left to chance with probability 1/2 each (the
    fixture's docstring counts them)."""
    space = coin_pair(ENGINES[engine]())
    assert (len(space), space.num_events) == (21, 68)
    assert len({c for _, c in space.initial}) == 1
    assert space.edge_probability is not None and space.edge_outcome is not None
    chance = np.flatnonzero(space.edge_probability)
    assert len(chance) == 12
    assert {space.edge_chance(int(k)) for k in chance} == {Fraction(1, 2)}
    assert space.probabilities[0] == 1


def test_the_edges_of_one_event_are_consecutive_in_outcome_order_and_sum_to_one():
    space = coin_pair()
    for cid in range(len(space)):
        lo, hi = int(space.indptr[cid]), int(space.indptr[cid + 1])
        groups: dict[int, list[int]] = {}
        for k in range(lo, hi):
            groups.setdefault(int(space.edge_event[k]), []).append(k)
        for edges in groups.values():
            assert edges == list(range(edges[0], edges[-1] + 1))  # consecutive
            outcomes = [space.event_of_edge(k).outcome for k in edges]
            assert outcomes == ([None] if len(edges) == 1 else list(range(len(edges))))
            assert sum(space.edge_chance(k) for k in edges) == 1


def test_the_initial_flips_are_four_edges_to_four_configurations():
    """At (u, u): p0's flip (outcomes 0 and 1), then p1's; each reaches its own configuration,
    in which the flipped coin is in transit to the other process."""
    space = coin_pair()
    start = space.initial[0][1]
    succ = space.successors(start)
    assert [e for e, _ in succ] == [Event(0, None, 0), Event(0, None, 1), Event(1, None, 0),
                                    Event(1, None, 1)]
    assert len({d for _, d in succ}) == 4
    for event, d in succ:
        assert space.configuration(d).buffer == ((1 - event.pid, event.outcome),)
        assert space.successor(start, event) == d


def test_successor_matches_the_outcome_and_refuses_an_event_without_one():
    space = coin_pair()
    start = space.initial[0][1]
    assert space.successor(start, Event(0, None)) is None  # chance's choice is missing
    assert space.successor(start, Event(0, None, 2)) is None  # no outcome 2
    one = space.successor(start, Event(0, None, 1))
    assert one is not None
    # p0 has flipped: its null step is deterministic now, so it names no outcome
    assert space.successor(one, Event(0, None)) == one
    assert space.successor(one, Event(0, None, 0)) is None


def test_schedules_and_follow_carry_outcomes():
    space = coin_pair()
    decided_one = [c for c in range(len(space)) if space.decisions(c) == {1}]
    target = min(decided_one)
    sched = space.schedule_to(target)
    assert all(e.outcome == 1 for e in sched.events if e.msg is None)
    assert space.follow(space.initial_id(sched.inputs), list(sched.events))[-1] == target


def test_duplicate_choices_are_merged_and_a_single_result_is_deterministic():
    """The fixture's docstring: from 0 two outcomes (to 1 and to 2, 1/2 each, the first
    choice's result first), from 1 one result of probability 1 (no outcome), 4 edges."""
    space = explore(load_protocol(str(CHANCE / "duplicate_outcome.py")))
    assert (len(space), space.num_events) == (3, 4)
    zero = space.initial[0][1]
    got = [(space.event_of_edge(k), space.configuration(int(space.edge_dst[k])).states,
            space.edge_chance(k)) for k in range(int(space.indptr[zero]), int(space.indptr[zero + 1]))]
    assert got == [(Event(0, None, 0), (1,), Fraction(1, 2)), (Event(0, None, 1), (2,), Fraction(1, 2))]
    one = space.successor(zero, Event(0, None, 0))
    assert space.successors(one) == [(Event(0, None), space.successor(zero, Event(0, None, 1)))]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_protocol_without_chance_stores_nothing_more(engine):
    space = explore(load_protocol(str(MODELS / "majority.py"), 3), engine=ENGINES[engine]())
    assert space.edge_outcome is None and space.edge_probability is None
    assert space.probabilities == [1]
    assert all(e.outcome is None for e, _ in space.successors(0))


@pytest.mark.parametrize("engine", ["default", "blocks-only"])
@pytest.mark.parametrize("name", ["coin_pair.py", "duplicate_outcome.py"])
def test_both_engines_build_the_same_space_for_the_chance_fixtures(name, engine):
    batch = BatchEngine() if engine == "default" else BatchEngine(thin_width=0)
    spec = str(CHANCE / name)
    assert_same(explore(load_protocol(spec), engine=SimpleEngine()),
                explore(load_protocol(spec), engine=batch))


def test_chance_met_only_while_the_frontier_is_thin_keeps_every_edges_outcome():
    """A regression: p0's step at state 0 receiving 0 is a coin, met during the batch engine's
    thin start; the numpy blocks after the handover meet no coin, yet their edges still get
    an outcome (0) each, so both engines build the same 8 edges."""
    steps = {(0, 0, None): (0, ((0, 0),)),
             (0, 0, 0): [(Fraction(1, 2), (0, ())), (Fraction(1, 2), (1, ()))],
             **{key: (0, ()) for key in [(0, 1, None), (0, 1, 0), (1, 0, None), (1, 0, 0),
                                         (1, 1, None), (1, 1, 0)]}}
    protocol = ChanceTable(2, {(0, 0): 0, (0, 1): 0, (1, 0): 1, (1, 1): 1}, steps,
                           {(p, s): None for p in (0, 1) for s in (0, 1)})
    a = explore(protocol, engine=SimpleEngine(), max_buffer=2, max_depth=2)
    b = explore(protocol, engine=BatchEngine(thin_width=3), max_buffer=2, max_depth=2)
    assert a.num_events == 8 and len(a.edge_outcome) == 8
    assert_same(a, b)


@pytest.mark.parametrize(("option", "kwargs"), [("--symmetry", {"symmetry": True}),
                                                 ("--por", {"por": True})])
def test_the_reductions_refuse_steps_left_to_chance(option, kwargs):
    class SymmetricCoin(Protocol):
        symmetric = True

        def init(self, pid, x):
            return ("start", x)

        def step(self, pid, state, msg):
            return self.coin((0, ()), (1, ()))

        def output(self, pid, state):
            return state if state == 1 else None

    with pytest.raises(UsageError, match=f"{option} is not defined for protocols whose steps "
                                         "are left to chance"):
        explore(SymmetricCoin(2), **kwargs)


def test_the_partition_engine_refuses_steps_left_to_chance():
    with pytest.raises(UsageError, match="--workers is not defined for protocols whose steps "
                                         "are left to chance"):
        explore(load_protocol(str(CHANCE / "coin_pair.py")),
                engine=PartitionEngine(2, ray=False))
