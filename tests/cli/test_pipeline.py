"""Every command builds its run in one place (:mod:`flpcheck.pipeline`) and executes the model
file once: the fixtures in tests/fixtures/counted/ append a line to $FLPCHECK_EXECUTIONS each
time they are executed, so the line count is the number of executions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flpcheck.errors import UsageError
from flpcheck.pipeline import Options, Pipeline

from ..paths import ROOT

FLIP = "tests/fixtures/counted/flip.py"
ROUNDS = "tests/fixtures/counted/rounds.py"


def executions(tmp_path: Path, *argv: str) -> tuple[int, subprocess.CompletedProcess[str]]:
    """(how many times the model file was executed, the finished command) of one command."""
    log = tmp_path / "executions.log"
    log.unlink(missing_ok=True)
    env = dict(os.environ, FLPCHECK_EXECUTIONS=str(log))
    env.pop("RAY_ADDRESS", None)
    proc = subprocess.run([sys.executable, "-c", "from flpcheck.cli import main; main()", *argv],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    count = len(log.read_text().splitlines()) if log.exists() else 0
    return count, proc


@pytest.mark.parametrize("argv, code", [
    (["explore", FLIP], 1),                      # agreement is violated from inputs 01
    (["explore", FLIP, "--json"], 1),
    (["explore", ROUNDS, "--json"], 0),          # FloodSet tolerates one crash in two rounds
    (["witness", FLIP], 1),
    (["witness", FLIP, "--stages", "1"], 1),     # the searches meet the agreement violation
    (["lemmas", FLIP], 0),
    (["render", FLIP, "--view", "full", "-o", "{tmp}/g.dot"], 0),
    (["simulate", FLIP, "--runs", "5", "--json"], 1),
])
def test_every_command_executes_the_model_file_once(tmp_path, argv, code):
    count, proc = executions(tmp_path, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert proc.returncode == code, proc.stderr
    assert count == 1


def test_a_round_model_refused_by_witness_is_executed_once_too(tmp_path):
    count, proc = executions(tmp_path, "witness", ROUNDS)
    assert proc.returncode == 2 and "RoundProtocol" in proc.stderr
    assert count == 1


def test_the_api_and_the_notebook_helper_load_through_the_pipeline(tmp_path, monkeypatch):
    log = tmp_path / "executions.log"
    monkeypatch.setenv("FLPCHECK_EXECUTIONS", str(log))
    from flpcheck.api import explore_file

    space = explore_file(FLIP)
    assert len(log.read_text().splitlines()) == 1
    # 4 initial configurations, each reaching the 2 x 2 choices of who decided: 16
    assert len(space) == 16


def test_the_pipeline_does_each_step_once(tmp_path, monkeypatch):
    log = tmp_path / "executions.log"
    monkeypatch.setenv("FLPCHECK_EXECUTIONS", str(log))
    run = Pipeline(Options(FLIP))
    assert not run.is_round_model
    space = run.explore()
    assert run.explore() is space
    assert run.summarize().violated          # agreement: from 01, p0 decides 0 and p1 decides 1
    assert run.witness().verdict.verdict == "agreement-violated"
    assert len(log.read_text().splitlines()) == 1


def test_options_are_checked_when_made():
    with pytest.raises(UsageError, match="--max-depth must be >= 0"):
        Options(FLIP, max_depth=-1)
    with pytest.raises(UsageError):
        Options(FLIP, termination="most")
    assert Options(FLIP, max_memory="2K").max_memory == 2048
    assert Options(FLIP).with_(workers=3).workers == 3


def test_workers_and_the_ray_address_are_options_not_hidden_context():
    """--workers and --ray-address reach the exploration as fields of the options (a round
    model refuses them by name)."""
    run = Pipeline(Options(ROUNDS, workers=2))
    with pytest.raises(UsageError, match="--workers applies to message-buffer models"):
        run.check_rounds()
    env_only = Options(ROUNDS, ray_address="x:1", from_environment=frozenset({"ray_address"}))
    assert env_only.message_buffer_options() == []
    assert Pipeline(env_only).check_rounds().exit_code == 0


def test_explore_json_of_the_counted_model_is_as_worked_out(tmp_path):
    """DecideOwn: 4 initial configurations; from I(x) each process decides x on its first
    step (its null step; nothing is ever sent), so each I(x) reaches the 4 subsets of
    processes decided: 16 configurations, each with one null step per process (32 events).
    From 01 and 10 the two processes decide differently: agreement is violated, validity
    holds (from 00 only 0 is decided)."""
    _, proc = executions(tmp_path, "explore", FLIP, "--json")
    doc = json.loads(proc.stdout)
    assert doc["configurations"] == 16 and doc["events"] == 32
    assert doc["agreement"]["holds"] is False and doc["validity"]["holds"] is True
