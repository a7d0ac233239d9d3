"""Valence: which decision values are still reachable from each configuration (FLP §3).

V(C) is the set of decision values of the configurations reachable from C, C included:
{0, 1} bivalent, {0} 0-valent, {1} 1-valent, {} none-valent (no decision can ever be reached).
Computed as the fixpoint of "V(C) includes V(C') for every successor C'" by a few linear
sweeps over the forward edges (configurations in decreasing id order), falling back to
backward-reachability passes from the decided configurations over the reversed graph when the
sweeps do not settle: linear in the graph, never a search per configuration.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import cast

import numpy as np

from ..explorer.engine import StopCheck
from ..explorer.limits import check_stop
from ..explorer.space import Space
from ..explorer.statespace import StateSpace
from .graph import reach, reach_bits

__all__ = ["ValenceMap", "classify_valence", "LABELS", "CODE_LABELS"]

LABELS = ("bivalent", "0-valent", "1-valent", "none")
"""The valence classes, in the order reports list them."""

CODE_LABELS = {0: "none", 1: "0-valent", 2: "1-valent", 3: "bivalent"}
"""The label of each valence code (bit 0: 0 reachable, bit 1: 1 reachable)."""



@dataclass(frozen=True, eq=False)
class ValenceMap:
    """The valence of every configuration of a state space.

    ``codes[c]`` has bit 0 set when 0 is reachable from c, bit 1 when 1 is. ``exact[c]`` is
    false when c can reach a configuration that a bound left unexpanded: then its valence is only
    a lower bound ("bivalent" stays certain; "0-valent" means "at least {0}").
    """

    space: StateSpace
    codes: np.ndarray
    exact: np.ndarray

    def label(self, cid: int) -> str:
        """'bivalent', '0-valent', '1-valent' or 'none'."""
        return CODE_LABELS[int(self.codes[cid])]

    def values(self, cid: int) -> frozenset[int]:
        """V(C): the decision values reachable from ``cid`` (a lower bound where not exact)."""
        code = int(self.codes[cid])
        return frozenset(v for v in (0, 1) if code >> v & 1)

    def is_certain(self, cid: int) -> bool:
        """True when the label of ``cid`` cannot change by exploring further."""
        return bool(self.exact[cid]) or int(self.codes[cid]) == 3

    def describe(self, cid: int) -> str:
        """The label, with 'at least' where a bound makes it a lower bound."""
        label = self.label(cid)
        if self.is_certain(cid):
            return label
        if label == "none":
            return "none so far (cut)"
        return f"at least {{{label[0]}}} (cut)"

    def mask(self, label: str) -> np.ndarray:
        """Boolean array of the configurations with ``label``."""
        code = {v: k for k, v in CODE_LABELS.items()}[label]
        return self.codes == code

    def counts(self) -> dict[str, int]:
        """How many configurations have each label (of the full graph, under reduction)."""
        weights = None if self.space.orbit is None else self.space.orbit
        binc = np.bincount(self.codes, weights=weights, minlength=4).astype(np.int64)
        return {label: int(binc[code]) for code, label in sorted(CODE_LABELS.items(), reverse=True)}

    def lower_counts(self, ids: np.ndarray | None = None) -> dict[str, int]:
        """Of :meth:`counts` (or of the configurations ``ids``), how many of each label are
        only a lower bound (they reach what a bound left unexplored)."""
        lower = ~self.exact & (self.codes != 3)
        if ids is not None:
            chosen = np.zeros(len(lower), dtype=bool)
            chosen[np.asarray(ids, dtype=np.int64)] = True
            lower &= chosen
        weights = None if self.space.orbit is None or ids is not None else self.space.orbit
        binc = np.bincount(self.codes[lower], minlength=4) if weights is None else \
            np.bincount(self.codes[lower], weights=weights[lower], minlength=4).astype(np.int64)
        return {label: int(binc[code]) for code, label in CODE_LABELS.items() if binc[code]}

    def uncertain_count(self) -> int:
        """How many configurations have a label that is only a lower bound."""
        return sum(self.lower_counts().values())

    def initial_counts(self) -> dict[str, int]:
        """How many initial configurations (one per explored input vector) have each label."""
        counts: dict[str, int] = {}
        for _, cid in self.space.initial:
            label = self.label(cid)
            counts[label] = counts.get(label, 0) + 1
        return counts


_CLASSIFIED: weakref.WeakKeyDictionary[Space, tuple[np.ndarray, np.ndarray]] = \
    weakref.WeakKeyDictionary()
"""Each space's valence codes and exactness, kept by the analysis (not on the explorer's
object) for as long as the space lives."""


def classify_valence(space: Space, stop: StopCheck | None = None) -> ValenceMap:
    """Classify every configuration by the decision values reachable from it.

    V(C) is the set of decision values of configurations reachable from C (FLP 1985, §3).
    Computed as a fixpoint over the forward edges (:func:`~flpcheck.analysis.graph.reach_bits`: no
    reversed graph, a few linear sweeps), or by backward reachability over the reversed edges
    when the sweeps do not settle.
    If ``space.complete`` is false, a configuration that can reach a cut configuration gets a
    lower bound: "bivalent" stays certain, a single value means "at least". A graph left on
    its partitions (:class:`~flpcheck.explorer.partition.space.PartitionedSpace`) computes the
    same fixpoint there. Computed once per space; ``stop()`` giving a reason between sweeps
    raises :class:`~flpcheck.explorer.limits.AnalysisStopped` (nothing is kept then).
    """
    known = _CLASSIFIED.get(space)
    if known is None:
        known = _CLASSIFIED[space] = _classify(space, stop)
    return ValenceMap(space, *known)  # type: ignore[arg-type]


def _classify(space: Space, stop: StopCheck | None) -> tuple[np.ndarray, np.ndarray]:
    """(codes, exact) of every configuration."""
    if space.on_partitions:  # the fixpoint runs on the partitions
        bits = space.valence_bits()  # type: ignore[attr-defined]
        return bits & 3, (bits & 4) == 0
    space = cast(StateSpace, space)
    # bit 0: a 0 is decided, bit 1: a 1 is decided, bit 2: not expanded (cut by a bound)
    start = space.decided_array & 3 | (space.cut.astype(np.uint8) << 2)
    bits = reach_bits(space.arrays, start, stop=stop)
    if bits is None:  # many edges to lower ids: backward passes over the reversed graph
        check_stop(stop)
        rev = space.reverse_arrays
        bits = np.zeros(len(space), dtype=np.uint8)
        for v in range(3):
            bits |= reach(rev, (start >> v & 1) != 0, stop=stop).astype(np.uint8) << v
    return bits & 3, (bits & 4) == 0
