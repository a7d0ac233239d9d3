"""Counts the other tests quote, cross-checked against the plain reference explorer
(tests/reference.py: full configurations as tuples, every event calls the protocol's step,
nothing shared with flpcheck's explorer) wherever it reaches them.

Majority with N = 4 takes the reference about half a minute, so it runs once for the module.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from flpcheck import explore
from flpcheck.model.loader import load_protocol, load_protocol_class

from ..paths import MODELS
from ..reference import ReferenceSpace, reference_explore


@pytest.fixture(scope="module")
def majority4() -> ReferenceSpace:
    return reference_explore(load_protocol(str(MODELS / "majority.py"), 4))


def test_majority_with_four_processes_has_the_references_size(majority4):
    """126,474 configurations and 1,098,024 events (the figure the benchmarks quote)."""
    space = explore(load_protocol(str(MODELS / "majority.py"), 4))
    assert (len(space), space.num_events) == (len(majority4.order), majority4.events)
    assert (len(majority4.order), majority4.events) == (126474, 1098024)


def test_symmetry_counts_the_full_graph_of_the_reference(majority4):
    """Under --symmetry the space stores one configuration per orbit, and the orbit sizes
    add up to the reference's full graph."""
    reduced = explore(load_protocol(str(MODELS / "majority.py"), 4), symmetry=True)
    assert reduced.total_configurations() == len(majority4.order)
    assert reduced.total_events() == majority4.events


def _orbits(ref: ReferenceSpace, n: int) -> int:
    """How many orbits of process renamings the reference's configurations fall into
    (Majority's states and payloads hold no pids: a renaming permutes the states and the
    buffer's destinations)."""
    def renamed(config: tuple[Any, ...], perm: tuple[int, ...]) -> tuple[Any, ...]:
        states, buffer = config
        new_states = [None] * n
        for p, s in enumerate(states):
            new_states[perm[p]] = s
        return (tuple(new_states), tuple(sorted(((perm[d], pl) for d, pl in buffer), key=repr)))

    perms = list(itertools.permutations(range(n)))
    return len({min((renamed(c, perm) for perm in perms), key=repr) for c in ref.order})


def test_symmetry_stores_one_representative_per_orbit_of_the_reference():
    """Majority N = 3: 2,542 configurations in the reference, in as many orbits as the
    reduced space has representatives (504)."""
    protocol = load_protocol(str(MODELS / "majority.py"), 3)
    ref = reference_explore(protocol)
    reduced = explore(load_protocol(str(MODELS / "majority.py"), 3), symmetry=True)
    assert len(reduced) == _orbits(ref, 3) == 504
    assert reduced.total_configurations() == len(ref.order) == 2542


def test_the_partial_order_reduction_explores_part_of_the_references_graph(majority4):
    """The reduced graph of Majority N = 4 is a sub-graph of the full one: fewer
    configurations and events than the reference finds, every valence exact (the reduction's
    own exactness is checked against the full explorer in test_por.py)."""
    reduced = explore(load_protocol(str(MODELS / "majority.py"), 4), por=True)
    assert reduced.partial_order
    assert len(reduced) < len(majority4.order) and reduced.num_events < majority4.events


def test_unbounded_paxos_within_six_events_has_the_references_size():
    """The 9,184 configurations and 18,112 events within 6 events (test_models_paxos)."""
    space = explore(load_protocol(str(MODELS / "paxos_unbounded.py")), max_depth=6)
    ref = reference_explore(load_protocol(str(MODELS / "paxos_unbounded.py")), max_depth=6)
    assert (len(space), space.num_events) == (len(ref.order), ref.events) == (9184, 18112)
    assert sum(1 for c in range(len(ref.order)) if c not in ref.expanded) == \
        int(space.cut.sum())


@pytest.mark.slow
def test_paxos_with_p0_retrying_once_has_the_references_size():
    """``max_ballots = (2, 1, 1)``: 76,844 configurations and 440,884 events (about a minute
    in the reference)."""
    base = load_protocol_class(str(MODELS / "paxos.py") + ":Paxos")

    class PaxosP0Retries(base):  # type: ignore[valid-type, misc]
        max_ballots = (2, 1, 1)

    space = explore(PaxosP0Retries())
    ref = reference_explore(PaxosP0Retries())
    assert (len(space), space.num_events) == (len(ref.order), ref.events) == (76844, 440884)
