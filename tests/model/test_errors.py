"""Bad models: one clear error naming the file, process, state and event; exit code 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flpcheck.cli import main

from ..paths import FIXTURES

BAD = FIXTURES / "bad"

# (fixture file, fragments the message must contain)
CATALOGUE = [
    ("syntax_error.py", ["syntax_error.py:3: syntax error"]),
    ("import_error.py", ["import_error.py: loading the model raised ModuleNotFoundError",
                         "no_such_module_flpcheck"]),
    ("no_protocol.py", ["no_protocol.py: defines no subclass of flpcheck.Protocol"]),
    ("two_protocols.py", ["several Protocol subclasses (First, Second)",
                          "two_protocols.py:First"]),
    ("misspelled_method.py", ["Misspelled does not define step", "found stepp"]),
    ("bad_processes.py", ["processes must be an int >= 1, got 'three'"]),
    ("unhashable_init.py", ["init(0, 0) returned an unhashable state [0] for process 0"]),
    ("mutable_state.py", ["init(0, 0)", "Box, compared by identity"]),
    ("wrong_shape.py", ["step(0, 0, None) returned 0; step must return (new_state, sends)",
                        "reached from inputs 00 (the initial configuration)"]),
    ("bad_destination.py", ["step(0, 0, None) sent 'hello' to destination 7",
                            "destinations are process ids 0..1"]),
    ("unhashable_payload.py", ["step(0, 0, None) sent an unhashable payload {'x': 0}"]),
    ("raising_step.py", ["step(0, (0, 1), None) raised ValueError: step two is not written yet",
                         'raise ValueError("step two is not written yet")',
                         "reached from inputs 00 by the schedule: p0 receives null"]),
    ("nondeterministic.py", ["step(0, 0, None) is not deterministic"]),
    ("counter_global.py", ["step(0, 0, None) is not deterministic"]),
    ("mutating_step.py", ["step(0, Bag([0]), None) changed the state it was given"]),
    ("mutating_message.py", ["step(1, (0, False), Ballot(0)) changed the message it was given",
                             "now Ballot(1)"]),
    ("zero_processes.py", ["processes must be an int >= 1, got 0"]),
    ("bad_output.py", ["output(0, 0) returned 'yes'; an output is None, 0 or 1"]),
    ("bad_output_later.py", ["output(0, (0, 3)) returned 2; an output is None, 0 or 1 "
                             "(the state that step(0, (0, 2), None) returned) reached from "
                             "inputs 00 by the schedule: p0 receives null, p0 receives null"]),
    ("decided_at_init.py", ["init(0, 0) returned (0, 0), whose output is 0: the output "
                            "register starts undecided"]),
    # steps left to chance (Outcomes): exact probabilities summing to 1, results checked
    ("float_probability.py", ["step(0, 0, None) returned Outcomes whose choice 0 has "
                              "probability 0.5 (a float)", "fractions.Fraction"]),
    ("probabilities_sum.py", ["step(0, 0, None) returned Outcomes whose probabilities sum to "
                              "2/3, not 1"]),
    ("zero_probability.py", ["step(0, 0, None) returned Outcomes whose choice 1 has "
                             "probability 0; a probability is > 0"]),
    ("bad_choice.py", ["step(0, 0, None) (choice 1) sent 'far' to destination 5"]),
    ("random_coin.py", ["step(0, 0, None) is not deterministic: it returned Outcomes("]),
    ("random_choice.py", ["step(0, 0, None) is not deterministic: it returned Outcomes("]),
    ("../leaky_board.py", ["leaky_board.py: Lemma 1 fails at configuration",
                           "events p0 receives null and p1 receives null of different processes "
                           "do not commute"]),
]


@pytest.mark.parametrize(("name", "fragments"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_a_bad_model_gets_one_clear_error_and_exit_code_2(name, fragments):
    result = CliRunner().invoke(main, ["explore", str(BAD / name)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "Traceback (most recent call last)" not in text or name in ("raising_step.py",
                                                                       "import_error.py")
    for fragment in fragments:
        assert fragment in text
    assert "error:" in text and name.lstrip("./") in text


def test_a_missing_model_file_is_exit_code_2():
    result = CliRunner().invoke(main, ["explore", "no/such/model.py"])
    assert result.exit_code == 2 and "no such model file" in result.output


def test_an_output_that_changes_once_set_violates_agreement_with_exit_code_1():
    """p0 decides 0 at its first step and 1 at its second: a two-event schedule from I(00)."""
    result = CliRunner().invoke(main, ["explore", str(BAD / "decision_changes.py"), "--json"])
    assert result.exit_code == 1
    import json

    data = json.loads(result.output)
    assert data["agreement"]["holds"] is False
    assert data["agreement"]["schedule"] == {"inputs": [0, 0], "events": [[0, None], [0, None]]}
    assert "changes its output from 0 to 1" in data["agreement"]["detail"]
