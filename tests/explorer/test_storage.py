"""The storage under the batch explorer: growable narrow arrays and the hashed row index."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flpcheck.errors import HashCollision
from flpcheck.explorer._storage import Growable, RowIndex, row_hash

from ..reference import reference_explore


def test_growable_keeps_every_value_and_trims():
    g = Growable(np.int32)
    for k in range(50):
        g.extend(np.arange(k * 100, (k + 1) * 100))
    out = g.final()
    assert out.tolist() == list(range(5000))
    assert len(out) == 5000 and out.base is None  # trimmed in place: no spare capacity kept


@given(st.lists(st.integers(-2**40, 2**40), min_size=1, max_size=60))
def test_growable_widens_instead_of_truncating(values):
    """Starting at uint8, every value comes back exactly (the type widens when needed)."""
    g = Growable(np.uint8)
    for v in values:
        g.extend(np.array([v], dtype=np.int64))
    assert g.final().tolist() == values


def test_growable_narrow_type_when_values_fit():
    g = Growable(np.uint8, 4)
    g.extend(np.array([[1, 2, 3, 255]] * 3000, dtype=np.int32))
    assert g.data.dtype == np.uint8
    g.extend(np.array([[256, 0, 0, 0]], dtype=np.int32))
    assert g.data.dtype == np.uint16 and g.view[-1].tolist() == [256, 0, 0, 0]
    assert g.view[:3000].tolist() == [[1, 2, 3, 255]] * 3000


def test_growable_copies_rather_than_invalidate_a_view():
    """A view kept across a growth still shows the old values (no dangling memory)."""
    g = Growable(np.int64)
    g.extend(np.arange(1000))
    kept = g.view
    g.extend(np.arange(1000, 5000))
    assert kept.tolist() == list(range(1000))
    assert g.view.tolist() == list(range(5000))


@given(st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=30), min_size=1, max_size=8))
def test_row_index_finds_every_row_it_was_given(batches):
    """Batches of rows added one after the other (runs merged as they come) are all found
    under their ids; rows never added are not."""
    rows_seen: dict[tuple[int, int], int] = {}
    store = []
    index = RowIndex(lambda ids: np.array(store, dtype=np.int32).reshape(-1, 2)[ids])
    for batch in batches:
        new = []
        for v in batch:
            row = (v, v % 7)
            if row not in rows_seen and row not in new:
                new.append(row)
        if not new:
            continue
        arr = np.array(new, dtype=np.int32)
        ids = np.arange(len(store), len(store) + len(new), dtype=np.int64)
        assert (index.lookup(arr) == -1).all()
        store.extend(new)
        index.add(row_hash(arr), ids)
        rows_seen.update(zip(new, ids.tolist(), strict=True))
    probe = np.array(list(rows_seen) + [(41, 0), (3, 4)], dtype=np.int32)
    assert index.lookup(probe).tolist() == list(rows_seen.values()) + [-1, -1]
    assert len(index) == len(rows_seen)


def test_row_index_reports_a_collision():
    """A hit whose stored row differs is a hash collision: reported, never a merge. Forged:
    configuration 0 is the row (1, 2) but is indexed under the hash of (3, 4)."""
    index = RowIndex(lambda ids: np.array([[1, 2]], dtype=np.int32)[ids])
    other = np.array([[3, 4]], dtype=np.int32)
    index.add(row_hash(other), np.array([0]))
    with pytest.raises(HashCollision):
        index.lookup(other)


def test_explored_arrays_are_narrow_and_exact():
    """Majority N=3 has few messages and local states: event ids fit uint8 and rows uint8 or
    uint16, and the narrow arrays give the reference's counts."""
    from flpcheck import explore
    from flpcheck.model.loader import load_protocol

    protocol = load_protocol("models/majority.py", 3)
    space = explore(protocol)
    ref = reference_explore(protocol)
    assert (len(space), space.num_events) == (len(ref.order), ref.events)
    assert space.edge_event.dtype == np.uint8
    assert space.rows.dtype.itemsize <= 2
    assert space.indptr.dtype == np.int32


@given(st.integers(1, 30).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60),
    st.lists(st.integers(0, 7), min_size=n, max_size=n))))
def test_forward_sweeps_reach_what_backward_reachability_reaches(graph):
    """reach_bits (forward sweeps, no reversed graph) against reach on the reversed graph,
    bit by bit, on random graphs; with one sweep allowed it either settles or says so."""
    from flpcheck.analysis.graph import CSR, reach, reach_bits, reverse

    n, edges, bits = graph
    edges.sort()
    indptr = np.searchsorted([s for s, _ in edges], np.arange(n + 1)).astype(np.int64)
    csr = CSR(indptr, np.array([d for _, d in edges], dtype=np.int32))
    start = np.array(bits, dtype=np.uint8)
    expected = np.zeros(n, dtype=np.uint8)
    for b in range(3):
        expected |= reach(reverse(csr), (start >> b & 1) != 0).astype(np.uint8) << b
    got = reach_bits(csr, start, max_sweeps=n + 2, chunk=4)
    assert got is not None and np.array_equal(got, expected)
    once = reach_bits(csr, start, max_sweeps=1, chunk=4)
    assert once is None or np.array_equal(once, expected)


@pytest.mark.parametrize("bounds", [{}, {"max_depth": 5}])
def test_valence_fallback_gives_what_the_sweeps_give(bounds, monkeypatch):
    """When the forward sweeps do not settle, valence comes from backward passes over the
    reversed graph: same codes and the same exact/lower-bound marks (majority N=4, whole and
    cut at depth 5)."""
    from flpcheck import classify_valence, explore
    from flpcheck.analysis import valence
    from flpcheck.model.loader import load_protocol

    def classify(space_bounds):
        space = explore(load_protocol("models/majority.py", 4), **space_bounds)
        v = classify_valence(space)
        return space, v.codes, v.exact

    space, codes, exact = classify(bounds)
    monkeypatch.setattr(valence, "reach_bits", lambda *args, **kwargs: None)
    _, codes2, exact2 = classify(bounds)
    assert np.array_equal(codes, codes2) and np.array_equal(exact, exact2)
    assert space.complete == (not bounds) and (bool(bounds) == (not exact.all()))
