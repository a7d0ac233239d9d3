"""Every --json output matches the JSON Schema shipped for it (flpcheck schema NAME)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from flpcheck.cli import main
from flpcheck.output.schemas import ALL_SCHEMAS, validate

from ..paths import FIXTURES, MODELS

ASYNC = ["always_zero.py", "decide_own_input.py", "flip_flop.py", "leader_broadcast.py",
         "majority.py", "paxos.py:Paxos", "paxos_buggy.py:PaxosNoReport",
         "two_phase_commit.py", "wait_for_all.py"]


def run_json(*args: str) -> dict:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


@pytest.mark.parametrize("model", ASYNC)
def test_explore_and_witness_json_match_their_schemas(model):
    spec = str(MODELS / model)
    validate("explore", run_json("explore", spec, "--json"))
    validate("witness", run_json("witness", spec, "--json"))
    validate("witness", run_json("witness", spec, "--json", "--crashes", "0",
                                 "--termination", "all"))


def test_cut_explorations_and_staged_runs_match_their_schemas():
    validate("explore", run_json("explore", str(MODELS / "paxos_unbounded.py"), "--max-depth",
                                 "6", "--json"))
    validate("witness", run_json("witness", str(MODELS / "paxos_unbounded.py"), "--max-depth",
                                 "6", "--json"))
    validate("witness-stages", run_json("witness", str(MODELS / "flip_flop.py"), "--stages", "3",
                                        "--json"))
    validate("witness-stages", run_json("witness", str(MODELS / "majority.py"), "--stages", "6",
                                        "--json"))
    validate("explore", run_json("explore", str(MODELS / "majority.py"), "--symmetry", "--json"))
    validate("explore", run_json("explore", str(FIXTURES / "edge" / "bool_vs_int.py"), "--json"))


def test_round_model_json_matches_its_schema():
    validate("explore-rounds", run_json("explore", str(MODELS / "floodset.py"), "--json"))
    validate("explore-rounds", run_json("explore", str(MODELS / "floodset.py"), "--rounds", "1",
                                        "-n", "3", "--json"))


def test_a_document_that_breaks_the_schema_is_rejected():
    """The schemas can fail: false where the schema allows only true/false/null shapes."""
    import jsonschema

    data = run_json("witness", str(MODELS / "leader_broadcast.py"), "--json")
    data["nondeciding"]["exists"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        validate("witness", data)


@pytest.mark.parametrize("name", sorted(ALL_SCHEMAS))
def test_flpcheck_schema_prints_each_schema(name):
    result = CliRunner().invoke(main, ["schema", name])
    assert result.exit_code == 0 and json.loads(result.output) == ALL_SCHEMAS[name]
