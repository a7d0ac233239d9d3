"""same_value (the fast comparison of what user code returned twice) agrees with value_key
equality (the definition of "the same value") on random nested values of mixed types."""

from __future__ import annotations

from typing import NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from flpcheck.model.values import same_value, value_key


class Pair(NamedTuple):
    a: object
    b: object


atoms = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(
    [0.0, -0.0, 1.0, float("nan")]), st.sampled_from(["", "a"]), st.sampled_from([b"", b"a"]))
values = st.recursive(atoms, lambda inner: st.one_of(
    st.tuples(inner, inner), st.lists(inner, max_size=3).map(tuple),
    st.builds(Pair, inner, inner), st.frozensets(atoms, max_size=3)), max_leaves=8)


@given(values, values)
def test_same_value_is_value_key_equality(a, b):
    assert same_value(a, b) == (value_key(a) == value_key(b))
    assert same_value(a, a)


@given(values)
def test_a_value_and_its_copy_are_the_same_value(a):
    import copy

    assert same_value(a, copy.deepcopy(a))
