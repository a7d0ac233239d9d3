"""The model's values in a checkpoint: pickled, and loaded back against the model file as it
is loaded now.

A checkpoint must give every local state, payload and message back under the id it had: the
rows of the graph are those ids. The values are the model's own objects (NamedTuples, enums,
frozensets, dataclasses of the model file), so they are pickled, by reference to their
classes. The model file is loaded under a module name made from its path
(:func:`~flpcheck.model.loader.load_module`), which may differ when the run is resumed (the
directory moved, another mount point on another node): loading maps the model module the
checkpoint names to the one loaded now, and every other class is found where pickle finds it.

Loaded values are interned again in their saved order, each checked to be new
(:meth:`~flpcheck.model.table.LocalTable.restore`), and a sample of memoized steps is called
again and compared (:func:`check_steps`): a model that behaves otherwise than when the
checkpoint was written (a module it imports changed, say) is refused, not resumed into a wrong
graph.
"""

from __future__ import annotations

import io
import pickle
import sys
from typing import Any

import numpy as np
import numpy.typing as npt

from ...errors import CheckpointError
from ...model.table import LocalTable

__all__ = ["dump_values", "load_values", "check_steps", "SAMPLE"]

SAMPLE = 24
"""Memoized steps called again when a checkpoint is resumed (spread over the memo)."""


def dump_values(table: LocalTable, part: dict[str, Any]) -> npt.NDArray[np.uint8]:
    """``part`` (a table's export, with anything else of ids and plain values) pickled, as
    bytes in an array; a value pickle cannot save is a :class:`CheckpointError` naming it."""
    try:
        data = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:  # pickle raises several kinds: name the value that fails
        raise CheckpointError(_unsaveable(table, part, err)) from None
    return np.frombuffer(data, dtype=np.uint8)


def _unsaveable(table: LocalTable, part: dict[str, Any], err: Exception) -> str:
    for kind in ("states", "payloads"):
        for value in part.get(kind, ()):
            try:
                pickle.dumps(value)
            except Exception as inner:
                return (f"{table.origin}: --checkpoint cannot save the "
                        f"{'local state' if kind == 'states' else 'payload'} {value!r} "
                        f"({type(inner).__name__}: {inner}); a checkpoint saves values with "
                        "pickle, which needs their classes defined at the top level of a "
                        "module: run without --checkpoint, or define the class there")
    return f"{table.origin}: --checkpoint cannot save the model's values ({err})"


class _Unpickler(pickle.Unpickler):
    """Finds the model module the checkpoint names as the model module loaded now."""

    def __init__(self, data: bytes, saved: str, current: str) -> None:
        super().__init__(io.BytesIO(data))
        self.saved, self.current = saved, current

    def find_class(self, module: str, name: str) -> Any:
        if module == self.saved:
            module = self.current
        return super().find_class(module, name)


def load_values(data: npt.NDArray[np.uint8], saved_module: str, table: LocalTable) -> Any:
    """Unpickle what :func:`dump_values` saved, the model module it names mapped to the
    protocol's module now."""
    current = type(table.protocol).__module__
    if current not in sys.modules:
        raise CheckpointError(f"{table.origin}: the model's module is not loaded")
    try:
        return _Unpickler(data.tobytes(), saved_module, current).load()
    except Exception as err:  # a class renamed or removed since: say so
        raise CheckpointError(f"{table.origin}: the checkpoint's values cannot be loaded "
                              f"with the model as it is now ({type(err).__name__}: {err}): "
                              "the checkpoint cannot be resumed") from None


def check_steps(table: LocalTable, sample: int = SAMPLE) -> None:
    """Call a sample of the memoized steps again (evenly spread, the same every time) and
    refuse the checkpoint when one gives another result now."""
    keys = list(table.transitions) + list(table.chance)
    if not keys:
        return
    chosen = sorted({round(i * (len(keys) - 1) / max(sample - 1, 1)) for i in range(sample)})
    for i in chosen:
        found = table.differs(keys[i])
        if found is not None:
            raise CheckpointError(
                f"{table.origin}: the model behaves otherwise than when the checkpoint was "
                f"written: {found}, not what the checkpoint recorded (a module it imports "
                "changed?): the checkpoint cannot be resumed")
