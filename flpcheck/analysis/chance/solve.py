"""Unbounded reachability and expected steps, exact where the graph allows it.

:func:`max_reach` computes, for every state, the maximum over adversaries of the probability of
reaching ``goal`` (for a Markov chain, the probability). The textbook route (Baier and Katoen,
*Principles of Model Checking*, 2008, section 10.6): the states that cannot reach the goal have
0; the maximal end components among the others are collapsed into one node each (inside one
the adversary moves freely, so all its states share one value, and the collapsed graph has no
end component left: every strategy leaves any set of nodes with probability 1); the nodes are
then solved one strongly connected component at a time, from the sinks up:

- a node alone in its component: ``x = max over actions (sum of p * x_t over outcomes t
  elsewhere) / (1 - p of the outcomes back into the node)``, exactly (fractions);
- a larger component of at most ``exact_limit`` nodes: policy iteration, each policy's values by
  exact Gaussian elimination (:func:`~flpcheck.analysis.chance.linear.solve_exact`);
- a larger one: interval iteration in floating point (a lower bound iterated up from 0, an upper
  bound down from 1) until they are within ``TOLERANCE``; such values are not exact, and carry
  the interval (up to floating-point rounding).

Graphs of protocols whose every step changes something or consumes a message (Ben-Or, Paxos)
are acyclic apart from self-loops, so every component is a single node and every value exact.

:func:`expected_steps` does the same for the expected number of steps of a Markov chain to
reach ``goal`` (infinite where the probability of reaching it is below 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np

from .ends import maximal_end_components
from .linear import components, sink_first_levels, solve_exact
from .mdp import MDP, BoolArray, IntArray, can_reach

__all__ = ["Estimate", "Solution", "max_reach", "expected_steps", "EXACT_LIMIT", "TOLERANCE"]

EXACT_LIMIT = 200
"""Strongly connected components (after collapsing end components) of at most this many nodes
are solved exactly; larger ones in floating point with a stated error."""
TOLERANCE = 1e-12
"""Interval iteration stops when the bounds are this close."""
MAX_SWEEPS = 200_000
"""Interval iteration stops after this many sweeps whatever the gap (then the error says it)."""


@dataclass(frozen=True)
class Estimate:
    """A probability or an expectation as far as it is known: ``low`` <= value <= ``high``,
    each a :class:`~fractions.Fraction` (exact) or a float (a numeric bound)."""

    low: Fraction | float
    high: Fraction | float

    @property
    def exact(self) -> Fraction | None:
        """The exact value, or None when only bounds are known."""
        if isinstance(self.low, Fraction) and isinstance(self.high, Fraction) \
                and self.low == self.high:
            return self.low
        return None

    @property
    def value(self) -> float:
        """The value (the middle of the bounds when inexact)."""
        return (float(self.low) + float(self.high)) / 2

    @property
    def error(self) -> float:
        """Half the width of the bounds (0 when exact)."""
        return (float(self.high) - float(self.low)) / 2

    @classmethod
    def of(cls, x: Fraction | int) -> Estimate:
        return cls(Fraction(x), Fraction(x))


@dataclass(frozen=True, eq=False)
class Solution:
    """Per-state values: ``num[s] / den[s]`` exactly where ``den[s]`` is not 0, else float
    bounds ``low[s]``..``high[s]``; ``strategy[s]`` the action a maximizing adversary takes
    (-1: none needed). With ``flip`` the values are 1 minus the stored ones (bounds swapped)."""

    num: list[int]
    den: list[int]
    low: np.ndarray
    high: np.ndarray
    strategy: IntArray
    flip: bool = False

    def exact_at(self, s: int) -> Fraction | None:
        """The exact value at state ``s``, or None."""
        d = self.den[s]
        if not d:
            return None
        return Fraction(d - self.num[s], d) if self.flip else Fraction(self.num[s], d)

    def estimate(self, s: int) -> Estimate:
        e = self.exact_at(s)
        if e is not None:
            return Estimate(e, e)
        if self.flip:
            return Estimate(1.0 - float(self.high[s]), 1.0 - float(self.low[s]))
        return Estimate(float(self.low[s]), float(self.high[s]))

    def complement(self) -> Solution:
        """The solution of 1 - these values (the strategy kept)."""
        return Solution(self.num, self.den, self.low, self.high, self.strategy, not self.flip)

    def zero(self) -> BoolArray:
        """Per state: the value is exactly 0."""
        num = np.array([0 if not d else (d - x if self.flip else x)
                        for x, d in zip(self.num, self.den, strict=True)], dtype=object)
        den = np.array(self.den, dtype=object)
        return (den != 0) & (num == 0)


class _Quotient:
    """The states that may reach the goal, end components collapsed into nodes."""

    def __init__(self, mdp: MDP, goal: BoolArray, avoid: BoolArray) -> None:
        self.mdp = mdp
        self.goal = goal
        n = mdp.n_states
        active = ~avoid[mdp.act_src] & ~goal[mdp.act_src]
        self.maybe = can_reach(mdp, goal, active) & ~goal & ~avoid
        labels, self.internal = maximal_end_components(mdp, self.maybe, active)
        node = np.full(n, -1, dtype=np.int64)
        k = int(labels.max()) + 1 if (labels >= 0).any() else 0
        node[labels >= 0] = labels[labels >= 0]
        singles = np.flatnonzero(self.maybe & (labels < 0))
        node[singles] = k + np.arange(singles.size, dtype=np.int64)
        self.node = node
        self.n_nodes = k + singles.size
        self.mec_count = k
        self.exit = active & self.maybe[mdp.act_src] & ~self.internal
        acts = np.flatnonzero(self.exit)
        owner = node[mdp.act_src[acts]]
        order = np.argsort(owner, kind="stable")
        self.acts = acts[order]
        self.act_ptr = np.concatenate([[0], np.cumsum(np.bincount(owner,
                                                                  minlength=self.n_nodes))])
        outs = self.exit[mdp.out_act] & self.maybe[mdp.out_dst]
        src, dst = node[mdp.out_src[outs]], node[mdp.out_dst[outs]]
        self.comp = components(self.n_nodes, src, dst)
        n_comp = int(self.comp.max()) + 1 if self.n_nodes else 0
        self.levels = sink_first_levels(n_comp, self.comp[src], self.comp[dst])
        order = np.argsort(self.comp, kind="stable")
        self.comp_nodes = order
        self.comp_ptr = np.concatenate([[0], np.cumsum(np.bincount(self.comp,
                                                                   minlength=n_comp))])


def max_reach(mdp: MDP, goal: BoolArray, avoid: BoolArray | None = None,
              exact_limit: int = EXACT_LIMIT) -> Solution:
    """max over adversaries of P(reach ``goal``) from every state (module docstring); the states
    in ``avoid`` are absorbing with value 0 (as are the goal states, with value 1).

    Exact values are integer pairs (numerator, denominator) in numpy object arrays. The nodes
    alone in their component are solved a level at a time, all at once: with L the least
    common multiple of the probabilities' denominators and D that of the level's targets'
    denominators, an action's value is ``sum (L * p) * num_t * (D / den_t)`` over ``D * (L -
    the weight back into its node)``; the best action's value, reduced, is the node's."""
    n = mdp.n_states
    avoid = np.zeros(n, dtype=bool) if avoid is None else avoid
    q = _Quotient(mdp, goal, avoid)
    vals = _Values(q.n_nodes)
    best_act = np.full(q.n_nodes, -1, dtype=np.int64)
    level_solver = _LevelSolver(mdp, q, goal, vals, best_act)
    sizes = np.diff(q.comp_ptr)
    for level in q.levels:
        single = level[sizes[level] == 1]
        if single.size:
            level_solver.solve(q.comp_nodes[q.comp_ptr[single]])
        for c in level[sizes[level] > 1].tolist():
            members = q.comp_nodes[q.comp_ptr[c]:q.comp_ptr[c + 1]].tolist()
            if len(members) <= exact_limit and _inputs_exact(q, members, vals, mdp):
                _policy_iteration(q, members, vals, best_act, mdp)
            else:
                _interval_iteration(q, members, vals, best_act, mdp, goal)
    num = [0] * n
    den = [1] * n
    low = np.zeros(n)
    high = np.zeros(n)
    for s in np.flatnonzero(goal).tolist():
        num[s] = 1
    low[goal] = 1.0
    high[goal] = 1.0
    maybe = np.flatnonzero(q.maybe)
    nodes = q.node[maybe]
    low[maybe] = vals.low[nodes]
    high[maybe] = vals.high[nodes]
    for s, x, d in zip(maybe.tolist(), vals.num[nodes].tolist(), vals.den[nodes].tolist(),
                       strict=True):
        num[s], den[s] = int(x), int(d)
    return Solution(num, den, low, high, _strategy(mdp, q, best_act))


class _Values:
    """Node values: exact as (num, den) where den != 0, float bounds (low, high) always."""

    def __init__(self, n: int) -> None:
        self.num = np.zeros(n, dtype=object)
        self.den = np.zeros(n, dtype=object)
        self.low = np.zeros(n)
        self.high = np.zeros(n)

    def get(self, nt: int) -> Fraction | None:
        return Fraction(int(self.num[nt]), int(self.den[nt])) if self.den[nt] else None

    def set(self, nt: int, v: Fraction) -> None:
        self.num[nt], self.den[nt] = v.numerator, v.denominator
        self.low[nt] = self.high[nt] = float(v)


class _LevelSolver:
    """Solves many single-node components at once (:func:`max_reach`'s docstring)."""

    def __init__(self, mdp: MDP, q: _Quotient, goal: BoolArray, vals: _Values,
                 best_act: IntArray) -> None:
        self.mdp, self.q, self.goal, self.vals, self.best_act = mdp, q, goal, vals, best_act
        self.big = mdp.denominator
        weight = np.array([int(p * self.big) for p in mdp.probs], dtype=object)
        self.weight = weight[mdp.out_prob]
        self.wint = np.array([int(p * self.big) for p in mdp.probs], dtype=np.int64)[
            mdp.out_prob] if self.big < 2**62 else None

    def solve(self, nodes: IntArray) -> None:
        mdp, q, vals = self.mdp, self.q, self.vals
        big = self.big
        lens = q.act_ptr[nodes + 1] - q.act_ptr[nodes]
        acts = q.acts[_ranges(q.act_ptr[nodes], lens)]
        owner = np.repeat(nodes, lens)
        olen = mdp.out_ptr[acts + 1] - mdp.out_ptr[acts]
        outs = _ranges(mdp.out_ptr[acts], olen)
        a_start = np.concatenate([[0], np.cumsum(olen)[:-1]]).astype(np.int64)
        o_owner = np.repeat(owner, olen)
        t = mdp.out_dst[outs]
        nt = q.node[t]
        own = nt == o_owner
        at_goal = self.goal[t]
        at_node = (nt >= 0) & ~own
        safe = np.maximum(nt, 0)
        p = mdp.out_float[outs]
        w = self.weight[outs]
        fl = np.where(at_goal, 1.0, np.where(at_node, vals.low[safe], 0.0))
        fh = np.where(at_goal, 1.0, np.where(at_node, vals.high[safe], 0.0))
        selfw = np.add.reduceat(np.where(own, w, 0), a_start)
        rest = big - selfw
        scale = np.array([big / r for r in rest.tolist()], dtype=np.float64)
        lo_a = np.add.reduceat(p * fl, a_start) * scale
        hi_a = np.add.reduceat(p * fh, a_start) * scale
        g_start = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
        vden = np.where(at_goal, 1, np.where(at_node, vals.den[safe], 1)).astype(object)
        vnum = np.where(at_goal, 1, np.where(at_node, vals.num[safe], 0)).astype(object)
        inexact_out = at_node & (vden == 0)
        node_inexact = np.zeros(len(nodes), dtype=bool)
        if inexact_out.any():
            bad_act = np.zeros(len(acts), dtype=bool)
            bad_act[np.repeat(np.arange(len(acts)), olen)[inexact_out]] = True
            node_inexact = np.logical_or.reduceat(bad_act, g_start)
            vden = np.where(inexact_out, 1, vden).astype(object)
            vnum = np.where(inexact_out, 0, vnum).astype(object)
        d = lcm(*set(vden.tolist())) if len(vden) else 1
        a_num = np.add.reduceat(w * vnum * (d // vden), a_start) if len(vden) \
            else np.zeros(0, dtype=object)
        m = lcm(*set(rest.tolist())) if len(rest) else 1
        a_num = a_num * (m // rest)
        best = np.maximum.reduceat(a_num, g_start)
        is_best = a_num == np.repeat(best, lens)
        pos = np.arange(len(acts))
        first_best = np.minimum.reduceat(np.where(is_best, pos, len(acts)), g_start)
        den = d * m
        g = np.gcd(best, den)
        ex_num, ex_den = best // g, den // g
        lo_best = np.maximum.reduceat(lo_a, g_start)
        hi_best = np.maximum.reduceat(hi_a, g_start)
        arg_lo = np.minimum.reduceat(np.where(lo_a == np.repeat(lo_best, lens), pos,
                                              len(acts)), g_start)
        exact_nodes = ~node_inexact
        ex = nodes[exact_nodes]
        vals.num[ex] = ex_num[exact_nodes]
        vals.den[ex] = ex_den[exact_nodes]
        fvals = np.array([int(a) / int(b) for a, b in zip(ex_num[exact_nodes].tolist(),
                                                          ex_den[exact_nodes].tolist(),
                                                          strict=True)], dtype=np.float64)
        vals.low[ex] = fvals
        vals.high[ex] = fvals
        self.best_act[ex] = acts[first_best[exact_nodes]]
        inex = nodes[node_inexact]
        vals.den[inex] = 0
        vals.low[inex] = lo_best[node_inexact]
        vals.high[inex] = hi_best[node_inexact]
        self.best_act[inex] = acts[arg_lo[node_inexact]]


def _ranges(first: IntArray, counts: IntArray) -> IntArray:
    """The concatenation of ``range(first[i], first[i] + counts[i])``."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    return np.repeat(first - (np.cumsum(counts) - counts), counts) + \
        np.arange(total, dtype=np.int64)


def _inputs_exact(q: _Quotient, members: list[int], vals: _Values, mdp: MDP) -> bool:
    """Every value the component's actions read from outside it is exact."""
    inside = set(members)
    for me in members:
        for i in range(int(q.act_ptr[me]), int(q.act_ptr[me + 1])):
            a = int(q.acts[i])
            for k in range(int(mdp.out_ptr[a]), int(mdp.out_ptr[a + 1])):
                nt = int(q.node[int(mdp.out_dst[k])])
                if nt >= 0 and nt not in inside and not vals.den[nt]:
                    return False
    return True


def _policy_iteration(q: _Quotient, members: list[int], vals: _Values, best_act: IntArray,
                      mdp: MDP) -> None:
    """Exact values of a strongly connected set of nodes by Howard's policy iteration (every
    policy leaves the set with probability 1: the collapsed graph has no end component)."""
    index = {m: i for i, m in enumerate(members)}
    acts = {m: [int(a) for a in q.acts[int(q.act_ptr[m]):int(q.act_ptr[m + 1])]]
            for m in members}
    policy = {m: acts[m][0] for m in members}
    while True:
        rows: list[dict[int, Fraction]] = []
        rhs: list[Fraction] = []
        for m in members:
            row: dict[int, Fraction] = {}
            b = Fraction(0)
            a = policy[m]
            for k in range(int(mdp.out_ptr[a]), int(mdp.out_ptr[a + 1])):
                t = int(mdp.out_dst[k])
                p = mdp.probs[int(mdp.out_prob[k])]
                nt = int(q.node[t])
                if nt in index:
                    row[index[nt]] = row.get(index[nt], Fraction(0)) + p
                elif nt >= 0:
                    b += p * vals.get(nt)  # type: ignore[operator]
                elif q.goal[t]:
                    b += p
            rows.append(row)
            rhs.append(b)
        x = solve_exact(rows, rhs)
        for m in members:
            vals.set(m, x[index[m]])
        changed = False
        for m in members:
            best, arg = vals.get(m), policy[m]
            for a in acts[m]:
                v = _q_value(q, a, vals, mdp)
                if v > best:  # type: ignore[operator]
                    best, arg = v, a
            if arg != policy[m]:
                policy[m] = arg
                changed = True
        if not changed:
            break
    for m in members:
        best_act[m] = policy[m]


def _q_value(q: _Quotient, a: int, vals: _Values, mdp: MDP) -> Fraction:
    """sum of p * x over the outcomes of action a (x of a node; 1 for the goal; 0 else)."""
    total = Fraction(0)
    for k in range(int(mdp.out_ptr[a]), int(mdp.out_ptr[a + 1])):
        t = int(mdp.out_dst[k])
        p = mdp.probs[int(mdp.out_prob[k])]
        nt = int(q.node[t])
        if nt >= 0:
            total += p * vals.get(nt)  # type: ignore[operator]
        elif q.goal[t]:
            total += p
    return total


def _interval_iteration(q: _Quotient, members: list[int], vals: _Values, best_act: IntArray,
                        mdp: MDP, goal: BoolArray) -> None:
    """Float bounds for a strongly connected set of nodes: lower bounds iterated up from 0,
    upper bounds down from 1, until within TOLERANCE (or MAX_SWEEPS)."""
    xl, xh = vals.low, vals.high
    members_a = np.array(members, dtype=np.int64)
    acts = np.concatenate([q.acts[int(q.act_ptr[m]):int(q.act_ptr[m + 1])] for m in members])
    owner = q.node[mdp.act_src[acts]]
    lens = (mdp.out_ptr[acts + 1] - mdp.out_ptr[acts]).astype(np.int64)
    outs = np.repeat(mdp.out_ptr[acts] - (np.cumsum(lens) - lens), lens) + \
        np.arange(int(lens.sum()), dtype=np.int64)
    dst = mdp.out_dst[outs]
    p = mdp.out_float[outs]
    nt = q.node[dst]
    inner = np.isin(nt, members_a)
    fixed_lo = np.where(goal[dst], 1.0, np.where(nt >= 0, xl[np.maximum(nt, 0)], 0.0))
    fixed_hi = np.where(goal[dst], 1.0, np.where(nt >= 0, xh[np.maximum(nt, 0)], 0.0))
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    a_starts = np.concatenate([[0], np.flatnonzero(np.diff(owner)) + 1])
    lo = xl.copy()
    hi = xh.copy()
    lo[members_a] = 0.0
    hi[members_a] = 1.0
    for _ in range(MAX_SWEEPS):
        vlo = np.where(inner, lo[np.maximum(nt, 0)], fixed_lo)
        vhi = np.where(inner, hi[np.maximum(nt, 0)], fixed_hi)
        qlo = np.add.reduceat(p * vlo, starts)
        qhi = np.add.reduceat(p * vhi, starts)
        lo[owner[a_starts]] = np.maximum.reduceat(qlo, a_starts)
        hi[owner[a_starts]] = np.minimum(1.0, np.maximum.reduceat(qhi, a_starts))
        if float(np.max(hi[members_a] - lo[members_a])) <= TOLERANCE:
            break
    for m in members:
        vals.low[m], vals.high[m], vals.den[m] = float(lo[m]), float(hi[m]), 0
    vlo = np.where(inner, lo[np.maximum(nt, 0)], fixed_lo)
    qlo = np.add.reduceat(p * vlo, starts)
    for i, m in enumerate(owner[a_starts].tolist()):
        seg = qlo[a_starts[i]:(a_starts[i + 1] if i + 1 < len(a_starts) else len(qlo))]
        best_act[m] = int(acts[a_starts[i] + int(np.argmax(seg))])


def _strategy(mdp: MDP, q: _Quotient, best_act: IntArray) -> IntArray:
    """The maximizing adversary's action in every state that may reach the goal: the best exit
    action at the state that owns it; inside a collapsed end component, an internal action
    that moves closer to that state (breadth-first distance along internal actions)."""
    n = mdp.n_states
    strategy = np.full(n, -1, dtype=np.int64)
    chosen = best_act[best_act >= 0]
    strategy[mdp.act_src[chosen]] = chosen
    if not q.mec_count:
        return strategy
    in_mec = (q.node >= 0) & (q.node < q.mec_count)
    done = ~in_mec | (strategy >= 0)
    outs = np.flatnonzero(q.internal[mdp.out_act])  # the outcomes of internal actions only
    o_act, o_dst = mdp.out_act[outs], mdp.out_dst[outs]
    while True:
        # an internal action of an undone state with an outcome into a done state of its MEC
        acts = o_act[done[o_dst] & ~done[mdp.act_src[o_act]]]
        if not acts.size:
            break
        src = mdp.act_src[acts]
        uniq, first = np.unique(src, return_index=True)
        strategy[uniq] = acts[first]
        done[uniq] = True
    return strategy


def expected_steps(chain: MDP, goal: BoolArray, exact_limit: int = EXACT_LIMIT) -> Solution:
    """The expected number of steps of a Markov chain to reach ``goal`` from every state: exact
    (fractions) component by component, float in components larger than ``exact_limit`` (their
    bounds then unknown: ``low`` = ``high`` = the float solution); ``inf`` where the
    probability of reaching ``goal`` is below 1."""
    n = chain.n_states
    active = ~goal[chain.act_src]
    reach = can_reach(chain, goal, active)
    lost = ~reach
    bad = can_reach(chain, lost, active) | lost
    sure = ~bad & ~goal
    outs = active[chain.out_act] & sure[chain.out_src]
    src, dst = chain.out_src[outs], chain.out_dst[outs]
    inner = sure[dst]
    comp = components(n, src[inner], dst[inner])
    sure_idx = np.flatnonzero(sure)
    comp_s = comp[sure_idx]
    uniq, inv = np.unique(comp_s, return_inverse=True)
    local = np.full(n, -1, dtype=np.int64)
    local[sure_idx] = inv.reshape(-1)
    csrc, cdst = local[src[inner]], local[dst[inner]]
    levels = sink_first_levels(len(uniq), csrc, cdst)
    members_of: dict[int, list[int]] = {}
    for s, c in zip(sure_idx.tolist(), inv.reshape(-1).tolist(), strict=True):
        members_of.setdefault(c, []).append(s)
    exact: list[Fraction | None] = [None] * n
    val = np.full(n, np.inf)
    for s in np.flatnonzero(goal).tolist():
        exact[s] = Fraction(0)
    val[goal] = 0.0
    floated = np.zeros(n, dtype=bool)
    for level in levels:
        for c in level.tolist():
            members = members_of[c]
            _expected_component(chain, members, exact, val, floated, exact_limit)
    num = [0 if e is None else e.numerator for e in exact]
    den = [0 if e is None else e.denominator for e in exact]
    return Solution(num, den, val.copy(), val.copy(), np.full(n, -1, dtype=np.int64))


def _expected_component(chain: MDP, members: list[int], exact: list[Fraction | None],
                        val: np.ndarray, floated: BoolArray, exact_limit: int) -> None:
    index = {s: i for i, s in enumerate(members)}
    rows: list[dict[int, Fraction]] = []
    rhs: list[Fraction] = []
    inexact = False
    for s in members:
        a = int(chain.act_ptr[s])
        row: dict[int, Fraction] = {}
        b = Fraction(1)
        for k in range(int(chain.out_ptr[a]), int(chain.out_ptr[a + 1])):
            t = int(chain.out_dst[k])
            p = chain.probs[int(chain.out_prob[k])]
            if t in index:
                row[index[t]] = row.get(index[t], Fraction(0)) + p
            elif exact[t] is None:
                inexact = True
            else:
                b += p * exact[t]  # type: ignore[operator]
        rows.append(row)
        rhs.append(b)
    if not inexact and len(members) <= exact_limit:
        x = solve_exact(rows, rhs)
        for s in members:
            exact[s] = x[index[s]]
            val[s] = float(x[index[s]])
        return
    import scipy.sparse
    import scipy.sparse.linalg

    m = len(members)
    ii, jj, vv = [], [], []
    rhs_f = np.ones(m)
    for s in members:
        i = index[s]
        a = int(chain.act_ptr[s])
        for k in range(int(chain.out_ptr[a]), int(chain.out_ptr[a + 1])):
            t = int(chain.out_dst[k])
            pf = float(chain.probs[int(chain.out_prob[k])])
            if t in index:
                ii.append(i)
                jj.append(index[t])
                vv.append(pf)
            else:
                rhs_f[i] += pf * val[t]
    a_mat = scipy.sparse.identity(m, format="csr") - scipy.sparse.csr_matrix(
        (vv, (ii, jj)), shape=(m, m))
    sol = np.atleast_1d(scipy.sparse.linalg.spsolve(a_mat.tocsc(), rhs_f))
    for s in members:
        val[s] = float(sol[index[s]])
        floated[s] = True
