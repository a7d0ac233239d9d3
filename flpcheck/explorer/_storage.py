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
batch, runs of similar size merged), about 13 bytes per configuration with the filters of the
large runs, and looks a whole batch up with ``searchsorted``. Every hit is verified against
the stored row, so a hash collision is detected and reported
(:class:`~flpcheck.errors.HashCollision`), never a silent merge of two configurations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ..errors import HashCollision

__all__ = ["Growable", "RowIndex", "column_hash", "row_hash"]

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


def column_hash(column: int | npt.NDArray[np.integer],
                values: npt.NDArray[np.integer]) -> npt.NDArray[np.uint64]:
    """The share of ``values`` at ``column`` (a column index or one per value) in a row's
    hash: splitmix64 of the value salted by its column."""
    salt = np.multiply(np.asarray(column, dtype=np.uint64) + np.uint64(1), _GOLD,
                       dtype=np.uint64, out=np.empty(np.shape(column), dtype=np.uint64))
    return _mix(values.astype(np.uint64) ^ salt)


def row_hash(rows: npt.NDArray[np.integer]) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of every row, the same in every run: the sum (modulo 2^64) of its
    columns' shares (:func:`column_hash`; Zobrist hashing), so a successor's hash follows
    from its source's by the shares of the columns that changed."""
    h = np.zeros(rows.shape[0], dtype=np.uint64)
    for j in range(rows.shape[1]):
        h += column_hash(j, rows[:, j])
    return h


FILTER_FROM = 1 << 16
"""Runs of at least this many hashes get a membership filter (smaller ones stay in cache:
their binary search is already cheap)."""
FILTER_BITS = 8
"""Bits of filter per hash: one probe answers "not in this run" for all but about 12 % of the
hashes that are not there (1 - e^(-1/8)), for a byte per indexed configuration."""


class _Filter:
    """A one-probe membership filter over a run's sorted hashes: bit ``h >> shift`` is set for
    each hash h of the run (the top bits: hashes are uniform). A clear bit proves a hash absent;
    a set bit sends it to the binary search."""

    __slots__ = ("shift", "bits")

    def __init__(self, keys: npt.NDArray[np.uint64]) -> None:
        width = (FILTER_BITS * len(keys)).bit_length()
        self.shift = np.uint64(64 - width)
        at = keys >> self.shift  # sorted, as the keys are
        self.bits = np.empty(((1 << width) + 7) // 8, dtype=np.uint8)
        # one flag byte per bit, packed: a slice of the bits at a time bounds the temporary
        step = 1 << min(width, 18)
        flags = np.zeros(step, dtype=bool)
        ends = np.searchsorted(at, np.arange(step, (1 << width) + 1, step, dtype=np.uint64))
        lo = 0
        for k, hi in enumerate(ends.tolist()):
            flags[:] = False
            flags[at[lo:hi] - np.uint64(k * step)] = True
            self.bits[k * step // 8:(k + 1) * step // 8] = np.packbits(flags, bitorder="little")
            lo = hi

    def maybe(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        """False where a hash is certainly not in the run."""
        at = hashes >> self.shift
        return ((self.bits[at >> np.uint64(3)] >> (at & np.uint64(7)).astype(np.uint8)) & 1
                ).astype(bool)


class RowIndex:
    """Row -> id for rows stored elsewhere (``rows_of(ids)`` returns them, for verification)."""

    def __init__(self, rows_of: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.int32]]):
        self.rows_of = rows_of
        self.runs: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]] = []
        self.filters: list[_Filter | None] = []  # one per run (None: a small run)

    def __len__(self) -> int:
        return sum(len(k) for k, _ in self.runs)

    @property
    def nbytes(self) -> int:
        """The memory held: hashes, ids and filters."""
        return sum(k.nbytes + i.nbytes for k, i in self.runs) + sum(
            f.bits.nbytes for f in self.filters if f is not None)

    def clear(self) -> None:
        """Forget every row (frees the memory)."""
        self.runs.clear()
        self.filters.clear()

    def lookup(self, rows: npt.NDArray[np.int32],
               hashes: npt.NDArray[np.uint64] | None = None) -> npt.NDArray[np.int64]:
        """The id of every row, -1 where the row is not in the index."""
        h = row_hash(rows) if hashes is None else hashes
        # distinct hashes in sorted order: each binary search starts where the last ended
        uh, inv = np.unique(h, return_inverse=True)
        out = self.lookup_distinct(uh)[inv.reshape(-1)]
        found = np.flatnonzero(out >= 0)
        if found.size and not np.array_equal(self.rows_of(out[found]), rows[found]):
            raise HashCollision("two configurations share a 64-bit hash (probability about "
                                "n^2 / 2^65)")
        return out

    def lookup_distinct(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """The stored id under each of ``hashes`` (sorted and distinct), -1 where none, not
        verified (the caller compares the rows). The newest run is searched first and each
        older run only for the hashes not found yet: in a breadth-first search most hits are
        recent, so the large old runs see few queries; a large run's filter turns away most
        of the hashes it does not hold before the binary search."""
        found = np.full(len(hashes), -1, dtype=np.int64)
        todo = np.arange(len(hashes))
        for (keys, ids), filt in zip(reversed(self.runs), reversed(self.filters), strict=True):
            if not len(todo):
                break
            ask = todo if filt is None else todo[filt.maybe(hashes[todo])]
            if not len(ask):
                continue
            queries = hashes[ask]
            pos = np.searchsorted(keys, queries)
            np.minimum(pos, len(keys) - 1, out=pos)
            hit = keys[pos] == queries
            if hit.any():
                found[ask[hit]] = ids[pos[hit]]
                todo = todo[found[todo] < 0]
        return found

    def add(self, hashes: npt.NDArray[np.uint64], ids: npt.NDArray[np.int64]) -> None:
        """Index rows (given by their hashes, all new and distinct) under ``ids``."""
        if len(hashes) == 0:
            return
        order = np.argsort(hashes, kind="stable")
        self.add_sorted(hashes[order], ids[order])

    def add_rows(self, rows: npt.NDArray[np.integer]) -> None:
        """Index ``rows``, stored under ids 0, 1, ... (an index still empty: a graph taken
        over or restored); :class:`~flpcheck.errors.HashCollision` where two share a hash."""
        h = row_hash(rows)
        order = np.argsort(h)
        sh = h[order]
        if (sh[1:] == sh[:-1]).any():
            raise HashCollision("two configurations share a 64-bit hash")
        self.add_sorted(sh, order)

    def add_sorted(self, hashes: npt.NDArray[np.uint64], ids: npt.NDArray[np.int64]) -> None:
        """:meth:`add` for hashes already sorted."""
        if len(hashes) == 0:
            return
        self._push((hashes, ids.astype(np.int32)))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            newer, older = self._pop(), self._pop()
            self._push(_merge(older, newer))

    def _push(self, run: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]) -> None:
        self.runs.append(run)
        self.filters.append(_Filter(run[0]) if len(run[0]) >= FILTER_FROM else None)

    def _pop(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
        self.filters.pop()
        return self.runs.pop()


def _merge(older: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]],
           newer: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]
           ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
    """Merge two sorted runs (the older first among equal keys): a stable sort of the two
    runs one after the other, which numpy's timsort does as one linear merge."""
    keys = np.concatenate((older[0], newer[0]))
    order = np.argsort(keys, kind="stable")
    return keys[order], np.concatenate((older[1], newer[1]))[order]


def distinct(h: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64],
                                                 npt.NDArray[np.int64]]:
    """(the distinct values, sorted; the group of every value; the first position of every
    group): ``np.unique`` with ``return_index`` and ``return_inverse``, faster. The order
    comes from sorting values, not from an ``argsort`` (numpy sorts 64-bit values with SIMD,
    about three times as fast), each packed with its position in the low bits, so the sort
    also puts the first of each group first: small values whole beside it; hashes by their
    high bits, and where two different hashes agree on those (rare: the position takes
    about 17 bits) the sorted hashes are out of order and an ``argsort`` is used instead."""
    if len(h) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return h[:0], empty, empty
    bits = max(1, int(len(h) - 1).bit_length())
    low = np.uint64((1 << bits) - 1)
    position = np.arange(len(h), dtype=np.uint64)
    whole = int(h.max()) < 1 << (64 - bits)
    packed = ((h << np.uint64(bits)) if whole else (h & ~low)) | position
    packed.sort()
    order = (packed & low).astype(np.int64)
    sh = (packed >> np.uint64(bits)) if whole else h[order]
    start = np.empty(len(sh), dtype=bool)
    start[0] = True
    np.not_equal(sh[1:], sh[:-1], out=start[1:])
    if not whole and not (sh[1:] >= sh[:-1]).all():  # hashes equal on the high bits only
        order = np.argsort(h, kind="stable")
        sh = h[order]
        np.not_equal(sh[1:], sh[:-1], out=start[1:])
    starts = np.flatnonzero(start)
    inv = np.empty(len(h), dtype=np.int64)
    inv[order] = np.cumsum(start) - 1
    return sh[starts], inv, order[starts]
