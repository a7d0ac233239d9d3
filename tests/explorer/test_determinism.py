"""Results are identical whatever PYTHONHASHSEED is."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ..paths import FIXTURES, MODELS

# Prints every configuration in id order with its edges: any hash-order dependence in the
# explorer changes the order, hence this text.
DUMP = """
import sys
from flpcheck import explore
from flpcheck.model.loader import load_protocol
from flpcheck.model.values import to_json
space = explore(load_protocol(sys.argv[1]))
for c in range(len(space)):
    conf = space.configuration(c)
    print(c, to_json(conf.states), to_json(conf.buffer),
          [(e.pid, to_json(e.msg), d) for e, d in space.successors(c)])
"""


def run(args: list[str], seed: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    out = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                         check=False)
    assert out.returncode in (0, 1), out.stderr
    return out


def explore_json(model: str, seed: str) -> str:
    data = json.loads(run(["-m", "flpcheck", "explore", model, "--json"], seed).stdout)
    data.pop("seconds", None)
    return json.dumps(data, sort_keys=True)


@pytest.mark.parametrize("model", [str(FIXTURES / "gossip_strings.py"),
                                   str(MODELS / "majority.py")])
def test_explore_json_is_identical_under_two_hash_seeds(model):
    first = explore_json(model, "1")
    assert first == explore_json(model, "2")
    assert json.loads(first)["configurations"] > 10


def test_configuration_ids_and_edge_order_do_not_depend_on_the_hash_seed():
    """gossip_strings sends by iterating frozensets of strings, whose order varies by seed."""
    model = str(FIXTURES / "gossip_strings.py")
    dumps = {run(["-c", DUMP, model], seed).stdout for seed in ("1", "2")}
    assert len(dumps) == 1 and dumps.pop().count("\n") == 1060


def test_the_partial_order_reduction_does_not_depend_on_the_hash_seed():
    """The reduced graph of gossip_strings (864 of its 1,060 configurations): the local
    abstraction and the choice of the process explored alone are made in a fixed order."""
    model = str(FIXTURES / "gossip_strings.py")
    dump = DUMP.replace("explore(load_protocol(sys.argv[1]))",
                        "explore(load_protocol(sys.argv[1]), por=True)")
    dumps = {run(["-c", dump, model], seed).stdout for seed in ("1", "2")}
    assert len(dumps) == 1 and dumps.pop().count("\n") == 864


def test_witness_runs_and_exported_graphs_do_not_depend_on_the_hash_seed(tmp_path):
    """The verdict's run (witness --json) and the GraphML export, under two seeds."""
    model = str(FIXTURES / "gossip_strings.py")
    outputs = set()
    for seed in ("1", "2"):
        witness = run(["-m", "flpcheck", "witness", model, "--json"], seed).stdout
        graph = tmp_path / f"g{seed}.graphml"
        run(["-m", "flpcheck", "explore", model, "--json", "--graph", str(graph)], seed)
        outputs.add((witness, graph.read_text()))
    assert len(outputs) == 1
    witness, graph = outputs.pop()
    assert json.loads(witness)["nondeciding"]["exists"] is True and graph.count("<node ") == 1060


def test_printed_states_do_not_depend_on_the_hash_seed():
    """The text of witness shows gossip_strings' states, frozensets of strings, whose repr
    lists them in hash order: printed with the elements in a fixed order, the text is the same
    under two seeds."""
    model = str(FIXTURES / "gossip_strings.py")
    texts = {run(["-m", "flpcheck", "witness", model], seed).stdout for seed in ("1", "2", "3")}
    assert len(texts) == 1
    assert "frozenset({'alias1','p1:0'})" in "".join(texts.pop().split())  # (wrapped: no spaces)
