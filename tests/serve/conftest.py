"""Fixtures: a served model (a finished session and a TestClient on its application), one per
model and options for the whole run."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("starlette", reason="flpcheck serve needs the serve extra (Starlette)")

from .served import Served, served_model  # noqa: E402


@pytest.fixture(scope="session")
def served():
    """``served(model, processes=None, **options)``: a finished session on a model of the
    library (``models/``) or of the test fixtures (``bad/...``, ``edge/...``, ``chance/...``),
    made once."""
    made: dict[Any, Served] = {}

    def get(model: str, processes: int | None = None, **options: Any) -> Served:
        key = (model, processes, tuple(sorted(options.items())))
        if key not in made:
            made[key] = served_model(model, processes, **options)
        return made[key]

    yield get
    for s in made.values():
        s.session.stop()
