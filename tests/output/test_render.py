"""Rendering with Graphviz: the views, the palette, the CLI and the missing-dot error."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import graphviz
import pytest
from click.testing import CliRunner

from flpcheck import Event, Protocol, classify_valence, explore, render
from flpcheck.analysis import run_to_draw, verdict
from flpcheck.analysis.adversary import lemma3_event, lemma3_sets
from flpcheck.analysis.components import strongly_connected
from flpcheck.analysis.lemma2 import lemma2
from flpcheck.cli import main
from flpcheck.errors import GraphvizMissing, UsageError
from flpcheck.explorer.statespace import StateSpace
from flpcheck.model.loader import load_protocol
from flpcheck.output.render import (
    FULL_VIEW_NODES,
    PALETTE,
    choose_view,
    full_view,
    initial_view,
    lemma3_view,
    quotient_view,
    witness_view,
    write_image,
)

from ..helpers import MODEL_FILES, smallest_space
from ..paths import MODELS

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
SVG = "{http://www.w3.org/2000/svg}"
COLOUR_TO_VALENCE = {colour.lower(): label for label, colour in PALETTE.items()}


def svg_nodes(path: Path) -> dict[str, str]:
    """{node name: fill colour} of every configuration node (named c<id>) in an SVG."""
    root = ET.parse(path).getroot()
    nodes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        name = g.find(f"{SVG}title").text
        if not re.fullmatch(r"c\d+", name):
            continue
        fills = [e.get("fill") for e in g.iter()
                 if e.get("fill") not in (None, "none", "black", "white")]
        nodes[name] = fills[0]
    return nodes


def majority(n: int) -> StateSpace:
    return explore(load_protocol(str(MODELS / "majority.py"), n))


class Toggle(Protocol):
    """Each process flips a bit on every null step and never decides: per input vector the
    four configurations form one cycle, and every configuration is none-valent."""

    processes = 2

    def init(self, pid, x):
        return (x, 0)

    def step(self, pid, state, msg):
        return (state[0], 1 - state[1]), ()

    def output(self, pid, state):
        return None


@needs_dot
@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.stem)
def test_full_view_svg_has_one_node_per_configuration_coloured_by_valence(path, tmp_path):
    space = smallest_space(path)
    out = write_image(full_view(space, valence=classify_valence(space)), tmp_path / "full.svg")
    nodes = svg_nodes(out)
    assert sorted(nodes) == sorted(f"c{c}" for c in range(len(space)))
    colours = Counter(COLOUR_TO_VALENCE[fill] for fill in nodes.values())
    expected = {label: k for label, k in classify_valence(space).counts().items() if k}
    assert dict(colours) == expected


def svg_edges(path: Path) -> list[tuple[str, str]]:
    """(tail, head) of every edge between configuration nodes in an SVG (titled ``c1->c2``)."""
    root = ET.parse(path).getroot()
    out = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            tail, _, head = g.find(f"{SVG}title").text.partition("->")
            if re.fullmatch(r"c\d+", tail) and re.fullmatch(r"c\d+", head):
                out.append((tail, head))
    return out


def dot_graph(path: Path) -> tuple[set[str], list[tuple[str, str]]]:
    """(configuration nodes, edges between them) read back from a DOT source."""
    text = path.read_text()
    nodes = set(re.findall(r"^\t(c\d+) \[", text, re.M))
    edges = re.findall(r"^\t(c\d+) -> (c\d+)", text, re.M)
    return nodes, edges


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk (after checking the signature)."""
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@needs_dot
@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.stem)
def test_the_pictures_hold_every_configuration_and_event_of_the_graph(path, tmp_path):
    """render -o g.svg / g.dot / g.png of the same (cut) graph: the SVG and the DOT read back
    hold one node per explored configuration and one arrow per pair of configurations an
    explored event joins (events joining the same two share it), the same arrows; the PNG is
    that drawing (the SVG's size at 96 dpi, or its shape where Graphviz scales a picture down
    to its 32,767-pixel limit)."""
    space = explore(load_protocol(str(path), 2), max_configs=150)
    outs = {}
    for suffix in ("svg", "dot", "png"):
        outs[suffix] = tmp_path / f"g.{suffix}"
        result = CliRunner().invoke(main, ["render", str(path), "-n", "2", "--max-configs",
                                           "150", "-o", str(outs[suffix])])
        assert result.exit_code == 0, result.output
        assert f"full view of {len(space):,} configurations" in result.output
    configs = {f"c{c}" for c in range(len(space))}
    joined = [(f"c{c}", f"c{d}") for c in range(len(space)) for _, d in space.successors(c)]
    assert len(joined) == space.num_events
    events = sorted(set(joined))
    assert set(svg_nodes(outs["svg"])) == configs
    assert sorted(svg_edges(outs["svg"])) == events
    dot_nodes, dot_edges = dot_graph(outs["dot"])
    assert dot_nodes == configs and sorted(dot_edges) == events
    root = ET.parse(outs["svg"]).getroot()
    width_pt = float(root.get("width").removesuffix("pt"))
    height_pt = float(root.get("height").removesuffix("pt"))
    width, height = png_size(outs["png"])
    if max(width_pt, height_pt) * 96 / 72 < 32767:
        assert abs(width - width_pt * 96 / 72) <= 2 and abs(height - height_pt * 96 / 72) <= 2
    else:
        assert abs(width / height - width_pt / height_pt) < 0.01 * width_pt / height_pt


@needs_dot
@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.stem)
def test_witness_view_contains_every_configuration_of_the_run(path, tmp_path):
    space = smallest_space(path)
    drawn = run_to_draw(space)
    out = write_image(witness_view(space, drawn.path, drawn.cycle_start, events=drawn.events,
                                   valence=classify_valence(space),
                                   title=drawn.title), tmp_path / "w.svg")
    assert {f"c{c}" for c in drawn.path} <= set(svg_nodes(out))


@needs_dot
def test_witness_view_draws_a_lasso_with_its_closing_step_in_bold(tmp_path):
    """A lasso: from I(01), p0 steps (broadcasting 0), then p0's null step loops forever.
    Given as a Run's path is (stem and one turn of the cycle, back at its start)."""
    space = majority(2)
    start = space.initial_id((0, 1))
    after = space.successor(start, Event(0, None))
    graph = witness_view(space, [start, after, after], cycle_start=1,
                         valence=classify_valence(space),
                         events=[Event(0, None), Event(0, None)])
    source = graph.source
    assert f"c{after} -> c{after}" in source and '"2. p0:null"' in source
    assert "then back to s1, forever" in source
    assert {f"c{start}", f"c{after}"} <= set(svg_nodes(write_image(graph, tmp_path / "l.svg")))


def test_a_witness_run_must_follow_explored_events():
    space = majority(2)
    with pytest.raises(UsageError, match="step 1 is not an explored event"):
        witness_view(space, [0, 3], valence=classify_valence(space))


def test_witness_stand_in_is_the_shortest_agreement_violation_when_there_is_one():
    space = majority(2)
    drawn = run_to_draw(space)
    assert drawn.cycle_start is None and drawn.title == "shortest agreement violation"
    assert space.decisions(drawn.path[-1]) == frozenset({0, 1})
    assert len(drawn.path) - 1 == space.depth[drawn.path[-1]] == len(drawn.events)


@pytest.mark.parametrize("view", ["witness", "sequence"])
def test_a_validity_violation_is_drawn_with_its_shortest_schedule(view, tmp_path):
    """Always-zero, N=2: every process decides 0 on its first step whatever its input. Agreement
    holds and validity fails: from I(11), p0's null step decides 0 (one event, the shortest
    schedule ``witness`` prints). Both run views draw that schedule, not a path to the
    deepest configuration (which is 2 events deep: both processes decided)."""
    space = explore(load_protocol(str(MODELS / "always_zero.py"), 2))
    drawn = run_to_draw(space)
    start = space.initial_id((1, 1))
    assert drawn.title == "shortest validity violation" and drawn.cycle_start is None
    assert drawn.events == (Event(0, None),) and drawn.path == (start, drawn.path[1])
    assert space.decisions(drawn.path[1]) == frozenset({0})
    out = tmp_path / f"{view}.gv"
    result = CliRunner().invoke(main, ["render", str(MODELS / "always_zero.py"), "-n", "2",
                                       "--view", view, "-o", str(out)])
    assert result.exit_code == 0, result.output
    source = out.read_text()
    assert "shortest validity violation" in source and "BFS" not in source
    if view == "sequence":
        assert "1 step from I(11)" in source


def test_initial_view_draws_the_lemma2_chain_with_valences():
    """Majority with N=3: I_0=000 and I_1=100 are 0-valent, I_2=110 bivalent, I_3=111 1-valent."""
    space = majority(3)
    found = lemma2(space)
    source = initial_view(space, found.detail, found.pair, valence=classify_valence(space)).source
    ids = [space.initial_id(x) for x in ((0, 0, 0), (1, 0, 0), (1, 1, 0), (1, 1, 1))]
    labels = [re.search(rf"\bc{c} \[.*?fillcolor=\"(#\w+)\"", source).group(1) for c in ids]
    assert [COLOUR_TO_VALENCE[c.lower()] for c in labels] == [
        "0-valent", "0-valent", "bivalent", "1-valent"]
    assert "I(110) is bivalent: the outcome is not yet fixed" in source  # Lemma 2's words


def test_lemma3_view_shows_d_as_e_applied_to_what_c_reaches_without_e():
    """D = e(𝒞), computed here with a plain search over successors, appears whole in the view."""
    space = majority(2)
    config, event, note = lemma3_event(space)
    assert note == "" and classify_valence(space).label(config) == "bivalent"
    assert event == Event(0, None)  # an initial configuration has no pending message
    reached, todo, d = {config}, [config], set()
    while todo:
        c = todo.pop()
        for e, nxt in space.successors(c):
            if e == event:
                d.add(nxt)
            elif nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    source = lemma3_view(space, lemma3_sets(space, config, event),
                         valence=classify_valence(space)).source
    drawn = set(re.findall(r"^\s*c(\d+) \[", source, re.M))
    assert {str(c) for c in reached | d} == drawn
    assert source.count('label=e color="#D55E00"') == len(
        [1 for c in reached for e, _ in space.successors(c) if e == event])


def test_lemma3_view_merges_large_sets_by_valence():
    space = majority(3)
    config, event, _ = lemma3_event(space)
    source = lemma3_view(space, lemma3_sets(space, config, event),
                         valence=classify_valence(space)).source
    assert "𝒞 ∩ D: bivalent ×" in source and len(re.findall(r"^\s*c\d+ \[", source, re.M)) == 2


def test_lemma3_rejects_an_event_that_is_not_applicable():
    space = majority(2)
    with pytest.raises(UsageError, match="not applicable"):
        lemma3_sets(space, 0, Event(1, 1))


def test_auto_view_draws_every_configuration_only_up_to_the_threshold():
    small, large = majority(2), majority(3)
    assert len(small) <= FULL_VIEW_NODES < len(large)
    assert (choose_view(small), choose_view(large)) == ("full", "quotient")
    assert render(large).name == "quotient"


def test_quotient_counts_add_up_to_every_configuration_and_event():
    space = majority(3)
    source = quotient_view(space, valence=classify_valence(space)).source
    sizes = [int(k.replace(",", "")) for k in
             re.findall(r"(?:bivalent|0-valent|1-valent|none) ×([\d,]+)", source)]
    assert sum(sizes) == len(space)
    events = [int(k.replace(",", "")) for k in re.findall(r'label="×([\d,]+)"', source)]
    assert sum(events) == space.num_events


def test_quotient_by_scc_condenses_cycles():
    """Toggle flips a bit on each null step: every input vector gives one SCC of 4."""
    space = explore(Toggle())
    source = quotient_view(space, by="scc", valence=classify_valence(space),
                           components=strongly_connected(space)).source
    assert len(re.findall(r"SCC \d", source)) == 4 and source.count("none ×4") == 4


def test_label_modes_show_nothing_compact_states_or_everything():
    space = explore(load_protocol(str(MODELS / "leader_broadcast.py"), 2))
    valence = classify_valence(space)
    none, short, full = (full_view(space, labels=m, valence=valence).source
                         for m in ("none", "short", "full"))
    assert r"c0 I=00\n0,F,_ | 0,F,_\n∅" in short and '"p0:null"' in short
    assert r"p0: State(x=0, sent=False, y=None)\l" in full and "p0 receives null" in full
    assert "label=\"\" " in none and "p0:null" not in none
    with pytest.raises(UsageError, match="labels"):
        full_view(space, labels="long", valence=classify_valence(space))


def test_views_are_graphviz_digraphs_that_display_themselves_in_jupyter():
    view = render(majority(2), "initial")
    assert isinstance(view, graphviz.Digraph) and hasattr(view, "_repr_mimebundle_")
    if shutil.which("dot") is not None:
        assert "<svg" in view._repr_mimebundle_()["image/svg+xml"]


def test_the_same_view_is_drawn_identically_from_run_to_run():
    first, second = majority(2), majority(2)
    assert (full_view(first, valence=classify_valence(first)).source
            == full_view(second, valence=classify_valence(second)).source)


def test_without_dot_rendering_says_how_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizMissing, match="apt-get install graphviz") as err:
        space = majority(2)
        write_image(full_view(space, valence=classify_valence(space)), tmp_path / "g.svg")
    assert "brew install graphviz" in str(err.value)
    assert not (tmp_path / "g.svg").exists()
    space = majority(2)  # the DOT source needs no dot:
    write_image(full_view(space, valence=classify_valence(space)), tmp_path / "g.dot")


def test_without_dot_the_render_command_exits_2_with_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["render", str(MODELS / "majority.py"), "-n", "2",
                                       "-o", str(tmp_path / "g.svg")])
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.output


def test_render_command_rejects_an_unknown_suffix_and_misplaced_options(tmp_path):
    runner = CliRunner()
    model = str(MODELS / "majority.py")
    bad = runner.invoke(main, ["render", model, "-n", "2", "-o", str(tmp_path / "g.txt")])
    assert bad.exit_code == 2 and ".svg" in bad.output
    misplaced = runner.invoke(main, ["render", model, "-n", "2", "--config", "3",
                                     "-o", str(tmp_path / "g.svg")])
    assert misplaced.exit_code == 2 and "--view lemma3" in misplaced.output


@needs_dot
@pytest.mark.parametrize("view", ["initial", "witness", "lemma3", "quotient"])
def test_render_command_draws_each_view(view, tmp_path):
    out = tmp_path / f"{view}.svg"
    result = CliRunner().invoke(main, ["render", str(MODELS / "majority.py"), "-n", "3",
                                       "--view", view, "--labels", "full", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ET.parse(out)
    assert f"{view} view of 2,542 configurations" in result.output


@needs_dot
def test_pdf_output_is_a_pdf(tmp_path):
    out = write_image(quotient_view(majority(3), valence=classify_valence(majority(3))), tmp_path / "q.pdf")
    assert out.read_bytes().startswith(b"%PDF")


def test_the_witness_view_draws_the_verdicts_run_by_default():
    """Wait-for-all with N=2 is not crash tolerant: the view draws that run (p0 crashed)."""
    from flpcheck.analysis import verdict
    from flpcheck.model.loader import load_protocol

    space = explore(load_protocol(str(MODELS / "wait_for_all.py"), 2))
    run = verdict(space).run
    drawn = run_to_draw(space)
    assert drawn.path == run.path and drawn.cycle_start == len(run.stem)
    assert drawn.title == "not-crash-tolerant (crashed: p0)"
    source = render(space, "witness").source
    assert all(f"c{c}" in source for c in run.path)


@needs_dot
def test_render_draws_the_forever_bivalent_lasso_with_crashes_0_and_labels_each_step(tmp_path):
    """Flip-flop with no crash allowed: the verdict is forever-bivalent and its run a lasso.
    Every step of the run is drawn with its own number and its own event, even where two
    steps join the same pair of configurations (two null steps of different processes
    looping on one configuration are two arrows, not one arrow with both numbers)."""
    out = tmp_path / "lasso.dot"
    result = CliRunner().invoke(main, ["render", str(MODELS / "flip_flop.py"), "--view",
                                       "witness", "--crashes", "0", "-o", str(out)])
    assert result.exit_code == 0, result.output
    source = out.read_text()
    assert "forever-bivalent" in source
    space = explore(load_protocol(str(MODELS / "flip_flop.py")))
    run = verdict(space, crashes=0).run
    drawn = {}  # step number -> the event its arrow is labelled with
    for numbers, event in re.findall(r'label="([0-9,]+)\. (p[0-9]+:\w+)"', source):
        for i in numbers.split(","):
            assert int(i) not in drawn
            drawn[int(i)] = event
    assert drawn == {i: f"p{e.pid}:" + ("null" if e.msg is None else str(e.msg))
                     for i, e in enumerate(run.events, 1)}


def test_two_null_steps_looping_on_one_configuration_are_two_arrows(tmp_path):
    """Two processes whose null steps change nothing: from I(00) the run p0:null, p1:null is
    two self-loops on one configuration, drawn as two arrows labelled 1 and 2."""

    class Idle(Protocol):
        def init(self, pid, x):
            return x

        def step(self, pid, state, msg):
            return state, ()

        def output(self, pid, state):
            return None

    space = explore(Idle(processes=2), [(0, 0)])
    source = witness_view(space, [0, 0, 0], cycle_start=0, valence=classify_valence(space),
                          events=[Event(0, None), Event(1, None)]).source
    assert '"1. p0:null"' in source and '"2. p1:null"' in source
