"""The Python API's functions that take several layers at once: loading and exploring a model
in one call, and drawing a view with what the analyses found.

Everything here is also exported from :mod:`flpcheck`; the layers underneath do one thing each
(:mod:`flpcheck.model`, :mod:`flpcheck.explorer`, :mod:`flpcheck.analysis`,
:mod:`flpcheck.output`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import graphviz

from .analysis.adversary import lemma3_event, lemma3_sets
from .analysis.components import strongly_connected
from .analysis.lemma2 import lemma2
from .analysis.valence import ValenceMap, classify_valence
from .analysis.verdict import run_to_draw, verdict
from .errors import UsageError
from .explorer.space import Space
from .explorer.statespace import StateSpace
from .model.semantics import Event, replay
from .output import export
from .output.render import (
    DOT_SECONDS,
    LABEL_MODES,
    VIEWS,
    choose_view,
    full_view,
    initial_view,
    lemma3_view,
    quotient_view,
    sequence_view,
    witness_view,
    write_image,
)
from .pipeline import Options, Pipeline

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["explore_file", "render", "to_networkx", "write_graph"]


def explore_file(spec: str | Path, processes: int | None = None, **options: Any) -> Space:
    """Load the model ``spec`` (``file.py`` or ``file.py:Class``) and explore it; ``options``
    are those of :class:`flpcheck.pipeline.Options` (bounds, ``inputs``, ``symmetry``,
    ``por``, ``workers``, ...).

    >>> space = explore_file("models/leader_broadcast.py", 2)
    >>> len(space), space.complete
    (20, True)
    """
    return Pipeline(Options(str(spec), processes, **options)).explore()


def to_networkx(space: StateSpace, valence: ValenceMap | None = None) -> nx.MultiDiGraph:
    """The configuration graph as a ``networkx.MultiDiGraph``, every configuration with its
    valence (classified here unless given); attributes: :mod:`flpcheck.output.export`.

    >>> from flpcheck import Protocol, explore
    >>> class DecideOwn(Protocol):
    ...     def init(self, pid, x): return (x, None)
    ...     def step(self, pid, state, msg): return (state[0], state[0]), ()
    ...     def output(self, pid, state): return state[1]
    >>> g = to_networkx(explore(DecideOwn(processes=2)))
    >>> g.number_of_nodes(), g.number_of_edges(), g.nodes[0]["valence"], g.nodes[0]["inputs"]
    (16, 32, '0-valent', '00')
    """
    return export.to_networkx(space, classify_valence(space) if valence is None else valence)


def write_graph(space: StateSpace, path: str | os.PathLike[str],
                valence: ValenceMap | None = None) -> Path:
    """Write the graph in the format named by the suffix of ``path`` (``.dot``, ``.gv``,
    ``.graphml``, ``.json``, an image: ``.svg``, ``.png``, ``.pdf``, or ``.drn``: the graph as
    a Markov decision process in Storm's explicit format, the scheduler's choices as actions
    and chance's as probabilities, labelled for FLP's termination), every configuration with
    its valence (classified here unless given); see :func:`flpcheck.output.export.write_graph`
    and :mod:`flpcheck.output.drn`."""
    if Path(path).suffix.lower() == ".drn":
        from .analysis.chance.queries import labelled_model
        from .output.drn import write_drn

        return write_drn(path, labelled_model(space, "adversary", 0, "some"))
    return export.write_graph(space, path,
                              classify_valence(space) if valence is None else valence)


def render(
    space: StateSpace,
    view: str = "auto",
    *,
    labels: str = "short",
    run: Sequence[int] | None = None,
    cycle_start: int | None = None,
    events: Sequence[Event] | None = None,
    config: int | None = None,
    event: Event | None = None,
    process: int | None = None,
    by: str = "depth",
    crashes: int = 1,
    termination: str = "some",
    valence: ValenceMap | None = None,
    title: str = "",
    output: str | Path | None = None,
    dot_timeout: float = DOT_SECONDS,
) -> graphviz.Digraph:
    """One view of ``space`` as a ``graphviz.Digraph`` (it displays itself in Jupyter); with
    ``output``, also written to that file (.svg, .png, .pdf, or .dot/.gv for the source).

    Views: ``full``, ``initial`` (Lemma 2's chain), ``witness``, ``lemma3``, ``quotient``,
    ``sequence`` (``run`` as a message sequence chart, by default the verdict's run), and
    ``auto`` (full when small, else quotient). ``witness`` draws ``run`` (configuration ids,
    with ``cycle_start`` for a lasso and the ``events`` of its steps; a
    :class:`~flpcheck.analysis.lasso.Run` ``r`` gives ``run=r.path, cycle_start=len(r.stem),
    events=r.events``), by default the verdict's run for ``crashes`` and ``termination``.
    ``lemma3`` draws C = ``config`` and e = ``event`` (default: the first bivalent initial
    configuration and the oldest pending message of ``process``, or its null step).
    ``quotient`` merges by ``by``: ``depth``, or ``scc`` to condense cycles. ``title`` heads
    the witness view. Writing an image checks the picture's size first and gives dot
    ``dot_timeout`` seconds (see :func:`flpcheck.output.render.write_image`).
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
        graph = full_view(space, labels=labels, valence=valence)
    elif view == "initial":
        found = lemma2(space)
        graph = initial_view(space, found.detail, found.pair, labels=labels, valence=valence)
    elif view == "witness":
        if run is None:
            drawn = run_to_draw(space, crashes, termination)
            run, cycle_start, events, title = (drawn.path, drawn.cycle_start, drawn.events,
                                               drawn.title)
        graph = witness_view(space, run, cycle_start, events=events, labels=labels,
                             valence=valence, title=title)
    elif view == "lemma3":
        if config is None or event is None:
            c, e, _ = lemma3_event(space, config,
                                   event.pid if event is not None else process)
            config, event = c, e if event is None else event
        graph = lemma3_view(space, lemma3_sets(space, config, event, valence), labels=labels,
                            valence=valence)
    elif view == "sequence":
        graph = _sequence(space, run, cycle_start, events, crashes, termination, valence, title)
    else:
        components = strongly_connected(space) if by == "scc" else None
        graph = quotient_view(space, by=by, valence=valence, components=components)
    if output is not None:
        write_image(graph, output, dot_timeout)
    return graph


def _sequence(space: StateSpace, run: Sequence[int] | None, cycle_start: int | None,
              events: Sequence[Event] | None, crashes: int, termination: str,
              valence: ValenceMap, title: str) -> graphviz.Digraph:
    """The sequence chart of ``run`` (configuration ids, its ``events``), by default of the
    verdict's run (with its crashes), replayed with the protocol's own code."""
    crashed: list[int] = []
    crash_at = None
    if run is None:
        found = verdict(space, crashes, termination=termination)
        if found.run is not None:
            run, events = found.run.path, found.run.events
            cycle_start, title = len(found.run.stem), title or found.verdict
            crashed, crash_at = sorted(found.run.crashed), found.run.crash_point
        else:
            drawn = run_to_draw(space, crashes, termination)
            run, events, cycle_start = drawn.path, drawn.events, drawn.cycle_start
            title = title or drawn.title
    if not run:
        raise UsageError("sequence view: the run is empty")
    if events is None:  # the first explored event between each two (and back, for a lasso)
        walk = list(run) + ([run[cycle_start]] if cycle_start is not None
                            and run[-1] != run[cycle_start] else [])
        events = [next((e for e, d in space.successors(a) if d == b), Event(-1))
                  for a, b in zip(walk, walk[1:], strict=False)]
        if Event(-1) in events:
            raise UsageError("sequence view: the run has a step that is not an explored event")
    inputs = space.inputs_of(run[0])
    steps = replay(space.protocol, inputs, events)
    ids: list[int | None] = [run[0], *(space.find(s.config) for s in steps)]
    valences = [valence.label(c) if c is not None and valence.is_certain(c) else "unknown"
                for c in ids]
    return sequence_view(space.protocol, inputs, steps, cycle_start=cycle_start,
                         crashed=crashed, crash_at=crash_at, valences=valences, title=title)
