"""Hypothesis strategies shared by the property tests: random protocols given by tables."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from flpcheck import Protocol

__all__ = ["TableProtocol", "table_protocols", "tiny_protocols", "Symmetric",
           "symmetric_protocols", "ChanceTable", "chance_protocols"]


class TableProtocol(Protocol):
    """A protocol given by random tables (hypothesis builds them)."""

    def __init__(self, processes, init, steps, outputs):
        super().__init__(processes)
        self.table_init, self.table_steps, self.table_out = init, steps, outputs

    def init(self, pid, x):
        return self.table_init[pid, x]

    def step(self, pid, state, msg):
        return self.table_steps[pid, state, msg]

    def output(self, pid, state):
        return self.table_out[pid, state]


def _undecided_at_start(outputs: dict, init: dict) -> dict:
    """``outputs`` with every initial state undecided (an output set by init is a model
    error: FLP's output register starts undecided)."""
    start = {(p, s) for (p, _), s in init.items()}
    return {key: None if key in start else v for key, v in outputs.items()}


@st.composite
def table_protocols(draw):
    n = draw(st.integers(2, 3))
    states = draw(st.integers(1, 3))
    payloads = draw(st.integers(0, 2))
    state = st.integers(0, states - 1)
    send = st.tuples(st.integers(0, n - 1), st.integers(0, max(payloads - 1, 0)))
    sends = st.lists(send, max_size=2 if payloads else 0).map(tuple)
    init = {(p, x): draw(state) for p in range(n) for x in (0, 1)}
    steps = {(p, s, m): (draw(state), draw(sends))
             for p in range(n) for s in range(states) for m in [None, *range(payloads)]}
    outputs = {(p, s): draw(st.sampled_from([None, None, 0, 1]))
               for p in range(n) for s in range(states)}
    return TableProtocol(n, init, steps, _undecided_at_start(outputs, init))



@st.composite
def tiny_protocols(draw):
    n = 2
    states = draw(st.integers(1, 3))
    payloads = draw(st.integers(0, 1))
    state = st.integers(0, states - 1)
    sends = st.lists(st.tuples(st.integers(0, n - 1), st.just(0)),
                     max_size=1 if payloads else 0).map(tuple)
    init = {(p, x): draw(state) for p in range(n) for x in (0, 1)}
    steps = {(p, s, m): (draw(state), draw(sends))
             for p in range(n) for s in range(states) for m in [None, *range(payloads)]}
    outputs = {(p, s): draw(st.sampled_from([None, None, None, 0, 1]))
               for p in range(n) for s in range(states)}
    return TableProtocol(n, init, steps, _undecided_at_start(outputs, init))



class Symmetric(Protocol):
    """A random protocol that treats every pid alike: tables do not depend on the pid, and a
    step sends nothing, one message to itself, or a broadcast."""

    symmetric = True

    def __init__(self, processes, init, steps, outputs):
        super().__init__(processes)
        self.table_init, self.table_steps, self.table_out = init, steps, outputs

    def init(self, pid, x):
        return self.table_init[x]

    def step(self, pid, state, msg):
        new, (kind, payload) = self.table_steps[state, msg]
        sends = {"none": [], "self": [(pid, payload)], "all": self.broadcast(payload)}[kind]
        return new, sends

    def output(self, pid, state):
        return self.table_out[state]


@st.composite
def symmetric_protocols(draw):
    n = draw(st.integers(2, 3))
    states = draw(st.integers(1, 3))
    payloads = draw(st.integers(1, 2))
    state = st.integers(0, states - 1)
    send = st.tuples(st.sampled_from(["none", "none", "self", "all"]),
                     st.integers(0, payloads - 1))
    init = {x: draw(state) for x in (0, 1)}
    steps = {(s, m): (draw(state), draw(send))
             for s in range(states) for m in [None, *range(payloads)]}
    outputs = {s: draw(st.sampled_from([None, None, 0, 1])) for s in range(states)}
    return Symmetric(n, init, steps, {s: None if s in init.values() else v
                                      for s, v in outputs.items()})



class ChanceTable(TableProtocol):
    """A random protocol given by tables whose steps may be left to chance: an entry that is a
    list of ``(probability, (new_state, sends))`` is returned as :class:`flpcheck.Outcomes`."""

    def step(self, pid, state, msg):
        entry = self.table_steps[pid, state, msg]
        return self.outcomes(entry) if isinstance(entry, list) else entry


@st.composite
def distributions(draw, result):
    """2 or 3 choices of ``result``, exact probabilities from integer weights (results may
    repeat: the checks merge them)."""
    weights = draw(st.lists(st.integers(1, 3), min_size=2, max_size=3))
    total = sum(weights)
    return [(Fraction(w, total), draw(result)) for w in weights]


@st.composite
def chance_protocols(draw):
    """Random small protocols in which some steps are left to chance."""
    n = draw(st.integers(2, 3))
    states = draw(st.integers(1, 3))
    payloads = draw(st.integers(0, 2))
    state = st.integers(0, states - 1)
    send = st.tuples(st.integers(0, n - 1), st.integers(0, max(payloads - 1, 0)))
    sends = st.lists(send, max_size=2 if payloads else 0).map(tuple)
    result = st.tuples(state, sends)
    init = {(p, x): draw(state) for p in range(n) for x in (0, 1)}
    steps = {(p, s, m): draw(st.one_of(result, distributions(result)))
             for p in range(n) for s in range(states) for m in [None, *range(payloads)]}
    outputs = {(p, s): draw(st.sampled_from([None, None, 0, 1]))
               for p in range(n) for s in range(states)}
    return ChanceTable(n, init, steps, _undecided_at_start(outputs, init))
