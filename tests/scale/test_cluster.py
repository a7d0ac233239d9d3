"""The cluster path: a two-node local Ray cluster, the run joining it by address, one worker
per node, the model shipped with the job; the same answers as one process (slow)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ..paths import ROOT

pytest.importorskip("ray")


@pytest.mark.slow
@pytest.mark.parametrize("left", [False, True], ids=["gathered", "left-on-the-workers"])
def test_two_nodes_give_the_single_process_answers(left):
    """benchmarks/cluster_two_nodes.py in its own process (its own Ray): it exits 0 when the
    workers ran on two nodes and the answers are one process's."""
    args = [sys.executable, "-m", "benchmarks.cluster_two_nodes", "-n", "3"]
    out = subprocess.run(args + (["--left"] if left else []), cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert '"workers on distinct nodes": true' in out.stdout
