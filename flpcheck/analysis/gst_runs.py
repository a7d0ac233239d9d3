"""Runs with a GST, as values, and their independent replay checker.

A :class:`GSTRun` starts at I(inputs) and applies ``stem`` then ``cycle``; GST comes after the
first ``gst_at`` events. Before it any event may happen; from it on every event must be allowed
by the rules (:mod:`flpcheck.analysis.gst`) with the processes crashed so far. A process in
``crashed`` crashes at the stem position ``crash_at`` gives (at GST or later) and takes no event
from there on; a crash is not an event. What the run shows is its ``kind``:

- ``"cycle"``: a non-deciding run after GST: the cycle repeats forever, no configuration counts
  as decided, and the cycle is fair after GST (:mod:`flpcheck.analysis.gst_fair`);
- ``"stuck"``: a non-deciding run that ends (the cycle is empty): at the last configuration, which
  does not count as decided, no live process has an allowed event;
- ``"decides"``: a path from GST to a decision (the worst case): only its last configuration
  counts as decided; its ``steps`` are the events after GST that change something;
- ``"loop"``: an unfair cycle of undecided configurations after GST that the adversary may repeat
  any number of times (every admissible run must leave it): what makes the worst case unbounded;
- ``"stages"``: a finite prefix after GST cut into fair stages (:mod:`flpcheck.analysis.gst_stages`;
  stage i ends after ``stage_ends[i]`` events): nothing decides, and in every stage each message
  to a live process in transit at its start is received and each live process with an allowed
  event at one of its configurations steps. Evidence where a bound cut the graph, not proof.

:func:`check_gst_run` replays every event with the protocol's own ``step``
(:mod:`flpcheck.model.semantics`) and checks the rules with the plain
:func:`flpcheck.analysis.gst.null_step`; it shares no code with the searches.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ReplayError
from ..model.protocol import Protocol
from ..model.semantics import Configuration, Event, apply_event, initial_configuration
from ..model.termination import check_termination, counts_as_decided
from .gst import GSTRules, null_step

__all__ = ["KINDS", "GSTRun", "check_gst_run", "crashed_at", "non_stuttering", "why_unfair"]

KINDS = ("cycle", "stuck", "decides", "loop", "stages")


@dataclass(frozen=True)
class GSTRun:
    """A run with a GST: see the module docstring."""

    kind: str
    inputs: tuple[int, ...]
    stem: tuple[Event, ...]
    gst_at: int
    cycle: tuple[Event, ...] = ()
    #: (pid, stem position) of every crash, sorted by position then pid
    crash_at: tuple[tuple[int, int], ...] = ()
    #: detector mode: the process the detector trusts after it stabilizes
    trusted: int | None = None
    #: kind "stages": the stem position where each stage ends
    stage_ends: tuple[int, ...] = ()

    @property
    def crashed(self) -> frozenset[int]:
        """Every process that crashes in the run."""
        return frozenset(p for p, _ in self.crash_at)

    @property
    def events(self) -> tuple[Event, ...]:
        """The stem followed by one turn of the cycle."""
        return self.stem + self.cycle


def crashed_at(run: GSTRun, position: int) -> frozenset[int]:
    """The processes crashed before the event at stem position ``position`` (cycle events
    count from ``len(run.stem)`` on)."""
    return frozenset(p for p, at in run.crash_at if at <= position)


def non_stuttering(configs: list[Configuration], start: int, stop: int) -> int:
    """How many events between configurations ``start`` and ``stop`` change the configuration."""
    return sum(1 for i in range(start, stop) if configs[i + 1] != configs[i])


def check_gst_run(protocol: Protocol, run: GSTRun, rules: GSTRules, crashes: int,
                  termination: str = "some") -> list[Configuration]:
    """Replay ``run`` and check it is what its kind says; return its configurations (the stem's,
    then one turn of the cycle's). Raises :class:`ReplayError` naming the first check that
    fails."""
    n = protocol.processes
    check_termination(termination)
    if run.kind not in KINDS:
        raise ReplayError(f"unknown kind of run {run.kind!r}")
    crashed = run.crashed
    if len(crashed) > crashes or len(crashed) != len(run.crash_at):
        raise ReplayError(f"crashes {sorted(run.crash_at)}: more than {crashes}, or one twice")
    if any(not 0 <= p < n for p in crashed) or len(crashed) >= n:
        raise ReplayError(f"crash set {sorted(crashed)} is not a set of some of the processes")
    if rules.leader is not None and rules.leader in crashed:
        raise ReplayError(f"the leader p{rules.leader} crashes")
    if rules.detector and (run.trusted is None or run.trusted in crashed):
        raise ReplayError("the trusted process is missing or crashes")
    if any(not run.gst_at <= at <= len(run.stem) for _, at in run.crash_at):
        raise ReplayError("a crash is placed before GST or after the stem")
    if not 0 <= run.gst_at <= len(run.stem):
        raise ReplayError(f"GST after {run.gst_at} events of a stem of {len(run.stem)}")
    if (run.kind in ("cycle", "loop")) != bool(run.cycle):
        raise ReplayError(f"a run of kind {run.kind} {'needs' if run.cycle == () else 'has'} "
                          "a cycle")
    after = GSTRules(rules.timeouts, rules.leader, rules.detector, run.trusted)
    config = initial_configuration(protocol, run.inputs)
    configs = [config]
    for i, event in enumerate(run.stem + run.cycle):
        where = f"stem step {i + 1}" if i < len(run.stem) else f"cycle step {i - len(run.stem) + 1}"
        now = crashed_at(run, min(i, len(run.stem)))
        if event.pid in now:
            raise ReplayError(f"{where}: crashed process p{event.pid} takes a step ({event})")
        if i >= run.gst_at and event.msg is None:
            ok, why = null_step(protocol, config, event.pid, after, now)
            if not ok:
                raise ReplayError(f"{where}: {event} is not allowed after GST: {why}")
        try:
            config = apply_event(protocol, config, event).config
        except ReplayError as err:
            raise ReplayError(f"{where}: {err}") from None
        configs.append(config)
    # configuration k comes after k events: the processes crashed by then count as crashed
    decided = [counts_as_decided(c.outputs(protocol), termination,
                                 crashed_at(run, min(k, len(run.stem))))
               for k, c in enumerate(configs)]
    if run.kind == "decides":
        if not decided[-1]:
            raise ReplayError("the path does not end in a decision")
        if any(decided[run.gst_at:-1]):
            raise ReplayError("the path decides before its end")
        return configs
    if any(decided):
        first = decided.index(True)
        raise ReplayError(f"configuration {first} of the run counts as decided")
    live = set(range(n)) - crashed
    if run.kind == "stages":
        _check_stages(protocol, run, configs, after, live)
        return configs
    if run.kind == "stuck":
        last = configs[-1]
        for p in sorted(live):
            if any(dst == p for dst, _ in last.buffer):
                raise ReplayError(f"the run ends although p{p} has a message to receive")
            ok, _ = null_step(protocol, last, p, after, crashed)
            if ok:
                raise ReplayError(f"the run ends although p{p} may take a null step")
        return configs
    loop = configs[len(run.stem):]
    if loop[-1] != loop[0]:
        raise ReplayError("the cycle does not return to the configuration it starts from")
    starved = _unfairness(protocol, run, loop, after, live)
    if run.kind == "cycle" and starved:
        raise ReplayError(f"unfair cycle: {starved}")
    if run.kind == "loop":
        if not starved:
            raise ReplayError("the loop is fair: it is a non-deciding run, not a detour")
        if non_stuttering(loop, 0, len(loop) - 1) == 0:
            raise ReplayError("the loop only stutters: it adds no step")
    return configs


def why_unfair(protocol: Protocol, run: GSTRun, rules: GSTRules) -> str:
    """Why the cycle of ``run`` is not fair after GST ("" when it is), replayed."""
    config = initial_configuration(protocol, run.inputs)
    for e in run.stem:
        config = apply_event(protocol, config, e).config
    loop = [config]
    for e in run.cycle:
        loop.append(apply_event(protocol, loop[-1], e).config)
    after = GSTRules(rules.timeouts, rules.leader, rules.detector, run.trusted)
    return _unfairness(protocol, run, loop, after, set(range(protocol.processes)) - run.crashed)


def _unfairness(protocol: Protocol, run: GSTRun, loop: list[Configuration], rules: GSTRules,
                live: set[int]) -> str:
    """Why the cycle is not fair after GST ("" when it is)."""
    crashed = run.crashed
    stepping = {e.pid for e in run.cycle}
    delivered = {e.key for e in run.cycle if e.msg is not None}
    for c in loop:
        for dst, payload in c.buffer:
            if dst in live and Event(dst, payload).key not in delivered:
                return f"message {payload!r} to p{dst} stays in transit forever"
        for p in sorted(live - stepping):
            if any(dst == p for dst, _ in c.buffer) or null_step(protocol, c, p, rules,
                                                                 crashed)[0]:
                return f"p{p} has an allowed event in the cycle but never steps"
    return ""


def _check_stages(protocol: Protocol, run: GSTRun, configs: list[Configuration],
                  rules: GSTRules, live: set[int]) -> None:
    """Every stage receives the messages in transit to live processes at its start and steps
    every live process with an allowed event at one of its configurations."""
    if not run.stage_ends or run.stage_ends[-1] != len(run.stem):
        raise ReplayError("the stages do not cover the stem after GST")
    begin = run.gst_at
    for i, end in enumerate(run.stage_ends):
        if end <= begin:
            raise ReplayError(f"stage {i + 1} is empty")
        events = run.stem[begin:end]
        received = {e.key for e in events if e.msg is not None}
        for dst, payload in configs[begin].buffer:
            if dst in live and Event(dst, payload).key not in received:
                raise ReplayError(f"stage {i + 1}: message {payload!r} to p{dst}, in transit at "
                                  "its start, is not received in it")
        stepping = {e.pid for e in events}
        for k in range(begin, end):
            c = configs[k]
            for p in sorted(live - stepping):
                if any(dst == p for dst, _ in c.buffer) or null_step(protocol, c, p, rules,
                                                                     run.crashed)[0]:
                    raise ReplayError(f"stage {i + 1}: p{p} has an allowed event in it but "
                                      "never steps")
        begin = end
