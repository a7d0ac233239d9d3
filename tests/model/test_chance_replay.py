"""The plain semantics with steps left to chance: an event names chance's outcome where the
step is left to chance and nowhere else; event_outcomes lists chance's choices."""

from __future__ import annotations

from fractions import Fraction

import pytest

from flpcheck import Event
from flpcheck.errors import ReplayError
from flpcheck.model.loader import load_protocol
from flpcheck.model.semantics import (
    applicable_events,
    apply_event,
    event_outcomes,
    initial_configuration,
    replay,
)

from ..paths import FIXTURES

COIN_PAIR = str(FIXTURES / "chance" / "coin_pair.py")


def test_two_heads_decide_zero_and_the_events_keep_their_outcomes():
    """Both flip outcome 0 (coin 0), each receives the other's 0: both decide 0."""
    protocol = load_protocol(COIN_PAIR)
    steps = replay(protocol, (1, 1), [(0, None, 0), (1, None, 0), Event(1, 0), Event(0, 0)])
    assert [s.event.outcome for s in steps] == [0, 0, None, None]
    assert steps[-1].config.outputs(protocol) == (0, 0)
    assert steps[-1].config.buffer == ()


def test_different_coins_leave_both_undecided():
    protocol = load_protocol(COIN_PAIR)
    steps = replay(protocol, (0, 0), [(0, None, 0), (1, None, 1), Event(1, 0), Event(0, 1)])
    assert steps[-1].config.outputs(protocol) == (None, None)


@pytest.mark.parametrize(("schedule", "message"), [
    ([Event(0, None)], "the step is left to chance (2 outcomes), so the event must name its "
                       "outcome"),
    ([Event(0, None, 2)], "the step has outcomes 0..1"),
    ([Event(0, None, 1), Event(0, None, 0)], "step 2: event p0 receives null (outcome 0): the "
                                             "step is not left to chance here"),
    ([Event(1, 0, 0)], "is not applicable: no such message in the buffer"),
])
def test_a_missing_wrong_or_superfluous_outcome_does_not_replay(schedule, message):
    with pytest.raises(ReplayError, match=message.replace("(", r"\(").replace(")", r"\)")):
        replay(load_protocol(COIN_PAIR), (0, 0), schedule)


def test_event_outcomes_lists_chances_choices_with_their_probabilities():
    protocol = load_protocol(COIN_PAIR)
    start = initial_configuration(protocol, (0, 1))
    listed = event_outcomes(protocol, start, Event(1, None))
    assert [(p, s.event, s.config.buffer) for p, s in listed] == [
        (Fraction(1, 2), Event(1, None, 0), ((0, 0),)),
        (Fraction(1, 2), Event(1, None, 1), ((0, 1),))]
    for _, step in listed:  # applying the event with its outcome makes the same step
        assert apply_event(protocol, start, step.event) == step
    # the events themselves are the scheduler's: no outcome
    assert applicable_events(start, 2) == [Event(0, None), Event(1, None)]


def test_event_outcomes_of_a_deterministic_step_is_one_of_probability_one():
    protocol = load_protocol(str(FIXTURES / "chance" / "duplicate_outcome.py"))
    one = apply_event(protocol, initial_configuration(protocol, (0,)), Event(0, None, 0)).config
    assert one.states == (1,)
    [(p, step)] = event_outcomes(protocol, one, Event(0, None))
    assert (p, step.event, step.config.states) == (1, Event(0, None), (2,))
