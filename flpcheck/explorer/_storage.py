"""Storage internals of the batch engine: growable narrow arrays and a hashed row index.

:class:`Growable`: the explorer appends to a dozen per-configuration and per-edge arrays whose
final length is unknown. Doubling into fresh arrays costs a copy per growth and leaves up to
half of the last array unused; here the array is resized in place (``ndarray.resize``, a
``realloc``, which for large arrays moves pages with ``mremap`` instead of copying) by a factor
of 1.25, and trimmed to its length at the end. Integer arrays start in a small type (``uint8``
for event ids and rows of state and sub-buffer ids while there are few of them) and widen,
once, when a value needs it: values are checked on every append, so a narrow type never
truncates silently.

:class:`RowIndex`: configuration rows (local state ids, then sub-buffer ids) to configuration
ids. It stores a 64-bit hash of each row in sorted runs (a log-structured merge: a new run per
batch, runs of similar size merged), about 12 bytes per configuration, and looks a whole batch
up with ``searchsorted``. Every hit is verified against the stored row, so a hash collision is
detected and reported (:class:`~flpcheck.errors.HashCollision`), never a silent merge of two
configurations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ..errors import HashCollision

__all__ = ["Growable", "RowIndex", "row_hash"]

GROWTH = 1.25
_SIGNED = tuple(map(np.dtype, (np.int8, np.int16, np.int32, np.int64)))
_UNSIGNED = tuple(map(np.dtype, (np.uint8, np.uint16, np.uint32, np.int64)))  # then signed
MIN_CAPACITY = 1024


class Growable:
    """Append-only array; ``view`` is its filled part, ``final()`` hands it over trimmed."""

    def __init__(self, dtype: npt.DTypeLike, width: int | None = None) -> None:
        shape = (MIN_CAPACITY,) if width is None else (MIN_CAPACITY, width)
        self.data: npt.NDArray = np.zeros(shape, dtype=dtype)
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def extend(self, values: npt.ArrayLike) -> None:
        """Append ``values`` (rows of the right width for a 2-d array)."""
        values = np.asarray(values)
        if values.size == 0:
            return
        if self.data.dtype.kind in "iu":
            self._fit(int(values.min()), int(values.max()))
        need = self.size + len(values)
        if need > len(self.data):
            self._resize(max(need, int(len(self.data) * GROWTH) + MIN_CAPACITY))
        self.data[self.size : need] = values
        self.size = need

    @property
    def view(self) -> npt.NDArray:
        """The filled part (a view: do not keep it across an ``extend``)."""
        return self.data[: self.size]

    def truncate(self, size: int) -> None:
        """Forget everything past the first ``size`` entries."""
        self.size = min(size, self.size)

    def final(self) -> npt.NDArray:
        """The filled part, its spare capacity released."""
        self._resize(self.size)
        return self.data

    def _fit(self, lo: int, hi: int) -> None:
        info = np.iinfo(self.data.dtype)
        if info.min <= lo and hi <= info.max:
            return
        signed = lo < 0 or self.data.dtype.kind == "i"
        for wide in (_SIGNED if signed else _UNSIGNED):
            if (np.can_cast(self.data.dtype, wide) and np.iinfo(wide).min <= lo
                    and hi <= np.iinfo(wide).max):
                self.data = self.data.astype(wide)
                return
        raise OverflowError(f"values {lo}..{hi} do not fit a 64-bit integer array")

    def _resize(self, capacity: int) -> None:
        shape = (capacity, *self.data.shape[1:])
        try:
            self.data.resize(shape, refcheck=True)  # in place; refuses while views exist
        except ValueError:  # someone holds a view: copy instead of invalidating it
            grown = np.zeros(shape, dtype=self.data.dtype)
            keep = min(self.size, capacity)
            grown[:keep] = self.data[:keep]
            self.data = grown


_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def _mix(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    h = h ^ (h >> np.uint64(30))
    h = h * _M1
    h = h ^ (h >> np.uint64(27))
    h = h * _M2
    return h ^ (h >> np.uint64(31))


def row_hash(rows: npt.NDArray[np.int32]) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of every row (splitmix64 over the columns); the same in every run."""
    h = np.full(rows.shape[0], _GOLD, dtype=np.uint64)
    for j in range(rows.shape[1]):
        salt = np.uint64(((j + 1) * 0x9E3779B97F4A7C15) % 2**64)
        h = _mix(h ^ (rows[:, j].astype(np.uint64) + salt))
    return h


class RowIndex:
    """Row -> id for rows stored elsewhere (``rows_of(ids)`` returns them, for verification)."""

    def __init__(self, rows_of: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int32]]):
        self.rows_of = rows_of
        self.runs: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]] = []

    def __len__(self) -> int:
        return sum(len(k) for k, _ in self.runs)

    def lookup(self, rows: npt.NDArray[np.int32],
               hashes: npt.NDArray[np.uint64] | None = None) -> npt.NDArray[np.int64]:
        """The id of every row, -1 where the row is not in the index."""
        h = row_hash(rows) if hashes is None else hashes
        # distinct hashes in sorted order: each binary search starts where the last ended
        uh, inv = np.unique(h, return_inverse=True)
        found_u = np.full(len(uh), -1, dtype=np.int64)
        for keys, ids in self.runs:
            pos = np.searchsorted(keys, uh)
            np.minimum(pos, len(keys) - 1, out=pos)
            hit = keys[pos] == uh
            found_u[hit] = ids[pos[hit]]
        out = found_u[inv.reshape(-1)]
        found = np.flatnonzero(out >= 0)
        if found.size and not np.array_equal(self.rows_of(out[found]), rows[found]):
            raise HashCollision("two configurations share a 64-bit hash (probability about "
                                "n^2 / 2^65)")
        return out

    def lookup_distinct(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """The stored id under each of ``hashes`` (sorted and distinct), -1 where none, not
        verified (the caller compares the rows). The newest run is searched first and each
        older run only for the hashes not found yet: in a breadth-first search most hits are
        recent, so the large old runs see few queries."""
        found = np.full(len(hashes), -1, dtype=np.int64)
        todo = np.arange(len(hashes))
        queries = hashes
        for keys, ids in reversed(self.runs):
            if not len(queries):
                break
            pos = np.searchsorted(keys, queries)
            np.minimum(pos, len(keys) - 1, out=pos)
            hit = keys[pos] == queries
            if hit.any():
                found[todo[hit]] = ids[pos[hit]]
                miss = ~hit
                todo, queries = todo[miss], queries[miss]
        return found

    def add(self, hashes: npt.NDArray[np.uint64], ids: npt.NDArray[np.int64]) -> None:
        """Index rows (given by their hashes, all new and distinct) under ``ids``."""
        if len(hashes) == 0:
            return
        order = np.argsort(hashes, kind="stable")
        self.add_sorted(hashes[order], ids[order])

    def add_sorted(self, hashes: npt.NDArray[np.uint64], ids: npt.NDArray[np.int64]) -> None:
        """:meth:`add` for hashes already sorted."""
        if len(hashes) == 0:
            return
        self.runs.append((hashes, ids.astype(np.int32)))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            self.runs.append(_merge(self.runs.pop(-2), self.runs.pop()))


def _merge(older: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]],
           newer: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]
           ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
    """Merge two sorted runs (the older first among equal keys) without a sort: each newer
    key goes to its rank in the older run plus its own position."""
    (k1, i1), (k2, i2) = older, newer
    pos = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))
    keys = np.empty(len(k1) + len(k2), dtype=np.uint64)
    ids = np.empty(len(keys), dtype=np.int32)
    old = np.ones(len(keys), dtype=bool)
    old[pos] = False
    keys[pos], ids[pos] = k2, i2
    keys[old], ids[old] = k1, i1
    return keys, ids


def distinct(h: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64],
                                                 npt.NDArray[np.int64]]:
    """(the distinct hashes, sorted; the group of every hash; the first position of every
    group): ``np.unique`` with ``return_index`` and ``return_inverse``, without its stable
    sort (the first positions come from a minimum over each group)."""
    if len(h) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return h[:0], empty, empty
    order = np.argsort(h)
    sh = h[order]
    start = np.empty(len(sh), dtype=bool)
    start[0] = True
    np.not_equal(sh[1:], sh[:-1], out=start[1:])
    starts = np.flatnonzero(start)
    inv = np.empty(len(h), dtype=np.int64)
    inv[order] = np.cumsum(start) - 1
    return sh[starts], inv, np.minimum.reduceat(order, starts).astype(np.int64)
