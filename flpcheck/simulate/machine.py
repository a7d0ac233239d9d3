"""Interned configurations for simulation: moves, safety checks and stable hashes.

A configuration is ``(state id per process, buffer)``: the ids are those of the explorer's
:class:`~flpcheck.model.table.LocalTable` (so every user call is checked and memoized), and the
buffer is the tuple of the message ids in transit sorted by ``(dst, canonical_key(payload))``,
copies side by side. The applicable events are listed in the explorer's order: the null steps
of p0..pN-1, then the distinct messages by ``(dst, canonical_key(payload))``. Nothing here
depends on the order in which ids were handed out, so a run's choices depend only on the run's
random stream, not on what the table met before (a range of runs gives the same answer in a
fresh process).

Steps left to chance: a scheduler picks events; chance picks the outcome of a step left to
chance with its exact probability (:meth:`Machine.draw`, from the run's random stream, drawn
only where a step has several outcomes, so a protocol without chance draws exactly what it drew
before). A move then names its outcome: ``(p, m, outcome)``.

Every configuration also has a stable 64-bit hash, the sum of a hash of each (process, local
state) and of each message copy in transit (blake2b of the values' canonical keys): the same in
every process and under every PYTHONHASHSEED.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import insort
from collections.abc import Sequence
from typing import Any

from ..model.protocol import Protocol
from ..model.semantics import Event
from ..model.table import NULL, LocalTable
from ..model.values import canonical_key

__all__ = ["Config", "Move", "Machine", "Fifo", "stable_hash", "uniform_input", "oldest",
           "advance", "PROPERTIES", "MASK"]

#: the message ids of the copies in transit, oldest first (by send order; the sends of one step
#: in canonical order)
Fifo = list[int]

#: a configuration: (state id per process, message ids in transit in canonical order)
Config = tuple[tuple[int, ...], tuple[int, ...]]
#: an event on interned values: (process, message id or NULL), and for a step left to chance
#: (process, message id or NULL, chance's outcome)
Move = tuple[int, int] | tuple[int, int, int]

MASK = (1 << 64) - 1

PROPERTIES = ("agreement", "validity", "write-once")
"""The safety properties checked after every event, in the order they are reported."""


def stable_hash(value: Any) -> int:
    """A 64-bit hash of ``repr(value)`` that is the same in every process.

    >>> stable_hash(("s", 0, (2, 1))) == stable_hash(("s", 0, (2, 1)))
    True
    """
    digest = hashlib.blake2b(repr(value).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def uniform_input(inputs: Sequence[int]) -> int | None:
    """The common input when every process has the same one (validity applies), else None.

    >>> uniform_input((1, 1, 1)), uniform_input((0, 1, 1))
    (1, None)
    """
    return inputs[0] if inputs and all(x == inputs[0] for x in inputs) else None


class Machine:
    """The memoized, checked steps of a protocol on interned configurations."""

    def __init__(self, protocol: Protocol, origin: str = "") -> None:
        self.protocol = protocol
        self.n = protocol.processes
        self.table = LocalTable(protocol, origin)
        #: message id -> (dst, canonical key of the payload): the canonical order
        self.msg_key: list[tuple[int, Any]] = []
        #: message id -> destination
        self.msg_dst: list[int] = []
        #: message id -> stable hash of one copy in transit
        self.msg_hash: list[int] = []
        self._state_hash: dict[tuple[int, int], int] = {}
        self._idle: dict[tuple[int, int], bool] = {}
        self._initial: dict[tuple[int, int], int] = {}
        #: (pid, state id, message id) -> (new state id, sends in canonical order, change of
        #: the configuration hash, pid's output after)
        self._transitions: dict[tuple[int, int, int, int],
                                tuple[int, tuple[int, ...], int, int | None]] = {}
        #: (pid, state id, message id) -> None for a deterministic step, else (the common
        #: denominator D, the cumulative numerators of the outcomes' probabilities over D)
        self._chance: dict[tuple[int, int, int], tuple[int, tuple[int, ...]] | None] = {}
        self._key = self.msg_key.__getitem__

    # -- interning ---------------------------------------------------------------------------

    def _sync(self) -> None:
        """Extend the per-message tables to every message the table has interned."""
        messages, payloads = self.table.messages, self.table.payloads
        for mid in range(len(self.msg_key), len(messages)):
            dst, pl = messages[mid]
            key = (dst, canonical_key(payloads[pl]))
            self.msg_key.append(key)
            self.msg_dst.append(dst)
            self.msg_hash.append(stable_hash(("m", key)))

    def state_hash(self, pid: int, sid: int) -> int:
        """The stable hash of process ``pid`` in local state ``sid``."""
        h = self._state_hash.get((pid, sid))
        if h is None:
            h = self._state_hash[(pid, sid)] = stable_hash(
                ("s", pid, canonical_key(self.table.states[sid])))
        return h

    def config_hash(self, c: Config) -> int:
        """The stable hash of a configuration (what :meth:`apply` keeps up to date)."""
        h = sum(self.state_hash(p, s) for p, s in enumerate(c[0]))
        return (h + sum(self.msg_hash[m] for m in c[1])) & MASK

    def initial(self, inputs: Sequence[int]) -> Config:
        """I(inputs), interned."""
        states = []
        for p, x in enumerate(inputs):
            sid = self._initial.get((p, x))
            if sid is None:
                sid = self._initial[(p, x)] = self.table.initial_state(p, x)
            states.append(sid)
        return tuple(states), ()

    def step(self, pid: int, sid: int, mid: int, outcome: int = 0) -> tuple[int, tuple[int, ...]]:
        """The memoized, checked local step: (new state id, message ids sent, in canonical
        order), in chance's ``outcome`` for a step left to chance."""
        t = self.transition(pid, sid, mid, outcome)
        return t[0], t[1]

    def chance(self, pid: int, sid: int, mid: int) -> tuple[int, tuple[int, ...]] | None:
        """None for a deterministic step; for a step left to chance (D, the cumulative
        numerators of its outcomes' probabilities over the common denominator D)."""
        key = (pid, sid, mid)
        try:
            return self._chance[key]
        except KeyError:
            pass
        results = self.table.outcomes(pid, sid, mid)
        found = None
        if len(results) > 1:
            probs = [self.table.probabilities[r[0]] for r in results]
            d = math.lcm(*(p.denominator for p in probs))
            cumulative, total = [], 0
            for p in probs:
                total += p.numerator * (d // p.denominator)
                cumulative.append(total)
            found = (d, tuple(cumulative))
        self._chance[key] = found
        return found

    def draw(self, rng: random.Random, pid: int, sid: int, mid: int) -> int | None:
        """Chance's outcome of the step, drawn from ``rng`` with its exact probabilities (an
        integer below the common denominator); None, drawing nothing, for a deterministic
        step."""
        found = self.chance(pid, sid, mid)
        if found is None:
            return None
        d, cumulative = found
        k = rng.randrange(d)
        return next(o for o, c in enumerate(cumulative) if k < c)

    def resolve(self, c: Config, move: Move, lenient: bool = False) -> Move | None:
        """``move`` as it applies at ``c``, or None where it does not: a message not in transit,
        a step left to chance without a valid outcome, or (unless ``lenient``, which then
        drops the outcome) a deterministic step given one."""
        p, m = move[0], move[1]
        if m != NULL and m not in c[1]:
            return None
        found = self.chance(p, c[0][p], m)
        if found is None:
            return (p, m) if len(move) == 2 or lenient else None
        if len(move) == 3 and 0 <= move[2] < len(found[1]):  # type: ignore[misc]
            return move
        return None

    def transition(self, pid: int, sid: int, mid: int, outcome: int = 0
                   ) -> tuple[int, tuple[int, ...], int, int | None]:
        """The memoized local step with what a run needs of it: (new state id, the message ids
        sent in canonical order, the change of the configuration hash mod 2^64, ``pid``'s
        output after), in chance's ``outcome`` for a step left to chance."""
        key = (pid, sid, mid, outcome)
        t = self._transitions.get(key)
        if t is None:
            _, ns, sent = self.table.outcomes(pid, sid, mid)[outcome]
            if len(self.msg_key) < len(self.table.messages):
                self._sync()
            sent = tuple(sorted(sent, key=self._key))
            dh = self.state_hash(pid, ns) - self.state_hash(pid, sid) + sum(
                self.msg_hash[m] for m in sent) - (self.msg_hash[mid] if mid != NULL else 0)
            t = self._transitions[key] = (ns, sent, dh & MASK, self.table.output(pid, ns))
        return t

    # -- events ------------------------------------------------------------------------------

    def moves(self, c: Config) -> list[Move]:
        """The distinct applicable events of ``c`` in the explorer's order (the scheduler's
        choices: no outcome)."""
        dst = self.msg_dst
        out: list[Move] = [(p, NULL) for p in range(self.n)]
        return out + [(dst[m], m) for m in dict.fromkeys(c[1])]

    def branches(self, c: Config, move: Move) -> list[Move]:
        """The moves of event ``move`` at ``c``: itself for a deterministic step, else one per
        outcome, in outcome order."""
        p, m = move[0], move[1]
        found = self.chance(p, c[0][p], m)
        return [(p, m)] if found is None else [(p, m, o) for o in range(len(found[1]))]

    def messages_to(self, c: Config, pid: int) -> list[int]:
        """The distinct messages in transit to ``pid``, in canonical order."""
        dst = self.msg_dst
        return [m for m in dict.fromkeys(c[1]) if dst[m] == pid]

    def apply(self, c: Config, move: Move) -> tuple[Config, tuple[int, ...]]:
        """(the configuration after ``move``, the message ids it sent). The move must be
        applicable (a null step, or a message in transit)."""
        p, m = move[0], move[1]
        states, buffer = c
        ns, sent = self.transition(p, states[p], m, move[2] if len(move) == 3 else 0)[:2]  # type: ignore[misc]
        d = (states[:p] + (ns,) + states[p + 1:], self.rebuffer(buffer, m, sent))
        return (self.drop_ignored(d)[0] if self.table.drops else d), sent

    def drop_ignored(self, c: Config) -> tuple[Config, int]:
        """``c`` without the messages their recipients ignore for good (a protocol declaring
        :meth:`~flpcheck.Protocol.ignores`: they leave the buffer at once, as in exploration),
        and the change of the configuration hash mod 2^64 (0 when nothing is dropped)."""
        states, buffer = c
        kept, dh = [], 0
        for m in buffer:
            d = self.msg_dst[m]
            if self.table.ignored(d, states[d], m):
                dh -= self.msg_hash[m]
            else:
                kept.append(m)
        if len(kept) == len(buffer):
            return c, 0
        return (states, tuple(kept)), dh & MASK

    def rebuffer(self, buffer: tuple[int, ...], mid: int,
                 sent: tuple[int, ...]) -> tuple[int, ...]:
        """The buffer after one copy of ``mid`` (or nothing, for NULL) is received and
        ``sent`` are sent, in canonical order."""
        if not sent:
            if mid == NULL:
                return buffer
            i = buffer.index(mid)
            return buffer[:i] + buffer[i + 1:]
        rest = list(buffer)
        if mid != NULL:
            rest.remove(mid)
        key = self._key
        for x in sent:
            insort(rest, x, key=key)
        return tuple(rest)

    def idle(self, c: Config) -> bool:
        """True when nothing can ever change: no message in transit and every null step
        leaves its process as it is, sending nothing."""
        if c[1]:
            return False
        for p, s in enumerate(c[0]):
            idle = self._idle.get((p, s))
            if idle is None:
                ns, sent = self.step(p, s, NULL)
                idle = self._idle[(p, s)] = (ns == s and not sent
                                             and self.chance(p, s, NULL) is None)
            if not idle:
                return False
        return True

    # -- decisions and safety ------------------------------------------------------------------

    def outputs(self, c: Config) -> list[int | None]:
        """The output register of every process."""
        out = self.table.output
        return [out(p, s) for p, s in enumerate(c[0])]

    def bits(self, c: Config) -> int:
        """Decision bits: bit v set when some process has decided v."""
        out = self.table.output
        b = 0
        for p, s in enumerate(c[0]):
            v = out(p, s)
            if v is not None:
                b |= 1 << v
        return b

    def initial_violations(self, inputs: Sequence[int], c: Config) -> list[str]:
        """The properties the initial configuration itself violates."""
        outs = [v for v in self.outputs(c) if v is not None]
        found = []
        if len(set(outs)) > 1:
            found.append("agreement")
        uniform = uniform_input(inputs)
        if uniform is not None and any(v != uniform for v in outs):
            found.append("validity")
        return found

    def step_violations(self, uniform: int | None, c: Config, p: int, d: Config,
                        outs: list[int | None]) -> list[str]:
        """The properties violated by the step of ``p`` from ``c`` to ``d``, given the outputs
        ``outs`` of ``c``, which are updated to ``d``'s (``c`` violated nothing); ``uniform``
        is the common input when every input is the same (see :func:`uniform_input`)."""
        return self.output_change(uniform, outs, p, self.table.output(p, d[0][p]))

    @staticmethod
    def output_change(uniform: int | None, outs: list[int | None], p: int,
                      after: int | None) -> list[str]:
        """The properties violated when ``p``'s output becomes ``after`` in a configuration
        with outputs ``outs`` that violated nothing (``outs`` is updated)."""
        before = outs[p]
        if after == before:
            return []
        outs[p] = after
        found = []
        if after is not None:
            if any(o is not None and o != after for o in outs):
                found.append("agreement")
            if uniform is not None and after != uniform:
                found.append("validity")
        if before is not None:
            found.append("write-once")
        return found

    def violating_prefix(self, inputs: Sequence[int], moves: Sequence[Move], prop: str,
                         lenient: bool = False) -> list[Move] | None:
        """The moves applied from I(inputs) up to the first violation of ``prop``, or None when
        it is never violated, another property breaks first, or (unless ``lenient``) a move
        does not apply. With ``lenient`` a move that does not apply is skipped (its message
        was never sent, or was received already), so the result may be a subsequence."""
        c = self.initial(inputs)
        if prop in self.initial_violations(inputs, c):
            return []
        outs = self.outputs(c)
        uniform = uniform_input(inputs)
        applied: list[Move] = []
        for given in moves:
            move = self.resolve(c, given, lenient)
            if move is None:
                if lenient:
                    continue
                return None
            d, _ = self.apply(c, move)
            applied.append(move)
            found = self.step_violations(uniform, c, move[0], d, outs)
            if prop in found:
                return applied
            if found:  # another property broke first: the checks assume a safe configuration
                return None
            c = d
        return None

    def event(self, move: Move) -> Event:
        """The event of a move, with its payload (and chance's outcome, if it names one)."""
        return Event(move[0], self.table.payload_of(move[1]),
                     move[2] if len(move) == 3 else None)  # type: ignore[misc]


def oldest(m: Machine, fifo: Fifo, p: int, k: int = 1) -> int | None:
    """The ``k``-th oldest copy in transit to ``p`` (NULL when ``k`` is 0; None when fewer
    than ``k`` are in transit)."""
    if k == 0:
        return NULL
    dst = m.msg_dst
    for mid in fifo:
        if dst[mid] == p:
            k -= 1
            if k == 0:
                return mid
    return None


def advance(fifo: Fifo, move: Move, sent: tuple[int, ...]) -> None:
    """Update ``fifo`` for ``move``: the oldest copy of its message leaves, the sends (in
    canonical order, as :meth:`Machine.transition` gives them) join at the end."""
    if move[1] != NULL:
        fifo.remove(move[1])
    fifo.extend(sent)
