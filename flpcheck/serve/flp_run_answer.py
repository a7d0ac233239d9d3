"""``/api/flprun``: FLP's run, and where the rules after GST stop it.

The run is the verdict's run when it has one (a lasso, with its crashes), else the first
``stages`` stages of Lemma 3's adversary built on demand
(:func:`~flpcheck.analysis.stages.staged_adversary`: the dueling proposers of unbounded Paxos,
for instance, whose graph is infinite; replayed and checked by
:func:`~flpcheck.analysis.stages.check_staged_run`). Along it, every event is checked against
the rules after GST (:func:`~flpcheck.analysis.gst.allowed_events`, with the processes crashed by then): the
answer lists the steps whose event the rules forbid at the configuration it leaves, with why.
A run with such a step cannot happen once GST has passed before it.
"""

from __future__ import annotations

from typing import Any

from ..analysis.gst import GSTRules, allowed_events
from ..analysis.stages import check_staged_run, staged_adversary
from ..model.semantics import Event, apply_event, initial_configuration
from .gst_answers import gst_rules
from .run_answers import run_answer
from .session import Session
from .walk import ApiError, Texts

__all__ = ["flp_run_answer", "MAX_STAGES"]

MAX_STAGES = 20
"""The most stages of the adversary built on demand for one request."""


def _stages(query: Any) -> int:
    text = query.get("stages") or "12"
    if not text.isdigit() or not 1 <= int(text) <= MAX_STAGES:
        raise ApiError(400, f"stages={text[:20]!r}: need 1..{MAX_STAGES}")
    return int(text)


def forbidden_steps(session: Session, inputs: tuple[int, ...], events: list[Event],
                    rules: GSTRules, crashed: frozenset[int], crash_at: int | None
                    ) -> list[dict[str, Any]]:
    """Every step of the run whose event the rules forbid after GST where it is taken
    (``step``: its 0-based index, so the configuration before it is the prefix of that
    length), with the reason."""
    protocol = session.protocol
    texts = Texts(protocol)
    config = initial_configuration(protocol, inputs)
    out = []
    for i, e in enumerate(events):
        dead = crashed if crashed and i >= (crash_at or 0) else frozenset()
        plain = e._replace(outcome=None)
        rule = next(r for r in allowed_events(protocol, config, rules, dead)
                    if r.event.key == plain.key)
        if not rule.allowed:
            out.append({"step": i, "text": texts.text(e), "reason": rule.reason})
        config = apply_event(protocol, config, e).config
    return out


def flp_run_answer(session: Session, query: Any) -> dict[str, Any]:
    """The answer of ``/api/flprun``: ``source`` (``verdict`` or ``adversary``), the run (as
    in ``/api/witness``; null when there is none), ``forbidden`` (the steps the rules forbid
    after GST) and the rules' ``rule``."""
    space, _, found = session.require_verdict()
    rules = gst_rules(query, session.n)
    stages = _stages(query)

    def make() -> dict[str, Any]:
        run = found.run
        if run is not None and found.verdict in ("forever-bivalent", "not-crash-tolerant",
                                                 "blocks-without-crash"):
            inputs, events = run.inputs, list(run.events)
            cycle, crashed = len(run.stem), run.crashed
            crash_at = 0 if crashed else None
            source, note = "verdict", f"the verdict's run ({found.verdict})"
        else:
            staged = staged_adversary(session.protocol, stages, cert_configs=2000)
            if not staged.stages:
                return {"source": None, "run": None, "forbidden": [], "rule": rules.describe(),
                        "note": f"no run: {found.detail}; the adversary built no stage "
                                f"({staged.failure or 'none'})"}
            check_staged_run(session.protocol, staged)  # replayed, each certificate checked
            inputs, events = staged.inputs, list(staged.events)
            cycle, crashed, crash_at = None, frozenset(), None
            source = "adversary"
            note = (f"the first {len(staged.stages)} stages of Lemma 3's adversary, built on "
                    "demand, each ending in a configuration certified bivalent")
        kind = found.verdict if source == "verdict" else "adversary"
        shown = run_answer(session, kind, inputs, events, cycle_start=cycle, crashed=crashed,
                           crash_at=crash_at)
        if source == "adversary":
            shown["summary"] = f"From I({shown['inputs']}): {note}. Nobody decides."
            shown["conclusion"] = "The adversary can go on for ever: FLP's run."
        return {"source": source, "note": note, "rule": rules.describe(), "run": shown,
                "forbidden": forbidden_steps(session, inputs, events, rules, crashed,
                                             crash_at)}

    return session.cached(("flprun", rules, stages), make)
