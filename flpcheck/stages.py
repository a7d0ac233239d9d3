"""The Lemma 3 adversary on demand, for protocols too large (or infinite) to explore.

``flpcheck witness MODEL --stages k`` builds the first k stages of the adversary's run without
exploring the whole graph. Each configuration a stage ends in is *certified* bivalent by two
explicit finite continuations, one reaching a configuration where 0 is decided and one where 1
is: that proves V(C) = {0, 1} whatever the bounds. The bounds only limit the searches (for
sigma, and for the certificates); when a search gives up, the stage fails and says which bound
stopped it, which proves nothing about the protocol.

Every configuration inside a stage's sigma is bivalent too: it reaches the stage's end.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import ReplayError
from .explorer import all_inputs
from .protocol import Protocol
from .semantics import (
    Configuration,
    Event,
    applicable_events,
    apply_event,
    event_to_json,
    initial_configuration,
    replay,
)

__all__ = ["OnDemandStage", "StagedRun", "staged_adversary", "check_staged_run",
           "staged_run_to_json"]


@dataclass(frozen=True)
class OnDemandStage:
    """One stage: process p served with event e after sigma, and the two certificates that
    the configuration it ends in is bivalent."""

    process: int
    event: Event
    sigma: tuple[Event, ...]
    certificates: dict[int, tuple[Event, ...]]
    queue: tuple[int, ...]
    searched: int


@dataclass(frozen=True)
class StagedRun:
    """The k-stage prefix of the adversary's run from I(inputs), with its certificates."""

    inputs: tuple[int, ...]
    start_certificates: dict[int, tuple[Event, ...]]
    stages: list[OnDemandStage]
    failure: str = ""
    bounds: dict[str, int] = field(default_factory=dict)

    @property
    def events(self) -> tuple[Event, ...]:
        """The run: every stage's sigma then its event, concatenated."""
        out: list[Event] = []
        for s in self.stages:
            out += [*s.sigma, s.event]
        return tuple(out)


class _Steps:
    """Successors of plain configurations, with the protocol's steps memoized."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.cache: dict[tuple[int, Any, Any], tuple[Any, tuple[tuple[int, Any], ...]]] = {}

    def apply(self, config: Configuration, event: Event) -> Configuration:
        return apply_event(self.protocol, config, event).config

    def successors(self, config: Configuration) -> Iterator[tuple[Event, Configuration]]:
        for e in applicable_events(config, self.protocol.processes):
            yield e, self.apply(config, e)


def _certificate(steps: _Steps, start: Configuration, value: int,
                 max_configs: int) -> tuple[Event, ...] | None:
    """A shortest schedule from ``start`` to a configuration where ``value`` is decided, found
    by breadth-first search over at most ``max_configs`` configurations."""
    proto = steps.protocol
    if value in start.decisions(proto):
        return ()
    prev: dict[Configuration, tuple[Configuration, Event] | None] = {start: None}
    queue = deque([start])
    while queue and len(prev) < max_configs:
        c = queue.popleft()
        for e, d in steps.successors(c):
            if d in prev:
                continue
            prev[d] = (c, e)
            if value in d.decisions(proto):
                path = []
                x: Configuration = d
                while prev[x] is not None:
                    x, ev = prev[x]  # type: ignore[misc]
                    path.append(ev)
                return tuple(reversed(path))
            queue.append(d)
    return None


def _certify(steps: _Steps, c: Configuration,
             max_configs: int) -> dict[int, tuple[Event, ...]] | None:
    out = {}
    for v in (0, 1):
        cert = _certificate(steps, c, v, max_configs)
        if cert is None:
            return None
        out[v] = cert
    return out


def staged_adversary(protocol: Protocol, stages: int, *, cert_configs: int = 20000,
                     sigma_configs: int = 2000) -> StagedRun:
    """The first ``stages`` stages of Lemma 3's adversary, each end certified bivalent.

    Start: the first initial configuration (Lemma 2's chain first, then the others) certified
    bivalent. Stage: for the process p at the head of the round-robin queue, e = (p, m) with m
    its oldest pending message along the run (by send time, then canonical order), or null;
    sigma is the first configuration, in breadth-first order over configurations reachable
    without e (at most ``sigma_configs``), where e applies and leads to a configuration
    certified bivalent by searches of at most ``cert_configs`` configurations.
    """
    n = protocol.processes
    steps = _Steps(protocol)
    bounds = {"cert_configs": cert_configs, "sigma_configs": sigma_configs}
    chain = [tuple([1] * k + [0] * (n - k)) for k in range(n + 1)]
    order = chain + [x for x in all_inputs(n) if x not in chain]
    start = None
    for x in order:
        c = initial_configuration(protocol, x)
        certs = _certify(steps, c, cert_configs)
        if certs is not None:
            start = (x, c, certs)
            break
    if start is None:
        return StagedRun((0,) * n, {}, [], "no initial configuration could be certified "
                         f"bivalent with searches of {cert_configs} configurations", bounds)
    inputs, config, start_certs = start
    queue = tuple(range(n))
    pending: list[tuple[int, int, tuple[int, Any]]] = []  # (send time, tie, message)
    time = 0
    done: list[OnDemandStage] = []
    while len(done) < stages:
        p = queue[0]
        mine = sorted((t, k, m) for t, k, m in pending if m[0] == p)
        e = Event(p, mine[0][2][1]) if mine else Event(p, None)
        found = _sigma(steps, config, e, sigma_configs, cert_configs)
        if found is None:
            return StagedRun(inputs, start_certs, done,
                             f"stage {len(done)}: no sigma avoiding {e} found within "
                             f"{sigma_configs} configurations whose e(sigma(C)) could be certified "
                             f"bivalent with searches of {cert_configs} configurations", bounds)
        sigma, certs, searched = found
        for ev in [*sigma, e]:
            step = apply_event(protocol, config, ev)
            time += 1
            if ev.msg is not None:
                oldest = min(c for c in pending if c[2] == (ev.pid, ev.msg))
                pending.remove(oldest)
            pending += [(time, i, m) for i, m in enumerate(step.sends)]
            config = step.config
        done.append(OnDemandStage(p, e, sigma, certs, queue, searched))
        queue = queue[1:] + queue[:1]
    return StagedRun(inputs, start_certs, done, "", bounds)


def _sigma(steps: _Steps, start: Configuration, e: Event, max_configs: int,
           cert_configs: int) -> tuple[tuple[Event, ...], dict[int, tuple[Event, ...]], int] | None:
    prev: dict[Configuration, tuple[Configuration, Event] | None] = {start: None}
    queue = deque([start])
    while queue:
        c = queue.popleft()
        if e in applicable_events(c, steps.protocol.processes):
            certs = _certify(steps, steps.apply(c, e), cert_configs)
            if certs is not None:
                path = []
                x = c
                while prev[x] is not None:
                    x, ev = prev[x]  # type: ignore[misc]
                    path.append(ev)
                return tuple(reversed(path)), certs, len(prev)
        if len(prev) >= max_configs:
            continue
        for ev, d in steps.successors(c):
            if ev != e and d not in prev:
                prev[d] = (c, ev)
                queue.append(d)
    return None


def check_staged_run(protocol: Protocol, run: StagedRun) -> None:
    """Replay the prefix and every certificate with the protocol's own code (no memo); raise
    ReplayError unless each stage's certificates reach a decision of 0 and of 1 and each
    stage's event is the one the adversary's rule picks."""
    config = initial_configuration(protocol, run.inputs)
    _check_certs(protocol, run.inputs, (), run.start_certificates, "the start")
    prefix: tuple[Event, ...] = ()
    for i, stage in enumerate(run.stages):
        if stage.event in stage.sigma:
            raise ReplayError(f"stage {i}: sigma applies the event {stage.event} it must avoid")
        if stage.event.pid != stage.process:
            raise ReplayError(f"stage {i}: event {stage.event} is not a step of p{stage.process}")
        prefix += (*stage.sigma, stage.event)
        _check_certs(protocol, run.inputs, prefix, stage.certificates, f"stage {i}")
    steps = replay(protocol, run.inputs, prefix)
    for j, st in enumerate(steps):
        if st.config.decisions(protocol):
            raise ReplayError(f"step {j + 1} of the run decides: a bivalent run never does")
    del config


def _check_certs(protocol: Protocol, inputs: tuple[int, ...], prefix: tuple[Event, ...],
                 certs: dict[int, tuple[Event, ...]], where: str) -> None:
    for v in (0, 1):
        if v not in certs:
            raise ReplayError(f"{where}: no certificate for {v}")
        steps = replay(protocol, inputs, prefix + certs[v])
        end = steps[-1].config if steps else initial_configuration(protocol, inputs)
        if v not in end.decisions(protocol):
            raise ReplayError(f"{where}: the certificate for {v} does not reach a decision {v}")


def staged_run_to_json(run: StagedRun) -> dict[str, Any]:
    """The ``--json`` object of ``flpcheck witness --stages k``."""
    return {
        "inputs": list(run.inputs),
        "start_certificates": {str(v): [event_to_json(e) for e in c]
                               for v, c in run.start_certificates.items()},
        "stages": [
            {
                "process": s.process,
                "event": event_to_json(s.event),
                "schedule": [event_to_json(e) for e in (*s.sigma, s.event)],
                "certificates": {str(v): [event_to_json(e) for e in c]
                                 for v, c in s.certificates.items()},
                "queue": list(s.queue),
            }
            for s in run.stages
        ],
        "complete": not run.failure,
        "failure": run.failure or None,
        "bounds": run.bounds,
    }
