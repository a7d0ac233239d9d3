"""A finite Markov decision process in compressed arrays: the value every chance analysis reads.

States are numbered 0..S-1. The actions of state ``s`` are ``act_ptr[s]:act_ptr[s + 1]``; the
outcomes of action ``a`` are ``out_ptr[a]:out_ptr[a + 1]``, each a target state ``out_dst`` and
the index ``out_prob`` of its probability in ``probs`` (exact fractions; the outcomes of one
action sum to 1). A Markov chain is an MDP with at most one action per state. An action may
take no time (``zero_time``: the adversary's crash of a process), which step-bounded queries
honour. Built from an explored state space by :mod:`flpcheck.analysis.chance.build`, or from
plain lists by :meth:`MDP.from_lists` (hand-made examples, tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
import numpy.typing as npt
import scipy.sparse

__all__ = ["MDP", "IntArray", "BoolArray"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class MDP:
    """States, actions and outcomes in CSR arrays (see the module docstring)."""

    act_ptr: IntArray
    out_ptr: IntArray
    out_dst: IntArray
    out_prob: IntArray
    probs: tuple[Fraction, ...]
    #: per action: the process that steps (or crashes), -1 when none (a chain's mixture)
    act_pid: IntArray
    #: per action: the event id in the space (N + m receives message m), -1 for a crash or a
    #: chain's mixture
    act_event: IntArray
    #: per action: it takes no time (a crash)
    zero_time: BoolArray

    @property
    def n_states(self) -> int:
        return len(self.act_ptr) - 1

    @property
    def n_actions(self) -> int:
        return len(self.out_ptr) - 1

    @cached_property
    def act_src(self) -> IntArray:
        """The state of every action."""
        return np.repeat(np.arange(self.n_states, dtype=np.int64), np.diff(self.act_ptr))

    @cached_property
    def out_act(self) -> IntArray:
        """The action of every outcome."""
        return np.repeat(np.arange(self.n_actions, dtype=np.int64), np.diff(self.out_ptr))

    @cached_property
    def out_src(self) -> IntArray:
        """The state every outcome leaves."""
        return self.act_src[self.out_act]

    @cached_property
    def out_float(self) -> npt.NDArray[np.float64]:
        """The probability of every outcome as a float."""
        table = np.array([float(p) for p in self.probs], dtype=np.float64)
        return table[self.out_prob]

    @cached_property
    def denominator(self) -> int:
        """The least common multiple of the probabilities' denominators."""
        return int(np.lcm.reduce([p.denominator for p in self.probs])) if self.probs else 1

    @property
    def is_chain(self) -> bool:
        """At most one action per state."""
        return bool((np.diff(self.act_ptr) <= 1).all())

    def graph(self, actions: BoolArray | None = None) -> scipy.sparse.csr_matrix:
        """The state graph (an edge s -> t for every outcome of an action of s kept by
        ``actions``) as a scipy CSR matrix with int8 data."""
        keep = np.ones(len(self.out_dst), dtype=bool) if actions is None \
            else actions[self.out_act]
        n = self.n_states
        return scipy.sparse.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.int8), (self.out_src[keep], self.out_dst[keep])),
            shape=(n, n))

    def successors(self, s: int) -> list[tuple[int, list[tuple[Fraction, int]]]]:
        """The actions of state ``s``: (action id, [(probability, target)])."""
        out = []
        for a in range(int(self.act_ptr[s]), int(self.act_ptr[s + 1])):
            lo, hi = int(self.out_ptr[a]), int(self.out_ptr[a + 1])
            out.append((a, [(self.probs[int(self.out_prob[k])], int(self.out_dst[k]))
                            for k in range(lo, hi)]))
        return out

    @classmethod
    def from_lists(cls, actions: Sequence[Sequence[Sequence[tuple[Fraction | int, int]]]],
                   pids: Sequence[Sequence[int]] | None = None,
                   zero_time: Sequence[Sequence[bool]] | None = None) -> MDP:
        """An MDP from plain lists: ``actions[s]`` lists the actions of state s, each a list of
        (probability, target) pairs summing to 1. ``pids`` gives each action's process
        (default -1), ``zero_time`` marks actions that take no time.

        >>> m = MDP.from_lists([[[(Fraction(1, 2), 0), (Fraction(1, 2), 1)]], [[(1, 1)]]])
        >>> m.n_states, m.n_actions, [str(p) for p in m.probs], m.is_chain
        (2, 2, ['1/2', '1'], True)
        """
        act_ptr, out_ptr, dst, prob = [0], [0], [], []
        pid_list: list[int] = []
        zero: list[bool] = []
        index: dict[Fraction, int] = {}
        for s, acts in enumerate(actions):
            for i, outcomes in enumerate(acts):
                total = Fraction(0)
                for p, t in outcomes:
                    p = Fraction(p)
                    if p <= 0 or not 0 <= t < len(actions):
                        raise ValueError(f"state {s}, action {i}: bad outcome ({p}, {t})")
                    total += p
                    dst.append(t)
                    prob.append(index.setdefault(p, len(index)))
                if total != 1:
                    raise ValueError(f"state {s}, action {i}: probabilities sum to {total}")
                out_ptr.append(len(dst))
                pid_list.append(-1 if pids is None else pids[s][i])
                zero.append(False if zero_time is None else zero_time[s][i])
            act_ptr.append(len(out_ptr) - 1)
        probs = tuple(sorted(index, key=index.__getitem__))
        return cls(np.array(act_ptr, dtype=np.int64), np.array(out_ptr, dtype=np.int64),
                   np.array(dst, dtype=np.int64), np.array(prob, dtype=np.int64), probs,
                   np.array(pid_list, dtype=np.int64),
                   np.full(len(pid_list), -1, dtype=np.int64), np.array(zero, dtype=bool))


def action_all(mdp: MDP, per_outcome: BoolArray) -> BoolArray:
    """Per action: ``per_outcome`` holds for every one of its outcomes (True for an action
    without outcomes, which an MDP never has)."""
    return np.bincount(mdp.out_act[~per_outcome], minlength=mdp.n_actions) == 0


def action_any(mdp: MDP, per_outcome: BoolArray) -> BoolArray:
    """Per action: ``per_outcome`` holds for some of its outcomes."""
    hit = np.zeros(mdp.n_actions, dtype=bool)
    hit[mdp.out_act[per_outcome]] = True
    return hit


def state_any(mdp: MDP, per_action: BoolArray) -> BoolArray:
    """Per state: ``per_action`` holds for some of its actions."""
    hit = np.zeros(mdp.n_states, dtype=bool)
    hit[mdp.act_src[per_action]] = True
    return hit


def can_reach(mdp: MDP, goal: BoolArray, actions: BoolArray | None = None) -> BoolArray:
    """The states from which some path (along outcomes of the actions kept) reaches ``goal``."""
    from scipy.sparse.csgraph import breadth_first_order

    g = mdp.graph(actions).T.tocsr()
    seen = goal.copy()
    starts = np.flatnonzero(goal)
    if not starts.size:
        return seen
    n = mdp.n_states
    order = breadth_first_order(_with_root(g, starts), n, directed=True,
                                return_predecessors=False)
    seen[order[order < n]] = True
    return seen


def _with_root(g: scipy.sparse.csr_matrix, starts: IntArray) -> scipy.sparse.csr_matrix:
    """``g`` with one more node (number n) whose edges go to ``starts``."""
    n = g.shape[0]
    coo = g.tocoo()
    rows = np.concatenate([coo.row, np.full(starts.size, n, dtype=np.int64)])
    cols = np.concatenate([coo.col, starts])
    return scipy.sparse.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)),
                                   shape=(n + 1, n + 1))
