"""A numpy array that grows in place, in the narrowest integer type its values need.

The explorer appends to a dozen per-configuration and per-edge arrays whose final length is
unknown. Doubling into fresh arrays costs a copy per growth and leaves up to half of the last
array unused; here the array is resized in place (``ndarray.resize``, a ``realloc``, which for
large arrays moves pages with ``mremap`` instead of copying) by a factor of 1.25, and trimmed to
its length at the end. Integer arrays start in a small type (``uint8`` for event ids and
rows of state and sub-buffer ids while there are few of them) and widen, once, when a value
needs it: values are checked on every append, so a narrow type never truncates silently.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["Growable"]

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
