"""One interface for both kinds of explored graph (flpcheck.explorer.space.Space): the whole
graph in this process, and the graph left on the partition engine's workers."""

from __future__ import annotations

import inspect

from flpcheck import explore
from flpcheck.explorer.partition.engine import PartitionEngine
from flpcheck.explorer.partition.space import PartitionedSpace
from flpcheck.explorer.space import Space
from flpcheck.explorer.statespace import StateSpace
from flpcheck.model.loader import load_protocol

from ..paths import MODELS
from ..reference import reference_explore


def _members() -> set[str]:
    names = set(Space.__annotations__)
    names |= {n for n, _ in inspect.getmembers(Space) if not n.startswith("_")}
    return names | {"__len__"}


def test_both_spaces_have_every_member_of_the_interface():
    protocol = load_protocol(str(MODELS / "flip_flop.py"))
    whole = explore(protocol)
    left = explore(load_protocol(str(MODELS / "flip_flop.py")),
                   engine=PartitionEngine(2, gather_up_to=0))
    assert isinstance(whole, StateSpace) and isinstance(left, PartitionedSpace)
    assert len(_members()) > 30  # the interface is read, not empty
    for space in (whole, left):
        missing = sorted(n for n in _members() if not hasattr(space, n))
        assert missing == [], type(space).__name__
    assert (whole.on_partitions, left.on_partitions) == (False, True)
    assert whole.gather() is whole


def test_gathering_is_explicit_and_gives_the_same_graph():
    """The graph of FlipFlop left on two partitions has the plain reference explorer's counts
    (tests/reference.py), and gathers to the same counts with the same configuration behind
    every id."""
    protocol = load_protocol(str(MODELS / "flip_flop.py"))
    ref = reference_explore(protocol)
    left = explore(protocol, engine=PartitionEngine(2, gather_up_to=0))
    assert (len(left), left.num_events) == (len(ref.order), ref.events)
    full = left.gather()
    assert isinstance(full, StateSpace)
    assert (len(full), full.num_events) == (len(ref.order), ref.events)
    assert all(full.configuration(c) == left.configuration(c) for c in range(len(full)))
