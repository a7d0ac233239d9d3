"""Export of the configuration graph: networkx, GraphML, JSON node-link and DOT."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from flpcheck import classify_valence, explore
from flpcheck.api import to_networkx, write_graph
from flpcheck.cli import main
from flpcheck.errors import UsageError
from flpcheck.explorer.statespace import StateSpace
from flpcheck.model.loader import load_protocol
from flpcheck.output.files import atomic_write

from ..helpers import MODEL_FILES, smallest_space
from ..paths import MODELS


@pytest.fixture(scope="module")
def majority() -> StateSpace:
    return explore(load_protocol(str(MODELS / "majority.py"), 2))


def test_networkx_nodes_carry_the_configuration_valence_and_flags(majority):
    """I(00) of Majority with N=2 is configuration 0: both processes unsent with input 0, an
    empty buffer, undecided, at depth 0, 0-valent (every vote is 0)."""
    g = to_networkx(majority)
    assert isinstance(g, nx.MultiDiGraph)
    assert (g.number_of_nodes(), g.number_of_edges()) == (len(majority), majority.num_events)
    node = g.nodes[0]
    # NamedTuple states keep their field names
    assert node["states"] == [{"x": 0, "sent": False, "zeros": 0, "ones": 0, "y": None}] * 2
    assert node["buffer"] == []
    assert (node["initial"], node["inputs"], node["depth"], node["cut"]) == (True, "00", 0, False)
    assert (node["decided"], node["decisions"], node["valence"]) == (False, [], "0-valent")
    valence = classify_valence(majority)
    assert all(g.nodes[c]["valence"] == valence.label(c) for c in range(len(majority)))
    assert all(g.nodes[c]["depth"] == majority.depth[c] for c in range(len(majority)))


def test_networkx_edges_carry_the_event_of_each_step(majority):
    g = to_networkx(majority)
    for cid in (0, 5, 40):
        expected = sorted((e.pid, repr(e.msg), d) for e, d in majority.successors(cid))
        found = sorted((a["pid"], repr(a["payload"]), v)
                       for _, v, a in g.out_edges(cid, data=True))
        assert found == expected
    labels = {a["event"] for _, _, a in g.edges(data=True)}
    assert {"p0:null", "p1:null", "p0:0", "p1:1"} <= labels


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.stem)
def test_graphml_round_trips_through_networkx_with_the_same_node_and_edge_counts(path, tmp_path):
    space = smallest_space(path)
    out = write_graph(space, tmp_path / "g.graphml")
    back = nx.read_graphml(out)
    assert (back.number_of_nodes(), back.number_of_edges()) == (len(space), space.num_events)
    node = back.nodes["0"]
    assert json.loads(node["states"]) == to_networkx(space).nodes[0]["states"]
    assert node["valence"] == classify_valence(space).label(0)


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.stem)
def test_json_node_link_loads_with_networkx_node_link_graph(path, tmp_path):
    space = smallest_space(path)
    out = write_graph(space, tmp_path / "g.json")
    g = nx.node_link_graph(json.loads(out.read_text()), edges="edges")
    assert g.is_directed() and g.is_multigraph()
    assert (g.number_of_nodes(), g.number_of_edges()) == (len(space), space.num_events)
    assert g.nodes[0] == to_networkx(space).nodes[0]


def test_graphml_attributes_are_scalars_of_one_type_each(majority, tmp_path):
    """GraphML (Gephi, yEd) allows only scalar attributes, one declared type per key."""
    text = write_graph(majority, tmp_path / "g.graphml").read_text()
    keys = [line for line in text.splitlines() if line.lstrip().startswith("<key ")]
    names = [line.split('attr.name="')[1].split('"')[0] + line.split('for="')[1][:4]
             for line in keys]
    assert len(names) == len(set(names))
    assert all('attr.type="' in line for line in keys)


def test_dot_graphml_and_json_export_need_no_graphviz(majority, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    for suffix in (".dot", ".graphml", ".json"):
        assert write_graph(majority, tmp_path / f"g{suffix}").stat().st_size > 1000
    source = (tmp_path / "g.dot").read_text()
    assert source.startswith("digraph full {") and source.count("fillcolor=") >= len(majority)


def test_an_unknown_graph_format_is_a_usage_error(majority, tmp_path):
    with pytest.raises(UsageError, match=r"\.graphml"):
        write_graph(majority, tmp_path / "g.xlsx")


def test_explore_graph_option_writes_the_graph(tmp_path):
    out = tmp_path / "g.graphml"
    result = CliRunner().invoke(
        main, ["explore", str(MODELS / "leader_broadcast.py"), "-n", "2", "--graph", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(out).number_of_nodes() == 20


def _exports(tmp_path: Path, seeds: tuple[str, ...]) -> list[dict[str, bytes]]:
    """Every export of Majority (N = 3) and of flip-flop's witness run, written by a fresh
    process per seed with PYTHONHASHSEED = that seed (the processes run side by side)."""
    majority = str(MODELS / "majority.py")
    # One process per hash seed runs every command (each command loads the model afresh).
    child = ("import json, sys\nfrom flpcheck.cli import main\n"
             "for argv in json.loads(sys.argv[1]):\n"
             "    try:\n        main(argv)\n    except SystemExit:\n        pass\n")
    procs = []
    for seed in seeds:
        out = tmp_path / seed
        out.mkdir()
        argvs = [["explore", majority, "--graph", str(out / "g.json")],
                 ["explore", majority, "--graph", str(out / "g.graphml")],
                 ["explore", majority, "--graph", str(out / "g.dot")],
                 ["render", majority, "--view", "quotient", "-o", str(out / "q.dot")],
                 ["render", str(MODELS / "flip_flop.py"), "--view", "witness", "--crashes",
                  "0", "-o", str(out / "w.dot")]]
        procs.append(subprocess.Popen([sys.executable, "-c", child, json.dumps(argvs)],
                                      env=dict(os.environ, PYTHONHASHSEED=seed),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for proc in procs:
        proc.wait(timeout=300)
    return [{p.name: p.read_bytes() for p in sorted((tmp_path / seed).iterdir())}
            for seed in seeds]


def test_exports_are_identical_across_processes_and_hash_seeds(tmp_path):
    """The same bytes from two processes whose string hashing differs (PYTHONHASHSEED 1 and
    2): nothing is written in the order of a set or dict of user values."""
    first, second = _exports(tmp_path, ("1", "2"))
    assert sorted(first) == ["g.dot", "g.graphml", "g.json", "q.dot", "w.dot"]
    assert all(len(data) > 1000 for data in first.values())
    assert first == second


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "out.svg"
    atomic_write(target, "old")
    with pytest.raises(TypeError):
        atomic_write(target, 12345)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.svg"]
    atomic_write(target, b"new")
    assert target.read_text() == "new"
