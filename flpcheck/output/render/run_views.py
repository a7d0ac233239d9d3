"""Views of one run or one step of the proof: the witness run with its neighbours, and
Lemma 3's C, e, 𝒞 and D = e(𝒞). They draw what the analysis found (the run, the sets); they
search for nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import graphviz
import numpy as np

from ...analysis.adversary import Lemma3Sets
from ...analysis.valence import CODE_LABELS, ValenceMap
from ...errors import UsageError
from ...explorer.statespace import StateSpace
from ...model.semantics import Event
from .graph_views import aggregate
from .style import (
    CONFIG_MARKS,
    EDGE_COLOUR,
    EVENT_COLOUR,
    FULL_VIEW_EDGES,
    FULL_VIEW_NODES,
    PALETTE,
    RUN_COLOUR,
    WITNESS_NODES,
    Labels,
    config_node,
    digraph,
    draw_edges,
    edge_range,
    esc,
    legend,
    view_title,
)

__all__ = ["witness_view", "lemma3_view"]


def witness_view(
    space: StateSpace,
    run: Sequence[int],
    cycle_start: int | None = None,
    *,
    events: Sequence[Event] | None = None,
    labels: str = "short",
    neighbours: bool | None = None,
    valence: ValenceMap,
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
    lab = Labels(space, valence, labels)
    path, steps, run_edges = _run_edges(space, run, cycle_start, events)
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
    dst = space.arrays.indices
    if neighbours is None:
        around = {int(dst[k]) for c in visits for k in edge_range(space, c)}
        neighbours = len(around | drawn) <= WITNESS_NODES
        if not neighbours:
            summary += f"; {len(around - drawn):,} neighbours left out"
    shape = f"{len(steps)} steps" + ("" if cycle_start is None else
                                      f", then back to s{cycle_start}, forever")
    head = f"{title}: " if title else ""
    g = digraph("witness", view_title(space, "witness", f"{head}{shape}; {summary}"),
                 rankdir="LR")
    _draw_run(g, space, lab, visits, run_edges, neighbours, drawn)
    marks = CONFIG_MARKS + (("bold edge n.", "step n of the run"),
                             ("sN", "the run visits it at step N"))
    legend(g, dict(Counter(valence.label(c) for c in drawn)), marks,
           lower=valence.lower_counts(sorted(drawn)))
    return g


def _run_edges(space: StateSpace, run: Sequence[int], cycle_start: int | None,
               events: Sequence[Event] | None
               ) -> tuple[list[int], list[tuple[int, int]], dict[int, list[int]]]:
    """(the run's configurations, without a closing repeat; its steps as (from, to) pairs,
    the closing one included for a lasso; the explored edge of each step -> the step
    numbers taking it), checked against the explored graph."""
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
        edge = next((k for k in edge_range(space, a)
                     if int(dst[k]) == b and (want is None or int(eids[k]) == want)), None)
        if edge is None:
            raise UsageError(f"witness view: step {i + 1} is not an explored event from c{a} "
                             f"to c{b}")
        run_edges.setdefault(edge, []).append(i + 1)
    return path, steps, run_edges


def _draw_run(g: graphviz.Digraph, space: StateSpace, lab: Labels,
              visits: dict[int, list[int]], run_edges: dict[int, list[int]],
              neighbours: bool, drawn: set[int]) -> None:
    """The run's configurations (headed by the steps that visit them), its numbered bold
    edges, and with ``neighbours`` every other event of a run configuration, drawn thin (the
    neighbours drawn are added to ``drawn``)."""
    dst = space.arrays.indices
    for c, where in visits.items():
        header = "s" + ",".join(map(str, where))
        config_node(g, lab, c, header=header, group="run")
    if neighbours:
        seen = drawn
        for c in visits:
            for k in edge_range(space, c):
                if k in run_edges:
                    continue
                d = int(dst[k])
                if d not in seen:
                    seen.add(d)
                    config_node(g, lab, d)
    for c in visits:
        for k in edge_range(space, c):
            if k in run_edges:
                label = lab.edge_at(k)
                numbers = ",".join(map(str, run_edges[k]))
                g.edge(f"c{c}", f"c{int(dst[k])}", label=f"{numbers}. {label}" if label
                       else numbers, color=RUN_COLOUR, penwidth="3", style="bold",
                       weight="10", fontcolor=RUN_COLOUR)
        if neighbours:
            draw_edges(g, lab, c, [k for k in edge_range(space, c) if k not in run_edges])


def lemma3_view(
    space: StateSpace,
    sets: Lemma3Sets,
    *,
    valence: ValenceMap,
    labels: str = "short",
    max_nodes: int = FULL_VIEW_NODES,
    max_edges: int = FULL_VIEW_EDGES,
) -> graphviz.Digraph:
    """One stage of Lemma 3: C, e, 𝒞 (reachable from C without applying e) and D = e(𝒞), as
    found by :func:`flpcheck.analysis.adversary.lemma3_sets`.

    Lemma 3 says: if C is bivalent and e is applicable to C, D contains a bivalent
    configuration. When 𝒞 and D are larger than ``max_nodes``/``max_edges`` they are drawn
    merged by valence, with counts.
    """
    lab = Labels(space, valence, labels)
    config, event = sets.config, sets.event
    in_c, in_d, e_edges, c_edges = sets.reach, sets.d, sets.e_edges, sets.c_edges
    d_counts = sets.counts
    csr = space.arrays
    src = np.repeat(np.arange(len(space), dtype=np.int64), np.diff(csr.indptr))
    e_text = f"p{event.pid}:" + ("null" if event.msg is None
                                 else space.protocol.format_payload(event.msg))
    lower = valence.lower_counts(np.flatnonzero(in_d))
    found = ", ".join(f"{k} {v}" + (f" ({lower[v]} at least)" if lower.get(v) else "")
                      for v, k in d_counts.items() if k) or "empty"
    extra = (f"C = c{config} ({valence.describe(config)}), e = {e_text}; 𝒞: "
             f"{int(in_c.sum()):,} configurations reachable from C without e; "
             f"D = e(𝒞): {found}")
    g = digraph("lemma3", view_title(space, "Lemma 3", extra))
    only_d = in_d & ~in_c
    n_nodes = int(in_c.sum() + only_d.sum())
    marks: tuple[tuple[str, str], ...] = (("label D", "in D = e(𝒞)"),
                                          ("vermillion edge", "the event e"))
    if n_nodes <= max_nodes and len(e_edges) + len(c_edges) <= max_edges:
        _lemma3_sets(g, space, lab, sets, src)
    else:
        _lemma3_merged(g, space, lab, sets, valence)
        marks += (("𝒞: v ×n", "n configurations of 𝒞 of valence v"),
                  ("𝒞 ∩ D", "in both"), ("edge ×n", "n events"))
    legend(g, d_counts, marks + CONFIG_MARKS[:2], heading="valence in D", lower=lower)
    return g


def _lemma3_sets(g: graphviz.Digraph, space: StateSpace, lab: Labels, sets: Lemma3Sets,
                 src: np.ndarray) -> None:
    """𝒞 and D drawn configuration by configuration, e's edges in vermillion."""
    config, in_c, in_d, e_of_c = sets.config, sets.reach, sets.d, sets.e_of_c
    only_d = in_d & ~in_c
    with g.subgraph(name="cluster_C") as s:
        s.attr(label="𝒞: reachable from C without e", style="rounded", color="#999999")
        for c in np.flatnonzero(in_c).tolist():
            header = ("C" if c == config else "e(C)" if c == e_of_c
                      else "D" if in_d[c] else "")
            config_node(s, lab, c, header=header)
    with g.subgraph(name="cluster_D") as s:
        s.attr(label="D = e(𝒞)", style="rounded", color=EVENT_COLOUR)
        for c in np.flatnonzero(only_d).tolist():
            config_node(s, lab, c, header="e(C)" if c == e_of_c else "D")
    c_src = src[sets.c_edges]
    for c in np.unique(c_src).tolist():
        draw_edges(g, lab, c, sets.c_edges[c_src == c].tolist())
    for k in sets.e_edges.tolist():
        g.edge(f"c{int(src[k])}", f"c{int(space.arrays.indices[k])}", label="e",
               color=EVENT_COLOUR, fontcolor=EVENT_COLOUR, penwidth="2")


def _lemma3_merged(g: graphviz.Digraph, space: StateSpace, lab: Labels, sets: Lemma3Sets,
                   valence: ValenceMap) -> None:
    """𝒞, 𝒞 ∩ D and D merged by valence, with counts; C and e(C) drawn alone."""
    config, in_c, in_d, e_of_c = sets.config, sets.reach, sets.d, sets.e_of_c
    only_d = in_d & ~in_c
    csr = space.arrays
    key = np.full(len(space), -1, dtype=np.int64)
    codes = valence.codes.astype(np.int64)
    key[in_c] = 2 + codes[in_c]
    key[in_c & in_d] = 6 + codes[in_c & in_d]
    key[only_d] = 10 + codes[only_d]
    if e_of_c is not None:
        key[e_of_c] = 1
    key[config] = 0
    mask = np.zeros(len(csr.indices), dtype=bool)
    mask[sets.c_edges] = True
    is_e = np.zeros(len(csr.indices), dtype=bool)
    is_e[sets.e_edges] = True
    nodes, node_counts, pairs = aggregate(space, key, mask | is_e, is_e)
    names = {0: "C", 1: "e(C)"}
    for first, name in ((2, "𝒞"), (6, "𝒞 ∩ D"), (10, "D")):
        names |= {first + i: name for i in range(4)}
    for k, n in zip(nodes.tolist(), node_counts.tolist(), strict=True):
        if k < 2:
            cid = config if k == 0 else int(e_of_c)  # type: ignore[arg-type]
            config_node(g, lab, cid, header=names[k])
            continue
        label = CODE_LABELS[(k - 2) % 4]
        g.node(f"g{k}", label=esc(f"{names[k]}: {label} ×{n:,}"), fillcolor=PALETTE[label])
    loops: dict[int, dict[bool, int]] = {}
    for (a, b), n, via_e in pairs:
        if a == b:  # a class's loops (e and the other events) are drawn as one, below
            loops.setdefault(a, {})[via_e] = n
            continue
        na = f"c{config}" if a == 0 else f"c{e_of_c}" if a == 1 else f"g{a}"
        nb = f"c{config}" if b == 0 else f"c{e_of_c}" if b == 1 else f"g{b}"
        if via_e:
            g.edge(na, nb, label=f"e ×{n:,}", color=EVENT_COLOUR, fontcolor=EVENT_COLOUR,
                   penwidth="2")
        else:
            g.edge(na, nb, label=f"×{n:,}")
    for a, by_e in loops.items():
        name = f"c{config}" if a == 0 else f"c{e_of_c}" if a == 1 else f"g{a}"
        lines = [f"×{by_e[False]:,}"] if False in by_e else []
        if True in by_e:
            lines.append(f'<FONT COLOR="{EVENT_COLOUR}">e ×{by_e[True]:,}</FONT>')
        colours = ([EDGE_COLOUR] if False in by_e else []) + (
            [EVENT_COLOUR] if True in by_e else [])
        g.edge(name, name, label="<" + "<BR/>".join(lines) + ">", color=":".join(colours),
               penwidth="2" if True in by_e else "1")
