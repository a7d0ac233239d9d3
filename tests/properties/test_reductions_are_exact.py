"""Symmetry reduction and partial-order reduction against the full graph on random
protocols: the same counts, valences and verdicts (symmetry), the same safety verdicts and
valences (partial-order reduction)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flpcheck import explore
from flpcheck.analysis.properties import check_safety
from flpcheck.model.semantics import replay

from ..helpers import assert_reduction_exact, ids_in, summary
from ..strategies import symmetric_protocols, table_protocols


@given(symmetric_protocols(), st.sampled_from([1, 2, 3]))
def test_reduction_is_exact_on_random_symmetric_protocols(protocol, max_buffer):
    full = explore(protocol, max_buffer=max_buffer)
    reduced = explore(protocol, max_buffer=max_buffer, symmetry=True)
    assert summary(reduced) == summary(full)



@given(table_protocols(), st.sampled_from([1, 2, 3]))
def test_reduction_is_exact_on_random_protocols(protocol, max_buffer):
    """Against the full graph (same bound) whenever both are complete; otherwise the reduced
    graph only holds real configurations and real violations."""
    full = explore(protocol, max_buffer=max_buffer)
    reduced = explore(protocol, max_buffer=max_buffer, por=True)
    if full.complete and reduced.complete:
        assert_reduction_exact(full, reduced)
        return
    assert (ids_in(reduced, full) >= 0).all()
    for r_full, r_red in zip(check_safety(full), check_safety(reduced), strict=True):
        if not r_red.holds and r_red.certain:
            assert not r_full.holds
            if r_red.schedule is not None:
                replay(protocol, r_red.schedule.inputs, list(r_red.schedule.events))

