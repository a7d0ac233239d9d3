"""The text report of ``flpcheck explore``, compared exactly on a fixed-width console."""

from __future__ import annotations

import io

from rich.console import Console

from flpcheck import explore
from flpcheck.analysis.summary import summarize
from flpcheck.model.loader import load_protocol
from flpcheck.output.report import print_exploration

from ..paths import MODELS

EXPECTED = """\
DecideOwnInput, N=2: 16 configurations, 32 events (complete, 0.00s)
Valence: bivalent: 8, 0-valent: 4, 1-valent: 4, none: 0
Initial configurations:
 inputs ┃ valence
━━━━━━━━╇━━━━━━━━━━
 00     │ 0-valent
 01     │ bivalent
 10     │ bivalent
 11     │ 1-valent
agreement: VIOLATED: two processes decide differently: outputs (0, 1)
  shortest schedule: from inputs 01 (bivalent)
#  p   receives  sends  state after  outputs  valence
1  p0  null      -      (0, 0)       0_       bivalent
2  p1  null      -      (1, 1)       01       bivalent
validity: holds: from inputs 00 and 11 only the common input is decided
nontriviality: holds: 0 and 1 are both decided in some run
crash-free termination: every fair run decides; a run decides when some process decides (FLP's
definition)
"""


def test_the_explore_report_of_decide_own_input_is_exactly_as_worked_out():
    """16 configurations (each process decided or not, for 4 input vectors), 32 events (two
    null steps each). With inputs 01 or 10 every configuration can still reach both values
    (bivalent: 2 x 4 = 8); 00 gives 4 0-valent ones, 11 four 1-valent ones. The shortest
    violation: p0 decides 0, then p1 decides 1. Every fair crash-free run decides: a fair run
    gives p0 a step, and p0's first step decides."""
    space = explore(load_protocol(str(MODELS / "decide_own_input.py"), 2))
    space.elapsed = 0.0
    out = io.StringIO()
    print_exploration(Console(file=out, width=100, color_system=None, highlight=False),
                      summarize("DecideOwnInput", space))
    assert [line.rstrip() for line in out.getvalue().splitlines()] == EXPECTED.splitlines()


def test_user_text_that_looks_like_markup_or_emoji_is_printed_as_it_is():
    """tests/fixtures/markup_text.py: Tag's states hold the string "[red]" (each process
    decides its own input on its first step: agreement violated from 01, the schedule p0's
    then p1's null step), Bug's class name is an emoji code and its step raises with "[/]" and
    ":fire:". Every command prints them verbatim: no style tag swallowed, no emoji, no
    internal error."""
    from click.testing import CliRunner

    from flpcheck.cli import main

    from ..paths import FIXTURES

    model = str(FIXTURES / "markup_text.py")
    for command in ("explore", "witness"):
        result = CliRunner().invoke(main, [command, f"{model}:Tag"])
        assert result.exit_code == 1, result.output
        assert "('[red]', 0, 0)" in result.output and "('[red]', 1, 1)" in result.output
    simulated = CliRunner().invoke(main, ["simulate", f"{model}:Tag", "--runs", "20"])
    assert simulated.exit_code == 1 and "'[red]'" in simulated.output
    result = CliRunner().invoke(main, ["explore", f"{model}:Bug"])
    assert result.exit_code == 2
    assert "markup_text.py:Bug: step(0, (0, None), None) raised ValueError: boom [/] :fire:" \
        in " ".join(result.output.split())


def test_a_reader_that_stops_early_leaves_the_exit_code_the_verdicts():
    """`flpcheck explore ... | head -1`: once the reader has gone, the report prints nothing more
    and the command still ends with its own code (Paxos: 0, no property violated; Majority
    N = 3: 1, agreement violated), not rich's 1 for a closed pipe, and without a traceback."""
    import subprocess
    import sys

    from ..paths import MODELS

    for model, code in (("paxos.py:Paxos", 0), ("majority.py", 1)):
        proc = subprocess.Popen([sys.executable, "-m", "flpcheck", "explore",
                                 str(MODELS / model)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        assert proc.wait(timeout=120) == code
        with proc.stderr:
            assert proc.stderr.read() == b""
