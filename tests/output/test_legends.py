"""The sequence chart and Lemma 3's merged picture carry legends, and Lemma 3's merged loops
never draw two labels at one place (one loop per class, its two counts stacked)."""

from __future__ import annotations

import re
from collections import Counter

from flpcheck import classify_valence, explore, render
from flpcheck.analysis.adversary import lemma3_event, lemma3_sets
from flpcheck.model.loader import load_protocol
from flpcheck.output.render import lemma3_view

from ..paths import FIXTURES, MODELS


def test_the_sequence_chart_has_a_legend_with_the_marks_it_uses():
    """FlipFlop's forever-bivalent lasso (crash budget 0) has a cycle and no crash: the
    legend names the cycle's bar, not the crash mark; it sits under the chart."""
    space = explore(load_protocol(str(MODELS / "flip_flop.py")))
    source = render(space, "sequence", crashes=0).source
    assert "legend [" in source and "g8 -> legend" in source  # 7 steps: row 8 is in transit
    for mark in ("filled dot", "hollow dot", "square 0 / 1", "dashed arrow", "vermillion bar"):
        assert mark in source
    assert "a crash: the process never steps again" not in source
    assert "step number: valence of the configuration it reaches" in source


def test_lemma3_merged_draws_one_loop_per_class_with_both_counts():
    """Majority N=3 from C = I(011) with e = p0's null step, merged (max_nodes=0): the
    classes of 𝒞 ∩ D have loops both by e and by other events (each leads from one
    configuration of the class to another of the same class). Each class gets at most one
    loop, and where both kinds exist the loop's label holds both counts."""
    space = explore(load_protocol(str(MODELS / "majority.py")))
    valence = classify_valence(space)
    config, event, _ = lemma3_event(space, None, 0)
    sets = lemma3_sets(space, config, event, valence)
    source = lemma3_view(space, sets, valence=valence, max_nodes=0).source
    loops = Counter(a for a, b in re.findall(r"\t(\w+) -> (\w+) ", source) if a == b)
    assert loops and max(loops.values()) == 1
    both = [line for line in source.splitlines()
            if re.match(r"\t(\w+) -> \1 ", line) and "e ×" in line and "<BR/>" in line]
    assert both, "no class has both kinds of loop"
    assert "n configurations of 𝒞 of valence v" in source


def test_a_cut_graph_never_draws_a_lemma_2_pair_or_a_valence_it_did_not_settle():
    """SlowStart at depth 2 (its docstring): I(00), I(10), I(11) are at least {0}, {0}, {1};
    the full graph has I(10) bivalent. The initial view's caption is Lemma 2's own answer (not
    established), no edge is drawn bold, and the legend counts the lower bounds; with --inputs
    00,11 the chain's I(10) is missing and the caption says so too. On the full graph the
    caption names the bivalent I(10)."""
    protocol = load_protocol(str(FIXTURES / "edge" / "slow_start.py"))
    cut = explore(protocol, max_depth=2)
    source = render(cut, "initial").source
    assert "not established: a bound cut the exploration" in source
    assert "penwidth=3 style=bold" not in source and "style=bold" not in source
    assert "0-valent: 2 (2 at least)" in source and "1-valent: 1 (1 at least)" in source
    partial = explore(protocol, inputs=[(0, 0), (1, 1)])
    assert "not explored (--inputs)" in render(partial, "initial").source
    full = render(explore(protocol), "initial").source
    assert "I(10) is bivalent" in full and "at least" not in full


def test_lemma3_is_refused_at_a_configuration_a_bound_left_unexpanded():
    """Majority N=2 at depth 1: the configurations at depth 1 were not expanded, so 𝒞 (all
    that C reaches without e) is unknown; Lemma 3's view refuses them (exit 2), as the page's
    /api/lemma3 does."""
    from click.testing import CliRunner

    from flpcheck.cli import main

    space = explore(load_protocol(str(MODELS / "majority.py"), 2), max_depth=1)
    deep = int(next(c for c in range(len(space)) if space.cut[c]))
    result = CliRunner().invoke(main, ["render", str(MODELS / "majority.py"), "-n", "2",
                                       "--max-depth", "1", "--view", "lemma3", "--config",
                                       str(deep), "-o", "x.dot"])
    assert result.exit_code == 2, result.output
    assert f"--config {deep}: this configuration was not expanded" in result.output
