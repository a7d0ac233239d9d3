"""Answers at the edges: no claim without a search behind it, every mistake a model error.

Each test pins one behaviour a user met at the edge of the main path; the models are small
fixtures in tests/fixtures/edge, each with its expected answer worked out in its docstring.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from flpcheck import explore
from flpcheck.analysis import verdict
from flpcheck.analysis.valence import classify_valence
from flpcheck.cli import main
from flpcheck.model.loader import load_protocol

from ..paths import FIXTURES, MODELS

EDGE = FIXTURES / "edge"


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def witness_json(*args: str) -> dict:
    result = invoke("witness", *args, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


# -- the non-deciding run is searched whatever the verdict --------------------------------------


def test_a_trivial_protocol_still_answers_whether_a_crash_free_run_never_decides():
    """GateJam only ever decides 0 (trivial), and if p0 jams first nobody decides: the search
    runs anyway and finds that crash-free run (exists is true, not the false it once was)."""
    data = witness_json(EDGE / "gate_jam.py", "--crashes", "0")
    assert data["verdict"] == "trivial"
    assert data["nondeciding"]["exists"] is True
    assert data["nondeciding"]["run"]["crashed"] == []


def test_an_unsafe_paxos_still_answers_whether_one_crash_blocks_it():
    """PaxosNoReport violates agreement; with one crash a run exists in which nobody decides
    (p0 dead: every ballot of the others needs it or runs out), and none without a crash."""
    one = witness_json(MODELS / "paxos_buggy.py:PaxosNoReport")
    assert one["verdict"] == "agreement-violated"
    assert one["nondeciding"]["exists"] is True and one["nondeciding"]["run"]["crashed"] == [0]
    zero = witness_json(MODELS / "paxos_buggy.py:PaxosNoReport", "--crashes", "0")
    assert zero["nondeciding"]["exists"] is False and zero["nondeciding"]["reason"] is None


def test_on_a_cut_graph_an_unfound_run_is_not_established_rather_than_absent():
    data = witness_json(MODELS / "paxos_unbounded.py", "--max-depth", "4", "--crashes", "0")
    assert data["complete"] is False
    assert data["nondeciding"]["exists"] is None and "cut" in data["nondeciding"]["reason"]


# -- every mistake in a model is a model error (exit 2), flpcheck's own is exit 3 --------------


@pytest.mark.parametrize("command", ["explore", "witness", "lemmas"])
def test_sends_none_is_a_model_error_in_every_command(command):
    result = invoke(command, EDGE / "none_sends.py")
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "step(0, 0, None) returned sends None" in text
    assert "step must return (new_state, sends), sends an iterable of (dst, payload) pairs" in text


def test_a_state_returned_bare_is_refused_even_with_two_fields():
    """Pair has two fields, so Pair(x=0, y=0) would unpack as (new_state=0, sends=0)."""
    result = invoke("explore", EDGE / "bare_state.py")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "returned Pair(x=0, y=0), a Pair like the state it was given" in text
    assert "step must return (new_state, sends)" in text and "output" not in text


def test_a_none_payload_is_refused_as_it_cannot_be_told_from_the_null_message():
    result = invoke("explore", EDGE / "none_payload.py")
    assert result.exit_code == 2
    assert "sent the payload None to process 1" in " ".join(result.output.split())


def test_an_internal_error_exits_3_and_asks_for_a_bug_report(monkeypatch):
    import flpcheck.analysis.reports

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(flpcheck.analysis.reports, "verdict", broken)
    result = invoke("witness", MODELS / "leader_broadcast.py")
    assert result.exit_code == 3
    assert "internal error" in result.output and "please report it" in result.output


@pytest.mark.parametrize("command", ["witness", "lemmas", "render"])
def test_a_round_model_is_named_as_such_by_the_async_commands(command, tmp_path):
    args = [command, MODELS / "floodset.py"] + (["-o", tmp_path / "x.dot"]
                                                 if command == "render" else [])
    result = invoke(*args)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "it holds a synchronous round model (FloodSet, a RoundProtocol)" in text
    assert "flpcheck explore checks round models" in text


# -- values are compared by type and value -----------------------------------------------------


def test_one_and_true_are_different_states_and_payloads():
    """BoolVsInt: p0 starts in 1 (input 0) or True (input 1), sends it to p1, which decides by
    its type. Per value of x0: the initial configuration, p0 sent, p1 received: 3
    configurations with 2 + 3 + 2 = 7 events; 6 and 14 in all. I(0x) is 0-valent, I(1x)
    1-valent (merged, I(00) and I(10) would be one configuration)."""
    space = explore(load_protocol(str(EDGE / "bool_vs_int.py")))
    assert (len(space), space.num_events) == (6, 14)
    valence = classify_valence(space)
    assert {"".join(map(str, x)): valence.label(c) for x, c in space.initial} == {
        "00": "0-valent", "01": "0-valent", "10": "1-valent", "11": "1-valent"}
    assert verdict(space).verdict == "not-crash-tolerant"


def test_a_nan_state_is_one_state_not_a_nondeterministic_step():
    """NanState: input 0 keeps the state (0, nan) forever, input 1 moves to (1, 1.0) and
    decides 1. Per process 1 or 2 states: 1 + 2 + 2 + 4 = 9 configurations."""
    result = invoke("explore", EDGE / "nan_state.py", "--json")
    assert result.exit_code == 1, result.output  # only 1 is ever decided: not non-trivial
    data = json.loads(result.output)
    assert data["configurations"] == 9 and data["nontriviality"]["holds"] is False


def test_boolean_outputs_read_as_0_and_1_everywhere():
    """BoolOutputs decides False/True: reports print 0 and 1, never False or True."""
    result = invoke("witness", EDGE / "bool_outputs.py")
    assert result.exit_code == 1
    assert "outputs (0, 1)" in result.output
    outputs = [line.split()[-2] for line in result.output.splitlines()
               if line.split()[:1] in (["1"], ["2"])]
    assert outputs == ["0_", "01"]  # the outputs column, before the valence


def test_a_late_asymmetry_is_caught_by_the_symmetry_check():
    """LateAsymmetry declares symmetric = True but after 30 steps p1 decides 1 where p0
    decides its input. Explored in full: 32 local states per process, 32^2 per input vector,
    4,096 configurations; with --symmetry the declaration is refused instead of answering the
    4,104 of a reduction that merges p0 with p1."""
    space = explore(load_protocol(str(EDGE / "late_asymmetry.py")))
    assert len(space) == 4096
    result = invoke("explore", EDGE / "late_asymmetry.py", "--symmetry")
    assert result.exit_code == 2
    assert "declares symmetric = True, but renaming the processes" in " ".join(
        result.output.split())


def test_symmetry_needs_input_vectors_closed_under_renaming():
    result = invoke("explore", MODELS / "majority.py", "--symmetry", "--inputs", "011")
    assert result.exit_code == 2
    assert "add 101,110" in result.output


# -- termination: some process, or every live process --------------------------------------------


def test_deciding_alone_is_deciding_for_flp_but_not_when_every_live_process_must_decide():
    """DecideAlone: p0 decides its input at its first step and tells nobody. Under FLP's
    definition every fair crash-free run decides (none-found, exit 0); under --termination all
    p1 and p2 never decide (blocks-without-crash, exit 1)."""
    some = witness_json(EDGE / "decide_alone.py", "--crashes", "0")
    assert (some["verdict"], some["termination"]) == ("none-found", "some")
    assert some["nondeciding"]["exists"] is False
    every = witness_json(EDGE / "decide_alone.py", "--crashes", "0", "--termination", "all")
    assert (every["verdict"], every["termination"]) == ("blocks-without-crash", "all")
    assert every["nondeciding"]["exists"] is True


def test_round_models_check_termination_for_every_live_process_unless_told_some():
    """FloodSet decides after its last round at every live process, so termination holds
    under both definitions; the JSON records which one was checked ("all" by default for
    round models, as the synchronous model's termination property requires)."""
    for definition in ("some", "all"):
        result = invoke("explore", MODELS / "floodset.py", "--json", "--termination", definition)
        data = json.loads(result.output)
        assert data["termination_definition"] == definition
        assert data["termination"]["holds"] is True
    default = json.loads(invoke("explore", MODELS / "floodset.py", "--json").output)
    assert default["termination_definition"] == "all"


@pytest.mark.parametrize("spec", ["ping.py:Ping", "ping.py:PingPong"])
def test_a_fair_run_that_never_decides_through_univalent_configurations_is_found(spec):
    """Ping: every configuration can decide by a null step of p0 (univalent), yet the fair run
    in which p0 only ever receives the ping (or the ball) never decides: blocks-without-crash,
    not none-found."""
    data = witness_json(EDGE / spec, "--crashes", "0")
    assert data["verdict"] == "blocks-without-crash"
    assert data["run"]["crashed"] == [] and data["run"]["cycle"]
    assert all(msg is not None for pid, msg in data["run"]["cycle"] if pid == 0)


# -- what the reports say --------------------------------------------------------------------------


def test_a_crash_run_shows_the_valence_without_the_crashed_process_and_its_cycle_steps():
    result = invoke("witness", MODELS / "leader_broadcast.py")
    lines = result.output.splitlines()
    assert any("without p0" in line for line in lines)
    cycle = lines.index(next(line for line in lines if "cycle (repeated forever)" in line))
    header = lines[cycle + 1].split()
    assert header[:5] == ["#", "p", "receives", "sends", "state"]
    assert "none" in lines[cycle + 2].split()  # without p0, p1 and p2 can decide nothing


def test_lemmas_says_what_was_sampled_and_that_the_premise_fails():
    result = invoke("lemmas", MODELS / "majority.py")
    text = " ".join(result.output.split())
    assert "The lemmas' premise fails" in text and "violates agreement" in text
    # 30,468 diamonds share 3,030 pairs of local transitions, within the budget of 20,000
    # pairs: every diamond is covered (tests/analysis/test_witness.py counts them plainly)
    assert "all 30,468; all commute" in text
    assert "undecided bivalent" in text and "{" not in text.split("Lemma 3")[1]


# -- files that cannot be written -----------------------------------------------------------


@pytest.mark.parametrize("command", [
    ("render", "-o", "{d}/missing/x.dot"), ("explore", "--graph", "{d}/missing/x.json"),
    ("chance", "--drn", "{d}/missing/x.drn"), ("chance", "--policy", "{d}/missing/p.json"),
    ("chance", "--plot", "{d}/missing/c.svg")])
def test_a_file_in_a_missing_directory_is_refused_before_any_work(tmp_path, command):
    """An output in a directory that does not exist is a bad option value (exit 2, the path and
    the missing directory named), found before exploring, not an internal error after it."""
    name, option, path = command
    path = path.format(d=tmp_path)
    result = invoke(name, MODELS / "majority.py", "-n", "2", option, path)
    assert result.exit_code == 2, result.output
    assert f"cannot write {path}: the directory {tmp_path}/missing does not exist" \
        in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_a_write_that_fails_is_an_output_error_naming_the_file(tmp_path):
    """A write that fails once the run is done (here: a directory that is read-only by its
    mode, checked by atomic_write itself) raises OutputError naming the file; nothing half
    written is left behind."""
    import os

    from flpcheck.errors import OutputError
    from flpcheck.output.files import atomic_write

    target = tmp_path / "x.json"
    target.mkdir()  # a directory where the file should go: os.replace fails
    with pytest.raises(OutputError, match=f"cannot write {target}"):
        atomic_write(target, "{}")
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
    assert os.path.isdir(target)


# -- one process ------------------------------------------------------------------------------


def test_one_process_gets_lemma_2s_pair_without_a_run_and_no_crash():
    """OneProcess (N=1, its docstring): 6 configurations, 8 events; Lemma 2's pair is I(0),
    I(1) differing in p0, whose crash leaves nobody to run, so the lemma names the pair with no
    run (it once failed with "the cycle is empty"); witness searches at most N - 1 = 0 crashes
    and finds every fair run decides."""
    model = EDGE / "one_process.py"
    report = witness_json(model)
    assert (report["configurations"], report["events"]) == (6, 8)
    assert report["crashes"] == 0
    assert report["verdict"] == "none-found"
    assert report["nondeciding"]["exists"] is False
    result = invoke("lemmas", model)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "I(0) is 0-valent and I(1) is 1-valent; they differ only in p0's input" in text
    assert "the lemma's run needs N >= 2" in text


def test_a_crash_budget_past_n_minus_one_is_taken_as_n_minus_one():
    """Majority N=2 asked for 5 crashes: at most one process can crash (one is left to take
    steps), so the verdict searches, and says it searched, crashes <= 1."""
    report = witness_json(MODELS / "majority.py", "-n", "2", "--crashes", "5")
    assert report["crashes"] == 1
    assert report["nondeciding"]["crashes"] == 1


def test_lemmas_on_a_cut_graph_says_the_adversary_saw_only_the_explored_part():
    """SlowStart at depth 2 (its docstring): no initial configuration is bivalent so far, but
    I(10) is bivalent on the full graph; the adversary's stop names what it did not see."""
    result = invoke("lemmas", EDGE / "slow_start.py", "--max-depth", "2")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ("the adversary stops: no bivalent initial configuration in the explored part (a "
            "bound cut the exploration: one may lie beyond)") in text
