"""Probabilistic valence: for every configuration, the adversary's minimum and maximum
probability of deciding 0 and of deciding 1 (what the browser explorer shows beside FLP's
valence).

Deciding v means reaching a configuration in which some process has output v. The maximum over
fair adversaries is the plain maximum (a decision happens after finitely many events, and any
finite prefix extends to a fair run); the minimum over fair adversaries is ``1 - Pmax(reach a
fair end component in which v is never decided)`` (:mod:`~flpcheck.analysis.chance.ends`).
A configuration that is 0-valent has 0 as its maximum of deciding 1; a bivalent one may still
have probability 1 of deciding one value against every fair adversary, or 0 of deciding it
against the worst one: the numbers say how the coins weigh the two sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...explorer.statespace import StateSpace
from .build import SpaceMDP, adversary_mdp
from .ends import fair_end_components
from .solve import Estimate, Solution, max_reach

__all__ = ["ChanceValence", "chance_valence"]


@dataclass(frozen=True, eq=False)
class ChanceValence:
    """The four figures for every configuration of a space (no crash unless asked)."""

    smdp: SpaceMDP
    #: per value v: (min over fair adversaries, max) of P(decide v), per MDP state
    solutions: tuple[tuple[Solution, Solution], tuple[Solution, Solution]]
    #: configuration id -> its crash-free MDP state
    state_of: np.ndarray

    def at(self, cid: int) -> dict[str, Estimate]:
        """``{"min0", "max0", "min1", "max1"}`` at configuration ``cid``: exact where the
        configuration and everything it reaches were explored (a cut configuration counts as
        never deciding: then only lower bounds)."""
        s = int(self.state_of[cid])
        (lo0, hi0), (lo1, hi1) = self.solutions
        return {"min0": lo0.estimate(s), "max0": hi0.estimate(s),
                "min1": lo1.estimate(s), "max1": hi1.estimate(s)}


def chance_valence(space: StateSpace, crashes: int = 0) -> ChanceValence:
    """The adversary's min and max probability of deciding each value, everywhere."""
    smdp = adversary_mdp(space, crashes)
    bits = np.asarray(space.decided, dtype=np.uint8)[smdp.config]
    cut = smdp.cut
    sols = []
    for v in (0, 1):
        target = (bits >> v & 1).astype(bool)
        high = max_reach(smdp.mdp, target)
        stay = fair_end_components(smdp, ~target & ~cut)[0] >= 0
        low = max_reach(smdp.mdp, stay | (cut & ~target), target).complement()
        sols.append((low, high))
    state_of = np.full(len(space), -1, dtype=np.int64)
    free = smdp.crashed == 0
    state_of[smdp.config[free]] = np.flatnonzero(free)
    return ChanceValence(smdp, (sols[0], sols[1]), state_of)
