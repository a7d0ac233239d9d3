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
    st.lists(st.integers(0, 7), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=60, max_size=60), st.booleans())))
def test_forward_sweeps_reach_what_backward_reachability_reaches(graph):
    """reach_bits (forward sweeps, no reversed graph) against reach on the reversed graph,
    bit by bit, on random graphs, with (half of the time) an edge mask, vectorized and with
    the node-by-node pass; with one sweep allowed it either settles or says so."""
    from flpcheck.analysis import graph as graph_module
    from flpcheck.analysis.graph import CSR, reach, reach_bits, reverse

    n, edges, bits, allowed, masked = graph
    edges.sort()
    indptr = np.searchsorted([s for s, _ in edges], np.arange(n + 1)).astype(np.int64)
    csr = CSR(indptr, np.array([d for _, d in edges], dtype=np.int32))
    start = np.array(bits, dtype=np.uint8)
    ok = np.array(allowed[:len(edges)], dtype=bool) if masked else None
    expected = np.zeros(n, dtype=np.uint8)
    for b in range(3):
        expected |= reach(reverse(csr), (start >> b & 1) != 0, ok).astype(np.uint8) << b
    got = reach_bits(csr, start, max_sweeps=n + 2, chunk=4, edge_ok=ok)
    assert got is not None and np.array_equal(got, expected)
    once = reach_bits(csr, start, max_sweeps=1, chunk=4, edge_ok=ok)
    assert once is None or np.array_equal(once, expected)
    saved = graph_module.SEQUENTIAL_AFTER
    graph_module.SEQUENTIAL_AFTER = 1  # the node-by-node pass after the first round
    try:
        sequential = reach_bits(csr, start, max_sweeps=n + 2, chunk=64, edge_ok=ok)
    finally:
        graph_module.SEQUENTIAL_AFTER = saved
    assert sequential is not None and np.array_equal(sequential, expected)


@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80),
    st.sets(st.integers(0, n - 1), min_size=1, max_size=3),
    st.lists(st.booleans(), min_size=80, max_size=80), st.booleans())))
def test_reach_and_bfs_node_by_node_give_what_plain_search_gives(case):
    """reach and bfs, node by node (thin frontiers: the default on graphs this small) and
    vectorized (SMALL = 0), against a plain breadth-first search over the edge list, with an
    edge filter and (half of the time) relabelled edge ids as a reversed graph has."""
    from flpcheck.analysis import graph as g

    n, edges, sources, allowed, labelled = case
    edges.sort()
    indptr = np.searchsorted([s for s, _ in edges], np.arange(n + 1)).astype(np.int64)
    labels = np.arange(len(edges))[::-1].copy() if labelled else None
    csr = g.CSR(indptr, np.array([d for _, d in edges], dtype=np.int32), labels)
    ok = np.array(allowed[:len(edges)], dtype=bool)
    label = (lambda k: int(labels[k])) if labelled else (lambda k: k)
    dist = {s: 0 for s in sources}  # plain BFS: lowest source, then lowest edge first
    parent: dict[int, int] = {}
    level = sorted(sources)
    while level:
        nxt = []
        for v in level:
            for k, (s, d) in enumerate(edges):
                if s == v and ok[label(k)] and d not in dist:
                    dist[d] = dist[v] + 1
                    parent[d] = label(k)
                    nxt.append(d)
        level = sorted(nxt)
    start = np.zeros(n, dtype=bool)
    start[sorted(sources)] = True
    for small in (g.SMALL, 0):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(g, "SMALL", small)
            assert np.flatnonzero(g.reach(csr, start, ok)).tolist() == sorted(dist)
            got, tree = g.bfs(csr, np.array(sorted(sources)), ok)
        assert {v: int(got[v]) for v in np.flatnonzero(got >= 0).tolist()} == dist
        assert {v: int(tree[v]) for v in np.flatnonzero(tree >= 0).tolist()} == parent


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


@given(st.lists(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=40), min_size=1,
                max_size=8), st.lists(st.integers(0, 2**64 - 1), max_size=20))
def test_filtered_runs_find_every_hash_and_only_those(batches, strangers):
    """With a membership filter on every run (the threshold lowered to 1), each hash added is
    found under its id and a hash never added is not: a filter may let a stranger through to
    the binary search but never turns a member away."""
    from flpcheck.explorer import _storage

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_storage, "FILTER_FROM", 1)
        index = RowIndex(lambda ids: None)
        ids: dict[int, int] = {}
        for batch in batches:
            new = sorted(set(batch) - set(ids))
            if new:
                base = len(ids)
                index.add(np.array(new, dtype=np.uint64),
                          np.arange(base, base + len(new), dtype=np.int64))
                ids.update((h, base + k) for k, h in enumerate(new))
        assert all(f is not None for f in index.filters)
        probe = sorted(set(ids) | set(strangers))
        got = index.lookup_distinct(np.array(probe, dtype=np.uint64)).tolist()
        assert got == [ids.get(h, -1) for h in probe]


def test_a_filter_turns_away_most_strangers():
    """8 bits per hash and one probe: about 1 - e^(-1/8) = 12 % of absent hashes pass (the
    bits are rounded up to a power of two: fewer here); every member passes."""
    from flpcheck.explorer._storage import _Filter

    rng = np.random.default_rng(7)
    keys = np.sort(rng.integers(0, 2**64 - 1, 100_000, dtype=np.uint64))
    filt = _Filter(keys)
    assert filt.maybe(keys).all()
    assert filt.maybe(rng.integers(0, 2**64 - 1, 100_000, dtype=np.uint64)).mean() < 0.13


@given(st.lists(st.integers(0, 60), max_size=300), st.integers(0, 3))
def test_distinct_is_numpys_unique(values, spread):
    """distinct gives np.unique's sorted values, inverse and first indices, also where
    different hashes agree on their high bits (the spread puts values in the top bits or the
    low bits, where the packed sort cannot tell them apart)."""
    from flpcheck.explorer._storage import distinct

    h = np.array(values, dtype=np.uint64)
    if spread == 1:
        h = (h << np.uint64(58)) | (h % np.uint64(3))
    elif spread == 2:
        h = h * np.uint64(0x9E3779B97F4A7C15)
    uh, inv, first = distinct(h)
    eu, ef, ei = np.unique(h, return_index=True, return_inverse=True)
    assert uh.tolist() == eu.tolist() and first.tolist() == ef.tolist()
    assert inv.tolist() == ei.reshape(-1).tolist()


def test_rows_indexed_at_once_are_found_and_a_shared_hash_is_refused():
    """add_rows (a graph taken over from the thin start, or restored from a checkpoint)
    indexes rows under ids 0, 1, ...; two rows with one hash are refused (here the same row
    twice: the same hash, as a collision would give)."""
    rows = np.array([[1, 2], [3, 4], [0, 0], [7, 1]], dtype=np.int32)
    index = RowIndex(lambda ids: rows[ids])
    index.add_rows(rows)
    assert index.lookup(rows[::-1]).tolist() == [3, 2, 1, 0]
    assert index.lookup(np.array([[4, 3]], dtype=np.int32)).tolist() == [-1]
    with pytest.raises(HashCollision):
        RowIndex(lambda ids: rows[ids]).add_rows(rows[[0, 1, 0]])
