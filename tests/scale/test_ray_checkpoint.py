"""Checkpoints on real Ray workers (a local Ray of 2 workers; slow, --runslow): each partition
writes its own segment from its worker, a run stopped and resumed on the workers gives the
single-process answers, and a worker killed during a checkpointed run is replaced and every
partition reloaded from the last checkpoint instead of ending the run."""

from __future__ import annotations

import os
import signal

import pytest

from flpcheck import explore
from flpcheck.explorer.checkpoint import Checkpoint, Notice
from flpcheck.explorer.partition.engine import PartitionEngine
from flpcheck.model.loader import load_protocol

from ..paths import MODELS
from .test_partition import answers

ray = pytest.importorskip("ray")
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("local_ray")]


def majority(n: int):
    return load_protocol(str(MODELS / "majority.py"), n)


def test_stopped_on_workers_and_resumed_on_workers(tmp_path):
    """Stopped after a few levels (a checkpoint written at the stop: one segment per
    partition), then resumed on 2 new workers: the single-process answers."""
    calls = [0]

    def stop():
        calls[0] += 1
        return "interrupted" if calls[0] >= 8 else None

    notices: list[Notice] = []
    ck = Checkpoint(tmp_path / "ck", every=0.0, notice=notices.append)
    explore(majority(4), engine=PartitionEngine(2, ray=True, chunk=4096), workers=2, stop=stop,
            checkpoint=ck)
    last = notices[-1]
    assert last.kind in ("written", "kept") and last.sequence > 1
    names = {p.name for p in (tmp_path / "ck").iterdir()}
    assert {"seg-000001-p0.bin", "seg-000001-p1.bin"} <= names
    resumed = explore(majority(4), engine=PartitionEngine(2, ray=True, chunk=4096), workers=2,
                      checkpoint=Checkpoint(tmp_path / "ck", resume=True))
    assert answers(resumed) == answers(explore(majority(4)))


def test_a_killed_worker_is_replaced_and_the_run_goes_on(tmp_path):
    """Worker 1 killed with SIGKILL once two checkpoints are written: a notice names it, the
    run goes on from the last checkpoint, and the answers are the single-process ones."""
    engine = PartitionEngine(2, ray=True, chunk=4096)
    notices: list[Notice] = []
    killed = []

    def notice(n: Notice) -> None:
        notices.append(n)
        if n.kind == "written" and n.sequence == 2 and not killed:
            pid = engine.report["workers"][1][0]
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)

    space = explore(majority(4), engine=engine, workers=2,
                    checkpoint=Checkpoint(tmp_path / "ck", every=0.0, notice=notice))
    assert killed
    recovered = [n for n in notices if n.kind == "recovered"]
    assert len(recovered) == 1 and "p1" in recovered[0].note
    assert answers(space) == answers(explore(majority(4)))
