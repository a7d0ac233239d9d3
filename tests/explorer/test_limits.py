"""Bounds, timeouts and signals stop a run cleanly, with a partial report that says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from click.testing import CliRunner

from flpcheck.cli import main
from flpcheck.cli.common import EXIT_INTERRUPTED

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
