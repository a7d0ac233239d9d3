"""The on-demand Lemma 3 adversary (witness --stages): certificates and their checker."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from flpcheck import Event
from flpcheck.analysis.stages import check_staged_run, staged_adversary
from flpcheck.cli import main
from flpcheck.errors import ReplayError
from flpcheck.model.loader import load_protocol

from ..paths import MODELS

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
    assert data["stopped_by"] == [] and data["verdict"] is None and data["failure"] is None
    for stage in data["stages"]:
        assert stage["event"][0] == stage["process"]
        assert set(stage["certificates"]) == {"0", "1"}


def test_without_a_bivalent_initial_configuration_the_searches_say_so_and_name_no_bound():
    """Leader broadcast decides p0's input: every initial configuration is univalent, and the
    certificate searches end with nothing more reachable (the graph is finite), so the failure
    is a fact about the protocol, not a bound."""
    run = staged_adversary(load_protocol(str(MODELS / "leader_broadcast.py"), 2), 2)
    assert run.stages == [] and run.stopped_by == ()
    assert "no initial configuration is bivalent" in run.failure


def test_a_search_stopped_by_a_bound_exits_1_and_names_the_bound():
    """With one configuration per certificate search nothing can be certified: the run stops
    at the start, says --cert-configs stopped it, and exits 1 (not 2: no error)."""
    result = CliRunner().invoke(main, ["witness", FLIP_FLOP, "--stages", "2",
                                       "--cert-configs", "1"])
    assert result.exit_code == 1, result.output
    assert "--cert-configs" in result.output or "cert-configs" in result.output
    assert "error" not in result.output


def test_a_protocol_that_violates_agreement_gets_the_violation_not_an_error():
    """Majority (N=3) violates agreement. The adversary keeps I(110) undecided for 4 stages
    (each process has heard at most one vote), then every process has a vote pending and the
    next receipt decides: stuck, the stages cannot go on undecided, and the search from there
    meets a configuration holding both values. The staged run reports that violation with a
    schedule, replayed, and exits 1 (not an error, exit 2)."""
    result = CliRunner().invoke(main, ["witness", str(MODELS / "majority.py"), "--stages", "6",
                                       "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "agreement-violated" and data["stages"] == []
    sched = data["evidence"]["schedule"]
    protocol = load_protocol(str(MODELS / "majority.py"))
    from flpcheck.model.semantics import replay

    end = replay(protocol, sched["inputs"], [Event(p, m) for p, m in sched["events"]])[-1]
    assert end.config.decisions(protocol) == {0, 1}


def test_the_directed_search_certifies_paxos_rounds_where_breadth_first_search_gives_up():
    """Paxos with (round, pid) ballots and loopback messages: the shortest deciding
    continuation from an initial configuration is 9 events (a null step starts a ballot, then 4
    receipts gather two promises and 4 more two acceptances), and every undecided process may
    start a higher ballot at any step, so breadth-first search within the default 20,000
    configurations certifies nothing, while the directed schedules (each process in turn
    receives its oldest message) certify 6 stages."""
    protocol = load_protocol(str(MODELS / "paxos_rounds.py") + ":PaxosRoundsLoopback")
    bfs = staged_adversary(protocol, 2, directed=False)
    assert bfs.stages == [] and bfs.stopped_by == ("cert-configs",)
    run = staged_adversary(protocol, 6)
    assert len(run.stages) == 6 and not run.failure
    check_staged_run(protocol, run)
