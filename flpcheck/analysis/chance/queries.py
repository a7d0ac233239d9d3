"""The chain or decision process of ``flpcheck chance`` with the state labels and the queries
that give its figures in a probabilistic model checker (Storm, PRISM), for export.

Labels (each a set of states): ``init`` (the initial configurations), ``decided`` (for the
termination asked), ``cut`` (not expanded), and for the adversary ``fair_undecided`` (the fair
end components that never decide, what a fair adversary can stay in), ``missed_rR`` (a process
that must decide is past round R undecided) and ``lose_rR`` (``missed_rR`` or a fair end
component avoiding it) for each round bound R. Queries (:class:`Query`) name the figure, the
property in Storm's syntax, and whether the figure is 1 minus the property's value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...explorer.statespace import StateSpace
from ...model.termination import check_termination
from .build import SpaceMDP, adversary_mdp, uniform_chain
from .ends import fair_end_components
from .mdp import BoolArray
from .targets import decided_states, missed_states, round_matrix

__all__ = ["Query", "LabelledModel", "labelled_model"]


@dataclass(frozen=True)
class Query:
    """A figure of ``flpcheck chance`` as a property: ``figure = value`` or, with
    ``complement``, ``1 - value`` at the initial state."""

    figure: str
    prop: str
    complement: bool = False
    #: the number of steps or rounds the figure bounds (None: eventually / expected)
    bound: int | None = None


@dataclass(frozen=True, eq=False)
class LabelledModel:
    """A :class:`SpaceMDP` with its labels and the queries of its figures."""

    smdp: SpaceMDP
    labels: dict[str, BoolArray]
    queries: tuple[Query, ...]
    termination: str


def within_events(k: int) -> str:
    """The name of the figure of the step-bounded query ``F<=k``.

    >>> within_events(1), within_events(5)
    ('within 1 event', 'within 5 events')
    """
    return f"within {k} event{'s' if k != 1 else ''}"


def labelled_model(space: StateSpace, scheduler: str, crashes: int = 0,
                   termination: str = "all", steps: list[int] | None = None
                   ) -> LabelledModel:
    """The model ``flpcheck chance`` analyses, labelled (module docstring); ``steps`` lists the
    K of the step-bounded queries."""
    termination = check_termination(termination)
    smdp = uniform_chain(space) if scheduler == "uniform" else adversary_mdp(space, crashes)
    n = smdp.mdp.n_states
    decided = decided_states(smdp, termination)
    cut = smdp.cut & ~decided
    init = np.zeros(n, dtype=bool)
    init[[s for _, s in smdp.initial]] = True
    labels: dict[str, BoolArray] = {"init": init, "decided": decided, "cut": cut}
    queries: list[Query] = []
    rounds = round_matrix(space)
    top = int(rounds.max()) if rounds is not None and len(rounds) else 1
    if scheduler == "uniform":
        queries.append(Query("eventually", 'P=? [F "decided"]'))
        queries.append(Query("expected events", 'R{"steps"}=? [F "decided"]'))
        for k in steps or []:
            queries.append(Query(within_events(k), f'P=? [F<={k} "decided"]', bound=k))
        if rounds is not None:
            for r in range(1, top):
                labels[f"missed_r{r}"] = missed_states(smdp, termination, rounds, r) & ~decided
                queries.append(Query(f"within {r} rounds",
                                     f'P=? [!"missed_r{r}" U "decided"]', bound=r))
    else:
        free = ~decided & ~cut
        stay = fair_end_components(smdp, free)[0] >= 0
        labels["fair_undecided"] = stay
        queries.append(Query("eventually", 'Pmax=? [!"decided" U "fair_undecided"]', True))
        for k in steps or []:
            queries.append(Query(within_events(k), f'Pmin=? [F<={k} "decided"]', bound=k))
        if rounds is not None:
            for r in range(1, top):
                missed = missed_states(smdp, termination, rounds, r) & ~decided
                lose = fair_end_components(smdp, stay & ~missed)[0] >= 0
                labels[f"missed_r{r}"] = missed
                labels[f"lose_r{r}"] = missed | lose
                queries.append(Query(f"within {r} rounds",
                                     f'Pmax=? [!"decided" U "lose_r{r}"]', True, bound=r))
    # a label no state carries is not declared in a DRN file: say false instead
    empty = [name for name, states in labels.items() if not states.any()]
    for name in empty:
        queries = [Query(q.figure, q.prop.replace(f'!"{name}"', "true")
                         .replace(f'"{name}"', "false"), q.complement, q.bound)
                   for q in queries]
    return LabelledModel(smdp, labels, tuple(queries), termination)
