"""The web application: the page's static files at ``/`` and the JSON API at ``/api/``.

Every API answer is computed from the query string alone (the API is stateless: the page keeps
its own state in the URL) and is JSON with ``Cache-Control: no-store``. An error is
``{"error": "<one sentence>"}`` with status 400 (a malformed parameter), 404 (no such initial
configuration, successor or endpoint), 422 (the model's own code failed on this path), 503 (not
ready: still exploring, or computing the verdict), or 500 (the exploration failed, or a bug);
nothing a request does stops the server. The model is fixed when the server starts: no request
can run code of its choosing or read a file (the static files are read once, at start).
"""

from __future__ import annotations

import json
import math
import sys
import traceback
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import FLPCheckError
from .config import config_answer
from .escape_routes import escape_routes
from .lemma3 import adversary_answer, lemma3_answer
from .run_answers import lemma2_answer, witness_answer
from .session import Session
from .walk import ApiError, inputs_param, parse_index, parse_path, walk

__all__ = ["create_app", "STATIC_TYPES", "static_files"]

STATIC_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml",
                ".png": "image/png"}
"""The content type of each kind of static file the package ships."""

_SECURITY = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
     b"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'"),
]


def static_files() -> dict[str, tuple[bytes, str]]:
    """URL path -> (content, content type) of every file of the page, read from the package."""
    root = files("flpcheck.serve") / "static"
    out: dict[str, tuple[bytes, str]] = {}

    def visit(node: Any, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                visit(child, f"{prefix}{child.name}/")
            else:
                suffix = "." + child.name.rsplit(".", 1)[-1]
                if suffix in STATIC_TYPES:
                    out[f"/{prefix}{child.name}"] = (child.read_bytes(), STATIC_TYPES[suffix])

    visit(root, "")
    out["/"] = out["/index.html"]
    return out


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float as a string (JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def json_response(status: int, body: Any) -> Response:
    """A JSON answer that no cache keeps."""
    try:
        data = json.dumps(body, ensure_ascii=False, allow_nan=False)
    except ValueError:
        data = json.dumps(_finite(body), ensure_ascii=False, allow_nan=False)
    return Response(data, status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def _api(answer: Callable[[Any], Any]) -> Callable[[Request], Response]:
    """An endpoint: ``answer(query)`` as JSON, every failure as a JSON error."""

    def endpoint(request: Request) -> Response:
        try:
            return json_response(200, answer(request.query_params))
        except ApiError as err:
            return json_response(err.status, err.body())
        except FLPCheckError as err:  # the model's own code failed on this path
            return json_response(422, {"error": f"model error: {err}"})
        except Exception as exc:  # flpcheck's bug: report it, keep serving
            traceback.print_exc(file=sys.stderr)
            return json_response(500, {"error": f"internal error of flpcheck "
                                                f"({type(exc).__name__}: {exc}); please report it"})

    return endpoint


def _host_name(header: str) -> str:
    """The host of a Host header, without the port: ``[::1]:8000`` -> ``::1``."""
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class _Guard:
    """Security headers on every answer, and (unless ``hosts`` is None) a 400 for a request
    whose Host header names another host: a page elsewhere cannot reach this server through a
    DNS name it controls (DNS rebinding)."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None = None) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.hosts is not None:
            header = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            host = _host_name(header)
            if host.lower() not in self.hosts:
                response = json_response(400, {"error": f"host {header!r} is not served here"})
                await response(scope, receive, send)
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + _SECURITY
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(session: Session, hosts: frozenset[str] | None = None) -> Starlette:
    """The application serving ``session``; ``hosts``: the Host names to answer (None: any,
    for tests and for a server bound to every interface)."""
    static = static_files()

    def page(request: Request) -> Response:
        found = static.get(request.url.path)
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        data, ctype = found
        return Response(data, media_type=ctype, headers={"Cache-Control": "no-cache"})

    def config(q: Any) -> Any:
        w = walk(session.protocol, inputs_param(q.get("inputs"), session.n, session.vectors),
                 parse_path(q.get("path")), session.chance())
        return config_answer(session, w)

    def lemma3(q: Any, answer: Callable[..., Any] = lemma3_answer) -> Any:
        x = inputs_param(q.get("inputs"), session.n, session.vectors)
        path, event = parse_path(q.get("path")), parse_index(q.get("event"), "event")
        session.require_graph()
        return answer(session, walk(session.protocol, x, path, session.chance()), event)

    def missing(q: Any) -> Any:
        raise ApiError(404, "no such endpoint: the API has /api/status, /api/config, "
                            "/api/witness, /api/lemma2, /api/lemma3, /api/adversary, "
                            "/api/gst, /api/liveness, /api/flprun, /api/chance and /api/curve")

    routes = [
        Route("/api/status", _api(lambda q: session.status())),
        Route("/api/config", _api(config)),
        Route("/api/witness", _api(lambda q: witness_answer(session))),
        Route("/api/lemma2", _api(lambda q: lemma2_answer(session))),
        Route("/api/lemma3", _api(lemma3)),
        Route("/api/adversary", _api(lambda q: lemma3(q, adversary_answer))),
        *[Route(url, _api(answer)) for url, answer in escape_routes(session)],
        Route("/api/{rest:path}", _api(missing)),
        Route("/{name:path}", page),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return json_response(exc.status_code, {"error": str(exc.detail)})

    return Starlette(routes=routes, middleware=[Middleware(_Guard, hosts=hosts)],
                     exception_handlers={HTTPException: http_error})
