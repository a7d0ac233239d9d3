"""Running Graphviz's ``dot`` on a picture: its size checked first, a time limit, and never a
``dot`` process left behind.

A picture past :data:`DOT_NODES` nodes or :data:`DOT_EDGES` edges is refused before ``dot``
starts (:class:`PictureTooLarge`, exit code 2, naming what to use instead): ``dot``'s layout
time grows much faster than the graph and such a picture is unreadable anyway. ``dot`` runs
as a child process that is killed when its time limit (:data:`DOT_SECONDS` by default) passes,
when flpcheck is interrupted (Ctrl-C, SIGTERM), and on Linux when flpcheck dies for any reason
(the child asks the kernel for SIGKILL when its parent ends).
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import graphviz

from ...errors import FLPCheckError, UsageError

__all__ = ["DOT_NODES", "DOT_EDGES", "DOT_SECONDS", "PictureTooLarge", "DotTimeout",
           "Picture", "picture_size", "check_size", "run_dot"]

DOT_NODES = 1500
"""The most nodes a picture given to ``dot`` may have (the witness view's run and its
neighbours stay under it: :data:`~flpcheck.output.render.style.WITNESS_NODES` is 600)."""

DOT_EDGES = 5000
"""The most edges a picture given to ``dot`` may have (dot took 24 s on a full view of 1,104
configurations and 4,656 events)."""

DOT_SECONDS = 60.0
"""How long ``dot`` may take to draw one picture (``flpcheck render --dot-timeout``)."""


class PictureTooLarge(UsageError):
    """The picture is past :data:`DOT_NODES` nodes or :data:`DOT_EDGES` edges."""


class DotTimeout(FLPCheckError):
    """``dot`` did not finish within its time limit (it was killed)."""


def picture_size(graph: graphviz.Digraph) -> tuple[int, int]:
    """(nodes, edges) of ``graph``: its node and edge statements, subgraphs included (a node
    named again in a subgraph, to rank it, is counted once).

    >>> g = graphviz.Digraph(); g.node("a"); g.node("b"); g.edge("a", "b")
    >>> with g.subgraph(name="r") as s:
    ...     s.node("a")
    >>> picture_size(g)
    (2, 1)
    """
    nodes: set[str] = set()
    edges = 0
    for line in graph.body:
        text = line.strip()
        if not text or text.startswith(("subgraph", "}", "{", "graph", "node", "edge",
                                         "rank", "label", "style", "color")):
            continue
        if " -> " in text:
            edges += 1
        elif "=" not in text.split("[", 1)[0]:
            nodes.add(text.split(" [", 1)[0].split("[", 1)[0].strip())
    return len(nodes), edges


def check_size(graph: graphviz.Digraph, what: str, instead: str) -> None:
    """Raise :class:`PictureTooLarge` when ``graph`` is past the limits; the message names
    ``what`` is drawn and what to use ``instead``."""
    nodes, edges = picture_size(graph)
    if nodes > DOT_NODES or edges > DOT_EDGES:
        raise PictureTooLarge(
            f"{what}: the picture has {nodes:,} nodes and {edges:,} edges, past the "
            f"{DOT_NODES:,} nodes or {DOT_EDGES:,} edges dot lays out readably in reasonable "
            f"time; {instead}")


class Picture(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose display in a notebook goes through :func:`run_dot`: its size
    checked first (:class:`PictureTooLarge`) and ``dot`` given :data:`DOT_SECONDS`
    (:class:`DotTimeout`, the child killed), as when flpcheck writes an image. (graphviz's own
    display runs ``dot`` with no time limit.) Every view flpcheck draws is one."""

    def _drawn(self, fmt: str) -> bytes:
        check_size(self, "the picture shown", "draw flpcheck.render(space, 'quotient') or "
                   "write the source with output='picture.dot'")
        return run_dot(self.source, fmt, DOT_SECONDS, what="the picture shown")

    def _repr_image_svg_xml(self) -> str:
        return self._drawn("svg").decode("utf-8")

    def _repr_image_png(self) -> bytes:
        return self._drawn("png")

    def _repr_image_jpeg(self) -> bytes:
        return self._drawn("jpeg")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """Linux: ask the kernel to SIGKILL this process when its parent ends."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """In the main thread, SIGTERM raises KeyboardInterrupt while inside (so the child is
    killed on the way out); elsewhere, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def run_dot(source: str, fmt: str, seconds: float = DOT_SECONDS, what: str = "the picture",
            popen: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen) -> bytes:
    """``dot -T<fmt>`` on ``source``: its output, or :class:`DotTimeout` after ``seconds``.

    The child is killed and reaped on every way out (time limit, Ctrl-C, SIGTERM, an error).
    ``dot`` missing raises FileNotFoundError; ``dot`` failing, CalledProcessError.
    """
    linux = sys.platform.startswith("linux")
    proc = popen(["dot", f"-T{fmt}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE, preexec_fn=_die_with_parent if linux else None)
    try:
        with _sigterm_raises():
            out, err = proc.communicate(source.encode(), timeout=seconds)
    except subprocess.TimeoutExpired:
        raise DotTimeout(f"dot did not finish drawing {what} within {seconds:g} s and was "
                         "stopped; --dot-timeout gives it longer, a .dot output writes the "
                         "source without drawing it") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, ["dot", f"-T{fmt}"], out, err)
    return out
