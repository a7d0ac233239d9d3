"""Chandra and Toueg's rotating coordinator (models/chandra_toueg.py): sizes against the plain
reference explorer, safety, and the run without a detector built from false suspicions."""

from __future__ import annotations

import pytest

from flpcheck import check_safety, explore, verdict
from flpcheck.model.loader import load_protocol
from flpcheck.model.semantics import replay

from ..paths import MODELS
from ..reference import reference_explore


def _ct(cls: str):
    return load_protocol(f"{MODELS / 'chandra_toueg.py'}:{cls}")


def _one_round():
    base = type(_ct("ChandraToueg2"))
    return type("ChandraToueg1", (base,), {"max_rounds": 1})()


def test_one_round_counts_agree_with_the_reference_explorer():
    protocol = _one_round()
    space, rs = explore(protocol), reference_explore(protocol)
    assert (len(space), space.num_events) == (len(rs.order), rs.events)


@pytest.mark.slow
def test_two_rounds_counts_agree_with_the_reference_explorer():
    protocol = _ct("ChandraToueg2")
    space, rs = explore(protocol), reference_explore(protocol)
    assert (len(space), space.num_events) == (len(rs.order), rs.events) == (50_272, 335_294)


def test_safety_holds_and_both_values_are_decided():
    """The coordinator of a later round hears an estimate of any majority that acknowledged a
    decided value, with ts at least that round, and proposes it: agreement; estimates are
    inputs or proposals, which are estimates: validity."""
    space = explore(_ct("ChandraToueg2"))
    results = {p.name: p for p in check_safety(space)}
    assert all(p.holds for p in results.values())


def test_without_a_detector_false_suspicions_use_up_the_rounds():
    """Crash-free, every process suspects the coordinator before its proposal arrives (or
    after, too late for a majority of acknowledgements): both rounds pass, nobody decides.
    Every null step of the run that suspects someone suspects a live process."""
    protocol = _ct("ChandraToueg2")
    v = verdict(explore(protocol), 0)
    assert v.verdict == "blocks-without-crash" and v.run is not None and not v.run.crashed
    steps = replay(protocol, v.run.inputs, v.run.stem + v.run.cycle)
    states = [protocol.init(p, x) for p, x in enumerate(v.run.inputs)]
    suspicions = []
    for step in steps:
        e = step.event
        if e.msg is None and protocol.suspects(e.pid, states[e.pid]):
            suspicions.append(protocol.suspects(e.pid, states[e.pid]))
        states[e.pid] = step.config.states[e.pid]
    # nobody crashes in the run, so every one of these suspicions is false
    assert len(suspicions) >= 2
