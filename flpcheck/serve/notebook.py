"""``flpcheck.show``: the page of ``flpcheck serve`` inside a notebook, in one call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..explorer.statespace import StateSpace
from ..model.protocol import Protocol
from ..pipeline import Options, Pipeline
from .runner import BackgroundServer
from .session import Session

__all__ = ["show", "start", "stop_all", "SERVERS"]

SERVERS: list[BackgroundServer] = []
"""The servers :func:`start` and :func:`show` started in this process, oldest first."""


def start(model: str | Path | Protocol | type[Protocol] | StateSpace,
          processes: int | None = None, *,
          crashes: int = 1, termination: str = "some", host: str = "127.0.0.1", port: int = 0,
          **options: Any) -> BackgroundServer:
    """Serve ``model`` from a background thread: a model file (``file.py[:Class]``), a
    :class:`~flpcheck.Protocol` or Protocol class (explored in the background) or an explored
    :class:`~flpcheck.StateSpace` (served as it is). ``options`` are the exploration bounds
    (``inputs``, ``max_configs``, ``max_buffer``, ``max_depth``, ``timeout``,
    ``max_memory``). Returns the running server (``.url``, ``.stop()``)."""
    if isinstance(model, StateSpace):
        if processes is not None or options:
            raise UsageError("an explored state space is served as it is: no processes or "
                             "exploration options")
        session = Session(model.protocol, spec=type(model.protocol).__name__, crashes=crashes,
                          termination=termination, space=model)
    else:
        if isinstance(model, type) and issubclass(model, Protocol):
            model = model(processes=processes)
            processes = None
        if isinstance(model, Protocol):
            if processes is not None:
                raise UsageError("a Protocol instance has its processes: build it with "
                                 "processes=N instead")
            spec, protocol = type(model).__name__, model
        else:
            spec, protocol = str(model), None
        pipeline = Pipeline(Options(spec, processes, crashes=crashes, termination=termination,
                                    **options), protocol)
        session = Session.of(pipeline)
    server = BackgroundServer(session, host, port).start()
    SERVERS.append(server)
    return server


def show(model: str | Path | Protocol | type[Protocol] | StateSpace,
         processes: int | None = None, *,
         width: str | int = "100%", height: int = 820, **options: Any) -> Any:
    """Start a server for ``model`` in the background (see :func:`start`) and show its page in
    an ``IPython.display.IFrame``; the server runs until the kernel stops (or
    :func:`stop_all`). The IFrame's ``server`` attribute is the running server.

    The page is served on 127.0.0.1, so the browser must run on the machine of the kernel.
    """
    try:
        from IPython.display import IFrame
    except ImportError:
        raise UsageError("flpcheck.show needs IPython (it displays the page in a notebook); "
                         "outside a notebook run `flpcheck serve MODEL`") from None
    server = start(model, processes, **options)
    frame = IFrame(server.url, width=width, height=height)
    frame.server = server  # type: ignore[attr-defined]  # for the caller: .url, .stop()
    return frame


def stop_all() -> None:
    """Stop every server :func:`start` and :func:`show` started."""
    while SERVERS:
        SERVERS.pop().stop()
