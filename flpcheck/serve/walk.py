"""Configurations named by inputs and a path: parsing, replaying, and their JSON pieces.

A configuration is addressed as I(inputs) followed by a *path*: successor indices, one per
step. The successors of a configuration C are numbered in a fixed order that depends on C
alone (not on how far the exploration got, nor on the order it numbered messages), so that a
path means the same configuration whether the server explored everything, part, or nothing:

1. the null steps of p0, p1, ..., p(N-1): indices 0..N-1, always present;
2. then one event per *distinct* message in transit (copies are one event), sorted by
   destination, then by payload in flpcheck's canonical order
   (:func:`flpcheck.model.values.canonical_key`).

This is :func:`flpcheck.model.semantics.applicable_events` on C's sorted buffer, except that
an event whose step is left to chance is one successor per outcome, in outcome order (its
event names the outcome: ``[pid, payload, outcome]``); a protocol without chance numbers its
successors as the events. Every path is replayed with the protocol's own code
(:mod:`flpcheck.model.semantics`), never read from the explorer's tables.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import FLPCheckError, ProtocolStepError
from ..model.inputs import bits, parse_vector
from ..model.protocol import Protocol
from ..model.receipts import receipts
from ..model.semantics import (
    Configuration,
    Event,
    Step,
    applicable_events,
    apply_event,
    initial_configuration,
    outcome_probabilities,
)
from ..model.values import canonical_key, stable_repr, to_json, value_key
from ..output.json import event_to_json

__all__ = ["ApiError", "MAX_PATH", "bits", "inputs_param", "parse_path", "parse_index", "Walk",
           "walk", "successor_events", "successors", "apply", "events_to_path", "received_from",
           "fair_events", "Texts"]

MAX_PATH = 5000
"""The longest path the API replays (a longer one is a 400: every request replays it)."""


class ApiError(Exception):
    """An answer that is an error: HTTP ``status`` with ``{"error": message, **extra}``."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"error": self.message, **self.extra}


def inputs_param(text: str | None, n: int,
                 explored: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    """The input vector named by ``text`` (N bits, process 0 first); a 400 when malformed, a
    404 when it is not one of the ``explored`` input vectors."""
    example = "0" * n
    if not text:
        raise ApiError(400, f"missing parameter inputs: {n} bits, process 0 first (e.g. "
                            f"inputs={example})")
    x = parse_vector(text, n)
    if x is None:
        raise ApiError(400, f"inputs={text[:40]!r}: need {n} bits, each 0 or 1 (process 0 "
                            f"first), e.g. {example}")
    if x not in explored:
        raise ApiError(404, f"inputs={text}: I({text}) is not one of the initial configurations "
                            "this server was started with (" + ", ".join(bits(v) for v in explored)
                       + ")")
    return x


def parse_path(text: str | None) -> list[int]:
    """Successor indices from ``3,0,5`` (empty or absent: the initial configuration)."""
    if text is None or not text.strip():
        return []
    words = text.split(",")
    if len(words) > MAX_PATH:
        raise ApiError(400, f"path: {len(words)} steps, more than the {MAX_PATH} this server "
                            "replays")
    if not all(w.strip().isdigit() for w in words):
        raise ApiError(400, f"path={text[:60]!r}: need successor indices (integers >= 0) "
                            "separated by commas, e.g. path=3,0,5")
    return [int(w) for w in words]


def parse_index(text: str | None, name: str) -> int | None:
    """An optional integer parameter >= 0 (None when absent)."""
    if text is None or text == "":
        return None
    if not text.strip().isdigit():
        raise ApiError(400, f"{name}={text[:40]!r}: need a successor index (an integer >= 0)")
    return int(text)


def _guarded(what: str, fn: Any, *args: Any) -> Any:
    """Run user code through flpcheck; an exception raised by the model is a model error."""
    try:
        return fn(*args)
    except FLPCheckError:
        raise
    except Exception as exc:  # the model's own code raised: a model error, not ours
        raise ProtocolStepError(f"{what} raised {type(exc).__name__}: {exc}") from exc


def successor_events(config: Configuration, n: int) -> list[Event]:
    """The events applicable at ``config`` in the API's order, the scheduler's (no outcome):
    the successors of a protocol without chance (see :func:`successors`)."""
    return applicable_events(config, n)


ONE = Fraction(1)


def successors(protocol: Protocol, config: Configuration, chance: bool = True
               ) -> list[tuple[Event, Fraction]]:
    """The successors of ``config`` in the API's order (see the module docstring): each event,
    and chance's probability of it (1 for a deterministic step). ``chance=False`` says that no
    step reachable here is left to chance (the complete explored graph has none): every event
    is then one successor, and no step is called to count outcomes. An event whose step fails
    is one successor (applying it shows the model error)."""
    events = successor_events(config, protocol.processes)
    if not chance:
        return [(e, ONE) for e in events]
    out: list[tuple[Event, Fraction]] = []
    for e in events:
        try:
            probs = _guarded("the model's step", outcome_probabilities, protocol, config, e)
        except FLPCheckError:
            probs = (ONE,)
        if len(probs) == 1:
            out.append((e, ONE))
        else:
            out += [(e._replace(outcome=o), p) for o, p in enumerate(probs)]
    return out


def apply(protocol: Protocol, config: Configuration, event: Event) -> Step:
    """e(C) with the protocol's own ``step``; an exception in it is a model error."""
    return _guarded("the model's step", apply_event, protocol, config, event)


@dataclass(frozen=True)
class Walk:
    """A path replayed: the configurations from I(inputs) (``configs[0]``) to the last, and
    the step taken between each two (event, messages sent, configuration reached)."""

    inputs: tuple[int, ...]
    path: list[int]
    configs: list[Configuration]
    steps: list[Step]
    #: chance's probability of each step (1 for a deterministic one)
    probabilities: list[Fraction] = field(default_factory=list)

    @property
    def last(self) -> Configuration:
        """The configuration the path reaches."""
        return self.configs[-1]


def walk(protocol: Protocol, inputs: tuple[int, ...], path: Sequence[int],
         chance: bool = True) -> Walk:
    """Replay ``path`` from I(inputs); a 404 naming the first index that does not exist, with
    ``valid_depth``: how many steps of the path are valid (``chance``: see
    :func:`successors`)."""
    try:
        config = _guarded("the model's init", initial_configuration, protocol, inputs)
    except FLPCheckError as err:
        raise ApiError(422, f"I({bits(inputs)}): model error: {err}") from None
    configs, steps, probabilities = [config], [], []
    for i, k in enumerate(path):
        events = successors(protocol, config, chance)
        if k >= len(events):
            raise ApiError(404, f"path step {i + 1}: successor {k} does not exist (the "
                                f"configuration at depth {i} has {len(events)} successors, "
                                f"0..{len(events) - 1})", valid_depth=i)
        try:
            step = apply(protocol, config, events[k][0])
        except FLPCheckError as err:
            raise ApiError(422, f"path step {i + 1} ({Texts(protocol).text(events[k][0])}): "
                                f"model error: {err}", valid_depth=i) from None
        config = step.config
        configs.append(config)
        steps.append(step)
        probabilities.append(events[k][1])
    return Walk(inputs, list(path), configs, steps, probabilities)


def events_to_path(protocol: Protocol, inputs: tuple[int, ...], events: Sequence[Event],
                   start: Configuration | None = None, chance: bool = True) -> list[int]:
    """The successor indices of ``events`` (with chance's outcome, for a step left to chance)
    from I(inputs) (or from ``start``), replaying them; a ReplayError where an event does not
    apply (``chance``: see :func:`successors`)."""
    config = start if start is not None else initial_configuration(protocol, inputs)
    path = []
    for e in events:
        event = Event(*e)
        keys = [(x.key, x.outcome) for x, _ in successors(protocol, config, chance)]
        want = (event.key, event.outcome)
        path.append(keys.index(want) if want in keys else len(keys))
        config = apply(protocol, config, event).config  # raises where it does not apply
    return path


def received_from(steps: Sequence[Step]) -> list[int | None]:
    """For every step, the step (0-based) whose send it receives; None for a null step.
    Copies of one message are matched first in, first out (the oldest copy sent earlier), as
    the sequence chart matches them (:func:`flpcheck.model.receipts.receipts`)."""
    return receipts(steps)[0]


def fair_events(steps: Sequence[Step], n: int) -> list[tuple[Event, int | None]]:
    """Per process: the event a fair scheduler serves it next along this path, with the step
    (0-based) that sent it: its oldest pending message (by send step, then payload order, the
    rule of :func:`flpcheck.analysis.adversary.lemma3_event`), else its null step."""
    pending = receipts(steps)[1]
    out: list[tuple[Event, int | None]] = []
    for p in range(n):
        mine = sorted((m for m in pending if m[1] == p), key=lambda m: (m[0], canonical_key(m[2])))
        out.append((Event(p, mine[0][2]), mine[0][0]) if mine else (Event(p, None), None))
    return out


class Texts:
    """How the page prints events, payloads, states and buffers of one protocol (with the
    model's ``format_state`` and ``format_payload``, falling back to repr if they raise)."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.custom_state = type(protocol).format_state is not Protocol.format_state

    def payload(self, payload: Any) -> str:
        """A payload as the model prints it."""
        try:
            return str(self.protocol.format_payload(payload))
        except Exception:
            return stable_repr(payload)

    def state(self, pid: int, state: Any) -> str:
        """A local state as the CLI prints it: the model's ``format_state`` (by default
        ``repr``), or ``repr`` if it raises."""
        try:
            return str(self.protocol.format_state(pid, state))
        except Exception:
            return stable_repr(state)

    def cells(self, state: Any) -> dict[str, list[str]] | None:
        """The state's columns on the page, each value as ``repr`` prints it (the form of the
        CLI's ``State(x=0, y=None)``): ``{"names", "texts"}`` for the fields of a NamedTuple
        or dataclass (``x``, ``y``) or the items of a tuple or list (``[0]``, ``[1]``); None
        (one column, :meth:`state`) when the model formats its states itself, or for any
        other state."""
        if self.custom_state:
            return None
        if dataclasses.is_dataclass(state) and not isinstance(state, type):
            names = [f.name for f in dataclasses.fields(state)]
            return {"names": names, "texts": [stable_repr(getattr(state, n)) for n in names]}
        if isinstance(state, tuple) and hasattr(state, "_fields"):
            names = list(state._fields)
            return {"names": names, "texts": [stable_repr(v) for v in state]}
        if isinstance(state, (tuple, list)):
            return {"names": [f"[{i}]" for i in range(len(state))],
                    "texts": [stable_repr(v) for v in state]}
        return None

    @staticmethod
    def json_text(value: Any) -> str:
        """A JSON value as compact text (``null``, ``[0, 1]``, ``{"a": 1}``)."""
        return json.dumps(value, ensure_ascii=False)

    def label(self, e: Event) -> str:
        """``p1:0``, ``p0:null`` (the event, not chance's outcome: see :meth:`text`)."""
        return f"p{e.pid}:" + ("null" if e.msg is None else self.payload(e.msg))

    def text(self, e: Event) -> str:
        """``p1 receives 0``, ``p0 takes a null step``; ``(outcome 1)`` after a step left to
        chance."""
        told = "" if e.outcome is None else f" (outcome {e.outcome})"
        if e.msg is None:
            return f"p{e.pid} takes a null step{told}"
        return f"p{e.pid} receives {self.payload(e.msg)}{told}"

    def sends(self, sends: Sequence[tuple[int, Any]]) -> list[str]:
        """``["0 → p1", ...]``."""
        return [f"{self.payload(pl)} → p{d}" for d, pl in sends]

    def state_json(self, pid: int, state: Any, output: int | None) -> dict[str, Any]:
        """``{"pid", "fields", "value", "text", "cells", "output"}``: ``fields`` maps the field
        names of a NamedTuple or dataclass state to their JSON values (null for other states),
        ``text`` is the state as the CLI prints it and ``cells`` its columns on the page (see
        :meth:`cells`)."""
        value = to_json(state)
        return {"pid": pid, "fields": value if isinstance(value, dict) else None,
                "value": value, "text": self.state(pid, state), "cells": self.cells(state),
                "output": output}

    def buffer_json(self, config: Configuration, n: int, events: Sequence[Event] | None = None
                    ) -> tuple[list[dict[str, Any]], str]:
        """The distinct messages in transit in successor order, ``{"to", "payload", "count",
        "text", "index"}`` (``index``: the successor that delivers it, its first outcome for a
        step left to chance; ``events``: the successors' events, by default those of a
        protocol without chance), and the buffer as text."""
        counts = Counter(value_key(m) for m in config.buffer)
        out = []
        for index, e in enumerate(successor_events(config, n) if events is None else events):
            if e.msg is None or (e.outcome or 0) > 0:
                continue
            count = counts[value_key((e.pid, e.msg))]
            out.append({"to": e.pid, "payload": to_json(e.msg), "count": count,
                        "text": f"{self.payload(e.msg)} → p{e.pid}", "index": index})
        text = "{" + ", ".join(m["text"] + (f" ×{m['count']}" if m["count"] > 1 else "")
                               for m in out) + "}" if out else "∅"
        return out, text

    def event_json(self, e: Event) -> list[Any]:
        """``[pid, payload]`` as every ``--json`` output writes an event."""
        return event_to_json(e)
