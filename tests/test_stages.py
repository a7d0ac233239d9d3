"""The on-demand Lemma 3 adversary (witness --stages): certificates and their checker."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from flpcheck import Event
from flpcheck.cli import main
from flpcheck.errors import ReplayError
from flpcheck.loader import load_protocol
from flpcheck.stages import check_staged_run, staged_adversary

from .conftest import MODELS

FLIP_FLOP = str(MODELS / "flip_flop.py")


@pytest.fixture(scope="module")
def staged():
    protocol = load_protocol(FLIP_FLOP)
    return protocol, staged_adversary(protocol, 6)


def test_the_flip_flop_adversary_starts_from_lemma2s_bivalent_i10(staged):
    """The chain is I(00) 0-valent, I(10) bivalent (each process can hear its own value back
    first), so the adversary starts at I(10) and every stage end is certified both ways."""
    protocol, run = staged
    assert run.inputs == (1, 0) and not run.failure and len(run.stages) == 6
    assert [s.process for s in run.stages] == [0, 1, 0, 1, 0, 1]
    assert all(set(s.certificates) == {0, 1} for s in run.stages)
    check_staged_run(protocol, run)


def test_the_checker_rejects_a_certificate_that_does_not_decide(staged):
    protocol, run = staged
    stage = run.stages[2]
    bad = replace(stage, certificates={0: stage.certificates[0], 1: ()})
    with pytest.raises(ReplayError, match="stage 2: the certificate for 1 does not reach"):
        check_staged_run(protocol, replace(run, stages=[*run.stages[:2], bad, *run.stages[3:]]))


def test_the_checker_rejects_a_sigma_that_applies_the_event_it_must_avoid(staged):
    protocol, run = staged
    stage = run.stages[0]
    bad = replace(stage, sigma=(stage.event,))
    with pytest.raises(ReplayError, match="sigma applies the event"):
        check_staged_run(protocol, replace(run, stages=[bad, *run.stages[1:]]))


def test_the_checker_rejects_an_event_of_the_wrong_process(staged):
    protocol, run = staged
    bad = replace(run.stages[0], event=Event(1, None))
    with pytest.raises(ReplayError, match="is not a step of p0"):
        check_staged_run(protocol, replace(run, stages=[bad, *run.stages[1:]]))


def test_witness_stages_json_has_the_documented_shape():
    result = CliRunner().invoke(main, ["witness", FLIP_FLOP, "--stages", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["inputs"] == [1, 0] and data["complete"] is True and len(data["stages"]) == 3
    for stage in data["stages"]:
        assert stage["schedule"][-1] == stage["event"]
        assert set(stage["certificates"]) == {"0", "1"}


def test_a_stage_that_finds_no_sigma_says_which_bound_stopped_it():
    """Leader broadcast has no bivalent initial configuration: nothing can be certified."""
    run = staged_adversary(load_protocol(str(MODELS / "leader_broadcast.py"), 2), 2)
    assert run.stages == [] and "could be certified bivalent" in run.failure
