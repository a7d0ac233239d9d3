"""The synchronous round model (DESIGN.md §4): lock-step rounds, crash failures in mid-send.

A round protocol subclasses :class:`RoundProtocol` and defines ``init``, ``send``, ``receive``
and ``output``. Rounds are numbered 1..R. In round r every live process sends (``send``), then
receives what was sent to it this round (``receive`` with its inbox), then has its new state.
A process that crashes in round r stops in the middle of its round-r sends: any subset of its
round-r messages is delivered, and it neither receives nor updates in round r or afterwards;
its output is ignored (Aguilera and Toueg, IPL 71, 1999). The adversary picks, with at most
``crashes`` (f) crashes in all, which processes crash in which round and which of their
messages get through.

:func:`check_rounds` explores every such execution from every input vector, exhaustively, and
checks agreement, validity and termination on the live processes after the last round. The
round graph is layered (round r only leads to round r+1), so it is explored one layer at a time
with identical global states merged (memoized); only two layers are ever in memory. The choices
of the adversary for one process's inbox are independent of the other inboxes, so successors are
built per receiving process and combined, and user code runs once per distinct local call.

Each violation comes with a canonical counterexample: among the violating executions, the one
with the fewest crashes, then the fewest messages delivered by crashing processes, then the
first in a fixed order of the adversary's choices (earlier rounds first; lower process ids
crash first; a crashing process's messages go to lower ids first), then the smallest input
vector. It is found by a forward minimum over the layers (no hash order anywhere), then
replayed by :func:`replay`, which calls the model directly, and checked again.
"""

from __future__ import annotations

import copy
import difflib
import enum
import itertools
import math
import time
import traceback
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import (
    FLPCheckError,
    InvalidProtocol,
    MutatedValue,
    NondeterministicStep,
    ProtocolStepError,
    ReplayError,
    UsageError,
)
from ..explore.explore import all_inputs
from ..model.table import check_payload, check_state
from ..model.termination import check_termination, counts_as_decided

__all__ = [
    "RoundProtocol",
    "Inbox",
    "check_round_protocol_class",
    "Crash",
    "Message",
    "RoundRecord",
    "RoundExecution",
    "RoundVerdict",
    "RoundCheck",
    "check_rounds",
    "count_crash_patterns",
    "replay",
    "describe_crashes",
]

Inbox = tuple[tuple[int, Hashable], ...]
"""What a process receives in one round: ``((src, payload), ...)`` sorted by ``src``."""

_REQUIRED = ("init", "send", "receive", "output")
_DEAD = -1


class RoundProtocol:
    """Base class of a consensus protocol in the synchronous round model (DESIGN.md §4).

    Subclasses set ``processes`` (N) and ``rounds`` (R) and define:

    - ``init(pid, x)``: the initial local state of process ``pid`` with input ``x`` in {0, 1};
    - ``send(pid, round, state)``: the messages of ``pid`` in round ``round`` (1..R), an
      iterable of ``(dst, payload)`` with at most one payload per destination;
    - ``receive(pid, round, state, inbox)``: the new state after round ``round``; ``inbox`` is
      a tuple of ``(src, payload)`` sorted by ``src``, the messages that reached ``pid``;
    - ``output(pid, state)``: the write-once output register: ``None``, ``0`` or ``1``.

    States and payloads are hashable, immutable values (tuples, NamedTuples, frozensets, frozen
    dataclasses). An instance is built as ``Cls(processes=N, rounds=R)``; the class attributes
    are the defaults.

    >>> class Echo(RoundProtocol):
    ...     processes, rounds = 2, 1
    ...     def init(self, pid, x): return (x, None)
    ...     def send(self, pid, round, state): return self.broadcast(state[0])
    ...     def receive(self, pid, round, state, inbox): return (state[0], min(v for _, v in inbox))
    ...     def output(self, pid, state): return state[1]
    >>> p = Echo(processes=3, rounds=2)
    >>> p.processes, p.rounds, p.broadcast("v")
    (3, 2, [(0, 'v'), (1, 'v'), (2, 'v')])
    """

    processes: ClassVar[int] = 2
    rounds: ClassVar[int] = 1

    def __init__(self, processes: int | None = None, rounds: int | None = None) -> None:
        n = type(self).processes if processes is None else processes
        r = type(self).rounds if rounds is None else rounds
        name = type(self).__name__
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidProtocol(f"{name}: processes must be an int >= 1, got {n!r}")
        if isinstance(r, bool) or not isinstance(r, int) or r < 1:
            raise InvalidProtocol(f"{name}: rounds must be an int >= 1, got {r!r}")
        self.processes = n  # type: ignore[misc]  # the instance value shadows the class default
        self.rounds = r  # type: ignore[misc]

    def init(self, pid: int, x: int) -> Hashable:
        """Initial local state of process ``pid`` with input ``x``."""
        raise NotImplementedError

    def send(self, pid: int, round: int, state: Any) -> Iterable[tuple[int, Hashable]]:
        """The round-``round`` messages of ``pid``: ``(dst, payload)`` pairs."""
        raise NotImplementedError

    def receive(self, pid: int, round: int, state: Any, inbox: Inbox) -> Hashable:
        """The state of ``pid`` after round ``round``, given the messages that reached it."""
        raise NotImplementedError

    def output(self, pid: int, state: Any) -> int | None:
        """The output register y_p of ``pid`` in ``state``: None while undecided, else 0 or 1."""
        raise NotImplementedError

    def broadcast(self, payload: Hashable) -> list[tuple[int, Hashable]]:
        """One message with ``payload`` to every process, the sender included."""
        return [(q, payload) for q in range(self.processes)]

    def format_state(self, pid: int, state: Any) -> str:
        """How a local state is printed (override for a compact form)."""
        return repr(state)

    def format_payload(self, payload: Any) -> str:
        """How a payload is printed (override for a compact form)."""
        return repr(payload)


def check_round_protocol_class(cls: type) -> None:
    """Raise :class:`InvalidProtocol` unless ``cls`` defines every method of the round API."""
    if not (isinstance(cls, type) and issubclass(cls, RoundProtocol)):
        hint = ""
        if isinstance(cls, type) and callable(getattr(cls, "step", None)):
            hint = " (it looks like an asynchronous flpcheck.Protocol: use explore without rounds)"
        raise InvalidProtocol(f"{cls!r} is not a subclass of flpcheck.RoundProtocol{hint}")
    missing = [name for name in _REQUIRED if getattr(cls, name) is getattr(RoundProtocol, name)]
    if missing:
        own = [n for n in vars(cls) if not n.startswith("__")]
        near = [m for name in missing
                for m in difflib.get_close_matches(name, own, n=1, cutoff=0.6)]
        hint = f" (found {', '.join(near)}: a misspelling?)" if near else ""
        raise InvalidProtocol(
            f"{cls.__name__} does not define {', '.join(missing)}{hint}; a RoundProtocol needs "
            "init(pid, x), send(pid, round, state), receive(pid, round, state, inbox) and "
            "output(pid, state)"
        )
    for name in _REQUIRED:
        if not callable(getattr(cls, name)):
            raise InvalidProtocol(f"{cls.__name__}.{name} is not a method")


# -- values ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Crash:
    """Process ``pid`` crashes in round ``round``; only its messages to ``delivered_to`` arrive."""

    pid: int
    round: int
    delivered_to: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Message:
    """One round message; ``delivered`` is false when it was lost or its receiver is down."""

    src: int
    dst: int
    payload: Any
    delivered: bool


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """What happened in one round of an execution, and the local states after it."""

    round: int
    #: processes that crash in this round (in the middle of their sends)
    crashed: tuple[int, ...]
    #: every message sent this round, in (src, dst) order
    messages: tuple[Message, ...]
    #: local states after the round (None for a process that has crashed)
    states: tuple[Any, ...]
    #: outputs after the round (None for undecided or crashed processes)
    outputs: tuple[int | None, ...]
    #: which processes are live after the round
    live: tuple[bool, ...]


@dataclass(frozen=True, slots=True)
class RoundExecution:
    """One execution: the inputs, the crash pattern and the replayed rounds."""

    inputs: tuple[int, ...]
    crashes: tuple[Crash, ...]
    initial_states: tuple[Any, ...]
    #: outputs of the initial states (a model may decide before round 1)
    initial_outputs: tuple[int | None, ...]
    records: tuple[RoundRecord, ...]

    @property
    def live(self) -> tuple[bool, ...]:
        """Which processes are live after the last round."""
        return self.records[-1].live if self.records else (True,) * len(self.inputs)

    @property
    def outputs(self) -> tuple[int | None, ...]:
        """The outputs after the last round (None for undecided or crashed processes)."""
        return self.records[-1].outputs if self.records else (None,) * len(self.inputs)

    def describe(self) -> str:
        """One line: the inputs and who crashed when, e.g. ``inputs 011; p0 crashes ...``."""
        return f"inputs {''.join(map(str, self.inputs))}; {describe_crashes(self.crashes, self)}"


@dataclass(frozen=True, slots=True)
class RoundVerdict:
    """The outcome of one property over every execution explored."""

    name: str
    holds: bool
    detail: str
    #: executions (of ``RoundCheck.executions``) that violate the property
    violations: int = 0
    #: the canonical violating execution (None when the property holds)
    counterexample: RoundExecution | None = None


@dataclass(frozen=True, slots=True)
class RoundCheck:
    """The result of :func:`check_rounds`: counts and the three verdicts."""

    protocol: RoundProtocol
    name: str
    processes: int
    rounds: int
    crashes: int
    inputs: tuple[tuple[int, ...], ...]
    #: failure patterns with at most f crashes (see :func:`count_crash_patterns`)
    crash_patterns: int
    #: distinct executions explored: input vector x adversary choices over messages sent
    executions: int
    #: distinct global states after round r, for r = 0 (initial) .. R
    global_states: tuple[int, ...]
    #: distinct (state, successor) pairs over all rounds
    transitions: int
    #: calls of the model's methods (each distinct call runs twice: determinism check)
    user_calls: int
    elapsed: float
    agreement: RoundVerdict
    validity: RoundVerdict
    termination: RoundVerdict
    #: what termination requires: "all" live processes decide, or "some" live process does
    termination_definition: str = "all"

    @property
    def verdicts(self) -> tuple[RoundVerdict, RoundVerdict, RoundVerdict]:
        """Agreement, validity, termination."""
        return (self.agreement, self.validity, self.termination)

    @property
    def exit_code(self) -> int:
        """0 when all three properties hold, 1 when one is violated (the CLI's exit code)."""
        return 0 if all(v.holds for v in self.verdicts) else 1


# -- counting --------------------------------------------------------------------------------


def count_crash_patterns(processes: int, rounds: int, crashes: int) -> int:
    """The failure patterns with at most ``crashes`` crashes in ``rounds`` rounds.

    A pattern says which processes crash, each one's round, and which of the processes live
    after that round receive its message of that round (any subset). It does not depend on
    the protocol: with N=3, R=2, f=1 there is the crash-free pattern and 3 processes x 2 rounds
    x 2^2 subsets of the two others, 25 in all.

    >>> count_crash_patterns(3, 2, 1), count_crash_patterns(3, 1, 1), count_crash_patterns(3, 3, 2)
    (25, 13, 217)
    """
    memo: dict[tuple[int, int, int], int] = {}

    def patterns(r: int, alive: int, budget: int) -> int:
        if r > rounds:
            return 1
        key = (r, alive, budget)
        if key not in memo:
            total = 0
            for k in range(min(budget, alive) + 1):
                ways = math.comb(alive, k) * 2 ** (k * (alive - k))
                total += ways * patterns(r + 1, alive - k, budget - k)
            memo[key] = total
        return memo[key]

    return patterns(1, processes, crashes)


# -- user calls, checked and interned ---------------------------------------------------------


class _RoundTable:
    """Interned local states and payloads; memoized, checked calls of the model's methods."""

    def __init__(self, protocol: RoundProtocol, origin: str) -> None:
        self.protocol = protocol
        self.n = protocol.processes
        self.origin = origin or type(protocol).__name__
        self.states: list[Any] = []
        self._state_ids: dict[Any, int] = {}
        self.payloads: list[Any] = []
        self._payload_ids: dict[Any, int] = {}
        #: (pid, round, state id) -> ((dst, payload id), ...) sorted by dst
        self._sends: dict[tuple[int, int, int], tuple[tuple[int, int], ...]] = {}
        #: (pid, round, state id, ((src, payload id), ...)) -> new state id
        self._receives: dict[tuple[int, int, int, tuple[tuple[int, int], ...]], int] = {}
        self._outputs: dict[tuple[int, int], int | None] = {}
        #: per state id: built only of values that cannot change in place (no mutation check)
        self._plain: list[bool] = []
        self.user_calls = 0

    def state_id(self, state: Any, pid: int, what: object) -> int:
        try:
            return self._state_ids[state]
        except (KeyError, TypeError):
            check_state(self.origin, state, pid, what)
        sid = len(self.states)
        self.states.append(state)
        self._plain.append(_plain(state))
        self._state_ids[state] = sid
        return sid

    def payload_id(self, payload: Any, what: object) -> int:
        try:
            return self._payload_ids[payload]
        except (KeyError, TypeError):
            check_payload(self.origin, payload, what)
        pid = len(self.payloads)
        self.payloads.append(payload)
        self._payload_ids[payload] = pid
        return pid

    def initial_state(self, pid: int, x: int) -> int:
        what = f"init({pid}, {x})"
        first = _call(self, self.protocol.init, (pid, x), what)
        second = _call(self, self.protocol.init, (pid, x), what)
        if first != second:
            raise _nondeterministic(self.origin, what, first, second)
        return self.state_id(first, pid, what)

    def sends(self, pid: int, rnd: int, sid: int) -> tuple[tuple[int, int], ...]:
        key = (pid, rnd, sid)
        found = self._sends.get(key)
        if found is not None:
            return found
        state = self.states[sid]
        what = _Lazy(lambda: f"send({pid}, {rnd}, {_show(self.protocol, pid, state)})")
        before = state if self._plain[sid] else copy.deepcopy(state)
        first = _checked_sends(self.origin, self.n, _call(self, self.protocol.send,
                                                          (pid, rnd, state), what), what)
        _unchanged(self.origin, what, state, before)
        second = _checked_sends(self.origin, self.n, _call(self, self.protocol.send,
                                                           (pid, rnd, state), what), what)
        if first != second:
            raise _nondeterministic(self.origin, what, list(first), list(second))
        result = tuple((dst, self.payload_id(pl, what)) for dst, pl in first)
        self._sends[key] = result
        return result

    def receive(self, pid: int, rnd: int, sid: int, inbox: tuple[tuple[int, int], ...]) -> int:
        key = (pid, rnd, sid, inbox)
        found = self._receives.get(key)
        if found is not None:
            return found
        state = self.states[sid]
        msgs = tuple((src, self.payloads[pl]) for src, pl in inbox)

        def shown() -> str:
            inbox = ", ".join(f"({src}, {self.protocol.format_payload(pl)})" for src, pl in msgs)
            return f"receive({pid}, {rnd}, {_show(self.protocol, pid, state)}, ({inbox}))"

        what = _Lazy(shown)
        before = state if self._plain[sid] else copy.deepcopy(state)
        first = _call(self, self.protocol.receive, (pid, rnd, state, msgs), what)
        _unchanged(self.origin, what, state, before)
        second = _call(self, self.protocol.receive, (pid, rnd, state, msgs), what)
        try:
            same = first == second
        except Exception:  # an odd __eq__: let state_id report the value
            same = False
        if not same:
            raise _nondeterministic(self.origin, what, first, second)
        nsid = self.state_id(first, pid, what)
        self._receives[key] = nsid
        return nsid

    def output(self, pid: int, sid: int) -> int | None:
        key = (pid, sid)
        try:
            return self._outputs[key]
        except KeyError:
            pass
        state = self.states[sid]
        what = _Lazy(lambda: f"output({pid}, {_show(self.protocol, pid, state)})")
        value = _call(self, self.protocol.output, (pid, state), what)
        again = _call(self, self.protocol.output, (pid, state), what)
        if value != again:
            raise _nondeterministic(self.origin, what, value, again)
        result = _checked_output(self.origin, what, value)
        self._outputs[key] = result
        return result


class _Lazy:
    """A description of a call, formatted only when an error message needs it."""

    __slots__ = ("_make",)

    def __init__(self, make: Any) -> None:
        self._make = make

    def __str__(self) -> str:
        return str(self._make())

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _plain(value: Any) -> bool:
    """True when ``value`` is built only of types that cannot change in place."""
    if value is None or isinstance(value, (bool, int, float, str, bytes, enum.Enum)):
        return True
    if isinstance(value, (tuple, frozenset)):
        return all(_plain(v) for v in value)
    return False


def _call(table: _RoundTable | None, fn: Any, args: tuple[Any, ...], what: object,
          origin: str = "") -> Any:
    if table is not None:
        table.user_calls += 1
        origin = table.origin
    try:
        return fn(*args)
    except Exception as exc:  # user code: report it as a model error with its traceback
        err = ProtocolStepError(f"{origin}: {what} raised {type(exc).__name__}: {exc}")
        err.add_note("".join(traceback.format_exception(exc)).rstrip())
        raise err from exc


def _nondeterministic(origin: str, what: object, first: Any, second: Any) -> NondeterministicStep:
    return NondeterministicStep(
        f"{origin}: {what} is not deterministic: it returned {first!r}, then {second!r}"
    )


def _show(protocol: RoundProtocol, pid: int, state: Any) -> str:
    try:
        return protocol.format_state(pid, state)
    except Exception:
        return repr(state)


def _unchanged(origin: str, what: object, state: Any, before: Any) -> None:
    if state != before:
        raise MutatedValue(
            f"{origin}: {what} changed the state it was given (now {state!r}); "
            "return a new value instead"
        )


def _checked_output(origin: str, what: object, value: Any) -> int | None:
    if value is not None and (isinstance(value, float) or value not in (0, 1)):
        raise ProtocolStepError(f"{origin}: {what} returned {value!r}; an output is None, 0 or 1")
    return None if value is None else int(value)


def _checked_sends(origin: str, n: int, raw: Any, what: object) -> tuple[tuple[int, Any], ...]:
    """The sends of one call as ``((dst, payload), ...)`` sorted by dst, or a model error."""
    if raw is None:
        raw = ()
    try:
        items = list(raw)
    except TypeError:
        raise InvalidProtocol(
            f"{origin}: {what} returned {raw!r}; send must return an iterable of "
            "(dst, payload) pairs"
        ) from None
    by_dst: dict[int, Any] = {}
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise InvalidProtocol(
                f"{origin}: {what} sent {item!r}; each send is a (dst, payload) pair"
            )
        dst, payload = item
        if isinstance(dst, bool) or not isinstance(dst, int) or not 0 <= dst < n:
            raise InvalidProtocol(
                f"{origin}: {what} sent {payload!r} to destination {dst!r}; destinations are "
                f"process ids 0..{n - 1}"
            )
        if dst in by_dst:
            raise InvalidProtocol(
                f"{origin}: {what} sent two messages to process {dst} ({by_dst[dst]!r} and "
                f"{payload!r}); a round carries at most one payload per destination (send a tuple)"
            )
        try:
            hash(payload)
        except TypeError:
            raise ProtocolStepError(
                f"{origin}: {what} sent an unhashable payload {payload!r} to process {dst}"
            ) from None
        by_dst[dst] = payload
    return tuple(sorted(by_dst.items()))


# -- exploration -----------------------------------------------------------------------------

#: one round's choice of the adversary, in its comparison form:
#: (crashing pids, per surviving receiver q ascending: (-len(M_q), M_q)), M_q the crashing
#: senders whose message reaches q
_Choice = tuple[tuple[int, ...], tuple[tuple[int, tuple[int, ...]], ...]]
#: the canonical order of executions: (crashes, delivered, choices per round, inputs)
_Key = tuple[int, int, tuple[_Choice, ...], tuple[int, ...]]


@dataclass(slots=True)
class _Layer:
    """The distinct global states after one round and what the forward pass keeps for each."""

    rows: list[tuple[int, ...]]
    index: dict[tuple[int, ...], int]
    #: executions reaching each state
    paths: list[int]
    #: of those, executions in which some live output already changed once set
    changed: list[int]
    #: the least execution (canonical order) reaching each state
    best: list[_Key]
    #: per uniform input v present: state -> (executions from v...v, least such execution)
    uniform: dict[int, dict[int, tuple[int, _Key]]]

    @classmethod
    def empty(cls, values: Iterable[int]) -> _Layer:
        return cls([], {}, [], [], [], {v: {} for v in values})

    def add(self, row: tuple[int, ...], key: _Key) -> int:
        i = self.index.get(row)
        if i is None:
            i = self.index[row] = len(self.rows)
            self.rows.append(row)
            self.paths.append(0)
            self.changed.append(0)
            self.best.append(key)
        elif key < self.best[i]:
            self.best[i] = key
        return i


def check_rounds(
    protocol: RoundProtocol,
    inputs: Iterable[Sequence[int]] | None = None,
    *,
    crashes: int = 1,
    origin: str = "",
    termination: str = "all",
) -> RoundCheck:
    """Explore every execution of ``protocol`` with at most ``crashes`` crashes; check it.

    Agreement: after the last round, the live processes that decided decided one value, and
    no live process's output changed once set. Validity: from inputs all v, no live process
    decides 1 - v (with binary inputs this is also "the decision is some process's input").
    Termination: every live process has decided after the last round (``termination="all"``,
    the default), or at least one live process has (``"some"``).

    >>> class Own(RoundProtocol):
    ...     processes, rounds = 2, 1
    ...     def init(self, pid, x): return (x, None)
    ...     def send(self, pid, round, state): return ()
    ...     def receive(self, pid, round, state, inbox): return (state[0], state[0])
    ...     def output(self, pid, state): return state[1]
    >>> check = check_rounds(Own(), crashes=0)
    >>> check.executions, check.agreement.holds, check.agreement.counterexample.describe()
    (4, False, 'inputs 01; no crashes')
    """
    check_round_protocol_class(type(protocol))
    check_termination(termination)
    n, rounds = protocol.processes, protocol.rounds
    if isinstance(crashes, bool) or not isinstance(crashes, int) or not 0 <= crashes <= n:
        raise UsageError(f"--crashes must be between 0 and N={n}, got {crashes!r}")
    vectors = all_inputs(n) if inputs is None else [tuple(int(v) for v in x) for x in inputs]
    for x in vectors:
        if len(x) != n or any(v not in (0, 1) for v in x):
            raise UsageError(f"inputs {x!r}: need {n} values, each 0 or 1")
    if not vectors:
        raise UsageError("no input vectors to explore")
    if len(set(vectors)) != len(vectors):
        raise UsageError("the same input vector is given twice")
    table = _RoundTable(protocol, origin)
    started = time.perf_counter()

    uniform_values = [v for v in (0, 1) if (v,) * n in vectors]
    layer = _Layer.empty(uniform_values)
    for x in vectors:
        row = tuple(table.initial_state(p, x[p]) for p in range(n))
        key: _Key = (0, 0, (), x)
        i = layer.add(row, key)
        layer.paths[i] += 1
        if x == (x[0],) * n:
            layer.uniform[x[0]][i] = (1, key)
    sizes = [len(layer.rows)]
    transitions = 0
    #: the least execution in which a live output changes once set
    change: _Key | None = None

    for rnd in range(1, rounds + 1):
        nxt = _Layer.empty(uniform_values)
        for i, row in enumerate(layer.rows):
            paths, changed, (c0, d0, seq, x0) = layer.paths[i], layer.changed[i], layer.best[i]
            uniform = [(v, found) for v, m in layer.uniform.items() if (found := m.get(i))]
            try:
                for new_row, crashed, delivered, choice, mult, flip in _successors(
                    table, row, rnd, crashes
                ):
                    transitions += 1
                    key = (c0 + crashed, d0 + delivered, seq + (choice,), x0)
                    j = nxt.add(new_row, key)
                    nxt.paths[j] += paths * mult
                    nxt.changed[j] += (paths if flip else changed) * mult
                    for v, (count, ukey) in uniform:
                        m = nxt.uniform[v]
                        ckey = (ukey[0] + crashed, ukey[1] + delivered, ukey[2] + (choice,),
                                ukey[3])
                        old = m.get(j)
                        m[j] = (count * mult + (old[0] if old else 0),
                                ckey if old is None or ckey < old[1] else old[1])
                    if flip is not None:
                        full = _complete(key, new_row, rounds - rnd)
                        if change is None or full < change:
                            change = full
            except FLPCheckError as err:
                err.add_note(
                    f"the global state before round {rnd} is reached from "
                    f"{_key_description(layer.best[i], n)}"
                )
                raise
        layer = nxt
        sizes.append(len(layer.rows))

    executions = sum(layer.paths)
    result = _verdicts(protocol, table, layer, change, executions, crashes, origin, termination)
    return RoundCheck(
        protocol=protocol,
        name=type(protocol).__name__,
        processes=n,
        rounds=rounds,
        crashes=crashes,
        inputs=tuple(vectors),
        crash_patterns=count_crash_patterns(n, rounds, crashes),
        executions=executions,
        global_states=tuple(sizes),
        transitions=transitions,
        user_calls=table.user_calls,
        elapsed=time.perf_counter() - started,
        agreement=result[0],
        validity=result[1],
        termination=result[2],
        termination_definition=termination,
    )


def _successors(
    table: _RoundTable, row: tuple[int, ...], rnd: int, budget_total: int
) -> Iterator[tuple[tuple[int, ...], int, int, _Choice, int,
                    tuple[int, int | None, int | None] | None]]:
    """Every distinct successor of one global state in round ``rnd``.

    Yields (successor, crashes this round, messages delivered by crashing processes, the least
    adversary choice reaching it, how many choices reach it, (q, before, after) if a live
    output changed once set, else None).
    """
    n = len(row)
    live = tuple(p for p in range(n) if row[p] != _DEAD)
    budget = budget_total - (n - len(live))
    to: list[dict[int, int]] = [{} for _ in range(n)]
    #: per receiver q: the live processes that send to q this round, as a bit mask
    senders_of = [0] * n
    for p in live:
        to[p] = dict(table.sends(p, rnd, row[p]))
        for q in to[p]:
            senders_of[q] |= 1 << p
    before = {q: table.output(q, row[q]) for q in live}
    #: per receiver q: the set of senders that reach q (bit mask) -> (new state, flip)
    seen: list[dict[int, tuple[int, Any]]] = [{} for _ in range(n)]

    def receive(q: int, reached: int, crashing: tuple[int, ...], m: tuple[int, ...]) -> tuple[
            int, Any]:
        inbox = tuple((src, to[src][q]) for src in live if reached >> src & 1)
        try:
            nsid = table.receive(q, rnd, row[q], inbox)
        except FLPCheckError as err:
            err.add_note(_receive_context(q, rnd, crashing, m))
            raise
        after = table.output(q, nsid)
        old = before[q]
        flip = (q, old, after) if old is not None and after != old else None
        seen[q][reached] = (nsid, flip)
        return nsid, flip

    live_mask = sum(1 << p for p in live)
    for k in range(min(budget, len(live)) + 1):
        for crashing in itertools.combinations(live, k):
            crash_mask = sum(1 << p for p in crashing)
            survivors = tuple(q for q in live if not crash_mask >> q & 1)
            # per survivor q: the distinct new states of q, each with (count, least M_q, flip)
            options: list[list[tuple[int, int, tuple[int, ...], Any]]] = []
            for q in survivors:
                base = live_mask & ~crash_mask & senders_of[q]
                senders = [p for p in crashing if senders_of[q] >> p & 1]
                groups: dict[int, list[Any]] = {}
                cache = seen[q]
                for size in range(len(senders) + 1):
                    for m in itertools.combinations(senders, size):
                        reached = base
                        for p in m:
                            reached |= 1 << p
                        found = cache.get(reached)
                        nsid, flip = found if found else receive(q, reached, crashing, m)
                        g = groups.get(nsid)
                        if g is None:
                            groups[nsid] = [1, m, flip]
                        else:
                            g[0] += 1
                options.append([(sid, g[0], g[1], g[2]) for sid, g in groups.items()])
            for combo in itertools.product(*options):
                new_row = list(row)
                for p in crashing:
                    new_row[p] = _DEAD
                mult, delivered, flip = 1, 0, None
                per_q = []
                for q, (nsid, count, m, q_flip) in zip(survivors, combo, strict=True):
                    new_row[q] = nsid
                    mult *= count
                    delivered += len(m)
                    per_q.append((-len(m), m))
                    if flip is None:
                        flip = q_flip
                yield tuple(new_row), k, delivered, (crashing, tuple(per_q)), mult, flip


def _receive_context(q: int, rnd: int, crashing: tuple[int, ...], got: tuple[int, ...]) -> str:
    if not crashing:
        return f"p{q} receives in round {rnd}, no process crashing in that round"
    who = ", ".join(f"p{p}" for p in crashing)
    reach = ", ".join(f"p{p}" for p in got) or "none"
    return (f"p{q} receives in round {rnd} while {who} crash in that round; crashing senders "
            f"whose message reaches p{q}: {reach}")


def _complete(key: _Key, row: tuple[int, ...], remaining: int) -> _Key:
    """``key`` continued by ``remaining`` crash-free rounds (the least continuation)."""
    quiet: _Choice = ((), tuple((0, ()) for p in row if p != _DEAD))
    return (key[0], key[1], key[2] + (quiet,) * remaining, key[3])


def _crashes_of(key: _Key, n: int) -> tuple[Crash, ...]:
    """The crash pattern of an execution given in the canonical-order form."""
    live = list(range(n))
    out = []
    for rnd, (crashing, per_q) in enumerate(key[2], start=1):
        survivors = [q for q in live if q not in crashing]
        for p in crashing:
            got = tuple(q for q, (_, m) in zip(survivors, per_q, strict=True) if p in m)
            out.append(Crash(p, rnd, got))
        live = survivors
    return tuple(out)


def _key_description(key: _Key, n: int) -> str:
    crashes = _crashes_of(key, n)
    return f"inputs {''.join(map(str, key[3]))}; {describe_crashes(crashes)}"


def describe_crashes(crashes: Sequence[Crash], execution: RoundExecution | None = None) -> str:
    """The crash pattern in words, e.g. ``p0 crashes in round 1 after sending only to p1``.

    With the replayed ``execution`` a crash whose messages all got through says so.

    >>> describe_crashes([Crash(0, 1, (1,)), Crash(1, 2, ())])
    'p0 crashes in round 1 after sending only to p1; p1 crashes in round 2 before sending'
    """
    if not crashes:
        return "no crashes"
    parts = []
    for c in crashes:
        text = f"p{c.pid} crashes in round {c.round}"
        sent = None
        if execution is not None:
            rec = execution.records[c.round - 1]
            sent = [m for m in rec.messages if m.src == c.pid and rec.live[m.dst]]
        if sent is not None and sent and all(m.delivered for m in sent):
            text += " after all its messages got through"
        elif not c.delivered_to:
            text += " before sending" if sent is None or sent else " (it had nothing to send)"
        else:
            text += " after sending only to " + ", ".join(f"p{q}" for q in c.delivered_to)
        parts.append(text)
    return "; ".join(parts)


# -- verdicts and replay ---------------------------------------------------------------------


def _verdicts(
    protocol: RoundProtocol,
    table: _RoundTable,
    layer: _Layer,
    change: _Key | None,
    executions: int,
    crashes: int,
    origin: str,
    termination: str = "all",
) -> tuple[RoundVerdict, RoundVerdict, RoundVerdict]:
    n = protocol.processes
    agree_key: _Key | None = change
    agree_count = 0
    term_key: _Key | None = None
    term_count = 0
    valid_key: _Key | None = None
    valid_count = 0
    for i, row in enumerate(layer.rows):
        outs = [table.output(p, row[p]) for p in range(n) if row[p] != _DEAD]
        decided = {o for o in outs if o is not None}
        best = layer.best[i]
        if len(decided) > 1:
            agree_count += layer.paths[i]
            if agree_key is None or best < agree_key:
                agree_key = best
        else:
            agree_count += layer.changed[i]
        if not counts_as_decided(outs, termination):
            term_count += layer.paths[i]
            if term_key is None or best < term_key:
                term_key = best
        for v, m in layer.uniform.items():
            found = m.get(i)
            if found and (1 - v) in decided:
                valid_count += found[0]
                if valid_key is None or found[1] < valid_key:
                    valid_key = found[1]

    def verdict(name: str, key: _Key | None, count: int, check: Any) -> RoundVerdict:
        if key is None:
            return RoundVerdict(name, True, f"holds in all {executions:,} executions")
        execution = replay(protocol, key[3], _crashes_of(key, n), crashes_allowed=crashes,
                           origin=origin)
        detail = check(execution)
        if detail is None:
            raise ReplayError(
                f"{origin or type(protocol).__name__}: the {name} counterexample "
                f"({execution.describe()}) does not violate {name} when replayed"
            )
        return RoundVerdict(name, False, detail, count, execution)

    return (
        verdict("agreement", agree_key, agree_count, agreement_problem),
        verdict("validity", valid_key, valid_count, validity_problem),
        verdict("termination", term_key, term_count,
                lambda ex: termination_problem(ex, termination)),
    )


def agreement_problem(execution: RoundExecution) -> str | None:
    """Why ``execution`` violates agreement (a live output changed, or two live decisions
    differ after the last round), or None."""
    prev = execution.initial_outputs
    for rec in execution.records:
        for p in range(len(rec.live)):
            if rec.live[p] and prev[p] is not None and rec.outputs[p] != prev[p]:
                return (f"p{p}'s decision changed from {prev[p]} to {rec.outputs[p]} in round "
                        f"{rec.round} (a decision once made can't be changed)")
        prev = rec.outputs
    first: dict[int, int] = {}
    for p, (alive, y) in enumerate(zip(execution.live, execution.outputs, strict=True)):
        if alive and y is not None:
            first.setdefault(y, p)
    if len(first) > 1:
        return f"p{first[0]} decides 0 but p{first[1]} decides 1"
    return None


def validity_problem(execution: RoundExecution) -> str | None:
    """Why ``execution`` violates validity (all inputs v, a live process decides 1 - v), or None."""
    x = execution.inputs
    if len(set(x)) != 1:
        return None
    v = x[0]
    for p, (alive, y) in enumerate(zip(execution.live, execution.outputs, strict=True)):
        if alive and y == 1 - v:
            return f"every input is {v} but p{p} decides {y}"
    return None


def termination_problem(execution: RoundExecution, termination: str = "all") -> str | None:
    """Which live processes are undecided after the last round (under ``termination="all"``:
    any; under ``"some"``: all of them), or None."""
    undecided = [p for p, (alive, y) in enumerate(zip(execution.live, execution.outputs,
                                                      strict=True)) if alive and y is None]
    live = [p for p, alive in enumerate(execution.live) if alive]
    if not undecided or (termination == "some" and len(undecided) < len(live)):
        return None
    who = ", ".join(f"p{p}" for p in undecided)
    verb = "has" if len(undecided) == 1 else "have"
    return f"{who} {verb} not decided after the last round ({len(execution.records)})"


def replay(
    protocol: RoundProtocol,
    inputs: Sequence[int],
    crashes: Sequence[Crash] = (),
    *,
    crashes_allowed: int | None = None,
    origin: str = "",
) -> RoundExecution:
    """Run ``protocol`` from ``inputs`` under the crash pattern ``crashes``, calling it directly.

    Independent of the explorer's tables: used to check every counterexample before it is
    shown. Raises :class:`ReplayError` if the pattern is impossible (a process crashing twice
    or after it crashed, a message delivered that was never sent or to a process that is down,
    more than ``crashes_allowed`` crashes).

    >>> class Min(RoundProtocol):
    ...     processes, rounds = 3, 1
    ...     def init(self, pid, x): return (x, None)
    ...     def send(self, pid, round, state): return self.broadcast(state[0])
    ...     def receive(self, pid, round, state, inbox): return (0, min(v for _, v in inbox))
    ...     def output(self, pid, state): return state[1]
    >>> run = replay(Min(), (0, 1, 1), [Crash(0, 1, (1,))])
    >>> run.outputs, run.live
    ((None, 0, 1), (False, True, True))
    """
    n, rounds = protocol.processes, protocol.rounds
    name = origin or type(protocol).__name__
    x = tuple(inputs)
    if len(x) != n:
        raise ReplayError(f"{name}: inputs {x!r} are not {n} values")
    if crashes_allowed is not None and len(crashes) > crashes_allowed:
        raise ReplayError(f"{name}: {len(crashes)} crashes, more than f={crashes_allowed}")
    by_round: dict[int, dict[int, Crash]] = {}
    seen: set[int] = set()
    for c in crashes:
        if c.pid in seen or not 0 <= c.pid < n or not 1 <= c.round <= rounds:
            raise ReplayError(f"{name}: impossible crash {c!r}")
        seen.add(c.pid)
        by_round.setdefault(c.round, {})[c.pid] = c
    states: list[Any] = [_call(None, protocol.init, (p, x[p]), f"init({p}, {x[p]})", name)
                         for p in range(n)]
    initial = tuple(states)
    initial_outputs = tuple(
        _checked_output(name, f"output({p}, ...)", _call(None, protocol.output, (p, s),
                                                         f"output({p}, ...)", name))
        for p, s in enumerate(states))
    live = [True] * n
    records = []
    for rnd in range(1, rounds + 1):
        crashing = by_round.get(rnd, {})
        for p in crashing:
            if not live[p]:
                raise ReplayError(f"{name}: p{p} crashes in round {rnd} but is already down")
        survivors = [p for p in range(n) if live[p] and p not in crashing]
        messages: list[Message] = []
        inboxes: list[list[tuple[int, Any]]] = [[] for _ in range(n)]
        for p in range(n):
            if not live[p]:
                continue
            what = f"send({p}, {rnd}, {_show(protocol, p, states[p])})"
            sent = _checked_sends(name, n, _call(None, protocol.send, (p, rnd, states[p]), what,
                                                 name), what)
            crash = crashing.get(p)
            if crash is not None:
                dsts = {d for d, _ in sent}
                for q in crash.delivered_to:
                    if q not in dsts or q not in survivors:
                        raise ReplayError(
                            f"{name}: p{p} crashing in round {rnd} cannot deliver to p{q}"
                        )
            for dst, payload in sent:
                ok = dst in survivors and (crash is None or dst in crash.delivered_to)
                messages.append(Message(p, dst, payload, ok))
                if ok:
                    inboxes[dst].append((p, payload))
        for p in crashing:
            live[p] = False
        for q in survivors:
            inbox = tuple(inboxes[q])
            states[q] = _call(None, protocol.receive, (q, rnd, states[q], inbox),
                              f"receive({q}, {rnd}, ...)", name)
        outputs = tuple(
            _checked_output(name, f"output({p}, ...)",
                            _call(None, protocol.output, (p, states[p]), f"output({p}, ...)",
                                  name)) if live[p] else None
            for p in range(n))
        records.append(RoundRecord(
            rnd, tuple(sorted(crashing)), tuple(messages),
            tuple(s if alive else None for s, alive in zip(states, live, strict=True)),
            outputs, tuple(live)))
    return RoundExecution(x, tuple(sorted(crashes, key=lambda c: (c.round, c.pid))),
                          initial, initial_outputs, tuple(records))
