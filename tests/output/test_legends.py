"""The sequence chart and Lemma 3's merged picture carry legends, and Lemma 3's merged loops
never draw two labels at one place (one loop per class, its two counts stacked)."""

from __future__ import annotations

import re
from collections import Counter

from flpcheck import classify_valence, explore, render
from flpcheck.analysis.adversary import lemma3_event, lemma3_sets
from flpcheck.model.loader import load_protocol
from flpcheck.output.render import lemma3_view

from ..paths import MODELS


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
