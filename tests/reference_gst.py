"""A plain reference for liveness after GST, over the graph of tests/reference.py.

Written from the definitions (docs/guide/semantics.md, "After GST") with networkx and loops,
sharing no code with flpcheck's searches: the post-GST graph is the product of configurations
and crash sets, with the allowed events and the crash transitions; liveness fails when an
undecided node of it reachable from GST has no allowed event, or when a set of undecided
nodes is strongly connected by allowed events and fair (every live process with an allowed
event somewhere in it steps in it; every message to a live process pending somewhere in it is
received in it). The worst case is the longest path from GST to a decision (crashes weigh 0,
self-loops are left out), or None when an undecided cycle makes it unbounded.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any

import networkx as nx

from .reference import ReferenceSpace


def _outputs(protocol: Any, config: tuple[Any, ...]) -> list[Any]:
    return [protocol.output(p, s) for p, s in enumerate(config[0])]


def _decided(protocol: Any, config: tuple[Any, ...], termination: str,
             crashed: frozenset[int]) -> bool:
    outs = _outputs(protocol, config)
    if termination == "some":
        return any(o is not None for o in outs)
    return all(o is not None for p, o in enumerate(outs) if p not in crashed)


def _allowed(protocol: Any, config: tuple[Any, ...], event: tuple[int, Any], crashed: frozenset[int],
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
    buffer = config[1]
    if timeouts == "quiet":
        return not any(dst not in crashed for dst, _ in buffer)
    return not any(dst == pid for dst, _ in buffer)


def _starts(rs: ReferenceSpace, gst_by: int | None) -> set[int]:
    """Configurations that may be the one at GST: all, or those within gst_by events."""
    if gst_by is None:
        return set(range(len(rs.order)))
    dist = {c: 0 for _, c in rs.initial}
    queue = deque(dist)
    while queue:
        c = queue.popleft()
        if dist[c] == gst_by:
            continue
        for _, d in rs.edges.get(c, ()):
            if d not in dist:
                dist[d] = dist[c] + 1
                queue.append(d)
    return set(dist)


def reference_gst(protocol: Any, rs: ReferenceSpace, crashes: int, termination: str = "some",
                  timeouts: str = "quiet", leader: int | None = None, detector: bool = False,
                  gst_by: int | None = None) -> tuple[bool, int | None]:
    """(liveness holds, worst-case events after GST or None when unbounded) on a complete
    reference space."""
    n = protocol.processes
    worst: int | None = 0
    for trusted in (list(range(n)) if detector else [None]):
        spare = trusted if detector else leader
        pool = [p for p in range(n) if p != spare]
        sets = {frozenset(c) for k in range(min(crashes, n - 1) + 1)
                for c in itertools.combinations(pool, k)}
        # the product graph: (configuration, crash set); edges only out of undecided nodes
        g = nx.MultiDiGraph()
        undecided = set()
        for k in sets:
            for c, config in enumerate(rs.order):
                g.add_node((c, k))
                if _decided(protocol, config, termination, k):
                    continue
                undecided.add((c, k))
                for event, d in rs.edges[c]:
                    if _allowed(protocol, config, event, k, timeouts, leader, trusted):
                        g.add_edge((c, k), (d, k), event=event)
                for p in pool:
                    if k | {p} in sets and p not in k:
                        g.add_edge((c, k), (c, k | {p}), event=None)
        starts = [(c, frozenset()) for c in _starts(rs, gst_by)]
        reached = set(starts)
        for s in starts:
            reached |= nx.descendants(g, s)
        live_nodes = undecided & reached
        for v in live_nodes:  # stuck: no allowed event
            if not any(d["event"] is not None for _, _, d in g.out_edges(v, data=True)):
                return False, None
        for k in sets:
            if _fair_set(g, {v for v in live_nodes if v[1] == k}, rs, k, n):
                return False, None
        dag = nx.DiGraph()
        dag.add_nodes_from(live_nodes)
        for a in live_nodes:
            for _, b, d in g.out_edges(a, data=True):
                if a == b:
                    continue
                w = 0 if d["event"] is None else 1
                old = dag.get_edge_data(a, b, {"weight": 0})["weight"]
                dag.add_edge(a, b, weight=max(w, old))
        if not nx.is_directed_acyclic_graph(dag):
            worst = None
        elif worst is not None and dag.number_of_edges():
            worst = max(worst, nx.dag_longest_path_length(dag, weight="weight"))
    return True, worst


def _fair_set(g: Any, nodes: set[Any], rs: ReferenceSpace, crashed: frozenset[int],
              n: int) -> bool:
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
            pending = {(dst, repr(m)) for dst, m in rs.order[v[0]][1] if dst in live}
            if enabled - stepping or not pending <= received:
                bad.add(v)
        if not bad or _fair_set(g, set(comp) - bad, rs, crashed, n):
            return True
    return False
