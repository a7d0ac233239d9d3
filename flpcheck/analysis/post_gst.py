"""The post-GST graphs: one per crash set (and per trusted process, with a failure detector).

A run after GST is a path in the graph of the events the rules allow (:mod:`flpcheck.analysis.gst`),
with the processes of a crash set K taking no step. Crashes may come at GST or later: a crash
after GST moves the run from the graph of K - {p} to the graph of K at the same configuration
(a *crash transition*; K only grows, so these graphs form a chain by size).

- Without ``gst_by``, every explored configuration may be the configuration at GST (the
  adversary places GST where it likes), so the graph of K is the explored graph itself with an
  edge mask: no second exploration. A crash after GST is then no different from a crash at GST
  for what may happen next (the adversary may move GST to the crash), but it still counts in
  the number of events after GST.
- With ``gst_by`` D, the configurations at GST are those reachable within D events (the
  explored ``pre`` space, cut at depth D); the graph of K is explored from them and from every
  configuration of the graphs of K - {p} (crashes after GST), with only the allowed events and
  without expanding the configurations that count as decided
  (:func:`~flpcheck.explorer.restricted.explore_from`). That graph may still be infinite: the
  bounds cut it, and what it cut is said.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..explorer.engine import Progress, StopCheck
from ..explorer.restricted import Interning, explore_from
from ..explorer.statespace import StateSpace
from ..model.suspicion import Suspicions
from .gst import GSTRules
from .gst_filter import OutputTable, PostGSTFilter, Terminal, edge_mask

__all__ = ["PostGraph", "PostBounds", "crash_sets", "build_post_graphs"]

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class PostBounds:
    """Bounds on each post-GST exploration (``gst_by`` only)."""

    max_configs: int | None = None
    max_buffer: int | None = None
    max_depth: int | None = None


@dataclass(eq=False)
class PostGraph:
    """The graph after GST for crash set ``crashed`` (and ``trusted``, the process the detector
    never suspects, in detector mode).

    ``space`` holds the configurations and edges; ``edge_ok`` marks the allowed edges;
    ``terminal`` the configurations that count as decided for this crash set; ``live`` those a
    run may continue from (not decided, expanded); ``cut`` those a bound left unexpanded (not
    decided). ``pre_id`` is the id in the pre-GST space of every configuration that may be the
    one at GST (-1 for the others); ``parents`` the graphs a crash after GST comes from."""

    crashed: frozenset[int]
    trusted: int | None
    space: StateSpace
    edge_ok: Bools
    terminal: Bools
    live: Bools
    cut: Bools
    pre_id: npt.NDArray[np.int64]
    parents: list[tuple[int, PostGraph]] = field(default_factory=list)

    def locate(self, rows: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
        """The id in this graph of every row (-1 where it is not here)."""
        if not len(rows):
            return np.zeros(0, dtype=np.int64)
        return self.space.row_index.lookup(np.asarray(rows, dtype=np.int32)).astype(np.int64)


def crash_sets(n: int, crashes: int, spare: int | None) -> list[frozenset[int]]:
    """Every crash set of at most ``crashes`` processes (and fewer than n) that leaves
    ``spare`` (the leader or trusted process) alive, by size, then in lexicographic order."""
    pool = [p for p in range(n) if p != spare]
    out = []
    for k in range(min(crashes, n - 1) + 1):
        out += [frozenset(c) for c in itertools.combinations(pool, k)]
    return out


def build_post_graphs(pre: StateSpace, rules: GSTRules, crashes: int, termination: str,
                      gst_by: int | None, bounds: PostBounds | None = None,
                      stop: StopCheck | None = None, progress: Progress | None = None
                      ) -> dict[int | None, list[PostGraph]]:
    """The post-GST graphs of every scenario: for each trusted process (detector mode; None
    otherwise) the graphs of its crash sets, by size. ``progress`` is called as each graph
    explored after GST (``gst_by`` only) grows, with its own counts."""
    n = pre.n
    bounds = PostBounds() if bounds is None else bounds
    table = pre.table
    outputs = OutputTable(table)
    suspicions = Suspicions(table) if rules.detector else None
    trusted_choices: list[int | None] = list(range(n)) if rules.detector else [None]
    interning = Interning(pre) if gst_by is not None else None
    every = np.arange(len(pre), dtype=np.int64)  # without gst_by every configuration is a start
    result: dict[int | None, list[PostGraph]] = {}
    for trusted in trusted_choices:
        spare = trusted if rules.detector else rules.leader
        these = GSTRules(rules.timeouts, rules.leader, rules.detector, trusted)
        graphs: dict[frozenset[int], PostGraph] = {}
        for k in crash_sets(n, crashes, spare):
            allow = PostGSTFilter(table, these, k, suspicions)
            terminal = Terminal(outputs, termination, k)
            parents = [(p, graphs[k - {p}]) for p in sorted(k)]
            if interning is None:
                g = _masked(pre, allow, terminal, k, trusted, every)
            else:
                g = _explored(pre, interning, allow, terminal, k, trusted, parents, bounds,
                              stop, progress)
            g.parents = parents
            graphs[k] = g
        result[trusted] = list(graphs.values())
    return result


def _masked(pre: StateSpace, allow: PostGSTFilter, terminal: Terminal, k: frozenset[int],
            trusted: int | None, every: npt.NDArray[np.int64]) -> PostGraph:
    """The explored graph itself, with the allowed edges marked."""
    term = terminal(pre.rows)
    expanded = pre.expanded
    return PostGraph(k, trusted, pre, edge_mask(pre, allow), term, ~term & expanded,
                     ~term & ~expanded, every)


def _explored(pre: StateSpace, interning: Interning, allow: PostGSTFilter, terminal: Terminal,
              k: frozenset[int], trusted: int | None, parents: list[tuple[int, PostGraph]],
              bounds: PostBounds, stop: StopCheck | None, progress: Progress | None
              ) -> PostGraph:
    """The graph explored from the configurations within GST's bound, and from every
    configuration of the graphs a crash after GST comes from."""
    starts = np.flatnonzero(~terminal(pre.rows))
    seeds = [pre.rows[starts].astype(np.int32)]
    for _, parent in parents:
        rows = parent.space.rows[np.flatnonzero(parent.live)].astype(np.int32)
        seeds.append(rows[~terminal(rows)])
    space = explore_from(interning, np.concatenate(seeds), allow, terminal,
                         max_configs=bounds.max_configs, max_buffer=bounds.max_buffer,
                         max_depth=bounds.max_depth, stop=stop, progress=progress)
    pre_id = np.full(len(space), -1, dtype=np.int64)
    pre_id[space.seeds[: len(starts)]] = starts
    term = space.terminal
    return PostGraph(k, trusted, space, np.ones(space.num_events, dtype=bool), term,
                     space.expanded & ~term, space.cut, pre_id)
