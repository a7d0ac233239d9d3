"""The checks of what user code returns, one rule for every caller."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

from flpcheck import Protocol
from flpcheck.errors import InvalidProtocol, ProtocolStepError
from flpcheck.model.chance import Outcomes
from flpcheck.model.checks import (
    check_output,
    check_round_sends,
    check_sends,
    check_step_outcomes,
    check_step_result,
)


def test_outputs_are_none_0_or_1_with_booleans_and_numpy_integers_read_as_ints():
    assert [check_output("m", "output", v) for v in (None, 0, 1, False, True, np.int64(1),
                                                      np.bool_(False))] == [None, 0, 1, 0, 1, 1, 0]
    for bad in (2, -1, 0.0, "1", (0,)):
        with pytest.raises(ProtocolStepError, match="an output is None, 0 or 1"):
            check_output("m", "output", bad)


def test_sends_are_an_iterable_of_pairs_to_process_ids():
    assert check_sends("m", 2, iter([(np.int64(1), "x"), (0, ("y", 1))]), "step") == [
        (1, "x"), (0, ("y", 1))]
    for raw in (None, 3, "ab", [(0, "x", 1)], [[0, "x"]]):
        with pytest.raises(InvalidProtocol, match=r"\(dst, payload\) pair"):
            check_sends("m", 2, raw, "step")
    with pytest.raises(InvalidProtocol, match="destinations are process ids 0..1"):
        check_sends("m", 2, [(2, "x")], "step")
    with pytest.raises(ProtocolStepError, match="None is the null message"):
        check_sends("m", 2, [(1, None)], "step")


def test_a_step_result_is_a_pair_and_not_the_state_itself():
    assert check_step_result("m", 2, ((0, 1), [(1, "x")]), (0, 0), 0, "step") == (
        (0, 1), [(1, "x")])
    with pytest.raises(InvalidProtocol, match="step must return"):
        check_step_result("m", 2, (0, 1), (0, 0), 0, "step")  # a plain pair of ints: sends 1


def test_a_round_sends_at_most_one_payload_to_each_process():
    assert check_round_sends("m", 3, [(2, "b"), (0, "a")], "send") == ((0, "a"), (2, "b"))
    with pytest.raises(InvalidProtocol, match="at most one payload per destination"):
        check_round_sends("m", 3, [(1, "a"), (1, "b")], "send")
    with pytest.raises(InvalidProtocol, match="send must return an iterable"):
        check_round_sends("m", 3, None, "send")


def _outcomes(*choices):
    return Outcomes(tuple(choices))


def test_a_plain_step_result_is_one_outcome_of_probability_one():
    assert check_step_outcomes("m", 2, ("s", [(1, "x")]), "s", 0, "step") == (
        (1, "s", [(1, "x")]),)


def test_equal_results_are_merged_in_the_order_of_their_first_appearance():
    """Choices 0 and 2 have the same state and the same multiset of sends (listed in another
    order): one outcome, first, with 1/6 + 1/2; choice 1 is outcome 1."""
    got = check_step_outcomes("m", 2, _outcomes(
        (Fraction(1, 6), ("a", [(0, "x"), (1, "y")])),
        (Fraction(1, 3), ("b", [])),
        (Fraction(1, 2), ("a", [(1, "y"), (0, "x")]))), "s", 0, "step")
    assert [(p, s) for p, s, _ in got] == [(Fraction(2, 3), "a"), (Fraction(1, 3), "b")]


def test_results_that_differ_by_type_or_by_copies_sent_are_not_merged():
    got = check_step_outcomes("m", 2, _outcomes(
        (Fraction(1, 4), (1, [])), (Fraction(1, 4), (True, [])),
        (Fraction(1, 4), (1, [(0, "x")])), (Fraction(1, 4), (1, [(0, "x"), (0, "x")]))),
        "s", 0, "step")
    assert len(got) == 4


def test_choices_with_one_result_are_a_deterministic_step():
    coin = Protocol(1).coin(("a", ()), ("a", ()))
    assert check_step_outcomes("m", 1, coin, "s", 0, "step") == ((1, "a", []),)


@pytest.mark.parametrize(("choices", "message"), [
    ((), "with no choice; a step left to chance has at least one outcome"),
    (((0.5, ("a", ())), (0.5, ("b", ()))), "probability 0.5 (a float); probabilities are exact"),
    (((True, ("a", ())),), "probability True (a bool)"),
    (((Fraction(1, 2), ("a", ())), (Fraction(-1, 2), ("b", ())), (1, ("c", ()))),
     "probability -1/2; a probability is > 0"),
    (((Fraction(1, 3), ("a", ())), (Fraction(1, 3), ("b", ()))), "sum to 2/3, not 1"),
    ((("a", (), 1),), "choice 0 is ('a', (), 1); each choice is a (probability, (new_state, "
                      "sends)) pair"),
    (((1, ("a", [(3, "x")])),), "(choice 0) sent 'x' to destination 3"),
    (((1, ([1], ())),), "(choice 0) returned an unhashable state [1]"),
])
def test_outcomes_are_exact_positive_probabilities_summing_to_one_over_valid_results(
        choices, message):
    with pytest.raises((InvalidProtocol, ProtocolStepError), match=re.escape(message)):
        check_step_outcomes("m", 2, Outcomes(choices), "s", 0, "step")


def test_integer_probabilities_are_exact_numpy_ones_included():
    got = check_step_outcomes("m", 2, _outcomes((np.int64(1), ("a", ()))), "s", 0, "step")
    assert got == ((1, "a", []),) and type(got[0][0]) is Fraction
