"""Replaying a schedule against the explored space (analysis/explain.py)."""

from flpcheck import explore
from flpcheck.analysis.explain import show_schedule
from flpcheck.analysis.properties import check_agreement
from flpcheck.model.loader import load_protocol

from ..paths import MODELS


def test_a_replayed_schedule_is_matched_without_a_row_index():
    """Majority N = 3 violates agreement; its shortest violating schedule, replayed with the
    protocol's own code, is matched step by step among the successors of the configuration
    before (each step's configuration is one of them), so no row index over the whole space
    is built (on 10^7 configurations it took seconds). The ids found are the schedule's own:
    each is a successor of the one before by that step's event."""
    space = explore(load_protocol(str(MODELS / "majority.py"), 3))
    result = check_agreement(space)
    assert result.holds is False and result.schedule is not None
    shown = show_schedule(space, result.schedule)
    assert space._row_index is None
    assert len(shown.steps) == len(result.schedule.events) > 0
    cid = space.initial_id(tuple(result.schedule.inputs))
    for step in shown.steps:
        nexts = [d for e, d in space.successors(cid) if e == step.event]
        assert len(nexts) == 1 and space.find(step.config) == nexts[0]
        cid = nexts[0]
