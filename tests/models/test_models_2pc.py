"""Two-phase commit (Gray 1978): safe, univalent from the start, and blocked by one crash."""

from __future__ import annotations

import pytest

from flpcheck import Event, classify_valence, explore
from flpcheck.analysis import verdict
from flpcheck.analysis.lasso import check_run
from flpcheck.analysis.properties import check_safety
from flpcheck.model.loader import load_protocol
from flpcheck.model.semantics import replay

from ..paths import MODELS
from ..reference import reference_explore

MODEL = str(MODELS / "two_phase_commit.py")


def two_pc(n: int):
    return load_protocol(MODEL, n)


@pytest.mark.parametrize(
    ("inputs", "configs", "events"),
    [((1, 1), 4, 10), ((1, 0), 4, 10), ((0, 1), 8, 22), ((0, 0), 8, 22)],
)
def test_two_phase_commit_with_two_processes_has_the_configurations_counted_by_hand(
    inputs, configs, events
):
    """N = 2, coordinator p0 and participant p1; every configuration has 2 null steps plus
    one event per distinct message in transit.

    p0 votes yes (inputs 1x): p0's null steps do nothing, so the run is a line: p1 votes
    (and aborts at once if it votes no), p0 receives the vote and decides, p1 receives the
    outcome. 4 configurations holding 0, 1, 1, 0 messages: 2 + 3 + 3 + 2 = 10 events.

    p0 votes no (inputs 0x): p0's first step of any kind aborts and sends abort to p1, and
    p1's first null step sends its vote unless p1 already knows the outcome. Write a for
    p0's abort and v for p1's vote: (1) {} initial; (2) p0 aborted, {a}; (3) p1 voted, {v};
    (4) both, {a, v}; (5) p1 received a before voting: no vote ever, {}; (6) p0 received v
    (aborting), {a}; (7) p1 received a after voting, {v}; (8) all received, {}. Messages in
    transit: 0, 1, 1, 2, 0, 1, 1, 0, so 8 * 2 + 6 = 22 events. Each state holds its input,
    so no configuration is shared between input vectors: 24 configurations, 64 events.
    """
    space = explore(two_pc(2), inputs=[inputs])
    assert (len(space), space.num_events) == (configs, events)


def test_two_phase_commit_sizes_agree_with_the_reference_explorer():
    """N = 2: 24 and 64 (the sum above); N = 3: 227 configurations, of which the 11 from
    I(111) are counted by hand: before the commit each participant has voted or not and
    the coordinator has received k < 2 of the votes sent (votes are anonymous): 1 + 2*2 + 2
    = 7; after it, each participant's commit is in transit or received: 4."""
    for n, configs, events in ((2, 24, 64), (3, 227, 992)):
        space = explore(two_pc(n))
        ref = reference_explore(space.protocol)
        assert (len(space), space.num_events) == (len(ref.order), ref.events) == (configs, events)
    assert len(explore(two_pc(3), inputs=[(1, 1, 1)])) == 11


@pytest.mark.parametrize("n", [2, 3, 4])
def test_two_phase_commit_is_safe_and_every_configuration_is_univalent(n):
    """The votes fix the outcome: only I(1...1) is 1-valent, no configuration is bivalent."""
    space = explore(two_pc(n))
    assert all(p.holds and p.certain for p in check_safety(space))
    valence = classify_valence(space)
    assert valence.counts()["bivalent"] == valence.counts()["none"] == 0
    assert valence.initial_counts() == {"0-valent": 2**n - 1, "1-valent": 1}


def test_all_yes_commits_and_one_no_aborts():
    protocol = two_pc(3)
    steps = replay(protocol, (1, 1, 1), [Event(1), Event(2), Event(0, ("vote", 1)),
                                         Event(0, ("vote", 1))])
    assert steps[-1].sends == ((1, "commit"), (2, "commit"))
    assert protocol.output(0, steps[-1].config.states[0]) == 1
    steps = replay(protocol, (1, 1, 0), [Event(2), Event(0, ("vote", 0))])
    assert [protocol.output(p, s) for p, s in enumerate(steps[-1].config.states)] == [0, None, 0]


def test_two_phase_commit_blocks_when_the_coordinator_crashes():
    """Not 1-crash tolerant: with p0 dead from the start, p1 (input 1) votes yes and waits
    for the outcome forever: Gray's blocking."""
    space = explore(two_pc(2))
    v = verdict(space, crashes=1)
    assert v.verdict == "not-crash-tolerant"
    assert v.run.crashed == frozenset({0}) and v.run.inputs == (0, 1)
    assert v.run.stem == (Event(1),) and v.run.cycle == (Event(1),)
    check_run(space.protocol, v.run, crashes=1)


def test_without_crashes_two_phase_commit_always_decides():
    assert verdict(explore(two_pc(3)), crashes=0).verdict == "none-found"
