"""Running the application with uvicorn: in the foreground until Ctrl-C (the command), or in a
background thread (a notebook).

The socket is bound here, before uvicorn starts, so that a port in use is a clear usage error
(exit 2) and port 0 picks a free port whose URL is then printed.
"""

from __future__ import annotations

import ipaddress
import signal
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from .session import Session

__all__ = ["LOOPBACK", "bind", "url_of", "allowed_hosts", "serve_forever", "BackgroundServer"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""Host names that only this machine reaches."""


def _uvicorn() -> Any:
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError as err:
        raise UsageError(f"flpcheck serve needs Starlette and uvicorn ({err.name} is missing): "
                         "pip install 'flpcheck[serve]'") from None
    return uvicorn


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: a free port); a usage error if taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        raise UsageError(f"--host {host}: {err.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror} (pick another "
                         "--port, or 0 for a free one)") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    """The URL of the page served on ``sock`` (bound to ``host``)."""
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def allowed_hosts(host: str) -> frozenset[str] | None:
    """The Host header names a server bound to ``host`` answers (None: any, when it listens on
    every interface and cannot know the names it is reached by)."""
    if host in ("0.0.0.0", "::", ""):
        return None
    names = {host.lower()}
    try:
        if ipaddress.ip_address(host).is_loopback:
            names |= set(LOOPBACK)
    except ValueError:
        if host.lower() == "localhost":
            names |= set(LOOPBACK)
    return frozenset(names)


def _server(session: Session, host: str) -> Any:
    uvicorn = _uvicorn()
    from .app import create_app

    config = uvicorn.Config(create_app(session, allowed_hosts(host)), log_level="warning",
                            access_log=False, lifespan="off", timeout_graceful_shutdown=2)
    return uvicorn.Server(config)


def serve_forever(session: Session, host: str, port: int, *, open_browser: bool = True,
                  echo: Callable[[str], None] = print) -> None:
    """Serve ``session`` until Ctrl-C (or SIGTERM): print the URL, open a browser unless told
    not to, stop the exploration and return cleanly."""
    server = _server(session, host)
    sock = bind(host, port)
    url = url_of(sock, host)
    session.start()
    echo(f"serving {session.spec or type(session.protocol).__name__} on {url}  (Ctrl-C stops)")
    if host not in LOOPBACK and not host.startswith("127."):
        echo(f"warning: listening on {host}: anyone who reaches this machine can browse the "
             "model's configurations")
    if open_browser:
        def opener() -> None:
            deadline = time.monotonic() + 10
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.05)
            webbrowser.open(url)

        threading.Thread(target=opener, name="flpcheck-browser", daemon=True).start()
    def stop(signum: int, frame: object) -> None:  # before uvicorn's handlers, and after
        server.should_exit = True

    handlers = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])  # uvicorn handles the signals while it runs
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
        session.stop()
        sock.close()
    echo("stopped")


class BackgroundServer:
    """A server for ``session`` in a daemon thread (for notebooks): :attr:`url`, :meth:`stop`."""

    def __init__(self, session: Session, host: str = "127.0.0.1", port: int = 0) -> None:
        self.session = session
        self.server = _server(session, host)
        self.sock = bind(host, port)
        self.url = url_of(self.sock, host)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       name="flpcheck-serve", daemon=True)

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start exploring and serving; return once the server answers."""
        self.session.start()
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and self.thread.is_alive():
            if time.monotonic() > deadline:
                raise UsageError(f"the server on {self.url} did not start within {timeout} s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving and exploring."""
        self.server.should_exit = True
        self.session.stop()
        self.thread.join(5)
        self.sock.close()

    def __repr__(self) -> str:
        return f"<flpcheck server {self.url} ({self.session.phase})>"
