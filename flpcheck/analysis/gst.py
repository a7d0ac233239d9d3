"""What may happen after the global stabilization time (GST), written plainly.

Partial synchrony (Dwork, Lynch, Stockmeyer, JACM 35(2), 1988): a run is arbitrary until a
point GST the adversary chooses; after it, message delays and timeouts behave. In FLP's
message-buffer model a timeout is a null step, and after GST:

- a null step of a live process p is allowed only when no message is in transit to any live
  process (``timeouts="quiet"``: timeouts outlast every message delay), or only when none is
  in transit to p (``timeouts="local"``: p's timeout outlasts the delays of its own messages);
- with a stable ``leader`` P, only P takes null steps (and P does not crash);
- with a failure detector (Chandra and Toueg, JACM 43(2), 1996; ``detector=True``), there is no
  timing rule: a null step is allowed unless it suspects the ``trusted`` process, the correct
  process that the detector (◇S) never suspects once it has stabilized;
- receiving a message is always allowed, and crashed processes take no step.

:func:`allowed_events` answers it for one configuration, with the reason for each event (the
browser explorer greys the forbidden ones with it); :func:`null_step` is the rule for one null
step. Both work on plain values (:mod:`flpcheck.model.semantics`): the replay checker
(:mod:`flpcheck.analysis.gst_runs`) uses them, the search does not
(:mod:`flpcheck.analysis.gst_filter` is its vectorized counterpart).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ..errors import UsageError
from ..model.protocol import Protocol
from ..model.semantics import Configuration, Event, applicable_events
from ..model.suspicion import suspected_by

__all__ = ["TIMEOUTS", "GSTRules", "EventRule", "null_step", "allowed_events"]

TIMEOUTS = ("quiet", "local")
"""The two timing rules for null steps after GST, the default first."""


@dataclass(frozen=True)
class GSTRules:
    """The rules after GST: ``timeouts`` (quiet or local), an optional stable ``leader``, or
    failure-detector mode (``detector``) with the ``trusted`` process (None: not chosen yet)."""

    timeouts: str = "quiet"
    leader: int | None = None
    detector: bool = False
    trusted: int | None = None

    def __post_init__(self) -> None:
        if self.timeouts not in TIMEOUTS:
            raise UsageError(f"timeouts {self.timeouts!r}: use 'quiet' or 'local'")
        if self.detector and self.leader is not None:
            raise UsageError("--detector and --leader do not combine: the detector's trusted "
                             "process plays the leader's part")

    def describe(self) -> str:
        """One line on what a null step may do after GST."""
        if self.detector:
            who = "the trusted process" if self.trusted is None else f"p{self.trusted}"
            return (f"failure detector ◇S: after it stabilizes no null step suspects {who} "
                    "(every correct process is tried as the trusted one), and crashed "
                    "processes may be suspected")
        when = ("only when no message is in transit to a live process" if self.timeouts == "quiet"
                else "only when no message is in transit to the process itself")
        if self.leader is None:
            return f"after GST a process takes a null step (a timeout) {when}"
        return (f"after GST only the leader p{self.leader} takes null steps (timeouts), and "
                f"{when}")


class EventRule(NamedTuple):
    """One applicable event and whether it is allowed after GST, with why."""

    event: Event
    allowed: bool
    reason: str


def _in_transit(config: Configuration, to: set[int]) -> list[int]:
    """The processes in ``to`` with a message in transit to them, in order."""
    return sorted({dst for dst, _ in config.buffer if dst in to})


def null_step(protocol: Protocol, config: Configuration, pid: int, rules: GSTRules,
              crashed: frozenset[int] = frozenset()) -> tuple[bool, str]:
    """Whether the null step of ``pid`` is allowed at ``config`` after GST with the processes
    in ``crashed`` crashed, and why (a sentence)."""
    n = protocol.processes
    if pid in crashed:
        return False, f"p{pid} has crashed: it takes no more steps"
    if rules.detector:
        suspects = suspected_by(protocol, pid, config.states[pid])
        if rules.trusted is not None and rules.trusted in suspects:
            return False, (f"it would suspect p{rules.trusted}, which the detector never "
                           "suspects once it has stabilized")
        return True, suspicion_text(suspects, crashed)
    if rules.leader is not None and pid != rules.leader:
        return False, f"only the leader p{rules.leader} times out after GST"
    live = set(range(n)) - set(crashed)
    if rules.timeouts == "quiet":
        busy = _in_transit(config, live)
        if busy:
            return False, (f"a message to p{busy[0]} is in transit: timeouts outlast every "
                           "message delay")
        return True, "a timeout: nothing is in transit to a live process"
    if _in_transit(config, {pid}):
        return False, (f"a message to p{pid} is in transit: its timeout outlasts the delay "
                       "of its own messages")
    return True, f"a timeout: nothing is in transit to p{pid}"


def suspicion_text(suspects: frozenset[int], crashed: frozenset[int]) -> str:
    """What a null step that suspects ``suspects`` is, the crashed processes being known."""
    if not suspects:
        return "a null step that suspects nobody"
    parts = [f"p{q} (crashed)" if q in crashed else f"p{q} (a false suspicion: p{q} is alive)"
             for q in sorted(suspects)]
    return "suspects " + ", ".join(parts)


def allowed_events(protocol: Protocol, config: Configuration, rules: GSTRules,
                   crashed: frozenset[int] = frozenset()) -> list[EventRule]:
    """Every event applicable at ``config`` (null steps first, then the messages), whether
    it is allowed after GST with ``crashed`` crashed, and why.

    >>> from flpcheck.model.semantics import initial_configuration, apply_event
    >>> class Ping(Protocol):
    ...     processes = 2
    ...     def init(self, pid, x): return x
    ...     def step(self, pid, state, msg): return state, [(1 - pid, "ping")] if msg is None else []
    ...     def output(self, pid, state): return None
    >>> c = apply_event(Ping(), initial_configuration(Ping(), (0, 1)), Event(0)).config
    >>> for rule in allowed_events(Ping(), c, GSTRules()):
    ...     print(rule.event, rule.allowed, rule.reason)
    p0 receives null False a message to p1 is in transit: timeouts outlast every message delay
    p1 receives null False a message to p1 is in transit: timeouts outlast every message delay
    p1 receives 'ping' True a message to a live process is always received
    """
    out = []
    for event in applicable_events(config, protocol.processes):
        if event.msg is None:
            ok, why = null_step(protocol, config, event.pid, rules, crashed)
        elif event.pid in crashed:
            ok, why = False, f"p{event.pid} has crashed: it takes no more steps"
        else:
            ok, why = True, "a message to a live process is always received"
        out.append(EventRule(event, ok, why))
    return out
