"""The JSON form of ``flpcheck liveness --json`` (schema: ``flpcheck schema liveness``).

Events are ``[pid, payload]`` as in every output (:mod:`flpcheck.output.json`); a run with a GST
is ``{"kind", "inputs", "stem", "gst_at", "cycle", "crashed", "crash_at", "trusted"}``; what was
not established is ``null``, never ``false``.
"""

from __future__ import annotations

from typing import Any

from ..analysis.gst_runs import GSTRun
from ..analysis.liveness import Liveness
from .json import event_to_json, nondeciding_to_json

__all__ = ["gst_run_to_json", "liveness_to_json"]


def gst_run_to_json(run: GSTRun | None) -> dict[str, Any] | None:
    """A run with a GST as JSON, or None."""
    if run is None:
        return None
    return {
        "kind": run.kind,
        "inputs": list(run.inputs),
        "stem": [event_to_json(e) for e in run.stem],
        "gst_at": run.gst_at,
        "cycle": [event_to_json(e) for e in run.cycle],
        "crashed": sorted(run.crashed),
        "crash_at": [[p, at] for p, at in run.crash_at],
        "trusted": run.trusted,
        "stage_ends": list(run.stage_ends),
    }


def _worst_from(run: GSTRun | None) -> dict[str, Any] | None:
    if run is None or run.kind != "decides":
        return None
    return {
        "inputs": list(run.inputs),
        "schedule": [event_to_json(e) for e in run.stem[: run.gst_at]],
        "after_gst": [event_to_json(e) for e in run.stem[run.gst_at:]],
        "crash_at": [[p, at] for p, at in run.crash_at],
        "trusted": run.trusted,
    }


def liveness_to_json(r: Liveness) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck liveness``."""
    return {
        "protocol": r.protocol,
        "processes": r.processes,
        "crashes": r.crashes,
        "leader": r.rules.leader,
        "timeouts": None if r.rules.detector else r.rules.timeouts,
        "detector": r.rules.detector,
        "gst_by": r.gst_by,
        "termination": r.termination,
        "holds": r.holds,
        "detail": r.detail,
        "worst_steps_after_gst": r.worst_steps,
        "worst_reason": r.worst_reason or None,
        "worst_from": _worst_from(r.worst),
        "unbounded_loop": gst_run_to_json(r.worst) if r.worst is not None
        and r.worst.kind == "loop" else None,
        "run": gst_run_to_json(r.run),
        "stages": gst_run_to_json(r.stages),
        "complete": r.complete,
        "cut_reasons": list(r.cut_reasons),
        "configurations": r.configurations,
        "post_configurations": r.post_configurations,
        "without_gst": None if r.contrast is None else nondeciding_to_json(r.contrast),
        "seconds": round(r.seconds, 3),
    }
