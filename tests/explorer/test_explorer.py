"""The explorer against hand-worked state spaces and against the plain reference explorer."""

from __future__ import annotations

import pytest

from flpcheck import Event, Protocol, classify_valence, explore
from flpcheck.analysis.properties import check_agreement, check_nontriviality, check_validity
from flpcheck.errors import UsageError
from flpcheck.model.inputs import parse_inputs
from flpcheck.model.loader import load_protocol
from flpcheck.model.semantics import replay

from ..paths import MODELS


def model(name: str, n: int) -> Protocol:
    return load_protocol(str(MODELS / f"{name}.py"), n)


def test_leader_broadcast_with_two_processes_has_20_configurations_and_56_events():
    """Per input vector: the initial configuration (p0 has not sent; p1's null step is a
    self-loop), then p0's first step puts (0, x0) and (1, x0) in the buffer, and each of the two
    copies is either still pending or received: 1 + 4 = 5 configurations, 20 for the 4 inputs.
    Events: 2 nulls at the initial one; after sending, 2 nulls plus one per pending message:
    4 + 3 + 3 + 2 = 12; so 14 per input vector, 56 in all."""
    space = explore(model("leader_broadcast", 2))
    assert (len(space), space.num_events, space.complete) == (20, 56, True)


def test_leader_broadcast_initial_valence_follows_the_leaders_input():
    """With 3 processes, I(x0, x1, x2) can only decide x0: 4 initial configurations are
    0-valent and 4 are 1-valent; none is bivalent."""
    space = explore(model("leader_broadcast", 3))
    valence = classify_valence(space)
    assert sorted(valence.initial_counts().items()) == [("0-valent", 4), ("1-valent", 4)]
    for inputs, cid in space.initial:
        assert valence.label(cid) == f"{inputs[0]}-valent"


def test_wait_for_all_with_two_processes_has_70_configurations():
    """A process is unsent, or has sent and received k of the votes sent to it. With inputs
    01 or 10 the two votes differ: senders S and received sets R_q within S (R_q nonempty only
    if q has stepped) give 1 + 2 + 2 + 16 = 21 configurations. With 00 or 11 the copies are
    equal and only counts matter: 1 + 2 + 2 + 9 = 14. In all 2*21 + 2*14 = 70."""
    space = explore(model("wait_for_all", 2))
    assert len(space) == 70
    assert all(p.holds and p.certain for p in
               (check_agreement(space), check_validity(space), check_nontriviality(space)))


def test_decide_own_input_violates_agreement_in_two_steps_from_inputs_01():
    """From I(01), p0's null step decides 0 and p1's decides 1: the shortest violation has two
    events; 4 configurations per input vector (each process decided or not): 16 in all."""
    space = explore(model("decide_own_input", 2))
    assert len(space) == 16 and space.num_events == 32
    result = check_agreement(space)
    assert not result.holds and result.certain
    assert result.schedule.inputs == (0, 1)
    assert result.schedule.events == (Event(0, None), Event(1, None))


def test_always_zero_violates_validity_from_all_ones_and_is_trivial():
    """From I(11), one null step of p0 decides 0 though every input is 1; 1 is never decided."""
    space = explore(model("always_zero", 2))
    validity = check_validity(space)
    assert not validity.holds and validity.schedule.inputs == (1, 1)
    assert validity.schedule.events == (Event(0, None),)
    nontriv = check_nontriviality(space)
    assert not nontriv.holds and nontriv.certain and "1 is never decided" in nontriv.detail


def test_majority_with_four_processes_matches_the_documented_size():
    """The figure the benchmarks quote: 126,474 configurations and 1,098,024 events at N=4."""
    space = explore(model("majority", 4))
    assert (len(space), space.num_events) == (126474, 1098024)


def test_restricting_inputs_explores_exactly_the_subspace_reachable_from_them():
    full = explore(model("majority", 3))
    part = explore(model("majority", 3), parse_inputs("011,100", 3))
    reachable = set()
    stack = [full.initial_id((0, 1, 1)), full.initial_id((1, 0, 0))]
    while stack:
        c = stack.pop()
        if c not in reachable:
            reachable.add(c)
            stack.extend(d for _, d in full.successors(c))
    assert len(part) == len(reachable)
    assert {part.configuration(c) for c in range(len(part))} == {
        full.configuration(c) for c in reachable}


def test_bad_inputs_are_a_usage_error():
    with pytest.raises(UsageError, match="not an input vector of 3 bits"):
        parse_inputs("01", 3)


def test_max_buffer_cuts_and_says_so():
    space = explore(model("majority", 3), max_buffer=2)
    assert not space.complete and space.cut_reasons == ["max-buffer"]
    assert all(space.buffer_size(c) > 2 for c in range(len(space)) if space.cut[c])


def test_max_configs_never_exceeds_the_bound_and_keeps_a_prefix_of_the_full_search():
    """The expansion that would pass the bound is rolled back: what remains is exactly the
    first configurations of the unbounded breadth-first search, with the same edges."""
    full = explore(model("majority", 3))
    space = explore(model("majority", 3), max_configs=500)
    assert len(space) <= 500 and space.cut_reasons == ["max-configs"]
    assert len(space) > 400
    for c in range(len(space)):
        assert space.configuration(c) == full.configuration(c)
        if not space.cut[c]:
            assert space.successors(c) == full.successors(c)


def test_max_depth_leaves_the_deepest_layer_unexpanded():
    space = explore(model("majority", 3), max_depth=3)
    assert max(space.depth) == 3
    assert all(space.cut[c] == (space.depth[c] == 3) for c in range(len(space)))


def test_every_shortest_schedule_replays_to_its_configuration():
    space = explore(model("majority", 3))
    for cid in range(0, len(space), 97):
        sched = space.schedule_to(cid)
        assert len(sched.events) == space.depth[cid]
        steps = replay(space.protocol, sched.inputs, sched.events)
        end = steps[-1].config if steps else space.configuration(cid)
        assert end == space.configuration(cid)


# -- property test: random finite protocols against the reference ------------------------------


