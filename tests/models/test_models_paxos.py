"""Single-decree Paxos (Lamport 2001): bounded, unbounded, and with the classic bugs."""

from __future__ import annotations

import pytest

from flpcheck import Event, classify_valence, explore
from flpcheck.analysis import verdict
from flpcheck.analysis.lasso import check_run
from flpcheck.analysis.properties import check_safety
from flpcheck.analysis.stages import check_staged_run, staged_adversary
from flpcheck.model.loader import load_protocol, load_protocol_class
from flpcheck.model.semantics import replay

from ..paths import MODELS
from ..reference import reference_explore

PAXOS = str(MODELS / "paxos.py")
BUGGY = str(MODELS / "paxos_buggy.py")
UNBOUNDED = str(MODELS / "paxos_unbounded.py")


def paxos(name: str = "Paxos"):
    return load_protocol(f"{PAXOS}:{name}")


def null(p: int) -> Event:
    return Event(p, None)


def outputs(steps) -> tuple[int | None, ...]:
    return tuple(s.y for s in steps[-1].config.states)


# The hand-worked run: from I(011), p0's ballot 0 (addressed to {p0, p1}) chooses 0 in five
# events; then p1's ballot 1 (addressed to {p1, p2}) hears from its own acceptor that (0, 0) was
# accepted, proposes 0 rather than its input 1, and decides 0 too.
BALLOT_0_CHOOSES_0 = [
    null(0),  # p0 starts ballot 0 and promises it itself
    Event(1, ("prepare", 0)),  # p1 promises, reporting nothing
    Event(0, ("promise", 0, -1, None)),  # a majority promised: p0 proposes 0, accepts it
    Event(1, ("accept", 0, 0)),  # p1 accepts (0, 0): 0 is chosen
    Event(0, ("accepted", 0, 0)),  # p0 learns it, decides 0, sends decide(0) to p1, p2
]
BALLOT_1_ADOPTS_0 = [
    null(1),  # p1 starts ballot 1; its own promise reports (0, 0)
    Event(2, ("prepare", 1)),
    Event(1, ("promise", 1, -1, None)),  # majority: the highest report is (0, 0): propose 0
    Event(2, ("accept", 1, 0)),
    Event(1, ("accepted", 1, 0)),  # p1 decides 0
]


# -- bounded Paxos: sizes ------------------------------------------------------------------------


def test_paxos_with_one_ballot_per_process_has_11336_configurations_as_the_reference_finds():
    """Pinned from the explorer after the hand-worked runs below replayed as expected, and
    confirmed by the plain reference explorer (no interning, no memoizing): 11,336
    configurations and 58,012 events over the 8 input vectors."""
    space = explore(paxos())
    ref = reference_explore(space.protocol)
    assert space.complete
    assert (len(space), space.num_events) == (len(ref.order), ref.events) == (11336, 58012)


def test_the_ballot_bound_may_be_given_per_process():
    """``max_ballots = (2, 1, 1)``: p0 may retry once; 76,844 configurations."""
    base = load_protocol_class(f"{PAXOS}:Paxos")

    class PaxosP0Retries(base):
        max_ballots = (2, 1, 1)

    space = explore(PaxosP0Retries())
    assert (len(space), space.num_events) == (76844, 440884)
    assert all(p.holds and p.certain for p in check_safety(space))


@pytest.mark.slow
def test_paxos_with_two_ballots_per_process_has_about_five_million_configurations():
    """About 30 seconds and 0.6 GB: agreement holds in all of them."""
    space = explore(paxos("Paxos2"))
    assert (len(space), space.num_events) == (4958548, 35387134)
    assert all(p.holds and p.certain for p in check_safety(space))
    assert classify_valence(space).counts()["none"] == 0


def test_three_ballots_per_process_is_explored_only_up_to_a_bound():
    """Paxos3 is far too large to explore; a bounded exploration says it was cut."""
    space = explore(paxos("Paxos3"), max_configs=5000)
    assert not space.complete and space.cut_reasons == ["max-configs"]
    agreement = check_safety(space)[0]
    assert agreement.holds and not agreement.certain


# -- bounded Paxos: hand-worked runs -------------------------------------------------------------


def test_a_chosen_value_is_adopted_by_the_next_ballot():
    """Replayed with the plain FLP semantics: after ballot 0 chooses 0, p1's ballot 1 proposes
    0 (reported by p1's own acceptor) although p1's input is 1; p2 decides 0 on decide(0)."""
    protocol = paxos()
    steps = replay(protocol, (0, 1, 1), BALLOT_0_CHOOSES_0)
    assert outputs(steps) == (0, None, None)
    assert steps[-1].sends == ((1, ("decide", 0)), (2, ("decide", 0)))
    steps = replay(protocol, (0, 1, 1), BALLOT_0_CHOOSES_0 + BALLOT_1_ADOPTS_0)
    assert steps[7].sends == ((2, ("accept", 1, 0)),)
    assert outputs(steps) == (0, 0, None)
    steps = replay(protocol, (0, 1, 1), BALLOT_0_CHOOSES_0 + [Event(2, ("decide", 0))])
    assert outputs(steps) == (0, None, 0)


def test_an_acceptor_turns_down_a_ballot_lower_than_its_promise():
    """From I(011): p0's ballot 0 gets p1's promise, but p1 starts ballot 1 before p0's accept
    request arrives and turns it down; p1's ballot 1 then chooses p1's input 1 (only p0 had
    accepted 0, a minority), and p1 decides 1 after 9 events."""
    protocol = paxos()
    schedule = [
        null(0),
        Event(1, ("prepare", 0)),
        null(1),  # p1 promises ballot 1 to itself
        Event(0, ("promise", 0, -1, None)),  # p0 proposes 0, accepts it itself
        Event(1, ("accept", 0, 0)),  # turned down: p1 promised 1
        Event(2, ("prepare", 1)),
        Event(1, ("promise", 1, -1, None)),  # no acceptor in {p1, p2} reports: propose 1
        Event(2, ("accept", 1, 1)),
        Event(1, ("accepted", 1, 1)),
    ]
    steps = replay(protocol, (0, 1, 1), schedule)
    turned_down = steps[4]
    assert turned_down.sends == () and turned_down.config.states == steps[3].config.states
    assert steps[3].config.states[0].aval == 0  # p0 accepted 0 alone
    assert outputs(steps) == (None, 1, None)


# -- bounded Paxos: the verdict ------------------------------------------------------------------


def test_paxos_is_safe_with_every_mixed_input_bivalent_and_nothing_none_valent():
    """Agreement, validity and non-triviality hold for certain; I(000) and I(111) are
    univalent, the 6 initial configurations with mixed inputs bivalent."""
    space = explore(paxos())
    assert [(p.name, p.holds, p.certain) for p in check_safety(space)] == [
        ("agreement", True, True), ("validity", True, True), ("nontriviality", True, True)]
    valence = classify_valence(space)
    assert valence.counts() == {"bivalent": 132, "0-valent": 5602, "1-valent": 5602, "none": 0}
    assert valence.initial_counts() == {"0-valent": 1, "1-valent": 1, "bivalent": 6}


def test_bounded_paxos_is_not_crash_tolerant_because_the_ballots_run_out():
    """With p2 dead from the start, p1's only ballot is addressed to {p1, p2} and never
    completes, and p1, having promised ballot 1, turns down p0's ballot 0: nobody decides."""
    space = explore(paxos())
    v = verdict(space, crashes=1)
    assert v.verdict == "not-crash-tolerant" and v.run.crashed == frozenset({2})
    check_run(space.protocol, v.run, crashes=1)


def test_without_crashes_bounded_paxos_has_no_forever_bivalent_run():
    """The highest ballot (p2's) cannot be pre-empted: every fair crash-free run decides."""
    assert verdict(explore(paxos()), crashes=0).verdict == "none-found"


# -- the classic bugs ----------------------------------------------------------------------------

# The shortest violation of PaxosNoReport and PaxosIgnoreReports, from I(001): ballot 0 of p0
# chooses 0 on {p0, p1}; ballot 2 of p2 runs on {p2, p0} and proposes p2's input 1, though
# p0 accepted (0, 0). The only difference: what p0's promise to ballot 2 reports.
def _two_ballots(report: tuple[int, int | None]) -> list[Event]:
    return BALLOT_0_CHOOSES_0 + [
        null(2),
        Event(0, ("prepare", 2)),
        Event(2, ("promise", 2, *report)),
        Event(0, ("accept", 2, 1)),
        Event(2, ("accepted", 2, 1)),
    ]


SHORTEST_VIOLATION = {
    "PaxosNoReport": _two_ballots((-1, None)),
    "PaxosIgnoreReports": _two_ballots((0, 0)),
    "PaxosBrokenPromise": [
        null(0),
        Event(1, ("prepare", 0)),
        null(2),
        Event(0, ("prepare", 2)),  # p0 promises ballot 2 ...
        Event(0, ("promise", 0, -1, None)),  # ... then accepts its own (0, 0) anyway
        Event(1, ("accept", 0, 0)),
        Event(0, ("accepted", 0, 0)),  # p0 decides 0
        Event(2, ("promise", 2, -1, None)),
        Event(0, ("accept", 2, 1)),
        Event(2, ("accepted", 2, 1)),  # p2 decides 1
    ],
    "PaxosQuorumOfOne": [null(0), null(2)],
}


@pytest.mark.parametrize("name", sorted(SHORTEST_VIOLATION))
def test_each_classic_bug_violates_agreement_by_the_shortest_run_worked_out_by_hand(name):
    """The explorer's shortest violation is the run in the class docstring (10 events: two
    ballots of 5 events each run to the end; 2 for the quorum of one, which decides in one
    step); it replays to outputs 0 and 1, while correct Paxos turns the same run aside."""
    protocol = load_protocol(f"{BUGGY}:{name}")
    agreement, validity, nontriviality = check_safety(explore(protocol))
    assert not agreement.holds and agreement.certain
    assert validity.holds and nontriviality.holds
    expected = SHORTEST_VIOLATION[name]
    assert agreement.schedule.inputs == (0, 0, 1)
    assert list(agreement.schedule.events) == expected
    assert outputs(replay(protocol, (0, 0, 1), expected)) == (0, None, 1)
    correct = paxos()
    if name == "PaxosQuorumOfOne":
        assert outputs(replay(correct, (0, 0, 1), expected)) == (None, None, None)
    elif name == "PaxosBrokenPromise":
        assert replay(correct, (0, 0, 1), expected[:5])[-1].config.states[0].abal == -1
    else:
        steps = replay(correct, (0, 0, 1), expected[:7])
        assert steps[-1].sends == ((2, ("promise", 2, 0, 0)),)


def test_the_buggy_variants_are_picked_by_class_name():
    assert {type(load_protocol(f"{BUGGY}:{n}")).__name__ for n in SHORTEST_VIOLATION} == set(
        SHORTEST_VIOLATION)


# -- unbounded Paxos -----------------------------------------------------------------------------


def test_unbounded_paxos_explored_to_a_depth_is_marked_incomplete():
    """Nothing is violated in the 9,184 configurations within 6 events, but agreement only
    "holds so far"; non-triviality is certain (both values are decided)."""
    space = explore(load_protocol(UNBOUNDED), max_depth=6)
    assert (len(space), space.num_events) == (9184, 18112)
    assert not space.complete and space.cut_reasons == ["max-depth"]
    agreement, validity, nontriviality = check_safety(space)
    assert agreement.holds and not agreement.certain
    assert validity.holds and not validity.certain
    assert nontriviality.holds and nontriviality.certain


def test_unbounded_paxos_lets_a_process_start_ballot_after_ballot():
    """p0 starts ballots 0, 3, 6, ... on successive null steps until it decides."""
    steps = replay(load_protocol(UNBOUNDED), (0, 1, 1), [null(0)] * 4)
    assert [s.sends for s in steps] == [
        ((1, ("prepare", 0)),), ((2, ("prepare", 3)),), ((1, ("prepare", 6)),),
        ((2, ("prepare", 9)),)]


def test_the_adversary_keeps_unbounded_paxos_bivalent_by_dueling_proposers():
    """The first 5 stages on demand, each end certified bivalent: p0 starts ballot 0, p1
    promises, p2 takes a null step (and starts ballot 2), p0 gathers its majority; then at
    stage 4 the adversary has p1 start ballot 1 (sigma, a null step) before p1 receives p0's
    accept(0, 1), which p1 therefore turns down."""
    protocol = load_protocol(UNBOUNDED)
    run = staged_adversary(protocol, 5, cert_configs=3000)
    assert not run.failure and run.inputs == (1, 0, 0)
    assert [(s.process, s.event, s.sigma) for s in run.stages] == [
        (0, null(0), ()),
        (1, Event(1, ("prepare", 0)), ()),
        (2, null(2), ()),
        (0, Event(0, ("promise", 0, -1, None)), ()),
        (1, Event(1, ("accept", 0, 1)), (null(1),)),
    ]
    check_staged_run(protocol, run)
