"""Bounds, timeouts and signals stop a run cleanly, with a partial report that says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from flpcheck.cli import main
from flpcheck.cli.common import EXIT_INTERRUPTED
from flpcheck.explorer.limits import FIRST_NOTICE, SECOND_NOTICE, GrowthWatch

from ..paths import FIXTURES, MODELS

RUNAWAY = str(FIXTURES / "runaway.py")


def test_a_protocol_that_never_stops_sending_is_caught_by_max_configs_with_a_hint():
    result = CliRunner().invoke(main, ["explore", RUNAWAY, "--max-configs", "3000"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "INCOMPLETE: cut by max-configs" in text
    assert "bound its buffer with --max-buffer" in text


def test_max_buffer_makes_the_runaway_protocol_finite():
    """Per input vector, the buffer holds i pings to p0 and j to p1: every (i, j) with
    i + j <= 3 is expanded, and those with i + j = 4 are reached but not expanded; that is
    10 + 5 = 15 buffers, for each of the 4 input vectors: 60 configurations."""
    result = CliRunner().invoke(main, ["explore", RUNAWAY, "--max-buffer", "3", "--json"])
    data = json.loads(result.output)
    assert (data["configurations"], data["unexpanded"], data["complete"]) == (60, 20, False)
    assert data["cut_reasons"] == ["max-buffer"]


def test_timeout_stops_exploring_and_reports_the_explored_part():
    result = CliRunner().invoke(main, ["explore", RUNAWAY, "--timeout", "0.5", "--json"])
    data = json.loads(result.output)
    assert data["complete"] is False and data["cut_reasons"] == ["timeout"]
    assert data["configurations"] > 0 and data["valence_lower_bounds"] > 0


def test_max_memory_stops_exploring():
    result = CliRunner().invoke(main, ["explore", RUNAWAY, "--max-memory", "1M", "--json"])
    assert json.loads(result.output)["cut_reasons"] == ["max-memory"]


def wait_until_signals_are_caught(proc: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait until the explorer has installed its SIGTERM handler (and its SIGINT one with it):
    bit 14 of SigCgt in /proc/PID/status. Sending earlier would test Python's start-up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(f"/proc/{proc.pid}/status") as f:
            caught = next(line for line in f if line.startswith("SigCgt:"))
        if int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1:
            time.sleep(0.3)  # let it explore a little
            return
        time.sleep(0.05)
    raise AssertionError("the explorer never installed its signal handlers")


def test_sigint_prints_the_partial_report_and_exits_130():
    proc = subprocess.Popen([sys.executable, "-m", "flpcheck", "explore", RUNAWAY],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, COLUMNS="200"))
    wait_until_signals_are_caught(proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)  # a hang fails the test; its speed is not tested
    assert proc.returncode == EXIT_INTERRUPTED
    assert "INCOMPLETE: cut by interrupted" in out and "Traceback" not in err
    assert "interrupted by SIGINT" in err


def test_sigterm_is_handled_like_sigint():
    proc = subprocess.Popen([sys.executable, "-m", "flpcheck", "explore", RUNAWAY, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_signals_are_caught(proc)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == EXIT_INTERRUPTED
    assert json.loads(out)["cut_reasons"] == ["interrupted"]


def test_a_complete_model_is_not_marked_incomplete():
    result = CliRunner().invoke(main, ["explore", str(MODELS / "leader_broadcast.py"), "--json"])
    data = json.loads(result.output)
    assert data["complete"] is True and data["cut_reasons"] == [] and data["unexpanded"] == 0


# -- interruption: the first signal asks for the partial report, the second ends the run -------

MAJORITY = str(MODELS / "majority.py")


def start_explore(*args: str) -> subprocess.Popen[str]:
    """``flpcheck explore`` on Majority N=6 (far too many configurations to finish), in a
    subprocess, exploring once its signal handlers are in place."""
    proc = subprocess.Popen([sys.executable, "-m", "flpcheck", "explore", MAJORITY, "-n", "6",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until_signals_are_caught(proc)
    time.sleep(1.0)
    return proc


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_first_signal_says_so_at_once_and_the_partial_json_says_what_is_not_established(
        signum):
    proc = start_explore("--json")
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)  # a hang fails; the speed is a benchmark's
    assert proc.returncode == EXIT_INTERRUPTED
    lines = err.splitlines()
    assert lines[0].startswith(FIRST_NOTICE) and "Traceback" not in err
    assert lines[-1] == (f"interrupted by {signal.Signals(signum).name}: the report above is "
                         "partial")
    data = json.loads(out)
    assert data["complete"] is False and data["cut_reasons"] == ["interrupted"]
    skipped = set(data.get("not_established", []))
    # what was not finished is null, never false; what was finished is there
    assert (data["valence"] is None) == ("valence" in skipped)
    assert (data["validity"]["holds"] is None) == ("validity" in skipped) or \
        data["validity"]["holds"] is None  # also None when no uniform input was explored
    assert data["nondeciding"]["exists"] is not False
    if "nondeciding" in skipped:
        assert data["nondeciding"]["exists"] is None
        assert data["nondeciding"]["reason"].startswith("interrupted")
    assert data["agreement"]["holds"] is not None  # one pass: always finished


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_exits_at_once_with_one_line(signum):
    proc = start_explore()
    proc.send_signal(signum)
    time.sleep(0.2)
    proc.send_signal(signum)
    sent = time.monotonic()
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 20  # generous: "at once" is measured by the benchmarks
    assert proc.returncode == EXIT_INTERRUPTED
    assert err.splitlines()[-1] == SECOND_NOTICE and "Traceback" not in err


def test_an_interrupted_summary_leaves_everything_unfinished_not_established(tmp_path):
    """A stop that is due at once (an interruption whose grace has passed): valence, validity
    and the non-deciding search are not established; the report and the JSON say so (null,
    never false), and the JSON follows its schema."""
    import jsonschema
    from rich.console import Console

    from flpcheck import explore, load_protocol
    from flpcheck.analysis.summary import summarize
    from flpcheck.output.json import exploration_to_json
    from flpcheck.output.report import print_exploration
    from flpcheck.output.schemas import EXPLORE

    space = explore(load_protocol(MAJORITY, 3))
    result = summarize("Majority", space, stop=lambda: "interrupted")
    assert result.not_established == ["valence", "validity", "nondeciding"]
    data = exploration_to_json(result)
    jsonschema.validate(data, EXPLORE)
    assert data["valence"] is None and data["valence_lower_bounds"] is None
    assert {x["valence"] for x in data["initial"]} == {None}
    assert data["validity"]["holds"] is None and data["nondeciding"]["exists"] is None
    assert data["agreement"]["holds"] is False  # one pass, always finished
    assert data["not_established"] == ["valence", "validity", "nondeciding"]
    console = Console(record=True, width=200)
    print_exploration(console, result)
    text = console.export_text()
    assert "Valence: not established (interrupted before it was computed)" in text
    assert "validity: not established: interrupted before the check finished" in text
    assert "crash-free termination: not established: interrupted before the search finished" \
        in text


# -- unbounded growth ----------------------------------------------------------------------------


def test_the_growth_watch_warns_once_when_the_depth_keeps_growing():
    now = [0.0]
    watch = GrowthWatch(after=10.0, clock=lambda: now[0])
    seen = []
    for t, depth in [(1, 2), (4, 2), (6, 2), (9, 3), (10, 2), (12, 6), (14, 7), (30, 9)]:
        now[0] = t
        seen.append(watch.update(1000 * t, depth))
    # before 10 s nothing (at 9 s the depth grew, but too early); at 10 s the depth (2) is no
    # deeper than half a period before (2, at 1 s); at 12 s it is (6 > 2, at 6 s): one line,
    # never again
    assert seen[:5] == [None] * 5 and seen[5:] != [None] * 3 and seen[6:] == [None, None]
    assert seen[5] == ("still exploring after 12 s: depth 6 and growing, 12,000 configurations "
                       "(1,000/s); if the model can send or count without end, it is never "
                       "explored completely: bound it with --max-depth (e.g. --max-depth 6), "
                       "--max-configs or --max-buffer")


def test_a_finite_model_that_stops_growing_gets_no_warning():
    now = [0.0]
    watch = GrowthWatch(after=10.0, clock=lambda: now[0])
    for t in range(0, 60):
        now[0] = float(t)
        assert watch.update(100 * t, 20) is None


def test_an_unbounded_model_gets_the_growth_line_on_stderr_even_with_json(monkeypatch):
    """Paxos with unbounded rounds keeps getting deeper; with the watch's period shortened
    to a second, a 4-second run says so on stderr, and stdout stays one JSON object."""
    monkeypatch.setattr(GrowthWatch, "AFTER", 1.0)
    result = CliRunner().invoke(main, ["explore", str(MODELS / "paxos_rounds.py:PaxosRounds"),
                                       "--json", "--timeout", "4"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cut_reasons"] == ["timeout"]
    assert "and growing" in result.stderr and "--max-depth" in result.stderr
    bounded = CliRunner().invoke(main, ["explore", str(MODELS / "paxos_rounds.py:PaxosRounds"),
                                        "--json", "--timeout", "3", "--max-depth", "50"])
    assert "and growing" not in bounded.stderr  # a depth bound given: no advice
