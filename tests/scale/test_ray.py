"""The partition engine on Ray (a local Ray of 2 workers, started once for this module): the
same answers as one process, a worker that dies ends the run, and the CLI without Ray says how
to install it. The longer checks are marked slow (--runslow)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from flpcheck import explore
from flpcheck.cli.main import main
from flpcheck.errors import WorkerLost
from flpcheck.explorer.partition.engine import PartitionEngine
from flpcheck.model.loader import load_protocol

from ..explorer.test_engines import model_specs
from ..paths import MODELS, ROOT
from ..strategies import table_protocols
from .test_partition import answers

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.usefixtures("local_ray")


@pytest.mark.parametrize("spec", ["majority.py:3", "paxos.py:Paxos:3"])
def test_two_ray_workers_give_the_single_process_answers(spec):
    path, _, n = spec.rpartition(":")
    protocol = load_protocol(str(MODELS / path), int(n))
    space = explore(protocol, workers=2)
    assert space.engine == "partition" and "2 workers" in space.engine_note
    assert answers(space) == answers(explore(load_protocol(str(MODELS / path), int(n))))


def test_a_worker_that_dies_ends_the_run_with_a_message():
    engine = PartitionEngine(2, ray=True, chunk=64)
    calls = []

    def stop():  # the second time the search asks, one worker is killed
        calls.append(1)
        if len(calls) == 2:
            os.kill(engine.report["workers"][1][0], signal.SIGKILL)
        return None

    started = time.monotonic()
    with pytest.raises(WorkerLost, match="worker of the run died"):
        explore(load_protocol(str(MODELS / "majority.py"), 4), engine=engine, stop=stop)
    assert time.monotonic() - started < 120


def test_without_ray_the_workers_option_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails
    result = CliRunner().invoke(main, ["explore", str(MODELS / "majority.py"), "-n", "2",
                                       "--workers", "2"])
    assert result.exit_code == 2
    assert "pip install 'flpcheck[ray]'" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("spec", model_specs(), ids=lambda s: s.rpartition("/")[2])
def test_every_model_on_two_ray_workers(spec):
    bounds = {"max_depth": 5}
    assert answers(explore(load_protocol(spec), workers=2, **bounds)) == \
        answers(explore(load_protocol(spec), **bounds))


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(table_protocols(), st.sampled_from([0, 1, 3]))
def test_random_protocols_on_two_ray_workers(protocol, max_buffer):
    assert answers(explore(protocol, workers=2, max_buffer=max_buffer)) == \
        answers(explore(protocol, max_buffer=max_buffer))


@pytest.mark.slow
def test_sigint_stops_every_worker_and_prints_the_partial_report():
    """Ctrl-C during a run on 2 workers (a local Ray of its own): the partial report, exit
    130, and no worker left behind."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "flpcheck", "explore", str(MODELS / "majority.py"), "-n", "5",
         "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(25)  # Ray started, the search well under way
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "INCOMPLETE" in out and "interrupted" in out + err


@pytest.mark.slow
def test_workers_started_from_a_directory_holding_a_folder_named_flpcheck(tmp_path):
    """Run from the directory holding a checkout (a folder named flpcheck, not the package):
    the local Ray puts that directory first on its workers' path, where ``import flpcheck``
    found the folder; the workers load the real package, and the answers are one process's
    (Majority N=3: 2,542 configurations, agreement violated, exit 1)."""
    (tmp_path / "flpcheck").mkdir()
    (tmp_path / "flpcheck" / "README.md").write_text("a checkout\n")
    # -P: this driver does not put the directory on its own path, as the flpcheck script
    proc = subprocess.run(
        [sys.executable, "-P", "-m", "flpcheck", "explore", str(MODELS / "majority.py"),
         "--workers", "2", "--json"], cwd=tmp_path, capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 1, proc.stderr
    data = __import__("json").loads(proc.stdout)
    assert (data["configurations"], data["agreement"]["holds"]) == (2542, False)
    assert "partition engine: 2 workers" in proc.stderr


def test_a_worker_that_cannot_start_says_why():
    """An actor that raises while starting is reported with its own error, not as a worker
    that died (perhaps out of memory)."""
    from flpcheck.explorer.partition.ray_parts import RayParts

    class Failed(Exception):
        actor_init_failed = True
        error_msg = ("The actor died because of an error raised in its creation task\n"
                     "Traceback ...\n\x1b[36mImportError: cannot import name 'Protocol' from "
                     "'flpcheck' (unknown location)\x1b[39m")

    lost = RayParts._lost(object.__new__(RayParts), Failed())
    assert str(lost) == ("a Ray worker could not start: ImportError: cannot import name "
                         "'Protocol' from 'flpcheck' (unknown location); the run is stopped")
