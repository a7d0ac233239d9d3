"""The partial-order reduction (explore --por): exact safety verdicts and valences, fewer
configurations and events, refused where it does not preserve the answer."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from flpcheck import Protocol, explore
from flpcheck.analysis import verdict
from flpcheck.cli import main
from flpcheck.errors import UsageError
from flpcheck.explorer.simple import SimpleEngine
from flpcheck.model.loader import load_protocol

from ..helpers import assert_reduction_exact
from ..paths import MODELS


class TwoFlags(Protocol):
    """Each process raises a flag on its first null step; nothing is sent, nothing decided."""

    processes = 2

    def init(self, pid, x):
        return (x, False)

    def step(self, pid, state, msg):
        return (state[0], True), ()

    def output(self, pid, state):
        return None


def test_two_flags_reduced_by_hand():
    """Per input vector the full graph has 4 configurations (flags 00, 10, 01, 11) and 8 events
    (two null steps at each). Reduced: at 00 only p0 moves (p1 can never send p0 anything, and
    the step changes no output); at 10 p0's null step is a self-loop, so p1 moves alone; at 11
    both steps are self-loops: full expansion. 3 configurations, 1 + 1 + 2 = 4 events; with
    the 4 input vectors 12 and 16, against 16 and 32."""
    full = explore(TwoFlags())
    reduced = explore(TwoFlags(), por=True)
    assert (len(full), full.num_events) == (16, 32)
    assert (len(reduced), reduced.num_events) == (12, 16)
    assert reduced.partial_order and not full.partial_order
    flags = {tuple(s[1] for s in reduced.configuration(c).states) for c in range(len(reduced))}
    assert flags == {(False, False), (True, False), (True, True)}


SMALL_MODELS = ["majority.py:3", "majority.py:4", "leader_broadcast.py:3",
                "decide_own_input.py:3", "always_zero.py:3", "flip_flop.py:2",
                "two_phase_commit.py:3", "paxos.py:Paxos:3", "paxos_buggy.py:PaxosNoReport:3",
                "paxos_buggy.py:PaxosBrokenPromise:3", "paxos_buggy.py:PaxosQuorumOfOne:3"]


@pytest.mark.parametrize("spec", SMALL_MODELS)
def test_reduction_is_exact_on_the_models(spec):
    path, _, n = spec.rpartition(":")
    protocol = load_protocol(str(MODELS / path), int(n))
    full = explore(protocol)
    reduced = explore(load_protocol(str(MODELS / path), int(n)), por=True)
    assert reduced.partial_order, reduced.por_note
    assert_reduction_exact(full, reduced)


def test_majority_of_four_is_reduced_by_more_than_half():
    """Once every process has broadcast, no process can send anything new: receipts of one
    process at a time suffice. (Pinned: 57,353 of 126,474 configurations, 282,759 of
    1,098,024 events.)"""
    reduced = explore(load_protocol(str(MODELS / "majority.py"), 4), por=True)
    assert (len(reduced), reduced.num_events) == (57_353, 282_759)


def test_reduction_needs_a_finite_local_abstraction():
    """wait_for_all counts votes without bound in the abstraction (a process may receive any
    vote any number of times there): no reduction, the reason is given, the space is full."""
    protocol = load_protocol(str(MODELS / "wait_for_all.py"), 3)
    space = explore(protocol, por=True)
    assert not space.partial_order
    assert "local abstraction" in space.por_note
    assert (len(space), space.num_events) == (lambda s: (len(s), s.num_events))(
        explore(load_protocol(str(MODELS / "wait_for_all.py"), 3)))


def test_reduction_refuses_what_it_does_not_preserve():
    space = explore(load_protocol(str(MODELS / "majority.py"), 3), por=True)
    with pytest.raises(UsageError, match="partial-order reduction"):
        verdict(space)
    with pytest.raises(UsageError, match="do not combine"):
        explore(load_protocol(str(MODELS / "majority.py"), 3), por=True, symmetry=True)
    with pytest.raises(UsageError, match="batch engine"):
        explore(load_protocol(str(MODELS / "majority.py"), 3), por=True, engine=SimpleEngine())


def test_cli_explore_por_reports_the_reduction_and_the_verdicts(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["explore", str(MODELS / "majority.py"), "-n", "4", "--por"])
    assert result.exit_code == 1, result.output  # agreement is violated
    assert "Partial-order reduction: 57,353 configurations and 282,759 events explored" \
        in result.output
    assert "agreement: VIOLATED" in result.output
    refused = runner.invoke(main, ["explore", str(MODELS / "majority.py"), "--por",
                                   "--graph", str(tmp_path / "g.dot")])
    assert refused.exit_code == 2 and "partial-order reduction" in refused.output
