"""``flpcheck chance``'s question: how likely is the protocol to decide, and how soon?

:func:`analyse_chance` computes one :class:`ChanceResult` from an explored state space:

- scheduler ``uniform`` (a Markov chain, :func:`~flpcheck.analysis.chance.build.uniform_chain`):
  for every initial configuration the probability of deciding within K events for each K, within
  R rounds where the model counts rounds, eventually, and the expected number of events.
  Eventually is 1 exactly when every configuration reachable from it can still decide (for
  termination ``some``: when no reachable configuration is none-valent): FLP's run that never
  decides has probability 0 under a random scheduler.
- scheduler ``adversary`` (a Markov decision process,
  :func:`~flpcheck.analysis.chance.build.adversary_mdp`): the same figures as minima over the
  adversaries; the unbounded ones over *fair* adversaries (every live process steps, every
  message to a live process is received), ``1 - Pmax(reach a fair end component that does not
  decide)`` (:mod:`~flpcheck.analysis.chance.ends`). When that is below 1 the end component
  is shown as a run (replayed and checked by :func:`~flpcheck.analysis.lasso.check_run`).
  Step-bounded figures need no fairness (any finite prefix extends to a fair run), so they
  are plain minima, and 0 wherever null steps can stall.

A bound that cut the exploration makes a figure an interval: the lower end counts the cut
configurations as never deciding (won by the adversary), the upper as decided; a figure whose
two ends agree is exact all the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...explorer.statespace import StateSpace
from ...model.termination import DEFINITIONS, check_termination
from ..explain import ShownRun, show_run
from ..lasso import Run
from ..valence import classify_valence
from .bounded import bounded_curve, bounded_reach
from .build import SCHEDULERS, SpaceMDP, adversary_mdp, uniform_chain
from .ends import fair_end_components
from .mdp import BoolArray
from .runs import end_component_run
from .solve import Estimate, Solution, expected_steps, max_reach
from .targets import decided_states, missed_states, round_matrix

__all__ = ["ChanceResult", "InitialChance", "analyse_chance", "SCHEDULER_LINES",
           "auto_steps", "CURVE_LIMIT"]

SCHEDULER_LINES = {
    "uniform": "each step picks one of the distinct applicable events with equal probability "
               "(the N null steps and one per distinct pending message), coins as given",
    "adversary": "the scheduler (and up to {t} crash{es}) chosen against the protocol, fair "
                 "(every live process steps, every message to a live process is received) "
                 "for the unbounded figures, coins fair",
}
"""What each scheduler is, as reports print it."""

CURVE_LIMIT = 1000
"""The longest termination curve (in events) computed when no --within is given."""


@dataclass(frozen=True)
class InitialChance:
    """The figures for one initial configuration (see the module docstring)."""

    inputs: tuple[int, ...]
    state: int
    valence: str
    #: (K, P(decided within K events)) for each K asked
    within: tuple[tuple[int, Estimate], ...]
    #: (R, P(decided within R rounds)) for R = 1, 2, ... up to the last round a process leaves
    #: in the graph (models with rounds)
    rounds: tuple[tuple[int, Estimate], ...]
    eventually: Estimate
    #: the expected number of events to decide (uniform only): None when infinite (eventually
    #: below 1) or not established (a bound cut the graph, or the adversary)
    expected_steps: Estimate | None
    #: True: decides with probability 1; False: below 1; None: not established (cut graph)
    almost_surely: bool | None
    #: reachable configurations from which no decision is reachable (uniform scheduler)
    undecidable: int = 0
    #: adversary: a run that stays in a fair end component without deciding (eventually < 1;
    #: None also where the protocol changes an output once set: its runs have no fixed
    #: decision to check)
    run: Run | None = None
    #: that run replayed and annotated, as the text report prints it
    shown_run: ShownRun | None = None


@dataclass(frozen=True)
class ChanceResult:
    """Everything ``flpcheck chance`` reports."""

    protocol: str
    processes: int
    scheduler: str
    termination: str
    crashes: int
    configurations: int
    events: int
    states: int
    complete: bool
    cut_reasons: tuple[str, ...]
    initial: tuple[InitialChance, ...]
    #: the model declares a round counter
    has_rounds: bool
    #: the termination curve in floats: k = 0..len-1 events, one column per initial config
    curve: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.zeros(0))

    @property
    def exact(self) -> bool:
        """Every figure reported is an exact fraction."""
        figures = [e for i in self.initial for _, e in i.within + i.rounds] + \
            [i.eventually for i in self.initial] + \
            [i.expected_steps for i in self.initial if i.expected_steps is not None]
        return all(e.exact is not None for e in figures)

    @property
    def scheduler_line(self) -> str:
        t = self.crashes
        return SCHEDULER_LINES[self.scheduler].format(t=t, es="" if t == 1 else "es")

    @property
    def termination_line(self) -> str:
        return DEFINITIONS[self.termination]


def auto_steps(curve: np.ndarray, eventually: list[float]) -> list[int]:
    """The K shown when none are asked: 1, 2, 5, 10, 20, 50, ... up to the first K at which
    every initial configuration is within 0.001 of its eventual probability (or the curve's
    end)."""
    last = len(curve) - 1
    for k in range(len(curve)):
        if all(curve[k, j] >= eventually[j] - 1e-3 for j in range(curve.shape[1])):
            last = k
            break
    out, base = [], 1
    while base <= max(last, 1):
        for m in (1, 2, 5):
            if m * base <= last:
                out.append(m * base)
        base *= 10
    if last not in out and last > 0:
        out.append(last)
    return out


def _between(low: Estimate, high: Estimate) -> Estimate:
    """The interval from the lower end of ``low`` to the upper end of ``high``."""
    return Estimate(low.low, high.high)


def analyse_chance(space: StateSpace, scheduler: str = "uniform", crashes: int = 0,
                   within: list[int] | None = None, termination: str = "all",
                   protocol_name: str | None = None) -> ChanceResult:
    """The figures of ``flpcheck chance`` (module docstring). ``within`` lists the K of the
    step-bounded figures (None: chosen from the curve, see :func:`auto_steps`, or none for a
    model that counts rounds)."""
    termination = check_termination(termination)
    if scheduler not in SCHEDULERS:
        from ...errors import UsageError

        raise UsageError(f"--scheduler {scheduler!r}: use {' or '.join(SCHEDULERS)}")
    smdp = uniform_chain(space) if scheduler == "uniform" else adversary_mdp(space, crashes)
    mdp = smdp.mdp
    mode = "chain" if scheduler == "uniform" else "min"
    decided = decided_states(smdp, termination)
    cut = smdp.cut & ~decided
    starts = [s for _, s in smdp.initial]
    rounds_m = round_matrix(space)
    # unbounded: eventually
    low_sol, high_sol, run_sets = _eventually(smdp, decided, cut, None)
    eventually = [_between(low_sol.estimate(s), high_sol.estimate(s)) for s in starts]
    # the curve (floats) and the K asked or chosen
    bmode = "max" if mode == "chain" else "min"
    if within:
        curve = bounded_curve(mdp, decided, max(within), starts, bmode)
        steps = within
    elif within is None and not (rounds_m is not None and scheduler == "adversary"):
        curve = bounded_curve(mdp, decided, CURVE_LIMIT, starts, bmode,
                              until=[e.value for e in eventually])
        # a model that counts rounds is reported by rounds (the curve is still drawn)
        steps = [] if rounds_m is not None else auto_steps(curve, [e.value for e in eventually])
    else:  # the adversary of a model with rounds: the round curve says it
        curve = np.zeros((0, len(starts)))
        steps = []
    lows = bounded_reach(mdp, decided, steps, starts, bmode)
    highs = bounded_reach(mdp, decided | cut, steps, starts, bmode) if cut.any() else lows
    # rounds
    round_figs: list[list[tuple[int, Estimate]]] = [[] for _ in starts]
    if rounds_m is not None:
        # R up to the last round some process leaves in the graph (past it, "within R rounds"
        # is "eventually": nobody leaves a later one)
        top = int(rounds_m.max()) if len(rounds_m) else 1
        for r in range(1, top):
            missed = missed_states(smdp, termination, rounds_m, r) & ~decided
            lo, hi, _ = _eventually(smdp, decided, cut, missed, want_runs=False,
                                    within_fair=None if run_sets is None else run_sets[0] >= 0)
            for j, s in enumerate(starts):
                round_figs[j].append((r, _between(lo.estimate(s), hi.estimate(s))))
    expected: list[Estimate | None] = [None] * len(starts)
    if scheduler == "uniform":
        exp = expected_steps(mdp, decided)
        for j, s in enumerate(starts):
            reach_cut = cut.any() and _reaches(smdp, s, cut)
            if not reach_cut and np.isfinite(exp.low[s]):
                expected[j] = exp.estimate(s)
    valence = classify_valence(space)
    initial = []
    for j, ((inputs, s), ev) in enumerate(zip(smdp.initial, eventually, strict=True)):
        sure: bool | None
        if ev.exact is not None:
            sure = ev.exact == 1
        else:
            sure = False if float(ev.high) < 1 else None
        undecidable = 0
        run = None
        if scheduler == "uniform":
            undecidable = _undecidable(smdp, s, low_sol, cut)
        elif sure is False and run_sets is not None and space.decision_change_edge is None:
            run = end_component_run(smdp, s, *run_sets, termination)
        initial.append(InitialChance(
            tuple(inputs), s, valence.label(int(smdp.config[s])),
            tuple((k, _between(lows[k][j], highs[k][j])) for k in steps),
            tuple(round_figs[j]), ev, expected[j], sure, undecidable, run,
            None if run is None else show_run(space, run, valence)))
    return ChanceResult(
        protocol_name or type(space.protocol).__name__, space.n, scheduler, termination,
        crashes if scheduler == "adversary" else 0, len(space), space.num_events,
        mdp.n_states, space.complete, tuple(space.cut_reasons), tuple(initial),
        rounds_m is not None, curve)


def _eventually(smdp: SpaceMDP, decided: BoolArray, cut: BoolArray, missed: BoolArray | None,
                want_runs: bool = True, within_fair: BoolArray | None = None
                ) -> tuple[Solution, Solution, tuple[np.ndarray, np.ndarray] | None]:
    """(lower, upper) solutions of P(decide before missing), and for the adversary the fair
    end components that do not decide (labels, actions inside) for the run. ``within_fair``
    (the states of the fair end components found without ``missed``) holds every fair end
    component avoiding ``missed`` too: the search is confined to it."""
    mdp = smdp.mdp
    n = mdp.n_states
    missed = np.zeros(n, dtype=bool) if missed is None else missed
    if smdp.scheduler == "uniform":
        low = max_reach(mdp, decided, missed)
        high = max_reach(mdp, decided | cut, missed) if cut.any() else low
        return low, high, None
    free = ~decided & ~missed & ~cut
    if within_fair is not None:  # the fair end components inside a larger set: only there
        free &= within_fair
    labels, inside = fair_end_components(smdp, free)
    stay = labels >= 0
    pmax_low = max_reach(mdp, stay | missed | cut, decided)
    pmax_high = max_reach(mdp, stay | missed, decided | cut) if cut.any() else pmax_low
    return (_complement(pmax_low), _complement(pmax_high),
            (labels, inside) if want_runs else None)


def _complement(sol: Solution) -> Solution:
    """1 - the values (the bounds swapped)."""
    return sol.complement()


def _reaches(smdp: SpaceMDP, s: int, targets: BoolArray) -> bool:
    """Some state of ``targets`` is reachable from state ``s``."""
    start = np.zeros(smdp.mdp.n_states, dtype=bool)
    start[s] = True
    return bool((_forward(smdp, start) & targets).any())


def _forward(smdp: SpaceMDP, start: BoolArray) -> BoolArray:
    mdp = smdp.mdp
    g = mdp.graph()
    from ..graph import CSR, reach

    csr = CSR(g.indptr.astype(np.int64), g.indices.astype(np.int64))
    return reach(csr, start)


def _undecidable(smdp: SpaceMDP, s: int, low: Solution, cut: BoolArray) -> int:
    """Reachable states (from ``s``) with probability 0 of deciding, not cut."""
    start = np.zeros(smdp.mdp.n_states, dtype=bool)
    start[s] = True
    seen = _forward(smdp, start)
    return int((seen & low.zero() & ~cut).sum())

