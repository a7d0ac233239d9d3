"""End components: where an adversary can keep a run forever, whatever chance does.

An *end component* (de Alfaro, *Formal Verification of Probabilistic Systems*, PhD thesis,
Stanford 1997, ch. 3) is a set of states T with a set of actions A of them such that every
outcome of every action in A stays in T and the graph (T, A) is strongly connected. Under any
adversary, with probability 1 the states and actions a run visits infinitely often form an end
component; conversely, inside an end component an adversary that picks its actions at random
visits all of them infinitely often with probability 1.

:func:`maximal_end_components` is the classic refinement: strongly connected components of the
states allowed, keep the actions whose outcomes stay in the component of their state, drop
states left without an action, repeat (Baier and Katoen, *Principles of Model Checking*, MIT
Press 2008, section 10.6, on end components).

:func:`fair_end_components` refines them for FLP's fairness (an admissible run: every live
process steps, every message to a live process is eventually received), a Streett condition:
a component lacking a step of some live process holds no fair end component at all; a state
holding a message to a live process that no action of the component receives is in none;
remove those, recompute the maximal end components, repeat (the refinement for strong
fairness, as :mod:`flpcheck.analysis.fairness` refines strongly connected components for fair
cycles). The union of the fair end components is what a fair adversary can stay in forever:
``Pmin over fair adversaries (reach T) = 1 - Pmax(reach the fair end components outside T)``
(Baier and Katoen, section 10.6, on fairness in MDPs: a fair adversary's run ends, with
probability 1, in a fair end component; fairness is realizable from every configuration of
FLP's model, since a process may always step and every message may always be received).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from .build import SpaceMDP
from .mdp import MDP, BoolArray, IntArray, action_all

__all__ = ["maximal_end_components", "fair_end_components", "pending_pairs"]


def maximal_end_components(mdp: MDP, allowed: BoolArray, actions: BoolArray | None = None
                           ) -> tuple[IntArray, BoolArray]:
    """The maximal end components inside the states ``allowed`` (using only the actions kept
    by ``actions``, if given): ``(labels, inside)`` with ``labels[s]`` the component of state s
    (-1 where s is in none) and ``inside`` the actions of the components."""
    n = mdp.n_states
    states = allowed.copy()
    ok = states[mdp.act_src] & action_all(mdp, states[mdp.out_dst])
    if actions is not None:
        ok &= actions
    while True:
        keep = ok[mdp.out_act]
        g = scipy.sparse.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.int8), (mdp.out_src[keep], mdp.out_dst[keep])),
            shape=(n, n))
        count, labels = connected_components(g, directed=True, connection="strong")
        labels = labels.astype(np.int64)
        if count == n:  # every component a single state: the end components are the states
            # with an action all of whose outcomes come back (self-loops)
            ok &= action_all(mdp, mdp.out_src == mdp.out_dst)
            has = np.zeros(n, dtype=bool)
            has[mdp.act_src[ok]] = True
            states &= has
            ok &= states[mdp.act_src]
            break
        same = labels[mdp.out_src] == labels[mdp.out_dst]
        new_ok = ok & action_all(mdp, same)
        has = np.zeros(n, dtype=bool)
        has[mdp.act_src[new_ok]] = True
        new_states = states & has
        new_ok &= new_states[mdp.act_src] & action_all(mdp, new_states[mdp.out_dst])
        if np.array_equal(new_ok, ok) and np.array_equal(new_states, states):
            break
        ok, states = new_ok, new_states
    out = np.where(states, labels, -1)
    return _renumber(out), ok


def _renumber(labels: IntArray) -> IntArray:
    """Labels 0, 1, ... in order of each component's lowest state (-1 kept)."""
    out = np.full(len(labels), -1, dtype=np.int64)
    inside = labels >= 0
    if inside.any():
        uniq, first, inv = np.unique(labels[inside], return_index=True, return_inverse=True)
        rank = np.empty(len(uniq), dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(len(uniq), dtype=np.int64)
        out[inside] = rank[inv.reshape(-1)]
    return out


def pending_pairs(smdp: SpaceMDP, states: BoolArray) -> tuple[IntArray, IntArray]:
    """Every (state, distinct message id) with the message pending in the state's configuration
    and addressed to a process that has not crashed there, for the states marked."""
    space = smdp.space
    n = space.n
    chosen = np.flatnonzero(states)
    cs, ms = [], []
    for q in range(n):
        alive = chosen[(smdp.crashed[chosen] >> q & 1) == 0]
        if not alive.size:
            continue
        col = np.asarray(space.rows[smdp.config[alive], n + q], dtype=np.int64)
        uniq, inv = np.unique(col, return_inverse=True)
        distinct = [sorted(set(space.buffers[b])) for b in uniq.tolist()]
        lengths = np.array([len(d) for d in distinct], dtype=np.int64)
        flat = np.array([m for d in distinct for m in d], dtype=np.int64)
        per = lengths[inv.reshape(-1)]
        total = int(per.sum())
        if total == 0:
            continue
        starts = np.cumsum(lengths) - lengths
        offsets = np.repeat(starts[inv.reshape(-1)] - (np.cumsum(per) - per), per)
        cs.append(np.repeat(alive, per))
        ms.append(flat[np.arange(total, dtype=np.int64) + offsets])
    if not cs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(cs), np.concatenate(ms)


def fair_end_components(smdp: SpaceMDP, allowed: BoolArray) -> tuple[IntArray, BoolArray]:
    """The union of the fair end components inside ``allowed`` (module docstring), as
    maximal fair sets: ``(labels, inside)`` like :func:`maximal_end_components`, each labelled
    set a union of fair end components (every live process steps in it, every message pending
    to a live process in one of its states is received by one of its actions)."""
    mdp = smdp.mdp
    n = smdp.space.n
    m_count = max(1, len(smdp.space.table.messages))
    events = mdp.act_event
    pc, pm = pending_pairs(smdp, allowed)
    states = allowed.copy()
    while True:
        labels, inside = maximal_end_components(mdp, states, ~mdp.zero_time)
        in_comp = labels >= 0
        if not in_comp.any():
            return labels, inside
        comp = labels[mdp.act_src[inside]]
        pids = mdp.act_pid[inside]
        size = int(labels.max()) + 1
        steps = np.zeros((size, n), dtype=bool)
        steps[comp, pids] = True
        stepping = steps.sum(axis=1)
        first = np.zeros(size, dtype=np.int64)
        first[labels[in_comp]] = np.flatnonzero(in_comp)  # any state of each component
        crashed = smdp.crashed[first]
        live_count = n - np.array([bin(int(c)).count("1") for c in crashed.tolist()],
                                  dtype=np.int64)
        bad = in_comp & (stepping < live_count)[np.maximum(labels, 0)]
        ev = events[inside]
        recv = np.unique(comp[ev >= n] * m_count + (ev[ev >= n] - n))
        keep = in_comp[pc]
        pc, pm = pc[keep], pm[keep]
        missing = ~np.isin(labels[pc] * m_count + pm, recv)
        bad[pc[missing]] = True
        if not bad.any():
            return labels, inside
        states = in_comp & ~bad
