"""``/api/gst`` and ``/api/liveness``: what may happen after GST, on the page.

The rules are flpcheck.analysis's, the same that ``flpcheck liveness`` checks:
:func:`~flpcheck.analysis.gst.allowed_events` says, for one configuration, which applicable
events the rules allow after GST and why (the page greys the others with the reason), and
:func:`~flpcheck.analysis.liveness.check_liveness` answers the whole question on the explored
graph (without ``--gst-by``: every explored configuration may be the one at GST). Nothing here
decides what is allowed: this module parses the rules from the query, asks, and shapes the
answer.
"""

from __future__ import annotations

from typing import Any

from ..analysis.gst import TIMEOUTS, GSTRules, allowed_events
from ..analysis.liveness import Liveness, check_liveness
from ..analysis.post_gst import PostBounds
from ..errors import UsageError
from .run_answers import run_answer
from .session import Session
from .walk import ApiError, Texts, Walk, successors

__all__ = ["gst_rules", "crashed_param", "gst_answer", "liveness_answer"]


def gst_rules(query: Any, n: int) -> GSTRules:
    """The rules named by ``timeouts`` (quiet, the default, or local) and ``leader`` (a process
    id, or absent: no leader); a 400 when malformed."""
    timeouts = query.get("timeouts") or "quiet"
    if timeouts not in TIMEOUTS:
        raise ApiError(400, f"timeouts={timeouts[:20]!r}: use quiet or local")
    leader = query.get("leader")
    if leader in (None, "", "none"):
        return GSTRules(timeouts)
    if not leader.isdigit() or int(leader) >= n:
        raise ApiError(400, f"leader={leader[:20]!r}: need a process id 0..{n - 1}, or none")
    return GSTRules(timeouts, int(leader))


def crashed_param(text: str | None, n: int, rules: GSTRules) -> frozenset[int]:
    """The processes named crashed (``crashed=0,2``; absent: none); a 400 when malformed or
    when the stable leader is named (it does not crash)."""
    if not text:
        return frozenset()
    words = text.split(",")
    if not all(w.isdigit() and int(w) < n for w in words):
        raise ApiError(400, f"crashed={text[:40]!r}: need process ids 0..{n - 1} separated "
                            "by commas")
    out = frozenset(int(w) for w in words)
    if rules.leader is not None and rules.leader in out:
        raise ApiError(400, f"crashed={text}: the stable leader p{rules.leader} does not crash")
    if len(out) >= n:
        raise ApiError(400, f"crashed={text}: at least one process stays alive")
    return out


def gst_answer(session: Session, w: Walk, rules: GSTRules,
               crashed: frozenset[int]) -> dict[str, Any]:
    """The answer of ``/api/gst``: for every successor of the configuration ``w`` reaches (in
    the API's order), whether the rules allow its event after GST, and why."""
    protocol = session.protocol
    config = w.last
    verdicts = {r.event.key: r for r in allowed_events(protocol, config, rules, crashed)}
    texts = Texts(protocol)
    out = []
    for k, (e, _) in enumerate(successors(protocol, config, session.chance())):
        rule = verdicts[e._replace(outcome=None).key]
        out.append({"index": k, "text": texts.text(e), "allowed": rule.allowed,
                    "reason": rule.reason})
    decided = bool(config.decisions(protocol))
    stuck = not decided and not any(s["allowed"] for s in out)
    return {
        "inputs": "".join(map(str, w.inputs)), "path": list(w.path),
        "timeouts": rules.timeouts, "leader": rules.leader, "crashed": sorted(crashed),
        "rule": rules.describe(), "successors": out,
        "allowed": sum(s["allowed"] for s in out), "decided": decided, "stuck": stuck,
    }


def _crash_param(query: Any, limit: int) -> int:
    text = query.get("crashes")
    if text in (None, ""):
        return 0
    if not text.isdigit() or int(text) > limit:
        raise ApiError(400, f"crashes={text[:20]!r}: need 0..{limit}")
    return int(text)


def liveness_answer(session: Session, query: Any) -> dict[str, Any]:
    """The answer of ``/api/liveness``: ``flpcheck liveness`` on the explored graph with the
    rules and crash budget of the query (``crashes``, default 0; ``--gst-by D`` when the
    graph was cut by ``--max-depth D`` alone, see :func:`_gst_by`), and its run (the run that
    never decides, or the worst case to a decision) as a run the page steps through."""
    space, _ = session.require_graph()
    rules = gst_rules(query, session.n)
    crashes = _crash_param(query, session.n - 1)
    termination = session.termination
    gst_by = _gst_by(session)

    def make() -> dict[str, Any]:
        try:
            found = check_liveness(space, crashes, rules, termination, gst_by,
                                   PostBounds(max_configs=POST_CONFIGS))
        except UsageError as err:
            raise ApiError(400, str(err)) from None
        return _liveness_json(session, found)

    return session.cached(("liveness", rules, crashes), make)


POST_CONFIGS = 1_000_000
"""The bound on each exploration after GST (``flpcheck liveness``'s ``--max-post-configs``
default)."""


def _gst_by(session: Session) -> int | None:
    """GST's bound: a graph cut by ``--max-depth`` D alone is the part before GST of
    ``flpcheck liveness --gst-by D`` (GST within D events, each run after it explored from
    there); any other graph is the pre-GST part as a whole (None)."""
    space, _ = session.require_graph()
    depth = session.pipeline.options.max_depth
    if depth is not None and list(space.cut_reasons) == ["max-depth"]:
        return depth
    return None


def _liveness_json(session: Session, found: Liveness) -> dict[str, Any]:
    run, kind = (found.run, "fails") if found.run is not None else (found.worst, "worst")
    shown = None
    if run is not None:
        annotated = found.run_annotated if kind == "fails" else found.worst_annotated
        labels = [s for s in annotated if s.event is not None]
        notes: dict[int, str] = {}
        for i, s in enumerate(labels):
            head = "GST: from here on the rules hold. " if i == run.gst_at else ""
            where = f"({s.phase}{'; ' + s.label if s.label else ''})"
            notes[i] = head + where
        crash_at = min((at for _, at in run.crash_at), default=None)
        shown = run_answer(session, "liveness", run.inputs, list(run.events),
                           cycle_start=len(run.stem) if run.cycle else None,
                           crashed=run.crashed, crash_at=crash_at, stage_at=notes)
        shown["gst_at"] = run.gst_at
        shown["kind"] = kind
        shown["phases"] = [s.phase for s in labels]
        shown["labels"] = [s.label for s in labels]
        shown["summary"] = (
            f"The run that never decides after GST: GST falls after {run.gst_at} event(s); "
            + found.detail + "." if kind == "fails" else
            f"The worst case: GST falls after {run.gst_at} event(s), then "
            f"{found.worst_steps} event(s) to a decision ({found.worst_reason}).")
        shown["conclusion"] = (found.detail + "." if kind == "fails"
                               else "A decision: liveness holds after GST.")
    return {
        "protocol": found.protocol, "crashes": found.crashes, "timeouts": found.rules.timeouts,
        "leader": found.rules.leader, "termination": found.termination, "rule":
            found.rules.describe(), "holds": found.holds, "detail": found.detail,
        "worst_steps": found.worst_steps, "worst_reason": found.worst_reason,
        "gst_by": found.gst_by, "complete": found.complete,
        "cut_reasons": list(found.cut_reasons), "run": shown,
    }
