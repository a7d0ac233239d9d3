"""Local transitions of the message-buffer model: user code called once per distinct
argument, checked, interned to ints.

This is the only place that calls a model's ``step`` during exploration. Every distinct local
state, payload and message (``(dst, payload)``) gets a small integer id; ``step`` is memoized on
``(pid, state id, message id)``, so user code runs once per distinct local transition, not once
per configuration and event. A step left to chance (it returned
:class:`~flpcheck.model.chance.Outcomes`) is memoized with all its outcomes and their
probabilities (:meth:`LocalTable.outcomes`). The interning and the checks are those of
:class:`~flpcheck.model.calls.CheckedCalls`, which the round model shares.
"""

from __future__ import annotations

from collections.abc import Hashable
from fractions import Fraction
from itertools import islice
from typing import Any

from ..errors import (
    CheckpointError,
    FLPCheckError,
    InvalidProtocol,
    ProtocolStepError,
    UsageError,
)
from .calls import CheckedCalls, Interner, Lazy
from .chance import Outcomes
from .checks import check_step_outcomes
from .protocol import Protocol, declares_ignores
from .semantics import Event
from .values import canonical_key, same_value, value_key

__all__ = ["LocalTable", "Interner", "NULL"]

NULL = -1
"""The message id of the null message (a receive that returns nothing)."""


class LocalTable(CheckedCalls):
    """Interned local states, payloads and messages, and the memoized checked local steps."""

    def __init__(self, protocol: Protocol, origin: str = "") -> None:
        super().__init__(protocol, origin)
        #: message id -> (destination pid, payload id)
        self.messages: list[tuple[int, int]] = []
        self._message_ids: dict[tuple[int, int], int] = {}
        #: (pid, state id, message id) -> (new state id, sorted tuple of sent message ids)
        self.transitions: dict[tuple[int, int, int], tuple[int, tuple[int, ...]]] = {}
        #: (pid, state id, message id) -> the outcomes of a step left to chance, two or more:
        #: ((probability id, new state id, sorted tuple of sent message ids), ...)
        self.chance: dict[tuple[int, int, int], tuple[tuple[int, int, tuple[int, ...]], ...]] = {}
        #: the distinct probabilities of the outcomes (``probabilities[0]`` is 1: a
        #: deterministic step), and their ids
        self.probabilities: list[Fraction] = [Fraction(1)]
        self._probability_ids: dict[Fraction, int] = {Fraction(1): 0}
        #: local transitions that change an output already set (write-once broken), in some
        #: outcome for a step left to chance
        self.decision_changes: set[tuple[int, int, int]] = set()
        #: the option that cannot handle a step left to chance (e.g. ``--por``), or None: the
        #: first such step is then a :class:`~flpcheck.errors.UsageError` naming it
        self.refuse_chance: str | None = None
        #: the protocol declares :meth:`Protocol.ignores`: a message its recipient ignores for
        #: good is dropped from the buffer (:meth:`ignored`)
        self.drops = declares_ignores(protocol)
        #: (pid, state id, message id) -> pid ignores the message there, for good
        self._ignored: dict[tuple[int, int, int], bool] = {}

    def initial_state(self, pid: int, x: int) -> int:
        """The interned initial state of ``pid`` with input ``x``, whose output register must
        be undecided (FLP's y_p starts as b): an output set by ``init`` is a model error."""
        sid = super().initial_state(pid, x)
        decided = self.output(pid, sid)
        if decided is not None:
            raise InvalidProtocol(
                f"{self.origin}: init({pid}, {x}) returned "
                f"{self.show_state(pid, self.states[sid])}, whose output is {decided}: the "
                "output register starts undecided (output None in every initial state); "
                "decide in step")
        return sid

    def find_message(self, dst: int, payload: Any) -> int | None:
        """The id of the message ``(dst, payload)`` if it was ever sent, or None."""
        pl = self.find_payload(payload)
        return None if pl is None else self._message_ids.get((dst, pl))

    def message_id(self, dst: int, payload: Any, *, pid: int, what: object) -> int:
        """The id of the message ``(dst, payload)``, interning (and checking) it on first sight."""
        return self.message_of(dst, self.payload_id(payload, what=what, dst=dst))

    def message_of(self, dst: int, payload_id: int) -> int:
        """The id of the message ``(dst, payload)`` for an interned payload, interning it."""
        key = (dst, payload_id)
        mid = self._message_ids.get(key)
        if mid is None:
            mid = len(self.messages)
            self.messages.append(key)
            self._message_ids[key] = mid
        return mid

    def event(self, eid: int) -> Event:
        """The event with id ``eid``: ids below N are the null steps of p0..p(N-1), the others
        the interned messages (``N + message id``)."""
        eid = int(eid)
        if eid < self.n:
            return Event(eid, None)
        dst, pl = self.messages[eid - self.n]
        return Event(dst, self.payloads[pl])

    def event_pids(self) -> list[int]:
        """The process that takes each event id: p for the null step of p, the destination
        for a message."""
        return list(range(self.n)) + [dst for dst, _ in self.messages]

    def payload_of(self, mid: int) -> Any:
        """The payload of message ``mid`` (None for the null message)."""
        return None if mid == NULL else self.payloads[self.messages[mid][1]]

    def outcomes(self, pid: int, sid: int, mid: int) -> tuple[tuple[int, int, tuple[int, ...]], ...]:
        """Apply event ``(pid, message mid)`` to local state ``sid``: every outcome as
        (probability id, new state id, sends), in outcome order. A deterministic step has one,
        of probability id 0 (probability 1); a step left to chance has two or more, each with
        its id in :attr:`probabilities` (see :meth:`step`)."""
        key = (pid, sid, mid)
        found = self.transitions.get(key)
        if found is not None:
            return ((0, *found),)
        chance = self.chance.get(key)
        if chance is None:
            self._call_step(key)
            found = self.transitions.get(key)
            if found is not None:
                return ((0, *found),)
            chance = self.chance[key]
        return chance

    def step(self, pid: int, sid: int, mid: int) -> tuple[int, tuple[int, ...]]:
        """Apply event ``(pid, message mid)`` to local state ``sid``: (new state id, sends).
        For a step left to chance this is a :class:`~flpcheck.errors.UsageError` (the caller
        does not handle chance: :meth:`outcomes` does)."""
        key = (pid, sid, mid)
        try:
            return self.transitions[key]
        except KeyError:
            pass
        if key not in self.chance:
            self._call_step(key)
            found = self.transitions.get(key)
            if found is not None:
                return found
        raise UsageError(f"{self.origin}: {self.describe_step(pid, sid, mid)} is left to "
                         f"chance, and {self.refuse_chance or 'this computation'} does not "
                         "handle steps left to chance")

    def describe_step(self, pid: int, sid: int, mid: int) -> str:
        """``step(pid, state, msg)`` as the model prints them."""
        msg = self.payload_of(mid)
        return (f"step({pid}, {self.show_state(pid, self.states[sid])}, "
                f"{'None' if msg is None else self.protocol.format_payload(msg)})")

    def find_probability(self, p: Fraction) -> int | None:
        """The id of probability ``p`` in :attr:`probabilities`, or None if never seen."""
        return self._probability_ids.get(p)

    def probability_id(self, p: Fraction) -> int:
        """The id of probability ``p`` in :attr:`probabilities`, interning it on first sight."""
        pid = self._probability_ids.get(p)
        if pid is None:
            pid = self._probability_ids[p] = len(self.probabilities)
            self.probabilities.append(p)
        return pid

    # -- saved and restored (checkpoints) -------------------------------------------------

    def cursor(self) -> tuple[int, ...]:
        """How much the table holds: a mark for :meth:`export` (the states, payloads,
        messages, memoized steps, probabilities, outputs and ignores, in that order)."""
        return (len(self.states), len(self.payloads), len(self.messages), len(self.transitions),
                len(self.chance), len(self.probabilities), len(self.outputs), len(self._ignored),
                len(self.decision_changes))

    def export(self, since: tuple[int, ...] | None = None) -> dict[str, Any]:
        """What the table gained since the :meth:`cursor` ``since`` (everything when None):
        the values and memos in id (or first-call) order, which :meth:`restore` takes back
        under the same ids. User values stay the model's own objects."""
        at = since or (0, 0, 0, 0, 0, 1, 0, 0, 0)  # a new table's: probability 1 is id 0
        return {"cursor": at, "states": self.states[at[0]:], "payloads": self.payloads[at[1]:],
                "messages": self.messages[at[2]:],
                "transitions": list(islice(self.transitions.items(), at[3], None)),
                "chance": list(islice(self.chance.items(), at[4], None)),
                "probabilities": self.probabilities[at[5]:],
                "outputs": list(islice(self.outputs.items(), at[6], None)),
                "ignored": list(islice(self._ignored.items(), at[7], None)),
                "decision_changes": sorted(self.decision_changes),
                "user_calls": self.user_calls}

    def restore(self, part: dict[str, Any]) -> None:
        """Take back a part :meth:`export` gave, on a table holding exactly what the table
        exported held at its ``cursor`` (the parts in order): every id comes out as saved. A
        value equal to one held already (a model whose values do not survive saving) is a
        :class:`~flpcheck.errors.CheckpointError`."""
        if tuple(part["cursor"][:8]) != self.cursor()[:8]:
            raise CheckpointError(f"{self.origin}: the checkpoint's tables are out of order")
        for kind, interner, values in (("local state", self._states, part["states"]),
                                       ("payload", self._payloads, part["payloads"])):
            clash = interner.restore(values)
            if clash is not None:
                raise CheckpointError(
                    f"{self.origin}: the checkpoint's {kind} {values[clash]!r} equals another "
                    "one once loaded again (its class compares or hashes differently since "
                    "the checkpoint was written?): the checkpoint cannot be resumed")
        for key in part["messages"]:
            self._message_ids[key] = len(self.messages)
            self.messages.append(tuple(key))
        self.transitions.update(part["transitions"])
        self.chance.update(part["chance"])
        for p in part["probabilities"]:
            self.probability_id(p)
        self.outputs.update(part["outputs"])
        self._ignored.update(part["ignored"])
        self.decision_changes.update(tuple(k) for k in part["decision_changes"])
        self.user_calls = part["user_calls"]

    def differs(self, key: tuple[int, int, int]) -> str | None:
        """Call ``step`` once more for a memoized step and compare: None when it gives what
        the memo holds, else what it gives now (a checkpoint's model that behaves otherwise
        than when the checkpoint was written). Interns nothing."""
        pid, sid, mid = key
        state, msg = self.states[sid], self.payload_of(mid)
        what = Lazy(lambda: self.describe_step(pid, sid, mid))
        raw = self.call(self.protocol.step, (pid, state, msg), what)
        results = check_step_outcomes(self.origin, self.n, raw, state, pid, what,
                                      check_new_state=False)
        now = []
        for p, new_state, sends in results:
            mids = [self.find_message(d, pl) for d, pl in sends]
            found = (self.find_probability(p), self.find_state(new_state), mids)
            if found[0] is None or found[1] is None or None in mids:
                return f"{what} now returns {_shown(raw, results)!r}"
            now.append((found[0], found[1], tuple(sorted(m for m in mids if m is not None))))
        if tuple(now) != self.outcomes(pid, sid, mid):
            return f"{what} now returns {_shown(raw, results)!r}"
        return None

    def _call_step(self, key: tuple[int, int, int]) -> None:
        """Call ``step`` (twice, compared), check and intern what it returns, and memoize it in
        :attr:`transitions` or :attr:`chance`."""
        pid, sid, mid = key
        state = self.states[sid]
        msg = self.payload_of(mid)
        state_before, msg_before = self.snapshot(state), self.snapshot(msg)
        what = Lazy(lambda: f"step({pid}, {self.show_state(pid, state_before)}, "
                            f"{'None' if msg is None else self.protocol.format_payload(msg_before)})")
        first = self.call(self.protocol.step, (pid, state, msg), what)
        results = check_step_outcomes(self.origin, self.n, first, state, pid, what,
                                      check_new_state=False)
        self.check_unchanged(what, "state", state, state_before)
        self.check_unchanged(what, "message", msg, msg_before)
        second = self.call(self.protocol.step, (pid, state, msg), what)
        again = check_step_outcomes(self.origin, self.n, second, state, pid, what,
                                    check_new_state=False)
        if len(results) != len(again) or any(
                p != q or not same_value(s, t) or _multiset(a) != _multiset(b)
                for (p, s, a), (q, t, b) in zip(results, again, strict=True)):
            raise self.nondeterministic(what, _shown(first, results), _shown(second, again))
        if len(results) > 1 and self.refuse_chance:
            raise UsageError(
                f"{self.origin}: {what} is left to chance ({len(results)} outcomes), and "
                f"{self.refuse_chance} is not defined for protocols whose steps are left to "
                f"chance: run without {self.refuse_chance}")
        before = self.output(pid, sid)
        interned = []
        for p, new_state, sends in results:
            nsid = self.state_id(new_state, pid=pid, what=what)
            sends.sort(key=lambda s: (s[0], canonical_key(s[1])))
            sent = tuple(sorted(self.message_id(d, pl, pid=pid, what=what) for d, pl in sends))
            interned.append((self.probability_id(p), nsid, sent))
            try:  # checked here, where the state comes from (not when a configuration holds it)
                after = self.output(pid, nsid)
            except FLPCheckError as err:
                err.add_note(f"(the state that {what} returned"
                             + (f", outcome {len(interned) - 1})" if len(results) > 1 else ")"))
                raise
            if before is not None and after != before:
                self.decision_changes.add(key)
        if len(interned) == 1:
            self.transitions[key] = interned[0][1:]
        else:
            self.chance[key] = tuple(interned)


    def ignored(self, pid: int, sid: int, mid: int) -> bool:
        """``ignores(pid, state, payload)`` for state ``sid`` and message ``mid`` (memoized,
        called twice and compared); where it is True the receipt must change nothing (one
        outcome, the same state, nothing sent), else a model error."""
        key = (pid, sid, mid)
        found = self._ignored.get(key)
        if found is not None:
            return found
        state, payload = self.states[sid], self.payload_of(mid)
        what = Lazy(lambda: f"ignores({pid}, {self.show_state(pid, state)}, "
                            f"{self.protocol.format_payload(payload)})")
        value = self.call(self.protocol.ignores, (pid, state, payload), what)
        again = self.call(self.protocol.ignores, (pid, state, payload), what)
        if not isinstance(value, bool):
            raise ProtocolStepError(f"{self.origin}: {what} returned {value!r}; ignores must "
                                    "return True or False")
        if value != again:
            raise self.nondeterministic(what, value, again)
        if value:
            results = self.outcomes(pid, sid, mid)
            if len(results) != 1 or results[0][1] != sid or results[0][2]:
                raise ProtocolStepError(
                    f"{self.origin}: {what} is True, but {self.describe_step(pid, sid, mid)} "
                    "changes the state or sends something: a process may ignore a message "
                    "only where receiving it changes nothing")
        self._ignored[key] = value
        return value

    def check_ignored_forever(self) -> None:
        """The promise of :meth:`Protocol.ignores`: a message ignored in a state stays ignored
        in every state a local step explored leads to from there (a model error otherwise,
        naming the step)."""
        steps: dict[tuple[int, int], set[int]] = {}
        for (p, s, _), (ns, _) in self.transitions.items():
            steps.setdefault((p, s), set()).add(ns)
        for (p, s, _), outs in self.chance.items():
            steps.setdefault((p, s), set()).update(ns for _, ns, _ in outs)
        todo = [k for k, v in self._ignored.items() if v]
        seen = set(todo)
        while todo:
            p, s, m = todo.pop()
            for ns in sorted(steps.get((p, s), ())):
                if not self.ignored(p, ns, m):
                    raise ProtocolStepError(
                        f"{self.origin}: ignores({p}, {self.show_state(p, self.states[s])}, "
                        f"{self.protocol.format_payload(self.payload_of(m))}) is True, but a "
                        f"step of p{p} from there reaches {self.show_state(p, self.states[ns])}"
                        ", where it is False: a message ignored must stay ignored")
                if (p, ns, m) not in seen:
                    seen.add((p, ns, m))
                    todo.append((p, ns, m))


def _shown(raw: Any, results: tuple[tuple[Any, Any, list[tuple[int, Any]]], ...]) -> Any:
    """What a step returned, as an error message shows it: Outcomes as returned, a plain
    result as (new state, sends) with its sends listed."""
    return raw if isinstance(raw, Outcomes) else (results[0][1], results[0][2])


def _multiset(sends: list[tuple[int, Hashable]]) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    for s in sends:
        k = value_key(s)
        counts[k] = counts.get(k, 0) + 1
    return counts
