"""Local transitions of the message-buffer model: user code called once per distinct
argument, checked, interned to ints.

This is the only place that calls a model's ``step`` during exploration. Every distinct local
state, payload and message (``(dst, payload)``) gets a small integer id; ``step`` is memoized on
``(pid, state id, message id)``, so user code runs once per distinct local transition, not once
per configuration and event. The interning and the checks are those of
:class:`~flpcheck.model.calls.CheckedCalls`, which the round model shares.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from .calls import CheckedCalls, Interner, Lazy
from .checks import check_step_result
from .protocol import Protocol
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
        #: local transitions that change an output already set (write-once broken)
        self.decision_changes: set[tuple[int, int, int]] = set()

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
        """The event with id ``eid``: ids below N are the null events of p0..p(N-1), the others
        the interned messages (``N + message id``)."""
        eid = int(eid)
        if eid < self.n:
            return Event(eid, None)
        dst, pl = self.messages[eid - self.n]
        return Event(dst, self.payloads[pl])

    def event_pids(self) -> list[int]:
        """The process that takes each event id: p for the null event of p, the destination
        for a message."""
        return list(range(self.n)) + [dst for dst, _ in self.messages]

    def payload_of(self, mid: int) -> Any:
        """The payload of message ``mid`` (None for the null message)."""
        return None if mid == NULL else self.payloads[self.messages[mid][1]]

    def step(self, pid: int, sid: int, mid: int) -> tuple[int, tuple[int, ...]]:
        """Apply event ``(pid, message mid)`` to local state ``sid``: (new state id, sends)."""
        key = (pid, sid, mid)
        try:
            return self.transitions[key]
        except KeyError:
            pass
        state = self.states[sid]
        msg = self.payload_of(mid)
        state_before, msg_before = self.snapshot(state), self.snapshot(msg)
        what = Lazy(lambda: f"step({pid}, {self.show_state(pid, state_before)}, "
                            f"{'None' if msg is None else self.protocol.format_payload(msg_before)})")
        first = self.call(self.protocol.step, (pid, state, msg), what)
        new_state, sends = check_step_result(self.origin, self.n, first, state, pid, what,
                                             check_new_state=False)
        self.check_unchanged(what, "state", state, state_before)
        self.check_unchanged(what, "message", msg, msg_before)
        second = self.call(self.protocol.step, (pid, state, msg), what)
        new_again, sends_again = check_step_result(self.origin, self.n, second, state, pid, what,
                                                   check_new_state=False)
        if not same_value(new_state, new_again) or _multiset(sends) != _multiset(sends_again):
            raise self.nondeterministic(what, (new_state, sends), (new_again, sends_again))
        nsid = self.state_id(new_state, pid=pid, what=what)
        sends.sort(key=lambda s: (s[0], canonical_key(s[1])))
        sent = tuple(sorted(self.message_id(d, p, pid=pid, what=what) for d, p in sends))
        result = (nsid, sent)
        self.transitions[key] = result
        before = self.output(pid, sid)
        if before is not None and self.output(pid, nsid) != before:
            self.decision_changes.add(key)
        return result


def _multiset(sends: list[tuple[int, Hashable]]) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    for s in sends:
        k = value_key(s)
        counts[k] = counts.get(k, 0) + 1
    return counts
