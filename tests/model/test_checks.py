"""The checks of what user code returns, one rule for every caller."""

from __future__ import annotations

import numpy as np
import pytest

from flpcheck.errors import InvalidProtocol, ProtocolStepError
from flpcheck.model.checks import check_output, check_round_sends, check_sends, check_step_result


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
