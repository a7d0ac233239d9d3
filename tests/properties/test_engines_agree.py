"""The batch engine and the simple engine (the oracle) build the same space on random
protocols, bounds included: the batch engine as it runs by default (one configuration at a
time while the frontier is thin, then numpy blocks), with numpy blocks only, and handing over
at widths 1 and 3; on protocols with steps left to chance too."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flpcheck import explore
from flpcheck.explorer.batch import BatchEngine
from flpcheck.explorer.simple import SimpleEngine

from ..helpers import assert_same
from ..strategies import chance_protocols, table_protocols


@given(table_protocols(), st.sampled_from([0, 1, 2, 3]), st.sampled_from([None, 5, 40]),
       st.sampled_from([None, 2, 4]), st.sampled_from([64, 0, 1, 3]))
def test_both_engines_agree_on_random_protocols(protocol, max_buffer, max_configs, max_depth,
                                                thin_width):
    bounds = {"max_buffer": max_buffer, "max_configs": max_configs, "max_depth": max_depth}
    assert_same(explore(protocol, engine=SimpleEngine(), **bounds),
                explore(protocol, engine=BatchEngine(thin_width=thin_width), **bounds))


@given(chance_protocols(), st.sampled_from([0, 1, 2, 3]), st.sampled_from([None, 5, 40]),
       st.sampled_from([None, 2, 4]), st.sampled_from([64, 0, 1, 3]))
def test_both_engines_agree_on_random_protocols_with_chance(protocol, max_buffer, max_configs,
                                                            max_depth, thin_width):
    """Steps left to chance: the same edges, outcomes and probabilities, wherever the batch
    engine hands over from one configuration at a time to numpy blocks."""
    bounds = {"max_buffer": max_buffer, "max_configs": max_configs, "max_depth": max_depth}
    assert_same(explore(protocol, engine=SimpleEngine(), **bounds),
                explore(protocol, engine=BatchEngine(thin_width=thin_width), **bounds))
