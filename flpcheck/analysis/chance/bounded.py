"""Step-bounded reachability: the probability of reaching the goal within K steps.

``P_0(s) = [s in goal]`` and ``P_k(s) = 1`` on the goal, else the min (or max) over the actions
of ``sum p * P_{k-1}(t)`` over their outcomes; an action that takes no time (a crash) offers
``P_k`` of its target instead, in the same step. A Markov chain has one action per state. States
without an action (a configuration a bound cut, or a trap) stay at 0.

Exact values come from integers: with L the least common multiple of the probabilities'
denominators, ``L**k * P_k`` is an integer vector computed with integer weights ``L * p``
(Python integers in numpy object arrays); the cost grows with K and the number of outcomes, so
past a budget the iteration runs in floating point instead, with an error bound of
``K * (largest number of outcomes of an action) * 2**-52`` (each step's sums of at most that many
terms in [0, 1] round at most that much). :data:`EXACT_BUDGET` sets the budget.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .mdp import MDP, BoolArray, IntArray
from .solve import Estimate

__all__ = ["bounded_reach", "bounded_curve", "EXACT_BUDGET", "CLOSE"]

CLOSE = 1e-4
"""A curve stops early once within this of the eventual probability."""

EXACT_BUDGET = 40_000_000
"""Exact step-bounded values are computed while (outcomes x largest K) stays below this."""


def _segments(mdp: MDP, usable: BoolArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """(outcome targets, outcome weights index, action starts in the outcome list, state of
    each action) for the usable non-zero-time actions, in order."""
    acts = np.flatnonzero(usable & ~mdp.zero_time)
    lens = (mdp.out_ptr[acts + 1] - mdp.out_ptr[acts]).astype(np.int64)
    outs = np.repeat(mdp.out_ptr[acts] - (np.cumsum(lens) - lens), lens) + \
        np.arange(int(lens.sum()), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64) if len(acts) \
        else np.zeros(0, dtype=np.int64)
    return mdp.out_dst[outs], outs, starts, mdp.act_src[acts]


def _iterate(mdp: MDP, goal: BoolArray, avoid: BoolArray, kmax: int, mode: str,
             exact: bool, keep: list[int] | None, states: IntArray,
             until: np.ndarray | None = None) -> list[np.ndarray]:
    """The vectors P_k restricted to ``states`` for k in ``keep`` (every k when None), scaled by
    L**k when ``exact``; with ``until`` (floats only), stop once every one is within
    ``CLOSE`` of it."""
    n = mdp.n_states
    usable = ~goal[mdp.act_src] & ~avoid[mdp.act_src]
    dst, outs, starts, owner = _segments(mdp, usable)
    zt = np.flatnonzero(usable & mdp.zero_time)
    z_src = mdp.act_src[zt]
    z_dst = mdp.out_dst[mdp.out_ptr[zt]]
    if exact:
        scale = mdp.denominator
        w_table = np.array([int(p * scale) for p in mdp.probs], dtype=object)
        weights = w_table[mdp.out_prob[outs]]
        v = np.where(goal, 1, 0).astype(object)
        unit: int | float = 1
    else:
        scale = 1
        weights = mdp.out_float[outs]
        v = goal.astype(np.float64)
        unit = 1.0
    reduce = np.minimum if mode == "min" else np.maximum
    uniq_owner, first_of = (np.unique(owner, return_index=True) if len(owner)
                            else (owner, owner))
    wanted = None if keep is None else set(keep)
    out: list[np.ndarray] = []
    if wanted is None or 0 in wanted:
        out.append(v[states].copy())
    for k in range(1, kmax + 1):
        unit = unit * scale
        new = np.zeros(n, dtype=object) if exact else np.zeros(n)
        if len(starts):
            sums = np.add.reduceat(weights * v[dst], starts)
            new[uniq_owner] = reduce.reduceat(sums, first_of)
        new[goal] = unit
        while len(zt):  # crashes take no time: relax along them (at most t passes)
            cand = new[z_dst]
            cur = new[z_src]
            better = cand < cur if mode == "min" else cand > cur
            if not better.any():
                break
            for s, c in zip(z_src[better].tolist(), cand[better].tolist(), strict=True):
                if (c < new[s]) if mode == "min" else (c > new[s]):
                    new[s] = c
        v = new
        if wanted is None or k in wanted:
            out.append(v[states].copy())
        if until is not None and bool((v[states] >= until - CLOSE).all()):
            break
    return out


def bounded_reach(mdp: MDP, goal: BoolArray, steps: list[int], states: list[int],
                  mode: str = "min", avoid: BoolArray | None = None,
                  budget: int = EXACT_BUDGET) -> dict[int, list[Estimate]]:
    """For every K in ``steps``: the min (or max, ``mode``) over adversaries of P(reach
    ``goal`` within K steps, never through ``avoid``) from each of ``states``; exact within
    the budget (module docstring), else floats with their error bound."""
    avoid = np.zeros(mdp.n_states, dtype=bool) if avoid is None else avoid
    ks = sorted(set(steps))
    if not ks:
        return {}
    kmax = ks[-1]
    idx = np.array(states, dtype=np.int64)
    exact = len(mdp.out_dst) * max(kmax, 1) <= budget
    vecs = _iterate(mdp, goal, avoid, kmax, mode, exact, ks, idx)
    result: dict[int, list[Estimate]] = {}
    if exact:
        scale = mdp.denominator
        for k, vec in zip(ks, vecs, strict=True):
            d = scale ** k
            result[k] = [Estimate.of(Fraction(int(x), d)) for x in vec.tolist()]
        return result
    width = int(np.diff(mdp.out_ptr).max()) if mdp.n_actions else 1
    for k, vec in zip(ks, vecs, strict=True):
        err = k * width * 2.0 ** -52
        # a float sum of nonnegative terms is 0 only when every term is: then exactly 0
        result[k] = [Estimate.of(0) if float(x) == 0.0 else
                     Estimate(max(0.0, float(x) - err), min(1.0, float(x) + err))
                     for x in vec.tolist()]
    return result


def bounded_curve(mdp: MDP, goal: BoolArray, kmax: int, states: list[int], mode: str = "min",
                  avoid: BoolArray | None = None, until: list[float] | None = None
                  ) -> np.ndarray:
    """P(reach ``goal`` within k steps) for k = 0..kmax (rows) from each of ``states``
    (columns), in floating point (for plotting and for choosing K); with ``until`` (the
    eventual probabilities), it stops early once every column is within ``CLOSE`` of its
    own."""
    avoid = np.zeros(mdp.n_states, dtype=bool) if avoid is None else avoid
    idx = np.array(states, dtype=np.int64)
    stop = None if until is None else np.array(until, dtype=np.float64)
    vecs = _iterate(mdp, goal, avoid, kmax, mode, False, None, idx, stop)
    return np.array([np.asarray(v, dtype=np.float64) for v in vecs])
