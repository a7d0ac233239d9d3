"""Drawing bivalence graphs with Graphviz: the full graph and the views of the FLP proof.

Every view returns a :class:`graphviz.Digraph`, which displays itself in Jupyter and can be
written with :func:`write_image`. A view draws what it is given (the valence map, the run, the
sets of Lemma 3, the components); it runs no analysis: :func:`flpcheck.render` asks the
analyses and draws. Building a view needs only the ``graphviz`` Python
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
- ``sequence``: a run as a message sequence chart (processes as columns, each message from
  its send to its receipt), the chart of the page of ``flpcheck serve``;
- ``auto``: ``full`` up to :data:`FULL_VIEW_NODES` configurations and
  :data:`FULL_VIEW_EDGES` events, else ``quotient``: dot lays out either in about a second.

Colours (Okabe–Ito, safe for colour-blind readers) are fixed in :data:`PALETTE`. A double
border marks a decided configuration, a thick border an initial one, a dashed border one a
bound left unexpanded; the run of the witness view is drawn in bold.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import graphviz

from ...errors import FLPCheckError, GraphvizMissing, UsageError
from ...explorer.statespace import StateSpace
from .dot import DOT_EDGES, DOT_NODES, DOT_SECONDS, DotTimeout, PictureTooLarge, check_size, run_dot
from .graph_views import full_view, initial_view, lemma2_chain, quotient_view
from .run_views import lemma3_view, witness_view
from .sequence import schedule_chart, sequence_view
from .style import (
    EDGE_COLOUR,
    EVENT_COLOUR,
    FULL_VIEW_EDGES,
    FULL_VIEW_NODES,
    LABEL_MODES,
    PALETTE,
    RUN_COLOUR,
    WITNESS_NODES,
)

__all__ = [
    "PALETTE", "EVENT_COLOUR", "RUN_COLOUR", "EDGE_COLOUR", "VIEWS", "LABEL_MODES",
    "FULL_VIEW_NODES", "FULL_VIEW_EDGES", "WITNESS_NODES", "IMAGE_FORMATS", "choose_view",
    "full_view", "initial_view", "witness_view", "lemma3_view", "quotient_view",
    "lemma2_chain", "write_image", "require_dot", "sequence_view", "schedule_chart",
    "DOT_NODES", "DOT_EDGES", "DOT_SECONDS", "PictureTooLarge", "DotTimeout", "readable_view",
]

VIEWS = ("auto", "full", "initial", "witness", "lemma3", "quotient", "sequence")
"""The views :func:`flpcheck.render` draws (``auto``: :func:`choose_view`)."""

IMAGE_FORMATS = (".svg", ".png", ".pdf")
"""Suffixes :func:`write_image` renders with dot (``.dot``/``.gv`` write the DOT source)."""


def choose_view(space: StateSpace) -> str:
    """``full`` when the graph is small enough for dot to lay out quickly, else ``quotient``."""
    if len(space) <= FULL_VIEW_NODES and space.num_events <= FULL_VIEW_EDGES:
        return "full"
    return "quotient"


def readable_view(space: StateSpace, view: str) -> tuple[str, str]:
    """The view to draw for ``view`` and a note when it differs: ``full`` past
    :data:`FULL_VIEW_NODES` configurations or :data:`FULL_VIEW_EDGES` events is drawn as the
    quotient (every configuration would be unreadable and dot could take minutes); ``auto``
    is :func:`choose_view`.

    The other views bound their own size (the witness view leaves out neighbours, Lemma 3's
    merges 𝒞 and D, the quotient merges depths into bands); :func:`write_image` refuses any
    picture past :data:`DOT_NODES` nodes or :data:`DOT_EDGES` edges.
    """
    if view == "auto":
        return choose_view(space), ""
    if view == "full" and choose_view(space) != "full":
        return "quotient", (
            f"{len(space):,} configurations and {space.num_events:,} events are past the "
            f"{FULL_VIEW_NODES:,} configurations or {FULL_VIEW_EDGES:,} events the full view "
            "draws readably: drew the quotient by valence and depth instead (a .dot output "
            "writes every configuration without drawing it)")
    return view, ""


_INSTALL = ("install Graphviz: apt-get install graphviz (Debian/Ubuntu), brew install graphviz "
            "(macOS), conda install -c conda-forge graphviz, or https://graphviz.org/download/")


def require_dot(what: str = "an image") -> None:
    """Raise :class:`GraphvizMissing` unless the ``dot`` program is on PATH."""
    if shutil.which("dot") is None:
        raise GraphvizMissing(
            f"Graphviz's dot program is not on PATH, so {what} cannot be drawn; {_INSTALL}. "
            "Export without Graphviz still works: .dot, .graphml, .json."
        )


def write_image(graph: graphviz.Digraph, path: str | os.PathLike[str],
                seconds: float = DOT_SECONDS) -> Path:
    """Render ``graph`` to ``path`` (format from the suffix: svg, png, pdf; dot/gv: source).

    Before dot runs, the picture's size is checked (:class:`PictureTooLarge` past
    :data:`DOT_NODES` nodes or :data:`DOT_EDGES` edges); dot gets ``seconds``
    (:class:`DotTimeout`) and is killed on every way out (see :mod:`.dot`). The file is written
    atomically (a temporary file beside it, then ``os.replace``).
    """
    from ..files import atomic_write

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".dot", ".gv"):
        return atomic_write(path, graph.source)
    if suffix not in IMAGE_FORMATS:
        raise UsageError(f"{path}: unknown image format {suffix or '(no suffix)'!r}; use one "
                         f"of {', '.join(IMAGE_FORMATS + ('.dot', '.gv'))}")
    require_dot(str(path))
    check_size(graph, str(path), "--view quotient draws a summary, a .dot output writes the "
               "source without drawing it")
    try:
        data = run_dot(graph.source, suffix[1:], seconds, what=str(path))
    except FileNotFoundError:
        raise GraphvizMissing(f"dot could not be run, so {path} cannot be drawn; {_INSTALL}") \
            from None
    except subprocess.CalledProcessError as err:
        stderr = err.stderr.decode(errors="replace") if isinstance(err.stderr, bytes) else ""
        raise FLPCheckError(f"dot failed to draw {path}: {stderr.strip() or err}") from None
    return atomic_write(path, data)
