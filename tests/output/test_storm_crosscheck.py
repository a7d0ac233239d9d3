"""flpcheck chance against Storm (stormpy), exactly, on the library's models with chance and on
random protocols with chance: the DRN export (``flpcheck chance --drn``) read by Storm in
rational arithmetic, each figure's Storm property (written in the file's header) evaluated at
the initial state, compared with flpcheck's fraction. Runs where stormpy is installed
(``pip install 'flpcheck[storm]'``, part of the test extra)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flpcheck import explore, load_protocol
from flpcheck.analysis.chance.analyse import analyse_chance
from flpcheck.analysis.chance.queries import labelled_model, within_events
from flpcheck.output.drn import drn_text

from ..paths import FIXTURES, MODELS
from ..strategies import chance_protocols

stormpy = pytest.importorskip("stormpy")

STEPS = [1, 3, 6]


def storm_values(model, tmp_path):
    """figure -> Storm's exact value at every initial state (1 - value for a complement)."""
    path = tmp_path / "model.drn"
    path.write_text(drn_text(model))
    storm = stormpy.build_model_from_drn[stormpy.Rational](str(path))
    out = {}
    for q in model.queries:
        result = stormpy.model_checking(storm, stormpy.parse_properties(q.prop)[0],
                                        only_initial_states=False)
        for inputs, s in model.smdp.initial:
            text = str(result.get_value(s))
            v = None if text == "inf" else Fraction(text)
            out[q.figure, inputs] = (1 - v) if q.complement and v is not None else v
    return out


def flpcheck_values(result):
    out = {}
    for i in result.initial:
        out["eventually", i.inputs] = i.eventually.exact
        for k, e in i.within:
            out[within_events(k), i.inputs] = e.exact
        for r, e in i.rounds:
            out[f"within {r} rounds", i.inputs] = e.exact
        if result.scheduler == "uniform":
            out["expected events", i.inputs] = (None if i.expected_steps is None
                                                else i.expected_steps.exact)
    return out


def compare(space, scheduler, termination, tmp_path, steps=STEPS):
    result = analyse_chance(space, scheduler, within=steps, termination=termination)
    assert result.exact
    model = labelled_model(space, scheduler, 0, termination, steps)
    theirs = storm_values(model, tmp_path)
    ours = flpcheck_values(result)
    assert set(ours) <= set(theirs)
    assert {k: ours[k] for k in ours} == {k: theirs[k] for k in ours}
    return ours


CASES = [
    (FIXTURES / "chance" / "coin_pair.py", None),
    (MODELS / "ben_or.py", [(0, 0, 1), (1, 1, 1)]),
    (MODELS / "ben_or_coinless.py", [(0, 1, 1)]),
    (MODELS / "paxos.py:Paxos", [(0, 0, 1), (0, 1, 1)]),
]


@pytest.mark.parametrize("scheduler", ["uniform", "adversary"])
@pytest.mark.parametrize(("model", "inputs"), CASES, ids=lambda c: getattr(c, "name", None))
def test_library_models_agree_with_storm(model, inputs, scheduler, tmp_path):
    space = explore(load_protocol(str(model)), inputs)
    for termination in ("all", "some"):
        compare(space, scheduler, termination, tmp_path)


def test_the_ben_or_figures_are_storms(tmp_path):
    """The adversary's figures for Ben-Or from 001, as Storm computes them on the exported
    MDP: the reference figures 0, 1/8, 3/16."""
    space = explore(load_protocol(str(MODELS / "ben_or.py")), [(0, 0, 1)])
    ours = compare(space, "adversary", "all", tmp_path, steps=[])
    assert [ours[f"within {r} rounds", (0, 0, 1)] for r in (1, 2, 3)] == [
        0, Fraction(1, 8), Fraction(3, 16)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much,
                                                                 HealthCheck.too_slow])
@given(chance_protocols(), st.sampled_from(["uniform", "adversary"]),
       st.sampled_from(["some", "all"]))
def test_random_protocols_agree_with_storm(tmp_path_factory, protocol, scheduler, termination):
    space = explore(protocol, max_buffer=2)
    assume(space.complete)
    compare(space, scheduler, termination, tmp_path_factory.mktemp("drn"))
