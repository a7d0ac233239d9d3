"""The flip-flop model: partially correct, blocked by one crash, forever bivalent without one."""

from __future__ import annotations

from flpcheck import Event, classify_valence, explore
from flpcheck.analysis import adversary_run, nondeciding_run, verdict
from flpcheck.analysis.lasso import check_run
from flpcheck.analysis.properties import check_safety
from flpcheck.model.loader import load_protocol

from ..paths import MODELS
from ..reference import reference_explore


def space():
    return explore(load_protocol(str(MODELS / "flip_flop.py")))


def test_flip_flop_is_partially_correct_with_no_none_valent_configuration():
    """56 configurations and 180 events, the same as the plain reference explorer finds."""
    s = space()
    ref = reference_explore(s.protocol)
    assert (len(s), s.num_events) == (len(ref.order), ref.events) == (56, 180)
    assert all(p.holds and p.certain for p in check_safety(s))
    assert classify_valence(s).counts()["none"] == 0


def test_flip_flop_is_not_crash_tolerant_with_the_crash_budget_of_flp():
    """With p0 dead from the start p1 sends its preference and then only takes null steps."""
    v = verdict(space(), crashes=1)
    assert v.verdict == "not-crash-tolerant" and v.run.crashed == frozenset({0})


def test_without_crashes_the_adversary_keeps_the_flip_flop_bivalent_forever():
    """From I(01): p0 sends 0, p1 sends 1, p1 receives 0 and adopts it; then the swap cycle
    p0 receives 1, p1 receives 1, p0 receives 0, p1 receives 0 returns to the same
    configuration, every process stepping and every message received."""
    s = space()
    v = verdict(s, crashes=0)
    assert v.verdict == "forever-bivalent"
    run = v.run
    assert run.inputs == (0, 1) and run.crashed == frozenset()
    assert run.stem == (Event(0), Event(1), Event(1, 0))
    assert run.cycle == (Event(0, 1), Event(1, 1), Event(0, 0), Event(1, 0))
    valence = classify_valence(s)
    assert {valence.label(c) for c in run.path} == {"bivalent"}
    check_run(s.protocol, run, crashes=0)


def test_the_bivalent_fair_cycle_search_agrees_with_the_adversary():
    """Besides the adversary's lasso, a fair cycle through bivalent configurations exists too."""
    s = space()
    assert adversary_run(s).run is not None
    run = nondeciding_run(s, crashes=0)
    assert run is not None and not run.crashed
