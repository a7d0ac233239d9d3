"""``/api/lemma3`` and ``/api/adversary``: FLP's Lemma 3 at one configuration, and the game's
adversary that plays it.

At C (inputs + path) and e (a successor of C): 𝒞, the configurations reachable from C without
applying e, and D = e(𝒞) come from :func:`flpcheck.analysis.adversary.lemma3_sets`; σ is the
Lemma 3 adversary's own choice (the shortest schedule avoiding e, through undecided bivalent
configurations, after which e lands on an undecided bivalent configuration), and where there
is none, FLP's neighbours C0 and C1 = e'(C0) are the adversary's too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..analysis.adversary import Neighbours, lemma3_neighbours, lemma3_sets, lemma3_sigma
from ..analysis.graph import bfs
from ..explorer.statespace import StateSpace
from ..model.semantics import Event
from .session import Session
from .walk import ApiError, Texts, Walk, bits, events_to_path, fair_events, successors

__all__ = ["lemma3_answer", "adversary_answer"]

_COUNTED = ("bivalent", "0-valent", "1-valent", "none", "unknown")


def _counts(session: Session, mask: np.ndarray) -> dict[str, int]:
    """How many configurations of ``mask`` have each valence (``unknown``: only a lower bound
    is known, past a cut)."""
    _, valence = session.require_graph()
    codes = valence.codes[mask]
    certain = valence.exact[mask] | (codes == 3)
    out = {label: int(np.count_nonzero(certain & (codes == code)))
           for code, label in ((3, "bivalent"), (1, "0-valent"), (2, "1-valent"), (0, "none"))}
    out["unknown"] = int(np.count_nonzero(~certain))
    return {k: out[k] for k in _COUNTED}


def _edges_to(space: StateSpace, parent: np.ndarray, start: int, node: int) -> list[Event]:
    """The events of the breadth-first tree path from ``start`` to ``node``."""
    out, c = [], node
    while c != start:
        k = int(parent[c])
        out.append(space.event_of_edge(k))
        c = space.edge_source(k)
    return out[::-1]


def lemma3_answer(session: Session, w: Walk, event: int | None) -> dict[str, Any]:
    """The answer of ``/api/lemma3`` at C = the end of ``w``, with e = successor ``event``
    (default: the fair scheduler's event for p0, its oldest pending message or null)."""
    space, valence = session.require_graph()
    texts = Texts(session.protocol)
    config = w.last
    events = [e for e, _ in successors(session.protocol, config, session.chance())]
    if event is None:
        e = fair_events(w.steps, session.n)[0][0]
        event = next(i for i, x in enumerate(events) if x.key == e.key)
    if event >= len(events):
        raise ApiError(404, f"event={event}: the configuration has {len(events)} successors, "
                            f"0..{len(events) - 1}")
    e = events[event]
    cid = session.lookup(config)
    if cid is None:
        raise ApiError(404, "this configuration is not in the explored graph (the exploration "
                            "was cut before it): Lemma 3 needs every configuration reachable "
                            "from it")
    if space.cut[cid]:
        raise ApiError(404, "this configuration was not expanded (a bound cut the exploration "
                            "here): Lemma 3 needs every configuration reachable from it")
    sets = lemma3_sets(space, cid, e, valence)
    out: dict[str, Any] = {
        "inputs": bits(w.inputs), "path": list(w.path), "event_index": event,
        "event": texts.event_json(e), "event_text": texts.text(e), "event_label": texts.label(e),
        "c_valence": session.valence_of(cid)[0],
        "e_c_valence": session.valence_of(sets.e_of_c)[0],
        "calC": {"size": int(sets.reach.sum()), "valence": _counts(session, sets.reach)},
        "D": {"size": int(sets.d.sum()), "valence": _counts(session, sets.d)},
        "sigma": None, "sigma_events": None, "sigma_text": None, "reached_valence": None,
        "neighbours": None,
    }
    label = texts.label(e)
    d_biv = out["D"]["valence"]["bivalent"]
    of_d = f"Of the {out['D']['size']:,} configurations of D = e(𝒞), {d_biv:,} are bivalent."
    eid = space.event_id(e)
    biv = valence.mask("bivalent") & valence.exact & (space.decided_array == 0)
    found = lemma3_sigma(space, cid, eid, biv) if eid is not None else None
    if found is not None:
        sigma = [space.event_of_edge(k) for k in found[0]]
        e_applied = space.event_of_edge(found[1])  # e with chance's outcome, if left to chance
        path = events_to_path(session.protocol, w.inputs, [*sigma, e_applied], start=config,
                              chance=session.chance())
        out.update(sigma=path, sigma_events=[texts.event_json(s) for s in sigma],
                   sigma_text=[texts.label(s) for s in sigma],
                   reached_valence=session.valence_of(int(space.edge_dst[found[1]]))[0])
        out["explanation"] = (
            (f"e(C) is already bivalent and undecided: σ is empty, and e = {label} keeps C "
             "bivalent. " if not sigma else
             f"σ = {', '.join(out['sigma_text'])} ({len(sigma)} event(s), none of them e) "
             f"leads from C to a configuration where e = {label} lands on an undecided "
             "bivalent one. ") + of_d)
        return out
    c_label = out["c_valence"]
    if c_label != "bivalent":
        why = (f"C is {c_label}, not bivalent: Lemma 3 starts from a bivalent C, and no "
               "e(σ(C)) can be bivalent. ")
    elif d_biv and not (sets.d & biv).any():
        why = ("Every bivalent configuration of D holds a decision already (agreement is "
               "violated there): no σ keeps the run undecided. ")
    elif d_biv:
        why = ("The undecided bivalent configurations of D are reached only through "
               "configurations where a process has decided: no σ keeps the run undecided. ")
    else:
        why = f"No configuration of D = e(𝒞) is bivalent: Lemma 3's conclusion fails for e = {label}. "
    _, pair = lemma3_neighbours(space, cid, eid, valence)
    if pair is not None and c_label == "bivalent":
        out["neighbours"] = _neighbours(session, w, cid, e, pair)
        nb = out["neighbours"]
        why += (f"FLP's neighbours: C0 ({len(nb['c0_path'])} event(s) from C, avoiding e) and "
                f"C1 = e'(C0) with e' = {nb['e_prime_text']}; e(C0) is {nb['e_c0_valence']} "
                f"and e(C1) is {nb['e_c1_valence']}. "
                + (f"e' and e are both steps of p{e.pid}: the proof's case 2, a run in which "
                   f"p{e.pid} crashes never decides. " if nb["same_process"] else
                   "e' and e are steps of different processes, so they commute (Lemma 1): a "
                   "model error. "))
    out["explanation"] = why + of_d
    return out


def _neighbours(session: Session, w: Walk, cid: int, e: Event,
                pair: Neighbours) -> dict[str, Any]:
    """C0 (as successor indices from C, avoiding e), e' and the valences of e(C0), e(C1)
    (e with the outcome the neighbours were found for, where it is left to chance)."""
    space, _ = session.require_graph()
    texts = Texts(session.protocol)
    c0, k, c1, outcome = pair
    e_o = e._replace(outcome=outcome)
    eid = space.event_id(e)
    _, parent = bfs(space.arrays, np.array([cid]), space.edge_event != eid)
    to_c0 = _edges_to(space, parent, cid, c0)
    e2 = space.event_of_edge(k)
    path = events_to_path(session.protocol, w.inputs, [*to_c0, e2], start=w.last,
                          chance=session.chance())
    return {"c0_path": path[:-1], "e_prime": texts.event_json(e2), "e_prime_text": texts.label(e2),
            "e_prime_index": path[-1],
            "e_c0_valence": session.valence_of(space.successor(c0, e_o))[0],
            "e_c1_valence": session.valence_of(space.successor(c1, e_o))[0],
            "same_process": e2.pid == e.pid}


def adversary_answer(session: Session, w: Walk, event: int | None) -> dict[str, Any]:
    """The answer of ``/api/adversary``: the student chose e = successor ``event`` at C; the
    adversary answers with Lemma 3's σ then e (``answer``), or null when it has none."""
    if event is None:
        raise ApiError(400, "missing parameter event: the successor index of e")
    l3 = lemma3_answer(session, w, event)
    answer = l3["sigma"]
    return {"inputs": l3["inputs"], "path": l3["path"], "event_index": l3["event_index"],
            "event": l3["event"], "event_label": l3["event_label"], "c_valence": l3["c_valence"],
            "answer": answer, "sigma_text": l3["sigma_text"],
            "result_path": None if answer is None else l3["path"] + answer,
            "valence": l3["reached_valence"] if answer is not None else l3["e_c_valence"],
            "explanation": l3["explanation"]}
