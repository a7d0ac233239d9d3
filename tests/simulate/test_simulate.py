"""Simulation (flpcheck.simulate): violations found, replayed and shrunk; nothing claimed on
correct models; runs that depend only on the seed and their index.

Every run checked here is also checked by code independent of the engine: schedules are
replayed with flpcheck.model.semantics and judged from the outputs (the helpers below), and
the adversary's certified-bivalent prefixes against the valence of the fully explored graph.
"""

from __future__ import annotations

import sys
import types

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flpcheck import Protocol, explore
from flpcheck.analysis.valence import classify_valence
from flpcheck.model.loader import load_protocol
from flpcheck.model.semantics import initial_configuration, replay
from flpcheck.model.values import canonical_key
from flpcheck.output.json import simulation_to_json
from flpcheck.simulate import Machine, Settings, histogram, simulate
from flpcheck.simulate.distributed import simulate_on_ray
from flpcheck.simulate.random_runs import run_one, split_runs
from flpcheck.simulate.shrink import ddmin

from ..paths import FIXTURES, MODELS

BUGGY = str(MODELS / "paxos_buggy.py")
UNBOUNDED_BUGGY = str(MODELS / "paxos_unbounded_buggy.py")
DECISION_CHANGES = str(FIXTURES / "bad" / "decision_changes.py")


# -- an independent judge: replay with the protocol's own code, read the outputs -----------------


def outputs_along(protocol, inputs, events):
    """The output vector of I(inputs) and of each configuration the events reach."""
    start = initial_configuration(protocol, inputs)
    return [start.outputs(protocol)] + [s.config.outputs(protocol)
                                        for s in replay(protocol, inputs, events)]


def violates(protocol, inputs, events, prop) -> bool:
    """Whether the schedule applies and its last configuration (or step) breaks ``prop``."""
    try:
        outs = outputs_along(protocol, inputs, events)
    except Exception:
        return False
    last = {v for v in outs[-1] if v is not None}
    if prop == "agreement":
        return len(last) > 1
    if prop == "validity":
        return len(set(inputs)) == 1 and bool(last - {inputs[0]})
    before = outs[-2] if len(outs) > 1 else outs[-1]
    return any(b is not None and a != b for a, b in zip(outs[-1], before, strict=True))


def assert_locally_minimal(protocol, violation):
    """The schedule violates its property, and with any single event removed it does not (the
    event no longer applies, or nothing is violated, checked at every prefix)."""
    inputs, events, prop = violation.inputs, violation.events, violation.property
    assert violates(protocol, inputs, events, prop)
    for i in range(len(events)):
        fewer = events[:i] + events[i + 1:]
        assert not any(violates(protocol, inputs, fewer[:k], prop)
                       for k in range(len(fewer) + 1)), f"event {i + 1} can be removed"


# -- buggy models: found within a stated budget, shrunk, locally minimal ---------------------------


@pytest.mark.parametrize("name", ["PaxosNoReport", "PaxosIgnoreReports", "PaxosBrokenPromise",
                                  "PaxosQuorumOfOne"])
def test_each_bounded_buggy_paxos_violates_agreement_within_200_uniform_runs(name):
    """Budget: 200 uniform runs of 100 events, seed 1 (the first violating run is 5, 5, 9 and
    1).
    With one ballot per process, shrinking reaches the length of the shortest violation worked
    out in paxos_buggy.py: 10 events (two ballots of 5), 2 for the quorum of one."""
    protocol = load_protocol(f"{BUGGY}:{name}")
    sim = simulate(protocol, Settings(runs=200, seed=1, scheduler="uniform"))
    assert [v.property for v in sim.violations] == ["agreement"]
    v = sim.violations[0]
    assert v.found_in_run < 200 and sim.counts.runs == v.found_in_run + 1
    assert sim.counts.stopped_by == "violation" and sim.exit_code == 1
    assert len(v.events) == (2 if name == "PaxosQuorumOfOne" else 10)
    assert_locally_minimal(protocol, v)
    assert sorted(o for o in outputs_along(protocol, v.inputs, v.events)[-1]
                  if o is not None) == [0, 1]


def test_unbounded_buggy_paxos_violates_agreement_within_200_fair_runs():
    """Budget: 200 fair runs of 100 events, seed 0 (the first violating run is 101). The
    shrunk schedule is locally minimal and no shorter than the 10 events of the shortest
    violation (paxos_unbounded_buggy.py); its last event decides the second value."""
    protocol = load_protocol(UNBOUNDED_BUGGY)
    sim = simulate(protocol, Settings(runs=200, scheduler="fair", seed=0))
    (v,) = sim.violations
    assert v.property == "agreement" and v.found_in_run < 200
    assert len(v.events) >= 10 and v.found_at_event >= len(v.events)
    assert_locally_minimal(protocol, v)
    assert "decide differently" in v.detail


def test_unbounded_buggy_paxos_violates_agreement_within_200_uniform_runs():
    """Budget: 200 uniform runs (the defaults otherwise: 100 events, seed 0; the first
    violating run is 128)."""
    protocol = load_protocol(UNBOUNDED_BUGGY)
    (v,) = simulate(protocol, Settings(runs=200, scheduler="uniform")).violations
    assert_locally_minimal(protocol, v)


BUGGY_CLASSES = [f"{BUGGY}:{name}" for name in ("PaxosNoReport", "PaxosIgnoreReports",
                                                 "PaxosBrokenPromise", "PaxosQuorumOfOne")]
BUGGY_CLASSES.append(f"{UNBOUNDED_BUGGY}:PaxosUnboundedIgnoreReports")


@pytest.mark.parametrize("spec", BUGGY_CLASSES, ids=lambda s: s.rsplit(":", 1)[1])
def test_the_defaults_find_every_bug_of_the_buggy_paxos_classes(spec):
    """Settings() are the CLI's defaults (1,000 runs of 100 events, seed 0, the swarm). Each
    class breaks agreement (paxos_buggy.py and paxos_unbounded_buggy.py work out how): the
    defaults must find it within their budget, and the violation must replay with the plain
    semantics, be locally minimal and end with two different decisions. The run it was found
    in is taken by the scheduler whose turn it is in the swarm (uniform on even runs, fair on
    odd ones); the uniform scheduler alone misses PaxosNoReport and PaxosIgnoreReports at
    seed 0 (its null steps start every ballot before the last one can finish)."""
    assert Settings() == Settings(runs=1000, steps=100, seed=0, scheduler="swarm")
    protocol = load_protocol(spec)
    sim = simulate(protocol, Settings())
    (v,) = sim.violations
    assert v.property == "agreement" and v.found_in_run < 1000 and sim.exit_code == 1
    assert v.scheduler == ("uniform", "fair")[v.found_in_run % 2]
    assert_locally_minimal(protocol, v)
    assert sorted(o for o in outputs_along(protocol, v.inputs, v.events)[-1]
                  if o is not None) == [0, 1]


@pytest.mark.slow
@pytest.mark.parametrize("spec", [BUGGY_CLASSES[0], BUGGY_CLASSES[-1]],
                         ids=lambda s: s.rsplit(":", 1)[1])
def test_the_swarm_finds_the_hardest_bugs_at_every_seed_from_0_to_9(spec):
    """The two bugs the uniform scheduler misses at seed 0 are found by the swarm's default
    budget whatever the seed (not only at the seed the fast test pins)."""
    protocol = load_protocol(spec)
    for seed in range(10):
        assert simulate(protocol, Settings(seed=seed)).violations, seed


def test_the_swarm_takes_each_run_as_its_scheduler_would_alone():
    """Run i of the swarm is run i of the uniform scheduler when i is even and of the fair
    one when i is odd: same inputs, same events, same end (a run's random stream depends only
    on the seed and i)."""
    protocol = load_protocol(f"{MODELS / 'paxos.py'}:Paxos")
    machine = Machine(protocol, None)
    for i in range(12):
        swarm = run_one(machine, Settings(steps=40, seed=5), i)
        alone = run_one(machine, Settings(steps=40, seed=5,
                                          scheduler=("uniform", "fair")[i % 2]), i)
        other = run_one(machine, Settings(steps=40, seed=5,
                                          scheduler=("fair", "uniform")[i % 2]), i)
        assert (swarm.inputs, swarm.moves, swarm.end) == (alone.inputs, alone.moves, alone.end)
        assert swarm.moves != other.moves or len(swarm.moves) <= 1


def test_a_simulation_that_finds_nothing_names_the_schedulers_to_try():
    """The conclusion names the other schedulers (the swarm's: the adversary and a larger
    budget), and still says it proves nothing."""
    protocol = load_protocol(f"{MODELS / 'paxos.py'}:Paxos")
    for scheduler, hint in [("uniform", "--scheduler swarm (the default) or fair"),
                            ("fair", "--scheduler swarm (the default) or uniform"),
                            ("swarm", "another --seed or --scheduler adversary")]:
        sim = simulate(protocol, Settings(runs=20, steps=30, scheduler=scheduler))
        assert not sim.violations and sim.exit_code == 0
        assert "proves nothing" in sim.conclusion and hint in sim.conclusion


def test_all_three_properties_are_found_and_shrunk_to_the_runs_worked_out_by_hand():
    """DecisionChanges: every process starts in state 0 and counts its steps up to 2; output
    None, then 0, then 1, whatever the message and the inputs. By hand, the locally minimal
    runs: validity from inputs 11: one step decides 0 (1 event); from 00: a process steps
    twice and decides 1 (2 events, also breaking write-once); write-once: a process steps
    twice, 0 then 1 (2 events); agreement: p and q decide 0 (one step each, p != q), then
    one of them steps again and decides 1 (3 events; that step also breaks write-once; two
    steps of one process first would break write-once alone). Every shrunk schedule is one of
    these, exactly."""
    protocol = load_protocol(DECISION_CHANGES)
    sim = simulate(protocol, Settings(runs=200, keep_going=True))
    found = {v.property: v for v in sim.violations}
    assert list(found) == ["agreement", "validity", "write-once"]
    validity = found["validity"]
    if validity.inputs == (1, 1):
        assert len(validity.events) == 1
    else:
        assert validity.inputs == (0, 0) and len(validity.events) == 2
        assert len(set(validity.events)) == 1
    a, b = found["write-once"].events
    assert a == b and a.msg is None
    p, q, r = found["agreement"].events
    assert p != q and r in (p, q) and p.msg is None and q.msg is None
    for v in found.values():
        assert_locally_minimal(protocol, v)
    assert sim.counts.runs == 200 and sim.holds("agreement") is False


class DecideAtInit(Protocol):
    """Each process's initial state is its decision: its input."""

    processes = 2

    def init(self, pid, x):
        return x

    def step(self, pid, state, msg):
        return state, ()

    def output(self, pid, state):
        return state


def test_an_output_set_by_init_is_a_model_error():
    """DecideAtInit starts decided on its input: FLP's output register starts undecided, so
    the simulation refuses it (exit 2) naming the call, as exploring does, instead of
    reporting the agreement "violated" by the empty schedule from 01."""
    from flpcheck.errors import InvalidProtocol

    with pytest.raises(InvalidProtocol, match=r"init\(0, 0\) returned 0, whose output is 0"):
        simulate(DecideAtInit(), Settings(runs=50, keep_going=True, inputs=((0, 1),)))


def test_inputs_of_the_wrong_length_are_a_usage_error():
    from flpcheck.errors import UsageError

    with pytest.raises(UsageError, match="need 2 values"):
        simulate(DecideAtInit(), Settings(inputs=((0, 1, 1),)))


# -- correct models: nothing found, nothing claimed -------------------------------------------------


@pytest.mark.parametrize("spec, runs", [("paxos.py:Paxos", 500), ("paxos_unbounded.py", 60)])
def test_correct_paxos_shows_no_violation_and_claims_nothing(spec, runs):
    protocol = load_protocol(str(MODELS / spec))
    sim = simulate(protocol, Settings(runs=runs, seed=1))
    assert sim.violations == () and sim.exit_code == 0 and sim.complete
    assert sim.holds("agreement") is None and "proves nothing" in sim.conclusion
    c = sim.counts
    assert c.runs == runs and c.decided + c.undecided + c.idle == runs
    data = simulation_to_json(sim)
    assert data["holds"] == {"agreement": None, "validity": None, "write-once": None}


def test_bounded_paxos_runs_end_where_nothing_can_change():
    """Bounded Paxos always decides (its highest ballot cannot be pre-empted) and then goes
    quiet: no run needs its 100 events, every run decided."""
    sim = simulate(load_protocol(f"{MODELS / 'paxos.py'}:Paxos"), Settings(runs=100))
    assert sim.counts.decided == 100 and sim.counts.events < 100 * 100


def test_a_run_that_jams_is_counted_stuck():
    """GateJam from 11: p1 is silent (it never knocks) and p0 jams on its first null step;
    from there nothing can change and nobody has decided: every run stops there, stuck."""
    protocol = load_protocol(str(FIXTURES / "edge" / "gate_jam.py"))
    sim = simulate(protocol, Settings(runs=20, inputs=((1, 1),)))
    assert sim.counts.idle == 20 and sim.counts.decided == 0 and sim.counts.undecided == 0
    assert sim.counts.events >= 20


# -- the runs themselves, checked against the plain semantics --------------------------------------


@pytest.mark.parametrize("scheduler", ["uniform", "fair"])
def test_every_run_replays_with_the_plain_semantics(scheduler):
    """Each run's events apply one after the other from its inputs, and the first decision
    is where the outputs first hold a value."""
    protocol = load_protocol(f"{MODELS / 'paxos.py'}:Paxos")
    machine = Machine(protocol)
    settings = Settings(steps=40, scheduler=scheduler, seed=3)
    for i in range(15):
        out = run_one(machine, settings, i)
        events = [machine.event(m) for m in out.moves]
        outs = outputs_along(protocol, out.inputs, events)
        first = next((k for k, o in enumerate(outs) if any(v is not None for v in o)), None)
        assert first == out.first_decision
        if scheduler == "fair":  # processes in rotation
            assert [e.pid for e in events] == [k % 3 for k in range(len(events))]


def test_the_adversary_keeps_flip_flop_bivalent_for_the_whole_run():
    """FlipFlop from 01 (bivalent: each process can hear its own value back first): the
    adversary serves the classic swap, every configuration certified bivalent, for all 40
    events; from 00 the start is univalent and is not certified."""
    protocol = load_protocol(str(MODELS / "flip_flop.py"))
    sim = simulate(protocol, Settings(runs=3, steps=40, scheduler="adversary",
                                      inputs=((0, 1),)))
    assert sim.counts.adversary == ((0, 40, 40), (1, 40, 40), (2, 40, 40))
    sim = simulate(protocol, Settings(runs=2, steps=40, scheduler="adversary",
                                      inputs=((0, 0),)))
    assert [b for _, _, b in sim.counts.adversary] == [-1, -1]


def test_every_configuration_the_adversary_certifies_is_bivalent_in_the_full_graph():
    """Bounded Paxos explored exhaustively: each configuration in a run's certified prefix has
    valence {0, 1} in the complete graph (a certificate is a proof, checked independently)."""
    protocol = load_protocol(f"{MODELS / 'paxos.py'}:Paxos")
    space = explore(protocol)
    valence = classify_valence(space)
    machine = Machine(protocol)
    settings = Settings(steps=30, scheduler="adversary", seed=1)
    checked = 0
    for i in range(6):
        out = run_one(machine, settings, i)
        assert out.certified <= len(out.moves)
        if not out.start_certified:
            continue
        events = [machine.event(m) for m in out.moves]
        configs = [initial_configuration(protocol, out.inputs)] + [
            s.config for s in replay(protocol, out.inputs, events)]
        for config in configs[:out.certified + 1]:
            assert valence.label(space.find(config)) == "bivalent"
            checked += 1
    assert checked > 6


# -- determinism: a run depends on the seed and its index only ---------------------------------------


def _without_timings(sim) -> dict:
    data = simulation_to_json(sim)
    for key in ("seconds", "shrink_seconds", "runs_per_second", "events_per_second", "workers"):
        data.pop(key)
    return data


def test_seed_ranges_run_one_after_the_other_give_the_single_pass_answer():
    protocol = load_protocol(str(FIXTURES / "gossip_strings.py"))
    settings = Settings(runs=90, steps=30, seed=5, keep_going=True)
    one = simulate(protocol, settings)
    assert _without_timings(simulate(protocol, settings, ranges=4)) == _without_timings(one)
    assert one.counts.hashes == simulate(protocol, settings, ranges=7).counts.hashes


def test_different_seeds_give_different_runs():
    protocol = load_protocol(str(FIXTURES / "gossip_strings.py"))
    first = simulate(protocol, Settings(runs=50, seed=0)).counts
    assert first != simulate(protocol, Settings(runs=50, seed=1)).counts


class FakeRay(types.ModuleType):
    """Enough of ray's API to run the distributed path in this process (each task with its
    own freshly loaded model, as a worker would)."""

    def __init__(self) -> None:
        super().__init__("ray")
        self.tasks = 0

    def is_initialized(self):
        return True

    def remote(self, fn):
        ray = self

        class Task:
            @staticmethod
            def remote(*args):
                ray.tasks += 1
                return fn(*args)

        return Task

    def wait(self, refs, num_returns=1, timeout=None):
        return refs[:num_returns], refs[num_returns:]

    def get(self, ref):
        return ref

    def cancel(self, ref, force=False):
        pass


def test_workers_give_the_same_answer_as_their_seed_ranges_in_one_process(monkeypatch):
    """With 3 workers the ranges [0, 13), [13, 26), [26, 40) run in tasks that load the model
    afresh; the merged answer equals the three ranges run here one after the other, down to
    the violations found (stop at each range's first violation)."""
    fake = FakeRay()
    monkeypatch.setitem(sys.modules, "ray", fake)
    spec = f"{BUGGY}:PaxosNoReport"
    protocol = load_protocol(spec)
    settings = Settings(runs=40, seed=1)
    distributed = simulate_on_ray(spec, protocol, None, settings, 3)
    assert fake.tasks == 3 and split_runs(40, 3) == [(0, 13), (13, 13), (26, 14)]
    here = simulate(protocol, settings, ranges=3)
    assert _without_timings(distributed) == _without_timings(here)
    assert distributed.violations[0].found_in_run == 5


# -- stopping, caps and the small pieces -----------------------------------------------------------


def test_a_stop_request_leaves_a_partial_result():
    protocol = load_protocol(f"{MODELS / 'paxos.py'}:Paxos")
    calls = []

    def stop():
        calls.append(1)
        return "interrupted" if len(calls) > 3 else None

    sim = simulate(protocol, Settings(runs=100), stop=stop)
    assert sim.counts.runs == 3 and sim.interrupted and not sim.complete


def test_past_the_cap_the_distinct_count_is_a_lower_bound():
    protocol = load_protocol(f"{MODELS / 'paxos.py'}:Paxos")
    sim = simulate(protocol, Settings(runs=20, distinct_cap=50))
    assert sim.capped and sim.distinct == 50
    assert simulation_to_json(sim)["distinct_configurations_at_least"] is True
    full = simulate(protocol, Settings(runs=20))
    assert not full.capped and full.distinct > 50


def test_events_are_listed_in_the_explorers_order():
    """Null events of p0..pN-1, then the distinct messages by (dst, canonical key)."""
    protocol = load_protocol(str(FIXTURES / "gossip_strings.py"))
    machine = Machine(protocol)
    c = machine.initial((0, 1))
    for move in [(0, -1), (1, -1)]:
        c, _ = machine.apply(c, move)
    moves = machine.moves(c)
    assert moves[:2] == [(0, -1), (1, -1)]
    keys = [(p, canonical_key(machine.event((p, m)).msg)) for p, m in moves[2:]]
    assert keys == sorted(keys) and len(keys) == 8  # 4 names, each to both processes


def test_histogram_buckets_are_powers_of_two():
    assert histogram(((3, 2), (9, 1))) == [(2, 3, 2), (4, 7, 0), (8, 15, 1)]
    assert histogram(()) == []


@given(st.lists(st.integers(0, 30), min_size=1, max_size=40), st.data())
def test_ddmin_returns_a_one_minimal_failing_subsequence(items, data):
    """Failure: the list holds a chosen set of values as a subsequence (in order); the result
    fails, is a subsequence of the input, and no single item can go."""
    need = data.draw(st.lists(st.sampled_from(items), min_size=1, max_size=4))

    def fails(xs) -> bool:
        it = iter(xs)
        return all(any(x == y for y in it) for x in need)

    if not fails(items):
        return
    out = ddmin(items, lambda xs: list(xs) if fails(xs) else None)
    assert fails(out) and len(out) == len(need)
    assert not any(fails(out[:i] + out[i + 1:]) for i in range(len(out)))


def test_bad_settings_are_usage_errors():
    from flpcheck.errors import UsageError

    with pytest.raises(UsageError, match="scheduler"):
        Settings(scheduler="random")
    with pytest.raises(UsageError, match="runs must be at least 1"):
        Settings(runs=0)
