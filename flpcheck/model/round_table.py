"""Local transitions of the round model: ``send`` and ``receive`` called once per distinct
argument, checked, interned to ints (the layer :class:`~flpcheck.model.table.LocalTable` is for
the message-buffer model; both stand on :class:`~flpcheck.model.calls.CheckedCalls`)."""

from __future__ import annotations

from .calls import CheckedCalls, Lazy
from .checks import check_round_sends
from .round_protocol import RoundProtocol
from .values import same_value

__all__ = ["RoundTable"]


class RoundTable(CheckedCalls):
    """Interned local states and payloads; memoized, checked ``send`` and ``receive``."""

    def __init__(self, protocol: RoundProtocol, origin: str = "") -> None:
        super().__init__(protocol, origin)
        #: (pid, round, state id) -> ((dst, payload id), ...) sorted by dst
        self._sends: dict[tuple[int, int, int], tuple[tuple[int, int], ...]] = {}
        #: (pid, round, state id, ((src, payload id), ...)) -> new state id
        self._receives: dict[tuple[int, int, int, tuple[tuple[int, int], ...]], int] = {}

    def sends(self, pid: int, rnd: int, sid: int) -> tuple[tuple[int, int], ...]:
        """The round-``rnd`` messages of ``pid`` in state ``sid`` as (dst, payload id)."""
        key = (pid, rnd, sid)
        found = self._sends.get(key)
        if found is not None:
            return found
        state = self.states[sid]
        before = self.snapshot(state)
        what = Lazy(lambda: f"send({pid}, {rnd}, {self.show_state(pid, before)})")
        first = check_round_sends(self.origin, self.n,
                                  self.call(self.protocol.send, (pid, rnd, state), what), what)
        self.check_unchanged(what, "state", state, before)
        second = check_round_sends(self.origin, self.n,
                                   self.call(self.protocol.send, (pid, rnd, state), what), what)
        if not same_value(first, second):
            raise self.nondeterministic(what, list(first), list(second))
        result = tuple((dst, self.payload_id(pl, what=what, dst=dst)) for dst, pl in first)
        self._sends[key] = result
        return result

    def receive(self, pid: int, rnd: int, sid: int, inbox: tuple[tuple[int, int], ...]) -> int:
        """The state id of ``pid`` after round ``rnd`` in state ``sid`` with ``inbox`` (source,
        payload id) pairs."""
        key = (pid, rnd, sid, inbox)
        found = self._receives.get(key)
        if found is not None:
            return found
        state = self.states[sid]
        msgs = tuple((src, self.payloads[pl]) for src, pl in inbox)

        before = self.snapshot(state)

        def shown() -> str:
            got = ", ".join(f"({src}, {self.protocol.format_payload(pl)})" for src, pl in msgs)
            return f"receive({pid}, {rnd}, {self.show_state(pid, before)}, ({got}))"

        what = Lazy(shown)
        first = self.call(self.protocol.receive, (pid, rnd, state, msgs), what)
        self.check_unchanged(what, "state", state, before)
        second = self.call(self.protocol.receive, (pid, rnd, state, msgs), what)
        try:
            same = same_value(first, second)
        except Exception:  # an odd __eq__: let state_id report the value
            same = False
        if not same:
            raise self.nondeterministic(what, first, second)
        nsid = self.state_id(first, pid=pid, what=what)
        self._receives[key] = nsid
        return nsid
