"""``flpcheck liveness``: the text report compared exactly (100 columns, no colour), the JSON
against its schema, exit codes and usage errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from flpcheck.cli import main
from flpcheck.output.schemas import validate

from ..paths import MODELS, ROOT

LEADER_2 = """\
LeaderBroadcast, N=2: liveness after GST; crashes <= 1; termination some: a run decides when some
process decides (FLP's definition)
  rules: after GST a process takes a null step (a timeout) only when no message is in transit to a
live process
  GST: anywhere (every one of the 20 explored configurations may be the one at GST)
liveness: FAILS: after GST, with p0 crashed, it ends in a fair cycle that never decides
the run that never decides (replayed and checked), from inputs 00, GST after 0 events; crashes: p0
at GST:
#  when       p   receives  sends  state after                 outputs  note
   after GST  p0  -         -      (crashed)                   __       p0 crashes at GST
1  cycle      p1  null      -      State(x=0, sent=False,      __       a timeout: nothing is in
                                   y=None)                              transit to a live process;
                                                                        it changes nothing
                                                                        (stuttering)
  the cycle (step 1) repeats forever: every message to a live process is received in it and every
live process with an allowed event steps in it
without GST (any schedule forever, FLP's model): a fair run with at most 1 crash never decides (from
inputs 00, crashed: p0: 0 events, then a cycle of 1 forever; flpcheck witness
models/leader_broadcast.py shows it)
"""

MAJORITY_2 = """\
Majority, N=2: liveness after GST; crashes <= 0; termination some: a run decides when some process
decides (FLP's definition)
  rules: after GST a process takes a null step (a timeout) only when no message is in transit to a
live process
  GST: anywhere (every one of the 88 explored configurations may be the one at GST)
liveness: HOLDS: every admissible run decides after GST
worst case: 2 events after GST to a decision (steps that change nothing and crashes not counted),
from inputs 00, GST after 0 events; crashes: none:
#  when       p   receives  sends       state after               outputs  note
1  after GST  p0  null      0→p0, 0→p1  State(x=0, sent=True,     __       a timeout: nothing is in
                                        zeros=0, ones=0, y=None)           transit to a live process
2  after GST  p0  0         -           State(x=0, sent=True,     0_
                                        zeros=1, ones=0, y=0)
without GST (any schedule forever, FLP's model): every fair run with at most 0 crashes decides as
well (the complete graph was searched): it decides without GST
"""


def _run(*args: str):
    return CliRunner().invoke(main, ["liveness", *args], terminal_width=100,
                              env={"COLUMNS": "100"})


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_a_protocol_one_crash_defeats_after_gst_exact_text_exit_1(monkeypatch):
    """Leader broadcast, N=2: p0 dead from the start never sends; p1 times out forever."""
    monkeypatch.chdir(ROOT)
    result = _run("models/leader_broadcast.py", "-n", "2")
    assert result.exit_code == 1
    assert _lines(result.output) == _lines(LEADER_2)


def test_majority_of_one_vote_holds_in_2_events_exact_text_exit_0():
    """Majority, N=2, no crash: one timeout (a broadcast), then the first vote heard decides."""
    result = _run(str(MODELS / "majority.py"), "-n", "2", "--crashes", "0")
    assert result.exit_code == 0
    assert _lines(result.output) == _lines(MAJORITY_2)


def test_json_matches_the_schema_and_says_what_it_established():
    result = _run(str(MODELS / "paxos.py:Paxos"), "--leader", "0", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    validate("liveness", doc)
    assert doc["holds"] is False and doc["leader"] == 0 and doc["run"]["crashed"] == [1]
    assert doc["worst_steps_after_gst"] is None and doc["worst_from"] is None
    result = _run(str(MODELS / "majority.py"), "--json")
    doc = json.loads(result.output)
    validate("liveness", doc)
    assert result.exit_code == 0 and doc["holds"] is True and doc["worst_steps_after_gst"] == 5
    assert len(doc["worst_from"]["after_gst"]) == 5


def test_not_established_is_null_and_exit_0():
    result = _run(str(MODELS / "paxos_unbounded.py"), "--gst-by", "2", "--timeouts", "local",
                  "--leader", "0", "--max-post-configs", "5000", "--json")
    doc = json.loads(result.output)
    validate("liveness", doc)
    assert result.exit_code == 0 and doc["holds"] is None and doc["complete"] is False
    assert doc["cut_reasons"] == ["max-post-configs"]
    assert doc["stages"] is None or doc["stages"]["kind"] == "stages"


def test_usage_errors_exit_2():
    for args in (["--detector"], ["--detector", "--leader", "0"],
                 ["--detector", "--timeouts", "local"], ["--leader", "7"],
                 ["--crashes", "3"]):
        result = _run(str(MODELS / "majority.py"), *args)
        assert result.exit_code == 2, (args, result.output)
    result = _run(str(MODELS / "majority.py"), "--detector")
    assert "suspects(pid, state)" in result.output
