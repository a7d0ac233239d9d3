"""The sequence chart as an image: ``flpcheck render --view sequence`` (the verdict's run, or a
schedule given in JSON) and the view it draws, the chart of the page."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from flpcheck import Protocol, explore_file, render
from flpcheck.cli import main
from flpcheck.errors import UsageError
from flpcheck.model.semantics import Event
from flpcheck.output.render.sequence import schedule_from_json
from flpcheck.output.render.style import PALETTE

from ..paths import MODELS


def edges(source: str, style: str) -> list[str]:
    """The DOT edge lines between process nodes drawn with ``style`` (solid: a receipt,
    dashed: a message still in transit)."""
    lines = [ln for ln in source.splitlines() if re.match(r"\s*p\d+r\d+ -> p\d+r\d+", ln)]
    return [ln for ln in lines if f"style={style}" in ln and "constraint=false" in ln]


def test_the_verdicts_lasso_as_a_chart():
    """Flip-flop, no crash: 7 steps, 6 of them receipts (every step but the two first null
    steps), 2 messages in transit at the end; the cycle of 4 steps bracketed; every row
    bivalent."""
    space = explore_file(str(MODELS / "flip_flop.py"))
    source = render(space, "sequence", crashes=0).source
    assert "sequence chart of forever-bivalent" in source
    assert "7 steps from I(01), the cycle from step 4 on repeated forever" in source
    assert len(edges(source, "solid")) == 5 and len(edges(source, "dashed")) == 2
    assert len(re.findall(r"g\d+ -> g\d+ \[.*style=bold", source)) == 4
    assert source.count(f'fillcolor="{PALETTE["bivalent"]}"') == 8  # I and 7 steps
    assert "✕" not in source


def test_a_crash_run_is_crossed_and_dotted():
    """Wait for all: p0 dead from the start (a cross on its line at I, dotted after)."""
    space = explore_file(str(MODELS / "wait_for_all.py"))
    source = render(space, "sequence").source
    assert "p0 dead from the start" in source and 'label="p0 ✕' in source
    assert re.search(r'p0r0 \[label="✕"', source)
    assert len(re.findall(r"p0r\d+ -> p0r\d+ \[.*style=dotted", source)) == 8


def test_render_writes_the_chart_of_the_verdicts_run(tmp_path):
    out = tmp_path / "chart.gv"
    result = CliRunner().invoke(main, ["render", str(MODELS / "majority.py"), "--view",
                                       "sequence", "-o", str(out)])
    assert result.exit_code == 0, result.output
    source = out.read_text()
    assert "sequence chart of shortest agreement violation" in source
    assert "5 steps from I(011)" in source
    assert len(edges(source, "solid")) == 4  # the four receipts of the shortest violation


def test_render_draws_a_json_schedule_without_exploring(tmp_path):
    """The run witness --json prints, and the schedule explore --json prints, drawn as given."""
    runner = CliRunner()
    run = json.loads(runner.invoke(main, ["witness", str(MODELS / "wait_for_all.py"),
                                          "--json"]).output)["run"]
    (tmp_path / "run.json").write_text(json.dumps(run))
    out = tmp_path / "run.gv"
    result = runner.invoke(main, ["render", str(MODELS / "wait_for_all.py"), "--view",
                                  "sequence", "--schedule", str(tmp_path / "run.json"), "-o",
                                  str(out)])
    assert result.exit_code == 0, result.output
    source = out.read_text()
    assert "7 steps from I(000), the cycle from step 6 on" in source and "p0 dead" in source
    assert "valence not computed" in source
    explored = json.loads(runner.invoke(main, ["explore", str(MODELS / "majority.py"),
                                               "--json"]).output)
    schedule = json.dumps(explored["agreement"]["schedule"])
    result = runner.invoke(main, ["render", str(MODELS / "majority.py"), "--view", "sequence",
                                  "--schedule", "-", "-o", str(tmp_path / "s.gv")],
                           input=schedule)
    assert result.exit_code == 0, result.output
    assert "5 steps from I(011)" in (tmp_path / "s.gv").read_text()


@pytest.mark.parametrize("args,document,words", [
    (["--view", "witness"], '{"inputs": [0, 1], "events": []}', "--view sequence only"),
    ([], "not json", "not JSON"),
    ([], '{"inputs": [0, 1], "events": [[1, 7]]}', "no message 7 is pending for p1"),
    ([], '{"inputs": [0, 1, 1], "events": []}', "need 2 values"),
    ([], '{"inputs": [0, 1], "events": [[5, null]]}', "pid in 0..1"),
])
def test_a_bad_schedule_is_a_usage_error(tmp_path, args, document, words):
    view = [] if args else ["--view", "sequence"]
    result = CliRunner().invoke(main, ["render", str(MODELS / "flip_flop.py"), *view, *args,
                                       "--schedule", "-", "-o", str(tmp_path / "x.gv")],
                                input=document)
    assert result.exit_code == 2 and words in result.output


class TwoShapes(Protocol):
    """p0 sends p1 the pair (1, 2) as a tuple and as a frozenset: one JSON form, [1, 2]."""

    def init(self, pid, x):
        return 0

    def step(self, pid, state, msg):
        if pid == 0 and state == 0:
            return 1, [(1, (1, 2)), (1, frozenset({1, 2}))]
        return state, ()

    def output(self, pid, state):
        return None


def test_a_json_payload_that_two_messages_share_is_ambiguous():
    protocol = TwoShapes()
    with pytest.raises(UsageError, match="2 different messages pending for p1 have the JSON "
                                         r"form \[1, 2\]: the schedule is ambiguous"):
        schedule_from_json(protocol, {"inputs": [0, 0], "events": [[0, None], [1, [1, 2]]]})
    inputs, events, cycle, crashed = schedule_from_json(
        protocol, {"inputs": "00", "events": [[0, None]]})
    assert (inputs, events, cycle, crashed) == ((0, 0), [Event(0, None)], None, frozenset())


def test_a_run_given_by_configuration_ids_is_drawn_with_its_explored_events():
    """The lasso's configuration ids alone (no events): each step is the explored event
    between two ids, and the cycle closes back to its start: the verdict's chart again."""
    from flpcheck import verdict

    space = explore_file(str(MODELS / "flip_flop.py"))
    run = verdict(space, crashes=0).run
    ids = list(run.path[:-1]) if run.path[-1] == run.path[len(run.stem)] else list(run.path)
    drawn = render(space, "sequence", run=ids, cycle_start=len(run.stem), title="the lasso")
    assert drawn.source == render(space, "sequence", crashes=0, title="the lasso").source
