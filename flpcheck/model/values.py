"""Helpers on user values (local states and payloads): identity, order, immutability, JSON.

Two values are the same local state (or payload) when :func:`value_key` says so: equal *and* of
the same type, all the way down, so ``1``, ``True`` and ``1.0`` are three different states
(Python's ``==`` would merge them), and every NaN is one value (Python's ``==`` would make a NaN
differ even from itself).

flpcheck never orders anything by ``hash()``: :func:`canonical_key` gives every supported value
a total order that is the same in every run and under every PYTHONHASHSEED.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

__all__ = ["value_key", "same_value", "canonical_key", "stable_repr", "immutability_problem",
           "to_json"]

_MUTABLE = (list, dict, set, bytearray)
_NAN = ("nan",)


def value_key(value: Any) -> Any:
    """A hashable key that is equal for two values exactly when they are the same value.

    Same type and equal, recursively through tuples (NamedTuples), frozensets and dataclasses
    (field by field, the fields that take part in comparison); every NaN is one value. Objects
    of other types are compared by their own ``__eq__`` within their type.

    >>> value_key(1) == value_key(True), value_key(0) == value_key(0.0)
    (False, False)
    >>> value_key((1, frozenset({2}))) == value_key((1, frozenset({2})))
    True
    >>> value_key(float("nan")) == value_key(float("nan"))
    True
    """
    t = type(value)
    if t is float:
        return (t, _NAN) if value != value else (t, value)
    if value is None or t in (bool, int, str, bytes):
        return (t, value)
    if t is tuple:
        return (t, tuple(value_key(v) for v in value))
    # a class by its name, not its identity: a model file loaded twice defines its classes twice
    name = (t.__module__, t.__qualname__)
    if isinstance(value, tuple):
        return (name, tuple(value_key(v) for v in value))
    if isinstance(value, frozenset):
        return (name, frozenset(value_key(v) for v in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (name, tuple(value_key(getattr(value, f.name))
                            for f in dataclasses.fields(value) if f.compare))
    return (name, value)


def same_value(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` are the same value (see :func:`value_key`).

    >>> same_value((0, False), (0, 0)), same_value(float("nan"), float("nan"))
    (False, True)
    """
    if a is b:
        return True
    t = type(a)
    if t is type(b):  # the common cases without building keys
        if t is int or t is str or t is bool or t is bytes:
            return bool(a == b)
        if t is float:
            return bool(a == b or (a != a and b != b))
        if t is tuple:
            return len(a) == len(b) and all(map(same_value, a, b))
    return bool(value_key(a) == value_key(b))


def canonical_key(value: Any) -> tuple[Any, ...]:
    """A sort key for ``value`` that does not depend on hash order.

    >>> [to_json(v) for v in sorted([frozenset({"b", "a"}), 2, None, (1, "x")], key=canonical_key)]
    [None, 2, [1, 'x'], ['a', 'b']]
    """
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int):
        return (2, value)
    if isinstance(value, float):
        return (3, 1, 0.0) if value != value else (3, 0, value)
    if isinstance(value, str):
        return (4, value)
    if isinstance(value, bytes):
        return (5, value)
    if isinstance(value, enum.Enum):
        return (6, type(value).__name__, value.name)
    if isinstance(value, tuple):
        return (7, type(value).__name__, tuple(canonical_key(v) for v in value))
    if isinstance(value, frozenset):
        return (8, tuple(sorted(canonical_key(v) for v in value)))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = tuple(canonical_key(getattr(value, f.name)) for f in dataclasses.fields(value))
        return (9, type(value).__name__, fields)
    return (10, type(value).__name__, repr(value))


def stable_repr(value: Any) -> str:
    """``repr(value)``, the same under every PYTHONHASHSEED: the elements of a frozenset in
    :func:`canonical_key` order (``repr`` lists them in hash order), through tuples,
    NamedTuples and dataclasses that print with their default ``repr``; any other value (a
    class's own ``__repr__`` included) as ``repr`` prints it.

    >>> stable_repr((1, frozenset({"b", "a"}), frozenset()))
    "(1, frozenset({'a', 'b'}), frozenset())"
    """
    t = type(value)
    if isinstance(value, frozenset) and t.__repr__ is frozenset.__repr__:
        if not value:
            return f"{t.__name__}()"
        inner = ", ".join(stable_repr(v) for v in sorted(value, key=canonical_key))
        return f"{t.__name__}({{{inner}}})"
    if t is tuple:
        inner = ", ".join(stable_repr(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, tuple) and hasattr(value, "_fields") \
            and getattr(t.__repr__, "__module__", None) == "collections":  # NamedTuple's own
        fields = ", ".join(f"{f}={stable_repr(v)}" for f, v in zip(value._fields, value,
                                                                 strict=True))
        return f"{t.__name__}({fields})"
    if (dataclasses.is_dataclass(value) and not isinstance(value, type)
            and hasattr(t.__repr__, "__wrapped__")):  # the repr dataclasses writes
        fields = ", ".join(f"{f.name}={stable_repr(getattr(value, f.name))}"
                           for f in dataclasses.fields(value) if f.repr)
        return f"{t.__qualname__}({fields})"
    return repr(value)


def immutability_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a local state or payload, or None if it can.

    States and payloads are interned by equality, so they must be hashable and immutable:
    None, bools, ints, floats, strings, bytes, enums, tuples (NamedTuples), frozensets and
    frozen dataclasses of these; or an object that defines its own ``__eq__`` and ``__hash__``.

    >>> immutability_problem((1, frozenset({2})))
    >>> immutability_problem((1, [2]))
    'it contains a list, which is mutable'
    """
    if value is None or isinstance(value, (bool, int, float, str, bytes, enum.Enum)):
        return None
    if isinstance(value, _MUTABLE):
        return f"it contains a {type(value).__name__}, which is mutable"
    if isinstance(value, (tuple, frozenset)):
        for item in value:
            problem = immutability_problem(item)
            if problem:
                return problem
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        params = getattr(type(value), "__dataclass_params__", None)
        if params is None or not params.frozen:
            return f"it contains a {type(value).__name__}, a dataclass that is not frozen"
        for f in dataclasses.fields(value):
            problem = immutability_problem(getattr(value, f.name))
            if problem:
                return problem
        return None
    cls = type(value)
    if cls.__hash__ is None:
        return f"it contains a {cls.__name__}, which is unhashable"
    if cls.__hash__ is object.__hash__ or cls.__eq__ is object.__eq__:
        return (
            f"it contains a {cls.__name__}, compared by identity: equal states would count as "
            "different (use a tuple, NamedTuple or frozen dataclass)"
        )
    return None


def to_json(value: Any) -> Any:
    """The JSON form of a state or payload: tuples as lists, frozensets as sorted lists,
    NamedTuples and dataclasses as objects keyed by their field names, enums by name.

    >>> to_json(("vote", frozenset({1, 0}), None))
    ['vote', [0, 1], None]
    >>> from typing import NamedTuple
    >>> class Vote(NamedTuple):
    ...     value: int
    ...     round: int = 0
    >>> to_json(Vote(1))
    {'value': 1, 'round': 0}
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, tuple):
        fields = getattr(type(value), "_fields", None)
        if fields is not None and len(fields) == len(value):
            return {f: to_json(v) for f, v in zip(fields, value, strict=True)}
        return [to_json(v) for v in value]
    if isinstance(value, frozenset):
        return [to_json(v) for v in sorted(value, key=canonical_key)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return repr(value)
