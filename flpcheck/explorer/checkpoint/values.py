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

__all__ = ["dump_values", "load_values", "check_steps", "model_namespace", "SAMPLE"]

SAMPLE = 24
"""Memoized steps called again when a checkpoint is resumed (spread over the memo)."""


def dump_values(table: LocalTable, part: dict[str, Any]) -> npt.NDArray[np.uint8]:
    """``part`` (a table's export, with anything else of ids and plain values) pickled, as
    bytes in an array; a value pickle cannot save is a :class:`CheckpointError` naming it."""
    try:
        data = _dumps(part, type(table.protocol).__module__)
    except Exception as err:  # pickle raises several kinds: name the value that fails
        raise CheckpointError(_unsaveable(table, part, err)) from None
    return np.frombuffer(data, dtype=np.uint8)


def _unsaveable(table: LocalTable, part: dict[str, Any], err: Exception) -> str:
    for kind in ("states", "payloads"):
        for value in part.get(kind, ()):
            try:
                _dumps(value, type(table.protocol).__module__)
            except Exception as inner:
                return (f"{table.origin}: --checkpoint cannot save the "
                        f"{'local state' if kind == 'states' else 'payload'} {value!r} "
                        f"({type(inner).__name__}: {inner}); a checkpoint saves values with "
                        "pickle, which needs their classes defined at the top level of a "
                        "module: run without --checkpoint, or define the class there")
    return f"{table.origin}: --checkpoint cannot save the model's values ({err})"


def _model_class(qualname: str) -> Any:
    """Stands for a class of the model file in a pickle (never called: the unpickler finds
    the class in the module the protocol now running was loaded from)."""
    raise CheckpointError(f"the model's class {qualname} read without its model")


class _Pickler(pickle.Pickler):
    """Saves the model file's classes by their names in the file, not through ``sys.modules``
    (which may hold another load of the same file, whose classes are other objects)."""

    def __init__(self, out: io.BytesIO, model_module: str) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.model_module = model_module

    def reducer_override(self, obj: Any) -> Any:
        if (isinstance(obj, type) and obj.__module__ == self.model_module
                and "<locals>" not in obj.__qualname__):
            return _model_class, (obj.__qualname__,)
        return NotImplemented


def _dumps(value: Any, model_module: str) -> bytes:
    out = io.BytesIO()
    _Pickler(out, model_module).dump(value)
    return out.getvalue()


class _Unpickler(pickle.Unpickler):
    """Finds the classes of the model module the checkpoint names in ``namespace``, the
    model module the protocol now running was loaded from."""

    def __init__(self, data: bytes, saved: str, namespace: dict[str, Any]) -> None:
        super().__init__(io.BytesIO(data))
        self.saved, self.namespace = saved, namespace

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_model_class":
            return self._model_class
        if module != self.saved:
            return super().find_class(module, name)
        return self._model_class(name)

    def _model_class(self, name: str) -> Any:
        head, *rest = name.split(".")
        if head not in self.namespace:
            raise AttributeError(f"the model file defines no {name} now")
        found = self.namespace[head]
        for attr in rest:
            found = getattr(found, attr)
        return found


def model_namespace(protocol: object) -> dict[str, Any]:
    """The globals of the module the protocol's class was defined in: the module object
    itself, not ``sys.modules`` (the same model file loaded again since replaces its entry
    there, with other classes: values mapped to those would never equal the protocol's)."""
    cls = type(protocol)
    for klass in cls.__mro__:
        if klass.__module__ != cls.__module__:
            continue
        for attr in vars(klass).values():
            func = getattr(attr, "__func__", attr)
            if getattr(func, "__module__", None) == cls.__module__ and hasattr(
                    func, "__globals__"):
                return func.__globals__  # type: ignore[no-any-return]
    module = sys.modules.get(cls.__module__)
    if module is None:
        raise CheckpointError(f"the model's module {cls.__module__} is not loaded")
    return vars(module)


def load_values(data: npt.NDArray[np.uint8], saved_module: str, table: LocalTable) -> Any:
    """Unpickle what :func:`dump_values` saved, the model module it names mapped to the
    module the protocol now running was loaded from."""
    namespace = model_namespace(table.protocol)
    try:
        return _Unpickler(data.tobytes(), saved_module, namespace).load()
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
