"""Exporting the configuration graph: networkx, DOT, GraphML, JSON node-link, images.

The state space itself stays in compact arrays (:mod:`flpcheck.explorer.statespace`); the networkx graph
built here is a view for export and small analyses, made on demand and never kept.

Every configuration becomes a node with its id, and every explored event an edge:

========================  =====================================================================
node attribute            meaning
========================  =====================================================================
``states``                the local state of every process (JSON form, see :func:`to_json`)
``buffer``                the messages in transit, ``[[dst, payload], ...]`` sorted, copies kept
``outputs``               the output register of every process (None while undecided)
``decisions``             the decision values of the configuration, sorted
``decided``               true when some process has decided
``valence``               ``bivalent``, ``0-valent``, ``1-valent`` or ``none``
``valence_certain``       false where a bound makes the valence only a lower bound
``depth``                 the length of a shortest schedule reaching it
``initial``               true for an initial configuration I(x)
``inputs``                the input vector of an initial configuration, e.g. ``"010"``
``cut``                   true where a bound left the configuration unexpanded
``label``                 a one-line summary (what the short image labels show)
========================  =====================================================================

Edges carry ``pid`` (the process that steps), ``payload`` (the message received, None for the
null message), ``null`` and ``event`` (a label such as ``p0:null``); the multigraph key is the
event id. Where some step is left to chance, every edge also carries ``outcome`` (chance's
outcome, None for a deterministic step) and ``probability`` (exact, as a string ``"p/q"``,
``"1"`` for a deterministic step); a protocol without chance has neither. GraphML attributes
must be scalars, so there every structure (lists, the payload) is a JSON string and absent
values are left out.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from ..analysis.valence import ValenceMap
from ..errors import UsageError
from ..explorer.statespace import StateSpace
from ..model.inputs import bits
from ..model.values import to_json
from .files import atomic_write

__all__ = [
    "GRAPH_FORMATS",
    "to_networkx",
    "to_graphml_graph",
    "node_link_data",
    "write_dot",
    "write_graphml",
    "write_json",
    "write_graph",
]

GRAPH_FORMATS = (".dot", ".gv", ".graphml", ".json", ".drn", ".svg", ".png", ".pdf")
"""The file suffixes :func:`write_graph` understands."""


def event_label(pid: int, payload_text: str | None) -> str:
    """``p0:null`` for a null step, ``p1:<payload>`` for a receipt."""
    return f"p{pid}:{'null' if payload_text is None else payload_text}"


def _node_data(space: StateSpace, valence: ValenceMap) -> Iterator[tuple[int, dict[str, Any]]]:
    initial = {cid: inputs for inputs, cid in sorted(space.initial, key=lambda x: x[1])}
    cut = space.cut
    fmt = space.protocol.format_payload
    for cid in range(len(space)):
        config = space.configuration(cid)
        decisions = sorted(space.decisions(cid))
        inputs = initial.get(cid)
        buffer = ", ".join(f"{fmt(pl)}→p{d}" for d, pl in config.buffer) or "empty"
        yield cid, {
            "states": [to_json(s) for s in config.states],
            "buffer": [[d, to_json(pl)] for d, pl in config.buffer],
            "outputs": list(space.outputs(cid)),
            "decisions": decisions,
            "decided": bool(decisions),
            "valence": valence.label(cid),
            "valence_certain": valence.is_certain(cid),
            "depth": int(space.depth[cid]),
            "initial": inputs is not None,
            "inputs": None if inputs is None else bits(inputs),
            "cut": bool(cut[cid]),
            "label": f"c{cid} {valence.describe(cid)}; buffer: {buffer}",
        }


def to_networkx(space: StateSpace, valence: ValenceMap) -> nx.MultiDiGraph:
    """The configuration graph as a ``networkx.MultiDiGraph`` (attributes: module docstring),
    each configuration with its label in ``valence``.

    Nodes are configuration ids in order; edges follow the explored order, keyed by event id.
    :func:`flpcheck.to_networkx` classifies the valence first.
    """
    space.require_full("a graph export")
    g = nx.MultiDiGraph()
    g.graph.update(_graph_data(space))
    g.add_nodes_from(_node_data(space, valence))
    fmt = space.protocol.format_payload
    events: dict[int, dict[str, Any]] = {}
    indptr, dst, eids = space.arrays.indptr, space.arrays.indices, space.events_array
    chance = space.edge_probability is not None
    for cid in range(len(space)):
        for k in range(int(indptr[cid]), int(indptr[cid + 1])):
            eid = int(eids[k])
            data = events.get(eid)
            if data is None:
                event = space.event(eid)
                text = None if event.msg is None else fmt(event.msg)
                data = events[eid] = {
                    "pid": event.pid,
                    "payload": to_json(event.msg),
                    "null": event.msg is None,
                    "event": event_label(event.pid, text),
                }
            if chance:
                outcome = space.event_of_edge(k).outcome
                g.add_edge(cid, int(dst[k]), key=eid, **data, outcome=outcome,
                           probability=str(space.edge_chance(k)))
            else:
                g.add_edge(cid, int(dst[k]), key=eid, **data)
    return g


def _graph_data(space: StateSpace) -> dict[str, Any]:
    return {
        "protocol": type(space.protocol).__name__,
        "processes": space.n,
        "complete": space.complete,
        "cut_reasons": list(space.cut_reasons),
        "bounds": space.bounds.describe(),
    }


def _scalar(value: Any, force_json: bool = False) -> Any:
    if value is None:
        return None
    if not force_json and isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def to_graphml_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of :func:`to_networkx`'s graph with only GraphML-legal scalar attributes.

    Lists and other structures become JSON strings, the payload is always a JSON string (so the
    attribute has one type), and None values are left out.
    """
    out = nx.MultiDiGraph()
    out.graph.update({k: v for k, v in ((k, _scalar(v)) for k, v in graph.graph.items())
                      if v is not None})
    for node, data in graph.nodes(data=True):
        out.add_node(node, **{k: s for k, v in data.items() if (s := _scalar(v)) is not None})
    for u, v, key, data in graph.edges(keys=True, data=True):
        attrs = {k: s for k, x in data.items()
                 if (s := _scalar(x, force_json=k == "payload")) is not None}
        out.add_edge(u, v, key=key, **attrs)
    return out


def node_link_data(space: StateSpace, valence: ValenceMap) -> dict[str, Any]:
    """The JSON node-link form (``networkx.node_link_graph(data, edges="edges")`` loads it)."""
    return nx.node_link_data(to_networkx(space, valence), edges="edges")


def write_dot(space: StateSpace, path: str | os.PathLike[str], valence: ValenceMap,
              labels: str = "short") -> Path:
    """The DOT source of the full view (every configuration); needs no Graphviz install."""
    from .render import full_view

    return atomic_write(path, full_view(space, labels=labels, valence=valence).source)


def write_graphml(space: StateSpace, path: str | os.PathLike[str], valence: ValenceMap) -> Path:
    """GraphML for Gephi, yEd or ``networkx.read_graphml`` (structures as JSON strings)."""
    buf = io.BytesIO()
    nx.write_graphml(to_graphml_graph(to_networkx(space, valence)), buf, encoding="utf-8")
    return atomic_write(path, buf.getvalue())


def write_json(space: StateSpace, path: str | os.PathLike[str], valence: ValenceMap) -> Path:
    """JSON node-link data (see :func:`node_link_data`)."""
    text = json.dumps(node_link_data(space, valence), ensure_ascii=False, separators=(",", ":"))
    return atomic_write(path, text + "\n")


def write_graph(space: StateSpace, path: str | os.PathLike[str], valence: ValenceMap) -> Path:
    """Write the graph in the format named by the suffix of ``path``, each configuration with
    its label in ``valence`` (:func:`flpcheck.write_graph` classifies it first).

    ``.dot``/``.gv``, ``.graphml`` and ``.json`` hold every configuration and need no Graphviz;
    ``.drn`` is the graph as a Markov decision process in Storm's explicit format
    (:mod:`flpcheck.output.drn`);
    ``.svg``, ``.png`` and ``.pdf`` are drawn by Graphviz with the ``auto`` view (the full graph
    when small, else the quotient by valence and depth), and raise
    :class:`~flpcheck.errors.GraphvizMissing` without ``dot``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".dot", ".gv"):
        return write_dot(space, path, valence)
    if suffix == ".graphml":
        return write_graphml(space, path, valence)
    if suffix == ".json":
        return write_json(space, path, valence)
    if suffix in (".svg", ".png", ".pdf"):
        from .render import choose_view, full_view, quotient_view, write_image

        view = (full_view(space, valence=valence) if choose_view(space) == "full"
                else quotient_view(space, valence=valence))
        return write_image(view, path)
    raise UsageError(
        f"{path}: unknown graph format {suffix or '(no suffix)'!r}; "
        f"use one of {', '.join(GRAPH_FORMATS)}"
    )
