"""The page prints values as the CLI does: the model's format_state when it has one, else
Python's repr (True, None, frozenset({1}), ((0, 0),)), never JSON (true, null, [], [[0, 0]])."""

from __future__ import annotations

from typing import NamedTuple

from flpcheck import Protocol
from flpcheck.serve.walk import Texts


class S(NamedTuple):
    seen: frozenset
    pairs: tuple
    flag: bool
    y: int | None


class Plain(Protocol):
    processes = 2

    def init(self, pid, x):
        return S(frozenset({x}), ((0, 0),), True, None)

    def step(self, pid, state, msg):
        return state, []

    def output(self, pid, state):
        return state.y


class Formatted(Plain):
    def format_state(self, pid, state):
        return f"seen {sorted(state.seen)}"


def test_fields_are_printed_with_repr():
    texts = Texts(Plain())
    state = S(frozenset({1, 0}), ((0, 0),), True, None)
    cells = texts.cells(state)
    assert cells == {"names": ["seen", "pairs", "flag", "y"],
                     "texts": [repr(frozenset({0, 1})), "((0, 0),)", "True", "None"]}
    assert texts.state(0, state) == repr(state)


def test_a_models_own_format_is_one_column():
    texts = Texts(Formatted())
    state = S(frozenset({1}), (), False, 0)
    assert texts.cells(state) is None and texts.state(0, state) == "seen [1]"
    assert texts.state_json(0, state, 0)["text"] == "seen [1]"


def test_plain_tuples_are_items_and_other_states_one_column():
    texts = Texts(Plain())
    assert texts.cells((0, None)) == {"names": ["[0]", "[1]"], "texts": ["0", "None"]}
    assert texts.cells(frozenset({1})) is None and texts.state(0, frozenset()) == "frozenset()"
