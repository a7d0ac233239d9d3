"""Drawing bivalence graphs with Graphviz: the full graph and the views of the FLP proof.

Every function here returns a :class:`graphviz.Digraph`, which displays itself in Jupyter and
can be written with :func:`write_image`. Building a view needs only the ``graphviz`` Python
package; turning it into SVG, PNG or PDF needs the Graphviz ``dot`` program
(:class:`~flpcheck.errors.GraphvizMissing` says how to install it).

Views:

- ``full``: every configuration and every event (small graphs only);
- ``initial``: the chain I_0 = 0…0, I_1 = 10…0, …, I_N = 1…1 of Lemma 2 with valences;
- ``witness``: a run (a list of configuration ids) and the immediate neighbours of its
  configurations, each coloured by valence: the picture of "every step stays bivalent";
- ``lemma3``: one stage of Lemma 3: a configuration C, an event e, the set 𝒞 of
  configurations reachable from C without applying e, and D = e(𝒞);
- ``quotient``: configurations merged by (valence, depth), with counts (optionally with the
  strongly connected components condensed);
- ``auto``: ``full`` up to :data:`FULL_VIEW_NODES` configurations and
  :data:`FULL_VIEW_EDGES` events, else ``quotient``: dot lays out either in about a second.

Colours (Okabe–Ito, safe for colour-blind readers) are fixed in :data:`PALETTE`. A double
border marks a decided configuration, a thick border an initial one, a dashed border one a
bound left unexpanded; the run of the witness view is drawn in bold.
"""

from __future__ import annotations

import dataclasses
import enum
import html
import math
import os
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

from ..analysis.graph import edge_sources, reach
from ..analysis.valence import LABELS, ValenceMap, classify_valence
from ..errors import FLPCheckError, GraphvizMissing, UsageError
from ..explorer.statespace import StateSpace
from ..model.protocol import Protocol
from ..model.semantics import Event, apply_event
from ..model.values import canonical_key

__all__ = [
    "PALETTE",
    "VIEWS",
    "LABEL_MODES",
    "FULL_VIEW_NODES",
    "FULL_VIEW_EDGES",
    "WITNESS_NODES",
    "IMAGE_FORMATS",
    "render_view",
    "choose_view",
    "full_view",
    "initial_view",
    "witness_view",
    "lemma3_view",
    "quotient_view",
    "default_lemma3",
    "lemma2_chain",
    "write_image",
    "require_dot",
]

PALETTE: dict[str, str] = {
    "0-valent": "#56B4E9",  # Okabe–Ito sky blue
    "1-valent": "#E69F00",  # Okabe–Ito orange
    "bivalent": "#CC79A7",  # Okabe–Ito reddish purple
    "none": "#BBBBBB",  # neutral grey: no decision reachable
}
"""The fill colour of each valence class (the Okabe–Ito palette, plus grey for none)."""

EVENT_COLOUR = "#D55E00"  # Okabe–Ito vermillion: the event e of Lemma 3
RUN_COLOUR = "#000000"
EDGE_COLOUR = "#555555"

VIEWS = ("auto", "full", "initial", "witness", "lemma3", "quotient")
"""The views :func:`render_view` draws."""

LABEL_MODES = ("none", "short", "full")
"""How much a configuration's label shows: nothing, compact states and buffer, everything."""

FULL_VIEW_NODES = 150
"""``auto`` draws every configuration up to this many configurations ...

Measured with Graphviz 2.43 and short labels (dot alone): 0.1 s for 88 configurations and 304
events, 0.45 s for 340/804, 5 s for 666/2,346 and 24 s for 1,104/4,656: the layout time grows
much faster than the graph, and events (labelled edges) drive it. 150/600 keeps dot well under
half a second with room for longer labels; past it a picture of every configuration is
unreadable anyway.
"""

FULL_VIEW_EDGES = 600
"""... and events; beyond either, ``auto`` draws the quotient (0.1 s at 10^6 events)."""

QUOTIENT_LEVELS = 60
"""The quotient merges depths into bands so that it has at most this many rows."""

WITNESS_NODES = 4 * FULL_VIEW_NODES
"""The witness view leaves out the neighbours of the run when they would pass this many."""

SCC_NODES = 60
"""The SCC quotient draws at most this many SCCs one by one, else groups them by valence."""

IMAGE_FORMATS = (".svg", ".png", ".pdf")
"""Suffixes :func:`write_image` renders with dot (``.dot``/``.gv`` write the DOT source)."""

_FONT = "Helvetica"
_MAX_LINE = 64


# -- text ----------------------------------------------------------------------------------


def _esc(text: str) -> str:
    """Escape text for a DOT string: backslashes, quotes, and newlines as ``\\n``."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _clip(text: str, width: int = _MAX_LINE) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _compact(value: Any, top: bool = False) -> str:
    """A value without field names or quotes: ``State(x=0, sent=True)`` -> ``0,T``."""
    if value is None:
        return "_"
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, tuple):
        inner = ",".join(_compact(v) for v in value)
        return inner if top and value else f"({inner})"
    if isinstance(value, frozenset):
        return "{" + ",".join(_compact(v) for v in sorted(value, key=canonical_key)) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(_compact(getattr(value, f.name)) for f in dataclasses.fields(value))
        return inner if top else f"({inner})"
    return repr(value)


class _Labels:
    """Node and edge labels of one space in one label mode."""

    def __init__(self, space: StateSpace, valence: ValenceMap, mode: str) -> None:
        if mode not in LABEL_MODES:
            raise UsageError(f"labels {mode!r}: use one of {', '.join(LABEL_MODES)}")
        self.space, self.valence, self.mode = space, valence, mode
        proto = space.protocol
        cls = type(proto)
        self.custom_state = cls.format_state is not Protocol.format_state
        self.custom_payload = cls.format_payload is not Protocol.format_payload
        self.inputs = {cid: "".join(map(str, x)) for x, cid in space.initial}
        self.cut = space.cut
        self._edge_cache: dict[int, str] = {}

    def state(self, pid: int, state: Any, compact: bool) -> str:
        if compact and not self.custom_state:
            return _compact(state, top=True)
        return self.space.protocol.format_state(pid, state)

    def payload(self, payload: Any, compact: bool) -> str:
        if compact and not self.custom_payload:
            return _compact(payload, top=True)
        return self.space.protocol.format_payload(payload)

    def buffer(self, cid: int, compact: bool) -> str:
        counts = Counter(self.space.configuration(cid).buffer)
        items = sorted(counts.items(), key=lambda kv: (kv[0][0], canonical_key(kv[0][1])))
        parts = [f"{self.payload(pl, compact)}→p{d}" + (f"×{k}" if k > 1 else "")
                 for (d, pl), k in items]
        return " ".join(parts) if parts else "∅"

    def full_text(self, cid: int) -> list[str]:
        """Every fact about a configuration, one line each (unescaped)."""
        space, valence = self.space, self.valence
        head = f"c{cid} · depth {space.depth[cid]} · {valence.describe(cid)}"
        lines = [head]
        facts = []
        if cid in self.inputs:
            facts.append(f"initial I({self.inputs[cid]})")
        decisions = sorted(space.decisions(cid))
        if decisions:
            facts.append("decided " + ",".join(map(str, decisions)))
        if self.cut[cid]:
            facts.append("cut (not expanded)")
        if facts:
            lines.append(", ".join(facts))
        config = space.configuration(cid)
        lines += [f"p{p}: {self.state(p, s, False)}" for p, s in enumerate(config.states)]
        lines.append("buffer: " + self.buffer(cid, False))
        return lines

    def node(self, cid: int, header: str = "") -> str:
        """The DOT label of configuration ``cid`` (escaped)."""
        if self.mode == "none":
            return _esc(header)
        if self.mode == "full":
            lines = self.full_text(cid)
            if header:
                lines.insert(0, header)
            return "".join(_esc(line) + "\\l" for line in lines)
        first = f"c{cid}"
        if cid in self.inputs:
            first += f" I={self.inputs[cid]}"
        if header:
            first = f"{header} {first}"
        config = self.space.configuration(cid)
        states = " | ".join(self.state(p, s, True) for p, s in enumerate(config.states))
        lines = [first, _clip(states), _clip(self.buffer(cid, True))]
        return "\\n".join(_esc(line) for line in lines)

    def tooltip(self, cid: int) -> str:
        return "\\n".join(_esc(line) for line in self.full_text(cid))

    def edge(self, eid: int) -> str:
        """The DOT label of event ``eid`` ('' in mode none)."""
        if self.mode == "none":
            return ""
        text = self._edge_cache.get(eid)
        if text is None:
            event = self.space.event(eid)
            if event.msg is None:
                msg = "null"
            else:
                msg = self.payload(event.msg, self.mode == "short")
            sep = ":" if self.mode == "short" else " receives "
            text = self._edge_cache[eid] = _esc(_clip(f"p{event.pid}{sep}{msg}", 40))
        return text


# -- graph pieces --------------------------------------------------------------------------


def _digraph(name: str, title: str, rankdir: str = "TB") -> graphviz.Digraph:
    g = graphviz.Digraph(name)
    g.attr("graph", rankdir=rankdir, label=_esc(title), labelloc="t", fontname=_FONT,
           fontsize="12", nodesep="0.25", ranksep="0.45", bgcolor="white")
    g.attr("node", shape="box", style="rounded,filled", fontname=_FONT, fontsize="9",
           margin="0.06,0.03", penwidth="1")
    g.attr("edge", fontname=_FONT, fontsize="8", color=EDGE_COLOUR, fontcolor="#333333",
           arrowsize="0.6")
    return g


def _title(space: StateSpace, view: str, extra: str = "") -> str:
    status = "" if space.complete else ", INCOMPLETE: cut by " + ", ".join(space.cut_reasons)
    text = (f"{type(space.protocol).__name__}, N={space.n}: {view} view of "
            f"{len(space):,} configurations{status}")
    return f"{text}\n{extra}" if extra else text


def _config_node(g: graphviz.Digraph, labels: _Labels, cid: int, header: str = "",
                 **extra: str) -> None:
    """Add configuration ``cid`` styled by valence, decision, initial and cut."""
    space, valence = labels.space, labels.valence
    label = valence.label(cid)
    style = "rounded,filled" + (",dashed" if labels.cut[cid] else "")
    attrs = {
        "label": labels.node(cid, header),
        "fillcolor": PALETTE[label],
        "style": style,
        "tooltip": labels.tooltip(cid),
    }
    if space.decided[cid]:
        attrs["peripheries"] = "2"
    if cid in labels.inputs:
        attrs["penwidth"] = "3"
    if labels.mode == "none":
        attrs.update(width="0.3", height="0.3", fixedsize="false" if header else "true")
    if labels.mode == "full":
        attrs["nojustify"] = "true"
    attrs.update(extra)
    g.node(f"c{cid}", **attrs)


def _legend(g: graphviz.Digraph, counts: dict[str, int] | None,
            marks: Sequence[tuple[str, str]], heading: str = "valence") -> None:
    """A legend node: the valence colours (with counts) and the marks a view uses."""
    rows = [f'<TR><TD COLSPAN="2"><B>{html.escape(heading)}</B></TD></TR>']
    for label in LABELS:
        text = label if counts is None else f"{label}: {counts.get(label, 0):,}"
        rows.append(f'<TR><TD BGCOLOR="{PALETTE[label]}" WIDTH="18"> </TD>'
                    f'<TD ALIGN="LEFT">{html.escape(text)}</TD></TR>')
    for mark, meaning in marks:
        rows.append(f'<TR><TD>{html.escape(mark)}</TD>'
                    f'<TD ALIGN="LEFT">{html.escape(meaning)}</TD></TR>')
    table = ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
             + "".join(rows) + "</TABLE>>")
    with g.subgraph(name="legend_rank") as s:
        s.attr(rank="sink")
        s.node("legend", label=table, shape="plaintext", style="", fontsize="9")


_CONFIG_MARKS = (
    ("double border", "decided"),
    ("thick border", "initial"),
    ("dashed border", "cut by a bound"),
)


def _edge_range(space: StateSpace, cid: int) -> range:
    return range(int(space.arrays.indptr[cid]), int(space.arrays.indptr[cid + 1]))


def _edges(g: graphviz.Digraph, labels: _Labels, cid: int, edges: Sequence[int] | range,
           **attrs: str) -> None:
    """Draw edges ``edges`` leaving ``cid``; events joining the same two configurations share
    one arrow, with one label line per event (sorted by edge order)."""
    dst, eids = labels.space.arrays.indices, labels.space.events_array
    by_dst: dict[int, list[str]] = {}
    for k in edges:
        by_dst.setdefault(int(dst[k]), []).append(labels.edge(int(eids[k])))
    for d, texts in by_dst.items():
        g.edge(f"c{cid}", f"c{d}", label="\\n".join(t for t in texts if t), **attrs)


# -- views ---------------------------------------------------------------------------------


def full_view(space: StateSpace, *, labels: str = "short",
              valence: ValenceMap | None = None) -> graphviz.Digraph:
    """Every configuration and every explored event, coloured by valence.

    Meant for small graphs (see :data:`FULL_VIEW_NODES`); the DOT source of any size can be
    written without Graphviz (``write_image(view, "out.dot")``).
    """
    valence = classify_valence(space) if valence is None else valence
    lab = _Labels(space, valence, labels)
    g = _digraph("full", _title(space, "full"))
    for cid in range(len(space)):
        _config_node(g, lab, cid)
    for cid in range(len(space)):
        _edges(g, lab, cid, _edge_range(space, cid))
    _legend(g, valence.counts(), _CONFIG_MARKS)
    return g


def lemma2_chain(n: int) -> list[tuple[int, ...]]:
    """The inputs of I_0 = 0…0, I_1 = 10…0, …, I_N = 1…1 (neighbours differ in one process).

    >>> lemma2_chain(3)
    [(0, 0, 0), (1, 0, 0), (1, 1, 0), (1, 1, 1)]
    """
    return [tuple([1] * i + [0] * (n - i)) for i in range(n + 1)]


def initial_view(space: StateSpace, *, labels: str = "short",
                 valence: ValenceMap | None = None) -> graphviz.Digraph:
    """The Lemma 2 chain of initial configurations with their valences.

    Neighbours I_i and I_{i+1} differ only in the input of process i; an edge between a
    0-valent and a 1-valent neighbour is drawn bold: that process is the one Lemma 2 lets crash.
    """
    valence = classify_valence(space) if valence is None else valence
    lab = _Labels(space, valence, labels)
    chain = lemma2_chain(space.n)
    ids = [space.initial_id(x) for x in chain]
    found = [valence.label(c) if c is not None else "not explored" for c in ids]
    bivalent = [i for i, v in enumerate(found) if v == "bivalent"]
    if bivalent:
        verdict = f"I_{bivalent[0]} is bivalent"
    else:
        pairs = [i for i in range(space.n) if {found[i], found[i + 1]} == {"0-valent", "1-valent"}]
        verdict = (f"I_{pairs[0]} and I_{pairs[0] + 1} are 0-/1-valent and differ only in "
                   f"p{pairs[0]}" if pairs else "no bivalent I_i and no 0-/1-valent neighbours")
    g = _digraph("initial", _title(space, "initial (Lemma 2)", verdict), rankdir="LR")
    counts: Counter[str] = Counter()
    for i, (x, cid) in enumerate(zip(chain, ids, strict=True)):
        bits = "".join(map(str, x))
        if cid is None:
            g.node(f"I{i}", label=_esc(f"I_{i} = {bits}\nnot explored"), style="dashed",
                   fillcolor="white")
            continue
        counts[valence.label(cid)] += 1
        header = f"I_{i}" if labels != "none" else f"I_{i}\n{valence.describe(cid)}"
        _config_node(g, lab, cid, header=header)
    for i in range(space.n):
        a, b = ids[i], ids[i + 1]
        na = f"c{a}" if a is not None else f"I{i}"
        nb = f"c{b}" if b is not None else f"I{i + 1}"
        flip = {found[i], found[i + 1]} == {"0-valent", "1-valent"}
        g.edge(na, nb, label=f"p{i}", dir="none", style="bold" if flip else "dashed",
               penwidth="3" if flip else "1", color=RUN_COLOUR if flip else EDGE_COLOUR)
    _legend(g, dict(counts), _CONFIG_MARKS[:2] + (
        ("edge pk", "inputs differ only in process k"),
        ("bold edge", "0-valent next to 1-valent"),
    ), heading="valence of I_0..I_N")
    return g


def witness_view(
    space: StateSpace,
    run: Sequence[int],
    cycle_start: int | None = None,
    *,
    events: Sequence[Event] | None = None,
    labels: str = "short",
    neighbours: bool | None = None,
    valence: ValenceMap | None = None,
    title: str = "",
) -> graphviz.Digraph:
    """A run and the immediate neighbours of its configurations, coloured by valence.

    ``run`` lists the configuration ids of the run in order; if ``cycle_start`` is given, the
    run is a lasso: after ``run[-1]`` it returns to ``run[cycle_start]`` and repeats (a final
    entry equal to ``run[cycle_start]`` is accepted as that return). The event between two
    configurations is the first explored edge joining them unless ``events`` (one per step,
    the closing step included for a lasso) says which. The run's edges are bold and numbered
    by step; every other event of a run configuration is drawn thin, to its neighbour.
    ``neighbours=None`` draws the neighbours unless that makes more than
    :data:`WITNESS_NODES` configurations.
    """
    valence = classify_valence(space) if valence is None else valence
    lab = _Labels(space, valence, labels)
    path = [int(c) for c in run]
    if not path:
        raise UsageError("witness view: the run is empty")
    for c in path:
        if not 0 <= c < len(space):
            raise UsageError(f"witness view: no configuration {c}")
    if cycle_start is not None:
        if not 0 <= cycle_start < len(path):
            raise UsageError(f"witness view: cycle start {cycle_start} is outside the run")
        if len(path) - 1 > cycle_start and path[-1] == path[cycle_start]:
            path = path[:-1]
    steps = list(zip(path, path[1:], strict=False))
    if cycle_start is not None:
        steps.append((path[-1], path[cycle_start]))
    if events is not None and len(events) != len(steps):
        raise UsageError(f"witness view: {len(events)} events for {len(steps)} steps")
    dst, eids = space.arrays.indices, space.events_array
    run_edges: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(steps):
        want = None if events is None else space.event_id(events[i])
        edge = next((k for k in _edge_range(space, a)
                     if int(dst[k]) == b and (want is None or int(eids[k]) == want)), None)
        if edge is None:
            raise UsageError(f"witness view: step {i + 1} is not an explored event from c{a} "
                             f"to c{b}")
        run_edges.setdefault(edge, []).append(i + 1)
    visits: dict[int, list[int]] = {}
    for i, c in enumerate(path):
        visits.setdefault(c, []).append(i)
    run_labels = [valence.label(c) for c in visits]
    if all(v == "bivalent" for v in run_labels):
        summary = "every configuration of the run is bivalent"
    else:
        summary = "valences on the run: " + ", ".join(
            f"{v} {k}" for v, k in sorted(Counter(run_labels).items()))
    drawn = set(visits)
    if neighbours is None:
        around = {int(dst[k]) for c in visits for k in _edge_range(space, c)}
        neighbours = len(around | drawn) <= WITNESS_NODES
        if not neighbours:
            summary += f"; {len(around - drawn):,} neighbours left out"
    shape = f"{len(steps)} steps" + ("" if cycle_start is None else
                                      f", then back to s{cycle_start}, forever")
    head = f"{title}: " if title else ""
    g = _digraph("witness", _title(space, "witness", f"{head}{shape}; {summary}"),
                 rankdir="LR")
    for c, where in visits.items():
        header = "s" + ",".join(map(str, where))
        _config_node(g, lab, c, header=header, group="run")
    if neighbours:
        seen = drawn
        for c in visits:
            for k in _edge_range(space, c):
                if k in run_edges:
                    continue
                d = int(dst[k])
                if d not in seen:
                    seen.add(d)
                    _config_node(g, lab, d)
    for c in visits:
        for k in _edge_range(space, c):
            if k in run_edges:
                label = lab.edge(int(eids[k]))
                numbers = ",".join(map(str, run_edges[k]))
                g.edge(f"c{c}", f"c{int(dst[k])}", label=f"{numbers}. {label}" if label
                       else numbers, color=RUN_COLOUR, penwidth="3", style="bold",
                       weight="10", fontcolor=RUN_COLOUR)
        if neighbours:
            _edges(g, lab, c, [k for k in _edge_range(space, c) if k not in run_edges])
    marks = _CONFIG_MARKS + (("bold edge n.", "step n of the run"),
                             ("sN", "the run visits it at step N"))
    _legend(g, dict(Counter(valence.label(c) for c in drawn)), marks)
    return g


def lemma3_view(
    space: StateSpace,
    config: int,
    event: Event,
    *,
    labels: str = "short",
    valence: ValenceMap | None = None,
    max_nodes: int = FULL_VIEW_NODES,
    max_edges: int = FULL_VIEW_EDGES,
) -> graphviz.Digraph:
    """One stage of Lemma 3: C, e, 𝒞 (reachable from C without applying e) and D = e(𝒞).

    Lemma 3 says: if C is bivalent and e is applicable to C, D contains a bivalent
    configuration. When 𝒞 and D are larger than ``max_nodes``/``max_edges`` they are drawn
    merged by valence, with counts.
    """
    valence = classify_valence(space) if valence is None else valence
    lab = _Labels(space, valence, labels)
    if not 0 <= config < len(space):
        raise UsageError(f"lemma3 view: no configuration {config}")
    eid = space.event_id(Event(*event))
    event = space.event(eid) if eid is not None else Event(*event)
    e_text = f"p{event.pid}:" + ("null" if event.msg is None
                                 else space.protocol.format_payload(event.msg))
    if eid is None or (space.successor(config, event) is None and not space.cut[config]):
        raise UsageError(f"lemma3 view: e = {e_text} is not applicable at c{config}")
    csr, events = space.arrays, space.events_array
    start = np.zeros(len(space), dtype=bool)
    start[config] = True
    not_e = events != eid
    in_c = reach(csr, start, edge_ok=not_e)
    src = edge_sources(csr.indptr)
    e_edges = np.flatnonzero(in_c[src] & ~not_e)
    c_edges = np.flatnonzero(in_c[src] & not_e)
    d_ids = np.unique(csr.indices[e_edges])
    in_d = np.zeros(len(space), dtype=bool)
    in_d[d_ids] = True
    d_counts = {label: int(np.count_nonzero(valence.mask(label) & in_d)) for label in LABELS}
    e_of_c = space.successor(config, event)
    found = ", ".join(f"{k} {v}" for v, k in d_counts.items() if k) or "empty"
    extra = (f"C = c{config} ({valence.describe(config)}), e = {e_text}; 𝒞: "
             f"{int(in_c.sum()):,} configurations reachable from C without e; "
             f"D = e(𝒞): {found}")
    g = _digraph("lemma3", _title(space, "Lemma 3", extra))
    only_d = in_d & ~in_c
    n_nodes = int(in_c.sum() + only_d.sum())
    if n_nodes <= max_nodes and len(e_edges) + len(c_edges) <= max_edges:
        with g.subgraph(name="cluster_C") as s:
            s.attr(label="𝒞: reachable from C without e", style="rounded", color="#999999")
            for c in np.flatnonzero(in_c).tolist():
                header = ("C" if c == config else "e(C)" if c == e_of_c
                          else "D" if in_d[c] else "")
                _config_node(s, lab, c, header=header)
        with g.subgraph(name="cluster_D") as s:
            s.attr(label="D = e(𝒞)", style="rounded", color=EVENT_COLOUR)
            for c in np.flatnonzero(only_d).tolist():
                _config_node(s, lab, c, header="e(C)" if c == e_of_c else "D")
        c_src = src[c_edges]
        for c in np.unique(c_src).tolist():
            _edges(g, lab, c, c_edges[c_src == c].tolist())
        for k in e_edges.tolist():
            g.edge(f"c{int(src[k])}", f"c{int(csr.indices[k])}", label="e",
                   color=EVENT_COLOUR, fontcolor=EVENT_COLOUR, penwidth="2")
    else:
        key = np.full(len(space), -1, dtype=np.int64)
        codes = valence.codes.astype(np.int64)
        key[in_c] = 2 + codes[in_c]
        key[in_c & in_d] = 6 + codes[in_c & in_d]
        key[only_d] = 10 + codes[only_d]
        if e_of_c is not None:
            key[e_of_c] = 1
        key[config] = 0
        mask = np.zeros(len(csr.indices), dtype=bool)
        mask[c_edges] = True
        is_e = np.zeros(len(csr.indices), dtype=bool)
        is_e[e_edges] = True
        nodes, node_counts, pairs = _aggregate(space, key, mask | is_e, is_e)
        names = {0: "C", 1: "e(C)"}
        for first, name in ((2, "𝒞"), (6, "𝒞 ∩ D"), (10, "D")):
            names |= {first + i: name for i in range(4)}
        code_label = {0: "none", 1: "0-valent", 2: "1-valent", 3: "bivalent"}
        for k, n in zip(nodes.tolist(), node_counts.tolist(), strict=True):
            if k < 2:
                cid = config if k == 0 else int(e_of_c)  # type: ignore[arg-type]
                _config_node(g, lab, cid, header=names[k])
                continue
            label = code_label[(k - 2) % 4]
            g.node(f"g{k}", label=_esc(f"{names[k]}: {label} ×{n:,}"), fillcolor=PALETTE[label])
        for (a, b), n, via_e in pairs:
            na = f"c{config}" if a == 0 else f"c{e_of_c}" if a == 1 else f"g{a}"
            nb = f"c{config}" if b == 0 else f"c{e_of_c}" if b == 1 else f"g{b}"
            if via_e:
                g.edge(na, nb, label=f"e ×{n:,}", color=EVENT_COLOUR, fontcolor=EVENT_COLOUR,
                       penwidth="2")
            else:
                g.edge(na, nb, label=f"×{n:,}")
    _legend(g, d_counts, (("label D", "in D = e(𝒞)"), ("vermillion edge", "the event e"))
            + _CONFIG_MARKS[:2], heading="valence in D")
    return g


def _aggregate(space: StateSpace, key: np.ndarray, edge_mask: np.ndarray,
               marked: np.ndarray | None = None,
               ) -> tuple[np.ndarray, np.ndarray, list[tuple[tuple[int, int], int, bool]]]:
    """Merge nodes by ``key`` (-1: left out) and the edges in ``edge_mask`` between them.

    Returns (keys, sizes, [((src key, dst key), count, marked)]), sorted; edges in ``marked``
    are counted apart from the others.
    """
    kept = key >= 0
    nodes, node_counts = np.unique(key[kept], return_counts=True)
    src = edge_sources(space.arrays.indptr)
    dst = space.arrays.indices
    ok = edge_mask & kept[src] & kept[dst]
    a, b = key[src[ok]], key[dst[ok]]
    m = np.zeros(int(ok.sum()), dtype=np.int64) if marked is None else marked[ok].astype(np.int64)
    span = int(key.max()) + 1 if key.size else 1
    pair_ids, pair_counts = np.unique((a * span + b) * 2 + m, return_counts=True)
    pairs = []
    for p, n in zip(pair_ids.tolist(), pair_counts.tolist(), strict=True):
        s, d = divmod(p // 2, span)
        pairs.append(((s, d), n, bool(p % 2)))
    return nodes, node_counts, pairs


def quotient_view(space: StateSpace, *, by: str = "depth", valence: ValenceMap | None = None,
                  max_levels: int = QUOTIENT_LEVELS) -> graphviz.Digraph:
    """Configurations merged by (valence, depth), with counts on nodes and edges.

    Depths are merged into bands when there are more than ``max_levels``. With ``by="scc"``
    the configurations of each strongly connected component with a cycle through two or more
    configurations are drawn as one node (grouped by valence when there are more than
    :data:`SCC_NODES` of them); the others are merged by (valence, depth) as before.
    """
    if by not in ("depth", "scc"):
        raise UsageError(f"quotient by {by!r}: use 'depth' or 'scc'")
    valence = classify_valence(space) if valence is None else valence
    n = len(space)
    depth = np.frombuffer(space.depth, dtype=np.int32).astype(np.int64)
    max_depth = int(depth.max()) if n else 0
    band = max(1, math.ceil((max_depth + 1) / max_levels))
    level = depth // band
    codes = valence.codes.astype(np.int64)
    key = level * 4 + codes
    base = (int(level.max()) + 1) * 4 if n else 0
    scc_info: dict[int, str] = {}
    if by == "scc" and n:
        comp = _sccs(space)
        sizes = np.bincount(comp)
        big = np.flatnonzero(sizes > 1)
        in_big = sizes[comp] > 1
        if len(big) <= SCC_NODES:
            remap = np.full(len(sizes), -1, dtype=np.int64)
            remap[big] = np.arange(len(big))
            key[in_big] = base + remap[comp[in_big]]
            for j, c in enumerate(big.tolist()):
                members = np.flatnonzero(comp == c)
                lo, hi = int(depth[members].min()), int(depth[members].max())
                scc_info[base + j] = f"SCC {j + 1}\ndepths {lo}–{hi}"
        else:
            key[in_big] = base + key[in_big]
            for k in np.unique(key[in_big]).tolist():
                scc_info[k] = "in cycles (SCCs)"
    nodes, sizes, pairs = _aggregate(space, key, np.ones(space.num_events, dtype=bool))
    decided = np.bincount(key, weights=(space.decided_array > 0), minlength=int(key.max()) + 1)
    initial = np.zeros(n, dtype=bool)
    initial[[cid for _, cid in space.initial]] = True
    n_initial = np.bincount(key, weights=initial, minlength=int(key.max()) + 1)
    n_cut = np.bincount(key, weights=space.cut, minlength=int(key.max()) + 1)
    code_of = {int(k): int(codes[np.flatnonzero(key == k)[0]]) for k in nodes.tolist()}
    code_label = {0: "none", 1: "0-valent", 2: "1-valent", 3: "bivalent"}
    merged = "valence and depth" + (f" (bands of {band} depths)" if band > 1 else "")
    if by == "scc":
        merged += "; SCCs with cycles condensed"
    extra = f"{len(nodes):,} classes: configurations merged by {merged}"
    g = _digraph("quotient", _title(space, "quotient", extra))
    rows: dict[int, list[str]] = {}
    for k, size in zip(nodes.tolist(), sizes.tolist(), strict=True):
        label = code_label[code_of[k]]
        if k in scc_info:
            head = scc_info[k]
        else:
            lv = k // 4
            lo, hi = lv * band, min(max_depth, lv * band + band - 1)
            head = f"depth {lo}" if lo == hi else f"depths {lo}–{hi}"
            rows.setdefault(lv, []).append(f"q{k}")
        lines = [head, f"{label} ×{size:,}"]
        facts = [f"{int(x):,} {what}" for x, what in
                 ((decided[k], "decided"), (n_initial[k], "initial"), (n_cut[k], "cut")) if x]
        if facts:
            lines.append(", ".join(facts))
        attrs = {"fillcolor": PALETTE[label]}
        if decided[k] == size:
            attrs["peripheries"] = "2"
        if n_initial[k]:
            attrs["penwidth"] = "3"
        if n_cut[k]:
            attrs["style"] = "rounded,filled,dashed"
        if k in scc_info:
            attrs["shape"] = "octagon"
            attrs["style"] = "filled" + (",dashed" if n_cut[k] else "")
        g.node(f"q{k}", label="\\n".join(_esc(line) for line in lines), **attrs)
    for lv in sorted(rows):
        with g.subgraph(name=f"rank{lv}") as s:
            s.attr(rank="same")
            for name in rows[lv]:
                s.node(name)
    for (a, b), count, _ in pairs:
        width = 1 + min(4.0, math.log10(count))
        g.edge(f"q{a}", f"q{b}", label=f"×{count:,}", penwidth=f"{width:.2f}")
    marks: tuple[tuple[str, str], ...] = (
        ("double border", "all decided"), ("thick border", "holds initial ones"),
        ("dashed border", "holds cut ones"), ("edge ×n", "n events"))
    if by == "scc":
        marks += (("octagon", "an SCC with a cycle"),)
    _legend(g, valence.counts(), marks)
    return g


def _sccs(space: StateSpace) -> np.ndarray:
    """The strongly connected component of every configuration (iterative Tarjan)."""
    n = len(space)
    indptr = space.arrays.indptr.tolist()
    succ = space.arrays.indices.tolist()
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    comp = [-1] * n
    stack: list[int] = []
    counter = ncomp = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, indptr[root])]
        while work:
            v, k = work[-1]
            if k < indptr[v + 1]:
                work[-1] = (v, k + 1)
                w = succ[k]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, indptr[w]))
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = ncomp
                    if w == v:
                        break
                ncomp += 1
    return np.array(comp, dtype=np.int64)


# -- defaults for the CLI --------------------------------------------------------------------


def default_lemma3(space: StateSpace, config: int | None = None,
                   process: int | None = None) -> tuple[int, Event, str]:
    """(C, e, note) for the Lemma 3 view.

    C defaults to the first bivalent initial configuration (else the first bivalent one, else
    the first initial one); p to process 0; e = (p, m) with m the oldest message pending for p
    along the shortest schedule to C (by send time, ties by payload order), or null.
    """
    valence = classify_valence(space)
    note = ""
    if config is None:
        initial = [cid for _, cid in space.initial]
        bivalent = [c for c in initial if valence.label(c) == "bivalent"]
        if not bivalent:
            any_bivalent = np.flatnonzero(valence.codes == 3)
            bivalent = [int(any_bivalent[0])] if any_bivalent.size else []
        if bivalent:
            config = bivalent[0]
        else:
            config = initial[0]
            note = "no configuration is bivalent: Lemma 3 starts from a bivalent one"
    if not 0 <= config < len(space):
        raise UsageError(f"--config {config}: the space has configurations 0..{len(space) - 1}")
    pid = 0 if process is None else process
    if not 0 <= pid < space.n:
        raise UsageError(f"--process {pid}: processes are 0..{space.n - 1}")
    return config, _oldest_event(space, config, pid), note


def _oldest_event(space: StateSpace, cid: int, pid: int) -> Event:
    """(pid, m) for the oldest copy pending for ``pid`` along the schedule to ``cid``, or null."""
    sched = space.schedule_to(cid)
    config = space.configuration(space.initial_id(sched.inputs))  # type: ignore[arg-type]
    pending: list[tuple[int, int, Any]] = []  # (send time, dst, payload)
    for t, event in enumerate(sched.events):
        step = apply_event(space.protocol, config, event)
        if event.msg is not None:
            i = next(i for i, (_, d, pl) in enumerate(pending) if (d, pl) == tuple(event))
            del pending[i]
        pending += [(t, d, pl) for d, pl in step.sends]
        config = step.config
    mine = sorted((m for m in pending if m[1] == pid), key=lambda m: (m[0], canonical_key(m[2])))
    return Event(pid, mine[0][2]) if mine else Event(pid, None)


# -- choosing and writing ------------------------------------------------------------------


def choose_view(space: StateSpace) -> str:
    """``full`` when the graph is small enough for dot to lay out quickly, else ``quotient``."""
    if len(space) <= FULL_VIEW_NODES and space.num_events <= FULL_VIEW_EDGES:
        return "full"
    return "quotient"


def render_view(
    space: StateSpace,
    view: str = "auto",
    *,
    labels: str = "short",
    run: Sequence[int] | None = None,
    cycle_start: int | None = None,
    events: Sequence[Event] | None = None,
    config: int | None = None,
    event: Event | None = None,
    by: str = "depth",
    valence: ValenceMap | None = None,
) -> graphviz.Digraph:
    """Build one view of ``space`` as a ``graphviz.Digraph`` (displays itself in Jupyter).

    ``run``/``cycle_start``/``events`` are for ``witness`` (see :func:`witness_view`; default
    :func:`flpcheck.witness.run_to_draw`; a :class:`flpcheck.runs.Run` ``r`` gives
    ``run=r.path, cycle_start=len(r.stem), events=r.events``);
    ``config``/``event`` for ``lemma3`` (default: :func:`default_lemma3`); ``by`` for
    ``quotient``.
    """
    space.require_full("a graph view")
    if view not in VIEWS:
        raise UsageError(f"view {view!r}: use one of {', '.join(VIEWS)}")
    if labels not in LABEL_MODES:
        raise UsageError(f"labels {labels!r}: use one of {', '.join(LABEL_MODES)}")
    valence = classify_valence(space) if valence is None else valence
    if view == "auto":
        view = choose_view(space)
    if view == "full":
        return full_view(space, labels=labels, valence=valence)
    if view == "initial":
        return initial_view(space, labels=labels, valence=valence)
    if view == "witness":
        title = ""
        if run is None:
            from ..analysis.verdict import run_to_draw  # the analysis picks the run; drawing only draws

            drawn = run_to_draw(space)
            run, cycle_start, events, title = (drawn.path, drawn.cycle_start, drawn.events,
                                               drawn.title)
        return witness_view(space, run, cycle_start, events=events, labels=labels,
                            valence=valence, title=title)
    if view == "lemma3":
        if config is None or event is None:
            c, e, _ = default_lemma3(space, config, None if event is None else event.pid)
            config, event = c, e if event is None else event
        return lemma3_view(space, config, event, labels=labels, valence=valence)
    return quotient_view(space, by=by, valence=valence)


_INSTALL = ("install Graphviz: apt-get install graphviz (Debian/Ubuntu), brew install graphviz "
            "(macOS), conda install -c conda-forge graphviz, or https://graphviz.org/download/")


def require_dot(what: str = "an image") -> None:
    """Raise :class:`GraphvizMissing` unless the ``dot`` program is on PATH."""
    if shutil.which("dot") is None:
        raise GraphvizMissing(
            f"Graphviz's dot program is not on PATH, so {what} cannot be drawn; {_INSTALL}. "
            "Export without Graphviz still works: .dot, .graphml, .json."
        )


def write_image(graph: graphviz.Digraph, path: str | os.PathLike[str]) -> Path:
    """Render ``graph`` to ``path`` (format from the suffix: svg, png, pdf; dot/gv: source).

    The file is written atomically (a temporary file beside it, then ``os.replace``).
    """
    from .files import atomic_write

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".dot", ".gv"):
        return atomic_write(path, graph.source)
    if suffix not in IMAGE_FORMATS:
        raise UsageError(f"{path}: unknown image format {suffix or '(no suffix)'!r}; use one "
                         f"of {', '.join(IMAGE_FORMATS + ('.dot', '.gv'))}")
    require_dot(str(path))
    try:
        data = graph.pipe(format=suffix[1:], engine="dot", quiet=True)
    except graphviz.ExecutableNotFound:
        require_dot(str(path))
        raise GraphvizMissing(f"dot could not be run, so {path} cannot be drawn; {_INSTALL}") \
            from None
    except graphviz.CalledProcessError as err:
        stderr = err.stderr.decode(errors="replace") if isinstance(err.stderr, bytes) else ""
        raise FLPCheckError(f"dot failed to draw {path}: {stderr.strip() or err}") from None
    return atomic_write(path, data)
