"""The explorer against the plain reference explorer (tests/reference.py) on random protocols:
counts, the configuration of every id, valences, cuts and safety verdicts; with steps left to
chance, every edge's event, outcome, probability and target too."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flpcheck import classify_valence, explore
from flpcheck.analysis.properties import check_agreement, check_nontriviality, check_validity
from flpcheck.model.semantics import event_outcomes

from ..reference import reference_agreement, reference_explore, reference_valence
from ..strategies import chance_protocols, table_protocols


def _normal(config):
    states, buffer = config
    return states, tuple(sorted(buffer, key=repr))


@given(st.one_of(table_protocols(), chance_protocols()), st.sampled_from([0, 1, 2, 3]))
def test_explorer_agrees_with_the_reference_on_random_protocols(protocol, max_buffer):
    space = explore(protocol, max_buffer=max_buffer)
    ref = reference_explore(protocol, max_buffer=max_buffer)
    assert len(space) == len(ref.order)
    assert space.num_events == ref.events
    assert space.complete == (len(ref.expanded) == len(ref.order))
    ref_valence = reference_valence(protocol, ref)
    valence = classify_valence(space)
    for cid in range(len(space)):
        c = space.configuration(cid)
        rid = ref.configs[_normal((c.states, c.buffer))]
        assert valence.values(cid) == ref_valence[rid]
        assert bool(space.cut[cid]) == (rid not in ref.expanded)
    assert check_agreement(space).holds == reference_agreement(protocol, ref)
    decided = set().union(*ref_valence) if ref_valence else set()
    # non-triviality is refuted only on a complete graph; a cut one leaves it open (None)
    assert check_nontriviality(space).holds == (
        True if decided == {0, 1} else False if space.complete else None)
    assert check_validity(space).holds == _reference_validity(protocol, ref)


def _reference_validity(protocol, ref):
    from ..reference import decisions

    for inputs, start in ref.initial:
        if len(set(inputs)) != 1:
            continue
        seen, stack = {start}, [start]
        while stack:
            c = stack.pop()
            if decisions(protocol, ref.order[c]) - {inputs[0]}:
                return False
            for _, d in ref.edges.get(c, ()):
                if d not in seen:
                    seen.add(d)
                    stack.append(d)
    return True



@given(chance_protocols(), st.sampled_from([0, 1, 2, 3]))
def test_every_edge_agrees_with_the_reference_on_random_protocols_with_chance(protocol,
                                                                             max_buffer):
    """Per configuration, the edges as a multiset of (event, outcome, probability, target
    configuration): the explorer's (through ``successors`` and ``edge_chance``) and the
    reference's; and the plain semantics lists the same outcomes with the same
    probabilities (``event_outcomes``)."""
    space = explore(protocol, max_buffer=max_buffer)
    ref = reference_explore(protocol, max_buffer=max_buffer)
    assert (len(space), space.num_events) == (len(ref.order), ref.events)
    rid = {}
    for cid in range(len(space)):
        c = space.configuration(cid)
        rid[cid] = ref.configs[_normal((c.states, c.buffer))]
    for cid in range(len(space)):
        lo, hi = int(space.indptr[cid]), int(space.indptr[cid + 1])
        ours = sorted((repr(space.event_of_edge(k)[:2]), space.event_of_edge(k).outcome,
                       space.edge_chance(k), rid[int(space.edge_dst[k])]) for k in range(lo, hi))
        theirs = sorted((repr(tuple(e)), o, p, d) for (e, d), (o, p) in
                        zip(ref.edges.get(rid[cid], []), ref.chance.get(rid[cid], []),
                            strict=True))
        assert ours == theirs
        config = space.configuration(cid)
        for event in {e._replace(outcome=None) for e, _ in space.successors(cid)}:
            listed = [(p, step.event.outcome, space.find(step.config))
                      for p, step in event_outcomes(protocol, config, event)]
            assert listed == [(space.edge_chance(k), space.event_of_edge(k).outcome,
                               int(space.edge_dst[k])) for k in range(lo, hi)
                              if space.event_of_edge(k)[:2] == tuple(event[:2])]
