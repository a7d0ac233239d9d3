"""The batch explorer and the simple explorer build the same space: same ids, same edges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flpcheck import explore
from flpcheck.loader import load_protocol, protocol_classes

from .conftest import FIXTURES, MODELS
from .test_explorer import table_protocols

FIELDS = ("rows", "indptr", "edge_dst", "edge_event", "depth", "parent_edge", "decided",
          "expanded")


def assert_same(a, b):
    for name in FIELDS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.initial == b.initial
    # where max-configs cuts inside a block, the batch engine has already computed (and
    # interned the buffers of) moves it then does not apply: its buffer table may be longer
    assert b.buffers[: len(a.buffers)] == a.buffers
    assert int(b.rows[:, -1].max(initial=0)) < len(a.buffers)
    assert a.cut_reasons == b.cut_reasons
    assert a.decision_change_edge == b.decision_change_edge


def model_specs() -> list[str]:
    """Every asynchronous model class in models/, as file.py:Class."""
    specs = []
    for path in sorted(MODELS.glob("*.py")):
        if path.stem != "floodset":
            specs += [f"{path}:{name}" for name in protocol_classes(path)]
    return specs


@pytest.mark.parametrize("spec", model_specs(), ids=lambda s: s.rpartition("/")[2])
def test_both_engines_build_the_same_space_for_every_model(spec):
    bounds = {"max_configs": 20000}
    assert_same(explore(load_protocol(spec), engine="simple", **bounds),
                explore(load_protocol(spec), engine="batch", **bounds))


@pytest.mark.parametrize("bounds", [{"max_configs": 777}, {"max_depth": 4}, {"max_buffer": 2},
                                    {"max_configs": 1500, "max_buffer": 3}])
def test_both_engines_cut_at_the_same_place(bounds):
    path = str(MODELS / "majority.py")
    assert_same(explore(load_protocol(path, 3), engine="simple", **bounds),
                explore(load_protocol(path, 3), engine="batch", **bounds))


def test_both_engines_find_the_same_decision_change():
    path = str(FIXTURES / "bad" / "decision_changes.py")
    a = explore(load_protocol(path), engine="simple")
    b = explore(load_protocol(path), engine="batch")
    assert a.decision_change_edge is not None
    assert_same(a, b)


@given(table_protocols(), st.sampled_from([0, 1, 2, 3]), st.sampled_from([None, 5, 40]))
def test_both_engines_agree_on_random_protocols(protocol, max_buffer, max_configs):
    assert_same(explore(protocol, max_buffer=max_buffer, max_configs=max_configs, engine="simple"),
                explore(protocol, max_buffer=max_buffer, max_configs=max_configs, engine="batch"))
