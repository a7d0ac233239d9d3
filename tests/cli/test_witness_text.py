"""The text reports of ``flpcheck witness`` and ``flpcheck lemmas``, compared exactly on a
fixed-width console (100 columns, no colour)."""

from __future__ import annotations

import io

from rich.console import Console

from flpcheck import Event, explore
from flpcheck.analysis.reports import lemmas_report, witness_report
from flpcheck.model.loader import load_protocol
from flpcheck.output.witness_report import print_lemmas, print_verdict

from ..paths import FIXTURES, MODELS

WITNESS = """\
LeaderBroadcast, N=2: 20 configurations, 56 events; crashes <= 1; termination some: a run decides
when some process decides (FLP's definition)
verdict: not-crash-tolerant: p0 is dead from the start, and the others run fairly forever while
nobody decides
the run (replayed and checked) (crashed: p0, dead from the start)
  from inputs 00 (0-valent)
  cycle (repeated forever), 1 step:
#  p   receives  sends  state after                     outputs  valence   without p0
1  p1  null      -      State(x=0, sent=False, y=None)  __       0-valent  none
  the column "without p0" is the valence counting only the steps of the processes that keep running:
none means they can never decide on their own
non-deciding run with at most 1 crash: yes, the run above
"""

LEMMAS = """\
LeaderBroadcast, N=2: 20 configurations, 56 events; termination some: a run decides when some
process decides (FLP's definition)
Lemma 1 (disjoint schedules commute): diamonds checked with the protocol's own step: all 40; all
commute
Lemma 2 (some initial configuration is bivalent): the chain
    I(00): 0-valent
    I(10): 1-valent
    I(11): 1-valent
  I(00) is 0-valent and I(10) is 1-valent; they differ only in p0's input, so with p0 dead from the
start no decision is reachable from I(00)
  the run with p0 dead from the start (crashed: p0, dead from the start)
  from inputs 00 (0-valent)
  cycle (repeated forever), 1 step:
#  p   receives  sends  state after                     outputs  valence   without p0
1  p1  null      -      State(x=0, sent=False, y=None)  __       0-valent  none
  the column "without p0" is the valence counting only the steps of the processes that keep running:
none means they can never decide on their own
Lemma 3 (from a bivalent configuration, some bivalent configuration is reachable after any event e):
  the adversary stops: no bivalent initial configuration
"""


def printed(report, width: int = 100) -> list[str]:
    out = io.StringIO()
    report(Console(file=out, width=width, color_system=None, highlight=False))
    return [line.rstrip() for line in out.getvalue().splitlines()]


def leader_broadcast():
    return explore(load_protocol(str(MODELS / "leader_broadcast.py"), 2))


def test_the_witness_report_of_leader_broadcast_is_exactly_as_worked_out():
    """Per input vector 5 configurations (p0 has not sent; p0 broadcast its input x0; then p0
    received it, p1 received it, or both): 20 in all. Events: 2 + 4 + 3 + 3 + 2 = 14 per
    vector (null steps plus distinct messages), 56 in all. Whatever the inputs, only x0 can
    be decided, so I(00) is 0-valent. With p0 dead from the start p1 takes null steps forever
    in its initial state and nobody decides: the run is that one-step cycle from I(00), and
    without p0's steps no decision is reachable (valence none). With one crash allowed it is
    the verdict not-crash-tolerant, and it is also the non-deciding run asked for."""
    space = leader_broadcast()
    assert printed(lambda c: print_verdict(c, witness_report(space))) == WITNESS.splitlines()


def test_the_lemmas_report_of_leader_broadcast_is_exactly_as_worked_out():
    """Lemma 1: a configuration has as many diamonds as pairs of events of p0 and p1: per input
    vector 1x1 (initial) + 2x2 (after the broadcast) + 1x2 + 2x1 (one copy received) + 1x1
    (both received) = 10; 40 in all, every one checked (fewer than the 20,000 sample). Lemma
    2: the chain 00, 10, 11 is 0-valent, 1-valent, 1-valent: the adjacent pair differs in p0,
    so p0 dead from the start blocks I(00). Lemma 3 has no bivalent initial configuration to
    start from."""
    space = leader_broadcast()
    assert printed(lambda c: print_lemmas(c, lemmas_report(space))) == LEMMAS.splitlines()


def test_lemma3s_d_counts_each_configuration_once_where_two_images_coincide():
    """Coinciding images (tests/fixtures/coinciding_images.py), N=2. I(00) is 0-valent and
    I(01) bivalent (p0 decides its own 0 at once, or the 1 p1 tells it), so the adversary
    starts at I(01), configuration 1, and serves p0 with e = its null step (nothing is pending
    for it). 𝒞, reachable from I(01) without e: A = I(01); B = A after p1 sent v1; C = B after
    p0 heard 1 (a tick pending); D = C after the tick (bit 1, the tick sent again). e decides:
    e(A), e(B) decide 0 (0-valent), e(C) and e(D) decide 1 and are one configuration, since
    deciding clears the bit. So D = e(𝒞) holds 2 0-valent and 1 1-valent configurations, not
    2 and 2 (one per configuration of 𝒞). The counts are checked against a plain count over
    the reference explorer, and the report names the adversary's starting configuration
    besides Lemma 2's (the chain 00, 10, 11 finds I(10) bivalent)."""
    from flpcheck.analysis.adversary import lemma3_sets

    from ..reference import decisions, reference_explore, reference_valence

    path = str(FIXTURES / "coinciding_images.py")
    space = explore(load_protocol(path))
    lines = printed(lambda c: print_lemmas(c, lemmas_report(space)), 200)
    assert ("  the adversary starts from C = I(01) (configuration 1), the first bivalent initial "
            "configuration; the chain above found I(10): the proof may start from any bivalent "
            "configuration") in lines
    assert "  at C = configuration 1, e = p0 receives null: D = e(𝒞) holds 2 0-valent, 1 1-valent" \
        in lines
    proto = load_protocol(path)
    rs = reference_explore(proto)
    valence = reference_valence(proto, rs)
    start = dict(rs.initial)[(0, 1)]
    seen, stack, images, per_edge = {start}, [start], set(), 0
    while stack:
        c = stack.pop()
        for event, d in rs.edges[c]:
            if event == (0, None):
                images.add(d)
                per_edge += 1
            elif d not in seen:
                seen.add(d)
                stack.append(d)
    assert len(seen) == 4 and per_edge == 4 and len(images) == 3
    assert sorted(min(valence[d]) for d in images) == [0, 0, 1]
    assert all(len(valence[d]) == 1 and decisions(proto, rs.order[d]) for d in images)
    counts = lemma3_sets(space, 1, Event(0, None)).counts
    assert (counts["0-valent"], counts["1-valent"], counts["bivalent"]) == (2, 1, 0)
