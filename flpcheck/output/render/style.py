"""What every view shares: the palette, labels, and the graph pieces (Graphviz DOT).

Colours (Okabe–Ito, safe for colour-blind readers) are fixed in :data:`PALETTE`. A double
border marks a decided configuration, a thick border an initial one, a dashed border one a
bound left unexpanded; the run of the witness view is drawn in bold.
"""

from __future__ import annotations

import dataclasses
import enum
import html
from collections import Counter
from collections.abc import Sequence
from typing import Any

import graphviz

from ...analysis.valence import LABELS, ValenceMap
from ...errors import UsageError
from ...explorer.statespace import StateSpace
from ...model.inputs import bits
from ...model.protocol import Protocol
from ...model.values import canonical_key, value_key
from .dot import Picture

__all__ = ["PALETTE", "EVENT_COLOUR", "RUN_COLOUR", "EDGE_COLOUR", "LABEL_MODES",
           "FULL_VIEW_NODES", "FULL_VIEW_EDGES", "QUOTIENT_LEVELS", "WITNESS_NODES",
           "SCC_NODES", "Labels", "digraph", "view_title", "config_node", "legend", "edge_range",
           "draw_edges", "esc", "CONFIG_MARKS"]

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

_FONT = "Helvetica"
_MAX_LINE = 64


def esc(text: str) -> str:
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


class Labels:
    """Node and edge labels of one space in one label mode."""

    def __init__(self, space: StateSpace, valence: ValenceMap, mode: str) -> None:
        if mode not in LABEL_MODES:
            raise UsageError(f"labels {mode!r}: use one of {', '.join(LABEL_MODES)}")
        self.space, self.valence, self.mode = space, valence, mode
        proto = space.protocol
        cls = type(proto)
        self.custom_state = cls.format_state is not Protocol.format_state
        self.custom_payload = cls.format_payload is not Protocol.format_payload
        self.inputs = {cid: bits(x) for x, cid in space.initial}
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
        counts = Counter(value_key(m) for m in self.space.configuration(cid).buffer)
        first = {value_key(m): m for m in self.space.configuration(cid).buffer}
        items = sorted(((first[k], n) for k, n in counts.items()),
                       key=lambda kv: (kv[0][0], canonical_key(kv[0][1])))
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
            return esc(header)
        if self.mode == "full":
            lines = self.full_text(cid)
            if header:
                lines.insert(0, header)
            return "".join(esc(line) + "\\l" for line in lines)
        first = f"c{cid}"
        if cid in self.inputs:
            first += f" I={self.inputs[cid]}"
        if header:
            first = f"{header} {first}"
        config = self.space.configuration(cid)
        states = " | ".join(self.state(p, s, True) for p, s in enumerate(config.states))
        lines = [first, _clip(states), _clip(self.buffer(cid, True))]
        return "\\n".join(esc(line) for line in lines)

    def tooltip(self, cid: int) -> str:
        return "\\n".join(esc(line) for line in self.full_text(cid))

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
            text = self._edge_cache[eid] = esc(_clip(f"p{event.pid}{sep}{msg}", 40))
        return text

    def edge_at(self, edge: int) -> str:
        """The DOT label of edge ``edge``: its event's, and for a step left to chance the
        outcome and its probability, e.g. ``p0:null (o1, 1/2)``."""
        text = self.edge(int(self.space.edge_event[edge]))
        outcome = self.space.event_of_edge(edge).outcome
        if outcome is None or not text:
            return text
        p = self.space.edge_chance(edge)
        return text + (f" (o{outcome}, {p})" if self.mode == "short" else
                       f" (outcome {outcome}, probability {p})")


# -- graph pieces --------------------------------------------------------------------------


def digraph(name: str, title: str, rankdir: str = "TB") -> graphviz.Digraph:
    g = Picture(name)
    g.attr("graph", rankdir=rankdir, label=esc(title), labelloc="t", fontname=_FONT,
           fontsize="12", nodesep="0.25", ranksep="0.45", bgcolor="white")
    g.attr("node", shape="box", style="rounded,filled", fontname=_FONT, fontsize="9",
           margin="0.06,0.03", penwidth="1")
    g.attr("edge", fontname=_FONT, fontsize="8", color=EDGE_COLOUR, fontcolor="#333333",
           arrowsize="0.6")
    return g


def view_title(space: StateSpace, view: str, extra: str = "") -> str:
    status = "" if space.complete else ", INCOMPLETE: cut by " + ", ".join(space.cut_reasons)
    text = (f"{type(space.protocol).__name__}, N={space.n}: {view} view of "
            f"{len(space):,} configurations{status}")
    return f"{text}\n{extra}" if extra else text


def config_node(g: graphviz.Digraph, labels: Labels, cid: int, header: str = "",
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


def legend(g: graphviz.Digraph, counts: dict[str, int] | None,
            marks: Sequence[tuple[str, str]], heading: str = "valence",
            lower: dict[str, int] | None = None) -> None:
    """A legend node: the valence colours (with counts) and the marks a view uses; ``lower``:
    how many of each count are only a lower bound (a bound cut what they reach)."""
    rows = [f'<TR><TD COLSPAN="2"><B>{html.escape(heading)}</B></TD></TR>']
    lower = {k: v for k, v in (lower or {}).items() if v}
    if lower:
        marks = (*marks, ("at least", "a valence so far: the configuration reaches what a "
                                      "bound left unexplored"))
    for label in LABELS:
        text = label if counts is None else f"{label}: {counts.get(label, 0):,}"
        if lower.get(label):
            text += f" ({lower[label]:,} at least)"
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


CONFIG_MARKS = (
    ("double border", "decided"),
    ("thick border", "initial"),
    ("dashed border", "cut by a bound"),
)


def edge_range(space: StateSpace, cid: int) -> range:
    return range(int(space.arrays.indptr[cid]), int(space.arrays.indptr[cid + 1]))


def draw_edges(g: graphviz.Digraph, labels: Labels, cid: int, edges: Sequence[int] | range,
           **attrs: str) -> None:
    """Draw edges ``edges`` leaving ``cid``; events joining the same two configurations share
    one arrow, with one label line per event (sorted by edge order)."""
    dst = labels.space.arrays.indices
    by_dst: dict[int, list[str]] = {}
    for k in edges:
        by_dst.setdefault(int(dst[k]), []).append(labels.edge_at(k))
    for d, texts in by_dst.items():
        g.edge(f"c{cid}", f"c{d}", label="\\n".join(t for t in texts if t), **attrs)
