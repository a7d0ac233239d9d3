"""``/api/config``: the configuration reached from I(inputs) by a path, and where it can go.

Answered at any time: the path is replayed with the protocol's own code, the successors are
computed when asked, and each configuration is looked up in the explored graph for its valence
(``unknown`` while exploring, or past a bound's cut) and its shortest ways to a decision.
"""

from __future__ import annotations

from typing import Any

from ..errors import FLPCheckError
from ..model.semantics import Configuration
from ..model.values import to_json
from .session import Session
from .walk import Texts, Walk, apply, bits, events_to_path, fair_events, received_from, successors

__all__ = ["config_answer", "outputs"]


def outputs(session: Session, config: Configuration) -> list[int | None]:
    """The output register of every process of ``config``."""
    return list(config.outputs(session.protocol))


def _valence(session: Session, cid: int | None) -> dict[str, Any]:
    label, bound = session.valence_of(cid)
    return {"valence": label, "valence_bound": bound}


def config_answer(session: Session, w: Walk) -> dict[str, Any]:
    """The answer of ``/api/config`` for the replayed path ``w``."""
    protocol, n = session.protocol, session.n
    texts = Texts(protocol)
    ids = [session.lookup(c) for c in w.configs]
    config, cid = w.last, ids[-1]
    sources = received_from(w.steps)
    steps = []
    chance = session.chance()
    for t, step in enumerate(w.steps):
        steps.append({
            "index": w.path[t], "event": texts.event_json(step.event),
            "text": texts.text(step.event), "label": texts.label(step.event),
            "sends": [[d, to_json(pl)] for d, pl in step.sends],
            "sends_text": texts.sends(step.sends), "received_from": sources[t],
            "id": ids[t + 1], **_valence(session, ids[t + 1]),
            "outputs": outputs(session, step.config),
            **_probability(step.event.outcome, w.probabilities[t] if w.probabilities else 1)})
    succ = []
    listed = successors(protocol, config, chance)
    for k, (e, p) in enumerate(listed):
        head = {"index": k, "event": texts.event_json(e), "pid": e.pid, "text": texts.text(e),
                "label": texts.label(e), **_probability(e.outcome, p)}
        try:
            step = apply(protocol, config, e)
        except FLPCheckError as err:  # the model fails on this event: say so, show the rest
            succ.append(head | {"valence": "unknown", "valence_bound": None,
                                      "outputs": None, "decided": [], "sends": [],
                                      "sends_text": [], "changes": None, "id": None,
                                      "error": f"model error: {err}"})
            continue
        scid = session.lookup(step.config)
        succ.append(head | {
            **_valence(session, scid), "outputs": outputs(session, step.config),
            "decided": sorted(step.config.decisions(protocol)),
            "sends": [[d, to_json(pl)] for d, pl in step.sends],
            "sends_text": texts.sends(step.sends), "changes": step.config != config,
            "id": scid, "error": None})
    buffer, buffer_text = texts.buffer_json(config, n, [e for e, _ in listed])
    fair = []
    keys = [e.key for e, _ in listed]  # a step left to chance: its first outcome
    for e, sent_at in fair_events(w.steps, n):
        index = keys.index(e.key)
        fair.append({"pid": e.pid, "event": texts.event_json(e), "index": index,
                     "sent_at": sent_at, "text": texts.text(e)})
    previous = None
    if w.steps:
        before = w.configs[-2]
        pb, pbt = texts.buffer_json(before, n, [e for e, _ in successors(protocol, before,
                                                                          chance)])
        previous = {"states": _states(session, texts, before), "buffer": pb,
                    "buffer_text": pbt, "outputs": outputs(session, before)}
    decided = sorted(config.decisions(protocol))
    return {
        "inputs": bits(w.inputs), "path": list(w.path), "depth": len(w.path),
        "explored": session.graph() is not None, "id": cid, **_valence(session, cid),
        "initial_valence": session.valence_of(ids[0])[0],
        "outputs": outputs(session, config), "decided": decided,
        "agreement_violated": len(decided) > 1,
        "events": [texts.event_json(s.event) for s in w.steps],
        "states": _states(session, texts, config),
        "buffer": buffer, "buffer_text": buffer_text,
        "steps": steps, "successors": succ,
        **_decisions(session, w, cid, decided),
        "fair_events": fair, "previous": previous,
    }


def _probability(outcome: int | None, p: Any) -> dict[str, Any]:
    """``{"probability": "p/q"}`` for a step left to chance (chance's probability of its
    outcome, exact), else nothing: a protocol without chance answers as it always did."""
    return {} if outcome is None else {"probability": str(p)}


def _states(session: Session, texts: Texts, config: Configuration) -> list[dict[str, Any]]:
    outs = outputs(session, config)
    return [texts.state_json(p, s, outs[p]) for p, s in enumerate(config.states)]


def _decisions(session: Session, w: Walk, cid: int | None,
               decided: list[int]) -> dict[str, Any]:
    """``decisions``: per value a shortest continuation (successor indices from here) to a
    configuration deciding it (``[]`` for a value ``decided`` here, even past the explored
    graph), or null; ``decisions_exact``: whether a null means that no continuation exists (the
    graph below this configuration is complete), rather than that none is known."""
    out: dict[str, list[int] | None] = {str(v): [] if v in decided else None for v in (0, 1)}
    found = session.graph()
    if cid is None or found is None:
        return {"decisions": out, "decisions_exact": False}
    _, valence = found
    for v in (0, 1):
        events = session.decision_events(cid, v)
        if events is not None:
            out[str(v)] = events_to_path(session.protocol, w.inputs, events, start=w.last,
                                         chance=session.chance())
    exact = bool(valence.exact[cid]) or None not in out.values()
    return {"decisions": out, "decisions_exact": exact}
