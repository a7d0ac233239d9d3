"""Symmetry reduction keeps counts, valence counts and safety verdicts exact."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flpcheck import explore
from flpcheck.analysis import verdict
from flpcheck.cli import main
from flpcheck.errors import InvalidProtocol, UsageError
from flpcheck.model.loader import load_protocol, load_protocol_class

from ..helpers import summary
from ..paths import MODELS

SYMMETRIC = [("majority", 3), ("majority", 4), ("wait_for_all", 3), ("decide_own_input", 3),
             ("always_zero", 3), ("flip_flop", 2)]


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


