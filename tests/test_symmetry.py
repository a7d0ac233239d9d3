"""Symmetry reduction keeps counts, valence counts and safety verdicts exact."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from flpcheck import Protocol, classify_valence, explore
from flpcheck.analysis import verdict
from flpcheck.analysis.properties import check_safety
from flpcheck.cli import main
from flpcheck.errors import InvalidProtocol, UsageError
from flpcheck.model.loader import load_protocol, load_protocol_class

from .conftest import MODELS

SYMMETRIC = [("majority", 3), ("majority", 4), ("wait_for_all", 3), ("decide_own_input", 3),
             ("always_zero", 3), ("flip_flop", 2)]


def summary(space):
    valence = classify_valence(space)
    initial = sorted((x, valence.label(c)) for x, c in space.initial)
    props = [(p.name, p.holds, p.certain) for p in check_safety(space)]
    return (space.total_configurations(), space.total_events(), valence.counts(), initial, props)


@pytest.mark.parametrize(("name", "n"), SYMMETRIC)
def test_reduction_gives_the_counts_valences_and_verdicts_of_the_full_graph(name, n):
    path = str(MODELS / f"{name}.py")
    full = explore(load_protocol(path, n))
    reduced = explore(load_protocol(path, n), symmetry=True)
    assert len(reduced) < len(full)
    assert summary(reduced) == summary(full)


def test_majority_with_four_processes_stores_one_configuration_in_eighteen():
    """126,474 configurations in 6,824 orbits; the orbit sizes add up exactly."""
    reduced = explore(load_protocol(str(MODELS / "majority.py"), 4), symmetry=True)
    assert len(reduced) == 6824 and reduced.total_configurations() == 126474
    assert set(reduced.orbit.tolist()) <= {1, 2, 3, 4, 6, 8, 12, 24}


def test_a_false_symmetry_declaration_is_caught_with_the_protocols_own_code():
    """Leader broadcast singles out p0: renaming p0 and p1 changes who sends."""
    cls = load_protocol_class(str(MODELS / "leader_broadcast.py"))
    liar = type("Liar", (cls,), {"symmetric": True})
    with pytest.raises(InvalidProtocol, match=r"declares symmetric = True, but renaming"):
        explore(liar(processes=2), symmetry=True)


def test_an_undeclared_protocol_is_refused():
    with pytest.raises(UsageError, match="symmetric = True"):
        explore(load_protocol(str(MODELS / "leader_broadcast.py"), 2), symmetry=True)


def test_analyses_that_need_real_runs_are_refused_on_a_reduced_space():
    reduced = explore(load_protocol(str(MODELS / "wait_for_all.py"), 3), symmetry=True)
    with pytest.raises(UsageError, match="not preserved by symmetry reduction"):
        verdict(reduced)
    with pytest.raises(UsageError, match="not preserved by symmetry reduction"):
        reduced.schedule_to(len(reduced) - 1)


def test_explore_symmetry_json_reports_full_counts_and_representatives():
    result = CliRunner().invoke(main, ["explore", str(MODELS / "majority.py"), "--symmetry",
                                       "--json"])
    import json

    data = json.loads(result.output)
    assert result.exit_code == 1  # agreement is violated, as without reduction
    assert data["configurations"] == 2542 and data["symmetry"]["representatives"] == 504
    assert data["agreement"]["schedule"] is None
    assert "not kept under symmetry reduction" in data["agreement"]["detail"]


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
    return Symmetric(n, init, steps, outputs)


@given(symmetric_protocols(), st.sampled_from([1, 2, 3]))
def test_reduction_is_exact_on_random_symmetric_protocols(protocol, max_buffer):
    full = explore(protocol, max_buffer=max_buffer)
    reduced = explore(protocol, max_buffer=max_buffer, symmetry=True)
    assert summary(reduced) == summary(full)
