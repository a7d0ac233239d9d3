"""``/api/chance`` and ``/api/curve``: the coins' side of the page.

``/api/chance`` is the probabilistic valence of one configuration: the adversary's minimum and
maximum probability of deciding 0 and of deciding 1
(:func:`~flpcheck.analysis.chance.valence.chance_valence`, crash-free, fair for the minimum),
exact fractions where the graph allows it. ``/api/curve`` is ``flpcheck chance``'s termination
curve, both schedulers (:func:`~flpcheck.analysis.chance.analyse.analyse_chance`), as the numbers
the page draws. Both are computed once per server, when first asked, from the explored graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..analysis.chance.analyse import ChanceResult, analyse_chance
from ..analysis.chance.solve import Estimate
from ..analysis.chance.valence import chance_valence
from ..output.chance_report import format_estimate, fraction_text
from .session import Session
from .walk import Walk, bits

__all__ = ["chance_answer", "curve_answer", "estimate_json", "CURVE_TERMINATION"]

CURVE_TERMINATION = "all"
"""What deciding means on the curve: every correct process decides (``flpcheck chance``'s
default, randomized consensus's termination)."""


def estimate_json(e: Estimate) -> dict[str, Any]:
    """``{"text", "value", "exact", "shown"}``: ``text`` the exact fraction (``3/16``), or the
    interval of a figure known only within bounds (``0.1874..0.1876``); ``shown`` the figure
    as ``flpcheck chance`` prints it (a long fraction as ``≈0.8329``)."""
    exact = e.exact
    shown = format_estimate(e)
    if exact is not None:
        return {"text": fraction_text(exact), "value": float(exact), "exact": True,
                "shown": shown}
    return {"text": f"{float(e.low):.6g}..{float(e.high):.6g}", "value": e.value,
            "exact": False, "shown": shown}


def _no_chance(session: Session) -> str | None:
    """Why the model has no probabilistic valence to show (None: it has)."""
    space, _ = session.require_graph()
    if space.edge_probability is None:
        return "no step of this model is left to chance: its probabilities are 0 and 1"
    return None


def chance_answer(session: Session, w: Walk) -> dict[str, Any]:
    """The answer of ``/api/chance`` for the configuration ``w`` reaches."""
    cid = session.lookup(w.last)
    head: dict[str, Any] = {"inputs": bits(w.inputs), "path": list(w.path), "id": cid,
                            "available": False, "reason": None, "figures": None}
    why = _no_chance(session)
    if why is None and cid is None:
        why = "this configuration lies past the cut of the exploration"
    if why is not None:
        return head | {"reason": why}
    space, _ = session.require_graph()
    found = session.cached("chance-valence", lambda: chance_valence(space))
    at = found.at(cid)
    figures = {str(v): {"min": estimate_json(at[f"min{v}"]), "max": estimate_json(at[f"max{v}"])}
               for v in (0, 1)}
    return head | {"available": True, "figures": figures}


def curve_answer(session: Session) -> dict[str, Any]:
    """The answer of ``/api/curve``: the probability of deciding within K events under the
    uniform scheduler, and against the fair adversary (without crashes) within K events, or
    within R rounds for a model that counts rounds; identical curves of several initial
    configurations are one series."""
    space, _ = session.require_graph()
    why = _no_chance(session)

    def make() -> dict[str, Any]:
        uniform = analyse_chance(space, "uniform", termination=CURVE_TERMINATION)
        adversary = analyse_chance(space, "adversary", 0, termination=CURVE_TERMINATION)
        return {"protocol": uniform.protocol, "termination": CURVE_TERMINATION, "crashes": 0,
                "chance": why is None, "note": why, "complete": uniform.complete,
                "uniform": _events(uniform), "adversary": _adversary(adversary)}

    return session.cached("curve", make)


def _series(result: ChanceResult, key: Any) -> list[tuple[list[str], int]]:
    """(inputs, representative column) of each distinct curve, in order of first occurrence."""
    groups: dict[Any, list[str]] = {}
    first: dict[Any, int] = {}
    for j, init in enumerate(result.initial):
        k = key(j)
        groups.setdefault(k, []).append(bits(init.inputs))
        first.setdefault(k, j)
    return [(names, first[k]) for k, names in groups.items()]


def _events(result: ChanceResult) -> dict[str, Any]:
    curve = result.curve
    out = []
    if len(curve):
        for names, j in _series(result, lambda j: tuple(np.round(curve[:, j], 9))):
            out.append({"inputs": names, "values": [float(x) for x in curve[:, j]],
                        "eventually": estimate_json(result.initial[j].eventually)})
    return {"axis": "events", "series": out}


def _adversary(result: ChanceResult) -> dict[str, Any]:
    if not (result.has_rounds and result.initial and result.initial[0].rounds):
        return _events(result)
    out = []
    for names, j in _series(result, lambda j: tuple(e.value for _, e in
                                                   result.initial[j].rounds)):
        init = result.initial[j]
        points = [{"rounds": r, **estimate_json(e)} for r, e in init.rounds]
        out.append({"inputs": names, "points": points,
                    "eventually": estimate_json(init.eventually)})
    return {"axis": "rounds", "series": out}
