"""The chance analysis's solvers on hand-made Markov chains and decision processes, each answer
worked out by hand in the test's docstring."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from flpcheck.analysis.chance.bounded import bounded_curve, bounded_reach
from flpcheck.analysis.chance.linear import sink_first_levels, solve_exact
from flpcheck.analysis.chance.mdp import MDP
from flpcheck.analysis.chance.solve import expected_steps, max_reach

H = F(1, 2)


def values(sol):
    return [sol.exact_at(s) for s in range(len(sol.num))]


def test_a_geometric_chain():
    """State 0 moves to the goal 1 with probability 1/2, else stays: P(within K) = 1 - 2^-K,
    eventually 1, expected steps 2 (the mean of a geometric law with p = 1/2)."""
    m = MDP.from_lists([[[(H, 1), (H, 0)]], [[(1, 1)]]])
    goal = np.array([False, True])
    assert values(max_reach(m, goal)) == [1, 1]
    assert values(expected_steps(m, goal)) == [2, 0]
    got = bounded_reach(m, goal, [0, 1, 2, 5], [0], "max")
    assert [got[k][0].exact for k in (0, 1, 2, 5)] == [0, H, F(3, 4), F(31, 32)]
    assert bounded_curve(m, goal, 3, [0])[:, 0].tolist() == [0, 0.5, 0.75, 0.875]


def test_a_gamble_against_stalling():
    """State 0 may gamble (goal 1 with 1/3, sink 2 with 2/3) or loop on itself: the maximizer
    gambles (1/3), the minimizer loops for ever (0 within any number of steps)."""
    m = MDP.from_lists([[[(F(1, 3), 1), (F(2, 3), 2)], [(1, 0)]], [[(1, 1)]], [[(1, 2)]]])
    goal = np.array([False, True, False])
    sol = max_reach(m, goal)
    assert values(sol) == [F(1, 3), 1, 0]
    assert sol.strategy[0] == 0  # the gamble
    low = bounded_reach(m, goal, [3], [0], "min")[3][0]
    assert low.exact == 0


def test_an_end_component_is_collapsed():
    """States 0 and 1 move to each other (an end component); 0 may leave with 1/2 to the goal,
    1 with 1/4: inside the component the maximizer walks to 0 and leaves from there, 1/2
    from both; the strategy at 1 walks to 0 (its action 0), at 0 it leaves (action 1)."""
    m = MDP.from_lists([[[(1, 1)], [(H, 2), (H, 3)]], [[(1, 0)], [(F(1, 4), 2), (F(3, 4), 3)]],
                        [[(1, 2)]], [[(1, 3)]]])
    sol = max_reach(m, np.array([False, False, True, False]))
    assert values(sol) == [H, H, 1, 0]
    assert sol.strategy.tolist()[:2] == [1, 2]
    assert values(sol.complement()) == [H, H, 0, 1]


def test_a_cycle_through_chance_by_policy_iteration_and_by_intervals():
    """0 goes to 1 or the goal with 1/2 each; 1 chooses between back to 0 and a sink. Not an
    end component (chance leaves it), so the component {0, 1} is solved as such: going back
    is best, x0 = 1/2 x1 + 1/2, x1 = x0, so 1. Exactly by policy iteration; in floating point
    (no exact budget) the interval iteration brackets 1 within its tolerance."""
    m = MDP.from_lists([[[(H, 1), (H, 2)]], [[(1, 3)], [(1, 0)]], [[(1, 2)]], [[(1, 3)]]])
    goal = np.array([False, False, True, False])
    assert values(max_reach(m, goal)) == [1, 1, 1, 0]
    floats = max_reach(m, goal, exact_limit=0)
    assert floats.exact_at(0) is None
    assert floats.low[0] <= 1 <= floats.high[0] and floats.high[0] - floats.low[0] <= 1e-12


def test_avoided_states_count_zero():
    """With state 1 avoided (absorbing, value 0), 0 reaches the goal 2 only by its second
    action: 1/4."""
    m = MDP.from_lists([[[(1, 1)], [(F(1, 4), 2), (F(3, 4), 1)]], [[(1, 0)]], [[(1, 2)]]])
    assert values(max_reach(m, np.array([False, False, True]),
                            np.array([False, True, False]))) == [F(1, 4), 0, 1]


def test_crashes_take_no_time():
    """State 0's first action reaches the goal in one step; its zero-time action (a crash)
    leads to 2, which can only loop: the minimizer crashes at once and never reaches it."""
    m = MDP.from_lists([[[(1, 1)], [(1, 2)]], [[(1, 1)]], [[(1, 2)]]],
                       zero_time=[[False, True], [False], [False]])
    goal = np.array([False, True, False])
    assert bounded_reach(m, goal, [1, 4], [0], "min")[1][0].exact == 0
    assert bounded_reach(m, goal, [1], [0], "max")[1][0].exact == 1


def test_expected_steps_are_infinite_where_the_goal_may_be_missed():
    """0 reaches the goal 1 or the sink 2 with 1/2 each: the expected number of steps is
    infinite (no exact value, the float inf)."""
    m = MDP.from_lists([[[(H, 1), (H, 2)]], [[(1, 1)]], [[(1, 2)]]])
    sol = expected_steps(m, np.array([False, True, False]))
    assert sol.exact_at(0) is None and sol.low[0] == np.inf


def test_exact_solving_and_levels():
    """x0 = 1/2 x1 + 1/2, x1 = 1/2 x0: x0 = 2/3, x1 = 1/3. The graph 0 -> 1 -> 2 with 2 -> 1:
    components {0} and {1, 2}; {1, 2} has no edge out, so it comes first."""
    assert solve_exact([{1: H}, {0: H}], [H, F(0)]) == [F(2, 3), F(1, 3)]
    levels = sink_first_levels(2, np.array([0, 1]), np.array([1, 1]))
    assert [lv.tolist() for lv in levels] == [[1], [0]]


def test_from_lists_refuses_probabilities_that_do_not_sum_to_one():
    with pytest.raises(ValueError, match="sum to 1/2"):
        MDP.from_lists([[[(H, 0)]]])
