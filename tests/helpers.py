"""Helpers shared by tests of several layers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from flpcheck import classify_valence, explore
from flpcheck.analysis.graph import reach
from flpcheck.analysis.properties import check_safety
from flpcheck.errors import InvalidProtocol, ModelLoadError
from flpcheck.explorer.statespace import StateSpace
from flpcheck.model.loader import load_protocol, load_protocol_class

from .paths import MODELS

__all__ = ["MODEL_FILES", "smallest_space", "assert_same", "summary", "assert_reduction_exact",
           "ids_in"]


def _is_flp_model(path: Path) -> bool:
    """True for a model of the FLP message-buffer model (a Protocol subclass); round models
    (RoundProtocol, the synchronous model) have no configuration graph to export."""
    try:
        load_protocol_class(str(path))
    except ModelLoadError:
        return False
    return True


MODEL_FILES = [p for p in sorted(MODELS.glob("*.py")) if _is_flp_model(p)]


def smallest_space(path: Path) -> StateSpace:
    """The model explored with the smallest N it accepts (2 where it can), at most 150
    configurations so that a model added later keeps these tests fast."""
    for n in (2, None):
        try:
            return explore(load_protocol(str(path), n), max_configs=150)
        except InvalidProtocol:
            continue
    raise AssertionError(f"{path} accepts neither N=2 nor its default")



FIELDS = ("indptr", "edge_dst", "edge_event", "depth", "parent_edge", "decided", "expanded")


def sub_buffers(space):
    """Every configuration's sub-buffers as message-id tuples (the engines may number the
    sub-buffers differently: the batch engine interns the additions of a block together)."""
    return [tuple(space.buffers[b] for b in row[space.n:]) for row in space.rows.tolist()]


def assert_same(a, b):
    """Two spaces with the same configurations under the same ids, the same edges, the same
    everything (what two engines must build)."""
    for name in FIELDS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.rows[:, : a.n], b.rows[:, : b.n])  # local state ids
    assert sub_buffers(a) == sub_buffers(b)
    # where max-configs cuts inside a block, the batch engine has already computed moves it
    # then does not apply, interning their states and messages: its tables may be longer
    assert b.table.messages[: len(a.table.messages)] == a.table.messages
    assert b.table.states[: len(a.table.states)] == a.table.states
    assert a.initial == b.initial
    assert a.cut_reasons == b.cut_reasons
    assert a.decision_change_edge == b.decision_change_edge
    # steps left to chance: the same outcome and probability on every edge (None for both
    # without chance)
    for name in ("edge_outcome", "edge_probability"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert np.array_equal(x, y), name
    assert b.probabilities[: len(a.probabilities)] == a.probabilities



def summary(space):
    """Counts, valence counts, initial valences and safety verdicts: what a reduction keeps."""
    valence = classify_valence(space)
    initial = sorted((x, valence.label(c)) for x, c in space.initial)
    props = [(p.name, p.holds, p.certain) for p in check_safety(space)]
    return (space.total_configurations(), space.total_events(), valence.counts(), initial, props)



def ids_in(space: StateSpace, other: StateSpace) -> np.ndarray:
    """For every configuration of ``space``, its id in ``other`` (-1 where ``other`` lacks
    it): rows translated through the values of local states and messages, then looked up all
    at once (no Python loop per configuration)."""
    n = space.n
    states = np.array([-1 if (s := other.table.find_state(v)) is None else s
                       for v in space.table.states], dtype=np.int64)
    msgs = []
    for dst, pl in space.table.messages:
        m = other.table.find_message(dst, space.table.payloads[pl])
        msgs.append(-1 if m is None else m)
    index = {b: i for i, b in enumerate(other.buffers)}
    subs = []
    for b in space.buffers:
        translated = [msgs[m] for m in b]
        subs.append(-1 if -1 in translated else index.get(tuple(sorted(translated)), -1))
    rows = space.rows.astype(np.int64)
    out = np.concatenate([states[rows[:, :n]], np.array(subs, dtype=np.int64)[rows[:, n:]]],
                         axis=1)
    ok = (out >= 0).all(axis=1)
    found = np.full(len(space), -1, dtype=np.int64)
    if ok.any():
        found[ok] = other.row_index.lookup(out[ok].astype(np.int32))
    return found


def _output_vectors(space, start):
    """The output vectors of the configurations reachable from ``start``."""
    sources = np.zeros(len(space), dtype=bool)
    sources[start] = True
    seen = np.flatnonzero(reach(space.arrays, sources))
    return {space.outputs(int(c)) for c in seen}


def assert_reduction_exact(full, reduced):
    """Same verdicts, same output vectors reachable from every initial configuration, the same
    valence for every configuration the reduction keeps, and a reduced graph inside the full."""
    assert [(r.name, r.holds, r.certain) for r in check_safety(reduced)] == \
        [(r.name, r.holds, r.certain) for r in check_safety(full)]
    assert (full.decision_change_edge is None) == (reduced.decision_change_edge is None)
    vf, vr = classify_valence(full), classify_valence(reduced)
    for (x, cf), (y, cr) in zip(full.initial, reduced.initial, strict=True):
        assert x == y
        assert _output_vectors(full, cf) == _output_vectors(reduced, cr)
    twins = ids_in(reduced, full)
    assert (twins >= 0).all()
    assert np.array_equal(vr.codes, vf.codes[twins])
    assert len(reduced) <= len(full) and reduced.num_events <= full.num_events
