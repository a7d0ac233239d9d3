"""Runs as values, and the independent replay checker.

A :class:`Run` is a lasso: from I(inputs), the ``stem`` then the ``cycle`` repeated forever, with
the processes in ``crashed`` taking no step in the cycle (they crash at its start). It is an
admissible non-deciding run when no configuration counts as decided (see
:mod:`flpcheck.model.termination`: nobody decides, or under ``all`` some live process never does),
every live process steps in the cycle, and every message to a live process pending anywhere in
the cycle is delivered in it.

:func:`check_run` decides that by re-applying every event with the protocol's own ``step``
through :mod:`flpcheck.model.semantics`: it shares no code with the searches that find runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ReplayError
from ..model.protocol import Protocol
from ..model.semantics import Configuration, Event, apply_event, initial_configuration
from ..model.termination import check_termination

__all__ = ["Run", "check_run"]


@dataclass(frozen=True)
class Run:
    """A lasso-shaped run: inputs, stem, cycle, and the crash set F."""

    inputs: tuple[int, ...]
    stem: tuple[Event, ...]
    cycle: tuple[Event, ...]
    crashed: frozenset[int] = frozenset()
    #: configuration ids along stem + cycle in the space it was found in (for drawing)
    path: tuple[int, ...] = field(default=(), compare=False)

    @property
    def events(self) -> tuple[Event, ...]:
        """The stem followed by one turn of the cycle."""
        return self.stem + self.cycle

    @property
    def crash_point(self) -> int:
        """How many stem events happen before the crashed processes stop (0: dead from the
        start); their last step in the stem, if any, is the last they take."""
        steps = [i + 1 for i, e in enumerate(self.stem) if e.pid in self.crashed]
        return max(steps, default=0)


def check_run(protocol: Protocol, run: Run, crashes: int | None = None,
              termination: str = "some") -> list[Configuration]:
    """Replay ``run`` and check it is an admissible non-deciding run; return its configurations.

    Checks: every event applicable; no configuration has a decision (``termination="some"``),
    or some live process is undecided in every configuration (``"all"``); the cycle is nonempty and
    returns to the configuration it starts from; no crashed process steps in the cycle; every
    live process steps in the cycle; every message to a live process that is pending in some
    configuration of the cycle is received by some event of the cycle; at most ``crashes``
    processes crashed. Raises :class:`ReplayError` naming the first check that fails.
    """
    n = protocol.processes
    if crashes is not None and len(run.crashed) > crashes:
        raise ReplayError(f"{len(run.crashed)} processes crash, more than the budget {crashes}")
    if any(not 0 <= p < n for p in run.crashed):
        raise ReplayError(f"crash set {sorted(run.crashed)} names a process that does not exist")
    if not run.cycle:
        raise ReplayError("the cycle is empty: a finite run is not admissible")
    config = initial_configuration(protocol, run.inputs)
    configs = [config]
    for i, event in enumerate(run.stem + run.cycle):
        where = f"stem step {i + 1}" if i < len(run.stem) else f"cycle step {i - len(run.stem) + 1}"
        if i >= len(run.stem) and event.pid in run.crashed:
            raise ReplayError(f"{where}: crashed process p{event.pid} takes a step ({event})")
        try:
            config = apply_event(protocol, config, event).config
        except ReplayError as err:
            raise ReplayError(f"{where}: {err}") from None
        configs.append(config)
    live = set(range(n)) - set(run.crashed)
    outputs = [c.outputs(protocol) for c in configs]
    if check_termination(termination) == "some":
        for i, outs in enumerate(outputs):
            decided = sorted({o for o in outs if o is not None})
            if decided:
                raise ReplayError(f"configuration {i} of the run has decided {decided}")
    elif not any(all(outs[p] is None for outs in outputs) for p in live):
        raise ReplayError("every live process decides somewhere in the run")
    loop = configs[len(run.stem):]
    if loop[-1] != loop[0]:
        raise ReplayError("the cycle does not return to the configuration it starts from")
    stepping = {e.pid for e in run.cycle}
    if live - stepping:
        missing = ", ".join(f"p{p}" for p in sorted(live - stepping))
        raise ReplayError(f"unfair cycle: live process {missing} never steps in it")
    delivered = {e.key for e in run.cycle if e.msg is not None}
    for c in loop:
        for dst, payload in c.buffer:
            if dst in live and Event(dst, payload).key not in delivered:
                raise ReplayError(
                    f"unfair cycle: message {payload!r} to p{dst} stays pending forever"
                )
    return configs
