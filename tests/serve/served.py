"""What the serve tests share: a served model (a session and a TestClient on its application)
and paths replayed with flpcheck.model.semantics, independently of the server."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import pytest

pytest.importorskip("starlette", reason="flpcheck serve needs the serve extra (Starlette)")
with warnings.catch_warnings():  # Starlette asks for httpx2 and warns on httpx: both work
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flpcheck.model.loader import load_protocol
from flpcheck.model.semantics import (
    Event,
    applicable_events,
    event_outcomes,
    initial_configuration,
    replay,
)
from flpcheck.output.schemas import validate
from flpcheck.serve.app import create_app
from flpcheck.serve.session import Session

from ..paths import FIXTURES, MODELS

__all__ = ["TestClient", "Served", "make_served", "served_model", "events_of", "reached"]


@dataclass
class Served:
    """A session with its application, and helpers to ask it."""

    session: Session
    client: Any

    def get(self, url: str, schema: str | None = None, status: int = 200) -> Any:
        """The JSON answer of ``url``, checked: its status, and its schema when given."""
        response = self.client.get(url)
        assert response.status_code == status, (url, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        if status != 200:
            validate("serve-error", body)
        elif schema is not None:
            validate(schema, body)
        return body

    def config(self, inputs: str, path: list[int] | tuple[int, ...] = ()) -> Any:
        """``/api/config`` for ``inputs`` and ``path``, checked against its schema."""
        query = f"inputs={inputs}" + (f"&path={','.join(map(str, path))}" if path else "")
        return self.get("/api/config?" + query, "serve-config")


def make_served(spec: str, processes: int | None = None, start: bool = True,
                **options: Any) -> Served:
    """A session on ``spec`` (explored to the end when ``start``) and its client."""
    session = Session(load_protocol(spec, processes), spec=spec, **options)
    if start:
        session.start()
        assert session.wait(120), "the exploration did not end"
    return Served(session, TestClient(create_app(session)))


def served_model(model: str, processes: int | None = None, **options: Any) -> Served:
    """A finished session on a model of the library (``models/``) or of the test fixtures
    (``bad/...``, ``edge/...``)."""
    root = FIXTURES if model.startswith(("bad/", "edge/", "chance/")) else MODELS
    return make_served(str(root / model), processes, **options)


def events_of(protocol: Any, inputs: str, path: list[int]) -> list[Event]:
    """The events a path takes, read off the documented successor order (applicable_events,
    an event left to chance once per outcome: event_outcomes)."""
    x = tuple(map(int, inputs))
    config = initial_configuration(protocol, x)
    events = []
    for k in path:
        listed = [step.event for e in applicable_events(config, protocol.processes)
                  for _, step in event_outcomes(protocol, config, e)]
        events.append(listed[k])
        config = replay(protocol, x, events)[-1].config
    return events


def reached(protocol: Any, inputs: str, path: list[int]) -> Any:
    """The configuration ``path`` reaches, replayed with flpcheck.model.semantics."""
    x = tuple(map(int, inputs))
    steps = replay(protocol, x, events_of(protocol, inputs, path))
    return steps[-1].config if steps else initial_configuration(protocol, x)
