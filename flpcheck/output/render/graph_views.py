"""Views of the whole graph: every configuration, the Lemma 2 chain, and the quotient by
valence and depth (optionally with strongly connected components condensed)."""

from __future__ import annotations

import math
from collections import Counter

import graphviz
import numpy as np

from ...analysis.valence import CODE_LABELS, ValenceMap
from ...errors import UsageError
from ...explorer.csr import edge_sources
from ...explorer.statespace import StateSpace
from ...model.inputs import bits
from .style import (
    CONFIG_MARKS,
    EDGE_COLOUR,
    PALETTE,
    QUOTIENT_LEVELS,
    RUN_COLOUR,
    SCC_NODES,
    Labels,
    config_node,
    digraph,
    draw_edges,
    edge_range,
    esc,
    legend,
    view_title,
)

__all__ = ["full_view", "initial_view", "quotient_view", "lemma2_chain", "aggregate"]


def full_view(space: StateSpace, *, labels: str = "short",
              valence: ValenceMap) -> graphviz.Digraph:
    """Every configuration and every explored event, coloured by valence.

    Meant for small graphs (see :data:`FULL_VIEW_NODES`); the DOT source of any size can be
    written without Graphviz (``write_image(view, "out.dot")``).
    """
    lab = Labels(space, valence, labels)
    g = digraph("full", view_title(space, "full"))
    for cid in range(len(space)):
        config_node(g, lab, cid)
    for cid in range(len(space)):
        draw_edges(g, lab, cid, edge_range(space, cid))
    legend(g, valence.counts(), CONFIG_MARKS, lower=valence.lower_counts())
    return g


def lemma2_chain(n: int) -> list[tuple[int, ...]]:
    """The inputs of I_0 = 0…0, I_1 = 10…0, …, I_N = 1…1 (neighbours differ in one process).

    >>> lemma2_chain(3)
    [(0, 0, 0), (1, 0, 0), (1, 1, 0), (1, 1, 1)]
    """
    return [tuple([1] * i + [0] * (n - i)) for i in range(n + 1)]


def initial_view(space: StateSpace, detail: str,
                 pair: tuple[tuple[int, ...], tuple[int, ...]] | None, *,
                 labels: str = "short", valence: ValenceMap) -> graphviz.Digraph:
    """The Lemma 2 chain of initial configurations with their valences, headed by ``detail``,
    what :func:`~flpcheck.analysis.lemma2.lemma2` established; its 0-valent/1-valent ``pair``,
    if any, is drawn bold: the process where they differ is the one Lemma 2 lets crash.
    """
    lab = Labels(space, valence, labels)
    chain = lemma2_chain(space.n)
    ids = [space.initial_id(x) for x in chain]
    flips = set() if pair is None else {chain.index(pair[0])}
    g = digraph("initial", view_title(space, "initial (Lemma 2)", detail), rankdir="LR")
    counts: Counter[str] = Counter()
    for i, (x, cid) in enumerate(zip(chain, ids, strict=True)):
        word = bits(x)
        if cid is None:
            g.node(f"I{i}", label=esc(f"I_{i} = {word}\nnot explored"), style="dashed",
                   fillcolor="white")
            continue
        counts[valence.label(cid)] += 1
        header = f"I_{i}" if labels != "none" else f"I_{i}\n{valence.describe(cid)}"
        config_node(g, lab, cid, header=header)
    for i in range(space.n):
        a, b = ids[i], ids[i + 1]
        na = f"c{a}" if a is not None else f"I{i}"
        nb = f"c{b}" if b is not None else f"I{i + 1}"
        flip = i in flips
        g.edge(na, nb, label=f"p{i}", dir="none", style="bold" if flip else "dashed",
               penwidth="3" if flip else "1", color=RUN_COLOUR if flip else EDGE_COLOUR)
    legend(g, dict(counts), CONFIG_MARKS[:2] + (
        ("edge pk", "inputs differ only in process k"),
        ("bold edge", "0-valent next to 1-valent: Lemma 2's pair"),
    ), heading="valence of I_0..I_N",
        lower=valence.lower_counts([c for c in ids if c is not None]))
    return g


def aggregate(space: StateSpace, key: np.ndarray, edge_mask: np.ndarray,
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


def quotient_view(space: StateSpace, *, valence: ValenceMap, by: str = "depth",
                  components: np.ndarray | None = None,
                  max_levels: int = QUOTIENT_LEVELS) -> graphviz.Digraph:
    """Configurations merged by (valence, depth), with counts on nodes and edges.

    Depths are merged into bands when there are more than ``max_levels``. With ``by="scc"``
    the configurations of each strongly connected component with a cycle through two or more
    configurations are drawn as one node (grouped by valence when there are more than
    :data:`SCC_NODES` of them); the others are merged by (valence, depth) as before.
    ``components`` gives the component of every configuration
    (:func:`flpcheck.analysis.components.strongly_connected`); ``by="scc"`` needs it.
    """
    if by not in ("depth", "scc"):
        raise UsageError(f"quotient by {by!r}: use 'depth' or 'scc'")
    if by == "scc" and components is None:
        raise UsageError("the quotient by SCC needs the components of the graph")
    n = len(space)
    depth = np.asarray(space.depth).astype(np.int64)
    max_depth = int(depth.max()) if n else 0
    band = max(1, math.ceil((max_depth + 1) / max_levels))
    level = depth // band
    codes = valence.codes.astype(np.int64)
    key = level * 4 + codes
    base = (int(level.max()) + 1) * 4 if n else 0
    scc_info: dict[int, str] = {}
    if by == "scc" and n:
        assert components is not None
        scc_info = _condense(key, components, depth, base)
    nodes, sizes, pairs = aggregate(space, key, np.ones(space.num_events, dtype=bool))
    decided = np.bincount(key, weights=(space.decided_array > 0), minlength=int(key.max()) + 1)
    initial = np.zeros(n, dtype=bool)
    initial[[cid for _, cid in space.initial]] = True
    n_initial = np.bincount(key, weights=initial, minlength=int(key.max()) + 1)
    n_cut = np.bincount(key, weights=space.cut, minlength=int(key.max()) + 1)
    code_of = {int(k): int(codes[np.flatnonzero(key == k)[0]]) for k in nodes.tolist()}
    merged = "valence and depth" + (f" (bands of {band} depths)" if band > 1 else "")
    if by == "scc":
        merged += "; SCCs with cycles condensed"
    extra = f"{len(nodes):,} classes: configurations merged by {merged}"
    g = digraph("quotient", view_title(space, "quotient", extra))
    rows: dict[int, list[str]] = {}
    for k, size in zip(nodes.tolist(), sizes.tolist(), strict=True):
        label = CODE_LABELS[code_of[k]]
        if k in scc_info:
            head = scc_info[k]
        else:
            lv = k // 4
            lo, hi = lv * band, min(max_depth, lv * band + band - 1)
            head = f"depth {lo}" if lo == hi else f"depths {lo}–{hi}"
            rows.setdefault(lv, []).append(f"q{k}")
        counts = (int(size), int(decided[k]), int(n_initial[k]), int(n_cut[k]))
        g.node(f"q{k}", **_class_node(head, label, counts, k in scc_info))
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
    legend(g, valence.counts(), marks, lower=valence.lower_counts())
    return g


def _condense(key: np.ndarray, comp: np.ndarray, depth: np.ndarray, base: int) -> dict[int, str]:
    """Give the configurations of each component with a cycle through two or more of them
    one key from ``base`` on (in ``key``, in place; grouped by valence past
    :data:`SCC_NODES` components); returns the head line of each such key."""
    scc_info: dict[int, str] = {}
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
    return scc_info


def _class_node(head: str, label: str, counts: tuple[int, int, int, int],
                scc: bool) -> dict[str, str]:
    """The attributes of one class of the quotient: its head line, its valence ``label``,
    ``counts`` = (size, decided, initial, cut) and whether it is a condensed SCC."""
    size, decided, initial, cut = counts
    lines = [head, f"{label} ×{size:,}"]
    facts = [f"{x:,} {what}" for x, what in
             ((decided, "decided"), (initial, "initial"), (cut, "cut")) if x]
    if facts:
        lines.append(", ".join(facts))
    attrs = {"fillcolor": PALETTE[label]}
    if decided == size:
        attrs["peripheries"] = "2"
    if initial:
        attrs["penwidth"] = "3"
    if cut:
        attrs["style"] = "rounded,filled,dashed"
    if scc:
        attrs["shape"] = "octagon"
        attrs["style"] = "filled" + (",dashed" if cut else "")
    return {"label": "\\n".join(esc(line) for line in lines), **attrs}
