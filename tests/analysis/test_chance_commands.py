"""Every command on protocols with steps left to chance: outcomes are branches, runs and
schedules name them and replay with them (checked by flpcheck.model.semantics, independently of
the searches), pictures and exports show them, simulation draws them with their probabilities.

The fixtures are tests/fixtures/chance/coin_pair.py (its docstring counts its 21
configurations and 68 events by hand) and coin_flip_flop.py (flip-flop where a process hearing
a different preference flips a fair coin: keep its own, outcome 0, or adopt, outcome 1).
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from click.testing import CliRunner

from flpcheck import Event, Protocol, explore
from flpcheck.analysis.adversary import adversary_run
from flpcheck.analysis.lemma1 import check_lemma1
from flpcheck.analysis.runs import check_run
from flpcheck.analysis.stages import check_staged_run, staged_adversary
from flpcheck.analysis.valence import classify_valence
from flpcheck.analysis.verdict import verdict
from flpcheck.cli import main
from flpcheck.model.loader import load_protocol
from flpcheck.model.semantics import replay
from flpcheck.output.export import node_link_data, to_networkx
from flpcheck.output.render import full_view
from flpcheck.output.schemas import validate
from flpcheck.simulate.machine import Machine

from ..paths import FIXTURES

CHANCE = FIXTURES / "chance"
COIN_PAIR = str(CHANCE / "coin_pair.py")
COIN_FLIP_FLOP = str(CHANCE / "coin_flip_flop.py")


def test_the_forever_bivalent_run_keeps_both_coins_on_their_own_preference():
    """From I(01): p0 sends 0; p1's first step consumes it unread and sends 1; then p0 hears
    1 and keeps 0 (outcome 0), p1 hears 0 and keeps 1 (outcome 0): back where the cycle
    started, both still preferring their inputs, forever; every configuration bivalent (either
    can still adopt). The run replays with the protocol's own step (check_run)."""
    space = explore(load_protocol(COIN_FLIP_FLOP))
    v = verdict(space, crashes=0)
    assert v.verdict == "forever-bivalent" and v.run is not None
    assert v.run.inputs == (0, 1)
    assert v.run.stem == (Event(0, None), Event(1, 0))
    assert v.run.cycle == (Event(0, 1, 0), Event(1, 0, 0))
    check_run(space.protocol, v.run, crashes=0)
    valence = classify_valence(space)
    assert {valence.label(c) for c in v.run.path} == {"bivalent"}


def test_lemma1_compares_each_pair_of_outcomes_in_both_orders():
    """coin_pair: 52 diamonds (pairs of edges of different processes at one configuration),
    counted by hand from the fixture's configurations: (u, u) 2 x 2 = 4; (f_a, u) and its
    mirror 1 x 3 each, 12; (f_a, f_b) 2 x 2 each, 16; (h_ab, f_b) and its mirror 1 x 2 each,
    16; (h_ab, h_ba) 1 each, 4. All commute."""
    result = check_lemma1(explore(load_protocol(COIN_PAIR)))
    assert (result.holds, result.checked, result.total) == (True, 52, 52)


def test_lemma3s_adversary_stops_where_chance_decides():
    """coin_pair from I(00) = (u, u), e = p0's null step (its flip): without e only p1 can
    flip, reaching (u, f_b), b-valent: no bivalent configuration but C, and e's outcomes at C
    are 0-valent (heads) and 1-valent (tails). The adversary says chance decides at C."""
    space = explore(load_protocol(COIN_PAIR))
    adv = adversary_run(space)
    assert adv.run is None and adv.failed is not None
    assert adv.failed.event == Event(0, None) and adv.failed.start == space.initial_id((0, 0))
    assert (f"at configuration {adv.failed.start} chance decides: the outcomes of p0 receives "
            "null lead to a 0-valent and a 1-valent configuration") in adv.failure


def test_staged_adversary_names_outcomes_and_replays():
    run = staged_adversary(load_protocol(COIN_FLIP_FLOP), 4)
    assert len(run.stages) == 4 and not run.failure
    check_staged_run(load_protocol(COIN_FLIP_FLOP), run)  # raises unless it replays
    assert any(e.outcome is not None for e in run.events)


def test_the_validity_violation_is_a_schedule_through_two_tails():
    """coin_pair: from inputs 00, both flip tails (outcome 1) and p0 hears p1's 1: 1 is
    decided, three events (the shortest: a decision needs both flips and one receipt)."""
    space = explore(load_protocol(COIN_PAIR))
    validity = verdict(space).evidence
    assert validity is not None and validity.name == "validity"
    assert validity.schedule.events == (Event(0, None, 1), Event(1, None, 1), Event(0, 1))
    end = replay(space.protocol, (0, 0), validity.schedule.events)[-1].config
    assert end.decisions(space.protocol) == {1}


def test_graph_exports_carry_outcome_and_exact_probability():
    space = explore(load_protocol(COIN_PAIR))
    g = to_networkx(space)
    edges = [d for _, _, d in g.edges(data=True)]
    assert len(edges) == 68
    assert sorted(d["probability"] for d in edges if d["outcome"] is not None) == ["1/2"] * 12
    assert {d["probability"] for d in edges if d["outcome"] is None} == {"1"}
    assert json.loads(json.dumps(node_link_data(space)))["edges"][0]["probability"] == "1/2"
    dot = full_view(space, valence=classify_valence(space)).source
    assert dot.count("(o0, 1/2)") == 6 and dot.count("(o1, 1/2)") == 6


def test_a_protocol_without_chance_exports_as_before():
    g = to_networkx(explore(load_protocol(str(FIXTURES / "edge" / "decide_alone.py"))))
    assert all("outcome" not in d and "probability" not in d for _, _, d in g.edges(data=True))


class OneThird(Protocol):
    """One process: its null step is 0 with probability 1/3, 1 with probability 2/3."""

    processes = 1

    def init(self, pid, x):
        return "start"

    def step(self, pid, state, msg):
        return self.outcomes([(Fraction(1, 3), (0, ())), (Fraction(2, 3), (1, ()))])

    def output(self, pid, state):
        return None


def test_chance_draws_outcomes_with_their_exact_probabilities():
    """3,000 draws of the 1/3 - 2/3 step: outcome 0 about 1,000 times, within 4 standard
    deviations (sqrt(3000 * 1/3 * 2/3) = 25.8); the same stream gives the same draws."""
    m = Machine(OneThird())
    start = m.initial((0,))
    draws = [m.draw(random.Random(7 + k), 0, start[0][0], -1) for k in range(3000)]
    assert abs(draws.count(0) - 1000) <= 4 * 25.8
    assert draws == [m.draw(random.Random(7 + k), 0, start[0][0], -1) for k in range(3000)]


def test_simulation_is_reproducible_and_its_schedules_replay_with_their_outcomes():
    def run():
        result = CliRunner().invoke(main, ["simulate", COIN_PAIR, "--runs", "50", "--json"])
        assert result.exit_code == 1, result.output
        return json.loads(result.output)

    first, second = run(), run()
    for doc in (first, second):
        doc.pop("seconds"), doc.pop("shrink_seconds"), doc.pop("runs_per_second")
        doc.pop("events_per_second")
    assert first == second
    validate("simulate", {**first, "seconds": 0, "shrink_seconds": 0, "runs_per_second": 0,
                          "events_per_second": 0})
    [v] = first["violations"]
    assert v["property"] == "validity"
    events = [Event(*e) for e in v["schedule"]["events"]]
    assert any(e.outcome is not None for e in events)
    x = tuple(v["schedule"]["inputs"])
    end = replay(load_protocol(COIN_PAIR), x, events)[-1].config
    assert end.decisions(load_protocol(COIN_PAIR)) == {1 - x[0]}


@pytest.mark.parametrize(("args", "schema"), [
    (["explore", COIN_PAIR, "--json"], "explore"),
    (["witness", COIN_PAIR, "--json"], "witness"),
    (["witness", COIN_FLIP_FLOP, "--json", "--crashes", "0"], "witness"),
    (["witness", COIN_FLIP_FLOP, "--stages", "3", "--json"], "witness-stages"),
])
def test_json_outputs_of_chance_models_match_their_schemas(args, schema):
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    validate(schema, json.loads(result.output))


def test_explore_json_says_how_many_events_are_left_to_chance():
    result = CliRunner().invoke(main, ["explore", COIN_PAIR, "--json"])
    assert json.loads(result.output)["chance"] == {"events": 12, "probabilities": ["1/2"]}


def test_the_partial_order_reduction_refuses_a_chance_model_with_exit_code_2():
    """(--symmetry and the partition engine: tests/explorer/test_chance.py.)"""
    result = CliRunner().invoke(main, ["explore", COIN_PAIR, "--por"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "--por is not defined for protocols whose steps are left to chance" in text
