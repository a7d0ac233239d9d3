"""The Markov chain and the Markov decision process of an explored state space.

- The **uniform scheduler** (:func:`uniform_chain`): at a configuration, each of the distinct
  applicable events (the out-edges' events: the N null steps and one per distinct pending
  message) is chosen with equal probability, then chance picks the outcome of a step left to
  chance with its own probability. One state per configuration.
- The **adversary** (:func:`adversary_mdp`): the scheduler picks the event (an action), chance
  its outcome; with a crash budget t the adversary may also crash a process at any time (an
  action that takes no time), after which that process takes no step. States are pairs
  (configuration, crash set), those reachable from the initial configurations with no crash.

A configuration the exploration did not expand (a bound cut it) has no action: the analyses
treat it as unknown (:attr:`SpaceMDP.cut`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...errors import UsageError
from ...explorer.statespace import StateSpace
from ..graph import edge_sources
from .mdp import MDP, BoolArray, IntArray

__all__ = ["SpaceMDP", "uniform_chain", "adversary_mdp", "SCHEDULERS"]

SCHEDULERS = ("uniform", "adversary")


@dataclass(frozen=True, eq=False)
class SpaceMDP:
    """An MDP (or chain) over the configurations of a space, with what ties them together."""

    space: StateSpace
    mdp: MDP
    scheduler: str
    #: per state: its configuration id in the space
    config: IntArray
    #: per state: the crashed processes, as a bit mask (bit p: p crashed)
    crashed: IntArray
    #: (input vector, state) of the initial configurations, in the space's order
    initial: tuple[tuple[tuple[int, ...], int], ...]
    #: the crash budget t (0 for the uniform scheduler)
    crashes: int
    #: per outcome: the edge of the space it follows (-1 for a crash)
    out_edge: IntArray

    @property
    def cut(self) -> BoolArray:
        """Per state: its configuration was not expanded (a bound cut it)."""
        return ~self.space.expanded[self.config]

    def live(self, s: int) -> frozenset[int]:
        """The processes that have not crashed in state ``s``."""
        mask = int(self.crashed[s])
        return frozenset(p for p in range(self.space.n) if not mask >> p & 1)

    def crash_set(self, s: int) -> frozenset[int]:
        """The processes that have crashed in state ``s``."""
        return frozenset(range(self.space.n)) - self.live(s)


def _check_space(space: StateSpace) -> None:
    space.require_full("a probability of deciding")


def _actions(space: StateSpace) -> tuple[IntArray, IntArray, IntArray]:
    """The events of the space as actions: (first edge, number of edges, source configuration)
    of every maximal run of consecutive edges of one configuration with one event (an event's
    outcomes are consecutive)."""
    ip = np.asarray(space.indptr, dtype=np.int64)
    ev = np.asarray(space.edge_event, dtype=np.int64)
    e = len(ev)
    if e == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    src = edge_sources(ip)
    start = np.ones(e, dtype=bool)
    start[1:] = (ev[1:] != ev[:-1]) | (src[1:] != src[:-1])
    first = np.flatnonzero(start).astype(np.int64)
    counts = np.diff(np.append(first, e)).astype(np.int64)
    return first, counts, np.asarray(src[first], dtype=np.int64)


def _ranges(first: IntArray, counts: IntArray) -> IntArray:
    """The concatenation of ``range(first[i], first[i] + counts[i])`` over i."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(first - (np.cumsum(counts) - counts), counts)
    return np.arange(total, dtype=np.int64) + offsets


def _edge_probability(space: StateSpace) -> IntArray:
    if space.edge_probability is None:
        return np.zeros(len(space.edge_dst), dtype=np.int64)
    return np.asarray(space.edge_probability, dtype=np.int64)


def uniform_chain(space: StateSpace) -> SpaceMDP:
    """The Markov chain of the uniform scheduler (module docstring): one state per
    configuration, one action per expanded configuration."""
    _check_space(space)
    c = len(space)
    first, counts, src = _actions(space)
    events_per = np.bincount(src, minlength=c).astype(np.int64)  # distinct events per config
    edges_per = np.diff(np.asarray(space.indptr, dtype=np.int64)).astype(np.int64)
    has = edges_per > 0
    act_ptr = np.concatenate([[0], np.cumsum(has)]).astype(np.int64)
    out_ptr = np.concatenate([[0], np.cumsum(edges_per[has])]).astype(np.int64)
    dst = np.asarray(space.edge_dst, dtype=np.int64)
    eprob = _edge_probability(space)
    k = np.repeat(events_per, edges_per)
    keys = k * len(space.probabilities) + eprob
    uniq, inv = np.unique(keys, return_inverse=True)
    probs = tuple(space.probabilities[int(u) % len(space.probabilities)]
                  / Fraction(int(u) // len(space.probabilities)) for u in uniq.tolist())
    n_act = int(has.sum())
    mdp = MDP(act_ptr, out_ptr, dst, inv.reshape(-1).astype(np.int64), probs,
              np.full(n_act, -1, dtype=np.int64), np.full(n_act, -1, dtype=np.int64),
              np.zeros(n_act, dtype=bool))
    return SpaceMDP(space, mdp, "uniform", np.arange(c, dtype=np.int64),
                    np.zeros(c, dtype=np.int64), tuple(space.initial), 0,
                    np.arange(len(dst), dtype=np.int64))


def adversary_mdp(space: StateSpace, crashes: int = 0) -> SpaceMDP:
    """The adversary's MDP (module docstring) with at most ``crashes`` crashes."""
    _check_space(space)
    n, c = space.n, len(space)
    if crashes < 0 or crashes >= n:
        raise UsageError(f"--crashes {crashes}: use 0..{n - 1} (at least one process must "
                         "stay alive)")
    if crashes == 0:
        return _crash_free(space)
    layers = [frozenset(f) for k in range(crashes + 1)
              for f in itertools.combinations(range(n), k)]
    layer_of = {f: i for i, f in enumerate(layers)}
    masks = np.array([sum(1 << p for p in f) for f in layers], dtype=np.int64)
    first, counts, src = _actions(space)
    pid = space.edge_pid[first].astype(np.int64) if len(first) else np.zeros(0, np.int64)
    event = np.asarray(space.edge_event, dtype=np.int64)[first]
    dst_cfg = np.asarray(space.edge_dst, dtype=np.int64)
    eprob = _edge_probability(space)
    expanded = np.asarray(space.expanded, dtype=bool)
    # per product action: source state, kind (0 event, 1 crash), pid, event, outcome edges
    a_state, a_kind, a_pid, a_event, a_first, a_count, a_layer = [], [], [], [], [], [], []
    crash_target = []
    for li, f in enumerate(layers):
        keep = ~np.isin(pid, sorted(f)) if f else np.ones(len(pid), dtype=bool)
        a_state.append(li * c + src[keep])
        a_kind.append(np.zeros(int(keep.sum()), dtype=np.int64))
        a_pid.append(pid[keep])
        a_event.append(event[keep])
        a_first.append(first[keep])
        a_count.append(counts[keep])
        a_layer.append(np.full(int(keep.sum()), li, dtype=np.int64))
        crash_target.append(np.full(int(keep.sum()), -1, dtype=np.int64))
        if len(f) < crashes:
            cfgs = np.flatnonzero(expanded).astype(np.int64)
            for p in range(n):
                if p in f:
                    continue
                k = cfgs.size
                a_state.append(li * c + cfgs)
                a_kind.append(np.ones(k, dtype=np.int64))
                a_pid.append(np.full(k, p, dtype=np.int64))
                a_event.append(np.full(k, -1, dtype=np.int64))
                a_first.append(np.zeros(k, dtype=np.int64))
                a_count.append(np.ones(k, dtype=np.int64))
                a_layer.append(np.full(k, li, dtype=np.int64))
                crash_target.append(layer_of[f | {p}] * c + cfgs)
    state = np.concatenate(a_state)
    kind = np.concatenate(a_kind)
    order = np.lexsort((kind, state))  # stable: events in the space's order, then crashes
    state, kind = state[order], kind[order]
    apid = np.concatenate(a_pid)[order]
    aevent = np.concatenate(a_event)[order]
    afirst, acount = np.concatenate(a_first)[order], np.concatenate(a_count)[order]
    alayer = np.concatenate(a_layer)[order]
    ctarget = np.concatenate(crash_target)[order]
    # outcomes: the edges of an event action (in its layer), the crash target of a crash
    counts_out = np.where(kind == 0, acount, 1)
    edges = _ranges(np.where(kind == 0, afirst, 0), np.where(kind == 0, acount, 0))
    out_dst = np.empty(int(counts_out.sum()), dtype=np.int64)
    out_prob = np.zeros(len(out_dst), dtype=np.int64)
    is_event_out = np.repeat(kind == 0, counts_out)
    out_dst[is_event_out] = np.repeat(alayer[kind == 0], acount[kind == 0]) * c + dst_cfg[edges]
    out_prob[is_event_out] = eprob[edges]
    out_dst[~is_event_out] = ctarget[kind == 1]
    out_edge = np.full(len(out_dst), -1, dtype=np.int64)
    out_edge[is_event_out] = edges
    total = c * len(layers)
    act_ptr = np.concatenate([[0], np.cumsum(np.bincount(state, minlength=total))])
    out_ptr = np.concatenate([[0], np.cumsum(counts_out)])
    full = MDP(act_ptr.astype(np.int64), out_ptr.astype(np.int64), out_dst, out_prob,
               tuple(space.probabilities), apid, aevent, kind == 1)
    initial = tuple(space.initial)
    return _restrict(space, full, np.repeat(masks, c), np.tile(np.arange(c, dtype=np.int64),
                                                               len(layers)),
                     initial, crashes, out_edge)


def _crash_free(space: StateSpace) -> SpaceMDP:
    """The adversary's MDP without crashes: the space itself, one state per configuration (all
    reachable), one action per event (its outcomes consecutive edges)."""
    c = len(space)
    first, counts, src = _actions(space)
    n_act = len(first)
    act_ptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=c))]).astype(np.int64)
    out_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64) if n_act \
        else np.zeros(1, dtype=np.int64)
    pid = space.edge_pid[first].astype(np.int64) if n_act else np.zeros(0, np.int64)
    event = np.asarray(space.edge_event, dtype=np.int64)[first]
    mdp = MDP(act_ptr, out_ptr, np.asarray(space.edge_dst, dtype=np.int64),
              _edge_probability(space), tuple(space.probabilities), pid, event,
              np.zeros(n_act, dtype=bool))
    return SpaceMDP(space, mdp, "adversary", np.arange(c, dtype=np.int64),
                    np.zeros(c, dtype=np.int64), tuple(space.initial), 0,
                    np.arange(len(space.edge_dst), dtype=np.int64))


def _restrict(space: StateSpace, full: MDP, crashed: IntArray, config: IntArray,
              initial: tuple[tuple[tuple[int, ...], int], ...], crashes: int,
              out_edge: IntArray) -> SpaceMDP:
    """The sub-MDP of the states reachable from the initial ones (layer 0), renumbered in
    breadth-first order of the original numbering (layer-major)."""
    from scipy.sparse.csgraph import breadth_first_order

    from .mdp import _with_root

    starts = np.array(sorted({cid for _, cid in initial}), dtype=np.int64)
    g = _with_root(full.graph(), starts)
    n_full = full.n_states
    order = breadth_first_order(g, n_full, directed=True, return_predecessors=False)
    keep = np.zeros(n_full, dtype=bool)
    keep[order[order < n_full]] = True
    new_id = np.full(n_full, -1, dtype=np.int64)
    kept = np.flatnonzero(keep)
    new_id[kept] = np.arange(kept.size, dtype=np.int64)
    act_keep = keep[full.act_src]
    counts = np.diff(full.act_ptr)[kept]
    act_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    out_counts = np.diff(full.out_ptr)[act_keep]
    out_keep = act_keep[full.out_act]
    mdp = MDP(act_ptr, np.concatenate([[0], np.cumsum(out_counts)]).astype(np.int64),
              new_id[full.out_dst[out_keep]], full.out_prob[out_keep], full.probs,
              full.act_pid[act_keep], full.act_event[act_keep], full.zero_time[act_keep])
    init = tuple((x, int(new_id[cid])) for x, cid in initial)
    return SpaceMDP(space, mdp, "adversary", config[kept], crashed[kept], init, crashes,
                    out_edge[out_keep])
