"""Threads change the speed, never the answer."""

import numpy as np
import pytest

from flpcheck import classify_valence, explore
from flpcheck.explorer import batch, parallel
from flpcheck.model.loader import load_protocol

from ..paths import MODELS


def test_chunks_split_evenly_and_not_below_the_minimum(monkeypatch):
    monkeypatch.setenv("FLPCHECK_WORKERS", "2")
    assert parallel.chunks(10, 1) == [slice(0, 5), slice(5, 10)]
    assert parallel.chunks(3, 2) == [slice(0, 3)]
    monkeypatch.setenv("FLPCHECK_WORKERS", "1")
    assert parallel.chunks(10, 1) == [slice(0, 10)]


def test_run_all_keeps_order_and_raises_what_a_task_raises(monkeypatch):
    monkeypatch.setenv("FLPCHECK_WORKERS", "2")
    assert parallel.run_all([lambda k=k: k * k for k in range(5)]) == [0, 1, 4, 9, 16]

    def boom():
        raise ValueError("task failed")

    with pytest.raises(ValueError, match="task failed"):
        parallel.run_all([lambda: 1, boom])


@pytest.mark.parametrize("spec", ["majority.py:4", "paxos.py:Paxos:3"])
def test_two_threads_build_the_same_space_and_valence_as_one(spec, monkeypatch):
    """The threshold is lowered so that the threaded path runs on a small graph."""
    path, _, n = spec.rpartition(":")
    results = []
    for workers in ("1", "2"):
        monkeypatch.setenv("FLPCHECK_WORKERS", workers)
        monkeypatch.setattr(batch, "PARALLEL_FROM", 0)
        space = explore(load_protocol(str(MODELS / path), int(n)))
        results.append((space, classify_valence(space)))
    (a, va), (b, vb) = results
    for name in ("rows", "indptr", "edge_dst", "edge_event", "depth", "parent_edge", "decided"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(va.codes, vb.codes)
