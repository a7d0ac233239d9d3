"""The synchronous round model (Aguilera and Toueg, IPL 71, 1999): FloodSet, broken round
protocols, bad models, CLI.

Processes are numbered from 0, so the textbook's p1 is p0 here. Every expected figure below is
worked out by hand in the test's docstring.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rich.console import Console

from flpcheck import RoundProtocol
from flpcheck.cli.explore import run_rounds
from flpcheck.cli.main import main
from flpcheck.errors import (
    FLPCheckError,
    InvalidProtocol,
    ModelLoadError,
    MutatedValue,
    NondeterministicStep,
    ProtocolStepError,
    ReplayError,
    UsageError,
)
from flpcheck.model.loader import is_round_model, load_round_protocol, load_round_protocol_class
from flpcheck.output.rounds_report import print_round_check
from flpcheck.sync import Crash, check_rounds, count_crash_patterns, replay

from ..paths import MODELS

FLOODSET = str(MODELS / "floodset.py")


def floodset(n: int, rounds: int) -> RoundProtocol:
    return load_round_protocol(FLOODSET, n, rounds)


# -- tiny fixture models ---------------------------------------------------------------------


class DecideOwnInput(RoundProtocol):
    """Broken: every process decides its own input in round 1."""

    processes, rounds = 3, 1

    def init(self, pid, x):
        return (x, None)

    def send(self, pid, round, state):
        return ()

    def receive(self, pid, round, state, inbox):
        return (state[0], state[0])

    def output(self, pid, state):
        return state[1]


class AlwaysZero(RoundProtocol):
    """Broken: everybody decides 0 whatever the inputs."""

    processes, rounds = 3, 1

    def init(self, pid, x):
        return None

    def send(self, pid, round, state):
        return ()

    def receive(self, pid, round, state, inbox):
        return 0

    def output(self, pid, state):
        return state


class WaitForAll(RoundProtocol):
    """Broken under crashes: decide the minimum only when all N-1 other inputs arrived."""

    processes, rounds = 3, 1

    def init(self, pid, x):
        return (x, None)

    def send(self, pid, round, state):
        return [(q, state[0]) for q in range(self.processes) if q != pid]

    def receive(self, pid, round, state, inbox):
        if len(inbox) < self.processes - 1:
            return (state[0], None)
        return (state[0], min([state[0], *(v for _, v in inbox)]))

    def output(self, pid, state):
        return state[1]


class Flip(RoundProtocol):
    """Broken: decide the input in round 1, then the opposite in round 2."""

    processes, rounds = 3, 2

    def init(self, pid, x):
        return (x, None)

    def send(self, pid, round, state):
        return ()

    def receive(self, pid, round, state, inbox):
        return (state[0], state[0] if round == 1 else 1 - state[0])

    def output(self, pid, state):
        return state[1]


class InboxShape(RoundProtocol):
    """Checks its inbox: a tuple of (src, payload) pairs sorted by src, one per sender."""

    processes, rounds = 4, 2

    def init(self, pid, x):
        return x

    def send(self, pid, round, state):
        return [(q, (pid, round)) for q in reversed(range(self.processes))]

    def receive(self, pid, round, state, inbox):
        assert isinstance(inbox, tuple)
        srcs = [src for src, _ in inbox]
        assert srcs == sorted(set(srcs)), inbox
        assert all(payload == (src, round) for src, payload in inbox), inbox
        return 0

    def output(self, pid, state):
        return 0 if state == 0 else None


# -- FloodSet --------------------------------------------------------------------------------


@pytest.mark.parametrize("n, f", [(3, 1), (3, 2), (4, 1), (4, 2)])
def test_floodset_with_f_plus_one_rounds_satisfies_agreement_validity_and_termination(n, f):
    """The classic proof: if a live p_i holds a value that a live p_j lacks after round
    f+1, p_i got it in the last round from a process that crashed, which got it in the round
    before from another crashed process, and so on: f+1 crashes, more than f. Validity: with
    all inputs v only v is ever flooded, so min = v. Termination: everyone decides after the
    last round. Every execution is explored: 2^N input vectors x the crash patterns."""
    check = check_rounds(floodset(n, f + 1), crashes=f)
    assert [v.holds for v in check.verdicts] == [True, True, True]
    assert all(v.counterexample is None and v.violations == 0 for v in check.verdicts)
    assert check.executions == 2**n * count_crash_patterns(n, f + 1, f)
    assert check.exit_code == 0


@pytest.mark.parametrize("n, f", [(3, 1), (4, 1), (4, 2), (5, 2)])
def test_floodset_with_f_rounds_and_n_at_least_f_plus_two_fails_by_the_crash_chain(n, f):
    """With R = f the canonical counterexample is the chain of crashes: inputs 01...1 (p0 alone
    holds 0), and in round r process p(r-1) crashes after sending only to p(r). Then p(f)
    learns 0 in the last round and decides 0; p(f+1), ..., p(N-1) never see 0 and decide 1.
    It uses f crashes and f delivered messages, the fewest possible: a crash that delivers
    nothing loses 0 for good, and one crash fewer leaves a live process holding 0 a round
    before the end, which floods it. Validity and termination still hold."""
    check = check_rounds(floodset(n, f), crashes=f)
    assert not check.agreement.holds and check.validity.holds and check.termination.holds
    ce = check.agreement.counterexample
    assert ce is not None
    assert ce.inputs == (0,) + (1,) * (n - 1)
    assert ce.crashes == tuple(Crash(r - 1, r, (r,)) for r in range(1, f + 1))
    assert ce.live == (False,) * f + (True,) * (n - f)
    assert ce.outputs == (None,) * f + (0,) + (1,) * (n - f - 1)
    assert check.agreement.detail == f"p{f} decides 0 but p{f + 1} decides 1"
    chain = "; ".join(f"p{r - 1} crashes in round {r} after sending only to p{r}"
                      for r in range(1, f + 1))
    assert ce.describe() == f"inputs 0{'1' * (n - 1)}; {chain}"
    assert check.exit_code == 1


def test_floodset_with_n_equal_f_plus_one_agrees_even_with_only_f_rounds():
    """N=3, f=2, R=2: a disagreement needs two live processes at the end, so at most one
    crash; and with one crash two rounds are enough (f'+1 = 2). So agreement holds."""
    check = check_rounds(floodset(3, 2), crashes=2)
    assert [v.holds for v in check.verdicts] == [True, True, True]


def test_floodset_smallest_case_explores_the_hand_counted_executions_and_states():
    """N=3, f=1, R=1. Crash patterns: none, or one of 3 processes crashes in round 1 and its
    message reaches any subset of the 2 others (4): 1 + 3*4 = 13. Every process sends to both
    others, so each pattern is a distinct execution: 8 input vectors * 13 = 104.
    Global states after round 1 (a crashed process is blank): crash-free, everyone holds the
    union of the inputs: 3 states ({0}, {1}, {0,1}). Process p crashed: the survivors hold
    U = their two inputs, plus maybe x_p; U is {0}, {1} or {0,1} (3 states with both at U),
    and when U = {v} and x_p = 1-v one or both survivors hold {0,1} (2 more states each for
    v = 0, 1): 7 per p, 21 in all; 3 + 21 = 24.
    Distinct transitions: from 000 and 111 one successor per crash choice (4 each); from a
    mixed vector, the crash-free one, 1 each for a crashing majority holder (2) and 4 when the
    odd one crashes (who hears it): 7 each, 6 vectors: 8 + 42 = 50.
    Agreement fails exactly when 0 has one holder (011, 101, 110) and it crashes with its
    message reaching exactly one of the two others (2 ways): 6 executions."""
    check = check_rounds(floodset(3, 1), crashes=1)
    assert check.crash_patterns == 13
    assert check.executions == 104
    assert check.global_states == (8, 24)
    assert check.transitions == 50
    assert check.agreement.violations == 6
    assert floodset(3, 2).rounds == 2


def test_floodset_with_two_rounds_explores_25_patterns_per_input_vector():
    """N=3, f=1, R=2: the crash-free pattern, plus 3 processes x 2 rounds x 4 subsets of the
    two others = 25 patterns; 8 * 25 = 200 executions."""
    check = check_rounds(floodset(3, 2), crashes=1)
    assert (check.crash_patterns, check.executions) == (25, 200)


def test_floodset_n4_f2_two_rounds_fails_in_exactly_24_executions():
    """N=4, f=2, R=2: 0 must have one holder (4 vectors); it crashes in round 1 reaching
    exactly one other (3 ways; reaching two leaves one crash for two holders, and the live one
    floods 0), and that one crashes in round 2 reaching exactly one of the two remaining
    (2 ways): 4 * 3 * 2 = 24."""
    check = check_rounds(floodset(4, 2), crashes=2)
    assert check.agreement.violations == 24


def test_count_crash_patterns_matches_a_brute_force_enumeration():
    """Enumerate patterns directly: each round, each live process stays up or crashes
    reaching any subset of the processes that stay up that round, within the budget."""

    def brute(n: int, rounds: int, f: int) -> int:
        def go(r: int, live: tuple[int, ...], budget: int) -> int:
            if r > rounds:
                return 1
            total = 0
            for k in range(min(budget, len(live)) + 1):
                for crashing in itertools.combinations(live, k):
                    rest = tuple(p for p in live if p not in crashing)
                    total += (2 ** len(rest)) ** k * go(r + 1, rest, budget - k)
            return total

        return go(1, tuple(range(n)), f)

    for n, rounds, f in itertools.product(range(1, 5), range(1, 4), range(0, 4)):
        if f <= n:
            assert count_crash_patterns(n, rounds, f) == brute(n, rounds, f), (n, rounds, f)


# -- broken round protocols ------------------------------------------------------------------


def test_deciding_your_own_input_violates_agreement_without_any_crash():
    """Inputs 001 (the smallest mixed vector), no crash: p0 decides 0, p2 decides 1.
    The protocol sends nothing, so a crash has no messages to lose: per input vector the
    executions are the crash-free one and one crash of each process (13 crash patterns collapse
    to 4): 8 * 4 = 32. Violations: the 6 mixed vectors crash-free, plus, for each crashed
    process (3), the 4 vectors where the two survivors' inputs differ: 6 + 12 = 18."""
    check = check_rounds(DecideOwnInput(), crashes=1)
    ce = check.agreement.counterexample
    assert ce is not None and ce.inputs == (0, 0, 1) and ce.crashes == ()
    assert check.agreement.detail == "p0 decides 0 but p2 decides 1"
    assert (check.crash_patterns, check.executions) == (13, 32)
    assert check.agreement.violations == 18
    assert check.validity.holds and check.termination.holds


def test_always_deciding_zero_violates_validity_from_all_ones():
    """From 111 everybody decides 0: the crash-free run is the counterexample. No messages,
    so from 111 there are 4 executions (crash-free, or one of 3 processes crashes), all
    violating validity."""
    check = check_rounds(AlwaysZero(), crashes=1)
    ce = check.validity.counterexample
    assert ce is not None and ce.inputs == (1, 1, 1) and ce.crashes == ()
    assert check.validity.detail == "every input is 1 but p0 decides 0"
    assert check.validity.violations == 4
    assert check.agreement.holds and check.termination.holds


def test_waiting_for_everyone_violates_termination_when_a_process_crashes_silently():
    """Crash-free, everyone hears N-1 values and decides. The least violation: p0 crashes
    before sending (1 crash, 0 messages), from 000; p1 and p2 wait forever. Violations: for
    each vector (8), crashing process (3) and delivery subset that misses some survivor
    (3 of 4): 72."""
    check = check_rounds(WaitForAll(), crashes=1)
    ce = check.termination.counterexample
    assert ce is not None and ce.inputs == (0, 0, 0)
    assert ce.crashes == (Crash(0, 1, ()),)
    assert check.termination.detail == "p1, p2 have not decided after the last round (1)"
    assert check.termination.violations == 72
    assert ce.describe() == "inputs 000; p0 crashes in round 1 before sending"


def test_a_decision_changed_in_a_later_round_violates_agreement():
    """Flip decides x in round 1 and 1-x in round 2: from 000 without crashes p0's output
    goes 0 -> 1 (a decision once made can't be changed), which comes before the plain
    disagreement from 001."""
    check = check_rounds(Flip(), crashes=0)
    ce = check.agreement.counterexample
    assert ce is not None and ce.inputs == (0, 0, 0)
    assert check.agreement.detail.startswith("p0's decision changed from 0 to 1 in round 2")
    assert check.agreement.violations == 8


def test_the_inbox_is_a_tuple_sorted_by_sender_with_one_message_each():
    """InboxShape asserts the inbox shape in receive (an assertion would be a model error)
    and everyone decides 0, so all three properties hold except validity from 1111."""
    check = check_rounds(InboxShape(), crashes=2)
    assert check.agreement.holds and check.termination.holds
    assert not check.validity.holds


def test_results_do_not_depend_on_the_hash_seed():
    """The same JSON (less the timing) under two PYTHONHASHSEED values."""
    code = (
        "import json, sys; from flpcheck.model.loader import load_round_protocol;"
        "from flpcheck.sync import check_rounds;"
        "from flpcheck.output.json import round_check_to_json;"
        f"c = check_rounds(load_round_protocol({FLOODSET!r}, 4, 2), crashes=2);"
        "d = round_check_to_json(c); d.pop('seconds'); d['counts'].pop('user_calls');"
        "print(json.dumps(d, sort_keys=True))"
    )
    outs = []
    for seed in ("0", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=True)
        outs.append(done.stdout)
    assert outs[0] == outs[1]


def test_replay_rejects_an_impossible_crash_pattern():
    """p1 cannot receive p0's message in the round p1 itself crashes, and nobody crashes
    twice."""
    proto = floodset(3, 2)
    with pytest.raises(ReplayError):
        replay(proto, (0, 1, 1), [Crash(0, 1, (1,)), Crash(1, 1, ())])
    with pytest.raises(ReplayError):
        replay(proto, (0, 1, 1), [Crash(0, 1, ()), Crash(0, 2, ())])
    with pytest.raises(ReplayError):
        replay(proto, (0, 1, 1), [Crash(0, 1, ()), Crash(1, 2, ())], crashes_allowed=1)


# -- bad models ------------------------------------------------------------------------------


def _model(**methods):
    base = {
        "processes": 2,
        "rounds": 1,
        "init": lambda self, pid, x: x,
        "send": lambda self, pid, r, s: self.broadcast(s),
        "receive": lambda self, pid, r, s, inbox: s,
        "output": lambda self, pid, s: s,
    }
    base.update(methods)
    return type("Bad", (RoundProtocol,), base)


@pytest.mark.parametrize(
    "methods, error, words",
    [
        ({"send": lambda self, pid, r, s: [(0, 1), (0, 2)]}, InvalidProtocol, "two messages"),
        ({"send": lambda self, pid, r, s: [(5, 1)]}, InvalidProtocol, "destination 5"),
        ({"send": lambda self, pid, r, s: 7}, InvalidProtocol, "iterable"),
        ({"receive": lambda self, pid, r, s, inbox: [s]}, ProtocolStepError, "unhashable state"),
        ({"init": lambda self, pid, x: {"x": x}}, ProtocolStepError,
         r"init\(0, 0\) returned an unhashable state"),
        ({"receive": lambda self, pid, r, s, inbox: 1 // 0}, ProtocolStepError, "ZeroDivision"),
        ({"output": lambda self, pid, s: 2}, ProtocolStepError, "None, 0 or 1"),
        ({"send": lambda self, pid, r, s: [(0, [s])]}, ProtocolStepError, "unhashable"),
    ],
)
def test_bad_round_models_are_model_errors(methods, error, words):
    """Each mistake is one FLPCheckError (exit code 2) naming the call that exposed it."""
    with pytest.raises(error, match=words) as info:
        check_rounds(_model(**methods)(), crashes=1)
    assert info.value.exit_code == 2


def test_a_nondeterministic_receive_is_a_model_error():
    """Two calls with the same arguments, two answers."""
    calls = iter(range(1000))
    bad = _model(receive=lambda self, pid, r, s, inbox: next(calls) % 2)
    with pytest.raises(NondeterministicStep):
        check_rounds(bad(), crashes=0)


def test_a_receive_that_mutates_its_state_is_a_model_error():
    """A state object with its own __eq__/__hash__ that receive changes in place."""

    class Box:
        def __init__(self, v):
            self.v = v

        def __eq__(self, other):
            return isinstance(other, Box) and other.v == self.v

        def __hash__(self):
            return hash(self.v)

    def receive(self, pid, r, s, inbox):
        s.v += 1
        return Box(0)

    bad = _model(init=lambda self, pid, x: Box(x), send=lambda self, pid, r, s: (),
                 receive=receive, output=lambda self, pid, s: 0)
    with pytest.raises(MutatedValue):
        check_rounds(bad(), crashes=0)


def test_a_model_error_says_which_execution_reached_it():
    """receive fails when an inbox in round 2 lacks a message. The first global state before
    round 2 is the crash-free one from 000; the first failing choice there is p0 crashing
    with none of its messages arriving, seen first by p1."""

    def receive(self, pid, r, s, inbox):
        if r == 2 and len(inbox) < 3:
            raise RuntimeError("short inbox")
        return s

    bad = _model(processes=3, rounds=2, receive=receive)
    with pytest.raises(ProtocolStepError, match="short inbox") as info:
        check_rounds(bad(), crashes=1)
    notes = info.value.__notes__
    assert "RuntimeError: short inbox" in notes[0]
    assert notes[1:] == [
        "p1 receives in round 2 while p0 crash in that round; crashing senders whose message "
        "reaches p1: none",
        "the global state before round 2 is reached from inputs 000; no crashes",
    ]


def test_missing_methods_bad_sizes_and_bad_arguments_are_rejected():
    """A misspelt method, N or R < 1, f > N, inputs of the wrong length, an async Protocol."""
    misspelt = type("Misspelt", (RoundProtocol,), {"init": lambda s, p, x: x,
                                                   "sned": lambda s, p, r, st: (),
                                                   "receive": lambda s, p, r, st, i: st,
                                                   "output": lambda s, p, st: None})
    with pytest.raises(InvalidProtocol, match="does not define send .found sned"):
        check_rounds(misspelt(), crashes=0)
    with pytest.raises(InvalidProtocol, match="rounds must be an int >= 1"):
        floodset(3, 0)
    with pytest.raises(InvalidProtocol, match="processes must be an int >= 1"):
        floodset(0, 1)
    with pytest.raises(UsageError, match="between 0 and N=3"):
        check_rounds(floodset(3, 1), crashes=4)
    with pytest.raises(UsageError, match="need 3 values"):
        check_rounds(floodset(3, 1), [(0, 1)], crashes=1)
    from flpcheck import Protocol

    with pytest.raises(InvalidProtocol, match="not a subclass of flpcheck.RoundProtocol"):
        check_rounds(Protocol(), crashes=1)  # type: ignore[arg-type]


def test_loading_round_models_reports_bad_files(tmp_path):
    """Missing file, syntax error, no RoundProtocol, several, a named class."""
    with pytest.raises(ModelLoadError, match="no such model file"):
        load_round_protocol_class(str(tmp_path / "nope.py"))
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    with pytest.raises(ModelLoadError, match="syntax error"):
        load_round_protocol_class(str(broken))
    empty = tmp_path / "empty.py"
    empty.write_text("X = 1\n")
    with pytest.raises(ModelLoadError, match="defines no subclass of flpcheck.RoundProtocol"):
        load_round_protocol_class(str(empty))
    two = tmp_path / "two.py"
    two.write_text(
        "from flpcheck import RoundProtocol\n"
        "class A(RoundProtocol):\n"
        "    def init(self, pid, x): return x\n"
        "    def send(self, pid, r, s): return ()\n"
        "    def receive(self, pid, r, s, inbox): return s\n"
        "    def output(self, pid, s): return s\n"
        "class B(A):\n"
        "    pass\n"
    )
    with pytest.raises(ModelLoadError, match="several RoundProtocol subclasses"):
        load_round_protocol_class(str(two))
    assert load_round_protocol_class(f"{two}:B").__name__ == "B"
    with pytest.raises(ModelLoadError, match="no class C"):
        load_round_protocol_class(f"{two}:C")


def test_round_models_are_told_apart_from_async_models():
    """FloodSet is a round model; the asynchronous Majority model is not."""
    assert is_round_model(FLOODSET)
    assert is_round_model(FLOODSET + ":FloodSet")
    assert not is_round_model(str(MODELS / "majority.py"))
    assert not is_round_model(str(MODELS / "no_such_model.py"))


# -- output and CLI --------------------------------------------------------------------------


def test_the_text_report_shows_the_counterexample_round_by_round():
    """N=3, f=1, R=1, exact text on a 100-column console (timing masked)."""
    check = check_rounds(floodset(3, 1), crashes=1)
    buf = io.StringIO()
    print_round_check(Console(file=buf, width=100, color_system=None), check)
    text = re.sub(r"\(\d+\.\d\ds\)", "(T)", buf.getvalue())
    assert [line.rstrip() for line in text.splitlines()] == [
        "FloodSet (synchronous rounds), N=3, R=1, at most f=1 crash (T)",
        "104 executions (8 input vectors, 13 crash patterns); global states per round: 8, 24",
        "agreement: VIOLATED in 6 of 104 executions: p1 decides 0 but p2 decides 1",
        "  counterexample: inputs 011; p0 crashes in round 1 after sending only to p1",
        "    round  crashes  got through  lost   p0       p1         p2",
        "    0      -        -            -      {0}      {1}        {1}",
        "    1      p0       p0→p1 {0}    p0→p2  crashed  {0,1} y=0  {1} y=1",
        "validity: holds in all 104 executions",
        "termination: holds in all 104 executions",
    ]


def test_run_rounds_prints_one_json_object_and_returns_the_exit_code(capsys):
    """--json: the three properties, each {holds, counterexample}, and the counts; exit 1
    for R = f, 0 for R = f+1."""
    assert run_rounds(FLOODSET, 4, 2, 2, None, True) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["protocol"], data["processes"], data["rounds"], data["crashes"]) == (
        "FloodSet", 4, 2, 2)
    assert data["counts"]["crash_patterns"] == 641
    assert data["counts"]["executions"] == 16 * 641
    assert data["validity"] == {"holds": True, "detail": "holds in all 10,256 executions",
                                "violations": 0, "counterexample": None}
    ce = data["agreement"]["counterexample"]
    assert data["agreement"]["holds"] is False
    assert ce["inputs"] == [0, 1, 1, 1]
    assert ce["crashes"] == [{"pid": 0, "round": 1, "delivered_to": [1]},
                             {"pid": 1, "round": 2, "delivered_to": [2]}]
    assert ce["outputs"] == [None, None, 0, 1]
    first = ce["rounds"][0]
    assert [m for m in first["messages"] if m["src"] == 0] == [
        {"src": 0, "dst": 1, "payload": [0], "delivered": True},
        {"src": 0, "dst": 2, "payload": [0], "delivered": False},
        {"src": 0, "dst": 3, "payload": [0], "delivered": False},
    ]
    assert run_rounds(FLOODSET, 4, 3, 2, None, True) == 0
    assert json.loads(capsys.readouterr().out)["agreement"]["counterexample"] is None


def test_run_rounds_defaults_to_one_crash_and_the_models_rounds(capsys):
    """FloodSet's defaults are N=3, R=2; with f=1 (the default) it is correct."""
    assert run_rounds(FLOODSET, None, None, None, "011,100", True) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["processes"], data["rounds"], data["crashes"]) == (3, 2, 1)
    assert data["inputs"] == ["011", "100"]
    assert data["counts"]["executions"] == 2 * 25


def test_run_rounds_raises_model_and_usage_errors():
    """Errors are FLPCheckError (the CLI group maps them to exit 2)."""
    with pytest.raises(UsageError):
        run_rounds(FLOODSET, None, None, 1, "01", False)
    with pytest.raises(UsageError):
        run_rounds(FLOODSET, None, 0, 1, None, False)
    with pytest.raises(FLPCheckError):
        run_rounds(str(MODELS / "majority.py"), None, None, 1, None, False)


def _explore_is_wired() -> bool:
    from flpcheck.cli import main

    explore = main.get_command(None, "explore")
    return explore is not None and {"crashes", "rounds"} <= {p.name for p in explore.params}


@pytest.mark.skipif(not _explore_is_wired(), reason="explore does not dispatch to run_rounds yet")
def test_flpcheck_explore_runs_a_round_model_with_exit_codes_0_1_and_2():
    """The wired CLI: R = f fails (1), R = f+1 holds (0), bad inputs are a usage error (2)."""
    from click.testing import CliRunner

    from flpcheck.cli import main

    runner = CliRunner()
    fail = runner.invoke(main, ["explore", FLOODSET, "--crashes", "1", "--rounds", "1", "--json"])
    assert fail.exit_code == 1, fail.output
    data = json.loads(fail.output)
    assert data["agreement"]["counterexample"]["crashes"] == [
        {"pid": 0, "round": 1, "delivered_to": [1]}]
    ok = runner.invoke(main, ["explore", FLOODSET, "--crashes", "1", "--rounds", "2"])
    assert ok.exit_code == 0, ok.output
    assert "agreement: holds" in ok.output
    bad = runner.invoke(main, ["explore", FLOODSET, "--inputs", "01"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("option", [["--max-depth", "3"], ["--max-configs", "10"],
                                    ["--symmetry"], ["--workers", "2"], ["--timeout", "5"],
                                    ["--ray-address", "auto"]])
def test_options_of_the_message_buffer_model_are_refused_on_a_round_model(option):
    """A round model is explored layer by layer in this process: an option it would ignore is
    a usage error naming it (exit 2), not a silent no-op."""
    result = CliRunner().invoke(main, ["explore", str(MODELS / "floodset.py"), *option])
    assert result.exit_code == 2
    assert f"{option[0]} applies to message-buffer models" in result.output


def test_validity_is_not_checked_when_no_uniform_input_vector_is_explored():
    """Validity speaks of the runs from all-0 or all-1 inputs: from 011 and 100 alone there
    are none, so nothing was established (holds None, as for message-buffer models), and the
    run is not a violation (exit 0). Agreement and termination are checked on both vectors:
    2 x 25 executions (count_crash_patterns(3, 2, 1) = 25)."""
    check = check_rounds(floodset(3, 2), [(0, 1, 1), (1, 0, 0)], crashes=1)
    assert check.executions == 2 * 25
    assert check.validity.holds is None
    assert "neither all-0 nor all-1" in check.validity.detail
    assert check.agreement.holds and check.termination.holds
    assert check.exit_code == 0
    result = CliRunner().invoke(main, ["explore", FLOODSET, "--inputs", "011,100", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["validity"]["holds"] is None


def test_with_every_process_crashed_nobody_is_left_to_decide_under_either_termination():
    """f = N: in the executions where all three processes crash, no process is live after
    the last round, so no live process is undecided: termination holds under "some" as under
    "all" (the explorer once counted them as violations that its own replay then refused).
    The replay agrees: an execution where p0, p1, p2 crash in round 1 has no termination
    problem."""
    for termination in ("some", "all"):
        check = check_rounds(floodset(3, 2), crashes=3, termination=termination)
        assert check.termination.holds, (termination, check.termination.detail)
    everyone = replay(floodset(3, 2), (0, 1, 1), [Crash(p, 1, ()) for p in range(3)])
    assert not any(everyone.live)
    from flpcheck.sync.replay import termination_problem
    assert termination_problem(everyone, "some") is None
    assert termination_problem(everyone, "all") is None


def test_a_crash_whose_messages_all_go_to_crashed_processes_says_so():
    """p0 and p1 crash in round 1 sending to nobody; p2 crashes in round 2 sending to nobody:
    by round 2 every process p2 sends to (p0, p1 and itself, which FloodSet includes) is down
    or crashing, so "it had nothing to send" would be false: FloodSet always broadcasts."""
    from flpcheck.sync.records import describe_crashes

    crashes = [Crash(0, 1, ()), Crash(1, 1, ()), Crash(2, 2, ())]
    execution = replay(floodset(3, 2), (0, 1, 1), crashes, crashes_allowed=3)
    text = describe_crashes(crashes, execution)
    assert text == ("p0 crashes in round 1 before sending; p1 crashes in round 1 before "
                    "sending; p2 crashes in round 2 (no process it sends to survives the round)")
