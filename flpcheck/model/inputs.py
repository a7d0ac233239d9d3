"""Input vectors: every one, or those a user names, checked.

An initial configuration is I(x) for an input vector x in {0,1}^N, process 0's input first.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from ..errors import UsageError

__all__ = ["all_inputs", "parse_inputs", "parse_vector", "input_vectors", "bits"]


def bits(x: Iterable[object]) -> str:
    """An input vector (or any sequence) written as its digits, as reports show it.

    >>> bits((0, 1, 1))
    '011'
    """
    return "".join(map(str, x))


def all_inputs(n: int) -> list[tuple[int, ...]]:
    """Every input vector in {0,1}^N, in lexicographic order (x_0 first).

    >>> all_inputs(2)
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    """
    return list(itertools.product((0, 1), repeat=n))


def parse_vector(word: str, n: int) -> tuple[int, ...] | None:
    """One input vector written as N bits, process 0 first (None when it is not one).

    >>> parse_vector("011", 3), parse_vector("01", 3)
    ((0, 1, 1), None)
    """
    if len(word) != n or set(word) - {"0", "1"}:
        return None
    return tuple(int(c) for c in word)


def parse_inputs(text: str, n: int) -> list[tuple[int, ...]]:
    """Parse ``--inputs 011,100`` into input vectors for N processes.

    >>> parse_inputs("011, 100", 3)
    [(0, 1, 1), (1, 0, 0)]
    """
    vectors = []
    for word in text.replace(" ", "").split(","):
        x = parse_vector(word, n)
        if x is None:
            raise UsageError(
                f"--inputs: {word!r} is not an input vector of {n} bits (e.g. {'0' * n})"
            )
        vectors.append(x)
    return vectors


def input_vectors(n: int, inputs: Iterable[Sequence[int]] | None = None) -> list[tuple[int, ...]]:
    """The input vectors to explore: every one (``inputs`` None), or those given, checked: N
    values each, each 0 or 1, none twice.

    >>> input_vectors(2, [(1, 0)])
    [(1, 0)]
    """
    vectors = all_inputs(n) if inputs is None else [tuple(int(v) for v in x) for x in inputs]
    for x in vectors:
        if len(x) != n or any(v not in (0, 1) for v in x):
            raise UsageError(f"inputs {x!r}: need {n} values, each 0 or 1")
    if not vectors:
        raise UsageError("no input vectors to explore")
    if len(set(vectors)) != len(vectors):
        twice = next(x for x in vectors if vectors.count(x) > 1)
        raise UsageError(f"inputs {bits(twice)}: the same input vector is given twice")
    return vectors
