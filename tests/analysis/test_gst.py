"""The rules after GST on plain configurations, and the replay checker of runs with a GST:
each check fails on a run that breaks it."""

from __future__ import annotations

import dataclasses

import pytest

from flpcheck import explore
from flpcheck.analysis.gst import GSTRules, allowed_events
from flpcheck.analysis.gst_runs import check_gst_run
from flpcheck.analysis.liveness import check_liveness
from flpcheck.errors import ReplayError, UsageError
from flpcheck.model.loader import load_protocol
from flpcheck.model.semantics import Event, initial_configuration, replay

from ..paths import MODELS


def _paxos(cls="Paxos"):
    return load_protocol(str(MODELS / f"paxos.py:{cls}"))


def test_allowed_events_say_why_a_timeout_is_forbidden():
    """After p0's timeout, prepare(0) is in transit to p1: no null step is allowed under quiet
    timeouts, p0's is under local ones (nothing is in transit to p0), only p1 may receive."""
    p = _paxos()
    c = replay(p, (0, 1, 1), [Event(0)])[-1].config
    quiet = {(r.event.pid, r.event.msg): r for r in allowed_events(p, c, GSTRules())}
    assert not quiet[(0, None)].allowed
    assert quiet[(0, None)].reason == ("a message to p1 is in transit: timeouts outlast every "
                                       "message delay")
    assert quiet[(1, ("prepare", 0))].allowed
    local = {(r.event.pid, r.event.msg): r for r in allowed_events(p, c, GSTRules("local"))}
    assert local[(0, None)].allowed and not local[(1, None)].allowed
    leader = {(r.event.pid, r.event.msg): r
              for r in allowed_events(p, c, GSTRules("local", leader=0))}
    assert leader[(2, None)].reason == "only the leader p0 times out after GST"
    crashed = {(r.event.pid, r.event.msg): r
               for r in allowed_events(p, c, GSTRules(), frozenset({1}))}
    assert crashed[(0, None)].allowed  # the only message is to a crashed process
    assert not crashed[(1, ("prepare", 0))].allowed


def test_detector_rules_need_the_trusted_process_and_forbid_suspecting_it():
    ct = load_protocol(str(MODELS / "chandra_toueg.py:ChandraToueg"))
    c = replay(ct, (0, 1, 1), [Event(1)])[-1].config  # p1 started round 0: waits for p0
    rules = {r.event.pid: r for r in allowed_events(ct, c, GSTRules(detector=True, trusted=0))
             if r.event.msg is None}
    assert not rules[1].allowed and "suspect p0" in rules[1].reason
    other = {r.event.pid: r for r in allowed_events(ct, c, GSTRules(detector=True, trusted=2))
             if r.event.msg is None}
    assert other[1].allowed and "false suspicion" in other[1].reason
    with pytest.raises(UsageError):
        GSTRules(detector=True, leader=0)
    with pytest.raises(UsageError):
        GSTRules("sometimes")


def _failing():
    p = _paxos()
    result = check_liveness(explore(p), 1, GSTRules(leader=0))
    assert result.run is not None
    return p, result.run


def test_the_checker_accepts_the_run_and_refuses_each_broken_variant():
    p, run = _failing()
    rules = GSTRules(leader=0)
    check_gst_run(p, run, rules, 1)
    broken = [
        (dataclasses.replace(run, crash_at=()), "unfair cycle|decided|allowed"),
        (dataclasses.replace(run, crash_at=((0, 0),)), "leader"),
        (dataclasses.replace(run, stem=(Event(2),) + run.stem), "only the leader p0"),
        (dataclasses.replace(run, cycle=()), "needs"),
        (dataclasses.replace(run, kind="decides", cycle=()), "does not end in a decision"),
    ]
    for bad, why in broken:
        with pytest.raises(ReplayError, match=why):
            check_gst_run(p, bad, rules, 1)
    with pytest.raises(ReplayError, match="more than"):
        check_gst_run(p, run, rules, 0)


def test_the_checker_refuses_a_decision_inside_a_worst_path_and_a_fair_loop():
    p = load_protocol(str(MODELS / "majority.py"))
    result = check_liveness(explore(p), 1)
    worst = result.worst
    assert worst is not None and worst.kind == "decides"
    longer = dataclasses.replace(worst, stem=worst.stem + (Event(1, 0),))
    with pytest.raises(ReplayError):
        check_gst_run(p, longer, GSTRules(), 1)
    _, run = _failing()
    with pytest.raises(ReplayError, match="fair"):
        check_gst_run(_paxos(), dataclasses.replace(run, kind="loop"), GSTRules(leader=0), 1)


def test_initial_configuration_of_the_checker_is_the_models():
    p = _paxos()
    assert initial_configuration(p, (0, 0, 0)).buffer == ()


def test_an_unfair_loop_makes_the_worst_case_unbounded_though_every_run_decides():
    """Detour: p1 decides on "go", which p0 sends on its first step together with a "ping" to
    itself that it echoes forever. Every admissible run decides (the "go" must be received),
    but the loop of pings can be repeated any number of times before: holds, worst case None,
    and the loop shown is p0 receiving "ping", unfair because p1's "go" waits."""
    from ..paths import EDGE
    from ..reference_gst import reference_gst

    p = load_protocol(str(EDGE / "detour.py"))
    result = check_liveness(explore(p), 0)  # (p0 dead from the start defeats it: no crash)
    assert result.holds is True and result.worst_steps is None
    loop = result.worst
    assert loop is not None and loop.kind == "loop"
    assert [str(e) for e in loop.cycle] == ["p0 receives 'ping'"] * 2
    assert "unbounded" in result.worst_reason
    assert reference_gst(p, 0) == (True, None)
    check_gst_run(p, loop, GSTRules(), 0)


def test_a_protocol_that_keeps_itself_busy_never_times_out_after_gst():
    """Ping (N=1) decides only on a null step, but always has its own "ping" in transit, so
    after GST no timeout is allowed: receiving "ping" forever is fair and never decides, under
    quiet and local timeouts alike."""
    from ..paths import EDGE

    p = load_protocol(f"{EDGE / 'ping.py'}:Ping")
    for timeouts in ("quiet", "local"):
        result = check_liveness(explore(p, max_buffer=2), 0, GSTRules(timeouts))
        assert result.holds is False and result.run is not None
        assert [str(e) for e in result.run.cycle] == ["p0 receives 'ping'"]


def test_progress_follows_every_exploration_after_gst(monkeypatch):
    """With --gst-by the check explores a graph after GST per crash set; the progress callback
    hears each one grow, its last call giving that graph's final size (the explorations'
    sizes add up to the reported post-GST configurations), and the depth of the frontier."""
    import flpcheck.analysis.post_gst as post_gst

    calls: list[tuple] = []
    explore_from = post_gst.explore_from

    def marked(*args, **kwargs):
        space = explore_from(*args, **kwargs)
        calls.append(("end", len(space), int(space.depth.max())))
        return space

    monkeypatch.setattr(post_gst, "explore_from", marked)
    p = load_protocol(str(MODELS / "paxos_unbounded.py"))
    result = check_liveness(explore(p, max_depth=2), 1, GSTRules(), "some", 2,
                            progress=lambda *a: calls.append(("progress", *a)))
    ends = [i for i, c in enumerate(calls) if c[0] == "end"]
    assert len(ends) == 4  # no crash, then a crash of each of the 3 processes
    assert sum(calls[i][1] for i in ends) == result.post_configurations
    for i in ends:
        _, configs, expanded, events, depth = calls[i - 1]
        assert calls[i - 1][0] == "progress"
        assert configs == expanded == calls[i][1] and depth == calls[i][2] and events > 0
    assert all(0 <= c[2] <= c[1] for c in calls if c[0] == "progress")


def test_a_receipt_that_changes_nothing_is_stuttering_in_the_worst_case():
    """SelfEcho (its docstring): p0's "tick" receipts are self-loops, as a null step that
    changes nothing is; they are not counted, so the worst case after GST with local timeouts
    is the 5 events worked out by hand, from 00 (the reference explorer agrees)."""
    from ..paths import EDGE
    from ..reference_gst import reference_gst

    p = load_protocol(str(EDGE / "self_echo.py"))
    result = check_liveness(explore(p), 0, GSTRules(timeouts="local"))
    assert result.holds is True and result.worst_steps == 5
    assert result.worst is not None and result.worst.inputs == (0, 0)
    assert reference_gst(p, 0, timeouts="local") == (True, 5)
