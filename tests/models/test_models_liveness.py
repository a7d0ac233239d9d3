"""Liveness after GST on the model library: each expectation worked out by hand (the reason is
in the test's docstring), numbers cross-checked against the plain reference of
tests/reference_gst.py where it reaches, and every run the answer holds replayed again here
by the independent checker."""

from __future__ import annotations

import pytest

from flpcheck import explore
from flpcheck.analysis.gst import GSTRules
from flpcheck.analysis.gst_runs import check_gst_run, non_stuttering
from flpcheck.analysis.liveness import Liveness, check_liveness
from flpcheck.analysis.post_gst import PostBounds
from flpcheck.model.loader import load_protocol
from flpcheck.model.suspicion import suspected_by

from ..paths import MODELS
from ..reference_gst import reference_gst


def _check(model: str, crashes: int = 1, gst_by: int | None = None, *, inputs=None,
           bounds: PostBounds | None = None, **rules) -> Liveness:
    protocol = load_protocol(str(MODELS / model))
    space = explore(protocol, inputs, max_depth=gst_by)
    result = check_liveness(space, crashes, GSTRules(**rules), "some", gst_by, bounds)
    for run in (result.run, result.worst, result.stages):  # replayed again, independently
        if run is not None:
            configs = check_gst_run(protocol, run, GSTRules(**rules, trusted=run.trusted)
                                    if rules.get("detector") else GSTRules(**rules), crashes)
            if run.kind == "decides":
                assert non_stuttering(configs, run.gst_at, len(configs) - 1) == result.worst_steps
    return result


def test_majority_of_n_minus_1_holds_with_one_crash_worst_case_5():
    """Majority (N=3) decides on the first 2 votes a process hears. After GST a null step is
    allowed only when nothing is in transit, so at most one timeout counts (the first
    broadcast; a second one needs every message delivered, and by then someone has heard two
    votes). Each process can hear one vote without deciding (3 receives); the next receive
    decides: 1 + 3 + 1 = 5. A crash only removes receivers. The worst run starts at I(000)."""
    result = _check("majority.py")
    assert result.holds is True and result.worst_steps == 5
    assert result.worst is not None and result.worst.gst_at == 0
    assert reference_gst(load_protocol(str(MODELS / "majority.py")), 1) == (True, 5)
    assert result.contrast is not None and result.contrast.exists is False


def test_wait_for_all_fails_with_one_crash():
    """Every process waits for all N votes: a process dead from the start never sends its vote,
    so after GST the others broadcast, hear 2 votes each, and time out forever (their null
    steps change nothing). The run: p0 crashed at GST, GST at an initial configuration."""
    result = _check("wait_for_all.py")
    assert result.holds is False and result.run is not None
    assert result.run.kind == "cycle" and result.run.crashed == {0}
    assert result.run.gst_at == 0 and dict(result.run.crash_at) == {0: 0}


def test_wait_for_all_holds_without_crash_worst_case_8():
    """Without crashes: one timeout (the first broadcast: afterwards something is in transit
    until a decision), each process hears at most 2 of the 3 votes without deciding (6
    receives), the next receive decides: 1 + 6 + 1 = 8."""
    result = _check("wait_for_all.py", crashes=0)
    assert result.holds is True and result.worst_steps == 8
    assert reference_gst(load_protocol(str(MODELS / "wait_for_all.py")), 0) == (True, 8)


def test_paxos_with_a_stable_leader_and_one_crash_fails_the_crash_burns_the_only_ballot():
    """Bounded Paxos, one ballot per process, leader p0: p0's only ballot (0) is addressed to
    {p0, p1}. With p1 crashed it never gathers a majority; after GST only p0 times out, its
    ballots are used up, so its null steps change nothing: nobody decides. The run: p1 crashed
    at GST (an initial configuration), p0 times out once, then stutters forever."""
    result = _check("paxos.py:Paxos", leader=0)
    run = result.run
    assert result.holds is False and run is not None and run.crashed == {1}
    assert run.gst_at == 0 and [str(e) for e in run.stem] == ["p0 receives null"]
    assert [str(e) for e in run.cycle] == ["p0 receives null"]
    assert result.run_annotated[-1].stutter


def test_paxos_with_a_stable_leader_and_no_crash_holds():
    """Without crashes the leader's ballot 0 goes to {p0, p1}. It fails only if p1 promised
    a higher ballot, its own (1, to {p1, p2}) started before GST; that ballot fails only if p2
    promised its own ballot 2 (to {p2, p0}), which nothing can beat at p0 (p0 sees no
    prepare above 2): so some ballot started before GST or the leader's own succeeds."""
    result = _check("paxos.py:Paxos", crashes=0, leader=0)
    assert result.holds is True and result.worst_steps is not None


def test_paxos_without_a_leader_and_one_crash_fails():
    """Without a leader, as the witness shows: p0 crashed, p2's only ballot goes to {p2, p0}
    and stalls, p1's goes to {p1, p2} and p2, having promised 2, turns it down. The ballots
    are used up: the null steps change nothing."""
    result = _check("paxos.py:Paxos")
    assert result.holds is False and result.run is not None and result.run.crashed == {0}


@pytest.mark.parametrize("crashes, leader, worst", [(0, None, 8), (1, None, 21), (1, 0, 15)])
def test_unbounded_paxos_holds_after_gst_by_2(crashes, leader, worst):
    """Unbounded Paxos, GST within 2 events, quiet timeouts. Once a live process starts a
    ballot higher than every promise and addressed to live acceptors, no timeout can
    interrupt it (nothing else happens until its messages are delivered), and it decides. Each
    timeout starts a higher ballot and the acceptors rotate, so that happens within a bounded
    number of timeouts: liveness holds, with or without a leader, with a crash (the worst case
    then includes a crash after GST). The worst cases are cross-checked with the reference."""
    result = _check("paxos_unbounded.py", crashes, gst_by=2, leader=leader)
    assert result.holds is True and result.worst_steps == worst
    assert reference_gst(load_protocol(str(MODELS / "paxos_unbounded.py")), crashes,
                         leader=leader, gst_by=2) == (True, worst)


def test_unbounded_paxos_with_local_timeouts_is_not_established_and_shows_self_preemption():
    """With --timeouts local the leader p0 may time out while its own accept is in transit to
    another process: its next ballot pre-empts the one about to succeed, forever. Each period
    repeats with every ballot higher, so the graph after GST is infinite and has no lasso:
    liveness is not established (the bound cut it), and the fair stages shown contain that
    timeout: a null step of p0 while an accept of p0's current ballot is in transit."""
    result = _check("paxos_unbounded.py", 1, gst_by=2, timeouts="local", leader=0,
                    bounds=PostBounds(max_configs=30_000))
    assert result.holds is None and "max-post-configs" in result.cut_reasons
    stages = result.stages
    assert stages is not None and len(stages.stage_ends) >= 3
    protocol = load_protocol(str(MODELS / "paxos_unbounded.py"))
    configs = check_gst_run(protocol, stages, GSTRules("local", 0), 1)
    preempting = [i for i, e in enumerate(stages.stem) if i >= stages.gst_at and e.pid == 0
                  and e.msg is None and any(
                      m[0] == "accept" and m[1] == protocol.ballot(0, configs[i].states[0])
                      for _, m in configs[i].buffer)]
    assert preempting, "the leader times out while its own accept is in transit"


def test_chandra_toueg_holds_with_the_detector_after_one_event():
    """3 rounds, one per coordinator. Within 1 event no process has passed a round (leaving
    round 0 takes a start and a suspicion), so after the detector stabilizes the trusted
    process ℓ's round is still ahead of everyone: everybody waits for ℓ's proposal (no null
    step may suspect ℓ), ℓ hears a majority of estimates, everybody adopts and acknowledges,
    ℓ decides. One crash (f = 1 < 3/2) leaves a majority."""
    for crashes in (0, 1):
        result = _check("chandra_toueg.py:ChandraToueg", crashes, gst_by=1, detector=True)
        assert result.holds is True and result.worst_steps is not None


@pytest.mark.slow
def test_chandra_toueg_worst_case_agrees_with_the_reference():
    """The worst case from I(011) with GST at the start, against the plain reference (slow)."""
    protocol = load_protocol(str(MODELS / "chandra_toueg.py:ChandraToueg"))
    result = _check("chandra_toueg.py:ChandraToueg", 0, gst_by=0, inputs=[(0, 1, 1)],
                    detector=True)
    assert (result.holds, result.worst_steps) == reference_gst(
        protocol, 0, detector=True, gst_by=0, inputs=[(0, 1, 1)])


def test_chandra_toueg_with_two_rounds_fails_when_the_trusted_process_coordinates_none():
    """With 2 rounds p2 coordinates none: with p2 trusted, the others may suspect p0 and p1
    (correct processes, but not the trusted one), the rounds run out and nobody decides,
    although GST is at the start."""
    result = _check("chandra_toueg.py:ChandraToueg2", 0, gst_by=0, detector=True)
    assert result.holds is False and result.run is not None and result.run.trusted == 2


def test_chandra_toueg_without_a_bound_on_gst_fails_false_suspicions_use_up_the_rounds():
    """GST anywhere: before the detector stabilizes every process may falsely suspect every
    coordinator, so the bounded rounds run out (the bound, not the algorithm). Without GST the
    non-deciding run exists too, and every suspicion in it is false (nobody crashes)."""
    result = _check("chandra_toueg.py:ChandraToueg2", 0, detector=True)
    assert result.holds is False
    contrast = result.contrast
    assert contrast is not None and contrast.exists and contrast.run is not None
    protocol = load_protocol(str(MODELS / "chandra_toueg.py:ChandraToueg2"))
    labels = [lab for lab in result.contrast_labels if lab.startswith("suspects")]
    assert labels and all("false suspicion" in lab for lab in labels)
    assert not contrast.run.crashed
    assert suspected_by(protocol, 1, protocol.init(1, 0)) == frozenset()  # not started yet
