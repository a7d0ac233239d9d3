"""The JSON form of every result: one encoder per value, shared by every ``--json`` output.

The shapes are those of :mod:`flpcheck.output.schemas`: an event is ``[pid, payload]`` (the
payload in its JSON form, ``null`` for a null step), or ``[pid, payload, outcome]`` for a
step left to chance (chance's outcome), a schedule
``{"inputs", "events"}``, a run ``{"inputs", "stem", "cycle", "crashed", "crash_point"}``, and
what was not established is ``null``, never ``false`` (a simulation that finds no violation
establishes nothing: its properties are ``false`` or ``null``, never ``true``).
"""

from __future__ import annotations

from typing import Any

from ..analysis.lasso import Run
from ..analysis.nondeciding import NondecidingSearch
from ..analysis.properties import PropertyResult
from ..analysis.stages import StagedRun
from ..analysis.summary import Exploration
from ..analysis.valence import LABELS
from ..analysis.verdict import Verdict
from ..explorer.statespace import Schedule, StateSpace
from ..model.inputs import bits
from ..model.protocol import Protocol
from ..model.semantics import Event
from ..model.values import to_json
from ..simulate import PROPERTIES, Simulation, histogram
from ..sync.records import RoundCheck, RoundExecution, RoundVerdict

__all__ = ["event_to_json", "schedule_to_json", "run_to_json", "nondeciding_to_json",
           "exploration_to_json", "verdict_to_json", "staged_run_to_json", "round_check_to_json",
           "execution_to_json", "simulation_to_json"]


def event_to_json(event: Event) -> list[Any]:
    """``[pid, payload]`` with the payload JSON-encoded (null for a null step), then
    chance's outcome for a step left to chance: ``[pid, payload, outcome]``."""
    if event.outcome is not None:
        return [event.pid, to_json(event.msg), event.outcome]
    return [event.pid, to_json(event.msg)]


def schedule_to_json(schedule: Schedule | None) -> dict[str, Any] | None:
    """``{"inputs": [...], "events": [[pid, payload], ...]}`` or None."""
    if schedule is None:
        return None
    return {"inputs": list(schedule.inputs), "events": [event_to_json(e) for e in schedule.events]}


def run_to_json(run: Run | None) -> dict[str, Any] | None:
    """A run as JSON: ``{"inputs", "stem", "cycle", "crashed", "crash_point"}`` (events as
    ``[pid, payload]``), or None."""
    if run is None:
        return None
    return {
        "inputs": list(run.inputs),
        "stem": [event_to_json(e) for e in run.stem],
        "cycle": [event_to_json(e) for e in run.cycle],
        "crashed": sorted(run.crashed),
        "crash_point": run.crash_point if run.crashed else None,
    }


def nondeciding_to_json(search: NondecidingSearch) -> dict[str, Any]:
    """``{"crashes", "exists", "reason", "run"}``: exists is true (with the run), false (the
    complete graph has none) or null (not established, ``reason`` says why)."""
    return {"crashes": search.crashes, "exists": search.exists,
            "reason": search.reason or None, "run": run_to_json(search.run)}


def verdict_to_json(v: Verdict, space: StateSpace) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck witness``."""
    out: dict[str, Any] = {
        "protocol": type(space.protocol).__name__,
        "processes": space.n,
        "crashes": v.crashes,
        "termination": v.termination,
        "verdict": v.verdict,
        "detail": v.detail,
        "complete": v.complete,
        "cut_reasons": list(space.cut_reasons),
        "configurations": len(space),
        "events": space.num_events,
        "evidence": None if v.evidence is None else {
            "property": v.evidence.name, "schedule": schedule_to_json(v.evidence.schedule)},
        "run": run_to_json(v.run),
        "nondeciding": None if v.nondeciding is None else nondeciding_to_json(v.nondeciding),
        "stages": None,
        "cycle_from_stage": None,
    }
    if v.adversary is not None and v.adversary.run is not None:
        out["stages"] = [
            {"process": s.process, "event": event_to_json(s.event),
             "sigma": [event_to_json(e) for e in s.sigma]}
            for s in v.adversary.stages
        ]
        out["cycle_from_stage"] = v.adversary.cycle_from
    return out


def exploration_to_json(result: Exploration) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck explore`` (its schema: ``explore`` in
    :mod:`flpcheck.output.schemas`)."""
    space, valence = result.space, result.valence
    counts = None if valence is None else valence.counts()

    def prop(p: PropertyResult) -> dict[str, Any]:
        out: dict[str, Any] = {
            "holds": p.holds,
            "certain": p.certain,
            "detail": p.detail,
            "schedule": schedule_to_json(p.schedule),
        }
        if p.witnesses:
            out["witnesses"] = {k: schedule_to_json(s) for k, s in p.witnesses.items()}
        return out

    by_name = {p.name: p for p in result.properties}
    return {
        "protocol": result.name,
        "processes": space.n,
        "complete": space.complete,
        "cut_reasons": list(space.cut_reasons),
        "bounds": {k: getattr(space.bounds, k) for k in ("max_configs", "max_buffer", "max_depth")},
        "configurations": space.total_configurations(),
        "events": space.total_events(),
        "unexpanded": int(space.weights[space.cut].sum()),
        "valence": None if counts is None else {label: counts[label] for label in LABELS},
        "valence_lower_bounds": None if valence is None else valence.uncertain_count(),
        "initial": [
            {"inputs": list(x), "valence": None if valence is None else valence.label(cid),
             "certain": valence is not None and valence.is_certain(cid)}
            for x, cid in space.initial
        ],
        "agreement": prop(by_name["agreement"]),
        "validity": prop(by_name["validity"]),
        "nontriviality": prop(by_name["nontriviality"]),
        "termination": result.termination,
        "nondeciding": _nondeciding_json(result),
        "seconds": round(space.elapsed, 3),
        **({"symmetry": {"representatives": len(space), "events": space.num_events}}
           if space.reduced else {}),
        **({"partial_order": {"applied": space.partial_order, "note": space.por_note}}
           if space.partial_order or space.por_note else {}),
        **({"chance": {"events": int((space.edge_probability != 0).sum()),
                       "probabilities": [str(p) for p in space.probabilities[1:]]}}
           if space.edge_probability is not None else {}),
        **({"not_established": result.not_established} if result.not_established else {}),
    }


def _nondeciding_json(result: Exploration) -> dict[str, Any]:
    search = result.nondeciding
    if search is None:
        return {"crashes": 0, "exists": None, "reason": result.not_searched, "run": None}
    return {"crashes": 0, "exists": search.exists, "reason": search.reason or None,
            "run": run_to_json(search.run)}


def _events(events: tuple[Event, ...]) -> list[Any]:
    return [event_to_json(e) for e in events]


def staged_run_to_json(run: StagedRun, protocol: Protocol | None = None) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck witness --stages k``."""
    out: dict[str, Any] = {}
    if protocol is not None:
        out |= {"protocol": type(protocol).__name__, "processes": protocol.processes}
    v = run.violation
    return out | {
        "inputs": list(run.inputs),
        "start_certificates": {str(k): _events(c) for k, c in run.start_certificates.items()},
        "stages": [
            {
                "process": s.process,
                "event": event_to_json(s.event),
                "sigma": _events(s.sigma),
                "certificates": {str(k): _events(c) for k, c in s.certificates.items()},
                "queue": list(s.queue),
            }
            for s in run.stages
        ],
        "complete": not run.failure,
        "failure": run.failure or None,
        "stopped_by": list(run.stopped_by),
        "verdict": None if v is None else f"{v.property}-violated",
        "evidence": None if v is None else {
            "property": v.property, "detail": v.detail,
            "schedule": {"inputs": list(v.inputs), "events": _events(v.events)}},
        "bounds": run.bounds,
    }


def execution_to_json(execution: RoundExecution) -> dict[str, Any]:
    """One execution as JSON: inputs, crashes, and every round's messages, states and outputs."""
    return {
        "inputs": list(execution.inputs),
        "summary": execution.describe(),
        "crashes": [
            {"pid": c.pid, "round": c.round, "delivered_to": list(c.delivered_to)}
            for c in execution.crashes
        ],
        "initial_states": [to_json(s) for s in execution.initial_states],
        "rounds": [
            {
                "round": rec.round,
                "crashed": list(rec.crashed),
                "messages": [
                    {"src": m.src, "dst": m.dst, "payload": to_json(m.payload),
                     "delivered": m.delivered}
                    for m in rec.messages
                ],
                "states": [to_json(s) for s in rec.states],
                "outputs": list(rec.outputs),
                "live": list(rec.live),
            }
            for rec in execution.records
        ],
        "outputs": list(execution.outputs),
        "live": list(execution.live),
    }


def _verdict_to_json(v: RoundVerdict) -> dict[str, Any]:
    return {
        "holds": v.holds,
        "detail": v.detail,
        "violations": v.violations,
        "counterexample": None if v.counterexample is None else execution_to_json(v.counterexample),
    }


def round_check_to_json(check: RoundCheck) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck explore`` for a round protocol."""
    return {
        "protocol": check.name,
        "model": "synchronous rounds",
        "processes": check.processes,
        "rounds": check.rounds,
        "crashes": check.crashes,
        "inputs": [bits(x) for x in check.inputs],
        "counts": {
            "input_vectors": len(check.inputs),
            "crash_patterns": check.crash_patterns,
            "executions": check.executions,
            "global_states": list(check.global_states),
            "transitions": check.transitions,
            "user_calls": check.user_calls,
        },
        "agreement": _verdict_to_json(check.agreement),
        "validity": _verdict_to_json(check.validity),
        "termination": _verdict_to_json(check.termination),
        "termination_definition": check.termination_definition,
        "seconds": round(check.elapsed, 3),
    }


def rate(count: int, seconds: float) -> float:
    """``count`` per second, to one decimal (0 when no time passed)."""
    return round(count / seconds, 1) if seconds > 0 else 0.0


def _depths(sim: Simulation) -> dict[str, Any]:
    depths = sim.counts.depths
    runs = sum(k for _, k in depths)
    return {
        "runs": runs,
        "min": depths[0][0] if depths else None,
        "max": depths[-1][0] if depths else None,
        "mean": round(sum(d * k for d, k in depths) / runs, 3) if runs else None,
        "histogram": [{"from": lo, "to": hi, "runs": k} for lo, hi, k in histogram(depths)],
    }


def _adversary(sim: Simulation) -> dict[str, Any] | None:
    if sim.settings.scheduler != "adversary":
        return None
    c = sim.counts
    return {
        "lookahead": sim.settings.lookahead,
        "certified_start": sum(1 for _, _, b in c.adversary if b >= 0),
        "runs": [{"run": run, "undecided_events": u, "bivalent_events": None if b < 0 else b}
                 for run, u, b in c.adversary],
    }


def simulation_to_json(sim: Simulation) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck simulate`` (schema ``simulate``)."""
    c, s = sim.counts, sim.settings
    return {
        "protocol": sim.name,
        "processes": sim.protocol.processes,
        "scheduler": s.scheduler,
        "seed": s.seed,
        "runs": c.runs,
        "runs_requested": s.runs,
        "steps": s.steps,
        "inputs": None if s.inputs is None else [list(x) for x in s.inputs],
        "workers": sim.workers,
        "keep_going": s.keep_going,
        "complete": sim.complete,
        "stopped_by": c.stopped_by,
        "events": c.events,
        "distinct_configurations": sim.distinct,
        "distinct_configurations_at_least": sim.capped,
        "distinct_configurations_cap": s.distinct_cap,
        "decided_runs": c.decided,
        "decision_rate": round(sim.decision_rate, 6),
        "undecided_runs": c.undecided,
        "stuck_runs": c.idle,
        "first_decision": _depths(sim),
        "adversary": _adversary(sim),
        "violations": [
            {
                "property": v.property,
                "detail": v.detail,
                "inputs": list(v.inputs),
                "schedule": {"inputs": list(v.inputs),
                             "events": [event_to_json(e) for e in v.events]},
                "found_in_run": v.found_in_run,
                "found_at_event": v.found_at_event,
                "found_by": v.scheduler,
                "violating_runs": v.runs,
            }
            for v in sim.violations
        ],
        "holds": {p: sim.holds(p) for p in PROPERTIES},
        "conclusion": sim.conclusion,
        "seconds": round(sim.seconds, 3),
        "shrink_seconds": round(sim.shrink_seconds, 3),
        "runs_per_second": rate(c.runs, sim.seconds),
        "events_per_second": rate(c.events, sim.seconds),
    }

