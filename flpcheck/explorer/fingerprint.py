"""Content fingerprints: 64-bit numbers for local states, messages and sub-buffers that are the
same in every process, whatever order each interned them in.

The partitions of :mod:`flpcheck.explorer.partition` number values in their own tables, so a
configuration's owner is computed from what its values *are*: equal configurations must get
equal fingerprints in every process (the same owner), while unequal ones may share one (it
only decides where a configuration is stored). So the fingerprint follows
:func:`~flpcheck.model.values.value_key`'s notion of equality (same type and equal, NaN one
value, 0.0 and -0.0 one value), by class name without the module (a model file is a module
whose name depends on where it was loaded from), and never uses ``hash()`` (salted per
process) or ``repr``: values of a type it does not know (user classes with their own
``__eq__``) count by their class name alone, which is coarse but safe.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import struct
from typing import Any

import numpy as np
import numpy.typing as npt

from ._storage import _mix

__all__ = ["fingerprint", "buffer_fingerprint", "owner_hash", "position_tables"]


def _digest(*parts: bytes) -> int:
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        h.update(struct.pack("<I", len(part)))
        h.update(part)
    return int.from_bytes(h.digest(), "little")


def _name(value: Any) -> bytes:
    return type(value).__qualname__.encode()


def fingerprint(value: Any) -> int:
    """A 64-bit number equal for values that are the same (by type and value)."""
    t = type(value)
    if value is None:
        return _digest(b"None")
    if t is bool or t is int:
        return _digest(t.__name__.encode(), str(value).encode())
    if t is float:
        if value != value:
            return _digest(b"float", b"nan")
        return _digest(b"float", (0.0 if value == 0 else value).hex().encode())
    if t is str:
        return _digest(b"str", value.encode("utf-8", "surrogatepass"))
    if t is bytes:
        return _digest(b"bytes", value)
    if isinstance(value, tuple):  # NamedTuples too: value_key compares them elementwise
        return _digest(b"tuple", _name(value), *(fingerprint(v).to_bytes(8, "little") for v in value))
    if isinstance(value, frozenset):
        parts = sorted({fingerprint(v) for v in value})  # equal sets: equal sets of parts
        return _digest(b"frozenset", _name(value), *(p.to_bytes(8, "little") for p in parts))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _digest(b"dataclass", _name(value), *(
            fingerprint(getattr(value, f.name)).to_bytes(8, "little")
            for f in dataclasses.fields(value) if f.compare))
    if isinstance(value, enum.Enum) and t.__eq__ is enum.Enum.__eq__:
        # equal members have equal values (a Flag combination may have no name)
        return _digest(b"enum", _name(value), fingerprint(value.value).to_bytes(8, "little"))
    return _digest(b"other", _name(value))


_EMPTY = np.uint64(0x9E3779B97F4A7C15)
_SALT = np.uint64(0xA0761D6478BD642F)


def buffer_fingerprint(message_fps: npt.NDArray[np.uint64]) -> np.uint64:
    """The fingerprint of a sub-buffer from those of its messages, copies counted, in any
    order (a sum of mixed fingerprints)."""
    with np.errstate(over="ignore"):
        return _EMPTY + _mix(message_fps ^ _SALT).sum(dtype=np.uint64)


def owner_hash(states: npt.NDArray[np.uint64], subs: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """One 64-bit number per configuration from the fingerprints of its local states and
    sub-buffers (arrays configurations x N), position by position."""
    h = np.full(states.shape[0], 0x243F6A8885A308D3, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(states.shape[1]):
            h = _mix(h ^ (states[:, j] + np.uint64((2 * j + 1) * 0xD1B54A32D192ED03 % 2**64)))
            h = _mix(h ^ (subs[:, j] + np.uint64((2 * j + 2) * 0xD1B54A32D192ED03 % 2**64)))
    return h


def position_tables(states: npt.NDArray[np.uint64], subs: npt.NDArray[np.uint64], n: int
                    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """Per position j < N: the fingerprints of the local states and of the sub-buffers mixed
    with j, so that a configuration's owner is a sum of N + N table entries."""
    with np.errstate(over="ignore"):
        s = np.stack([_mix(states ^ np.uint64((2 * j + 1) * 0xD1B54A32D192ED03 % 2**64))
                      for j in range(n)])
        b = np.stack([_mix(subs ^ np.uint64((2 * j + 2) * 0xD1B54A32D192ED03 % 2**64))
                      for j in range(n)])
    return s, b
