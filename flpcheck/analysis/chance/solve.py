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
    """Per-state values: ``exact[s]`` a Fraction, or None where ``low[s]``..``high[s]`` are
    float bounds; ``strategy[s]`` the action a maximizing adversary takes (-1: none needed)."""

    exact: list[Fraction | None]
    low: np.ndarray
    high: np.ndarray
    strategy: IntArray

    def estimate(self, s: int) -> Estimate:
        e = self.exact[s]
        return Estimate(e, e) if e is not None else Estimate(float(self.low[s]),
                                                             float(self.high[s]))


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
    in ``avoid`` are absorbing with value 0 (as are the goal states, with value 1)."""
    n = mdp.n_states
    avoid = np.zeros(n, dtype=bool) if avoid is None else avoid
    q = _Quotient(mdp, goal, avoid)
    xe: list[Fraction | None] = [None] * q.n_nodes
    xl = np.zeros(q.n_nodes)
    xh = np.zeros(q.n_nodes)
    best_act = np.full(q.n_nodes, -1, dtype=np.int64)
    out_ptr = mdp.out_ptr.tolist()
    out_dst = mdp.out_dst.tolist()
    out_prob = mdp.out_prob.tolist()
    probs = mdp.probs
    goal_l = goal.tolist()
    node_l = q.node.tolist()
    acts_l = q.acts.tolist()
    aptr = q.act_ptr.tolist()
    one, zero = Fraction(1), Fraction(0)

    def action_value(a: int, me: int) -> tuple[Fraction | None, float, float, Fraction]:
        """(exact value or None, low, high, mass back into node ``me``) of action a."""
        acc: Fraction | None = zero
        lo = hi = 0.0
        self_mass = zero
        for k in range(out_ptr[a], out_ptr[a + 1]):
            t = out_dst[k]
            p = probs[out_prob[k]]
            nt = node_l[t]
            if nt == me:
                self_mass += p
            elif goal_l[t]:
                if acc is not None:
                    acc += p
                lo += float(p)
                hi += float(p)
            elif nt >= 0:
                v = xe[nt]
                if v is None:
                    acc = None
                elif acc is not None and v:
                    acc += p * v
                lo += float(p) * xl[nt]
                hi += float(p) * xh[nt]
        if self_mass:
            rest = one - self_mass
            if acc is not None:
                acc /= rest
            lo, hi = lo / float(rest), hi / float(rest)
        return acc, lo, hi, self_mass

    def solve_single(me: int) -> None:
        found = []
        for i in range(aptr[me], aptr[me + 1]):
            a = acts_l[i]
            v, lo, hi, self_mass = action_value(a, me)
            if self_mass != one:
                found.append((a, v, lo, hi))
        if all(v is not None for _, v, _, _ in found):
            arg, best = found[0][0], found[0][1]
            for a, v, _, _ in found[1:]:
                if v > best:  # type: ignore[operator]
                    arg, best = a, v
            xe[me] = best
            xl[me] = xh[me] = float(best)  # type: ignore[arg-type]
        else:
            arg, bl = found[0][0], found[0][2]
            for a, _, lo, _ in found[1:]:
                if lo > bl:
                    arg, bl = a, lo
            xl[me], xh[me] = bl, max(hi for _, _, _, hi in found)
        best_act[me] = arg

    for level in q.levels:
        for c in level.tolist():
            members = q.comp_nodes[q.comp_ptr[c]:q.comp_ptr[c + 1]].tolist()
            if len(members) == 1:
                solve_single(members[0])
            elif len(members) <= exact_limit and _inputs_exact(q, members, xe, mdp):
                _policy_iteration(q, members, xe, xl, xh, best_act, mdp)
            else:
                _interval_iteration(q, members, xe, xl, xh, best_act, mdp, goal)
    exact: list[Fraction | None] = [None] * n
    low = np.zeros(n)
    high = np.zeros(n)
    for s in np.flatnonzero(goal).tolist():
        exact[s] = one
    low[goal] = 1.0
    high[goal] = 1.0
    for s in range(n):
        if not goal_l[s] and node_l[s] < 0:
            exact[s] = zero
    maybe = np.flatnonzero(q.maybe)
    nodes = q.node[maybe]
    low[maybe] = xl[nodes]
    high[maybe] = xh[nodes]
    for s, nd in zip(maybe.tolist(), nodes.tolist(), strict=True):
        exact[s] = xe[nd]
    strategy = _strategy(mdp, q, best_act)
    return Solution(exact, low, high, strategy)


def _inputs_exact(q: _Quotient, members: list[int], xe: list[Fraction | None], mdp: MDP
                  ) -> bool:
    """Every value the component's actions read from outside it is exact."""
    inside = set(members)
    for me in members:
        for i in range(int(q.act_ptr[me]), int(q.act_ptr[me + 1])):
            a = int(q.acts[i])
            for k in range(int(mdp.out_ptr[a]), int(mdp.out_ptr[a + 1])):
                nt = int(q.node[int(mdp.out_dst[k])])
                if nt >= 0 and nt not in inside and xe[nt] is None:
                    return False
    return True


def _policy_iteration(q: _Quotient, members: list[int], xe: list[Fraction | None],
                      xl: np.ndarray, xh: np.ndarray, best_act: IntArray, mdp: MDP) -> None:
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
                    b += p * xe[nt]  # type: ignore[operator]
                elif q.goal[t]:
                    b += p
            rows.append(row)
            rhs.append(b)
        x = solve_exact(rows, rhs)
        for m in members:
            xe[m] = x[index[m]]
        changed = False
        for m in members:
            best, arg = xe[m], policy[m]
            for a in acts[m]:
                v = _q_value(q, a, xe, mdp)
                if v > best:  # type: ignore[operator]
                    best, arg = v, a
            if arg != policy[m]:
                policy[m] = arg
                changed = True
        if not changed:
            break
    for m in members:
        v = xe[m]
        xl[m] = xh[m] = float(v)  # type: ignore[arg-type]
        best_act[m] = policy[m]


def _q_value(q: _Quotient, a: int, xe: list[Fraction | None], mdp: MDP) -> Fraction:
    """sum of p * x over the outcomes of action a (x of a node; 1 for the goal; 0 else)."""
    total = Fraction(0)
    for k in range(int(mdp.out_ptr[a]), int(mdp.out_ptr[a + 1])):
        t = int(mdp.out_dst[k])
        p = mdp.probs[int(mdp.out_prob[k])]
        nt = int(q.node[t])
        if nt >= 0:
            total += p * xe[nt]  # type: ignore[operator]
        elif q.goal[t]:
            total += p
    return total


def _interval_iteration(q: _Quotient, members: list[int], xe: list[Fraction | None],
                        xl: np.ndarray, xh: np.ndarray, best_act: IntArray, mdp: MDP,
                        goal: BoolArray) -> None:
    """Float bounds for a strongly connected set of nodes: lower bounds iterated up from 0,
    upper bounds down from 1, until within TOLERANCE (or MAX_SWEEPS)."""
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
    order = np.argsort(owner, kind="stable")
    if not np.array_equal(order, np.arange(len(order))):
        raise AssertionError("actions are grouped by node")
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
    xl[members_a] = lo[members_a]
    xh[members_a] = hi[members_a]
    vlo = np.where(inner, lo[np.maximum(nt, 0)], fixed_lo)
    qlo = np.add.reduceat(p * vlo, starts)
    for i, m in enumerate(owner[a_starts].tolist()):
        seg = qlo[a_starts[i]:(a_starts[i + 1] if i + 1 < len(a_starts) else len(qlo))]
        best_act[m] = int(acts[a_starts[i] + int(np.argmax(seg))])
    for m in members:
        xe[m] = None


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
    while True:
        # an internal action of an undone state with an outcome into a done state of its MEC
        hit = done[mdp.out_dst] & q.internal[mdp.out_act]
        acts = np.unique(mdp.out_act[hit])
        acts = acts[~done[mdp.act_src[acts]]]
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
    return Solution(exact, val.copy(), val.copy(), np.full(n, -1, dtype=np.int64))


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
    b = np.ones(m)
    for s in members:
        i = index[s]
        a = int(chain.act_ptr[s])
        for k in range(int(chain.out_ptr[a]), int(chain.out_ptr[a + 1])):
            t = int(chain.out_dst[k])
            p = float(chain.probs[int(chain.out_prob[k])])
            if t in index:
                ii.append(i)
                jj.append(index[t])
                vv.append(p)
            else:
                b[i] += p * val[t]
    a_mat = scipy.sparse.identity(m, format="csr") - scipy.sparse.csr_matrix(
        (vv, (ii, jj)), shape=(m, m))
    x = scipy.sparse.linalg.spsolve(a_mat.tocsc(), b)
    for s in members:
        val[s] = float(np.atleast_1d(x)[index[s]])
        floated[s] = True
