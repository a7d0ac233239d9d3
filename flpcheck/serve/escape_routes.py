"""The endpoints of FLP's escape routes: GST (``/api/gst``, ``/api/liveness``) and coins
(``/api/chance``, ``/api/curve``), each answering from the query string alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .chance_answers import chance_answer, curve_answer
from .flp_run_answer import flp_run_answer
from .gst_answers import crashed_param, gst_answer, gst_rules, liveness_answer
from .session import Session
from .walk import inputs_param, parse_path, walk

__all__ = ["escape_routes"]


def escape_routes(session: Session) -> list[tuple[str, Callable[[Any], Any]]]:
    """(URL, answer(query)) of every escape-route endpoint of ``session``."""

    def here(q: Any) -> Any:
        return walk(session.protocol, inputs_param(q.get("inputs"), session.n, session.vectors),
                    parse_path(q.get("path")), session.chance())

    def gst(q: Any) -> Any:
        rules = gst_rules(q, session.n)
        return gst_answer(session, here(q), rules, crashed_param(q.get("crashed"), session.n,
                                                                 rules))

    return [
        ("/api/gst", gst),
        ("/api/liveness", lambda q: liveness_answer(session, q)),
        ("/api/flprun", lambda q: flp_run_answer(session, q)),
        ("/api/chance", lambda q: chance_answer(session, here(q))),
        ("/api/curve", lambda q: curve_answer(session)),
    ]
