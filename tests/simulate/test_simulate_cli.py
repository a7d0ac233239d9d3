"""``flpcheck simulate``: exit codes, the text report, the JSON and its schema, determinism
under PYTHONHASHSEED, interruption, and errors that name what is wrong."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from flpcheck.cli import main
from flpcheck.output.schemas import validate

from ..paths import FIXTURES, MODELS

UNBOUNDED_BUGGY = str(MODELS / "paxos_unbounded_buggy.py")
PAXOS = f"{MODELS / 'paxos.py'}:Paxos"
TIMINGS = ("seconds", "shrink_seconds", "runs_per_second", "events_per_second")


def invoke(*args: str):
    return CliRunner().invoke(main, ["simulate", *map(str, args)])


def run_json(*args: str, code: int) -> dict:
    result = invoke(*args, "--json")
    assert result.exit_code == code, result.output
    data = json.loads(result.output)
    validate("simulate", data)
    return data


def test_the_unbounded_buggy_paxos_prints_a_shrunk_agreement_violation():
    """Fair, seed 2, a budget of 100 runs: the first violating run is 9 (the defaults are
    tested in test_simulate.py)."""
    result = invoke(UNBOUNDED_BUGGY, "--scheduler", "fair", "--seed", "2", "--runs", "100")
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "agreement: VIOLATED in 1 run, first in run 9 at event" in text
    assert "no single event can be removed" in text and "receives" in text
    assert "validity: no violation found (not established)" in text
    assert "stopped at the first violating run" in text


def test_with_no_options_the_swarm_names_the_scheduler_of_the_violating_run():
    """The default scheduler is the swarm; the report says so, names the scheduler that took
    the violating run (run i: uniform when i is even, fair when odd), and the JSON gives it as
    found_by."""
    model = f"{MODELS / 'paxos_buggy.py'}:PaxosBrokenPromise"
    result = invoke(model)
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "scheduler swarm (uniform and fair in turn, run by run), seed 0" in text
    data = run_json(model, code=1)
    (v,) = data["violations"]
    assert data["scheduler"] == "swarm"
    assert v["found_by"] == ("uniform", "fair")[v["found_in_run"] % 2]
    assert (f"first in run {v['found_in_run']} (scheduler {v['found_by']}) at event "
            f"{v['found_at_event']}") in text


def test_a_violation_in_json_has_the_shared_schedule_shape():
    data = run_json(f"{MODELS / 'paxos_buggy.py'}:PaxosQuorumOfOne", "--seed", "2", code=1)
    (v,) = data["violations"]
    assert v["property"] == "agreement" and v["found_in_run"] == 0
    assert v["schedule"]["inputs"] == v["inputs"] and len(v["schedule"]["events"]) == 2
    assert all(e[1] is None for e in v["schedule"]["events"])  # two null steps decide
    assert data["holds"] == {"agreement": False, "validity": None, "write-once": None}
    assert data["stopped_by"] == "violation" and data["complete"] is False


def test_no_violation_exits_0_and_says_it_proves_nothing():
    data = run_json(PAXOS, "--runs", "50", code=0)
    assert data["violations"] == [] and data["runs"] == 50 and data["complete"] is True
    assert "proves nothing" in data["conclusion"]
    assert data["decided_runs"] + data["undecided_runs"] + data["stuck_runs"] == 50
    text = " ".join(invoke(PAXOS, "--runs", "50").output.split())
    assert "proves nothing" in text and "VIOLATED" not in text


def test_adversary_and_keep_going_outputs_match_the_schema():
    data = run_json(MODELS / "flip_flop.py", "--scheduler", "adversary", "--runs", "3",
                    "--steps", "20", "--inputs", "01,00", code=0)
    assert data["adversary"]["lookahead"] == 200 and len(data["adversary"]["runs"]) == 3
    assert data["inputs"] == [[0, 1], [0, 0]]
    data = run_json(FIXTURES / "bad" / "decision_changes.py", "--keep-going", "--runs", "60",
                    code=1)
    assert [v["property"] for v in data["violations"]] == ["agreement", "validity",
                                                           "write-once"]
    assert data["runs"] == 60 and sum(v["violating_runs"] for v in data["violations"]) >= 60


def _subprocess_json(args: list[str], hash_seed: str) -> dict:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    out = subprocess.run([sys.executable, "-m", "flpcheck", "simulate", *args, "--json"],
                         env=env, capture_output=True, text=True, check=False)
    assert out.returncode in (0, 1), out.stderr
    data = json.loads(out.stdout)
    for key in TIMINGS:
        data.pop(key)
    return data


@pytest.mark.parametrize("args", [
    [str(FIXTURES / "gossip_strings.py"), "--runs", "100", "--seed", "7"],
    [UNBOUNDED_BUGGY, "--scheduler", "fair", "--seed", "2", "--runs", "60"],
])
def test_the_same_seed_gives_the_same_json_under_two_hash_seeds(args):
    """gossip_strings sends by iterating frozensets of strings (their order varies with the
    hash seed); the unbounded buggy Paxos is found and shrunk in both."""
    first = _subprocess_json(args, "1")
    assert first == _subprocess_json(args, "2")
    assert first["distinct_configurations"] > 10


def test_sigint_prints_a_partial_report_and_exits_130(monkeypatch):
    """A real SIGINT after the third run: the handler asks for a stop, the range ends before
    the fourth run, the report covers three runs and says it is partial."""
    import flpcheck.simulate.random_runs as runs

    real = runs.run_one
    calls = []

    def run_one(*args, **kwargs):
        calls.append(1)
        out = real(*args, **kwargs)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)
        return out

    monkeypatch.setattr(runs, "run_one", run_one)
    result = CliRunner().invoke(main, ["simulate", PAXOS, "--runs", "100", "--json"])
    assert result.exit_code == 130
    data = json.loads(result.output[:result.output.rindex("}") + 1])
    assert data["runs"] == 3 and data["stopped_by"] == "interrupted" and not data["complete"]
    validate("simulate", data)


def test_workers_without_ray_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    result = invoke(PAXOS, "--workers", "2")
    assert result.exit_code == 2
    assert "pip install 'flpcheck[ray]'" in result.output


@pytest.mark.parametrize("args, message", [
    ([PAXOS, "--inputs", "01"], "'01' is not an input vector of 3 bits"),
    ([PAXOS, "--inputs", "011,011"], "the same input vector is given twice"),
    ([str(FIXTURES / "bad" / "raising_step.py")],
     "step(0, (0, 1), None) raised ValueError: step two is not written yet"),
    ([str(MODELS / "nowhere.py")], "no such model file"),
])
def test_bad_input_is_one_clear_error_with_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2 and message in result.output, result.output


def test_flpcheck_schema_prints_the_simulate_schema():
    result = CliRunner().invoke(main, ["schema", "simulate"])
    assert result.exit_code == 0 and json.loads(result.output)["title"].startswith(
        "flpcheck simulate")


def test_an_adversary_that_never_had_a_bivalent_start_says_so_in_words():
    """AlwaysZero (N=2) decides 0 whatever the inputs: no initial configuration is bivalent, so
    the adversary certified none of its starts; the report says it never stayed certified
    bivalent instead of 'for none events'."""
    result = invoke(str(MODELS / "always_zero.py"), "-n", "2", "--scheduler", "adversary",
                    "--runs", "5")
    text = " ".join(result.output.split())
    assert "the start was certified bivalent in 0 of" in text
    assert "so it never stayed certified bivalent;" in text and "none events" not in text
