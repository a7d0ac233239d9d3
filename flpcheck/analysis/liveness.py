"""Eventual liveness after GST: does every admissible run decide once things go well?

The question of ``flpcheck liveness``. A run is arbitrary until a point GST the adversary
chooses; after it the rules of :mod:`flpcheck.analysis.gst` hold (timeouts only when nothing is
in transit, optionally only a stable leader's, or a failure detector that never suspects one
correct process), every message to a live process is received and every live process that has
an allowed event infinitely often steps infinitely often. Liveness holds when every such run
decides (``termination``: some process, or every live one).

:func:`check_liveness` answers it on an explored graph (without ``gst_by``: every explored
configuration may be the one at GST) or on the graphs explored after the configurations
reachable within ``gst_by`` events (:mod:`flpcheck.analysis.post_gst`). The answer,
:class:`Liveness`, is ``holds`` true, false or None (not established: a bound cut what had to
be searched), with the run that never decides when false, and when true the worst case: the
most events from GST to a decision over every admissible run (stuttering steps do not count),
or None with the reason when it is unbounded (an unfair cycle the adversary may repeat any
number of times before it must leave). Every run in it has been replayed and checked by
:func:`~flpcheck.analysis.gst_runs.check_gst_run`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import UsageError
from ..explorer.engine import Progress, StopCheck
from ..explorer.statespace import StateSpace
from ..model.semantics import Event, apply_event, initial_configuration
from ..model.suspicion import require_suspects, suspected_by
from ..model.termination import check_termination
from .gst import GSTRules, null_step, suspicion_text
from .gst_runs import GSTRun, check_gst_run, crashed_at, why_unfair
from .gst_search import UNBOUNDED, failing_run, longest_after_gst, unbounded_loop, worst_path
from .gst_stages import fair_stages
from .nondeciding import NondecidingSearch, search_nondeciding
from .post_gst import PostBounds, PostGraph, build_post_graphs

__all__ = ["Liveness", "GSTStep", "check_liveness", "annotate_gst_run"]


@dataclass(frozen=True)
class GSTStep:
    """One step of a printed run: an event (or, with ``event`` None, the crash of ``crash``),
    where it falls (``phase``: before GST, after GST, or in the cycle), what a null step is
    (``label``), the messages sent, the state of the process after it, every output, and
    whether it changes nothing (``stutter``)."""

    number: int
    phase: str
    event: Event | None
    crash: int | None
    label: str
    sends: tuple[tuple[int, Any], ...]
    state_after: Any
    outputs: tuple[int | None, ...]
    stutter: bool


@dataclass(frozen=True)
class Liveness:
    """The answer of ``flpcheck liveness``: see the module docstring."""

    protocol: str
    processes: int
    crashes: int
    rules: GSTRules
    gst_by: int | None
    termination: str
    holds: bool | None
    detail: str
    worst_steps: int | None
    worst_reason: str
    worst: GSTRun | None
    worst_annotated: tuple[GSTStep, ...]
    run: GSTRun | None
    run_annotated: tuple[GSTStep, ...]
    #: not established because a bound cut the graph: fair stages after GST that never decide
    stages: GSTRun | None
    stages_annotated: tuple[GSTStep, ...]
    complete: bool
    cut_reasons: tuple[str, ...]
    configurations: int
    post_configurations: int
    contrast: NondecidingSearch | None
    contrast_labels: tuple[str, ...]
    seconds: float
    #: some step is left to chance: each outcome is a branch the adversary picks here
    chance: bool = False

    @property
    def exit_code(self) -> int:
        """0 when liveness holds or was not refuted (not established), 1 when it fails."""
        return 1 if self.holds is False else 0


def check_liveness(pre: StateSpace, crashes: int = 1, rules: GSTRules | None = None,
                   termination: str = "some", gst_by: int | None = None,
                   bounds: PostBounds | None = None, stop: StopCheck | None = None,
                   progress: Progress | None = None) -> Liveness:
    """Liveness after GST on ``pre``: the explored graph (without ``gst_by``), or the
    configurations reachable within ``gst_by`` events (``pre`` explored with ``max_depth =
    gst_by``), each then explored after GST within ``bounds`` (``progress`` is told as each
    of those explorations grows)."""
    started = time.perf_counter()
    rules = GSTRules() if rules is None else rules
    bounds = PostBounds() if bounds is None else bounds
    check_termination(termination)
    protocol = pre.protocol
    n = pre.n
    pre.require_full("liveness after GST")
    if rules.leader is not None and not 0 <= rules.leader < n:
        raise UsageError(f"--leader {rules.leader}: there is no process p{rules.leader} "
                         f"(N={n})")
    if rules.detector:
        require_suspects(protocol)
    if crashes >= n:
        raise UsageError(f"--crashes {crashes}: at most {n - 1} of {n} processes may crash")
    scenarios = build_post_graphs(pre, rules, crashes, termination, gst_by, bounds, stop,
                                  progress)
    graphs = [g for gs in scenarios.values() for g in gs]
    pre_reasons = [r for r in pre.cut_reasons if not (gst_by is not None and r == "max-depth")]
    if gst_by is None:
        post_reasons: list[str] = []
    else:
        post_reasons = [_after_gst(r) for g in graphs for r in g.space.cut_reasons]
    reasons = tuple(dict.fromkeys(pre_reasons + post_reasons))
    cut_somewhere = any(g.cut.any() for g in graphs)
    changes = bool(pre.table.decision_changes)
    run = None if changes else failing_run(pre, scenarios)
    stages: GSTRun | None = None
    worst: GSTRun | None = None
    worst_steps: int | None = None
    worst_reason = ""
    if changes:
        holds: bool | None = None
        detail = ("a process changes its output once set (write-once broken: "
                  "flpcheck witness shows where), so whether a run decides is not defined")
        worst_reason = "not established"
    elif run is not None:
        check_gst_run(protocol, run, _with(rules, run.trusted), crashes, termination)
        holds = False
        detail = _fails(run, rules)
    elif cut_somewhere or pre_reasons:
        holds = None
        detail = ("no run that avoids deciding after GST was found in the "
                  f"explored part, but {', '.join(reasons) or 'a bound'} cut what had to be "
                  "searched: such a run may lie beyond it")
        worst_reason = "not established"
        stages = fair_stages(pre, scenarios)
        if stages is not None:
            check_gst_run(protocol, stages, _with(rules, stages.trusted), crashes, termination)
    else:
        holds = True
        detail = "every admissible run decides after GST"
        worst, worst_steps, worst_reason = _worst(pre, scenarios)
        if worst is not None:
            check_gst_run(protocol, worst, _with(rules, worst.trusted), crashes, termination)
            if worst.kind == "loop":
                worst_reason += f" (it is unfair: {why_unfair(protocol, worst, rules)})"
    contrast, labels = _contrast(pre, crashes, termination, rules, gst_by)
    post = len(pre) if gst_by is None else sum(len(g.space) for g in graphs)
    return Liveness(
        type(protocol).__name__, n, crashes, rules, gst_by, termination, holds, detail,
        worst_steps, worst_reason, worst,
        () if worst is None else annotate_gst_run(pre, worst, rules),
        run, () if run is None else annotate_gst_run(pre, run, rules),
        stages, () if stages is None else annotate_gst_run(pre, stages, rules),
        not reasons, reasons, len(pre), post, contrast, labels,
        time.perf_counter() - started,
        pre.edge_probability is not None
        or any(g.space.edge_probability is not None for g in graphs))


def _after_gst(reason: str) -> str:
    """A cut reason of an exploration after GST, named by the option that sets it."""
    return "max-post-configs" if reason == "max-configs" else f"{reason} (after GST)"


def _with(rules: GSTRules, trusted: int | None) -> GSTRules:
    return GSTRules(rules.timeouts, rules.leader, rules.detector, trusted)


def _fails(run: GSTRun, rules: GSTRules) -> str:
    crashed = ", ".join(f"p{p}" for p in sorted(run.crashed)) or "no process"
    how = ("it reaches a configuration where no live process has an allowed event"
           if run.kind == "stuck" else "it ends in a fair cycle that never decides")
    who = "" if run.trusted is None else f" with p{run.trusted} trusted by the detector,"
    return f"after GST,{who} with {crashed} crashed, {how}"


def _worst(pre: StateSpace, scenarios: dict[int | None, list[PostGraph]]
           ) -> tuple[GSTRun | None, int | None, str]:
    """The worst case over every configuration at GST: (its run, its steps, why None)."""
    values = longest_after_gst(scenarios)
    best: tuple[int, int, int, Any, PostGraph, int] | None = None
    for trusted, gs in scenarios.items():
        g = gs[0]  # no crash at GST: crashes are free transitions from it
        nodes = np.flatnonzero(g.live & (g.pre_id >= 0))
        if not nodes.size:
            continue
        vals = values[id(g)][nodes]
        ids = g.pre_id[nodes]
        order = np.lexsort((ids, pre.depth[ids], -vals))
        i = int(order[0])
        cand = (int(vals[i]), -int(pre.depth[ids[i]]), -int(ids[i]), trusted, g, int(nodes[i]))
        if best is None or cand[:3] > best[:3]:
            best = cand
    if best is None:
        return None, 0, "every configuration at GST has decided already"
    value, _, _, trusted, g, node = best
    gs = scenarios[trusted]
    if value >= UNBOUNDED:
        loop = unbounded_loop(pre, g, node, gs, values)
        return loop, None, (
            f"unbounded: every admissible run decides, but an unfair cycle of "
            f"{len(loop.cycle)} events after GST can be repeated any number of times before the "
            "run must leave it")
    return worst_path(pre, g, node, gs, values), value, ""


def _contrast(pre: StateSpace, crashes: int, termination: str, rules: GSTRules,
              gst_by: int | None) -> tuple[NondecidingSearch | None, tuple[str, ...]]:
    """Without GST: is there an admissible run (FLP's, any schedule forever) that never
    decides? On the explored graph (not with gst_by: that graph is only a prefix)."""
    if gst_by is not None:
        return None, ()
    search = search_nondeciding(pre, crashes, termination)
    labels: tuple[str, ...] = ()
    if search.run is not None and rules.detector:
        protocol = pre.protocol
        config = initial_configuration(protocol, search.run.inputs)
        out = []
        for i, e in enumerate(search.run.events):
            if e.msg is None:
                gone = search.run.crashed if i >= search.run.crash_point else frozenset()
                out.append(suspicion_text(suspected_by(protocol, e.pid, config.states[e.pid]),
                                          gone))
            else:
                out.append("")
            config = apply_event(protocol, config, e).config
        labels = tuple(out)
    return search, labels


def annotate_gst_run(pre: StateSpace, run: GSTRun, rules: GSTRules) -> tuple[GSTStep, ...]:
    """The run's steps with what each null step is (a timeout before or after GST, a
    suspicion, a stutter), replayed with the protocol's own code."""
    protocol = pre.protocol
    after = _with(rules, run.trusted)
    config = initial_configuration(protocol, run.inputs)
    out: list[GSTStep] = []
    crashes = dict(run.crash_at)
    events = run.stem + run.cycle
    for i, e in enumerate(events):
        for p in sorted(q for q, at in crashes.items() if at == i):
            out.append(GSTStep(i, "after GST" if i >= run.gst_at else "before GST", None, p,
                               "crashes" + (" at GST" if i == run.gst_at else ""), (),
                               None, config.outputs(protocol), False))
        phase = ("before GST" if i < run.gst_at else "after GST" if i < len(run.stem)
                 else "cycle")
        if run.stage_ends and i >= run.gst_at:
            phase = f"stage {sum(1 for end in run.stage_ends if end <= i) + 1}"
        step = apply_event(protocol, config, e)
        stutter = step.config == config
        label = ""
        if e.msg is None:
            now = crashed_at(run, min(i, len(run.stem)))
            if i < run.gst_at:
                if rules.detector:
                    label = ("before the detector stabilizes: "
                             + suspicion_text(suspected_by(protocol, e.pid, config.states[e.pid]),
                                              now))
                else:
                    label = "a timeout before GST (any time)"
            else:
                label = null_step(protocol, config, e.pid, after, now)[1]
            if stutter:
                label += "; it changes nothing (stuttering)"
        out.append(GSTStep(i + 1, phase, e, None, label, step.sends,
                           step.config.states[e.pid], step.config.outputs(protocol), stutter))
        config = step.config
    for p in sorted(q for q, at in crashes.items() if at == len(events)):
        out.append(GSTStep(len(events), "after GST", None, p, "crashes", (), None,
                           config.outputs(protocol), False))
    return tuple(out)
