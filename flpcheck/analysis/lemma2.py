"""Lemma 2 (FLP 1985) on an explored graph: some initial configuration is bivalent, or two
neighbouring ones in the chain I_0 = 0...0, I_1 = 10...0, ..., I_N = 1...1 are 0-valent and
1-valent and differ in one process p, which then cannot be allowed to crash."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ..explorer.statespace import StateSpace
from ..model.inputs import bits
from .lasso import Run
from .nondeciding import _checked, crash_run, silent_valence
from .valence import classify_valence

__all__ = ["Lemma2", "lemma2"]


@dataclass(frozen=True)
class Lemma2:
    """The chain I_0 = 0...0, I_1 = 10...0, ..., I_N = 1...1 with valences, and what it shows."""

    chain: list[tuple[tuple[int, ...], str]]
    bivalent: tuple[int, ...] | None
    pair: tuple[tuple[int, ...], tuple[int, ...]] | None
    process: int | None
    run: Run | None
    detail: str


def lemma2(space: StateSpace) -> Lemma2:
    """Lemma 2 on the model: a bivalent initial configuration, or the adjacent univalent pair,
    the process p where they differ, and the run with p dead from the start."""
    space.require_full("Lemma 2")
    n = space.n
    valence = classify_valence(space)
    chain = []
    for k in range(n + 1):
        x = tuple([1] * k + [0] * (n - k))
        cid = space.initial_id(x)
        chain.append((x, "not explored" if cid is None else valence.describe(cid)))
    for x, label in chain:
        if label == "bivalent":
            return Lemma2(chain, x, None, None, None,
                          f"I({bits(x)}) is bivalent: the outcome is not yet fixed")
    for (x, a), (y, b) in itertools.pairwise(chain):
        if {a, b} == {"0-valent", "1-valent"}:
            p = next(i for i in range(n) if x[i] != y[i])
            if n == 1:  # no process is left to run once p crashes: no run to show
                return Lemma2(chain, None, (x, y), p, None,
                              f"I({bits(x)}) is {a} and I({bits(y)}) is {b}; they differ only "
                              f"in p{p}'s input, and with p{p} the only process, its crash "
                              f"leaves nobody to decide: the lemma's run needs N >= 2")
            for z in (x, y):
                cid = space.initial_id(z)
                assert cid is not None
                if silent_valence(space, frozenset({p}))[cid] == 0:
                    run = _checked(space, crash_run(space, cid, frozenset({p})), 1)
                    return Lemma2(chain, None, (x, y), p, run,
                                  f"I({bits(x)}) is {a} and I({bits(y)}) "
                                  f"is {b}; they differ only in p{p}'s input, so with p{p} dead "
                                  f"from the start no decision is reachable from "
                                  f"I({bits(z)})")
            return Lemma2(chain, None, (x, y), p, None,
                          "MODEL ERROR: a p-silent deciding run exists from both members of the "
                          "adjacent pair, which the FLP assumptions rule out")
    missing = [bits(x) for x, label in chain if label == "not explored"]
    unsettled = [bits(x) for x, _ in chain
                 if (cid := space.initial_id(x)) is not None and not valence.is_certain(cid)]
    if missing or unsettled:
        why = []
        if missing:
            why.append(f"the chain's I({'), I('.join(missing)}) were not explored (--inputs)")
        if unsettled:
            why.append(f"a bound cut the exploration before the valence of I("
                       f"{'), I('.join(unsettled)}) was settled")
        return Lemma2(chain, None, None, None, None,
                      f"not established: {'; '.join(why)}; no bivalent configuration or "
                      "adjacent 0-valent/1-valent pair is among the rest")
    return Lemma2(chain, None, None, None, None,
                  "no bivalent configuration and no adjacent 0-valent/1-valent pair in the "
                  "chain (the protocol is trivial or some initial configuration is none-valent)")
