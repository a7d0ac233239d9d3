"""A deliberately plain reference explorer for the FLP model (for tests and benchmarks).

Full configurations as tuples, the buffer as a sorted tuple of (dst, payload), a dict of
configurations, no interning and no memoizing: every event calls the protocol's ``step``. It
shares no code with flpcheck's explorer, so agreement between the two means something.

Steps left to chance (``step`` returns :class:`flpcheck.Outcomes`): one edge per distinct
result, results compared with ``==`` (states and sorted sends; enough for the random protocols
of the property tests, whose values are ints), merged in order of first appearance; a step
with one distinct result is deterministic (outcome None).
"""

from __future__ import annotations

import itertools
from collections import deque
from fractions import Fraction
from typing import Any

from flpcheck import Outcomes


def _key(m: Any) -> str:
    return repr(m)


class ReferenceSpace:
    """The result of :func:`reference_explore`."""

    def __init__(self) -> None:
        self.configs: dict[tuple[Any, ...], int] = {}
        self.order: list[tuple[Any, ...]] = []
        self.edges: dict[int, list[tuple[tuple[int, Any], int]]] = {}
        #: beside each edge of ``edges``: (chance's outcome or None, its probability)
        self.chance: dict[int, list[tuple[int | None, Fraction]]] = {}
        self.events = 0
        self.expanded: set[int] = set()
        self.decision_changed = False
        self.initial: list[tuple[tuple[int, ...], int]] = []


def reference_explore(protocol: Any, inputs: list[tuple[int, ...]] | None = None,
                      max_buffer: int | None = None) -> ReferenceSpace:
    """Breadth-first search over full configurations ``(states, buffer)``."""
    n = protocol.processes
    rs = ReferenceSpace()
    queue: deque[tuple[Any, ...]] = deque()
    vectors = inputs if inputs is not None else list(itertools.product((0, 1), repeat=n))
    for x in vectors:
        config = (tuple(protocol.init(p, x[p]) for p in range(n)), ())
        if config not in rs.configs:
            rs.configs[config] = len(rs.order)
            rs.order.append(config)
            queue.append(config)
        rs.initial.append((tuple(x), rs.configs[config]))
    while queue:
        config = queue.popleft()
        cid = rs.configs[config]
        states, buffer = config
        if max_buffer is not None and len(buffer) > max_buffer:
            continue
        rs.expanded.add(cid)
        events: list[tuple[int, Any]] = [(p, None) for p in range(n)]
        m: tuple[int, Any]
        for m in buffer:
            if m not in events:
                events.append(m)
        out, chance = [], []
        for p, msg in events:
            for outcome, probability, (new_state, sends) in _results(protocol.step(p, states[p],
                                                                                   msg)):
                before = protocol.output(p, states[p])
                if before is not None and protocol.output(p, new_state) != before:
                    rs.decision_changed = True
                rest: list[Any] = list(buffer)
                if msg is not None:
                    rest.remove((p, msg))
                new_buffer = tuple(sorted(rest + list(sends), key=_key))
                new_states = states[:p] + (new_state,) + states[p + 1:]
                nxt = (new_states, new_buffer)
                if nxt not in rs.configs:
                    rs.configs[nxt] = len(rs.order)
                    rs.order.append(nxt)
                    queue.append(nxt)
                out.append(((p, msg), rs.configs[nxt]))
                chance.append((outcome, probability))
                rs.events += 1
        rs.edges[cid] = out
        rs.chance[cid] = chance
    return rs


def _results(result: Any) -> list[tuple[int | None, Fraction, tuple[Any, tuple[Any, ...]]]]:
    """(outcome, probability, (new state, sends)) for every distinct result of a step."""
    if not isinstance(result, Outcomes):
        return [(None, Fraction(1), result)]
    merged: list[list[Any]] = []  # [probability, (new state, sorted sends)]
    for probability, (new_state, sends) in result.choices:
        key = (new_state, tuple(sorted(sends, key=_key)))
        for m in merged:
            if m[1] == key:
                m[0] += probability
                break
        else:
            merged.append([Fraction(probability), key])
    if len(merged) == 1:
        return [(None, Fraction(1), merged[0][1])]
    return [(o, p, r) for o, (p, r) in enumerate(merged)]


def decisions(protocol: Any, config: tuple[Any, ...]) -> set[int]:
    """The non-None outputs of a configuration."""
    states, _ = config
    return {o for p, s in enumerate(states) if (o := protocol.output(p, s)) is not None}


def reference_valence(protocol: Any, rs: ReferenceSpace) -> list[frozenset[int]]:
    """V(C) for every configuration, by a separate depth-first search from each one (slow)."""
    result = []
    for cid in range(len(rs.order)):
        seen, stack, values = {cid}, [cid], set()
        while stack:
            c = stack.pop()
            values |= decisions(protocol, rs.order[c])
            for _, d in rs.edges.get(c, ()):
                if d not in seen:
                    seen.add(d)
                    stack.append(d)
        result.append(frozenset(values))
    return result


def reference_agreement(protocol: Any, rs: ReferenceSpace) -> bool:
    """True when no configuration holds two values and no output ever changes."""
    return not rs.decision_changed and all(len(decisions(protocol, c)) < 2 for c in rs.order)


# -- liveness and verdicts, by networkx and plain loops (independent of flpcheck's searches) --


def _outputs(protocol: Any, config: tuple[Any, ...]) -> list[int | None]:
    states, _ = config
    return [None if (o := protocol.output(p, s)) is None else int(o)
            for p, s in enumerate(states)]


def reference_undecided_sets(protocol: Any, rs: ReferenceSpace, termination: str,
                             crashed: frozenset[int]) -> list[set[int]]:
    """The sets of configurations a non-deciding run may stay in: nobody decided ("some"), or
    one process outside F undecided, for each such process ("all")."""
    outs = [_outputs(protocol, c) for c in rs.order]
    if termination == "some":
        return [{c for c, o in enumerate(outs) if all(v is None for v in o)}]
    return [{c for c, o in enumerate(outs) if o[p] is None}
            for p in range(protocol.processes) if p not in crashed]


def reference_fair_set(protocol: Any, rs: ReferenceSpace, nodes: set[int],
                       crashed: frozenset[int], stem: set[int]) -> bool:
    """Is there a fair set of configurations inside ``nodes`` (strongly connected by events of
    live processes, every live process stepping in it, every message to a live process pending
    in it delivered in it), reachable from an initial configuration through ``stem``?"""
    import networkx as nx

    n = protocol.processes
    live = set(range(n)) - crashed
    g = nx.MultiDiGraph()
    for c in nodes:
        g.add_node(c)
        for event, d in rs.edges.get(c, ()):
            if d in nodes and event[0] not in crashed:
                g.add_edge(c, d, event=event)
    candidates = set(nodes)
    while True:
        h = g.subgraph(candidates)
        removed = False
        for comp in nx.strongly_connected_components(h):
            edges = [d["event"] for _, _, d in h.subgraph(comp).edges(data=True)]
            if not edges or {e[0] for e in edges} < live:
                candidates -= comp
                removed = True
                continue
            delivered = {(p, repr(m)) for p, m in edges if m is not None}
            for c in comp:
                pending = {(d, repr(m)) for d, m in rs.order[c][1] if d in live}
                if not pending <= delivered:
                    candidates.discard(c)
                    removed = True
        if not removed:
            break
    if not any(h.subgraph(comp).number_of_edges()
               for comp in nx.strongly_connected_components(g.subgraph(candidates))):
        return False
    s = nx.DiGraph()
    for c in stem:
        s.add_node(c)
        for _, d in rs.edges.get(c, ()):
            if d in stem:
                s.add_edge(c, d)
    starts = {c for _, c in rs.initial if c in stem}
    reach = set(starts)
    for c in starts:
        reach |= nx.descendants(s, c)
    return bool(reach & candidates)


def reference_liveness(protocol: Any, rs: ReferenceSpace, crashes: int,
                       termination: str) -> dict[str, bool]:
    """Which kinds of fair non-deciding runs exist on a complete reference space: "blocks" (no
    crash, through configurations that are not bivalent), "crash" (1..t crashes), "bivalent"
    (no crash, through undecided bivalent configurations only), "any" (at most t crashes)."""
    n = protocol.processes
    valence = reference_valence(protocol, rs)

    def blocked(f: frozenset[int]) -> bool:
        return any(reference_fair_set(protocol, rs, s, f, s)
                   for s in reference_undecided_sets(protocol, rs, termination, f))

    crash_sets = [frozenset(f) for k in range(min(crashes, n - 1) + 1)
                  for f in itertools.combinations(range(n), k)]
    none: frozenset[int] = frozenset()
    bivalent = {c for c in range(len(rs.order))
                if valence[c] == {0, 1} and not decisions(protocol, rs.order[c])}
    return {
        "any": any(blocked(f) for f in crash_sets),
        "blocks": any(reference_fair_set(protocol, rs, {c for c in s if valence[c] != {0, 1}},
                                         none, s)
                      for s in reference_undecided_sets(protocol, rs, termination, none)),
        "crash": any(blocked(f) for f in crash_sets if f),
        "bivalent": reference_fair_set(protocol, rs, bivalent, none, bivalent),
    }


def reference_verdict(protocol: Any, rs: ReferenceSpace, crashes: int,
                      termination: str) -> tuple[str, bool]:
    """(the verdict, whether a non-deciding run with at most ``crashes`` crashes exists), on a
    complete reference space, by the definitions: safety first, then a crash-free fair run
    that never decides through configurations that are not bivalent, then one with 1..t
    crashes, then a fair crash-free run through bivalent configurations only."""
    valence = reference_valence(protocol, rs)
    live = reference_liveness(protocol, rs, crashes, termination)
    if not reference_agreement(protocol, rs):
        return "agreement-violated", live["any"]
    if any(1 - x[0] in valence[c] for x, c in rs.initial if len(set(x)) == 1):
        return "validity-violated", live["any"]
    if set().union(*(decisions(protocol, c) for c in rs.order)) != {0, 1}:
        return "trivial", live["any"]
    for kind, name in (("blocks", "blocks-without-crash"), ("crash", "not-crash-tolerant"),
                       ("bivalent", "forever-bivalent")):
        if live[kind]:
            return name, live["any"]
    return "none-found", live["any"]
