"""A plain reference for liveness after GST, exploring on the fly (for tests).

Written from the definitions (docs/guide/semantics.md, "After GST") with plain loops and
networkx, sharing no code with flpcheck: configurations are ``(states, sorted buffer)`` tuples,
every event calls the protocol's ``step``. The configurations at GST are those within
``gst_by`` events of an initial one (all reachable ones without it: the graph must then be
finite). From them the product of configurations and crash sets is explored with the allowed
events and the crash transitions, undecided nodes only. Liveness fails when an undecided node
has no allowed event, or when a set of undecided nodes is strongly connected by allowed events
and fair (every live process with an allowed event somewhere in it steps in it; every message to
a live process pending somewhere in it is received in it). The worst case is the longest path
from GST to a decision (crashes weigh 0, self-loops are left out), or None when a cycle of
undecided nodes makes it unbounded.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any

import networkx as nx

Config = tuple[tuple[Any, ...], tuple[tuple[int, Any], ...]]


def _key(m: Any) -> str:
    return repr(m)


def _events(config: Config, n: int) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = [(p, None) for p in range(n)]
    for m in config[1]:
        if m not in out:
            out.append(m)
    return out


def _apply(protocol: Any, config: Config, event: tuple[int, Any]) -> Config:
    states, buffer = config
    pid, msg = event
    new_state, sends = protocol.step(pid, states[pid], msg)
    rest = list(buffer)
    if msg is not None:
        rest.remove((pid, msg))
    return (states[:pid] + (new_state,) + states[pid + 1:],
            tuple(sorted(rest + list(sends), key=_key)))


def _decided(protocol: Any, config: Config, termination: str, crashed: frozenset[int]) -> bool:
    outs = [protocol.output(p, s) for p, s in enumerate(config[0])]
    if termination == "some":
        return any(o is not None for o in outs)
    return all(o is not None for p, o in enumerate(outs) if p not in crashed)


def _allowed(protocol: Any, config: Config, event: tuple[int, Any], crashed: frozenset[int],
             timeouts: str, leader: int | None, trusted: int | None) -> bool:
    pid, msg = event
    if pid in crashed:
        return False
    if msg is not None:
        return True
    if trusted is not None:  # detector mode: no timing rule
        return trusted not in set(protocol.suspects(pid, config[0][pid]) or ())
    if leader is not None and pid != leader:
        return False
    if timeouts == "quiet":
        return not any(dst not in crashed for dst, _ in config[1])
    return not any(dst == pid for dst, _ in config[1])


def _starts(protocol: Any, inputs: list[tuple[int, ...]], gst_by: int | None) -> set[Config]:
    """The configurations that may be the one at GST: within gst_by events, or all."""
    n = protocol.processes
    dist: dict[Config, int] = {}
    for x in inputs:
        dist.setdefault((tuple(protocol.init(p, x[p]) for p in range(n)), ()), 0)
    queue = deque(dist)
    while queue:
        c = queue.popleft()
        if gst_by is not None and dist[c] == gst_by:
            continue
        for e in _events(c, n):
            d = _apply(protocol, c, e)
            if d not in dist:
                dist[d] = dist[c] + 1
                queue.append(d)
    return set(dist)


def reference_gst(protocol: Any, crashes: int, termination: str = "some",
                  timeouts: str = "quiet", leader: int | None = None, detector: bool = False,
                  gst_by: int | None = None, inputs: list[tuple[int, ...]] | None = None
                  ) -> tuple[bool, int | None]:
    """(liveness holds, worst-case events after GST or None when unbounded)."""
    n = protocol.processes
    vectors = inputs if inputs is not None else list(itertools.product((0, 1), repeat=n))
    starts = _starts(protocol, vectors, gst_by)
    worst: int | None = 0
    for trusted in (list(range(n)) if detector else [None]):
        spare = trusted if detector else leader
        pool = [p for p in range(n) if p != spare]
        sets = {frozenset(c) for k in range(min(crashes, n - 1) + 1)
                for c in itertools.combinations(pool, k)}
        g = nx.MultiDiGraph()  # nodes (configuration, crash set); edges out of undecided ones
        undecided = set()
        queue = deque((c, frozenset()) for c in starts)
        seen = set(queue)
        while queue:
            v = queue.popleft()
            config, k = v
            g.add_node(v)
            if _decided(protocol, config, termination, k):
                continue
            undecided.add(v)
            targets = [((d, k), e) for e in _events(config, n)
                       if _allowed(protocol, config, e, k, timeouts, leader, trusted)
                       for d in [_apply(protocol, config, e)]]
            targets += [((config, k | {p}), None) for p in pool
                        if p not in k and k | {p} in sets]
            for w, e in targets:
                g.add_edge(v, w, event=e)
                if w not in seen:
                    seen.add(w)
                    queue.append(w)
        for v in undecided:  # stuck: no allowed event
            if not any(d["event"] is not None for _, _, d in g.out_edges(v, data=True)):
                return False, None
        for k in sets:
            if _fair_set(g, {v for v in undecided if v[1] == k}, k, n):
                return False, None
        dag = nx.DiGraph()
        dag.add_nodes_from(undecided)
        for a in undecided:
            for _, b, d in g.out_edges(a, data=True):
                if a != b:
                    w = 0 if d["event"] is None else 1
                    old = dag.get_edge_data(a, b, {"weight": 0})["weight"]
                    dag.add_edge(a, b, weight=max(w, old))
        if not nx.is_directed_acyclic_graph(dag):
            worst = None
        elif worst is not None and dag.number_of_edges():
            worst = max(worst, nx.dag_longest_path_length(dag, weight="weight"))
    return True, worst


def _fair_set(g: Any, nodes: set[Any], crashed: frozenset[int], n: int) -> bool:
    """Is there a fair set among ``nodes``: strongly connected by allowed events inside it,
    every process with an allowed event (in ``g``) at one of its nodes stepping inside it,
    every message to a live process pending at one of its nodes received inside it? By
    recursive refinement of the strongly connected components."""
    live = set(range(n)) - crashed
    h = nx.MultiDiGraph()
    h.add_nodes_from(nodes)
    for a in nodes:
        for _, b, d in g.out_edges(a, data=True):
            if b in nodes and d["event"] is not None:
                h.add_edge(a, b, event=d["event"])
    for comp in nx.strongly_connected_components(h):
        edges = [d["event"] for _, _, d in h.subgraph(comp).edges(data=True)]
        if not edges:
            continue
        stepping = {e[0] for e in edges}
        received = {(e[0], repr(e[1])) for e in edges if e[1] is not None}
        bad = set()
        for v in comp:
            enabled = {d["event"][0] for _, _, d in g.out_edges(v, data=True)
                       if d["event"] is not None}
            pending = {(dst, repr(m)) for dst, m in v[0][1] if dst in live}
            if enabled - stepping or not pending <= received:
                bad.add(v)
        if not bad or _fair_set(g, set(comp) - bad, crashed, n):
            return True
    return False
